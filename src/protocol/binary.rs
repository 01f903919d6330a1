//! The bonus-4 binary protocol ("encodage maison"): frames whose header announces their
//! size, in the course's shape. PROTOCOL.md describes every frame byte by byte.
//!
//! A frame is a type byte, a length, and that many bytes of body. The length has one of two
//! forms, fixed by the type: *short*, two bytes; or *long*, one byte `n` (1 to 8) then an
//! `n`-byte length, as the course's type 2 ("long text") has. Every length is big-endian and
//! counts bytes. Strings are UTF-8, strictly: a frame is either exactly right or an error.
//!
//! Decoding is sans-IO ([`Decoder`]) and defensive: the header is read without consuming
//! anything until the frame is whole; a length is checked against its type's limit (with
//! checked arithmetic) before a single byte of body is waited for, so a hostile header can
//! never make the reader allocate more than the limit; every error is a [`FrameError`],
//! never a panic.

use super::{Colour, Event, Request};
use crate::chat::limits::{MAX_FROM_SERVER, MAX_MESSAGE, MAX_PSEUDO};
use crate::chat::wire::Incoming;
use bytes::{Buf, BufMut, BytesMut};
use std::io;
use tokio_util::codec::{Decoder, Encoder};

/// Client to server: a text message, short form (the course's type 1).
pub const TEXT: u8 = 0x01;
/// Client to server: a text message, long form (the course's type 2).
pub const TEXT_LONG: u8 = 0x02;
/// Client to server: the handshake (pseudo, and the ID of a returning user).
pub const HELLO: u8 = 0x03;
/// Client to server: an image, as ASCII art (bonus 5).
pub const IMAGE: u8 = 0x04;
/// Server to client: someone said something.
pub const SAID: u8 = 0x81;
/// Server to client: an announcement (joined, left, back, welcome back, closing).
pub const NOTICE: u8 = 0x82;
/// Server to client: the ID of a new user.
pub const ID: u8 = 0x83;
/// Server to client: an error, the reason in French; the server closes next.
pub const ERROR: u8 = 0x84;
/// Server to client: someone sent an image (bonus 5).
pub const IMAGE_SAID: u8 = 0x85;

/// The kinds of [`NOTICE`], its first body byte.
pub mod notice {
    /// `Annonce : <pseudo> a rejoint la chatroom`.
    pub const JOINED: u8 = 1;
    /// `Annonce : <pseudo> a quitté la chatroom`.
    pub const LEFT: u8 = 2;
    /// `Annonce : <pseudo> est de retour !`.
    pub const BACK: u8 = 3;
    /// `Welcome back <pseudo> !`.
    pub const WELCOME_BACK: u8 = 4;
    /// `Annonce : le serveur ferme la chatroom` (the pseudo field is empty).
    pub const CLOSING: u8 = 5;
}

/// What a reader makes room for before each read: most frames are small; a bigger one
/// reserves its own size once its header is read.
pub const READ_SIZE: usize = 1024;

/// Longest ASCII-art image body, in bytes (bonus 5): 200 columns by 100 lines fits.
pub const MAX_IMAGE: usize = 32 * 1024;

/// Longest handshake body: a pseudo and an ID with their two-byte lengths, and room for a
/// pseudo a little over the limit (refused by the server with its reason, not as a frame).
pub const MAX_HELLO: usize = 256;

/// Longest body of any server frame: a relayed text of [`MAX_MESSAGE`] bytes behind its
/// time, pseudo and colour fields, or an image.
pub const MAX_SERVER_FRAME: usize = MAX_IMAGE + 256;

