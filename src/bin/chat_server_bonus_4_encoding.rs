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
use tp6::chat::cli::{Configured, LogFileArg};
use tp6::chat::wire::Wire;
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

#[tokio::main]
async fn main() -> ExitCode {
    let args: Args = tp6::error::parse_args();
    tp6::error::exit_code(run(args).await)
}

async fn run(args: Args) -> anyhow::Result<()> {
    // Every value checked before anything starts (exit codes 1-4, see `tp6::settings`).
    let (endpoint, log_file) = args.configured.server(Wire::Lines, &args.log)?;
    let config = room::Config {
        codec: Codec::Binary,
        style: Some(Style::local()),
        ids: true,
        images: false,
    };
    room::serve(&endpoint, config, room::logs(Some(log_file))).await
}
