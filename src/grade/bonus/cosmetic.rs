//! Bonus 1, "Cosmétique": each relay carries the server's local time and the sender's
//! colour; and the bonus server's graceful shutdown, which it has from this stage on.
//!
//! The course asks for colours and the time without fixing a format, so the course tier
//! looks for the time `HH:MM` anywhere in the relay (colour sequences taken out), with the
//! pseudo and the message, and for two clients' colours to differ however they are
//! applied. The robust tier holds CONTRACT.md's exact shape.

use crate::chat::wire::Wire;
use crate::grade::chat::{join, relaying_clients};
use crate::grade::patience::{patient, secs};
use crate::grade::relay::{self, SAID};
use crate::grade::says::{CLOSING, joined, left};
use crate::grade::server::{PATIENCE, ServerTarget, TestClient};
use crate::grade::{CheckResult, Failure, fail, show};

/// The next message, or a failure saying what was awaited.
/// `what` names the message awaited, or says what was expected (`…: expected "…"`).
pub(super) async fn next(c: &mut TestClient, what: &str) -> Result<String, Failure> {
    let expected = if what.contains(": expected ") {
        what.to_string()
    } else {
        format!("{what}: expected it")
    };
    match c.recv_within(patient(PATIENCE)).await {
        Ok(Some(got)) => Ok(got),
        Ok(None) => fail(format!("{expected} got the connection closed")),
        Err(_) => fail(format!(
            "{expected} got nothing within {} s",
            secs(patient(PATIENCE))
        )),
    }
}

/// The local time of this machine now, `HH:MM`.
fn now() -> jiff::Zoned {
    jiff::Zoned::now()
}

/// Every `HH:MM` from a minute before `from` to a minute after `to`: the times a server on
/// this machine may stamp a message with that arrived between the two, its clock read a
/// little before or after ours.
pub(super) fn times_between(from: &jiff::Zoned, to: &jiff::Zoned) -> Vec<String> {
    let minute = jiff::SignedDuration::from_secs(60);
    let (Ok(mut at), Ok(end)) = (from.checked_sub(minute), to.checked_add(minute)) else {
        return vec![from.strftime("%H:%M").to_string()];
    };
    let mut out = Vec::new();
    while at <= end {
        out.push(at.strftime("%H:%M").to_string());
        match at.checked_add(minute) {
            Ok(next) => at = next,
            Err(_) => break,
        }
    }
    let last = end.strftime("%H:%M").to_string();
    if !out.contains(&last) {
        out.push(last);
    }
    out
}

/// The colours of a line: its SGR sequences other than resets.
fn colours(line: &str) -> Vec<&str> {
    relay::sgr_sequences(line)
        .into_iter()
        .filter(|p| !p.is_empty() && *p != "0")
        .collect()
}

/// Joins alice then bob; alice has taken bob's announcement.
async fn alice_and_bob(
    server: &crate::grade::server::RunningServer,
) -> Result<(TestClient, TestClient), Failure> {
    let mut alice = join(server, "alice").await?;
    let bob = join(server, "bob").await?;
    alice.expect("alice hears bob join", &joined("bob")).await?;
    Ok((alice, bob))
}

pub(super) async fn time_and_pseudo(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let (mut alice, mut bob) = alice_and_bob(&server).await?;
    let before = now();
    alice.send("quelle heure est-il ?").await?;
    let got = next(&mut bob, "alice's message to bob").await?;
    let times = times_between(&before, &now());
    let plain = relay::strip_sgr(&got);
    let wanted = "alice's message with the time: expected a line with the server's local time";
    if !times.iter().any(|t| plain.contains(t.as_str())) {
        return fail(format!(
            "{wanted} ({}) got {}",
            times.join(" or "),
            show(&got)
        ));
    }
    if !plain.contains("alice") || !plain.contains("quelle heure est-il ?") {
        return fail(format!(
            "alice's message: expected a line with her pseudo `alice` and `quelle heure est-il ?` got {}",
            show(&got)
        ));
    }
    Ok(())
}

