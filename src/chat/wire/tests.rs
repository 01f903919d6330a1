//! Framing tests: chunk boundaries, line ends, the length cap, invalid UTF-8, `tp` mode.

use super::*;
use proptest::prelude::*;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::ReadBuf;

/// A stream that returns the given chunks one read at a time, as TCP may.
struct Chunks(std::collections::VecDeque<Vec<u8>>);

impl AsyncRead for Chunks {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if let Some(mut chunk) = self.0.pop_front() {
            let n = chunk.len().min(buf.remaining());
            buf.put_slice(&chunk[..n]);
            if n < chunk.len() {
                self.0.push_front(chunk.split_off(n));
            }
        }
        Poll::Ready(Ok(()))
    }
}

fn read_all(chunks: Vec<Vec<u8>>, wire: Wire) -> Vec<Incoming> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut reader = MessageReader::new(Chunks(chunks.into()), wire);
        let mut out = Vec::new();
        while let Some(m) = reader.next().await.unwrap() {
            out.push(m);
        }
        out
    })
}

fn msg(s: &str) -> Incoming {
    Incoming::Message(s.to_string())
}

#[test]
fn lines_split_on_newline_and_drop_carriage_returns() {
    let got = read_all(
        vec![b"one\r\ntw".to_vec(), b"o\nthree".to_vec()],
        Wire::Lines,
    );
    assert_eq!(got, vec![msg("one"), msg("two"), msg("three")]);
}

#[test]
fn several_messages_in_one_read_are_all_returned() {
    let got = read_all(vec![b"a\nb\n\nc\n".to_vec()], Wire::Lines);
    assert_eq!(got, vec![msg("a"), msg("b"), msg(""), msg("c")]);
}

#[test]
fn a_line_of_exactly_the_limit_passes_and_one_byte_more_does_not() {
    let max = "x".repeat(MAX_MESSAGE);
    let over = "y".repeat(MAX_MESSAGE + 1);
    let input = format!("{max}\n{over}\r\nafter\n").into_bytes();
    let got = read_all(vec![input], Wire::Lines);
    assert_eq!(got, vec![msg(&max), Incoming::TooLong, msg("after")]);
}

#[test]
fn an_endless_line_is_reported_once_and_the_stream_recovers() {
    // 100 KiB without a newline, in small reads: one TooLong, then the next line.
    let mut chunks: Vec<Vec<u8>> = (0..100).map(|_| vec![b'z'; 1024]).collect();
    chunks.push(b"\nok\n".to_vec());
    let got = read_all(chunks, Wire::Lines);
    assert_eq!(got, vec![Incoming::TooLong, msg("ok")]);
}

#[test]
fn invalid_utf8_is_replaced_not_fatal() {
    let got = read_all(vec![b"caf\xc3\n\xff\xfe\nok\n".to_vec()], Wire::Lines);
    assert_eq!(
        got,
        vec![msg("caf\u{fffd}"), msg("\u{fffd}\u{fffd}"), msg("ok")]
    );
}

#[test]
fn tp_mode_takes_each_read_as_one_message() {
    let got = read_all(vec![b"hello".to_vec(), b"two words\n".to_vec()], Wire::Tp);
    assert_eq!(got, vec![msg("hello"), msg("two words")]);
}

#[test]
fn encode_terminates_lines_and_keeps_them_single() {
    assert_eq!(&encode(Wire::Lines, "a dit : hi")[..], b"a dit : hi\n");
    assert_eq!(&encode(Wire::Lines, "two\nlines\r")[..], b"two lines \n");
    assert_eq!(&encode(Wire::Tp, "raw")[..], b"raw");
}

#[test]
fn blocking_reader_reads_one_message() {
    let mut input: &[u8] = b"Hello 127.0.0.1:4242\nrest\n";
    let got = read_one_blocking(&mut input, Wire::Lines).unwrap();
    assert_eq!(got, Some(msg("Hello 127.0.0.1:4242")));
    let mut empty: &[u8] = b"";
    assert_eq!(read_one_blocking(&mut empty, Wire::Lines).unwrap(), None);
}

proptest! {
    /// Whatever the read boundaries, the messages that come out are the lines that went in.
    #[test]
    fn chunking_never_changes_the_messages(
        lines in proptest::collection::vec("[^\n\r]{0,40}", 0..20),
        cuts in proptest::collection::vec(1usize..16, 1..40),
    ) {
        let mut bytes = Vec::new();
        for l in &lines {
            bytes.extend_from_slice(l.as_bytes());
            bytes.push(b'\n');
        }
        let mut chunks = Vec::new();
        let mut rest = &bytes[..];
        for cut in cuts.iter().cycle() {
            if rest.is_empty() { break; }
            let n = (*cut).min(rest.len());
            chunks.push(rest[..n].to_vec());
            rest = &rest[n..];
        }
        let got = read_all(chunks, Wire::Lines);
        let want: Vec<Incoming> = lines.iter().map(|l| msg(l)).collect();
        prop_assert_eq!(got, want);
    }

    /// Arbitrary bytes never panic the reader, and no message exceeds the cap.
    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..20000)) {
        for wire in [Wire::Lines, Wire::Tp] {
            for m in read_all(vec![data.clone()], wire) {
                if let Incoming::Message(s) = m {
                    // Lossy replacement can grow invalid bytes to 3 bytes each.
                    prop_assert!(s.len() <= 3 * MAX_MESSAGE);
                }
            }
        }
    }
}

/// The codec alone (no I/O): fed a stream cut at every byte boundary, in two parts, it
/// finds the same messages as fed all at once, and what its encoder writes decodes back.
#[test]
fn the_codec_cuts_lines_the_same_wherever_the_stream_is_split() {
    use tokio_util::codec::{Decoder, Encoder};
    let stream = "bonjour\r\nça va ?\n\nun\u{fffd}\ndernier sans fin".as_bytes();
    let decode_all = |parts: &[&[u8]]| {
        let mut codec = WireCodec::new(Wire::Lines, MAX_MESSAGE);
        let mut buf = bytes::BytesMut::new();
        let mut got = Vec::new();
        for part in parts {
            buf.extend_from_slice(part);
            while let Some(m) = codec.decode(&mut buf).unwrap() {
                got.push(m);
            }
        }
        while let Some(m) = codec.decode_eof(&mut buf).unwrap() {
            got.push(m);
        }
        got
    };
    let whole = decode_all(&[stream]);
    let texts: Vec<_> = ["bonjour", "ça va ?", "", "un\u{fffd}", "dernier sans fin"]
        .map(|t| Incoming::Message(t.to_string()))
        .to_vec();
    assert_eq!(whole, texts);
    for cut in 0..=stream.len() {
        let (a, b) = stream.split_at(cut);
        assert_eq!(decode_all(&[a, b]), whole, "split at byte {cut}");
    }
    let mut codec = WireCodec::new(Wire::Lines, MAX_MESSAGE);
    let mut out = bytes::BytesMut::new();
    codec.encode("deux\nlignes", &mut out).unwrap();
    assert_eq!(&out[..], b"deux lignes\n");
    assert_eq!(
        codec.decode(&mut out).unwrap(),
        Some(Incoming::Message("deux lignes".into()))
    );
}
