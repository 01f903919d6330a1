//! The stage manifest: every stage of the course, in order, in one table.
//!
//! `STAGES.md`, the `grade` tool and the manifest test all read this table, so a stage
//! exists in exactly one place. A stage is `Implemented` once its binaries are in
//! `src/bin`; the bonus stages of CONTRACT.md § Part III are listed as `Planned` until
//! then.

/// Which part of the course a stage belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Part {
    /// Part I, the async warm-up (sleep and web programs).
    One,
    /// Part II, the chat room.
    Two,
    /// Part III, the cumulative bonuses.
    Bonus,
}

/// Whether a stage's binaries exist yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Status {
    /// Its binaries are in `src/bin` and its checks run in `cargo test`.
    Implemented,
    /// Described in CONTRACT.md, not built yet: it must have no binary.
    Planned,
}

/// One stage of the learning path.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Stage {
    /// Stable id used by `grade` and as the heading of its STAGES.md section.
    pub id: &'static str,
    /// The part of the course it belongs to.
    pub part: Part,
    /// The binaries (`src/bin/<name>.rs`) that make up the stage.
    pub binaries: &'static [&'static str],
    /// One line: what the learner gets out of it.
    pub goal: &'static str,
    /// Built or only planned.
    pub status: Status,
}

/// Binaries that are tools, not stages.
pub const TOOLS: &[&str] = &["grade", "chat_bench", "demo_pages"];

use Part::*;
use Status::*;

/// Every stage of CONTRACT.md, in the order a learner meets them.
#[rustfmt::skip]
pub const STAGES: &[Stage] = &[
    Stage { id: "sleep_and_print", part: One, binaries: &["sleep_and_print"], goal: "Count twice with blocking sleeps: the baseline of sequential code.", status: Implemented },
    Stage { id: "sleep_and_print_async", part: One, binaries: &["sleep_and_print_async"], goal: "Run the same two counts concurrently on one thread with tokio.", status: Implemented },
    Stage { id: "web_sync", part: One, binaries: &["web_sync"], goal: "Download one page with a blocking HTTP client and write it to a file.", status: Implemented },
    Stage { id: "web_async", part: One, binaries: &["web_async"], goal: "The same download with async reqwest and tokio::fs.", status: Implemented },
    Stage { id: "web_sync_multiple", part: One, binaries: &["web_sync_multiple"], goal: "Download a list of pages one after the other.", status: Implemented },
    Stage { id: "web_async_multiple", part: One, binaries: &["web_async_multiple"], goal: "Download the whole list concurrently with one shared client.", status: Implemented },
    Stage { id: "measure", part: One, binaries: &["measure"], goal: "Time the sequential and the concurrent downloads of the same list.", status: Implemented },
    Stage { id: "ii_2", part: Two, binaries: &["chat_server_ii_2", "chat_client_ii_2"], goal: "A first tokio TCP server answering a blocking client.", status: Implemented },
    Stage { id: "ii_3", part: Two, binaries: &["chat_server_ii_3", "chat_client_ii_3"], goal: "A client that types and listens at the same time; a server with many clients.", status: Implemented },
    Stage { id: "ii_4", part: Two, binaries: &["chat_server_ii_4"], goal: "A working chat: a registry of clients and a relay that never waits on the slowest.", status: Implemented },
    Stage { id: "ii_5", part: Two, binaries: &["chat_server_ii_5", "chat_client_ii_5"], goal: "Pseudos: a handshake, validated, and a join announcement.", status: Implemented },
    Stage { id: "ii_6", part: Two, binaries: &["chat_server_ii_6", "chat_client_ii_6"], goal: "Disconnection: leaves announced exactly once, a client that notices the server going away.", status: Implemented },
    Stage { id: "bonus_1", part: Bonus, binaries: &["chat_server_bonus_1_cosmetic", "chat_client_bonus_1_cosmetic"], goal: "Colors and timestamps.", status: Implemented },
    Stage { id: "bonus_2_ids", part: Bonus, binaries: &["chat_server_bonus_2_ids", "chat_client_bonus_2_ids"], goal: "Returning users recognised by an ID.", status: Implemented },
    Stage { id: "bonus_2_logs", part: Bonus, binaries: &["chat_server_bonus_2_logs", "chat_client_bonus_2_logs"], goal: "Timestamped logs of the whole conversation.", status: Implemented },
    Stage { id: "bonus_3", part: Bonus, binaries: &["chat_server_bonus_3_config", "chat_client_bonus_3_config"], goal: "A config file and validated arguments.", status: Implemented },
    Stage { id: "bonus_4", part: Bonus, binaries: &["chat_server_bonus_4_encoding", "chat_client_bonus_4_encoding"], goal: "A home-made binary protocol.", status: Implemented },
    Stage { id: "bonus_5", part: Bonus, binaries: &["chat_server_bonus_5_images", "chat_client_bonus_5_images"], goal: "Images sent as ASCII art.", status: Implemented },
    Stage { id: "bonus_6", part: Bonus, binaries: &["chat_server_bonus_6_history", "chat_client_bonus_6_history"], goal: "A persisted history for newcomers.", status: Planned },
    Stage { id: "bonus_7", part: Bonus, binaries: &["chat_server_bonus_7_rooms", "chat_client_bonus_7_rooms"], goal: "Several rooms.", status: Planned },
    Stage { id: "bonus_8", part: Bonus, binaries: &["chat_server_bonus_8_ntui", "chat_client_bonus_8_ntui"], goal: "Never trust user input: every limit in one place.", status: Planned },
];

/// The stage with this id, if any.
pub fn stage(id: &str) -> Option<&'static Stage> {
    STAGES.iter().find(|s| s.id == id)
}
