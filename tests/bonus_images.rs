//! Bonus 5 end to end: the real client turns a PNG the test draws into ASCII art and sends
//! it; a raw client of the test, speaking frames, receives it from the real server. Files
//! that are missing or not images are refused by the client, which sends nothing. The
//! bonus 4 server (the previous stage) refuses images.

mod common;

use common::{NETWORK_WAIT, start};
use std::io::Write;
use std::process::{Command, Stdio};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tp6::chat::wire::{Incoming, MessageReader};
use tp6::protocol::{Codec, Event, Request, binary};

const SERVER: &str = env!("CARGO_BIN_EXE_chat_server_bonus_5_images");
const CLIENT: &str = env!("CARGO_BIN_EXE_chat_client_bonus_5_images");
const PREVIOUS: &str = env!("CARGO_BIN_EXE_chat_server_bonus_4_encoding");

struct Raw {
    reader: MessageReader<OwnedReadHalf, binary::ClientCodec>,
    writer: OwnedWriteHalf,
}

impl Raw {
    async fn join(addr: &str, pseudo: &str) -> Raw {
        let stream = tokio::time::timeout(NETWORK_WAIT, TcpStream::connect(addr))
            .await
            .expect("connect in time")
            .expect("connect");
        let (read, writer) = stream.into_split();
        let mut raw = Raw {
            reader: MessageReader::with_codec(read, binary::ClientCodec, binary::READ_SIZE),
            writer,
        };
        let hello = Request::Hello {
            pseudo: pseudo.into(),
            id: None,
        };
        raw.send(&hello).await;
        raw
    }

    async fn send(&mut self, request: &Request) {
        let frame = Codec::Binary.request(request);
        self.writer.write_all(&frame).await.expect("send");
    }

    /// The next event other than the ID frame.
    async fn next(&mut self) -> Event {
        loop {
            let got = tokio::time::timeout(NETWORK_WAIT, self.reader.next())
                .await
                .expect("an event in time");
            match got {
                Ok(Some(Incoming::Message(Event::Id(_)))) => continue,
                Ok(Some(Incoming::Message(event))) => return event,
                other => panic!("no event: {other:?}"),
            }
        }
    }
}

#[tokio::test]
async fn a_picture_drawn_by_the_client_reaches_the_others_and_bad_files_send_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("server.log");
    let (server, _console) = start(SERVER, &["--log-file", log.to_str().unwrap()]);
    let mut bob = Raw::join(&server.addr, "bob").await;
    assert_eq!(bob.next().await, Event::Joined("bob".into()));

    // A black square on white, 60 x 60 pixels.
    let png = dir.path().join("square.png");
    image::GrayImage::from_fn(60, 60, |x, y| {
        let inside = (15..45).contains(&x) && (15..45).contains(&y);
        image::Luma([if inside { 0 } else { 255 }])
    })
    .save(&png)
    .expect("save the png");
    let notes = dir.path().join("notes.png");
    std::fs::write(&notes, "not a picture").expect("write");

    let mut alice = Command::new(CLIENT)
        .args([
            "--port",
            server.port(),
            "--pseudo",
            "alice",
            "--art-width",
            "20",
        ])
        .arg("--id-file")
        .arg(dir.path().join("alice.id"))
        .arg("--log-file")
        .arg(dir.path().join("alice.log"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the client starts");
    assert_eq!(bob.next().await, Event::Joined("alice".into()));
    // A line over the server's limit is refused by the client itself: sent, the server
    // would refuse the frame and close the connection.
    let script = format!(
        "/img {}\n/img {}\n/di {}\n{}\nafter\n",
        dir.path().join("missing.png").display(),
        png.display(),
        notes.display(),
        "x".repeat(5000)
    );
    alice
        .stdin
        .take()
        .expect("stdin")
        .write_all(script.as_bytes())
        .expect("type");

    let Event::Image { pseudo, art, .. } = bob.next().await else {
        panic!("not an image")
    };
    assert_eq!(pseudo, "alice");
    let lines: Vec<&str> = art.split('\n').collect();
    // 60 x 60 at 20 columns: 10 lines, the middle ones dark in the middle.
    assert_eq!(lines.len(), 10, "{art}");
    assert!(lines[5].contains("@@@@"), "{art}");
    assert!(lines[0].trim().is_empty(), "{art}");
    // Nothing was sent for the two bad files: the next thing is the message after them.
    assert!(matches!(bob.next().await, Event::Said { text, .. } if text == "after"));
    assert_eq!(bob.next().await, Event::Left("alice".into()));

    let out = alice.wait_with_output().expect("the client ends");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("Image not sent: cannot read"), "{stdout}");
    assert!(
        stdout.contains("is not a PNG, JPEG or GIF image"),
        "{stdout}"
    );
    assert!(stdout.contains("Vous avez envoyé une image :"), "{stdout}");
    assert!(
        stdout.contains("Not sent: a message is at most 4096 bytes"),
        "{stdout}"
    );
}

#[tokio::test]
async fn the_previous_stage_refuses_images_and_keeps_the_connection() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("server.log");
    let (server, _console) = start(PREVIOUS, &["--log-file", log.to_str().unwrap()]);
    let mut bob = Raw::join(&server.addr, "bob").await;
    assert_eq!(bob.next().await, Event::Joined("bob".into()));
    bob.send(&Request::Image("@@\n@@".into())).await;
    assert_eq!(
        bob.next().await,
        Event::Error("ce serveur n'accepte pas les images".into())
    );
    let mut carol = Raw::join(&server.addr, "carol").await;
    assert_eq!(carol.next().await, Event::Joined("carol".into()));
    assert_eq!(bob.next().await, Event::Joined("carol".into()));
    bob.send(&Request::Say("still here".into())).await;
    assert!(matches!(carol.next().await, Event::Said { text, .. } if text == "still here"));
}
