//! Requests and events as the messages of [`chat::wire`](crate::chat::wire): the codecs of
//! `--wire lines` and `--wire tp` for the bonus stages.
//!
//! Sans-IO, on tokio-util's `Decoder`/`Encoder`: [`WireCodec`] cuts the bytes into messages,
//! [`french`] gives them their meaning. A server decodes [`Request`]s and encodes
//! [`Event`]s ([`ServerCodec`]); a client the other way round ([`ClientCodec`]). An
//! over-long message is not an error of the stream (the connection stays usable): it comes
//! out as [`Incoming::TooLong`].

use super::french;
use super::{Event, Request};
use crate::chat::limits::{MAX_FROM_SERVER, MAX_MESSAGE};
use crate::chat::wire::{self, Incoming, Wire, WireCodec};
use bytes::BytesMut;
use std::io;
use tokio_util::codec::{Decoder, Encoder};

/// A server's side of a connection: requests in, events out.
#[derive(Debug, Clone)]
pub struct ServerCodec {
    /// The framing.
    wire: WireCodec,
    /// Framing mode, for encoding.
    mode: Wire,
    /// The handshake has been read: later `Hello|…` messages are chat.
    greeted: bool,
}

impl ServerCodec {
    /// A codec for a fresh connection in `mode`, accepting messages of [`MAX_MESSAGE`] bytes.
    pub fn new(mode: Wire) -> Self {
        ServerCodec {
            wire: WireCodec::new(mode, MAX_MESSAGE),
            mode,
            greeted: false,
        }
    }

    /// What a reader must be able to take in one read.
    pub fn read_size(&self) -> usize {
        self.wire.read_size()
    }

    fn request(&mut self, found: Option<Incoming>) -> Option<Incoming<Request>> {
        Some(match found? {
            Incoming::Message(text) => {
                // An over-long line before it does not use up the handshake (as in ii_5).
                let first = !std::mem::replace(&mut self.greeted, true);
                Incoming::Message(french::parse_request(text, first))
            }
            Incoming::TooLong => Incoming::TooLong,
        })
    }
}

impl Decoder for ServerCodec {
    type Item = Incoming<Request>;
    type Error = io::Error;

    fn decode(&mut self, buf: &mut BytesMut) -> io::Result<Option<Incoming<Request>>> {
        let found = self.wire.decode(buf)?;
        Ok(self.request(found))
    }

    fn decode_eof(&mut self, buf: &mut BytesMut) -> io::Result<Option<Incoming<Request>>> {
        let found = self.wire.decode_eof(buf)?;
        Ok(self.request(found))
    }
}

impl Encoder<&Event> for ServerCodec {
    type Error = io::Error;

    fn encode(&mut self, event: &Event, dst: &mut BytesMut) -> io::Result<()> {
        dst.extend_from_slice(&wire::encode(self.mode, &french::render(event)));
        Ok(())
    }
}

/// A client's side of a connection: events in, requests out.
#[derive(Debug, Clone)]
pub struct ClientCodec {
    /// The framing.
    wire: WireCodec,
    /// Framing mode, for encoding.
    mode: Wire,
}

impl ClientCodec {
    /// A codec accepting the server's messages of up to [`MAX_FROM_SERVER`] bytes.
    pub fn new(mode: Wire) -> Self {
        ClientCodec {
            wire: WireCodec::new(mode, MAX_FROM_SERVER),
            mode,
        }
    }

    /// What a reader must be able to take in one read.
    pub fn read_size(&self) -> usize {
        self.wire.read_size()
    }
}

fn event(found: Option<Incoming>) -> Option<Incoming<Event>> {
    Some(match found? {
        Incoming::Message(text) => Incoming::Message(french::parse_event(&text)),
        Incoming::TooLong => Incoming::TooLong,
    })
}

impl Decoder for ClientCodec {
    type Item = Incoming<Event>;
    type Error = io::Error;

    fn decode(&mut self, buf: &mut BytesMut) -> io::Result<Option<Incoming<Event>>> {
        Ok(event(self.wire.decode(buf)?))
    }

    fn decode_eof(&mut self, buf: &mut BytesMut) -> io::Result<Option<Incoming<Event>>> {
        Ok(event(self.wire.decode_eof(buf)?))
    }
}

impl Encoder<&Request> for ClientCodec {
    type Error = io::Error;

    fn encode(&mut self, request: &Request, dst: &mut BytesMut) -> io::Result<()> {
        dst.extend_from_slice(&wire::encode(self.mode, &french::render_request(request)));
        Ok(())
    }
}
