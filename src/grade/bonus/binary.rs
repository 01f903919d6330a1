//! Bonus 4, "Encodage maison": the bonus 3 chat over frames (PROTOCOL.md § Bonus 4: the
//! binary protocol), read with grade's own codec ([`frames`]).
//!
//! The earlier stages' checks keep running on a binary server through
//! [`TestClient::speak_frames`] (a line's meaning sent and read as its frame); these look at
//! the frames themselves. The course tier asks what the course's "encodage maison" needs:
//! a header that announces the size (in bytes), the joins and messages carried as frames of
//! the document's types, both forms of text accepted. The robust tier holds the fields'
//! shapes, the answer to every hostile header of the document's error section, and a
//! stream cut in the middle of a frame.

use super::cosmetic::times_between;
use crate::grade::chat::join;
use crate::grade::frames::{self, Event, Frame};
use crate::grade::patience::{patient, secs};
use crate::grade::relay::{is_colour_only, is_hh_mm};
use crate::grade::server::{FrameRead, PATIENCE, QUIET, RunningServer, ServerTarget, TestClient};
use crate::grade::{CheckResult, Failure, fail, show};

/// The next frame and what it says, or a failure naming `what` was awaited.
pub(super) async fn next_event(c: &mut TestClient, what: &str) -> Result<Event, Failure> {
    match c.read_frame(patient(PATIENCE)).await? {
        FrameRead::Frame(frame) => frames::event(&frame).or_else(|why| {
            fail(format!(
                "{what}: expected a frame got {} ({why})",
                frames::describe(&frame)
            ))
        }),
        FrameRead::Closed => fail(format!(
            "{what}: expected a frame got the connection closed"
        )),
        FrameRead::Unreadable(why) => fail(format!(
            "{what}: expected a frame got bytes that are no frame ({why})"
        )),
        FrameRead::Quiet => fail(format!(
            "{what}: expected a frame got nothing within {} s",
            secs(patient(PATIENCE))
        )),
    }
}

/// The next frame that is not a notice (joins and leaves of others may come between).
pub(super) async fn next_but_notices(c: &mut TestClient, what: &str) -> Result<Event, Failure> {
    loop {
        match next_event(c, what).await? {
            Event::Notice { .. } => {}
            other => return Ok(other),
        }
    }
}

/// Expects no frame for a short while, and the connection open.
pub(super) async fn expect_no_frame(c: &mut TestClient, what: &str) -> CheckResult {
    match c.read_frame(patient(QUIET)).await? {
        FrameRead::Quiet => Ok(()),
        FrameRead::Frame(f) => fail(format!(
            "{what}: expected nothing got {}",
            frames::describe(&f)
        )),
        FrameRead::Closed => fail(format!(
            "{what}: expected nothing got the connection closed"
        )),
        FrameRead::Unreadable(why) => fail(format!(
            "{what}: expected nothing got bytes that are no frame ({why})"
        )),
    }
}

/// Expects a said frame from `pseudo` saying `text`; returns its time and colour fields.
pub(super) async fn expect_said(
    c: &mut TestClient,
    what: &str,
    pseudo: &str,
    text: &str,
) -> Result<(String, String), Failure> {
    match next_but_notices(c, what).await? {
        Event::Said {
            time,
            pseudo: p,
            colour,
            text: t,
        } if p == pseudo && t == text => Ok((time, colour)),
        other => fail(format!(
            "{what}: expected a said frame (0x81) with pseudo {} and text {} got {other:?}",
            show(pseudo),
            show(text)
        )),
    }
}

/// alice and bob joined (through hello frames); alice has taken bob's join. A failure here
/// is a preamble's (reported once for the checks it stops, see [`Failure::Preamble`]).
pub(super) async fn alice_and_bob(
    server: &RunningServer,
) -> Result<(TestClient, TestClient), Failure> {
    two_joined(server).await.map_err(|e| match e {
        Failure::Fail(reason) => Failure::Preamble(reason),
        other => other,
    })
}

