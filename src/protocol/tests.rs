//! The protocol types, their French text and their codecs.

use super::french::{parse_event, parse_request, render, render_request};
use super::lines::{ClientCodec, ServerCodec};
use super::*;
use crate::chat::wire::{Incoming, Wire};
use bytes::BytesMut;
use proptest::prelude::*;
use tokio_util::codec::{Decoder, Encoder};

fn said(time: Option<&str>, pseudo: &str, colour: Option<&str>, text: &str) -> Event {
    Event::Said {
        time: time.map(str::to_string),
        pseudo: pseudo.to_string(),
        colour: colour.map(|c| Colour::parse(c).expect("a colour")),
        text: text.to_string(),
    }
}

#[test]
fn every_event_has_the_course_text() {
    let cases = [
        (
            said(Some("09:05"), "alice", Some("31"), "salut"),
            "[09:05] \x1b[31malice\x1b[0m a dit : salut",
        ),
        (said(None, "bob", None, "yo"), "bob a dit : yo"),
        (
            Event::Joined("bob".into()),
            "Annonce : bob a rejoint la chatroom",
        ),
        (
            Event::Left("bob".into()),
            "Annonce : bob a quitté la chatroom",
        ),
        (Event::Back("bob".into()), "Annonce : bob est de retour !"),
        (Event::WelcomeBack("bob".into()), "Welcome back bob !"),
        (Event::Id("00ff".into()), "ID|00ff"),
        (Event::Error("pseudo vide".into()), "Erreur : pseudo vide"),
        (Event::Closing, "Annonce : le serveur ferme la chatroom"),
    ];
    for (event, text) in cases {
        assert_eq!(render(&event), text);
        assert_eq!(parse_event(text), event, "reading back {text:?}");
    }
}

#[test]
fn only_foreground_colours_are_colours() {
    for ok in [
        "31",
        "37",
        "90",
        "97",
        "38;5;208",
        "38;5;0",
        "38;2;255;128;0",
    ] {
        assert!(Colour::parse(ok).is_some(), "{ok}");
    }
    for bad in [
        "", "0", "1", "5", "7", "8", "38", "38;5", "38;5;256", "41", "2J", "31;1", "38;2;1;2",
        "1;31", "0031", "3 1", "31m",
    ] {
        assert!(Colour::parse(bad).is_none(), "{bad:?}");
    }
}

#[test]
fn a_line_that_only_looks_coloured_is_shown_as_it_came() {
    // An escape sequence that is not a colour, or a colour never reset, is not a relay.
    for text in [
        "[09:05] \x1b[2Jalice\x1b[0m a dit : x",
        "[09:05] \x1b[31malice a dit : x",
        "\x1b[31m\x1b[0m a dit : x",
    ] {
        assert_eq!(
            parse_event(text),
            Event::Other(text.to_string()),
            "{text:?}"
        );
    }
    // A message may contain anything, even what looks like a second relay.
    assert_eq!(
        parse_event("[23:59] \x1b[92ma\x1b[0m a dit : \x1b[31mb\x1b[0m a dit : c"),
        said(Some("23:59"), "a", Some("92"), "\x1b[31mb\x1b[0m a dit : c")
    );
    // A character across the time's fifth byte (this once panicked: text is a peer's).
    assert_eq!(
        parse_event("[09:0é] x a dit : y"),
        said(None, "[09:0é] x", None, "y")
    );
    assert_eq!(parse_event("[0é"), Event::Other("[0é".into()));
    // Not a time: the bracket belongs to the pseudo.
    assert_eq!(
        parse_event("[24:00] x a dit : y"),
        said(None, "[24:00] x", None, "y")
    );
}

#[test]
fn only_the_first_message_is_a_handshake() {
    assert_eq!(
        parse_request("Hello|alice".into(), true),
        Request::Hello {
            pseudo: "alice".into(),
            id: None
        }
    );
    assert_eq!(
        parse_request("Hello|alice|0a1b|x".into(), true),
        Request::Hello {
            pseudo: "alice".into(),
            id: Some("0a1b|x".into())
        }
    );
    assert_eq!(
        parse_request("Bonjour".into(), true),
        Request::Say("Bonjour".into())
    );
    assert_eq!(
        parse_request("Hello|alice".into(), false),
        Request::Say("Hello|alice".into())
    );
    let hello = Request::Hello {
        pseudo: "a".into(),
        id: Some("b".into()),
    };
    assert_eq!(render_request(&hello), "Hello|a|b");
}

