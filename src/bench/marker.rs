//! The marker every benchmark message carries, and the scanner that finds it again.
//!
//! A payload is `~b<sender>:<seq>:<nanos>~` followed by `.` up to the requested size, where
//! `<nanos>` is the send time in nanoseconds since the run's shared clock. The receiving side
//! does not parse lines or care what the server put in front (`c3 a dit : `, a colour, a
//! timestamp): it scans the byte stream for `~` and reads the marker there. That makes the
//! scan independent of framing, so `--wire tp`, where the server may glue two messages into
//! one, is measured exactly like `--wire lines`. `~w~` is the warm-up probe (see
//! [`super::run`]); it is not a measured message.

/// Longest marker accepted; anything longer without its closing `~` is not a marker.
pub const MAX_MARKER: usize = 64;

/// The warm-up probe.
pub const PROBE: &[u8] = b"~w~";

/// What the scanner found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// A measured message.
    Message {
        /// Index of the client that sent it.
        sender: u32,
        /// Its sequence number within that sender's messages, from 0.
        seq: u32,
        /// When it was sent, in nanoseconds since the run's clock started.
        sent_ns: u64,
    },
    /// A warm-up probe.
    Probe,
}

/// Writes one payload of at least `size` bytes (the marker is never cut) into `out`.
pub fn payload(out: &mut Vec<u8>, sender: u32, seq: u32, sent_ns: u64, size: usize) {
    use std::io::Write;
    out.clear();
    // Writing into a Vec cannot fail.
    let _ = write!(out, "~b{sender}:{seq}:{sent_ns}~");
    if out.len() < size {
        out.resize(size, b'.');
    }
}

/// The result of reading a marker at a `~`.
#[derive(Debug, PartialEq, Eq)]
enum Parse {
    /// A complete marker of this many bytes.
    Found(Found, usize),
    /// Valid so far, but the bytes end before the closing `~`.
    Incomplete,
    /// Not a marker.
    Invalid,
}

/// Reads the marker that starts at `bytes[0]` (a `~`).
fn parse_at(bytes: &[u8]) -> Parse {
    match bytes.get(1) {
        None => Parse::Incomplete,
        Some(b'w') => match bytes.get(2) {
            None => Parse::Incomplete,
            Some(b'~') => Parse::Found(Found::Probe, 3),
            Some(_) => Parse::Invalid,
        },
        Some(b'b') => parse_message(bytes),
        Some(_) => Parse::Invalid,
    }
}

/// `~b<u32>:<u32>:<u64>~`, with every number at least one digit.
fn parse_message(bytes: &[u8]) -> Parse {
    let mut fields = [0u64; 3];
    let mut field = 0;
    let mut digits = 0;
    for (i, &b) in bytes.iter().enumerate().skip(2) {
        if i >= MAX_MARKER {
            return Parse::Invalid;
        }
        match b {
            b'0'..=b'9' => {
                let value = fields[field]
                    .checked_mul(10)
                    .and_then(|v| v.checked_add(u64::from(b - b'0')));
                match value {
                    Some(v) => fields[field] = v,
                    None => return Parse::Invalid,
                }
                digits += 1;
            }
            b':' if digits > 0 && field < 2 => {
                field += 1;
                digits = 0;
            }
            b'~' if digits > 0 && field == 2 => {
                let (Ok(sender), Ok(seq)) = (u32::try_from(fields[0]), u32::try_from(fields[1]))
                else {
                    return Parse::Invalid;
                };
                let found = Found::Message {
                    sender,
                    seq,
                    sent_ns: fields[2],
                };
                return Parse::Found(found, i + 1);
            }
            _ => return Parse::Invalid,
        }
    }
    Parse::Incomplete
}

/// Finds markers in a byte stream delivered in arbitrary chunks. A marker cut between two
/// chunks is kept (at most [`MAX_MARKER`] bytes) and completed by the next one.
#[derive(Debug, Default)]
pub struct Scanner {
    /// The start of a marker that the previous chunk ended in the middle of.
    tail: Vec<u8>,
}

