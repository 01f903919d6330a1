//! The binary clients, bonus 4 ("Encodage maison") and bonus 5 ("Envoi d'images"): the
//! fake server reads and writes the frames themselves (grade's own codec, [`frames`]).
//!
//! The earlier checks keep running on these clients, their messages carried by frames (see
//! the fake server's docs); these check what the frames add: a hello frame with the pseudo
//! and ID fields, text frames whose lengths count bytes, a said frame and notices shown as
//! the French lines, and for bonus 5 the pictures both ways and a missing file refused
//! locally.

use super::ClientTarget;
use super::fake_server::{FakeServer, Peer, WAIT};
use super::program::{Client, PSEUDO, join};
use crate::grade::frames::{self, Frame};
use crate::grade::patience::patient;
use crate::grade::says::{joined, left};
use crate::grade::{CheckResult, Failure, fail, show};
use std::time::Duration;

/// How long a client has to exit after an error frame.
const EXIT_WAIT: Duration = Duration::from_secs(2);

/// Fails unless `got` is the frame `want`, showing both in PROTOCOL.md's hex.
fn same_frame(what: &str, want: &[u8], got: &Frame) -> CheckResult {
    let got = frames::encode(got.kind, &got.body);
    if got == want {
        return Ok(());
    }
    fail(format!(
        "{what}: expected {} got {}",
        frames::hex(want),
        frames::hex(&got)
    ))
}

/// Starts the client and reads its first frame, which must be alice's hello with no ID
/// (a first run: the ID file, if any, is fresh); sends her join notice back.
async fn hello(target: &ClientTarget) -> Result<(Client, Peer), Failure> {
    let server = FakeServer::start(target.wire).await?;
    let client = Client::start(target, &server, true)?;
    let mut client = client;
    if !crate::grade::process::mentions(&target.command, "pseudo") {
        client.type_line(PSEUDO).await?;
    }
    let (client, mut peer) = super::program::connect(&server, client).await?;
    let first = peer.recv_frame("a hello frame").await?;
    same_frame("the first frame", &frames::hello(PSEUDO, ""), &first)?;
    Ok((client, peer))
}

pub(super) async fn hello_frame(target: &ClientTarget) -> CheckResult {
    hello(target).await.map(|_| ())
}

pub(super) async fn text_frames(target: &ClientTarget) -> CheckResult {
    let (mut client, mut peer) = hello(target).await?;
    // Bytes, not characters: `ç`, `û`, `€` are 2, 2 and 3 bytes.
    for text in ["salut", "ça coûte 5 € !"] {
        client.type_line(text).await?;
        let got = peer
            .recv_frame(&format!("the text frame of {}", show(text)))
            .await?;
        // Either form: PROTOCOL.md's client sends the short one while it fits, but the
        // course names type 2, and a body that reads back whole has its length in bytes.
        let long = got.kind == frames::TEXT_LONG && got.body == text.as_bytes();
        if !long {
            same_frame(
                &format!("the line {} typed", show(text)),
                &frames::text(text),
                &got,
            )?;
        }
    }
    Ok(())
}

pub(super) async fn renders_frames(target: &ClientTarget) -> CheckResult {
    let (mut client, mut peer) = hello(target).await?;
    let notice = |kind: u8, pseudo: &str| {
        frames::encode(
            frames::NOTICE,
            &[&[kind][..], &frames::fields(&[pseudo])].concat(),
        )
    };
    peer.send_raw(&notice(1, "bob")).await?;
    client
        .expect_line_with(&joined("bob"), patient(WAIT))
        .await?;
    let said = frames::encode(
        frames::SAID,
        &frames::fields(&["12:34", "bob", "31", "coucou alice"]),
    );
    peer.send_raw(&said).await?;
    let line = client
        .expect_line_with("bob a dit : coucou alice", patient(WAIT))
        .await?;
    if !line.contains("12:34") {
        return fail(format!(
            "the said frame {}: expected it shown with its time 12:34 got {}",
            frames::hex(&said),
            show(&line)
        ));
    }
    peer.send_raw(&notice(2, "bob")).await?;
    client
        .expect_line_with(&left("bob"), patient(WAIT))
        .await
        .map(|_| ())
}

/// Sends `bytes`, closes when `close`, and expects the client to show `reason` (on stdout
/// or stderr) and exit within [`EXIT_WAIT`].
async fn shows_and_exits(
    target: &ClientTarget,
    what: &str,
    bytes: &[u8],
    close: bool,
    reason: &str,
) -> CheckResult {
    let (mut client, mut peer) = hello(target).await?;
    peer.send_raw(bytes).await?;
    if close {
        peer.close().await;
    }
    let status = client.wait_exit(patient(EXIT_WAIT)).await;
    let output = client.stop().await;
    let shown = output.lines.iter().any(|l| l.contains(reason)) || output.stderr.contains(reason);
    match status {
        Some(_) if shown => Ok(()),
        Some(status) => fail(format!(
            "after {what} {}: expected {} shown got {} ({status}); stderr {}",
            frames::hex(bytes),
            show(reason),
            super::program::describe_lines(&output.lines),
            show(&output.stderr)
        )),
        None => fail(format!(
            "after {what} {}: expected the client to exit within {} s, it kept running",
            frames::hex(bytes),
            crate::grade::patience::secs(patient(EXIT_WAIT))
        )),
    }
}

