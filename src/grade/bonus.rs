//! The server checks of the bonus stages 1 to 3 (CONTRACT.md § Part III, and its "Wire
//! details of bonuses 1 to 3"), declared like Part II's in [`catalogue`]: `chat::checks`
//! adds them to the list of their stage and every later one, after Part II's, which keep
//! running on the bonus servers (their relays compared by meaning, see
//! [`relay`](super::relay)).
//!
//! - [`cosmetic`]: bonus 1, the time and colour of each relay, and the graceful shutdown
//!   the bonus server has from bonus 1 on;
//! - [`ids`]: bonus 2, a returning user recognised by the ID it was given;
//! - [`logs`]: bonus 2, the log file, whose path the command takes as `{log}`;
//! - [`config`]: bonus 3, a config file (`{config}`) under the command line, and the
//!   course's exit codes;
//! - [`binary`]: bonus 4, the same chat over frames (the earlier checks keep running there,
//!   each message carried by its frame: see `TestClient::speak_frames`);
//! - [`images`]: bonus 5, ASCII-art pictures in image frames.
//!
//! The `course` tier accepts every reasonable reading of the course's text (a time anywhere
//! in the relay, colours however applied, `Welcome back` within any line, a log line
//! however worded as long as it says who and what); the `robust` tier holds the exact
//! shapes this project's contract chose.

mod binary;
pub(crate) mod config;
mod cosmetic;
mod ids;
mod images;
pub(crate) mod logs;

use super::Check;
use super::server::ServerTarget;