async fn two_joined(server: &RunningServer) -> Result<(TestClient, TestClient), Failure> {
    let mut alice = join(server, "alice").await?;
    let bob = join(server, "bob").await?;
    match next_event(&mut alice, "alice hears bob join").await? {
        Event::Notice { kind: 1, pseudo } if pseudo == "bob" => Ok((alice, bob)),
        other => fail(format!(
            "alice hears bob join: expected a notice frame (0x82) of kind 1 for \"bob\" got {other:?}"
        )),
    }
}

pub(super) async fn join_notice(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let mut alice = join(&server, "alice").await?;
    let _bob = join(&server, "bob").await?;
    let want = Frame {
        kind: frames::NOTICE,
        body: [&[1u8][..], &frames::fields(&["bob"])].concat(),
    };
    match alice.read_frame(patient(PATIENCE)).await? {
        FrameRead::Frame(got) if got == want => Ok(()),
        FrameRead::Frame(got) => fail(format!(
            "bob's join to alice: expected {} got {}",
            frames::hex(&frames::encode(want.kind, &want.body)),
            frames::hex(&frames::encode(got.kind, &got.body))
        )),
        FrameRead::Closed => {
            fail("bob's join to alice: expected a notice frame got the connection closed")
        }
        FrameRead::Unreadable(why) => fail(format!(
            "bob's join to alice: expected a notice frame got bytes that are no frame ({why})"
        )),
        FrameRead::Quiet => fail(format!(
            "bob's join to alice: expected a notice frame (82 00 06 01 00 03 62 6f 62) got nothing within {} s",
            secs(patient(PATIENCE))
        )),
    }
}

pub(super) async fn said_frame(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let (mut alice, mut bob) = alice_and_bob(&server).await?;
    alice.send_raw(&frames::text("coucou bob")).await?;
    expect_said(&mut bob, "alice's text to bob", "alice", "coucou bob").await?;
    expect_no_frame(&mut alice, "the sender").await
}

pub(super) async fn long_form_text(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let (mut alice, mut bob) = alice_and_bob(&server).await?;
    // PROTOCOL.md's two examples: a 1-byte and an 8-byte length.
    let one = frames::encode(frames::TEXT_LONG, b"salut");
    alice.send_raw(&one).await?;
    expect_said(
        &mut bob,
        &format!("after {}", frames::hex(&one)),
        "alice",
        "salut",
    )
    .await?;
    let eight = [
        &[frames::TEXT_LONG, 8, 0, 0, 0, 0, 0, 0, 0, 6][..],
        b"encore",
    ]
    .concat();
    alice.send_raw(&eight).await?;
    expect_said(
        &mut bob,
        &format!("after {}", frames::hex(&eight)),
        "alice",
        "encore",
    )
    .await
    .map(|_| ())
}

pub(super) async fn byte_lengths(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let (mut alice, mut bob) = alice_and_bob(&server).await?;
    // 12 characters, 17 bytes: a length in characters cuts the frame short.
    let text = "ça coûte 5 € !";
    alice.send_raw(&frames::text(text)).await?;
    expect_said(&mut bob, "a message with accents", "alice", text).await?;
    alice.send_raw(&frames::text("et après ?")).await?;
    expect_said(&mut bob, "the message after it", "alice", "et après ?")
        .await
        .map(|_| ())
}

pub(super) async fn said_fields(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let (mut alice, mut bob) = alice_and_bob(&server).await?;
    let before = jiff::Zoned::now();
    alice.send_raw(&frames::text("quelle heure ?")).await?;
    let (time, colour) =
        expect_said(&mut bob, "alice's message", "alice", "quelle heure ?").await?;
    let times = times_between(&before, &jiff::Zoned::now());
    if !is_hh_mm(&time) || !times.contains(&time) {
        return fail(format!(
            "the time field: expected the local time `HH:MM` ({}) got {}",
            times.join(" or "),
            show(&time)
        ));
    }
    if !is_colour_only(&colour) {
        return fail(format!(
            "the colour field: expected SGR colour parameters (`31`, `38;5;208`) got {}",
            show(&colour)
        ));
    }
    Ok(())
}

