//! Bonus 4, "Encodage maison": the client speaks frames and renders what they carry.
//!
//! What it teaches: a protocol of fields instead of sentences. The server's frames say who
//! said what, when, in which colour, and which kind of announcement it is; the client turns
//! them into the same lines as bonus 3 (`[HH:MM] <pseudo> a dit : <msg>`, with the colour on
//! a terminal), so the user sees no difference while nothing on the wire is an escape code.
//! Your messages go as text frames (type 1, or type 2 with a longer length, as the course
//! describes), their lengths counted in bytes: `é` is two.
//!
//! New compared to bonus 3: `codec: Codec::Binary` (and no `--wire`).
//!
//! Try it (with `chat_server_bonus_4_encoding` running):
//!
//! ```text
//! cargo run --bin chat_client_bonus_4_encoding -- --pseudo alice
//! ```

use clap::Parser;
use std::process::ExitCode;
use tp6::chat::cli::{Configured, IdFileArg, LogFileArg};
use tp6::chat::wire::Wire;
use tp6::client;
use tp6::logs;
use tp6::protocol::Codec;

/// The chat client speaking the binary protocol (frames) instead of lines.
#[derive(Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    configured: Configured,
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
        Wire::Lines,
        args.pseudo,
        &args.id,
        &args.log,
        extra,
    )?;
    let _flushed_on_exit = logs::init(client::logs(settings.log_file))?;
    let config = client::Config {
        codec: Codec::Binary,
        endpoint: settings.endpoint,
        pseudo: settings.pseudo,
        style: true,
        id_file: Some(settings.id_file),
        images: None,
    };
    client::run(config).await
}