/// Why a stream of frames cannot be read any further. `Display` is the French reason a
/// server sends back in an [`ERROR`] frame before it closes.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// A type byte no frame has (in this direction).
    #[error("type de trame inconnu : 0x{0:02x}")]
    UnknownType(u8),
    /// A long-form length whose length-of-length is 0 or more than 8.
    #[error("longueur de longueur invalide : {0} (de 1 à 8)")]
    LengthOfLength(u8),
    /// A length over the limit of its frame type.
    #[error("trame trop longue : {length} octets (max {limit})")]
    TooLong {
        /// The announced length (saturated to `u64::MAX`).
        length: u64,
        /// The limit of that type.
        limit: usize,
    },
    /// A string that is not UTF-8.
    #[error("texte invalide : ce n'est pas de l'UTF-8")]
    InvalidUtf8,
    /// A body that does not have the fields its type says.
    #[error("trame mal formée : {0}")]
    Malformed(&'static str),
    /// The stream ended in the middle of a frame.
    #[error("connexion coupée au milieu d'une trame")]
    Truncated,
    /// Reading the stream failed.
    #[error("lecture impossible : {0}")]
    Io(#[from] io::Error),
}

impl crate::chat::wire::ReadError for FrameError {
    fn is_reset(&self) -> bool {
        matches!(self, FrameError::Io(e) if e.kind() == io::ErrorKind::ConnectionReset)
    }

    fn reply(&self) -> Option<String> {
        match self {
            FrameError::Io(_) | FrameError::Truncated => None,
            refused => Some(refused.to_string()),
        }
    }
}

/// How a type's length is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// Two bytes.
    Short,
    /// One byte `n`, then `n` bytes.
    Long,
}

/// A frame's header, once whole: its type, its body length and how many bytes it took.
struct Header {
    kind: u8,
    length: usize,
    size: usize,
}

/// Reads a header at the start of `buf`: `Ok(None)` if more bytes are needed. `limits`
/// gives each type accepted in this direction its form and limit.
fn header(
    buf: &[u8],
    limits: fn(u8) -> Option<(Form, usize)>,
) -> Result<Option<Header>, FrameError> {
    let Some(&kind) = buf.first() else {
        return Ok(None);
    };
    let (form, limit) = limits(kind).ok_or(FrameError::UnknownType(kind))?;
    let (length, size): (u64, usize) = match form {
        Form::Short => {
            let Some(b) = buf.get(1..3) else {
                return Ok(None);
            };
            (u64::from(u16::from_be_bytes([b[0], b[1]])), 3)
        }
        Form::Long => {
            let Some(&n) = buf.get(1) else {
                return Ok(None);
            };
            if !(1..=8).contains(&n) {
                return Err(FrameError::LengthOfLength(n));
            }
            let n = usize::from(n);
            let Some(digits) = buf.get(2..2 + n) else {
                return Ok(None);
            };
            let length = digits
                .iter()
                .fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
            (length, 2 + n)
        }
    };
    match usize::try_from(length) {
        Ok(length) if length <= limit => Ok(Some(Header { kind, length, size })),
        _ => Err(FrameError::TooLong { length, limit }),
    }
}

/// Takes one whole frame (type and body) out of `buf`, if it is all there.
fn take_frame(
    buf: &mut BytesMut,
    limits: fn(u8) -> Option<(Form, usize)>,
) -> Result<Option<(u8, BytesMut)>, FrameError> {
    let Some(h) = header(buf, limits)? else {
        return Ok(None);
    };
    let Some(total) = h.size.checked_add(h.length) else {
        return Err(FrameError::TooLong {
            length: h.length as u64,
            limit: 0,
        });
    };
    if buf.len() < total {
        // Room for the rest of this frame only: its length is within the limit.
        buf.reserve(total - buf.len());
        return Ok(None);
    }
    buf.advance(h.size);
    Ok(Some((h.kind, buf.split_to(h.length))))
}

/// What a server accepts from a client.
fn client_frames(kind: u8) -> Option<(Form, usize)> {
    match kind {
        TEXT => Some((Form::Short, MAX_MESSAGE)),
        TEXT_LONG => Some((Form::Long, MAX_MESSAGE)),
        HELLO => Some((Form::Short, MAX_HELLO)),
        IMAGE => Some((Form::Long, MAX_IMAGE)),
        _ => None,
    }
}

