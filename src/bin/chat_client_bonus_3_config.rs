//! Bonus 3, "Config et arguments": the client reads a config file too.
//!
//! What it teaches: the same layers as the server's (command line over file over
//! defaults, one key at a time) with the client's keys: `HOST`, `PORT`, `PSEUDO`,
//! `ID_FILE`, `LOG_FILE`. A port that is not a number from 0 to 65535 exits 1, a port from
//! 1 to 1023 exits 2, an address that is not an IP exits 3, from the file or the command
//! line alike, before anything connects.
//!
//! New compared to bonus 2 logs: `--config`, and `-a`/`-p` read as text so that they are
//! checked like the file's values.
//!
//! Try it (with `chat_server_bonus_3_config` running):
//!
//! ```text
//! printf 'PSEUDO=alice\nID_FILE=/tmp/alice.id\nLOG_FILE=/tmp/alice.log\n' > /tmp/alice.conf
//! cargo run --bin chat_client_bonus_3_config -- --config /tmp/alice.conf
//! cargo run --bin chat_client_bonus_3_config -- --config /tmp/alice.conf --pseudo bob
//! ```

use clap::Parser;
use std::process::ExitCode;
use tp6::chat::cli::{Configured, IdFileArg, LogFileArg, WireArg};
use tp6::client;
use tp6::logs;
use tp6::protocol::Codec;

/// The chat client configured by a file and its command line.
#[derive(Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    configured: Configured,
    #[command(flatten)]
    wire: WireArg,
    /// Your pseudo (asked interactively when not given here nor in the file).
    #[arg(long, value_parser = tp6::chat::cli::pseudo)]
    pseudo: Option<String>,
    #[command(flatten)]
    id: IdFileArg,
    #[command(flatten)]
    log: LogFileArg,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Args = tp6::error::parse_args();
    tp6::error::exit_code(run(args).await)
}

async fn run(args: Args) -> anyhow::Result<()> {
    // Every value checked before anything starts (exit codes 1-3, see `tp6::settings`).
    let extra = vec![];
    let settings = client::settings(
        &args.configured,
        args.wire.wire,
        args.pseudo,
        &args.id,
        &args.log,
        extra,
    )?;
    let _flushed_on_exit = logs::init(client::logs(settings.log_file))?;
    let config = client::Config {
        codec: Codec::Lines(settings.endpoint.wire),
        endpoint: settings.endpoint,
        pseudo: settings.pseudo,
        style: true,
        id_file: Some(settings.id_file),
        images: None,
    };
    client::run(config).await
}
