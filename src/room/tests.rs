//! The bonus server in-process: [`run`] on an ephemeral port with a fixed clock, driven by
//! raw clients, exact bytes asserted.

use super::*;
use crate::chat::wire::Wire;
use crate::chat::wire::{Incoming, MessageReader};
use crate::clock::FixedClock;
use crate::protocol::lines::ClientCodec;
use crate::protocol::{Codec, Request, binary};
use crate::protocol::{Colour, Event};
use std::net::SocketAddr;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::task::JoinHandle;

const WAIT: Duration = Duration::from_secs(5);

struct Server {
    addr: SocketAddr,
    shutdown: CancellationToken,
    task: JoinHandle<anyhow::Result<()>>,
}

fn start(config: Config) -> Server {
    let listener = crate::net::listen("127.0.0.1:0".parse().unwrap()).expect("listen");
    let addr = listener.local_addr().expect("address");
    let shutdown = CancellationToken::new();
    let task = tokio::spawn(run(listener, config, shutdown.clone()));
    Server {
        addr,
        shutdown,
        task,
    }
}

fn styled() -> Config {
    let clock = FixedClock::at("2026-11-30T09:05:00+01:00").expect("a time");
    Config {
        style: Some(Style {
            clock: Arc::new(clock),
        }),
        ..Config::default()
    }
}

struct Peer {
    reader: MessageReader<OwnedReadHalf, ClientCodec>,
    writer: OwnedWriteHalf,
}

impl Peer {
    async fn connect(server: &Server) -> Peer {
        let stream = tokio::time::timeout(WAIT, TcpStream::connect(server.addr))
            .await
            .expect("connect in time")
            .expect("connect");
        let (read, writer) = stream.into_split();
        let codec = ClientCodec::new(Wire::Lines);
        let size = codec.read_size();
        Peer {
            reader: MessageReader::with_codec(read, codec, size),
            writer,
        }
    }

    async fn join(server: &Server, hello: &str) -> Peer {
        let mut peer = Peer::connect(server).await;
        peer.send(hello).await;
        peer
    }

    async fn send(&mut self, line: &str) {
        self.writer
            .write_all(format!("{line}\n").as_bytes())
            .await
            .expect("send");
    }

    /// The next event; `None` at end of stream.
    async fn next(&mut self) -> Option<Event> {
        match tokio::time::timeout(WAIT, self.reader.next()).await {
            Ok(Ok(Some(Incoming::Message(event)))) => Some(event),
            Ok(Ok(Some(Incoming::TooLong))) => panic!("an over-long line"),
            Ok(Ok(None)) | Ok(Err(_)) => None,
            Err(_) => panic!("nothing arrived within {WAIT:?}"),
        }
    }

    async fn expect(&mut self, want: Event) {
        assert_eq!(self.next().await, Some(want));
    }

    /// Nothing more arrives for a short while.
    async fn quiet(&mut self) {
        let got = tokio::time::timeout(Duration::from_millis(200), self.reader.next()).await;
        assert!(got.is_err(), "unexpected {got:?}");
    }
}

fn joined(p: &str) -> Event {
    Event::Joined(p.into())
}

#[tokio::test]
async fn bonus_1_relays_with_the_time_and_a_colour_per_member() {
    let server = start(styled());
    let mut alice = Peer::join(&server, "Hello|alice").await;
    alice.expect(joined("alice")).await;
    let mut bob = Peer::join(&server, "Hello|bob").await;
    alice.expect(joined("bob")).await;
    bob.expect(joined("bob")).await;
    alice.send("salut").await;
    let Some(Event::Said {
        time,
        pseudo,
        colour,
        text,
    }) = bob.next().await
    else {
        panic!("not a relay")
    };
    assert_eq!(
        (time.as_deref(), &*pseudo, &*text),
        (Some("09:05"), "alice", "salut")
    );
    bob.send("yo").await;
    let Some(Event::Said {
        colour: bob_colour, ..
    }) = alice.next().await
    else {
        panic!("not a relay")
    };
    assert!(colour.is_some() && bob_colour.is_some() && colour != bob_colour);
    // The sender hears nothing of its own message.
    alice.quiet().await;
    // The exact bytes of a relay.
    let mut raw = TcpStream::connect(server.addr).await.expect("connect");
    raw.write_all(b"Hello|carol\n").await.expect("send");
    let mut reader = MessageReader::new(raw, Wire::Lines);
    reader.next().await.expect("read");
    alice.expect(joined("carol")).await;
    bob.expect(joined("carol")).await;
    alice.send("x").await;
    let relay = tokio::time::timeout(WAIT, reader.next())
        .await
        .expect("in time");
    let colour = colour.map(|c: Colour| c.params().to_string()).unwrap();
    assert_eq!(
        relay.expect("read"),
        Some(Incoming::Message(format!(
            "[09:05] \x1b[{colour}malice\x1b[0m a dit : x"
        )))
    );
}