/// Decodes `bytes` cut at `cut`, the way reads may cut a stream.
fn decode_in_two<D: Decoder<Error = std::io::Error>>(
    mut codec: D,
    bytes: &[u8],
    cut: usize,
) -> Vec<D::Item> {
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for part in [&bytes[..cut], &bytes[cut..]] {
        buf.extend_from_slice(part);
        while let Some(item) = codec.decode(&mut buf).expect("decode") {
            out.push(item);
        }
    }
    while let Some(item) = codec.decode_eof(&mut buf).expect("decode") {
        out.push(item);
    }
    out
}

#[test]
fn a_server_reads_the_same_requests_wherever_the_stream_is_cut() {
    let bytes = b"Hello|zo\xc3\xa9|abc\nHello|x\n\nsalut \xff\r\n";
    let want = vec![
        Incoming::Message(Request::Hello {
            pseudo: "zoé".into(),
            id: Some("abc".into()),
        }),
        Incoming::Message(Request::Say("Hello|x".into())),
        Incoming::Message(Request::Say(String::new())),
        Incoming::Message(Request::Say("salut \u{fffd}".into())),
    ];
    for cut in 0..=bytes.len() {
        let got = decode_in_two(ServerCodec::new(Wire::Lines), bytes, cut);
        assert_eq!(got, want, "cut at {cut}");
    }
}

#[test]
fn events_survive_the_codecs_both_ways() {
    let events = vec![
        said(Some("00:00"), "zoé", Some("38;5;208"), "ça va ?"),
        Event::Joined("a b".into()),
        Event::Id("0123456789abcdef0123456789abcdef".into()),
        Event::Closing,
    ];
    let mut server = ServerCodec::new(Wire::Lines);
    let mut bytes = BytesMut::new();
    for e in &events {
        server.encode(e, &mut bytes).expect("encode");
    }
    let bytes = bytes.freeze();
    for cut in 0..=bytes.len() {
        let got = decode_in_two(ClientCodec::new(Wire::Lines), &bytes, cut);
        let want: Vec<_> = events.iter().cloned().map(Incoming::Message).collect();
        assert_eq!(got, want, "cut at {cut}");
    }
}

#[test]
fn an_over_long_request_is_not_the_end_of_the_stream() {
    let mut bytes = vec![b'x'; 5000];
    bytes.extend_from_slice(b"\nHello|late\n");
    let got = decode_in_two(ServerCodec::new(Wire::Lines), &bytes, 4000);
    assert_eq!(
        got,
        vec![
            Incoming::TooLong,
            // An over-long line is no handshake: the next line still can be.
            Incoming::Message(Request::Hello {
                pseudo: "late".into(),
                id: None
            }),
        ]
    );
}

#[test]
fn a_time_cut_inside_a_character_is_not_a_time() {
    // Found by `any_text_parses`: the fifth byte after `[` is inside `𐿠`; this panicked.
    assert_eq!(parse_event("[ぁ𐿠"), Event::Other("[ぁ𐿠".into()));
}

proptest! {
    /// Whatever a server sends, a client reads it without panicking, and what it renders
    /// from a relay is what the relay said.
    #[test]
    fn any_text_parses(text in "\\PC{0,40}|.{0,40}") {
        let event = parse_event(&text);
        if let Event::Said { .. } = &event {
            prop_assert_eq!(render(&event), text);
        }
    }

    #[test]
    fn said_events_round_trip(
        time in proptest::option::of("(0[0-9]|1[0-9]|2[0-3]):[0-5][0-9]"),
        pseudo in "[a-zA-Z0-9éà ]{1,32}",
        colour in proptest::option::of(prop_oneof!["3[0-7]", "9[0-7]", "38;5;[0-9]{1,2}"]),
        text in "\\PC{0,60}",
    ) {
        prop_assume!(!pseudo.contains(" a dit : ") && !pseudo.starts_with("Annonce : "));
        prop_assume!(colour.is_some() || !pseudo.starts_with('['));
        let event = said(time.as_deref(), &pseudo, colour.as_deref(), &text);
        prop_assert_eq!(parse_event(&render(&event)), event);
    }
}
