//! The binary codec: every frame round-trips, wherever the stream is cut; hostile headers
//! give a typed error, never a panic and never an allocation beyond the limit.

use super::*;
use proptest::prelude::*;

fn encode_requests(requests: &[Request]) -> BytesMut {
    let mut out = BytesMut::new();
    for r in requests {
        ClientCodec.encode(r, &mut out).expect("encode");
    }
    out
}

fn encode_events(events: &[Event]) -> BytesMut {
    let mut out = BytesMut::new();
    for e in events {
        ServerCodec.encode(e, &mut out).expect("encode");
    }
    out
}

/// Decodes `bytes` fed in pieces cut at `cuts`, then the end of the stream.
fn decode_cut<D: Decoder>(
    mut codec: D,
    bytes: &[u8],
    cuts: &[usize],
) -> Result<Vec<D::Item>, D::Error> {
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    let mut from = 0;
    for &cut in cuts.iter().chain(std::iter::once(&bytes.len())) {
        let cut = cut.clamp(from, bytes.len());
        buf.extend_from_slice(&bytes[from..cut]);
        from = cut;
        while let Some(item) = codec.decode(&mut buf)? {
            out.push(item);
        }
    }
    while let Some(item) = codec.decode_eof(&mut buf)? {
        out.push(item);
    }
    Ok(out)
}

fn messages<T>(items: Vec<T>) -> Vec<Incoming<T>> {
    items.into_iter().map(Incoming::Message).collect()
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof!["\\PC{0,50}", "[a-z]{0,5}", ".{0,2000}"]
}

fn colour() -> impl Strategy<Value = Option<Colour>> {
    proptest::option::of(
        prop_oneof!["3[0-7]", "9[0-7]", "38;5;[0-9]{1,2}"].prop_map(|c| Colour::parse(&c).unwrap()),
    )
}

fn request() -> impl Strategy<Value = Request> {
    prop_oneof![
        text().prop_map(Request::Say),
        ("[a-zé ]{0,32}", proptest::option::of("[0-9a-f]{1,32}"))
            .prop_map(|(pseudo, id)| Request::Hello { pseudo, id }),
        text().prop_map(Request::Image),
    ]
}

fn event() -> impl Strategy<Value = Event> {
    let time = proptest::option::of("[0-2][0-9]:[0-5][0-9]");
    let pseudo = "[a-zé ]{1,32}";
    prop_oneof![
        (time.clone(), pseudo, colour(), text()).prop_map(|(time, pseudo, colour, text)| {
            Event::Said {
                time,
                pseudo,
                colour,
                text,
            }
        }),
        (time, pseudo, colour(), text()).prop_map(|(time, pseudo, colour, art)| Event::Image {
            time,
            pseudo,
            colour,
            art
        }),
        pseudo.prop_map(Event::Joined),
        pseudo.prop_map(Event::Left),
        pseudo.prop_map(Event::Back),
        pseudo.prop_map(Event::WelcomeBack),
        Just(Event::Closing),
        "[0-9a-f]{32}".prop_map(Event::Id),
        text().prop_map(Event::Error),
    ]
}

proptest! {
    #[test]
    fn requests_round_trip_wherever_the_stream_is_cut(
        requests in proptest::collection::vec(request(), 1..5),
        cuts in proptest::collection::vec(0usize..9000, 0..6),
    ) {
        let bytes = encode_requests(&requests);
        let mut cuts = cuts;
        cuts.sort_unstable();
        prop_assert_eq!(decode_cut(ServerCodec, &bytes, &cuts).expect("decode"), messages(requests));
    }

    #[test]
    fn events_round_trip_wherever_the_stream_is_cut(
        events in proptest::collection::vec(event(), 1..5),
        cuts in proptest::collection::vec(0usize..9000, 0..6),
    ) {
        let bytes = encode_events(&events);
        let mut cuts = cuts;
        cuts.sort_unstable();
        prop_assert_eq!(decode_cut(ClientCodec, &bytes, &cuts).expect("decode"), messages(events));
    }

    /// Whatever arrives, the reader gives frames or a typed error, and never holds more
    /// than the largest frame allowed.
    #[test]
    fn any_bytes_give_frames_or_an_error_within_the_limit(
        bytes in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        for cut in [0, 1, 2, 3, bytes.len() / 2] {
            let _ = decode_cut(ServerCodec, &bytes, &[cut]);
            let _ = decode_cut(ClientCodec, &bytes, &[cut]);
        }
        let mut buf = BytesMut::from(&bytes[..]);
        while let Ok(Some(_)) = ServerCodec.decode(&mut buf) {}
        prop_assert!(buf.capacity() <= bytes.len().max(MAX_IMAGE + 16));
    }
}