#[tokio::test]
async fn the_neutral_config_is_part_2s_server() {
    let server = start(Config::default());
    let mut alice = Peer::join(&server, "Hello|alice").await;
    alice.expect(joined("alice")).await;
    let mut bob = Peer::join(&server, "Hello|bob").await;
    alice.expect(joined("bob")).await;
    bob.expect(joined("bob")).await;
    alice.send("salut").await;
    bob.expect(Event::Said {
        time: None,
        pseudo: "alice".into(),
        colour: None,
        text: "salut".into(),
    })
    .await;
    drop(alice);
    bob.expect(Event::Left("alice".into())).await;
    // Before bonus 2 a second `|` is part of the pseudo: refused as in ii_5.
    let mut eve = Peer::join(&server, "Hello|eve|0123").await;
    eve.expect(Event::Error("le pseudo ne doit pas contenir de |".into()))
        .await;
    assert_eq!(eve.next().await, None);
    bob.quiet().await;
}

#[tokio::test]
async fn bonus_2_an_id_brings_a_user_back_from_another_connection() {
    let server = start(Config {
        ids: true,
        ..styled()
    });
    let mut alice = Peer::join(&server, "Hello|alice").await;
    let Some(Event::Id(id)) = alice.next().await else {
        panic!("no ID first")
    };
    assert!(ids::is_well_formed(&id), "{id}");
    alice.expect(joined("alice")).await;
    let mut bob = Peer::join(&server, "Hello|bob").await;
    let Some(Event::Id(bob_id)) = bob.next().await else {
        panic!("no ID first")
    };
    assert_ne!(id, bob_id);
    bob.expect(joined("bob")).await;
    alice.expect(joined("bob")).await;
    drop(alice);
    bob.expect(Event::Left("alice".into())).await;
    // Back from a new socket (another source port), under a new pseudo.
    let mut back = Peer::join(&server, &format!("Hello|alicia|{id}")).await;
    back.expect(Event::WelcomeBack("alicia".into())).await;
    bob.expect(Event::Back("alicia".into())).await;
    back.quiet().await;
    // The same ID again while its user is connected: refused, and nobody hears of it.
    let mut twin = Peer::join(&server, &format!("Hello|alice|{id}")).await;
    twin.expect(Event::Error("cet utilisateur est déjà connecté".into()))
        .await;
    assert_eq!(twin.next().await, None);
    bob.quiet().await;
    // An unknown or malformed ID is a new user.
    for hello in [
        "Hello|eve|ffffffffffffffffffffffffffffffff".to_string(),
        "Hello|eve|nope".to_string(),
    ] {
        let mut eve = Peer::join(&server, &hello).await;
        let Some(Event::Id(eve_id)) = eve.next().await else {
            panic!("no fresh ID for {hello}")
        };
        assert!(eve_id != id && ids::is_well_formed(&eve_id));
        eve.expect(joined("eve")).await;
        bob.expect(joined("eve")).await;
        back.expect(joined("eve")).await;
        drop(eve);
        bob.expect(Event::Left("eve".into())).await;
        back.expect(Event::Left("eve".into())).await;
    }
}