/// What a client accepts from a server.
fn server_frames(kind: u8) -> Option<(Form, usize)> {
    match kind {
        SAID | NOTICE | ID | ERROR => Some((Form::Short, MAX_FROM_SERVER)),
        IMAGE_SAID => Some((Form::Long, MAX_SERVER_FRAME)),
        _ => None,
    }
}

/// Reads a body as a sequence of fields, each a two-byte length and that many bytes.
struct Fields(BytesMut);

impl Fields {
    fn string(&mut self) -> Result<String, FrameError> {
        if self.0.len() < 2 {
            return Err(FrameError::Malformed("champ sans longueur"));
        }
        let length = usize::from(self.0.get_u16());
        if self.0.len() < length {
            return Err(FrameError::Malformed("champ plus long que la trame"));
        }
        utf8(self.0.split_to(length))
    }

    fn optional(&mut self) -> Result<Option<String>, FrameError> {
        let s = self.string()?;
        Ok((!s.is_empty()).then_some(s))
    }

    fn end(self) -> Result<(), FrameError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(FrameError::Malformed(
                "octets en trop après le dernier champ",
            ))
        }
    }
}

fn utf8(bytes: BytesMut) -> Result<String, FrameError> {
    String::from_utf8(bytes.to_vec()).map_err(|_| FrameError::InvalidUtf8)
}

/// A piece of a frame's body, written straight into the output (no intermediate buffer).
enum Part<'a> {
    /// One byte (a notice's kind).
    Byte(u8),
    /// A field: a two-byte length and the bytes (at most 65,535 of them, which no field
    /// within the limits reaches).
    Field(&'a str),
    /// Bytes up to the end of the body (a text, an ID, a picture).
    Rest(&'a str),
}

impl Part<'_> {
    fn len(&self) -> usize {
        match self {
            Part::Byte(_) => 1,
            Part::Field(s) => 2 + s.len().min(usize::from(u16::MAX)),
            Part::Rest(s) => s.len(),
        }
    }

    fn put(&self, dst: &mut BytesMut) {
        match self {
            Part::Byte(b) => dst.put_u8(*b),
            Part::Field(s) => {
                let bytes = &s.as_bytes()[..s.len().min(usize::from(u16::MAX))];
                dst.put_u16(bytes.len() as u16);
                dst.put_slice(bytes);
            }
            Part::Rest(s) => dst.put_slice(s.as_bytes()),
        }
    }
}

