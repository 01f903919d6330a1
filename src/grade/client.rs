//! The chat client checks (Part II and bonuses 1 to 5), written against any client
//! command: this project's `chat_client_ii_6` or a student's `python3 client.py`.
//!
//! Each check starts its own scripted fake server (a `TcpListener` on `127.0.0.1:0`), runs
//! the client with the placeholders of its command filled in, types on its stdin, and
//! compares what reaches the server and what the client prints with CONTRACT.md § Part II:
//!
//! | placeholder | filled with |
//! |---|---|
//! | `{port}` | the fake server's port (required: without it every check is skipped) |
//! | `{address}` | `127.0.0.1` |
//! | `{pseudo}` | the pseudo (ii_5 on); without it the pseudo is typed as the first line |
//! | `{id_file}` | a file path in a directory of the check's own (bonus 2 ids on) |
//! | `{log}` | the same, for the client's log file (bonus 2 logs on) |
//! | `{config}` | a config file the check writes (bonus 3) |
//!
//! Nothing assumes the client is ours: a prompt on stdout (with or without a line end), extra
//! blank lines and a trailing line end on `--wire tp` messages are all tolerated; what counts
//! is the messages on the wire, the text printed, the exit status and how fast it comes.
//! With `tty` set the client runs under a pseudo-terminal instead of pipes, the way a person
//! runs it (line editor, echo, escape sequences, which are stripped before comparing).

mod binary;
mod bonus;
mod fake_server;
mod ii_2;
mod ii_3;
mod ii_5;
mod ii_6;
#[cfg(not(unix))]
mod no_pty;
mod program;
#[cfg(unix)]
mod pty;
// Windows has no pty: a stand-in with the same interface whose `spawn` always fails.
#[cfg(not(unix))]
use no_pty as pty;

use super::Check;
use crate::chat::wire::Wire;

/// A chat client under test.
#[derive(Debug, Clone)]
pub struct ClientTarget {
    /// The command and its arguments, with the placeholders of the module docs.
    pub command: Vec<String>,
    /// How the fake server frames messages; must match what the command makes the client
    /// use (e.g. `--wire tp` in the template, or a Python course client).
    pub wire: Wire,
    /// Run the client under a pseudo-terminal instead of pipes (Unix only, see
    /// [`TTY_SUPPORTED`]: elsewhere every check of a tty target fails, saying so).
    pub tty: bool,
}

impl ClientTarget {
    /// A target from any list of arguments, run with pipes.
    pub fn new<S: Into<String>>(command: impl IntoIterator<Item = S>, wire: Wire) -> Self {
        ClientTarget {
            command: command.into_iter().map(Into::into).collect(),
            wire,
            tty: false,
        }
    }

    /// The same target, under a pseudo-terminal when `tty` is true.
    pub fn with_tty(self, tty: bool) -> Self {
        ClientTarget { tty, ..self }
    }
}

/// Whether this platform can run a client under a pseudo-terminal ([`ClientTarget::tty`]):
/// Unix (Linux, macOS) can, Windows cannot.
pub const TTY_SUPPORTED: bool = cfg!(unix);

/// Why a tty target cannot run where [`TTY_SUPPORTED`] is false.
pub const TTY_UNSUPPORTED: &str =
    "the pseudo-terminal mode (--tty) needs a Unix system (Linux, macOS); use pipes here";

/// The stages that have a client of their own, in course order (ii_4 reuses ii_3's).
pub const STAGES: &[&str] = &[
    "ii_2",
    "ii_3",
    "ii_5",
    "ii_6",
    "bonus_1",
    "bonus_2_ids",
    "bonus_2_logs",
    "bonus_3",
    "bonus_4",
    "bonus_5",
];

/// From ii_5 on, each client is the previous one plus its stage's topic.
const CUMULATIVE_FROM: usize = 2;

/// Every client check a client of `stage_id` must pass (empty for a stage without a client
/// of its own): from ii_5 on a client is the previous stage's plus its topic (the ii_6
/// client is the ii_5 client plus the disconnect notice, the bonus clients add to ii_6's),
/// so its list holds every stage's checks from ii_5 to it, as the server lists do.
pub fn checks(stage_id: &str) -> Vec<Check<ClientTarget>> {
    match STAGES.iter().position(|s| *s == stage_id) {
        Some(at) if at >= CUMULATIVE_FROM => STAGES[CUMULATIVE_FROM..=at]
            .iter()
            .flat_map(|s| new_checks(s))
            .collect(),
        _ => new_checks(stage_id),
    }
}

