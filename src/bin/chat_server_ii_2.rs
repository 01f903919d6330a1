//! Stage ii_2, "Première version": a first TCP server with tokio.
//!
//! What it teaches: a listening socket, an accept loop, and one task per client
//! (`tokio::spawn`), so a slow client never blocks the others. For each message received
//! the server prints it and answers `Hello <client-ip>:<client-port>`: the address the
//! server sees for the client, which the client cannot know by itself.
//!
//! A TCP stream carries bytes, not messages; [`Connection`] cuts it into messages (one per
//! line: PROTOCOL.md says how, and what `--wire tp` changes) and queues the replies. Its
//! `next()` is the only read a stage needs.
//!
//! New compared to Part I: sockets instead of HTTP, a server instead of a client.
//!
//! Try it:
//!
//! ```text
//! cargo run --bin chat_server_ii_2            # Serving on 127.0.0.1:8888
//! cargo run --bin chat_client_ii_2            # in a second terminal: Hello 127.0.0.1:53412
//! nc 127.0.0.1 8888                           # or type lines yourself
//! ```

use clap::Parser;
use std::process::ExitCode;
use tp6::chat::cli::Endpoint;
use tp6::chat::connection::Connection;
use tp6::chat::{console, server};

/// A tokio server that answers every message with `Hello <your-ip>:<your-port>`.
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
    loop {
        let (socket, addr) = listener.accept().await?;
        let conn = Connection::new(socket, addr, args.endpoint.wire);
        // One task per client: the loop goes straight back to accepting.
        tokio::spawn(handle_client(conn));
    }
}

/// Prints each message from one client and answers it with the client's address.
async fn handle_client(mut conn: Connection) {
    let addr = conn.addr;
    while let Some(message) = conn.next().await {
        console::line(message);
        conn.send(&format!("Hello {}:{}", addr.ip(), addr.port()));
    }
    console::line(format!("{addr} left"));
}
