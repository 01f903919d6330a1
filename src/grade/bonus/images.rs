//! Bonus 5, "Envoi d'images", the server side: an image frame (`0x04`, the ASCII art) is
//! relayed to the others as an image frame (`0x85`) with the sender's time, pseudo and
//! colour fields and the art unchanged; one over 32 KiB is refused.
//!
//! The course tier asks that the picture reaches the others as sent; the robust tier, the
//! fields of the relay and the limit (both sides of it, so that a server refusing every
//! image, as a bonus 4 one does, does not pass).

use super::binary::{alice_and_bob, expect_no_frame, expect_said, next_but_notices};
use super::cosmetic::times_between;
use crate::grade::frames::{self, Event};
use crate::grade::patience::{patient, secs};
use crate::grade::server::{FrameRead, PATIENCE, QUIET, ServerTarget, TestClient};
use crate::grade::{CheckResult, Failure, fail, show};

/// PROTOCOL.md's cat.
const CAT: &str = "/\\_/\\\n( o.o )\n > ^ <";

/// Expects an image frame from `pseudo` with `art`; returns its time and colour fields.
async fn expect_image(
    c: &mut TestClient,
    what: &str,
    pseudo: &str,
    art: &str,
) -> Result<(String, String), Failure> {
    match next_but_notices(c, what).await? {
        Event::Image {
            time,
            pseudo: p,
            colour,
            art: a,
        } if p == pseudo && a == art => Ok((time, colour)),
        Event::Image {
            pseudo: p, art: a, ..
        } => fail(format!(
            "{what}: expected an image frame (0x85) from {} with the art sent ({} bytes) got one from {} with {} bytes{}",
            show(pseudo),
            art.len(),
            show(&p),
            a.len(),
            if a.len() == art.len() {
                " that differ"
            } else {
                ""
            }
        )),
        other => fail(format!(
            "{what}: expected an image frame (0x85) from {} got {other:?}",
            show(pseudo)
        )),
    }
}

pub(super) async fn image_relayed(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let (mut alice, mut bob) = alice_and_bob(&server).await?;
    alice.send_frame(frames::IMAGE, CAT.as_bytes()).await?;
    if let Err(Failure::Fail(why)) =
        expect_image(&mut bob, "alice's picture to bob", "alice", CAT).await
    {
        // What the sender got instead tells why (a bonus 4 server's refusal).
        return match alice.read_frame(patient(QUIET)).await? {
            FrameRead::Frame(f) => fail(format!("{why}; alice received {}", frames::describe(&f))),
            _ => fail(why),
        };
    }
    expect_no_frame(&mut alice, "the sender").await
}

pub(super) async fn image_fields(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let (mut alice, mut bob) = alice_and_bob(&server).await?;
    alice.send_raw(&frames::text("regarde")).await?;
    let (_, said_colour) = expect_said(&mut bob, "alice's message", "alice", "regarde").await?;
    let before = jiff::Zoned::now();
    alice.send_frame(frames::IMAGE, CAT.as_bytes()).await?;
    let (time, colour) = expect_image(&mut bob, "alice's picture", "alice", CAT).await?;
    let times = times_between(&before, &jiff::Zoned::now());
    if !times.contains(&time) {
        return fail(format!(
            "the picture's time field: expected the local time `HH:MM` ({}) got {}",
            times.join(" or "),
            show(&time)
        ));
    }
    if colour != said_colour || colour.is_empty() {
        return fail(format!(
            "the picture's colour field: expected alice's colour {} (that of her messages) got {}",
            show(&said_colour),
            show(&colour)
        ));
    }
    Ok(())
}

pub(super) async fn image_limit(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let (mut alice, mut bob) = alice_and_bob(&server).await?;
    // The largest picture a client draws: 100 lines of 200 characters.
    let widest = vec!["#".repeat(200); 100].join("\n");
    alice.send_frame(frames::IMAGE, widest.as_bytes()).await?;
    expect_image(
        &mut bob,
        "a picture of 100 lines of 200 characters",
        "alice",
        &widest,
    )
    .await?;
    // One line more than any client draws: refused (it would push the chat off screens).
    let taller = format!("{widest}\n#");
    alice.send_frame(frames::IMAGE, taller.as_bytes()).await?;
    expect_error(&mut alice, "a picture of 101 lines").await?;
    // One byte over the frame limit.
    let over = "#".repeat(frames::IMAGE_LIMIT + 1);
    alice.send_frame(frames::IMAGE, over.as_bytes()).await?;
    expect_error(&mut alice, "a picture of 32769 bytes").await
}

/// Reads `who`'s frames (announcements may come first) until an error frame.
async fn expect_error(alice: &mut TestClient, what: &str) -> CheckResult {
    loop {
        match alice.read_frame(patient(PATIENCE)).await? {
            FrameRead::Frame(f) if f.kind == frames::ERROR => break,
            FrameRead::Frame(f) if f.kind == frames::NOTICE => {}
            FrameRead::Frame(f) => {
                return fail(format!(
                    "{what}: expected an error frame (0x84) got {}",
                    frames::describe(&f)
                ));
            }
            FrameRead::Closed => {
                return fail(format!(
                    "{what}: expected an error frame (0x84) got the connection closed"
                ));
            }
            FrameRead::Unreadable(why) => {
                return fail(format!(
                    "{what}: expected an error frame (0x84) got bytes that are no frame ({why})"
                ));
            }
            FrameRead::Quiet => {
                return fail(format!(
                    "{what}: expected an error frame (0x84) got nothing within {} s",
                    secs(patient(PATIENCE))
                ));
            }
        }
    }
    Ok(())
}
