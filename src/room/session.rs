//! One client's session on the bonus server, from its first byte to its leave.
//!
//! The same shape as `chat_server_ii_6`'s handler (handshake, relay loop, one leave), with
//! the hub's operations instead of a registry and the log instead of the console; and one
//! more way to end: the server shutting down.

use super::hub::{Hub, Refusal, Seat};
use crate::chat::connection::Connection;
use crate::chat::handshake::HandshakeError;
use crate::chat::wire::{Incoming, ReadError};
use crate::protocol::{Event, Request};
use crate::visible::visible;
use std::sync::Arc;
use tokio_util::codec::Decoder;
use tokio_util::sync::CancellationToken;

/// Runs one client's session until it leaves or `stop` is cancelled (the server shutting
/// down, after the hub has told everyone). `C` reads its requests: lines or frames.
pub async fn run<C>(mut conn: Connection<C>, hub: Arc<Hub>, stop: CancellationToken)
where
    C: Decoder<Item = Incoming<Request>>,
    C::Error: ReadError,
{
    let addr = conn.addr;
    tracing::info!("New client {addr}");
    let first = tokio::select! {
        first = conn.next() => first,
        _ = stop.cancelled() => {
            // Not in the room, so the hub did not tell it: every client hears the close.
            conn.outbox().push(hub.frame(&Event::Closing));
            None
        }
    };
    let Some(first) = first else {
        refuse_frame(&conn, &hub);
        conn.close().await;
        return;
    };
    let joined = match first {
        Request::Hello { pseudo, id } => hub.join(&pseudo, id.as_deref(), conn.outbox(), addr),
        Request::Say(_) | Request::Image(_) => Err(Refusal::Handshake(HandshakeError::NotHello)),
    };
    let seat = match joined {
        Ok(seat) => seat,
        Err(refusal) => {
            tracing::info!("Refused {addr}: {refusal}");
            let told = match refusal {
                Refusal::Closing => Event::Closing,
                other => Event::Error(other.to_string()),
            };
            conn.outbox().push(hub.frame(&told));
            conn.close().await;
            return;
        }
    };
    let how = if seat.returning {
        "came back"
    } else {
        "joined"
    };
    tracing::info!("{addr} {how} as {}", seat.pseudo);
    let why = relay(&mut conn, &hub, &seat, &stop).await;
    refuse_frame(&conn, &hub);
    if hub.leave(&seat) {
        tracing::info!("{} ({addr}) left: {why}", seat.pseudo);
    }
    conn.close().await;
}

/// Tells the client why its last frame was refused, if it was (bonus 4): the connection
/// closes next.
fn refuse_frame<C: Decoder>(conn: &Connection<C>, hub: &Hub)
where
    C::Error: ReadError,
{
    if let Some(reason) = conn.refused() {
        let outbox = conn.outbox();
        outbox.push(hub.frame(&Event::Error(reason.to_string())));
        // The close comes next: nothing queued by others after the error is sent.
        outbox.close();
    }
}

/// Relays the member's messages until it goes; says why it went.
async fn relay<C>(
    conn: &mut Connection<C>,
    hub: &Hub,
    seat: &Seat,
    stop: &CancellationToken,
) -> String
where
    C: Decoder<Item = Incoming<Request>>,
    C::Error: ReadError,
{
    loop {
        let request = tokio::select! {
            request = conn.next() => request,
            _ = stop.cancelled() => return "the server is shutting down".into(),
        };
        let text = match request {
            Some(Request::Say(text)) => text,
            Some(Request::Image(art)) if hub.config().images && art_problem(&art).is_some() => {
                let why = art_problem(&art).unwrap_or_default();
                tracing::info!("Image from {} refused: {why}", seat.pseudo);
                let refused = Event::Error(format!("image refusée : {why}"));
                conn.outbox().push(hub.frame(&refused));
                continue;
            }
            Some(Request::Image(art)) if hub.config().images => {
                let lines = art.split('\n').count();
                tracing::info!("Image received from {} ({lines} lines)", seat.pseudo);
                let sent = hub.show_image(seat, &art);
                tracing::info!("Image from {} relayed to {sent} clients", seat.pseudo);
                continue;
            }
            Some(Request::Image(_)) => {
                let refused = Event::Error("ce serveur n'accepte pas les images".into());
                conn.outbox().push(hub.frame(&refused));
                continue;
            }
            // A handshake after the handshake: in lines it cannot happen (a later `Hello|…`
            // is read as chat), in frames it is its own type. It is refused, not turned into
            // text: relayed, its ID would let anyone come back as this user.
            Some(Request::Hello { .. }) => {
                let refused =
                    Event::Error("déjà présenté : Hello n'est attendu qu'au début".into());
                conn.outbox().push(hub.frame(&refused));
                continue;
            }
            None => {
                return match (conn.gone_reason(), conn.refused()) {
                    (Some(cut), _) => format!("cut off: {cut}"),
                    (None, Some(refused)) => format!("refused: {refused}"),
                    (None, None) => "end of connection".into(),
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

/// Why a picture (bonus 5) cannot be relayed, if it cannot: one that is not a picture of
/// characters, or bigger than any client draws, would flood or garble everyone's screen.
fn art_problem(art: &str) -> Option<String> {
    use crate::chat::limits::{MAX_ART_LINES, MAX_ART_WIDTH};
    if art.split('\n').count() > MAX_ART_LINES {
        Some(format!("plus de {MAX_ART_LINES} lignes"))
    } else if art
        .split('\n')
        .any(|line| line.chars().count() > MAX_ART_WIDTH)
    {
        Some(format!("une ligne de plus de {MAX_ART_WIDTH} caractères"))
    } else if !art
        .chars()
        .all(|c| c == '\n' || c == ' ' || c.is_ascii_graphic())
    {
        Some("autre chose que des caractères ASCII imprimables".into())
    } else {
        None
    }
}

/// Where a connection's lines about a cut or a failed read go: the log.
pub fn report(line: String) {
    tracing::info!("{line}");
}
