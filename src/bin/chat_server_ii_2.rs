//! Stage ii_2, "Première version": a first TCP server with tokio.
//!
//! What it teaches: a listening socket, an accept loop, and one task per client
//! (`tokio::spawn`), so a slow client never blocks the others. `server::listen` is
//! `TcpListener::bind` with a longer accept queue (1024 connections instead of 128, see
//! `tp6::net`), so that hundreds of clients connecting at once are not turned away. For each message received
//! the server prints it and answers `Hello <client-ip>:<client-port>`: the address the
//! server sees for the client, which the client cannot know by itself.
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
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tp6::chat::cli::Endpoint;
use tp6::chat::wire::{self, Incoming, MessageReader, Wire};
use tp6::chat::{console, server};

/// A tokio server that answers every message with `Hello <your-ip>:<your-port>`.
#[derive(Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    endpoint: Endpoint,
}

#[tokio::main]
async fn main() -> tp6::error::MainResult {
    let args: Args = tp6::error::parse_args();
    let wire = args.endpoint.wire;
    let listener = server::listen(&args.endpoint).await?;
    loop {
        let (socket, addr) = listener.accept().await?;
        // One task per client: the loop goes straight back to accepting.
        // A client leaving (even by a reset) is a normal event, not an error.
        tokio::spawn(async move {
            let _ = answer(socket, wire).await;
            console::line(format!("{addr} left"));
        });
    }
}

/// Prints each message from one client and answers it with the client's address.
async fn answer(socket: TcpStream, wire: Wire) -> std::io::Result<()> {
    let addr = socket.peer_addr()?;
    let (read, mut write) = socket.into_split();
    let mut reader = MessageReader::new(read, wire);
    while let Some(incoming) = reader.next().await? {
        let reply = match incoming {
            Incoming::Message(text) => {
                console::line(text);
                format!("Hello {}:{}", addr.ip(), addr.port())
            }
            Incoming::TooLong => wire::TOO_LONG.to_string(),
        };
        write.write_all(&wire::encode(wire, &reply)).await?;
    }
    Ok(())
}
