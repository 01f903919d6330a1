//! Bonus 3, "Config et arguments": a config file, and values checked before anything runs.
//!
//! What it teaches: where a setting comes from. `--config FILE` reads `KEY=VALUE` lines
//! (`HOST`, `PORT`, `LOG_FILE`); an option on the command line wins over the file, one key
//! at a time; defaults are below both. Every value is checked the same way wherever it
//! came from, with the course's exit codes: a port that is not a number from 0 to 65535
//! exits 1, a port from 1 to 1023 exits 2, an address that is not an IP exits 3, an IP
//! that is not one of this machine's exits 4. The error names the value and where it was
//! written (`--port`, or `FILE:LINE`).
//!
//! New compared to bonus 2 logs: `--config`, and `-a`/`-p` read as text so that they are
//! checked like the file's values.
//!
//! Try it:
//!
//! ```text
//! printf 'PORT=9000\nLOG_FILE=/tmp/chat.log\n' > /tmp/chat.conf
//! cargo run --bin chat_server_bonus_3_config -- --config /tmp/chat.conf            # port 9000
//! cargo run --bin chat_server_bonus_3_config -- --config /tmp/chat.conf -p 9001    # port 9001
//! cargo run --bin chat_server_bonus_3_config -- -p 80; echo $?                      # 2
//! ```

use clap::Parser;
use std::process::ExitCode;
use tp6::chat::cli::{Configured, LogFileArg, WireArg};
use tp6::protocol::Codec;
use tp6::room::{self, Style};

/// The chat server configured by a file and its command line.
#[derive(Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    configured: Configured,
    #[command(flatten)]
    wire: WireArg,
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
    let (endpoint, log_file) = args.configured.server(args.wire.wire, &args.log)?;
    let config = room::Config {
        codec: Codec::Lines(endpoint.wire),
        style: Some(Style::local()),
        ids: true,
        images: false,
    };
    room::serve(&endpoint, config, room::logs(Some(log_file))).await
}