/// PROTOCOL.md § Errors: each frame a client may not send, and the reason answered.
const HOSTILE: &[(&[u8], &str)] = &[
    (b"\x05\x00\x00", "type de trame inconnu : 0x05"),
    (
        b"\x02\x00\x05",
        "longueur de longueur invalide : 0 (de 1 à 8)",
    ),
    (
        b"\x02\x09\x00\x00\x00\x00\x00\x00\x00\x00\x05",
        "longueur de longueur invalide : 9 (de 1 à 8)",
    ),
    (
        b"\x01\x10\x01",
        "trame trop longue : 4097 octets (max 4096)",
    ),
    (
        b"\x02\x08\xff\xff\xff\xff\xff\xff\xff\xff",
        "trame trop longue : 18446744073709551615 octets (max 4096)",
    ),
    (
        b"\x01\x00\x02\xc3\x28",
        "texte invalide : ce n'est pas de l'UTF-8",
    ),
    (
        b"\x03\x00\x03\x00\x05\x61",
        "trame mal formée : champ plus long que la trame",
    ),
    (
        b"\x03\x00\x07\x00\x01\x61\x00\x00\xff\xff",
        "trame mal formée : octets en trop après le dernier champ",
    ),
];

/// Expects an error frame saying `reason` (any reason when `None`), then the close; ID
/// frames and notices may come before it.
async fn expect_refusal(c: &mut TestClient, what: &str, reason: Option<&str>) -> CheckResult {
    let wanted = reason.map_or("an error frame (0x84)".to_string(), |r| {
        format!("an error frame (0x84) {}", show(r))
    });
    loop {
        match next_event(c, &format!("{what}: expected {wanted}")).await? {
            Event::Notice { .. } | Event::Id(_) => {}
            Event::Error(got) if reason.is_none_or(|r| r == got) => break,
            other => return fail(format!("{what}: expected {wanted} got {other:?}")),
        }
    }
    // Others' joins and leaves already on their way may still come before the close.
    let mut read = c.read_frame(patient(PATIENCE)).await?;
    while let FrameRead::Frame(Frame {
        kind: frames::NOTICE,
        ..
    }) = read
    {
        read = c.read_frame(patient(PATIENCE)).await?;
    }
    match read {
        FrameRead::Closed => Ok(()),
        FrameRead::Frame(f) => fail(format!(
            "{what}: expected the close after the error frame got {}",
            frames::describe(&f)
        )),
        FrameRead::Unreadable(why) => fail(format!(
            "{what}: expected the close after the error frame got bytes that are no frame ({why})"
        )),
        FrameRead::Quiet => fail(format!(
            "{what}: expected the close after the error frame got the connection open for {} s",
            secs(patient(PATIENCE))
        )),
    }
}

pub(super) async fn hostile_headers(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let (mut alice, mut bob) = alice_and_bob(&server).await?;
    // All at once, each from a joined client of its own: none may disturb another.
    let each = HOSTILE.iter().enumerate().map(|(i, (bytes, reason))| {
        let server = &server;
        async move {
            let mut c = join(server, &format!("h{i}")).await?;
            c.send_raw(bytes).await?;
            expect_refusal(
                &mut c,
                &format!("after {}", frames::hex(bytes)),
                Some(reason),
            )
            .await
        }
    });
    for r in futures::future::join_all(each).await {
        r?;
    }
    alice.send_raw(&frames::text("toujours là ?")).await?;
    expect_said(
        &mut bob,
        "alice's message after the hostile frames",
        "alice",
        "toujours là ?",
    )
    .await?;
    bob.send_raw(&frames::text("oui")).await?;
    expect_said(&mut alice, "bob's answer", "bob", "oui")
        .await
        .map(|_| ())
}

pub(super) async fn over_limit_not_awaited(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let (mut alice, _bob) = alice_and_bob(&server).await?;
    // A terabyte announced and never sent: the answer must not wait for the body.
    let header = [frames::TEXT_LONG, 5, 1, 0, 0, 0, 0];
    alice.send_raw(&header).await?;
    expect_refusal(
        &mut alice,
        &format!("after the lone header {}", frames::hex(&header)),
        None,
    )
    .await
}

