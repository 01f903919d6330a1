//! Encode and decode throughput of the chat codecs: the bonus-4 binary frames against the
//! lines of `--wire lines`, on the same conversation (1,000 messages of 60 bytes).
//!
//! ```text
//! cargo bench --bench codec
//! ```
//!
//! What a server does per message: decode one request from a client, encode one event
//! (once, shared by every recipient); what a client does: decode events.

use bytes::BytesMut;
use divan::counter::BytesCount;
use tokio_util::codec::{Decoder, Encoder};
use tp6::chat::wire::Wire;
use tp6::protocol::{Colour, Event, Request, binary, lines};

fn main() {
    divan::main();
}

const MESSAGES: usize = 1_000;

fn said(i: usize) -> Event {
    Event::Said {
        time: Some("09:05".into()),
        pseudo: format!("user{}", i % 50),
        colour: Colour::parse("38;5;208"),
        text: format!("message {i:>6} {}", "é".repeat(22)),
    }
}

fn says() -> Vec<Request> {
    (0..MESSAGES)
        .map(|i| Request::Say(format!("message {i:>6} {}", "é".repeat(22))))
        .collect()
}

fn encoded_requests<E: for<'a> Encoder<&'a Request>>(mut codec: E) -> BytesMut
where
    for<'a> <E as Encoder<&'a Request>>::Error: std::fmt::Debug,
{
    let mut out = BytesMut::new();
    // A lines server expects the handshake first, like a binary one.
    let hello = Request::Hello {
        pseudo: "alice".into(),
        id: None,
    };
    codec.encode(&hello, &mut out).expect("encode");
    for r in says() {
        codec.encode(&r, &mut out).expect("encode");
    }
    out
}

fn encoded_events<E: for<'a> Encoder<&'a Event>>(mut codec: E) -> BytesMut
where
    for<'a> <E as Encoder<&'a Event>>::Error: std::fmt::Debug,
{
    let mut out = BytesMut::new();
    for i in 0..MESSAGES {
        codec.encode(&said(i), &mut out).expect("encode");
    }
    out
}

fn decode_all<D: Decoder>(mut codec: D, bytes: &BytesMut) -> usize
where
    D::Error: std::fmt::Debug,
{
    let mut buf = bytes.clone();
    let mut n = 0;
    while codec.decode(&mut buf).expect("decode").is_some() {
        n += 1;
    }
    n
}

#[divan::bench(name = "server decodes requests: binary")]
fn decode_requests_binary(bencher: divan::Bencher) {
    let bytes = encoded_requests(binary::ClientCodec);
    bencher
        .counter(BytesCount::new(bytes.len()))
        .bench(|| decode_all(binary::ServerCodec, &bytes));
}

#[divan::bench(name = "server decodes requests: lines")]
fn decode_requests_lines(bencher: divan::Bencher) {
    let bytes = encoded_requests(lines::ClientCodec::new(Wire::Lines));
    bencher
        .counter(BytesCount::new(bytes.len()))
        .bench(|| decode_all(lines::ServerCodec::new(Wire::Lines), &bytes));
}

#[divan::bench(name = "server encodes events: binary")]
fn encode_events_binary(bencher: divan::Bencher) {
    let len = encoded_events(binary::ServerCodec).len();
    bencher
        .counter(BytesCount::new(len))
        .bench(|| encoded_events(binary::ServerCodec).len());
}

#[divan::bench(name = "server encodes events: lines")]
fn encode_events_lines(bencher: divan::Bencher) {
    let len = encoded_events(lines::ServerCodec::new(Wire::Lines)).len();
    bencher
        .counter(BytesCount::new(len))
        .bench(|| encoded_events(lines::ServerCodec::new(Wire::Lines)).len());
}

#[divan::bench(name = "client decodes events: binary")]
fn decode_events_binary(bencher: divan::Bencher) {
    let bytes = encoded_events(binary::ServerCodec);
    bencher
        .counter(BytesCount::new(bytes.len()))
        .bench(|| decode_all(binary::ClientCodec, &bytes));
}

#[divan::bench(name = "client decodes events: lines")]
fn decode_events_lines(bencher: divan::Bencher) {
    let bytes = encoded_events(lines::ServerCodec::new(Wire::Lines));
    bencher
        .counter(BytesCount::new(bytes.len()))
        .bench(|| decode_all(lines::ClientCodec::new(Wire::Lines), &bytes));
}
