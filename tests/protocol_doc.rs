//! PROTOCOL.md matches the binary codec: every hex example in it is decoded, and what it
//! decodes to is what the example says (a value, or an error), and encoding the value gives
//! the same bytes back (unless the example is marked `decode-only`).
//!
//! An example is a fenced block whose info string is `frame c2s` (client to server: decoded
//! as a server reads it) or `frame s2c` (server to client), optionally followed by
//! `decode-only` or `error`; hex bytes on its lines, then `=> <expected>` (the value's
//! `Debug`, or `error: <the error's Display>`).

use bytes::BytesMut;
use tokio_util::codec::{Decoder, Encoder};
use tp6::chat::wire::Incoming;
use tp6::protocol::binary::{ClientCodec, ServerCodec};

struct Example {
    direction: String,
    tag: String,
    bytes: Vec<u8>,
    expected: String,
    line: usize,
}

fn examples() -> Vec<Example> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/PROTOCOL.md"))
        .expect("PROTOCOL.md");
    let mut out = Vec::new();
    let mut lines = doc.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        let Some(info) = line.strip_prefix("```frame ") else {
            continue;
        };
        let mut words = info.split_whitespace();
        let direction = words.next().expect("a direction").to_string();
        let tag = words.next().unwrap_or("").to_string();
        let mut bytes = Vec::new();
        let mut expected = None;
        for (_, body) in lines.by_ref() {
            if body.starts_with("```") {
                break;
            }
            match body.strip_prefix("=> ") {
                Some(e) => expected = Some(e.to_string()),
                None => bytes.extend(body.split_whitespace().map(|h| {
                    u8::from_str_radix(h, 16).unwrap_or_else(|_| panic!("line {}: {h}", n + 1))
                })),
            }
        }
        out.push(Example {
            direction,
            tag,
            bytes,
            expected: expected.unwrap_or_else(|| panic!("line {}: no `=> `", n + 1)),
            line: n + 1,
        });
    }
    out
}

/// Decodes the whole example as a stream that ends after it: the one value, or the error.
fn decode<D, T>(mut codec: D, bytes: &[u8]) -> (String, Option<T>)
where
    D: Decoder<Item = Incoming<T>>,
    T: std::fmt::Debug,
    D::Error: std::fmt::Display,
{
    let mut buf = BytesMut::from(bytes);
    match codec.decode_eof(&mut buf) {
        Ok(Some(Incoming::TooLong)) => ("too long".to_string(), None),
        Ok(Some(Incoming::Message(item))) => {
            assert!(buf.is_empty(), "bytes left after the frame: {buf:?}");
            (format!("{item:?}"), Some(item))
        }
        Ok(None) => ("nothing".to_string(), None),
        Err(e) => (format!("error: {e}"), None),
    }
}

#[test]
fn every_hex_example_of_protocol_md_is_what_the_codec_reads_and_writes() {
    let examples = examples();
    assert!(
        examples.len() >= 20,
        "only {} examples found",
        examples.len()
    );
    for ex in &examples {
        let at = format!("PROTOCOL.md:{}", ex.line);
        let encoded = match ex.direction.as_str() {
            "c2s" => {
                let (got, item) = decode(ServerCodec, &ex.bytes);
                assert_eq!(got, ex.expected, "{at}");
                item.map(|request| {
                    let mut out = BytesMut::new();
                    ClientCodec.encode(&request, &mut out).expect("encode");
                    out
                })
            }
            "s2c" => {
                let (got, item) = decode(ClientCodec, &ex.bytes);
                assert_eq!(got, ex.expected, "{at}");
                item.map(|event| {
                    let mut out = BytesMut::new();
                    ServerCodec.encode(&event, &mut out).expect("encode");
                    out
                })
            }
            other => panic!("{at}: unknown direction {other}"),
        };
        match ex.tag.as_str() {
            "" => assert_eq!(
                encoded.as_deref(),
                Some(&ex.bytes[..]),
                "{at}: encoding gives other bytes"
            ),
            "decode-only" => assert!(encoded.is_some(), "{at}"),
            "error" => assert!(encoded.is_none(), "{at}: decoded, not an error"),
            other => panic!("{at}: unknown tag {other}"),
        }
    }
}
