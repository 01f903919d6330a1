//! Message framing on a TCP stream, in the project's two wire modes (see PROTOCOL.md).
//!
//! TCP carries bytes, not messages: a read can return half a message or three of them.
//! `--wire lines` (the default) ends each message with `\n` (`\r\n` accepted) and caps it at
//! [`MAX_MESSAGE`] bytes; `--wire tp` is the Python course's convention, where each read is
//! taken as one message, kept so that the course's programs and ours interoperate.
//! Invalid UTF-8 is replaced, never a panic. A server reads at most [`MAX_MESSAGE`] bytes
//! per message; a client accepts up to [`MAX_FROM_SERVER`], because a relayed line is
//! longer than the message it carries.

use bytes::{Buf, Bytes, BytesMut};
use std::io::{self, Read};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio_util::codec::{Decoder, Encoder};

pub use super::limits::{MAX_FROM_SERVER, MAX_MESSAGE};

/// Why reading a peer's messages stopped: an I/O error, or (for the bonus-4 frames) a frame
/// that cannot be read. [`Connection`](super::connection::Connection) and
/// [`Link`](super::link::Link) take any codec whose error says these two things.
pub trait ReadError: std::fmt::Display + From<io::Error> {
    /// The peer reset the connection: a leave like any other, not worth a log line.
    fn is_reset(&self) -> bool;
    /// What the peer should be told before the connection closes (why its frame was
    /// refused), if anything.
    fn reply(&self) -> Option<String> {
        None
    }
}

impl ReadError for io::Error {
    fn is_reset(&self) -> bool {
        self.kind() == io::ErrorKind::ConnectionReset
    }
}

/// The line sent back for an over-long line (`--wire lines`).
pub const TOO_LONG: &str = "Erreur : message trop long (max 4096 octets)";

/// How messages are delimited on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Serialize)]
pub enum Wire {
    /// One UTF-8 line per message, `\n`-terminated, at most 4096 bytes.
    #[default]
    Lines,
    /// The Python course's convention: one write is one message, no terminator.
    Tp,
}

/// What the reader found next on the stream: a message (text here; a typed request or
/// event for the codecs of [`protocol`](crate::protocol), which frame with this one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming<T = String> {
    /// One message, without its line end.
    Message(T),
    /// A line longer than the reader's limit; it has been (or is being) discarded.
    TooLong,
}

/// The framing alone, without any I/O: bytes in, messages out ([`Decoder`]); text in,
/// bytes out ([`Encoder`]). One codec serves every reader of the project (the servers'
/// and clients' [`MessageReader`], the blocking ii_2 client's [`read_one_blocking`], the
/// grader), so they all cut a stream the same way; it is tokio-util's codec interface, so
/// a `FramedRead`/`FramedWrite` can use it too.
#[derive(Debug, Clone)]
pub struct WireCodec {
    /// The framing mode.
    wire: Wire,
    /// Longest message, in bytes.
    limit: usize,
    /// How far the buffer has been searched for `\n`, so a long line is scanned once.
    scanned: usize,
    /// Inside an over-long line: drop bytes until its `\n`.
    discarding: bool,
}

impl WireCodec {
    /// A codec for messages of at most `limit` bytes ([`MAX_MESSAGE`] from a client,
    /// [`MAX_FROM_SERVER`] from a server).
    pub fn new(wire: Wire, limit: usize) -> Self {
        WireCodec {
            wire,
            limit,
            scanned: 0,
            discarding: false,
        }
    }

    fn decode_line(&mut self, buf: &mut BytesMut) -> Option<Incoming> {
        loop {
            let newline = buf[self.scanned..].iter().position(|&b| b == b'\n');
            match newline {
                Some(i) if self.discarding => {
                    buf.advance(self.scanned + i + 1);
                    self.scanned = 0;
                    self.discarding = false;
                }
                Some(i) => {
                    let line = buf.split_to(self.scanned + i + 1);
                    self.scanned = 0;
                    return Some(line_message(&line, self.limit));
                }
                None if self.discarding => {
                    buf.clear();
                    self.scanned = 0;
                    return None;
                }
                // One byte of slack for the `\r` of a `\r\n` ending.
                None if buf.len() > self.limit + 1 => {
                    buf.clear();
                    self.scanned = 0;
                    self.discarding = true;
                    return Some(Incoming::TooLong);
                }
                None => {
                    self.scanned = buf.len();
                    return None;
                }
            }
        }
    }
}

impl Decoder for WireCodec {
    type Item = Incoming;
    type Error = io::Error;

    /// Takes one message out of the buffer, if a whole one is there.
    fn decode(&mut self, buf: &mut BytesMut) -> io::Result<Option<Incoming>> {
        Ok(match self.wire {
            Wire::Tp => split_tp(buf, self.limit),
            Wire::Lines => self.decode_line(buf),
        })
    }

    /// At end of stream, a last line without `\n` still counts as a message.
    fn decode_eof(&mut self, buf: &mut BytesMut) -> io::Result<Option<Incoming>> {
        if let Some(found) = self.decode(buf)? {
            return Ok(Some(found));
        }
        if self.discarding || buf.is_empty() {
            buf.clear();
            return Ok(None);
        }
        let rest = buf.split();
        self.scanned = 0;
        Ok(Some(line_message(&rest, self.limit)))
    }
}

