//! Stage ii_4, "Un chat fonctionnel": a registry of clients and a relay.
//!
//! What it teaches: shared state between tasks. Every client is put in a [`Registry`] the
//! moment it connects; each message is relayed to every *other* client as
//! `<ip>:<port> a dit : <msg>`. The registry never touches a socket: it pushes the message
//! into each client's outgoing queue (the one its [`Connection`] has had since ii_2), and
//! each client has one task that writes its queue. So a client that stops reading delays
//! nobody; once it is clearly not reading (nothing written to it for 2 s, or 16 MiB
//! waiting) the server says why and closes its connection (see `tp6::chat::limits`).
//!
//! New compared to ii_3: the registry, the relay, connect/disconnect console lines.
//!
//! Try it:
//!
//! ```text
//! cargo run --bin chat_server_ii_4
//! cargo run --bin chat_client_ii_3            # in two or three other terminals
//! ```

use clap::Parser;
use std::process::ExitCode;
use std::sync::Arc;
use tp6::chat::cli::Endpoint;
use tp6::chat::connection::Connection;
use tp6::chat::registry::Registry;
use tp6::chat::{console, server};

/// A chat server: every message goes to every other client, signed with the sender's address.
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
    let registry = Arc::new(Registry::new(args.endpoint.wire));
    server::serve(listener, args.endpoint.wire, move |conn| {
        handle_client(conn, registry.clone())
    })
    .await?;
    Ok(())
}

/// Registers one client and relays its messages to the others until it leaves.
async fn handle_client(mut conn: Connection, registry: Arc<Registry>) {
    let addr = conn.addr;
    console::line(format!("New client {addr}"));
    let id = registry.insert(conn.outbox());
    while let Some(message) = conn.next().await {
        if message.is_empty() {
            continue;
        }
        console::line(format!("Message received from {addr} : {message}"));
        registry.broadcast(&format!("{addr} a dit : {message}"), Some(id));
    }
    registry.remove(id);
    console::line(format!("{addr} disconnected"));
    conn.close().await;
}
