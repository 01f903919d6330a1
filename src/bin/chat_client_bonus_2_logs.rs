//! Bonus 2, "Logs": the client keeps a timestamped log of the conversation.
//!
//! What it teaches: the same `tracing` setup as the server's, without the console (the
//! terminal is the chat): every line shown, and every line sent, goes to `--log-file` (by
//! default `/var/log/chat_room/client.log`, or `chat_room_logs/client.log` under the
//! working directory, with a warning, when that cannot be written), each with its local
//! time and offset.
//!
//! New compared to bonus 2 ids: `--log-file` and the log set up before the chat starts.
//!
//! Try it (with `chat_server_bonus_2_logs` running):
//!
//! ```text
//! cargo run --bin chat_client_bonus_2_logs -- --pseudo alice --log-file /tmp/alice.log
//! tail -f /tmp/alice.log     # in another terminal
//! ```

use clap::Parser;
use std::process::ExitCode;
use tp6::chat::cli::{Endpoint, IdFileArg, LogFileArg};
use tp6::client::{self, idfile};
use tp6::logs;
use tp6::protocol::Codec;

/// The chat client with a log of the conversation.
#[derive(Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    endpoint: Endpoint,
    /// Your pseudo (asked interactively when not given).
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
    let _flushed_on_exit = logs::init(client::logs(args.log.or_default("client.log")))?;
    let config = client::Config {
        codec: Codec::Lines(args.endpoint.wire),
        endpoint: args.endpoint,
        pseudo: args.pseudo,
        style: true,
        id_file: Some(args.id.id_file.unwrap_or_else(idfile::default_path)),
        images: None,
    };
    client::run(config).await
}