pub(super) async fn eof_mid_frame(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let (mut alice, mut bob) = alice_and_bob(&server).await?;
    let mut carol = join(&server, "carol").await?;
    bob.send_raw(b"\x01\x00\x05sal").await?;
    bob.quit().await;
    let mut seen = Vec::new();
    loop {
        match next_event(&mut alice, "bob's leave").await? {
            Event::Notice { kind: 2, pseudo } if pseudo == "bob" => break,
            Event::Notice { .. } => {}
            other => seen.push(other),
        }
        if !seen.is_empty() {
            return fail(format!(
                "bob's leave after a cut frame: expected a notice frame (0x82) of kind 2 got {:?}",
                seen[0]
            ));
        }
    }
    alice.send_raw(&frames::text("et maintenant ?")).await?;
    expect_said(
        &mut carol,
        "alice's message after bob's cut frame",
        "alice",
        "et maintenant ?",
    )
    .await
    .map(|_| ())
}

/// Whether `id` is 32 lowercase hex digits.
fn well_formed(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

pub(super) async fn notices_and_ids(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let mut alice = server.connect().await?;
    alice.send_raw(&frames::hello("alice", "")).await?;
    let id = match next_event(&mut alice, "alice's first frame").await? {
        Event::Id(id) if well_formed(&id) => id,
        other => {
            return fail(format!(
                "alice's first frame: expected an ID frame (0x83) of 32 lowercase hex digits got {other:?}"
            ));
        }
    };
    let mut bob = join(&server, "bob").await?;
    // Her own join notice may come first; then bob's, the sign he is in.
    loop {
        match next_event(&mut alice, "bob's join").await? {
            Event::Notice { kind: 1, pseudo } if pseudo == "bob" => break,
            Event::Notice { kind: 1, .. } => {}
            other => {
                return fail(format!(
                    "bob's join: expected a notice frame of kind 1 for \"bob\" got {other:?}"
                ));
            }
        }
    }
    alice.quit().await;
    match next_event(&mut bob, "alice's leave").await? {
        Event::Notice { kind: 2, pseudo } if pseudo == "alice" => {}
        other => {
            return fail(format!(
                "alice's leave: expected a notice frame of kind 2 for \"alice\" got {other:?}"
            ));
        }
    }
    let mut again = server.connect().await?;
    again.send_raw(&frames::hello("alice", &id)).await?;
    match next_event(&mut again, "alice back with her ID").await? {
        Event::Notice { kind: 4, pseudo } if pseudo == "alice" => {}
        other => {
            return fail(format!(
                "alice back with her ID: expected a notice frame of kind 4 (welcome back) for \"alice\" got {other:?}"
            ));
        }
    }
    match next_event(&mut bob, "alice's return").await? {
        Event::Notice { kind: 3, pseudo } if pseudo == "alice" => Ok(()),
        other => fail(format!(
            "alice's return: expected a notice frame of kind 3 (back) for \"alice\" got {other:?}"
        )),
    }
}

pub(super) async fn image_refused(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let (mut alice, mut bob) = alice_and_bob(&server).await?;
    let cat = frames::encode(frames::IMAGE, b"( o.o )");
    alice.send_raw(&cat).await?;
    let reason = "ce serveur n'accepte pas les images";
    match next_but_notices(&mut alice, "alice after an image frame").await? {
        Event::Error(got) if got == reason => {}
        other => {
            return fail(format!(
                "after the image frame {}: expected an error frame {} got {other:?}",
                frames::hex(&cat),
                show(reason)
            ));
        }
    }
    // Refused, not a broken frame: the connection stays, and nothing reached bob.
    alice.send_raw(&frames::text("tant pis")).await?;
    expect_said(
        &mut bob,
        "alice's message after her refused picture",
        "alice",
        "tant pis",
    )
    .await
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    /// The hostile frames are PROTOCOL.md's error examples of client frames, with their
    /// reasons, but the one that needs the stream to end (`bonus_4.eof_mid_frame`'s).
    #[test]
    fn hostile_frames_are_the_documented_ones() {
        let documented: Vec<(Vec<u8>, String)> = crate::grade::frames::doc_examples()
            .into_iter()
            .filter(|(kind, _, why)| kind == "c2s error" && !why.starts_with("connexion coupée"))
            .map(|(_, bytes, why)| (bytes, why))
            .collect();
        let ours: Vec<(Vec<u8>, String)> = super::HOSTILE
            .iter()
            .map(|(b, r)| (b.to_vec(), r.to_string()))
            .collect();
        assert_eq!(ours, documented);
    }
}