impl Scanner {
    /// Scans the next chunk of the stream, calling `on` for each marker in order.
    pub fn feed(&mut self, chunk: &[u8], mut on: impl FnMut(Found)) {
        let mut start = 0;
        if !self.tail.is_empty() {
            let old = self.tail.len();
            let take = (MAX_MARKER - old).min(chunk.len());
            self.tail.extend_from_slice(&chunk[..take]);
            match parse_at(&self.tail) {
                // The tail held no complete marker, so this one ends inside `chunk`.
                Parse::Found(found, len) => {
                    on(found);
                    start = len - old;
                }
                // Still cut: `chunk` was used up entirely; wait for more.
                Parse::Incomplete if self.tail.len() < MAX_MARKER => return,
                // The tail held no other `~` (it would have ended the marker), so rescanning
                // `chunk` from its start misses nothing.
                Parse::Incomplete | Parse::Invalid => start = 0,
            }
            self.tail.clear();
        }
        while let Some(i) = chunk[start..].iter().position(|&b| b == b'~') {
            let at = start + i;
            match parse_at(&chunk[at..]) {
                Parse::Found(found, len) => {
                    on(found);
                    start = at + len;
                }
                Parse::Incomplete => {
                    self.tail.extend_from_slice(&chunk[at..]);
                    return;
                }
                Parse::Invalid => start = at + 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_in_pieces(stream: &[u8], piece: usize) -> Vec<Found> {
        let mut scanner = Scanner::default();
        let mut found = Vec::new();
        for chunk in stream.chunks(piece) {
            scanner.feed(chunk, |f| found.push(f));
        }
        found
    }

    #[test]
    fn a_payload_is_padded_to_size_and_never_cut() {
        let mut out = Vec::new();
        payload(&mut out, 3, 17, 123_456, 64);
        assert_eq!(out.len(), 64);
        assert!(out.starts_with(b"~b3:17:123456~...."));
        payload(&mut out, 3, 17, 123_456, 4);
        assert_eq!(out, b"~b3:17:123456~");
    }

    #[test]
    fn markers_are_found_whatever_the_prefix_and_however_the_stream_is_cut() {
        let mut stream = Vec::new();
        let mut msg = Vec::new();
        for seq in 0..50u32 {
            payload(&mut msg, seq % 3, seq, u64::from(seq) * 1000, 40);
            stream.extend_from_slice(format!("c{} a dit : ", seq % 3).as_bytes());
            stream.extend_from_slice(&msg);
            stream.extend_from_slice(b"\nAnnonce : x~y a rejoint la chatroom\n");
            if seq % 10 == 0 {
                stream.extend_from_slice(PROBE);
            }
        }
        for piece in [1, 2, 3, 7, 13, 64, 100, stream.len()] {
            let found = scan_in_pieces(&stream, piece);
            let seqs: Vec<u32> = found
                .iter()
                .filter_map(|f| match f {
                    Found::Message { seq, sent_ns, .. } => {
                        assert_eq!(*sent_ns, u64::from(*seq) * 1000);
                        Some(*seq)
                    }
                    Found::Probe => None,
                })
                .collect();
            assert_eq!(seqs, (0..50).collect::<Vec<_>>(), "piece {piece}");
            assert_eq!(
                found.iter().filter(|f| **f == Found::Probe).count(),
                5,
                "piece {piece}"
            );
        }
    }

    #[test]
    fn glued_messages_without_separator_are_all_found() {
        let stream = b"a dit : ~b1:0:5~....b a dit : ~b1:1:6~~b2:0:7~..";
        for piece in 1..stream.len() {
            let found = scan_in_pieces(stream, piece);
            assert_eq!(found.len(), 3, "piece {piece}");
        }
    }

    #[test]
    fn garbage_is_not_a_marker() {
        for junk in [
            &b"~b~"[..],
            b"~b1:2~",
            b"~b1:2:3:4~",
            b"~bx:1:2~",
            b"~b99999999999:1:2~",
            b"~w.",
            b"~~~",
            b"~b1::2~",
        ] {
            assert_eq!(scan_in_pieces(junk, 1), vec![], "{junk:?}");
            assert_eq!(scan_in_pieces(junk, junk.len()), vec![], "{junk:?}");
        }
        let long = [b"~b".as_slice(), &[b'1'; 100], b":1:1~"].concat();
        assert_eq!(scan_in_pieces(&long, 5), vec![]);
    }
}
