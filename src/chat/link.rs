//! A chat client's connection to its server: whole messages in, a queue out.
//!
//! The client side of [`Connection`](super::connection::Connection). Reading gives whole
//! messages (framed by the wire mode, up to [`MAX_FROM_SERVER`](super::limits::MAX_FROM_SERVER) bytes, since a relayed line
//! is longer than the message it carries). Sending never waits: lines go into a queue that
//! a writer task writes to the socket, so a server that stops reading cannot freeze the
//! client — it keeps showing messages and Ctrl-C still ends it. Both ends are cancel-safe,
//! ready for the client's `tokio::select!`.

use super::cli::Endpoint;
use super::limits::MAX_FROM_SERVER;
use super::outbox::{Limits, Outbox};
use super::wire::{self, Incoming, MessageReader, ReadError, Wire, WireCodec};
use tokio::net::tcp::OwnedReadHalf;
use tokio::task::JoinHandle;
use tokio_util::codec::Decoder;

/// Shown in place of a message longer than [`MAX_FROM_SERVER`](super::limits::MAX_FROM_SERVER) bytes (which this project's
/// servers never send).
pub const DROPPED: &str = "(an over-long message was dropped)";

/// A client's connection to the chat server. Its messages are text (Part II); the bonus
/// client reads typed events through another codec (`C`).
pub struct Link<C = WireCodec> {
    /// Framing of this connection.
    wire: Wire,
    /// Messages from the server.
    reader: MessageReader<OwnedReadHalf, C>,
    /// Lines for the server, written by the writer task.
    outbox: Outbox,
    /// The writer task, awaited on close so every line typed is sent.
    writer: Option<JoinHandle<()>>,
}

impl Link {
    /// Connects to the server at `endpoint`.
    pub async fn connect(endpoint: &Endpoint) -> anyhow::Result<Link> {
        let codec = WireCodec::new(endpoint.wire, MAX_FROM_SERVER);
        let read_size = codec.read_size();
        Link::connect_with(endpoint, endpoint.wire, codec, read_size).await
    }

    /// Queues one message for the server. Never waits.
    pub fn send(&self, text: &str) {
        self.outbox.push(wire::encode(self.wire, text));
    }

    /// The next message from the server, or `None` once it is gone: it closed the
    /// connection, reset it, or stopped reading what this client sends. Cancel-safe.
    pub async fn next(&mut self) -> Option<String> {
        match self.receive().await {
            Ok(Some(Incoming::Message(text))) => Some(text),
            Ok(Some(Incoming::TooLong)) => Some(DROPPED.to_string()),
            Ok(None) | Err(_) => None,
        }
    }
}

impl<C: Decoder> Link<C>
where
    C::Error: ReadError,
{
    /// Connects to the server at `endpoint`, reading through `codec` (with room for
    /// `read_size` bytes per read) and writing as `wire` says (`tp`: one write per message).
    pub async fn connect_with(
        endpoint: &Endpoint,
        wire: Wire,
        codec: C,
        read_size: usize,
    ) -> anyhow::Result<Link<C>> {
        let stream = endpoint.connect().await?;
        // A typed line must leave at once, not wait for a delayed ACK.
        let _ = stream.set_nodelay(true);
        let (read, write) = stream.into_split();
        let (outbox, writer) = Outbox::spawn(write, wire, Limits::CLIENT);
        Ok(Link {
            wire,
            reader: MessageReader::with_codec(read, codec, read_size),
            outbox,
            writer: Some(writer),
        })
    }

    /// Queues one encoded message for the server. Never waits.
    pub fn push(&self, frame: bytes::Bytes) {
        self.outbox.push(frame);
    }

    /// The next thing from the server: a message, `Ok(None)` once it is gone (it closed
    /// the connection, reset it, or stopped reading what this client sends), or why what
    /// it sent cannot be read. Cancel-safe.
    pub async fn receive(&mut self) -> Result<Option<C::Item>, C::Error> {
        tokio::select! {
            incoming = self.reader.next() => match incoming {
                Err(e) if e.is_reset() => Ok(None),
                other => other,
            },
            _ = self.outbox.gone() => Ok(None),
        }
    }

    /// Sends what is queued (for at most the close grace), then closes this client's side:
    /// the server sees the end of the stream.
    pub async fn close(&mut self) {
        self.outbox.close();
        if let Some(writer) = self.writer.take() {
            let _ = writer.await;
        }
    }
}

/// A blocking connection to the server, with no runtime: stage ii_2's client, which asks one
/// question and waits for one answer.
pub struct BlockingLink {
    /// Framing of this connection.
    wire: Wire,
    /// The socket.
    stream: std::net::TcpStream,
}

impl BlockingLink {
    /// Connects to the server at `endpoint`; each read waits at most `timeout`.
    pub fn connect(endpoint: &Endpoint, timeout: std::time::Duration) -> anyhow::Result<Self> {
        use anyhow::Context;
        let addr = endpoint.socket_addr();
        let stream = std::net::TcpStream::connect(addr)
            .with_context(|| format!("cannot connect to {addr}"))?;
        stream.set_read_timeout(Some(timeout))?;
        Ok(BlockingLink {
            wire: endpoint.wire,
            stream,
        })
    }

    /// Sends one message.
    pub fn send(&mut self, text: &str) -> std::io::Result<()> {
        use std::io::Write;
        self.stream.write_all(&wire::encode(self.wire, text))
    }

    /// Waits for one message; `Ok(None)` if the server closed the connection first.
    pub fn receive(&mut self) -> std::io::Result<Option<String>> {
        Ok(
            match wire::read_one_blocking(&mut self.stream, self.wire)? {
                Some(Incoming::Message(text)) => Some(text),
                Some(Incoming::TooLong) => Some(DROPPED.to_string()),
                None => None,
            },
        )
    }
}
