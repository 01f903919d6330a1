//! Stage ii_6, "Déconnexion": leaving is an event everyone hears about.
//!
//! What it teaches: the end of a connection is part of the protocol. When a client leaves —
//! end of stream, connection reset, or cut off because it stopped reading — it is removed
//! from the registry and the others get `Annonce : <pseudo> a quitté la chatroom`. Exactly
//! once: the announcement is made by the one call to `registry.remove` that actually
//! removed it. Only for clients that joined: a refused handshake never announces anything.
//!
//! New compared to ii_5: the leave announcement (and its client, which notices the server
//! going away).
//!
//! Try it:
//!
//! ```text
//! cargo run --bin chat_server_ii_6
//! cargo run --bin chat_client_ii_6            # in two terminals; Ctrl-D one of them
//! ```

use clap::Parser;
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
async fn main() -> tp6::error::MainResult {
    let args: Args = tp6::error::parse_args();
    let listener = server::listen(&args.endpoint).await?;
    let registry = Arc::new(Registry::new(args.endpoint.wire));
    server::serve(listener, args.endpoint.wire, move |conn| {
        chat(conn, registry.clone())
    })
    .await?;
    Ok(())
}

async fn chat(mut conn: Connection, registry: Arc<Registry>) {
    let addr = conn.addr;
    console::line(format!("New client {addr}"));
    // The handshake of ii_5, now a library function: the pseudo, or the client refused.
    let Some(pseudo) = handshake::greet(&mut conn).await else {
        return;
    };
    let id = registry.insert(addr, conn.outbox());
    console::line(format!("{addr} joined as {pseudo}"));
    registry.broadcast(&handshake::joined(&pseudo), None);
    while let Some(message) = conn.next().await {
        if message.is_empty() {
            continue;
        }
        console::line(format!("Message received from {pseudo} : {message}"));
        registry.broadcast(&format!("{pseudo} a dit : {message}"), Some(id));
    }
    if registry.remove(id) {
        console::line(format!("{pseudo} ({addr}) left"));
        registry.broadcast(&handshake::left(&pseudo), None);
    }
    conn.close().await;
}
