//! What travels between a chat client and the bonus server, as types.
//!
//! Part II passes strings around because each of its stages is one small lesson. From the
//! bonuses on, one server and one client serve every stage, and what they exchange has
//! meaning: a client *asks* ([`Request`]: introduce itself, say something) and a server
//! *tells* ([`Event`]: someone said this at that time, joined, left, came back, here is your
//! ID, an error, the server is closing). Servers, clients, `grade` and `chat_bench` share
//! these types, so a rule is written once.
//!
//! - [`french`]: the course's French sentences for each event, and reading them back.
//! - [`lines`]: the codecs (tokio-util `Decoder`/`Encoder`, sans-IO) that carry requests and
//!   events as the lines (or `tp` messages) of [`chat::wire`](crate::chat::wire).
//! - [`binary`]: the codecs of the bonus-4 binary protocol, whose frames carry the fields of
//!   each event (time, pseudo, colour, text, kind) for the client to render.

pub mod binary;
pub mod french;
pub mod lines;

use std::fmt;

/// What a client asks the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// The handshake, the first message of a session: the pseudo as typed (the server
    /// validates it) and, from bonus 2, the ID of a returning user. Whatever followed the
    /// pseudo after a `|` is in `id`, valid or not: the server decides what it means.
    Hello {
        /// The pseudo, untrimmed, unvalidated.
        pseudo: String,
        /// Text after a second `|`, if any.
        id: Option<String>,
    },
    /// A chat message.
    Say(String),
    /// An image, as ASCII art (bonus 5, binary protocol only).
    Image(String),
}

/// What a server tells a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Someone said something (never sent back to its author).
    Said {
        /// `HH:MM` of its arrival at the server, from bonus 1.
        time: Option<String>,
        /// Who said it.
        pseudo: String,
        /// The author's colour, from bonus 1.
        colour: Option<Colour>,
        /// What was said.
        text: String,
    },
    /// Someone sent an image, as ASCII art (bonus 5, binary protocol only).
    Image {
        /// `HH:MM` of its arrival at the server.
        time: Option<String>,
        /// Who sent it.
        pseudo: String,
        /// The sender's colour.
        colour: Option<Colour>,
        /// The picture: lines of characters.
        art: String,
    },
    /// Someone joined the room (the newcomer hears its own join too).
    Joined(String),
    /// Someone left.
    Left(String),
    /// A known user came back (bonus 2), told to the others.
    Back(String),
    /// Told to a known user who came back (bonus 2).
    WelcomeBack(String),
    /// The ID a new user presents when it comes back (bonus 2).
    Id(String),
    /// The server refuses something; the reason is in French.
    Error(String),
    /// The server is shutting down; the connection closes next.
    Closing,
    /// A line the client does not recognise (another server's, a newer stage's), shown as is.
    Other(String),
}

/// A colour as the server sends it: the parameters of one colour-only SGR sequence
/// (`31`, `92`, `38;5;208`, `38;2;255;128;0`). A client passes an escape sequence through to
/// its terminal only when its parameters parse as a `Colour`: nothing else a peer sends can
/// reach the terminal as an escape.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Colour(String);

impl Colour {
    /// Parses SGR parameters, accepting only a foreground colour: `30`–`37`, `90`–`97`,
    /// `38;5;<0-255>`, `38;2;<r>;<g>;<b>`.
    pub fn parse(params: &str) -> Option<Colour> {
        let fields: Vec<&str> = params.split(';').collect();
        let number = |s: &str| -> Option<u8> {
            if s.is_empty() || s.len() > 3 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse().ok()
        };
        let ok = match fields.as_slice() {
            [one] => matches!(number(one)?, 30..=37 | 90..=97),
            ["38", "5", n] => number(n).is_some(),
            ["38", "2", r, g, b] => number(r).and(number(g)).and(number(b)).is_some(),
            _ => false,
        };
        ok.then(|| Colour(params.to_string()))
    }

    /// The SGR parameters, as they go between `ESC[` and `m`.
    pub fn params(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Colour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The reset that ends every coloured pseudo.
pub const RESET: &str = "\x1b[0m";

#[cfg(test)]
mod tests;

/// How a bonus server and client put requests and events on the wire: the lines (or `tp`
/// messages) of the earlier stages, or the frames of bonus 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// French text, one message per line (or per write, for `tp`).
    Lines(crate::chat::wire::Wire),
    /// The binary frames of [`binary`].
    Binary,
}

impl Default for Codec {
    fn default() -> Self {
        Codec::Lines(crate::chat::wire::Wire::Lines)
    }
}

impl Codec {
    /// The bytes of one event, encoded once and shared by every recipient.
    pub fn event(self, event: &Event) -> bytes::Bytes {
        match self {
            Codec::Lines(wire) => crate::chat::wire::encode(wire, &french::render(event)),
            Codec::Binary => {
                let mut out = bytes::BytesMut::new();
                binary::encode_event(event, &mut out);
                out.freeze()
            }
        }
    }

    /// The bytes of one request.
    pub fn request(self, request: &Request) -> bytes::Bytes {
        match self {
            Codec::Lines(wire) => crate::chat::wire::encode(wire, &french::render_request(request)),
            Codec::Binary => {
                let mut out = bytes::BytesMut::new();
                binary::encode_request(request, &mut out);
                out.freeze()
            }
        }
    }

    /// How the outgoing queue writes: `tp` needs one write per message (a write is its
    /// message boundary); lines and frames carry their own boundaries and go out in batches.
    pub fn outbox_wire(self) -> crate::chat::wire::Wire {
        match self {
            Codec::Lines(wire) => wire,
            Codec::Binary => crate::chat::wire::Wire::Lines,
        }
    }
}
