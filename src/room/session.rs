//! One client's session on the bonus server, from its first byte to its leave.
//!
//! The same shape as `chat_server_ii_6`'s handler (handshake, relay loop, one leave), with
//! the hub's operations instead of a registry and the log instead of the console; and one
//! more way to end: the server shutting down.

use super::hub::{Hub, Refusal, Seat};
use crate::chat::connection::Connection;
use crate::chat::handshake::HandshakeError;
use crate::protocol::lines::ServerCodec;
use crate::protocol::{Event, Request, french};
use crate::visible::visible;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// A client of the bonus server.
pub type Client = Connection<ServerCodec>;

/// Runs one client's session until it leaves or `stop` is cancelled (the server shutting
/// down, after the hub has told everyone).
pub async fn run(mut conn: Client, hub: Arc<Hub>, stop: CancellationToken) {
    let addr = conn.addr;
    tracing::info!("New client {addr}");
    let first = tokio::select! {
        first = conn.next() => first,
        _ = stop.cancelled() => None,
    };
    let Some(first) = first else {
        conn.close().await;
        return;
    };
    let joined = match first {
        Request::Hello { pseudo, id } => hub.join(&pseudo, id.as_deref(), conn.outbox(), addr),
        Request::Say(_) => Err(Refusal::Handshake(HandshakeError::NotHello)),
    };
    let seat = match joined {
        Ok(seat) => seat,
        Err(refusal) => {
            tracing::info!("Refused {addr}: {refusal}");
            conn.send(&french::render(&Event::Error(refusal.to_string())));
            conn.close().await;
            return;
        }
    };
    let how = if seat.returning { "came back" } else { "joined" };
    tracing::info!("{addr} {how} as {}", seat.pseudo);
    let why = relay(&mut conn, &hub, &seat, &stop).await;
    if hub.leave(&seat) {
        tracing::info!("{} ({addr}) left: {why}", seat.pseudo);
    }
    conn.close().await;
}

/// Relays the member's messages until it goes; says why it went.
async fn relay(conn: &mut Client, hub: &Hub, seat: &Seat, stop: &CancellationToken) -> String {
    loop {
        let request = tokio::select! {
            request = conn.next() => request,
            _ = stop.cancelled() => return "the server is shutting down".into(),
        };
        let text = match request {
            Some(Request::Say(text)) => text,
            // Only a session's first message is a handshake: a later one is chat.
            Some(hello) => french::render_request(&hello),
            None => {
                return match conn.gone_reason() {
                    Some(cut) => format!("cut off: {cut}"),
                    None => "end of connection".into(),
                };
            }
        };
        if text.is_empty() {
            continue;
        }
        tracing::info!("Message received from {} : {}", seat.pseudo, visible(&text));
        let sent = hub.say(seat, &text);
        tracing::info!("Message from {} relayed to {sent} clients", seat.pseudo);
    }
}

/// Where a connection's lines about a cut or a failed read go: the log.
pub fn report(line: String) {
    tracing::info!("{line}");
}