#[tokio::test]
async fn shutting_down_flushes_every_queue_then_says_so_and_returns() {
    const BURST: usize = 2_000;
    let server = start(styled());
    let mut talker = Peer::join(&server, "Hello|talker").await;
    talker.expect(joined("talker")).await;
    // This one reads nothing until the server has been told to stop.
    let mut listener = Peer::join(&server, "Hello|listener").await;
    talker.expect(joined("listener")).await;
    // This one reads: once it has every message, so has the listener's queue (a relay is
    // queued for every recipient at once).
    let mut witness = Peer::join(&server, "Hello|witness").await;
    witness.expect(joined("witness")).await;
    talker.expect(joined("witness")).await;
    for i in 0..BURST {
        talker.send(&format!("message {i}")).await;
    }
    for _ in 0..BURST {
        assert!(matches!(witness.next().await, Some(Event::Said { .. })));
    }
    server.shutdown.cancel();
    listener.expect(joined("listener")).await;
    listener.expect(joined("witness")).await;
    for i in 0..BURST {
        match listener.next().await {
            Some(Event::Said { text, .. }) => assert_eq!(text, format!("message {i}")),
            other => panic!("message {i} lost: got {other:?}"),
        }
    }
    listener.expect(Event::Closing).await;
    assert_eq!(listener.next().await, None, "the connection closes");
    talker.expect(Event::Closing).await;
    let ended = tokio::time::timeout(WAIT, server.task).await;
    assert!(matches!(ended, Ok(Ok(Ok(())))), "run returns: {ended:?}");
    // Nobody is accepted any more.
    assert!(TcpStream::connect(server.addr).await.is_err());
}

#[tokio::test(start_paused = true)]
async fn a_client_that_never_reads_cannot_hold_the_shutdown() {
    let server = start(Config::default());
    let silent = TcpStream::connect(server.addr).await.expect("connect");
    let mut alice = Peer::join(&server, "Hello|alice").await;
    alice.expect(joined("alice")).await;
    // Connected, not joined yet: it hears the close too. (Its over-long line is answered,
    // so the server has accepted it; an over-long line is no handshake.)
    let mut newcomer = Peer::connect(&server).await;
    newcomer.send(&"x".repeat(5000)).await;
    newcomer
        .expect(Event::Error("message trop long (max 4096 octets)".into()))
        .await;
    server.shutdown.cancel();
    alice.expect(Event::Closing).await;
    newcomer.expect(Event::Closing).await;
    assert_eq!(newcomer.next().await, None);
    // The silent one never sends nor closes: the server still returns within its bound.
    let ended = tokio::time::timeout(SHUTDOWN_BOUND, server.task).await;
    assert!(matches!(ended, Ok(Ok(Ok(())))), "run returns: {ended:?}");
    drop(silent);
}

#[tokio::test]
async fn dropped_before_it_returns_the_server_takes_its_sessions_with_it() {
    let server = start(Config::default());
    let mut alice = Peer::join(&server, "Hello|alice").await;
    alice.expect(joined("alice")).await;
    // Aborted, not shut down (an in-process check ending): no goodbye, but no session
    // left behind holding alice's connection either.
    server.task.abort();
    assert_eq!(alice.next().await, None);
}

/// A client speaking the frames of bonus 4.
struct FramePeer {
    reader: MessageReader<OwnedReadHalf, binary::ClientCodec>,
    writer: OwnedWriteHalf,
}

impl FramePeer {
    async fn join(server: &Server, pseudo: &str) -> FramePeer {
        let stream = TcpStream::connect(server.addr).await.expect("connect");
        let (read, writer) = stream.into_split();
        let reader = MessageReader::with_codec(read, binary::ClientCodec, binary::READ_SIZE);
        let mut peer = FramePeer { reader, writer };
        let hello = Request::Hello {
            pseudo: pseudo.into(),
            id: None,
        };
        peer.send_raw(&Codec::Binary.request(&hello)).await;
        peer
    }

    async fn send_raw(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).await.expect("send");
    }

    async fn say(&mut self, text: &str) {
        let frame = Codec::Binary.request(&Request::Say(text.into()));
        self.send_raw(&frame).await;
    }

    async fn next(&mut self) -> Option<Event> {
        match tokio::time::timeout(WAIT, self.reader.next()).await {
            Ok(Ok(Some(Incoming::Message(event)))) => Some(event),
            Ok(Ok(Some(Incoming::TooLong))) => panic!("frames are never skipped"),
            Ok(Ok(None)) | Ok(Err(_)) => None,
            Err(_) => panic!("nothing arrived within {WAIT:?}"),
        }
    }
}