/// Every bonus server check, each declared once with the stage that introduces it.
pub(super) fn catalogue() -> Vec<Check<ServerTarget>> {
    vec![
        check!(
            "bonus_1",
            "time_and_pseudo",
            Course,
            "a relay carries the server's local time `HH:MM` (±1 min), the sender's pseudo and the message",
            cosmetic::time_and_pseudo
        ),
        check!(
            "bonus_1",
            "colours_differ",
            Course,
            "two clients' relays carry colour sequences, and the two colours differ",
            cosmetic::colours_differ
        ),
        check!(
            "bonus_1",
            "exact_shape",
            Robust,
            "a relay is exactly `[HH:MM] ESC[<colour>m<pseudo>ESC[0m a dit : <msg>`, a colour-only SGR, nothing else escaped; announcements carry no time",
            cosmetic::exact_shape,
            // From bonus 4 on the dress is fields, not escapes: `bonus_4.said_fields`.
            retired_by = "bonus_4"
        ),
        check!(
            "bonus_1",
            "twelve_colours",
            Robust,
            "twelve clients connected at once get twelve different colours (a palette of at least 12)",
            cosmetic::twelve_colours
        ),
        check!(
            "bonus_1",
            "shutdown_on_sigterm",
            Robust,
            "on SIGTERM every client receives its queued messages, then `Annonce : le serveur ferme la chatroom`, then the close; the server exits 0",
            cosmetic::shutdown_on_sigterm
        ),
        check!(
            "bonus_2_ids",
            "id_given",
            Course,
            "a newcomer receives `ID|<id>`",
            ids::id_given
        ),
        check!(
            "bonus_2_ids",
            "welcome_back",
            Course,
            "coming back from a new connection with `Hello|<pseudo>|<id>` is answered `Welcome back <pseudo> !`",
            ids::welcome_back
        ),
        check!(
            "bonus_2_ids",
            "return_announced",
            Course,
            "the others receive `Annonce : <pseudo> est de retour !` when a user comes back",
            ids::return_announced
        ),
        check!(
            "bonus_2_ids",
            "id_shape",
            Robust,
            "IDs are 32 lowercase hex digits, two users' differ, and the ID comes before the newcomer's join announcement",
            ids::id_shape
        ),
        check!(
            "bonus_2_ids",
            "unknown_id_fresh",
            Robust,
            "an unknown or malformed ID gets a fresh `ID|…` and a join announcement, no welcome back",
            ids::unknown_id_fresh
        ),
        check!(
            "bonus_2_ids",
            "return_exact",
            Robust,
            "a return is announced exactly `Annonce : <pseudo> est de retour !` to the others, with no join announcement, and greeted exactly `Welcome back <pseudo> !`",
            ids::return_exact
        ),
        check!(
            "bonus_2_logs",
            "log_events",
            Course,
            "the log file (`{log}`) gets a timestamped line for a connection, for a message received (with its text) and for a leave",
            logs::log_events
        ),
        check!(
            "bonus_2_logs",
            "rfc3339",
            Robust,
            "every line of the log file starts with the local time and its offset (RFC 3339), within a minute of now",
            logs::rfc3339
        ),
        check!(
            "bonus_2_logs",
            "relay_logged",
            Robust,
            "a relayed message is logged with how many clients it went to",
            logs::relay_logged
        ),
        check!(
            "bonus_3",
            "exit_codes_flags",
            Course,
            "`{port}` 70000 exits 1, 80 exits 2, `{address}` 999.1.1.1 exits 3, 203.0.113.7 exits 4",
            config::exit_codes_flags
        ),
        check!(
            "bonus_3",
            "exit_codes_file",
            Course,
            "the same values from the config file (`{config}`; PORT, HOST) give the same exit codes",
            config::exit_codes_file
        ),
        check!(
            "bonus_3",
            "file_then_flag",
            Course,
            "the server listens on the config file's PORT, and on the command line's port when both give one",
            config::file_then_flag
        ),
        check!(
            "bonus_3",
            "unknown_key",
            Robust,
            "an unknown key in the config file exits 1 with an error naming FILE:LINE",
            config::unknown_key
        ),
        check!(
            "bonus_4",
            "join_notice",
            Course,
            "a hello frame (0x03) makes the others receive the notice frame `82 00 06 01 00 03 62 6f 62` (joined, the pseudo)",
            binary::join_notice
        ),
        check!(
            "bonus_4",
            "said_frame",
            Course,
            "a text frame (0x01) reaches the others as a said frame (0x81) with the sender's pseudo and the text, not the sender",
            binary::said_frame
        ),
        check!(
            "bonus_4",
            "long_form_text",
            Course,
            "a text frame in the long form (0x02, with a 1-byte and an 8-byte length) is relayed like a short one",
            binary::long_form_text
        ),
        check!(
            "bonus_4",
            "byte_lengths",
            Course,
            "lengths count bytes: a message with `ç`, `û` and `€` is relayed whole, and the next one too",
            binary::byte_lengths
        ),
        check!(
            "bonus_4",
            "said_fields",
            Robust,
            "a said frame's time field is the local time `HH:MM` (±1 min) and its colour field SGR colour parameters",
            binary::said_fields
        ),
        check!(
            "bonus_4",
            "hostile_headers",
            Robust,
            "each bad frame of PROTOCOL.md's error section gets an error frame (0x84) with its exact reason, then the close, while two clients keep chatting",
            binary::hostile_headers
        ),
        check!(
            "bonus_4",
            "over_limit_not_awaited",
            Robust,
            "a lone header announcing a terabyte is answered with an error frame and the close at once, the body not awaited",
            binary::over_limit_not_awaited
        ),
        check!(
            "bonus_4",
            "eof_mid_frame",
            Robust,
            "a client whose stream ends in the middle of a frame is announced as a leave (notice kind 2), and the others keep chatting",
            binary::eof_mid_frame
        ),
        check!(
            "bonus_4",
            "notices_and_ids",
            Robust,
            "the ID comes as an ID frame (0x83, 32 hex digits) first; leave, welcome back and return are notice frames of kinds 2, 4 and 3",
            binary::notices_and_ids
        ),
        check!(
            "bonus_4",
            "image_refused",
            Robust,
            "an image frame (0x04) is answered with the error frame `ce serveur n'accepte pas les images`, the connection kept: the sender's next message is relayed",
            binary::image_refused,
            // Bonus 5 relays pictures (`bonus_5.image_relayed`).
            retired_by = "bonus_5"
        ),
        check!(
            "bonus_5",
            "image_relayed",
            Course,
            "an image frame (0x04) reaches the others as an image frame (0x85) from the sender with the art unchanged, not the sender",
            images::image_relayed
        ),
        check!(
            "bonus_5",
            "image_fields",
            Robust,
            "a relayed picture carries the local time `HH:MM` and the sender's colour (that of its said frames)",
            images::image_fields
        ),
        check!(
            "bonus_5",
            "image_limit",
            Robust,
            "a picture of 100 lines of 200 characters is relayed whole; one of 101 lines, and a frame of 32769 bytes, are answered with an error frame",
            images::image_limit
        ),
    ]
}
