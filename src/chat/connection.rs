//! One client connection on the server side: a message reader, an outgoing queue, and the
//! rules every stage shares about them.
//!
//! [`Connection::next`] hides what is not the lesson of any stage: an over-long line is
//! answered with [`TOO_LONG`](super::wire::TOO_LONG) and skipped, a reset is the same as an
//! end of stream, and a client cut off for not reading ends the loop like a disconnection
//! (the reason is printed on the console first). Dropping a connection closes its socket:
//! gracefully when the client is leaving normally, with a reset when it was cut off, so
//! that a peer that never reads cannot keep the socket or its kernel buffers.
//! What a stage does with each message stays in the stage's file.

use super::console;
use super::limits::DRAIN_ON_CLOSE;
use super::outbox::{Gone, Limits, Outbox};
use super::wire::{self, Incoming, MessageReader, Wire, WireCodec};
use std::net::SocketAddr;
use tokio_util::codec::Decoder;
use tokio::net::TcpStream;
use tokio::net::tcp::OwnedReadHalf;
use tokio::task::JoinHandle;

/// A connected client as the server sees it. Its messages are text (Part II); the bonus
/// server reads typed requests through another codec (`C`).
pub struct Connection<C = WireCodec> {
    /// The client's address (`ip:port`), as the course prints it.
    pub addr: SocketAddr,
    /// Framing of this connection.
    wire: Wire,
    /// Messages from the client; it also keeps the socket open until the connection drops.
    reader: MessageReader<OwnedReadHalf, C>,
    /// Messages to the client; the registry holds clones of it.
    outbox: Outbox,
    /// The writer task, awaited on close so the last messages are flushed.
    writer: Option<JoinHandle<()>>,
    /// Where the lines about a cut or a failed read go: the console in Part II, the log of
    /// the bonus server.
    report: fn(String),
}

impl Connection {
    /// Splits the socket into a reader and a writer task with the server's queue limits.
    pub fn new(socket: TcpStream, addr: SocketAddr, wire: Wire) -> Self {
        let codec = WireCodec::new(wire, wire::MAX_MESSAGE);
        let read_size = codec.read_size();
        Connection::with_codec(socket, addr, wire, codec, read_size)
    }
}

impl<C: Decoder<Error = std::io::Error>> Connection<C> {
    /// [`Connection::new`] reading through `codec` (which frames with `wire`), with room
    /// for `read_size` bytes per read.
    pub fn with_codec(
        socket: TcpStream,
        addr: SocketAddr,
        wire: Wire,
        codec: C,
        read_size: usize,
    ) -> Self {
        // Small messages must leave at once, not wait for a delayed ACK (≈40 ms on Linux).
        let _ = socket.set_nodelay(true);
        let (read, write) = socket.into_split();
        let (outbox, writer) = Outbox::spawn(write, wire, Limits::SERVER);
        Connection {
            addr,
            wire,
            reader: MessageReader::with_codec(read, codec, read_size),
            outbox,
            writer: Some(writer),
            report: console::line,
        }
    }

    /// Sends the lines about a cut or a failed read to `report` instead of the console.
    pub fn reporting_to(mut self, report: fn(String)) -> Self {
        self.report = report;
        self
    }

    /// A handle on the client's queue, to put in a registry.
    pub fn outbox(&self) -> Outbox {
        self.outbox.clone()
    }

    /// Queues one message for this client.
    pub fn send(&self, text: &str) {
        self.outbox.push(wire::encode(self.wire, text));
    }

    /// The next message from the client, or `None` once it is gone: end of stream, reset,
    /// or cut off for not reading. Cancel-safe.
    pub async fn next<T>(&mut self) -> Option<T>
    where
        C: Decoder<Item = Incoming<T>>,
    {
        loop {
            let incoming = tokio::select! {
                incoming = self.reader.next() => incoming,
                why = self.outbox.gone() => {
                    // A failed write is the peer leaving, a normal event; a cut is not.
                    if why != Gone::WriteFailed {
                        (self.report)(format!("Disconnecting {}: {why}", self.addr));
                    }
                    return None;
                }
            };
            match incoming {
                Ok(Some(Incoming::Message(text))) => return Some(text),
                Ok(Some(Incoming::TooLong)) => self.send(wire::TOO_LONG),
                Ok(None) => return None,
                Err(e) => {
                    // A reset is a leave like any other; anything stranger is worth a line.
                    if e.kind() != std::io::ErrorKind::ConnectionReset {
                        (self.report)(format!("Read error from {}: {e}", self.addr));
                    }
                    return None;
                }
            }
        }
    }

    /// Why the client was cut off by the server, if it was.
    pub fn gone_reason(&self) -> Option<Gone> {
        self.outbox.gone_reason()
    }

    /// Sends what is queued (within the close grace), then closes. Unread input is drained
    /// briefly first: closing a socket with unread bytes makes the kernel send a reset,
    /// which can destroy the last message (an `Erreur : …` line) before the client reads it.
    pub async fn close(mut self) {
        self.shutdown().await;
    }

    /// [`Connection::close`] for a caller that only borrows the connection.
    pub async fn shutdown(&mut self) {
        self.outbox.close();
        if let Some(writer) = self.writer.take() {
            let _ = writer.await;
        }
        if self.outbox.gone_reason().is_none() {
            let drain = async { while let Ok(Some(_)) = self.reader.next().await {} };
            let _ = tokio::time::timeout(DRAIN_ON_CLOSE, drain).await;
        }
    }
}

impl<C> Drop for Connection<C> {
    fn drop(&mut self) {
        // Dropped without `close` (e.g. the task ended): the writer still flushes, within
        // the close grace; a cut client's writer has already made the close a reset.
        self.outbox.close();
    }
}
