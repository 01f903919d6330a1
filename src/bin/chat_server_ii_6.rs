//! Stage ii_6, "Déconnexion": leaving is an event everyone hears about.
//!
//! What it teaches: the end of a connection is part of the protocol. When a client leaves —
//! end of stream, connection reset, or cut off because it stopped reading — its task
//! removes it from the registry and tells the others `Annonce : <pseudo> a quitté la
//! chatroom`. Exactly once, because one task owns each client from its first byte to its
//! leave: `conn.next()` returns `None` once, whatever the reason, and the lines after the
//! loop run once. Only for clients that joined: a refused handshake returns before the
//! client is in the registry, so nobody hears about it.
//!
//! New compared to ii_5: the four lines after the loop that announce the leave (and its
//! client, which notices the server going away).
//!
//! Try it:
//!
//! ```text
//! cargo run --bin chat_server_ii_6
//! cargo run --bin chat_client_ii_6 -- --pseudo alice   # in a second terminal
//! cargo run --bin chat_client_ii_6 -- --pseudo bob     # in a third; Ctrl-D it: alice sees bob leave
//! ```

use clap::Parser;
use std::process::ExitCode;
use std::sync::Arc;
use tp6::chat::cli::Endpoint;
use tp6::chat::connection::Connection;
use tp6::chat::handshake;
use tp6::chat::registry::Registry;
use tp6::chat::{console, server};

/// The complete Part II chat server: pseudos, relay, join and leave announcements.
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

/// Greets one client, relays its messages, and announces its leave.
async fn handle_client(mut conn: Connection, registry: Arc<Registry>) {
    let addr = conn.addr;
    console::line(format!("New client {addr}"));
    let Some(first) = conn.next().await else {
        return;
    };
    let pseudo = match handshake::parse_hello(&first) {
        Ok(pseudo) => pseudo,
        Err(e) => {
            console::line(format!("Refused {addr}: {e}"));
            conn.send(&format!("Erreur : {e}"));
            conn.close().await;
            return;
        }
    };
    let id = registry.insert(conn.outbox());
    console::line(format!("{addr} joined as {pseudo}"));
    registry.broadcast(&format!("Annonce : {pseudo} a rejoint la chatroom"), None);
    while let Some(message) = conn.next().await {
        if message.is_empty() {
            continue;
        }
        console::line(format!("Message received from {pseudo} : {message}"));
        registry.broadcast(&format!("{pseudo} a dit : {message}"), Some(id));
    }
    registry.remove(id);
    console::line(format!("{pseudo} ({addr}) left"));
    registry.broadcast(&format!("Annonce : {pseudo} a quitté la chatroom"), None);
    conn.close().await;
}