impl Encoder<&str> for WireCodec {
    type Error = io::Error;

    fn encode(&mut self, text: &str, dst: &mut BytesMut) -> io::Result<()> {
        dst.extend_from_slice(&encode(self.wire, text));
        Ok(())
    }
}

/// Reads messages from a byte stream through a codec ([`WireCodec`] unless said otherwise).
/// [`MessageReader::next`] is cancel-safe: every byte read is kept in `self`, so it can sit
/// in a `select!` branch. (Not tokio-util's `FramedRead`, whose 8 KiB buffer per
/// connection would cost more than everything else an idle client costs.)
pub struct MessageReader<R, C = WireCodec> {
    /// The read half of the connection.
    inner: R,
    /// Bytes read but not yet returned as messages.
    buf: BytesMut,
    /// Cuts `buf` into messages.
    codec: C,
    /// Room made in `buf` before each read: small for lines, a whole message for `tp`
    /// (where one read is one message).
    read_size: usize,
}

impl WireCodec {
    /// What a reader must be able to take in one read with this codec.
    pub fn read_size(&self) -> usize {
        match self.wire {
            // A small reservation keeps an idle connection cheap; a busy one reuses it.
            Wire::Lines => 1024,
            Wire::Tp => self.limit,
        }
    }
}

impl<R: AsyncRead + Unpin> MessageReader<R> {
    /// Reads a client's messages (on a server): at most [`MAX_MESSAGE`] bytes each. No
    /// buffer is allocated until the first byte arrives.
    pub fn new(inner: R, wire: Wire) -> Self {
        Self::with_wire_codec(inner, WireCodec::new(wire, MAX_MESSAGE))
    }

    /// Reads a server's messages (on a client): at most [`MAX_FROM_SERVER`] bytes each.
    pub fn from_server(inner: R, wire: Wire) -> Self {
        Self::with_wire_codec(inner, WireCodec::new(wire, MAX_FROM_SERVER))
    }

    fn with_wire_codec(inner: R, codec: WireCodec) -> Self {
        let read_size = codec.read_size();
        MessageReader::with_codec(inner, codec, read_size)
    }
}

impl<R: AsyncRead + Unpin, C: Decoder> MessageReader<R, C> {
    /// Reads through `codec`, making room for `read_size` bytes before each read.
    pub fn with_codec(inner: R, codec: C, read_size: usize) -> Self {
        MessageReader {
            inner,
            buf: BytesMut::new(),
            codec,
            read_size,
        }
    }

    /// Gives the stream back (bytes buffered but not yet returned are lost).
    pub fn into_inner(self) -> R {
        self.inner
    }

    /// The next message; `Ok(None)` at end of stream.
    pub async fn next(&mut self) -> Result<Option<C::Item>, C::Error> {
        loop {
            if let Some(found) = self.codec.decode(&mut self.buf)? {
                return Ok(Some(found));
            }
            self.buf.reserve(self.read_size);
            if self.inner.read_buf(&mut self.buf).await? == 0 {
                return self.codec.decode_eof(&mut self.buf);
            }
        }
    }
}

/// A line (with or without its `\n`) as a message, or `TooLong`.
fn line_message(line: &[u8], limit: usize) -> Incoming {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.len() > limit {
        Incoming::TooLong
    } else {
        Incoming::Message(String::from_utf8_lossy(line).into_owned())
    }
}

/// `--wire tp`: whatever one read brought is one message (at most `limit` bytes at a
/// time). A trailing line end is dropped, as course clients often send `input() + "\n"`.
fn split_tp(buf: &mut BytesMut, limit: usize) -> Option<Incoming> {
    if buf.is_empty() {
        return None;
    }
    let chunk = buf.split_to(buf.len().min(limit));
    let text = chunk.strip_suffix(b"\n").unwrap_or(&chunk);
    let text = text.strip_suffix(b"\r").unwrap_or(text);
    Some(Incoming::Message(
        String::from_utf8_lossy(text).into_owned(),
    ))
}

/// One message encoded for the wire, ready to be shared between recipients.
///
/// A `\n` or `\r` inside the text would make a second line on the other side: in `lines`
/// mode a second message, in `tp` mode (where a message is whatever one read brings) a
/// second line on the reader's terminal that the sender wrote, such as a forged
/// `Annonce : …`. So in both modes they are replaced by spaces.
pub fn encode(wire: Wire, text: &str) -> Bytes {
    let mut out = Vec::with_capacity(text.len() + 1);
    out.extend(
        text.bytes()
            .map(|b| if b == b'\n' || b == b'\r' { b' ' } else { b }),
    );
    if wire == Wire::Lines {
        out.push(b'\n');
    }
    Bytes::from(out)
}

/// Blocking read of one message from a server, for the clients that use `std::net` (stage
/// ii_2), through the same [`WireCodec`]. `Ok(None)` when the peer closed before sending
/// anything.
pub fn read_one_blocking(stream: &mut impl Read, wire: Wire) -> io::Result<Option<Incoming>> {
    let mut codec = WireCodec::new(wire, MAX_FROM_SERVER);
    let mut buf = BytesMut::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return codec.decode_eof(&mut buf);
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(found) = codec.decode(&mut buf)? {
            return Ok(Some(found));
        }
    }
}

#[cfg(test)]
mod tests;
