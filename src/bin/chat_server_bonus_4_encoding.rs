//! Bonus 4, "Encodage maison": frames whose header announces their size.
//!
//! What it teaches: framing by length. A line ends where a `\n` is found, so a reader must
//! scan every byte and a message can never contain one; a frame says how long it is before
//! it starts: a type byte, then its length (two bytes, or one byte `n` and an `n`-byte
//! length for the course's "long" type), then the body. The reader waits for the whole
//! frame, checks the length against the type's limit *before* waiting for or allocating
//! anything, and a frame that is wrong in any way (unknown type, length over the limit,
//! invalid UTF-8, a field longer than its frame) is answered with an error frame and a
//! close. The server's frames carry fields (time, pseudo, colour, text, kind), not French
//! sentences with escape codes: the client renders them. Every frame is in PROTOCOL.md,
//! byte by byte, with examples the test suite decodes.
//!
//! New compared to bonus 3: `codec: Codec::Binary` (and no `--wire`): the hub encodes each
//! event once as a frame, the sessions read frames (`tp6::protocol::binary`).
//!
//! Try it:
//!
//! ```text
//! cargo run --bin chat_server_bonus_4_encoding -- -p 9000
//! cargo run --bin chat_client_bonus_4_encoding -- -p 9000 --pseudo alice
//! printf '\x03\x00\x07\x00\x03eve\x00\x00' | nc 127.0.0.1 9000 | xxd   # a hello frame by hand
//! ```

use clap::Parser;
use std::process::ExitCode;
use std::sync::Arc;
use tp6::chat::cli::{Configured, LogFileArg};
use tp6::chat::wire::Wire;
use tp6::clock::SystemClock;
use tp6::logs::{self, LogFile, LogSetup};
use tp6::protocol::Codec;
use tp6::room::{self, Style};

/// The chat server speaking the binary protocol (frames) instead of lines.
#[derive(Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    configured: Configured,
    #[command(flatten)]
    log: LogFileArg,
}

/// The keys a server's config file may set.
const KEYS: &[&str] = &["HOST", "PORT", "LOG_FILE"];

#[tokio::main]
async fn main() -> ExitCode {
    let args: Args = tp6::error::parse_args();
    let log_flag = args.log.log_file.map(|p| p.display().to_string());
    let flags = vec![("LOG_FILE", "--log-file", log_flag)];
    let (endpoint, layers) = match args.configured.resolve(Wire::Lines, KEYS, flags, true) {
        Ok(resolved) => resolved,
        Err(e) => return tp6::error::fatal(e),
    };
    let clock = Arc::new(SystemClock);
    let config = room::Config {
        codec: Codec::Binary,
        style: Some(Style {
            clock: clock.clone(),
        }),
        ids: true,
        images: false,
    };
    let logs = LogSetup {
        console: true,
        timestamps: true,
        file: Some(match layers.get("LOG_FILE") {
            Some(path) => LogFile::Given(path.value.clone().into()),
            None => logs::default_file("server.log"),
        }),
        clock,
    };
    tp6::error::exit_code(room::serve(&endpoint, config, logs).await)
}
