//! Stage ii_3, "Client asynchrone": the server side stays simple, many clients at once.
//!
//! What it teaches: the accept loop of ii_2 moves into the library (`server::serve`, which
//! also keeps accepting when an accept fails), and the server prints
//! `Message received from <ip>:<port> : <msg>` for each message, from any number of clients
//! at once. It relays nothing yet: the interesting part of this stage is the client, which
//! types and listens at once.
//!
//! New compared to ii_2: no reply; the console line names the sender.
//!
//! Try it:
//!
//! ```text
//! cargo run --bin chat_server_ii_3
//! cargo run --bin chat_client_ii_3            # in two other terminals, type away
//! ```

use clap::Parser;
use std::process::ExitCode;
use tp6::chat::cli::Endpoint;
use tp6::chat::connection::Connection;
use tp6::chat::{console, server};

/// A server that prints every message it receives, from any number of clients.
#[derive(Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    endpoint: Endpoint,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Args = tp6::error::parse_args();
    tp6::error::exit_code(run(args).await)
}

async fn run(args: Args) -> anyhow::Result<()> {
    let listener = server::listen(&args.endpoint).await?;
    server::serve(listener, args.endpoint.wire, handle_client).await?;
    Ok(())
}

/// Prints each message from one client until it leaves.
async fn handle_client(mut conn: Connection) {
    while let Some(message) = conn.next().await {
        console::line(format!("Message received from {} : {message}", conn.addr));
    }
}