/// Only the checks for what `stage_id` adds: each must fail against the previous stage's
/// client, unless it declares that it holds before (tests/previous_stage.rs proves both).
pub fn new_checks(stage_id: &str) -> Vec<Check<ClientTarget>> {
    let Some(stage) = STAGES.iter().copied().find(|s| *s == stage_id) else {
        return Vec::new();
    };
    match stage {
        "ii_2" => vec![
            check!(
                "ii_2",
                "client_sends_hello",
                Course,
                "connects and sends `Hello` as its first message",
                ii_2::sends_hello
            ),
            check!(
                "ii_2",
                "client_prints_reply",
                Course,
                "prints the server's one reply, then exits 0 by itself (connection still open)",
                ii_2::prints_reply
            ),
        ],
        "ii_3" => vec![
            check!(
                "ii_3",
                "client_sends_lines",
                Course,
                "each line typed arrives as one message, in order, and nothing else",
                ii_3::sends_lines
            ),
            check!(
                "ii_3",
                "client_prints_pushed",
                Course,
                "prints messages the server pushes while stdin stays open and idle",
                ii_3::prints_pushed
            ),
            check!(
                "ii_3",
                "client_exits_on_eof",
                Robust,
                "end of input makes it exit 0 within 2 s",
                ii_3::exits_on_eof
            ),
        ],
        "ii_5" => vec![
            check!(
                "ii_5",
                "client_hello_first",
                Course,
                "its first message is `Hello|<pseudo>`, the pseudo typed first (or `{pseudo}`)",
                ii_5::hello_first
            ),
            check!(
                "ii_5",
                "client_chats_after_hello",
                Course,
                "after the handshake it prints the join announcement and sends typed lines",
                ii_5::chats_after_hello
            ),
        ],
        "ii_6" => vec![
            check!(
                "ii_6",
                "client_server_close",
                Course,
                "stdin idle, the server closes: it says so and exits 0 within 2 s",
                ii_6::server_close
            ),
            check!(
                "ii_6",
                "client_exits_cleanly",
                Robust,
                "when the server closes, it exits without printing a traceback",
                ii_6::clean_exit
            ),
            check!(
                "ii_6",
                "client_server_reset",
                Robust,
                "stdin idle, the server resets the connection: it says so and exits 0 within 2 s",
                ii_6::server_reset
            ),
        ],
        "bonus_1" => vec![
            check!(
                "bonus_1",
                "client_own_message",
                Course,
                "a line typed is sent and shown as `Vous avez dit : <msg>`",
                bonus::own_message
            ),
            check!(
                "bonus_1",
                "client_plain_when_piped",
                Robust,
                "stdout a pipe and NO_COLOR unset: a coloured relay is shown with its time and no escape sequence at all",
                bonus::plain_when_piped
            ),
        ],
        "bonus_2_ids" => vec![
            check!(
                "bonus_2_ids",
                "client_comes_back",
                Course,
                "the ID the server gives (`ID|<id>`) is presented on the next run: `Hello|<pseudo>|<id>` (command with `{id_file}`)",
                bonus::comes_back
            ),
            check!(
                "bonus_2_ids",
                "client_keeps_id_quiet",
                Robust,
                "the `ID|…` line is not printed as it is, and the file `{id_file}` holds the ID",
                bonus::keeps_id_quiet
            ),
        ],
        "bonus_2_logs" => vec![
            check!(
                "bonus_2_logs",
                "client_log",
                Course,
                "the log file `{log}` has a line with the time for a message shown and for one sent",
                bonus::client_log
            ),
            check!(
                "bonus_2_logs",
                "client_log_rfc3339",
                Robust,
                "every line of the log file starts with the local time and its offset (RFC 3339)",
                bonus::client_log_rfc3339
            ),
        ],
        "bonus_3" => vec![
            check!(
                "bonus_3",
                "client_exit_codes_flags",
                Course,
                "`{port}` 70000 exits 1, 80 exits 2, `{address}` 999.1.1.1 exits 3",
                bonus::exit_codes_flags
            ),
            check!(
                "bonus_3",
                "client_exit_codes_file",
                Course,
                "the same values from the config file (`{config}`; PORT, HOST) give the same exit codes",
                bonus::exit_codes_file
            ),
            check!(
                "bonus_3",
                "client_pseudo_from_file",
                Course,
                "PSEUDO in the config file is the pseudo of `Hello|…`, and `{pseudo}` on the command line wins over it",
                bonus::pseudo_from_file
            ),
        ],
        "bonus_4" => vec![
            check!(
                "bonus_4",
                "client_hello_frame",
                Course,
                "its first bytes are a hello frame: `03`, the body's length, field pseudo, an empty ID field (a first run)",
                binary::hello_frame
            ),
            check!(
                "bonus_4",
                "client_text_frames",
                Course,
                "each line typed is one text frame (`01`, or the long form `02`) whose length counts bytes (`ça coûte 5 € !` is 17)",
                binary::text_frames
            ),
            check!(
                "bonus_4",
                "client_renders_frames",
                Course,
                "a said frame is shown `[12:34] bob a dit : coucou alice` and notices as the French announcements",
                binary::renders_frames
            ),
            check!(
                "bonus_4",
                "client_error_frame",
                Robust,
                "an error frame (`84`) then the close: its reason is shown and the client exits within 2 s",
                binary::error_frame
            ),
            check!(
                "bonus_4",
                "client_bad_frame",
                Robust,
                "a frame that cannot be read (`82 00 03 09 00 00`, a notice of kind 9), the connection left open: the client shows the reason (`… genre d'annonce inconnu`) and exits within 2 s",
                binary::bad_frame
            ),
        ],
        "bonus_5" => vec![
            check!(
                "bonus_5",
                "client_sends_image",
                Course,
                "`/img <PNG>` sends an image frame (`04`) whose art is 64 characters wide and keeps the proportions (a 128 x 64 picture: 16 ±2 lines)",
                binary::sends_image
            ),
            check!(
                "bonus_5",
                "client_shows_image",
                Course,
                "an image frame (`85`) from the server is shown under `… bob a envoyé une image :`, its lines after it",
                binary::shows_image,
                holds_before = "the bonus 4 client reads frames with the same decoder, which knows 0x85, and shows pictures already: the check guards bonus 5 clients that would not"
            ),
            check!(
                "bonus_5",
                "client_missing_image",
                Robust,
                "`/img <a missing file>` and `/img <a text file named .png>` send nothing (the next frame is the next line typed) and print errors naming the files",
                binary::missing_image
            ),
        ],
        _ => Vec::new(),
    }
}
