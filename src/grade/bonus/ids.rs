//! Bonus 2, "Gestion d'ID": a newcomer is given an ID, and coming back with it, from
//! another connection, is recognised.
//!
//! The course tier looks for `ID|` at the start of one of the newcomer's first messages, and
//! for `Welcome back <pseudo>` and `est de retour` within the lines a return brings; the
//! robust tier holds CONTRACT.md's shapes (32 lowercase hex digits, the ID before the join
//! announcement, the exact lines, an unknown or malformed ID making a new user).

use super::cosmetic::next;
use crate::grade::chat::join;
use crate::grade::patience::patient;
use crate::grade::says::{self, back, hello, hello_back, joined, left};
use crate::grade::server::{PATIENCE, QUIET, RunningServer, ServerTarget, TestClient};
use crate::grade::{CheckResult, Failure, fail, show};

/// How many messages a newcomer's ID may come after (its join announcement, the others').
const ID_WITHIN: usize = 3;

/// Reads the newcomer's first messages until one is `ID|<id>`; returns the ID and the
/// messages before it.
async fn read_id(c: &mut TestClient, who: &str) -> Result<(String, Vec<String>), Failure> {
    let mut before = Vec::new();
    for _ in 0..ID_WITHIN {
        match c.recv_within(patient(PATIENCE)).await {
            Ok(Some(m)) => match m.trim_end().strip_prefix("ID|") {
                Some(id) if !id.is_empty() => return Ok((id.to_string(), before)),
                _ => before.push(m),
            },
            _ => break,
        }
    }
    fail(format!(
        "{who}: expected a message `ID|<id>` got {}",
        if before.is_empty() {
            "nothing".to_string()
        } else {
            show(&before.join("\n"))
        }
    ))
}

/// Joins as `pseudo` and insists on getting an ID.
async fn join_with_id(server: &RunningServer, pseudo: &str) -> Result<TestClient, Failure> {
    let mut c = join(server, pseudo).await?;
    if c.id.is_none() {
        let (id, _) = read_id(&mut c, &format!("{pseudo} joining")).await?;
        c.id = Some(id);
    }
    Ok(c)
}

/// alice joins and gets an ID, bob joins, alice leaves; alice comes back from a new
/// connection with `Hello|alice|<id>`. Returns bob (past alice's leave) and alice's new
/// connection (nothing read yet).
async fn come_back(server: &RunningServer) -> Result<(TestClient, TestClient), Failure> {
    let mut alice = join_with_id(server, "alice").await?;
    let bob = join(server, "bob").await?;
    alice.expect("alice hears bob join", &joined("bob")).await?;
    let id = alice.id.clone().unwrap_or_default();
    alice.quit().await;
    let mut bob = bob;
    // Her leave announced is the sign the server has taken it in (ii_6 on).
    bob.expect("alice's leave", &left("alice")).await?;
    let mut again = server.connect().await?;
    again.send(&hello_back("alice", &id)).await?;
    again.id = Some(id);
    Ok((bob, again))
}

/// Reads up to three messages looking for one containing `needle`.
async fn find(c: &mut TestClient, what: &str, needle: &str) -> CheckResult {
    let mut seen = Vec::new();
    for _ in 0..3 {
        match c.recv_within(patient(PATIENCE)).await {
            Ok(Some(m)) if m.contains(needle) => return Ok(()),
            Ok(Some(m)) => seen.push(m),
            _ => break,
        }
    }
    fail(format!(
        "{what}: expected a message with {} got {}",
        show(needle),
        if seen.is_empty() {
            "nothing".to_string()
        } else {
            show(&seen.join("\n"))
        }
    ))
}

pub(super) async fn id_given(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let mut alice = server.connect().await?;
    alice.send(&hello("alice")).await?;
    read_id(&mut alice, "alice joining").await.map(|_| ())
}

pub(super) async fn welcome_back(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let (_bob, mut again) = come_back(&server).await?;
    find(
        &mut again,
        "alice coming back with her ID",
        "Welcome back alice",
    )
    .await
}

pub(super) async fn return_announced(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let (mut bob, _again) = come_back(&server).await?;
    let got = next(&mut bob, "bob when alice comes back").await?;
    if got.contains("alice") && got.contains("est de retour") {
        return Ok(());
    }
    fail(format!(
        "bob when alice comes back: expected {} got {}",
        show(&back("alice")),
        show(&got)
    ))
}

/// An ID as CONTRACT.md gives it: 32 lowercase hex digits.
fn well_formed(id: &str) -> bool {
    id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Connects, says `first`, and expects `ID|<32 hex>` first, then the join announcement.
async fn fresh_user(
    server: &RunningServer,
    first: &str,
    pseudo: &str,
) -> Result<(TestClient, String), Failure> {
    let mut c = server.connect().await?;
    c.send(first).await?;
    let what = format!("the first message after {}", show(first));
    let got = next(&mut c, &what).await?;
    let id = got
        .trim_end()
        .strip_prefix("ID|")
        .unwrap_or_default()
        .to_string();
    if !well_formed(&id) {
        return fail(format!(
            "{what}: expected `ID|<32 lowercase hex digits>` (before the join announcement) got {}",
            show(&got)
        ));
    }
    c.expect(&format!("after {pseudo}'s ID"), &joined(pseudo))
        .await?;
    c.pseudo = Some(pseudo.to_string());
    c.id = Some(id.clone());
    Ok((c, id))
}

pub(super) async fn id_shape(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let (mut alice, a) = fresh_user(&server, &hello("alice"), "alice").await?;
    let (_bob, b) = fresh_user(&server, &hello("bob"), "bob").await?;
    alice.expect("alice hears bob join", &joined("bob")).await?;
    if a == b {
        return fail(format!(
            "expected two users to get different IDs got {a} twice"
        ));
    }
    Ok(())
}

pub(super) async fn unknown_id_fresh(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let (mut alice, a) = fresh_user(&server, &hello("alice"), "alice").await?;
    let unknown = "0123456789abcdef0123456789abcdef";
    let (_carol, c) = fresh_user(&server, &hello_back("carol", unknown), "carol").await?;
    alice
        .expect("alice hears carol join", &joined("carol"))
        .await?;
    let (_dave, d) = fresh_user(&server, &hello_back("dave", "pas-un-id"), "dave").await?;
    alice
        .expect("alice hears dave join", &joined("dave"))
        .await?;
    if c == unknown || [&a, &c].contains(&&d) || a == c {
        return fail(format!(
            "expected fresh IDs for carol (unknown ID) and dave (malformed) got alice {a}, carol {c}, dave {d}"
        ));
    }
    alice.expect_silence("alice after the joins").await
}

pub(super) async fn return_exact(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let (mut bob, mut again) = come_back(&server).await?;
    again
        .expect(
            "alice coming back with her ID",
            &says::welcome_back("alice"),
        )
        .await?;
    bob.expect("bob when alice comes back", &back("alice"))
        .await?;
    bob.expect_silence("bob after alice's return (a join announcement too?)")
        .await?;
    match again.recv_within(patient(QUIET)).await {
        Ok(Some(m)) if m.starts_with("ID|") => fail(format!(
            "alice coming back with a known ID: expected no new ID got {}",
            show(&m)
        )),
        _ => Ok(()),
    }
}