pub(super) async fn colours_differ(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let (mut alice, mut bob) = alice_and_bob(&server).await?;
    alice.send("je suis en couleur").await?;
    let from_alice = next(&mut bob, "alice's message to bob").await?;
    bob.send("moi aussi").await?;
    let from_bob = next(&mut alice, "bob's message to alice").await?;
    let (a, b) = (colours(&from_alice), colours(&from_bob));
    if a.is_empty() || b.is_empty() {
        let uncoloured = if a.is_empty() { &from_alice } else { &from_bob };
        return fail(format!(
            "expected every relay to carry a colour (an SGR sequence `ESC[…m`) got {}",
            show(uncoloured)
        ));
    }
    if a == b {
        return fail(format!(
            "expected alice's and bob's colours to differ got the same in {} and {}",
            show(&from_alice),
            show(&from_bob)
        ));
    }
    Ok(())
}

pub(super) async fn exact_shape(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let (mut alice, mut bob) = alice_and_bob(&server).await?;
    let before = now();
    alice.send("forme exacte").await?;
    let got = next(&mut bob, "alice's message to bob").await?;
    let times = times_between(&before, &now());
    let got_plain = got.trim_end();
    let shape = "`[HH:MM] ESC[<colour>m<pseudo>ESC[0m a dit : <msg>`";
    let Some(r) = relay::parse(got_plain, true) else {
        return fail(format!(
            "alice's message: expected {shape} got {}",
            show(&got)
        ));
    };
    let (Some(time), Some(colour)) = (r.time, r.colour) else {
        return fail(format!(
            "alice's message: expected {shape} (a time, then the pseudo in a colour) got {}",
            show(&got)
        ));
    };
    if !times.iter().any(|t| t == time) {
        return fail(format!(
            "alice's message: expected the server's local time ({}) got {}",
            times.join(" or "),
            show(&got)
        ));
    }
    if !relay::is_colour_only(colour) {
        return fail(format!(
            "alice's message: expected a colour-only SGR (`31`, `92`, `38;5;208`, …) got `ESC[{colour}m` in {}",
            show(&got)
        ));
    }
    let exact = format!("[{time}] \u{1b}[{colour}malice\u{1b}[0m{SAID}forme exacte");
    if got_plain != exact {
        return fail(format!(
            "alice's message: expected {} got {}",
            show(&exact),
            show(&got)
        ));
    }
    // Announcements keep their Part II form: no time, no colour.
    bob.quit().await;
    alice.expect("bob's leave", &left("bob")).await
}

pub(super) async fn twelve_colours(t: &ServerTarget) -> CheckResult {
    const N: usize = 12;
    let server = t.start().await?;
    let mut v = relaying_clients(&server, N).await?;
    let mut seen: Vec<String> = Vec::with_capacity(N);
    for i in 0..N {
        let text = format!("ma couleur {i}");
        v[i].send(&text).await?;
        let name = v[i].name();
        for j in (0..N).filter(|&j| j != i) {
            let got = next(&mut v[j], &format!("c{i}'s message to c{j}")).await?;
            let r = relay::parse(got.trim_end(), true)
                .filter(|r| r.pseudo == name && r.text.trim_end() == text);
            let Some(r) = r else {
                return fail(format!(
                    "c{i}'s message to c{j}: expected {} in a colour got {}",
                    show(&format!("{name}{SAID}{text}")),
                    show(&got)
                ));
            };
            if j == (i + 1) % N {
                let Some(colour) = r.colour else {
                    return fail(format!(
                        "c{i}'s message: expected the pseudo in a colour got {}",
                        show(&got)
                    ));
                };
                if let Some(k) = seen.iter().position(|c| c == colour) {
                    return fail(format!(
                        "expected {N} connected clients to get {N} different colours got `ESC[{colour}m` for c{k} and c{i}"
                    ));
                }
                seen.push(colour.to_string());
            }
        }
    }
    Ok(())
}

