//! Stage ii_3, "Client asynchrone": typing and listening at the same time.
//!
//! What it teaches: a blocking `input()` cannot sit beside a socket read in one thread.
//! The [`Terminal`] reads stdin on its own thread and hands lines over a channel; `chat`
//! then waits on the keyboard and the socket together with `tokio::select!`. On a terminal,
//! incoming messages are printed above the line being typed.
//!
//! New compared to ii_2: an async client that chats until Ctrl-C or end of input.
//!
//! Try it (with `chat_server_ii_3` or `chat_server_ii_4` running):
//!
//! ```text
//! cargo run --bin chat_client_ii_3
//! ```

use clap::Parser;
use tp6::chat::cli::Endpoint;
use tp6::chat::terminal::Terminal;

/// Sends each line you type and prints what the server sends, at the same time.
#[derive(Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    endpoint: Endpoint,
}

#[tokio::main]
async fn main() -> tp6::error::MainResult {
    let args: Args = tp6::error::parse_args();
    let stream = args.endpoint.connect().await?;
    let mut terminal = Terminal::start();
    terminal.chat(stream, args.endpoint.wire).await?;
    Ok(())
}