pub(super) async fn error_frame(target: &ClientTarget) -> CheckResult {
    let reason = "cet utilisateur est déjà connecté";
    let bytes = frames::encode(frames::ERROR, reason.as_bytes());
    shows_and_exits(target, "an error frame and the close", &bytes, true, reason).await
}

pub(super) async fn bad_frame(target: &ClientTarget) -> CheckResult {
    // PROTOCOL.md's example: a notice of kind 9, the connection left open.
    let bytes = [frames::NOTICE, 0, 3, 9, 0, 0];
    shows_and_exits(
        target,
        "an unreadable frame",
        &bytes,
        false,
        "genre d'annonce inconnu",
    )
    .await
}

/// A black picture of `w` by `h` pixels, as a PNG file in `dir`.
fn black_png(dir: &std::path::Path, w: u32, h: u32) -> Result<std::path::PathBuf, Failure> {
    let path = dir.join("noir.png");
    image::RgbImage::from_pixel(w, h, image::Rgb([0, 0, 0]))
        .save(&path)
        .map_err(|e| Failure::Fail(format!("grade could not write a PNG: {e}")))?;
    Ok(path)
}

pub(super) async fn sends_image(target: &ClientTarget) -> CheckResult {
    let dir = tempfile::Builder::new().prefix("grade-img-").tempdir()?;
    // 128 by 64 pixels drawn 64 characters wide (the default width): 32 pixel rows to a
    // character's width, 16 lines with the characters twice as tall as they are wide.
    let path = black_png(dir.path(), 128, 64)?;
    let server = FakeServer::start(target.wire).await?;
    let (mut client, mut peer, _) = join(target, &server).await?;
    client
        .type_line(&format!("/img {}", path.display()))
        .await?;
    let got = peer.recv_frame("an image frame (0x04)").await?;
    if got.kind != frames::IMAGE {
        return fail(format!(
            "after `/img <a PNG>`: expected an image frame (0x04) got {}",
            frames::hex(&frames::encode(got.kind, &got.body))
        ));
    }
    let art = String::from_utf8_lossy(&got.body);
    let lines: Vec<&str> = art.lines().filter(|l| !l.trim().is_empty()).collect();
    let widths: Vec<usize> = lines.iter().map(|l| l.chars().count()).collect();
    if lines.is_empty() || widths.iter().any(|w| *w != 64) || !(14..=18).contains(&lines.len()) {
        return fail(format!(
            "a black picture of 128 x 64 pixels: expected 16 (±2) lines of 64 characters got {} lines of widths {widths:?}",
            lines.len()
        ));
    }
    Ok(())
}

pub(super) async fn missing_image(target: &ClientTarget) -> CheckResult {
    let dir = tempfile::Builder::new().prefix("grade-img-").tempdir()?;
    let missing = dir.path().join("absente.png");
    // Text under a picture's name: only decoding can tell.
    let fake = dir.path().join("faux.png");
    std::fs::write(&fake, "pas une image\n")?;
    let server = FakeServer::start(target.wire).await?;
    let (mut client, mut peer, _) = join(target, &server).await?;
    for path in [&missing, &fake] {
        client
            .type_line(&format!("/img {}", path.display()))
            .await?;
    }
    client.type_line("après").await?;
    // The next frame is the line typed after them: nothing was sent for either file.
    let got = peer.recv_frame("the text frame of \"après\"").await?;
    same_frame(
        "after `/img <a missing file>` and `/img <a text file named .png>`",
        &frames::text("après"),
        &got,
    )?;
    let output = client.stop().await;
    for name in ["absente.png", "faux.png"] {
        let said = output.lines.iter().any(|l| l.contains(name)) || output.stderr.contains(name);
        if !said {
            return fail(format!(
                "after `/img {name}`: expected an error naming the file got {}; stderr {}",
                super::program::describe_lines(&output.lines),
                show(&output.stderr)
            ));
        }
    }
    Ok(())
}

pub(super) async fn shows_image(target: &ClientTarget) -> CheckResult {
    let (mut client, mut peer) = hello(target).await?;
    let art = "/\\_/\\\n( o.o )\n > ^ <";
    let body = [
        frames::fields(&["12:34", "bob", "32"]),
        art.as_bytes().to_vec(),
    ]
    .concat();
    peer.send_raw(&frames::encode(frames::IMAGE_RELAYED, &body))
        .await?;
    client
        .expect_line_with("bob a envoyé une image :", patient(WAIT))
        .await?;
    for line in art.lines() {
        client.expect_line_with(line, patient(WAIT)).await?;
    }
    Ok(())
}