pub(super) async fn shutdown_on_sigterm(t: &ServerTarget) -> CheckResult {
    let mut server = t.start().await?;
    let mut v = relaying_clients(&server, 3).await?;
    // c0 talks, c1 reads as it comes, c2 reads nothing until the signal: once c1 has every
    // message, the server has queued them all for c2 too. In `tp` mode one read is one
    // message, so a backlog would come merged: one message is enough there.
    let count = if t.wire == Wire::Lines { 200 } else { 1 };
    let filler = "z".repeat(1000);
    let sender = v[0].name();
    for i in 0..count {
        v[0].send(&format!("{i:03} {filler}")).await?;
        if t.wire == Wire::Tp {
            next(&mut v[1], "the message before the signal").await?;
        }
    }
    if t.wire == Wire::Lines {
        for i in 0..count {
            v[1].expect_relay(
                &format!("message {i} to c1"),
                &sender,
                &format!("{i:03} {filler}"),
            )
            .await?;
        }
    }
    server.terminate()?;
    // The slow reader first: the backlog, then the goodbye. (In `tp` mode the goodbye,
    // written right behind the backlog, may arrive in the same read as its last message.)
    let mut goodbye_glued = false;
    for i in 0..count {
        if t.wire == Wire::Tp {
            let got = next(&mut v[2], "the message before the signal").await?;
            goodbye_glued = got.trim_end().ends_with(CLOSING);
            continue;
        }
        let got = next_but_leaves(&mut v[2], &format!("message {i} after SIGTERM")).await?;
        let ok = relay::meaning(&got, t.styled)
            .is_some_and(|(who, said)| who == sender && said.starts_with(&format!("{i:03} ")));
        if !ok {
            let head: String = got.chars().take(60).collect();
            return fail(format!(
                "after SIGTERM, the client that had not read yet: expected message {i} of {count} queued for it got {}",
                show(&head)
            ));
        }
    }
    for (who, c) in [("the slow reader", 2), ("a client", 1)] {
        let what = format!("{who} after SIGTERM: expected {}", show(CLOSING));
        let got = if c == 2 && goodbye_glued {
            CLOSING.to_string()
        } else {
            next_but_leaves(&mut v[c], &what).await?
        };
        if got.trim_end() != CLOSING {
            let head: String = got.chars().take(80).collect();
            return fail(format!(
                "{who} after SIGTERM: expected {} got {}",
                show(CLOSING),
                show(&head)
            ));
        }
        match v[c].recv_within(patient(PATIENCE)).await {
            Ok(None) => {}
            Ok(Some(more)) => {
                return fail(format!(
                    "{who} after the closing line: expected the close got {}",
                    show(&more)
                ));
            }
            Err(_) => {
                return fail(format!(
                    "{who} after the closing line: expected the close got the connection open for {} s",
                    secs(patient(PATIENCE))
                ));
            }
        }
    }
    match server.wait_exit(patient(PATIENCE)).await {
        Some(status) if status.success() => Ok(()),
        Some(status) => fail(format!(
            "after SIGTERM: expected exit status 0 got {status}"
        )),
        None => fail(format!(
            "after SIGTERM: expected the server to exit within {} s of its clients being closed, got it still running",
            secs(patient(PATIENCE))
        )),
    }
}

/// The next message that is not a leave announcement (clients closed by a shutdown may be
/// announced leaving, or not).
async fn next_but_leaves(c: &mut TestClient, what: &str) -> Result<String, Failure> {
    loop {
        let got = next(c, what).await?;
        let leave =
            got.starts_with("Annonce : ") && got.trim_end().ends_with(" a quitté la chatroom");
        if !leave {
            return Ok(got);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_accepted_times_run_from_a_minute_before_to_a_minute_after() {
        let at = |t: &str| format!("{t}[UTC]").parse::<jiff::Zoned>().unwrap();
        assert_eq!(
            times_between(&at("2026-01-01T12:00:30"), &at("2026-01-01T12:00:31")),
            ["11:59", "12:00", "12:01"]
        );
        assert_eq!(
            times_between(&at("2026-01-01T23:59:59"), &at("2026-01-02T00:00:01")),
            ["23:58", "23:59", "00:00", "00:01"]
        );
    }
}