/// Writes a frame: its type, its length in the type's form, its body.
fn put_frame(dst: &mut BytesMut, kind: u8, form: Form, parts: &[Part<'_>]) {
    let length: usize = parts.iter().map(Part::len).sum();
    dst.reserve(length + 10);
    dst.put_u8(kind);
    match form {
        Form::Short => {
            // The limits keep every short body within two bytes of length; a body that is
            // not would corrupt the stream, so it is cut rather than mislabelled.
            let length = length.min(usize::from(u16::MAX));
            dst.put_u16(length as u16);
            let start = dst.len();
            for part in parts {
                part.put(dst);
            }
            dst.truncate(start + length);
        }
        Form::Long => {
            let length = length as u64;
            let n = (8 - length.leading_zeros() as usize / 8).max(1);
            dst.put_u8(n as u8);
            dst.put_slice(&length.to_be_bytes()[8 - n..]);
            for part in parts {
                part.put(dst);
            }
        }
    }
}

/// The frame of an event, ready to be shared between recipients.
pub fn encode_event(event: &Event, dst: &mut BytesMut) {
    match event {
        Event::Said {
            time,
            pseudo,
            colour: c,
            text,
        } => {
            let parts = [
                Part::Field(time.as_deref().unwrap_or("")),
                Part::Field(pseudo),
                Part::Field(colour_of(c)),
                Part::Field(text),
            ];
            put_frame(dst, SAID, Form::Short, &parts);
        }
        Event::Image {
            time,
            pseudo,
            colour: c,
            art,
        } => {
            let parts = [
                Part::Field(time.as_deref().unwrap_or("")),
                Part::Field(pseudo),
                Part::Field(colour_of(c)),
                Part::Rest(art),
            ];
            put_frame(dst, IMAGE_SAID, Form::Long, &parts);
        }
        Event::Joined(p) => put_notice(dst, notice::JOINED, p),
        Event::Left(p) => put_notice(dst, notice::LEFT, p),
        Event::Back(p) => put_notice(dst, notice::BACK, p),
        Event::WelcomeBack(p) => put_notice(dst, notice::WELCOME_BACK, p),
        Event::Closing => put_notice(dst, notice::CLOSING, ""),
        Event::Id(id) => put_frame(dst, ID, Form::Short, &[Part::Rest(id)]),
        Event::Error(reason) | Event::Other(reason) => {
            put_frame(dst, ERROR, Form::Short, &[Part::Rest(reason)])
        }
    }
}

fn colour_of(colour: &Option<Colour>) -> &str {
    colour.as_ref().map_or("", Colour::params)
}

fn put_notice(dst: &mut BytesMut, kind: u8, pseudo: &str) {
    put_frame(
        dst,
        NOTICE,
        Form::Short,
        &[Part::Byte(kind), Part::Field(pseudo)],
    );
}

/// The frame of a request.
pub fn encode_request(request: &Request, dst: &mut BytesMut) {
    match request {
        Request::Hello { pseudo, id } => {
            let parts = [
                Part::Field(pseudo),
                Part::Field(id.as_deref().unwrap_or("")),
            ];
            put_frame(dst, HELLO, Form::Short, &parts);
        }
        // The short form while it fits, as the course's client does.
        Request::Say(text) if text.len() <= usize::from(u16::MAX) => {
            put_frame(dst, TEXT, Form::Short, &[Part::Rest(text)])
        }
        Request::Say(text) => put_frame(dst, TEXT_LONG, Form::Long, &[Part::Rest(text)]),
        Request::Image(art) => put_frame(dst, IMAGE, Form::Long, &[Part::Rest(art)]),
    }
}

/// Reads a request's frame body.
fn request(kind: u8, body: BytesMut) -> Result<Request, FrameError> {
    match kind {
        TEXT | TEXT_LONG => Ok(Request::Say(utf8(body)?)),
        IMAGE => Ok(Request::Image(utf8(body)?)),
        _ => {
            let mut fields = Fields(body);
            let pseudo = fields.string()?;
            let id = fields.optional()?;
            fields.end()?;
            Ok(Request::Hello { pseudo, id })
        }
    }
}

/// Reads an event's frame body.
fn event(kind: u8, body: BytesMut) -> Result<Event, FrameError> {
    match kind {
        ID => Ok(Event::Id(utf8(body)?)),
        ERROR => Ok(Event::Error(utf8(body)?)),
        NOTICE => {
            let mut body = body;
            if body.is_empty() {
                return Err(FrameError::Malformed("annonce sans genre"));
            }
            let what = body.get_u8();
            let mut fields = Fields(body);
            let pseudo = fields.string()?;
            fields.end()?;
            match what {
                notice::JOINED => Ok(Event::Joined(pseudo)),
                notice::LEFT => Ok(Event::Left(pseudo)),
                notice::BACK => Ok(Event::Back(pseudo)),
                notice::WELCOME_BACK => Ok(Event::WelcomeBack(pseudo)),
                notice::CLOSING => Ok(Event::Closing),
                _ => Err(FrameError::Malformed("genre d'annonce inconnu")),
            }
        }
        _ => {
            let mut fields = Fields(body);
            let time = fields.optional()?;
            let pseudo = fields.string()?;
            let colour = match fields.optional()? {
                None => None,
                Some(c) => Some(Colour::parse(&c).ok_or(FrameError::Malformed("couleur"))?),
            };
            if kind == SAID {
                let text = fields.string()?;
                fields.end()?;
                Ok(Event::Said {
                    time,
                    pseudo,
                    colour,
                    text,
                })
            } else {
                let art = utf8(fields.0)?;
                Ok(Event::Image {
                    time,
                    pseudo,
                    colour,
                    art,
                })
            }
        }
    }
}

/// What remains at the end of a stream: nothing, or a frame cut short.
/// One direction of the protocol: which frames it accepts and what they mean.
struct Direction<T> {
    /// Form and limit of each accepted type.
    limits: fn(u8) -> Option<(Form, usize)>,
    /// Reads a frame's body.
    parse: fn(u8, BytesMut) -> Result<T, FrameError>,
}

impl<T> Direction<T> {
    fn decode(&self, buf: &mut BytesMut) -> Result<Option<Incoming<T>>, FrameError> {
        match take_frame(buf, self.limits)? {
            Some((kind, body)) => (self.parse)(kind, body).map(|t| Some(Incoming::Message(t))),
            None => Ok(None),
        }
    }

    /// At the end of the stream: the last whole frame, or nothing, or a frame cut short.
    fn decode_eof(&self, buf: &mut BytesMut) -> Result<Option<Incoming<T>>, FrameError> {
        if let Some(found) = self.decode(buf)? {
            return Ok(Some(found));
        }
        if buf.is_empty() {
            return Ok(None);
        }
        buf.clear();
        Err(FrameError::Truncated)
    }
}

/// Client to server.
const REQUESTS: Direction<Request> = Direction {
    limits: client_frames,
    parse: request,
};

/// Server to client.
const EVENTS: Direction<Event> = Direction {
    limits: server_frames,
    parse: event,
};

/// A server's side of a binary connection: requests in, events out.
#[derive(Debug, Clone, Copy, Default)]
pub struct ServerCodec;

/// A frame is never skipped, so a binary reader never yields [`Incoming::TooLong`]: a frame
/// over its limit is a [`FrameError`]. (The item is an [`Incoming`] all the same, so that
/// the connections of Part II read frames as they read lines.)
impl Decoder for ServerCodec {
    type Item = Incoming<Request>;
    type Error = FrameError;

    fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Incoming<Request>>, FrameError> {
        REQUESTS.decode(buf)
    }

    fn decode_eof(&mut self, buf: &mut BytesMut) -> Result<Option<Incoming<Request>>, FrameError> {
        REQUESTS.decode_eof(buf)
    }
}

impl Encoder<&Event> for ServerCodec {
    type Error = FrameError;

    fn encode(&mut self, event: &Event, dst: &mut BytesMut) -> Result<(), FrameError> {
        encode_event(event, dst);
        Ok(())
    }
}

/// A client's side of a binary connection: events in, requests out.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClientCodec;

impl Decoder for ClientCodec {
    type Item = Incoming<Event>;
    type Error = FrameError;

    fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Incoming<Event>>, FrameError> {
        EVENTS.decode(buf)
    }

    fn decode_eof(&mut self, buf: &mut BytesMut) -> Result<Option<Incoming<Event>>, FrameError> {
        EVENTS.decode_eof(buf)
    }
}

impl Encoder<&Request> for ClientCodec {
    type Error = FrameError;

    fn encode(&mut self, request: &Request, dst: &mut BytesMut) -> Result<(), FrameError> {
        encode_request(request, dst);
        Ok(())
    }
}

/// The longest pseudo a [`HELLO`] can carry is checked by the server, not here: this only
/// keeps the two limits consistent.
const _: () = assert!(MAX_HELLO > 2 * (MAX_PSEUDO + 2) + 64);

#[cfg(test)]
mod tests;