#[test]
fn every_byte_boundary_of_a_conversation() {
    let events = vec![
        Event::Id("0123456789abcdef0123456789abcdef".into()),
        Event::Joined("zoé".into()),
        Event::Said {
            time: Some("09:05".into()),
            pseudo: "zoé".into(),
            colour: Colour::parse("38;5;208"),
            text: "ça va ?".into(),
        },
        Event::Image {
            time: None,
            pseudo: "bob".into(),
            colour: None,
            art: "#.#\n.#.".into(),
        },
        Event::Closing,
    ];
    let bytes = encode_events(&events);
    for cut in 0..=bytes.len() {
        assert_eq!(
            decode_cut(ClientCodec, &bytes, &[cut]).expect("decode"),
            messages(events.clone()),
            "cut {cut}"
        );
    }
    // Where each frame ends.
    let ends: Vec<usize> = events
        .iter()
        .scan(0, |at, e| {
            *at += encode_events(std::slice::from_ref(e)).len();
            Some(*at)
        })
        .collect();
    for cut in 0..bytes.len() {
        // A stream that ends early ends with an error, unless it ends between frames.
        let early = decode_cut(ClientCodec, &bytes[..cut], &[]);
        if cut == 0 || ends.contains(&cut) {
            let whole = ends.iter().filter(|&&e| e <= cut).count();
            assert_eq!(early.expect("whole frames").len(), whole, "cut {cut}");
        } else {
            assert!(
                matches!(early, Err(FrameError::Truncated)),
                "cut {cut}: {early:?}"
            );
        }
    }
}

#[test]
fn a_hostile_header_costs_nothing_and_says_why() {
    let cases: Vec<(&[u8], &str)> = vec![
        (
            &[0x02, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            "TooLong",
        ),
        (
            &[0x02, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x01],
            "TooLong",
        ),
        (&[0x01, 0xff, 0xff], "TooLong"),
        (&[0x03, 0x01, 0x01], "TooLong"),
        (&[0x04, 0x04, 0x7f, 0xff, 0xff, 0xff], "TooLong"),
        (&[0x02, 0x00], "LengthOfLength"),
        (&[0x02, 0x09], "LengthOfLength"),
        (&[0x02, 0xff], "LengthOfLength"),
        (&[0x00], "UnknownType"),
        (&[0x81, 0x00, 0x00], "UnknownType"),
        (&[0x01, 0x00, 0x01, 0xff], "InvalidUtf8"),
        (&[0x03, 0x00, 0x01, 0x00], "Malformed"),
    ];
    for (bytes, want) in cases {
        let mut buf = BytesMut::from(bytes);
        let got = ServerCodec.decode(&mut buf);
        let kind = format!("{got:?}");
        assert!(kind.contains(want), "{bytes:02x?}: {kind}");
        assert!(
            buf.capacity() < 64,
            "{bytes:02x?}: reserved {}",
            buf.capacity()
        );
    }
    // The largest allowed text reserves its body, and not a byte more than its frame.
    let mut buf = BytesMut::from(&[0x02, 0x02, 0x10, 0x00][..]);
    assert!(matches!(ServerCodec.decode(&mut buf), Ok(None)));
    assert!(buf.capacity() <= MAX_MESSAGE + 64, "{}", buf.capacity());
}

#[test]
fn long_lengths_use_as_few_bytes_as_needed() {
    let mut out = BytesMut::new();
    put_frame(
        &mut out,
        TEXT_LONG,
        Form::Long,
        &[Part::Rest(&"x".repeat(300))],
    );
    assert_eq!(&out[..4], &[0x02, 0x02, 0x01, 0x2c]);
    let mut out = BytesMut::new();
    put_frame(&mut out, TEXT_LONG, Form::Long, &[]);
    assert_eq!(&out[..], &[0x02, 0x01, 0x00]);
}
