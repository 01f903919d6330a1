//! Bonus 2, "Logs": the server keeps a timestamped log of the whole conversation.
//!
//! What it teaches: logging as a structured stream of events (`tracing`), written by a
//! thread of its own so the server never waits on its disk. Each line starts with the
//! local time and its offset (RFC 3339): a client connects, joins, a message is received
//! (pseudo and text), relayed (to how many clients), a client leaves (and why). The same
//! lines go to the console and to the log file (`--log-file`, by default
//! `/var/log/chat_room/server.log`, or `chat_room_logs/server.log` under the working
//! directory, with a warning, when that cannot be written). `RUST_LOG=debug` adds one line
//! per recipient.
//!
//! New compared to bonus 2 ids: the timestamps and the log file.
//!
//! Try it:
//!
//! ```text
//! cargo run --bin chat_server_bonus_2_logs -- --log-file /tmp/chat.log
//! cargo run --bin chat_client_bonus_2_logs -- --pseudo alice --log-file /tmp/alice.log
//! tail -f /tmp/chat.log
//! ```

use clap::Parser;
use std::process::ExitCode;
use tp6::chat::cli::{Endpoint, LogFileArg};
use tp6::protocol::Codec;
use tp6::room::{self, Style};

/// The chat server with a log of the conversation.
#[derive(Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    endpoint: Endpoint,
    #[command(flatten)]
    log: LogFileArg,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Args = tp6::error::parse_args();
    let config = room::Config {
        codec: Codec::Lines(args.endpoint.wire),
        style: Some(Style::local()),
        ids: true,
        images: false,
    };
    let logs = room::logs(Some(args.log.or_default("server.log")));
    tp6::error::exit_code(room::serve(&args.endpoint, config, logs).await)
}
