//! Stage ii_5, "Gérer des pseudos": a handshake before the chat.
//!
//! What it teaches: a tiny protocol. A client's first message must be `Hello|<pseudo>`
//! (validated by `handshake::parse_hello`: 1–32 bytes after trimming, no `|`, no control
//! or bidirectional-control characters). Anything else is answered `Erreur : <reason>` and the connection closed —
//! after the error line has been flushed, which is why `close()` is awaited. A valid client
//! joins the registry, everyone (the newcomer included) gets
//! `Annonce : <pseudo> a rejoint la chatroom`, and messages are signed with the pseudo.
//!
//! New compared to ii_4: the handshake; only joined clients are in the registry.
//!
//! Try it:
//!
//! ```text
//! cargo run --bin chat_server_ii_5
//! cargo run --bin chat_client_ii_5            # asks for a pseudo first
//! printf 'Bonjour\n' | nc 127.0.0.1 8888      # Erreur : premier message attendu : Hello|<pseudo>
//! ```

use clap::Parser;
use std::process::ExitCode;
use std::sync::Arc;
use tp6::chat::cli::Endpoint;
use tp6::chat::connection::Connection;
use tp6::chat::handshake;
use tp6::chat::registry::Registry;
use tp6::chat::{console, server};

/// A chat server with pseudos: `Hello|<pseudo>` first, then `<pseudo> a dit : <msg>`.
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

/// Greets one client (`Hello|<pseudo>`), then relays its messages until it leaves.
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
    console::line(format!("{pseudo} ({addr}) disconnected"));
    conn.close().await;
}