#[tokio::test]
async fn bonus_4_frames_carry_the_fields_and_a_bad_frame_is_refused_alone() {
    let server = start(Config {
        codec: Codec::Binary,
        ..styled()
    });
    let mut alice = FramePeer::join(&server, "alice").await;
    assert_eq!(alice.next().await, Some(joined("alice")));
    let mut bob = FramePeer::join(&server, "bob").await;
    assert_eq!(alice.next().await, Some(joined("bob")));
    assert_eq!(bob.next().await, Some(joined("bob")));
    alice.say("ça va ?").await;
    let Some(Event::Said {
        time,
        pseudo,
        colour,
        text,
    }) = bob.next().await
    else {
        panic!("not a relay")
    };
    assert_eq!(
        (time.as_deref(), &*pseudo, &*text),
        (Some("09:05"), "alice", "ça va ?")
    );
    assert!(colour.is_some());
    // A hostile header: told why, then closed; the others never notice.
    let mut eve = FramePeer::join(&server, "eve").await;
    assert_eq!(eve.next().await, Some(joined("eve")));
    eve.send_raw(&[0x02, 0x09]).await;
    assert_eq!(
        eve.next().await,
        Some(Event::Error(
            "longueur de longueur invalide : 9 (de 1 à 8)".into()
        ))
    );
    assert_eq!(eve.next().await, None, "closed after the error");
    assert_eq!(alice.next().await, Some(joined("eve")));
    assert_eq!(alice.next().await, Some(Event::Left("eve".into())));
    bob.say("toujours là").await;
    assert!(matches!(alice.next().await, Some(Event::Said { text, .. }) if text == "toujours là"));
    // A second hello frame is refused, never relayed as text (its ID would leak).
    let hello = Request::Hello {
        pseudo: "bob".into(),
        id: Some("0123456789abcdef0123456789abcdef".into()),
    };
    bob.send_raw(&Codec::Binary.request(&hello)).await;
    // (After eve's join and leave, which bob has not read yet.)
    assert_eq!(bob.next().await, Some(joined("eve")));
    assert_eq!(bob.next().await, Some(Event::Left("eve".into())));
    assert!(matches!(bob.next().await, Some(Event::Error(_))));
    bob.say("encore").await;
    assert!(matches!(alice.next().await, Some(Event::Said { text, .. }) if text == "encore"));
}

#[tokio::test]
async fn bonus_5_pictures_are_relayed_within_their_bounds_only() {
    let server = start(Config {
        codec: Codec::Binary,
        images: true,
        ..styled()
    });
    let mut alice = FramePeer::join(&server, "alice").await;
    assert_eq!(alice.next().await, Some(joined("alice")));
    let mut bob = FramePeer::join(&server, "bob").await;
    assert_eq!(alice.next().await, Some(joined("bob")));
    assert_eq!(bob.next().await, Some(joined("bob")));
    let send = |art: String| Codec::Binary.request(&Request::Image(art));
    alice.send_raw(&send("/\\_/\\\n( o.o )".into())).await;
    assert!(
        matches!(bob.next().await, Some(Event::Image { art, .. }) if art == "/\\_/\\\n( o.o )")
    );
    // Too many lines, too long a line, an escape: refused, and the sender stays.
    for art in [
        "#\n".repeat(100) + "#",
        "#".repeat(201),
        "\x1b[2J".to_string(),
    ] {
        alice.send_raw(&send(art)).await;
        assert!(
            matches!(alice.next().await, Some(Event::Error(why)) if why.starts_with("image refusée"))
        );
    }
    alice.say("toujours là").await;
    assert!(matches!(bob.next().await, Some(Event::Said { text, .. }) if text == "toujours là"));
    // A first frame that is not a hello is refused like a first line that is not one.
    let stream = TcpStream::connect(server.addr).await.expect("connect");
    let (read, mut writer) = stream.into_split();
    let mut reader = MessageReader::with_codec(read, binary::ClientCodec, binary::READ_SIZE);
    writer
        .write_all(&Codec::Binary.request(&Request::Say("Bonjour".into())))
        .await
        .expect("send");
    let refused = tokio::time::timeout(WAIT, reader.next())
        .await
        .expect("in time");
    assert!(
        matches!(refused, Ok(Some(Incoming::Message(Event::Error(_))))),
        "{refused:?}"
    );
}
