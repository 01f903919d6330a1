//! The Part II server checks, stage by stage (CONTRACT.md § Part II; wire strings byte for
//! byte).
//!
//! Every check starts its own server (see [`ServerTarget`]) and scripts clients against it.
//! Each check is declared once, with the stage that introduces it and, where a later
//! stage's own check replaces it, the stage that retires it. [`new_checks`] gives what a
//! stage adds (each fails against the previous stage's server); [`checks`] gives the whole
//! list a server of that stage must pass, earlier stages' rules included. Checks compare
//! what the protocol means: from ii_5 on the clients join with a pseudo and relays are
//! signed with it, so ii_4's rules (the sender is skipped, a stuck client delays nobody, an
//! over-long line is refused) run there unchanged.

use super::says::{TOO_LONG, joined, left};
use super::server::{QUIET, RunningServer, ServerTarget, TestClient, sync_registered};
use super::{Check, CheckResult, Failure, fail, show};
use crate::grade::patience::patient;
use crate::stages::STAGES;

/// Every server check a server of `stage` must pass: the checks of every stage up to it
/// (in the manifest's order) that no later stage up to it has retired. A rule keeps being
/// checked at every later stage: ii_4's stuck client at ii_5 and ii_6 too, with clients
/// that join by pseudo there. Empty for a stage that is not a chat server stage.
pub fn checks(stage: &str) -> Vec<Check<ServerTarget>> {
    let order = |id: &str| STAGES.iter().position(|s| s.id == id);
    let Some(at) = order(stage).filter(|_| catalogue().iter().any(|c| c.stage == stage)) else {
        return Vec::new();
    };
    catalogue()
        .into_iter()
        .filter(|c| order(c.stage).is_some_and(|from| from <= at))
        .filter(|c| {
            c.retired_by
                .is_none_or(|r| order(r).is_some_and(|r| r > at))
        })
        .collect()
}

/// Only the checks `stage` introduces: each must fail against the previous stage's server
/// unless it declares that it holds before (tests/previous_stage.rs proves both).
pub fn new_checks(stage: &str) -> Vec<Check<ServerTarget>> {
    catalogue()
        .into_iter()
        .filter(|c| c.stage == stage)
        .collect()
}

/// Every server check, each declared once with the stage that introduces it.
fn catalogue() -> Vec<Check<ServerTarget>> {
    [
        ii_2(),
        ii_3(),
        ii_4(),
        ii_5(),
        ii_6(),
        super::bonus::catalogue(),
    ]
    .concat()
}

fn ii_2() -> Vec<Check<ServerTarget>> {
    vec![
        check!(
            "ii_2",
            "serving_on_first",
            Robust,
            "the server's first stdout line is exactly `Serving on <ip>:<port>` with the port it listens on",
            serving_on_first
        ),
        check!(
            "ii_2",
            "hello_reply",
            Course,
            "a message is answered `Hello <client-ip>:<client-port>` with the client's real address",
            hello_reply,
            retired_by = "ii_3"
        ),
        check!(
            "ii_2",
            "every_message",
            Course,
            "every message on the connection gets its own reply, and two clients get their own addresses",
            every_message,
            retired_by = "ii_3"
        ),
    ]
}

fn ii_3() -> Vec<Check<ServerTarget>> {
    vec![
        check!(
            "ii_3",
            "console_line",
            Course,
            "the console shows `Message received from <ip>:<port> : <msg>` for messages of two clients at once",
            console_line,
            retired_by = "ii_5"
        ),
        check!(
            "ii_3",
            "nothing_relayed",
            Course,
            "a message is not relayed to the other client (an answer to its sender is allowed)",
            nothing_relayed,
            holds_before =
                "ii_2 relays nothing either: the check guards ii_3 against relaying before ii_4",
            retired_by = "ii_4"
        ),
    ]
}

fn ii_4() -> Vec<Check<ServerTarget>> {
    vec![
        check!(
            "ii_4",
            "relay_format",
            Course,
            "a message reaches another client as `<ip>:<port> a dit : <msg>` with the sender's address",
            relay_format,
            retired_by = "ii_5"
        ),
        check!(
            "ii_4",
            "not_to_sender",
            Course,
            "the sender does not receive its own message",
            not_to_sender
        ),
        check!(
            "ii_4",
            "silent_client_receives",
            Course,
            "a client that never sent anything receives the others' messages",
            silent_client_receives
        ),
        check!(
            "ii_4",
            "three_clients",
            Course,
            "with three clients each message reaches exactly the two others, in order",
            three_clients
        ),
        check!(
            "ii_4",
            "stuck_client",
            Robust,
            "a client that never reads does not delay two others exchanging 4 MB",
            stuck_client,
            real_time = "4 MB go through TCP's flow control, paced by the system's \
                acknowledgements in real time"
        ),
        check!(
            "ii_4",
            "long_line",
            Robust,
            "an over-long line is answered with the error line, not relayed, and the connection stays usable (--wire lines)",
            long_line,
            // Frames have no lines: an over-long frame is `bonus_4.over_limit_not_awaited`'s.
            retired_by = "bonus_4"
        ),
    ]
}

fn ii_5() -> Vec<Check<ServerTarget>> {
    vec![
        check!(
            "ii_5",
            "join_announced",
            Course,
            "`Hello|<pseudo>` makes the others receive `Annonce : <pseudo> a rejoint la chatroom` (the newcomer may or may not)",
            join_announced
        ),
        check!(
            "ii_5",
            "newcomer_hears_own_join",
            Robust,
            "the newcomer receives its own `Annonce : <pseudo> a rejoint la chatroom` too",
            newcomer_hears_own_join
        ),
        check!(
            "ii_5",
            "relay_with_pseudo",
            Course,
            "messages reach the others as `<pseudo> a dit : <msg>`, not the sender",
            relay_with_pseudo
        ),
        check!(
            "ii_5",
            "refuse_bonjour",
            Robust,
            "a first message `Bonjour` is answered `Erreur : …` and the connection closed",
            refuse_bonjour
        ),
        check!(
            "ii_5",
            "refuse_empty_pseudo",
            Robust,
            "`Hello|` (empty pseudo) is answered `Erreur : …` and the connection closed",
            refuse_empty_pseudo
        ),
        check!(
            "ii_5",
            "refuse_control_chars",
            Robust,
            "a pseudo with control characters is answered `Erreur : …`, closed, and never announced",
            refuse_control_chars
        ),
        check!(
            "ii_5",
            "refuse_pipe",
            Robust,
            "a pseudo containing `|` is answered `Erreur : …`, closed, and never announced",
            refuse_pipe,
            // From bonus 2 on, `Hello|al|ice` is the pseudo `al` with a malformed ID: a new
            // user (`bonus_2_ids.unknown_id_fresh`).
            retired_by = "bonus_2_ids"
        ),
        check!(
            "ii_5",
            "invalid_utf8_relayed",
            Robust,
            "a message with invalid UTF-8 is relayed with the bad bytes replaced, and its sender keeps chatting",
            invalid_utf8_relayed,
            // In frames invalid UTF-8 is an error, not replaced (`bonus_4.hostile_headers`).
            retired_by = "bonus_4"
        ),
    ]
}

fn ii_6() -> Vec<Check<ServerTarget>> {
    vec![
        check!(
            "ii_6",
            "leave_announced_once",
            Course,
            "a client leaving is announced `Annonce : <pseudo> a quitté la chatroom` to the others, exactly once",
            leave_announced_once
        ),
        check!(
            "ii_6",
            "reset_mid_message",
            Robust,
            "a client reset in the middle of a message is announced as a leave and the server keeps serving",
            reset_mid_message
        ),
        check!(
            "ii_6",
            "no_leave_for_unjoined",
            Robust,
            "clients that never joined (refused or silent) leave without any announcement",
            no_leave_for_unjoined,
            holds_before = "ii_5 announces no leave at all, so none for a client that never joined: the check guards ii_6 servers that announce every connection that ends"
        ),
    ]
}

/// Connects `n` clients.
async fn clients(server: &RunningServer, n: usize) -> Result<Vec<TestClient>, super::Failure> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(server.connect().await?);
    }
    Ok(out)
}

/// Connects `n` clients and waits until the server relays between them (ii_4 on): from
/// ii_5 on they join as `c0`, `c1`, …, and every join announcement is taken. A failure
/// here is a preamble's: the checks it stops report it once (see [`Failure::Preamble`]).
pub(super) async fn relaying_clients(
    server: &RunningServer,
    n: usize,
) -> Result<Vec<TestClient>, super::Failure> {
    connect_relaying(server, n).await.map_err(|e| match e {
        Failure::Fail(reason) => Failure::Preamble(reason),
        other => other,
    })
}

async fn connect_relaying(
    server: &RunningServer,
    n: usize,
) -> Result<Vec<TestClient>, super::Failure> {
    if !server.pseudos {
        let mut v = clients(server, n).await?;
        sync_registered(&mut v).await?;
        return Ok(v);
    }
    let mut v: Vec<TestClient> = Vec::with_capacity(n);
    for i in 0..n {
        let pseudo = format!("c{i}");
        v.push(join(server, &pseudo).await?);
        for earlier in v[..i].iter_mut() {
            earlier
                .expect(&format!("the join of {pseudo}"), &joined(&pseudo))
                .await?;
        }
    }
    Ok(v)
}

async fn serving_on_first(t: &ServerTarget) -> CheckResult {
    let mut server = t.start().await?;
    let port = server.addr.port();
    let first = server.first_console_line().await?;
    let exact = first.as_deref().and_then(|l| l.strip_prefix("Serving on "));
    match exact.map(str::parse::<std::net::SocketAddr>) {
        Some(Ok(addr)) if addr.port() == port => Ok(()),
        _ => fail(format!(
            "first line: expected {} got {}",
            show(&format!("Serving on <ip>:{port}")),
            first.map_or("nothing".to_string(), |l| show(&l))
        )),
    }
}

async fn hello_reply(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let mut c = server.connect().await?;
    // The reply answers the message: a server that greets on connect is another program.
    c.expect_silence("before the client sent anything").await?;
    c.send("Hello").await?;
    let want = format!("Hello {}", c.me());
    c.expect("reply to `Hello`", &want).await
}

async fn every_message(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let mut v = clients(&server, 2).await?;
    for round in ["first", "second"] {
        for c in v.iter_mut() {
            c.send(round).await?;
            let want = format!("Hello {}", c.me());
            c.expect(&format!("reply to the {round} message"), &want)
                .await?;
        }
    }
    Ok(())
}

async fn console_line(t: &ServerTarget) -> CheckResult {
    let mut server = t.start().await?;
    let mut v = clients(&server, 2).await?;
    for (i, c) in v.iter_mut().enumerate() {
        let text = format!("bonjour de {i}");
        c.send(&text).await?;
        let want = format!("Message received from {} : {text}", c.me());
        server
            .console_line(&show(&want), |l| l.trim_end() == want)
            .await?;
    }
    Ok(())
}

async fn nothing_relayed(t: &ServerTarget) -> CheckResult {
    // The course leaves open whether ii_3 still answers its sender (ii_2 did): only the
    // other client's silence is the stage's behaviour.
    let server = t.start().await?;
    let mut v = clients(&server, 2).await?;
    v[0].send("pour personne").await?;
    v[1].expect_silence("the other client").await
}

async fn relay_format(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let mut v = relaying_clients(&server, 2).await?;
    v[0].send("salut").await?;
    let me = v[0].me();
    v[1].expect_relay("relayed message", &me, "salut").await
}

async fn not_to_sender(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let mut v = relaying_clients(&server, 2).await?;
    v[0].send("juste pour toi").await?;
    let name = v[0].name();
    v[1].expect_relay("relayed message", &name, "juste pour toi")
        .await?;
    v[0].expect_silence("the sender").await
}

async fn silent_client_receives(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let mut v = relaying_clients(&server, 2).await?;
    let (silent, talker) = v.split_at_mut(1);
    let (silent, talker) = (&mut silent[0], &mut talker[0]);
    talker.send("tu es là ?").await?;
    silent
        .expect_relay("message to the silent client", &talker.name(), "tu es là ?")
        .await
}

async fn three_clients(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let mut v = relaying_clients(&server, 3).await?;
    for sender in 0..3 {
        for round in 0..2 {
            let text = format!("message {round} de {sender}");
            v[sender].send(&text).await?;
            let name = v[sender].name();
            for (i, c) in v.iter_mut().enumerate() {
                if i != sender {
                    c.expect_relay(&format!("client {i}"), &name, &text).await?;
                }
            }
        }
    }
    for c in v.iter_mut() {
        c.expect_silence("after the exchange").await?;
    }
    Ok(())
}

/// The next message that is not `skip`.
async fn next_but(reader: &mut TestClient, skip: &str) -> Result<Option<String>, super::Failure> {
    loop {
        match reader.recv_within(patient(super::server::PATIENCE)).await {
            Ok(Some(line)) if line.trim_end() == skip => continue,
            other => return other,
        }
    }
}

async fn stuck_client(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let _stuck = server.connect_stuck().await?;
    let mut v = relaying_clients(&server, 2).await?;
    let (sender, reader) = v.split_at_mut(1);
    let (sender, reader) = (&mut sender[0], &mut reader[0]);
    let name = sender.name();
    let styled = t.styled;
    let prefix = format!("{name} a dit : ");
    let filler = "x".repeat(1000);
    // From ii_6 on, the stuck client being cut off is announced: that line may come anywhere.
    let stuck_left = left("stuck");
    let expect_nth = |got: Result<Option<String>, super::Failure>, i: usize| -> CheckResult {
        match got {
            Ok(Some(got))
                if super::relay::meaning(&got, styled).is_some_and(|(who, said)| {
                    who == name && said.starts_with(&format!("{i:05} "))
                }) =>
            {
                Ok(())
            }
            Ok(Some(got)) => {
                let head: String = got.chars().take(60).collect();
                fail(format!(
                    "message {i}: expected {} got {}",
                    show(&format!("{prefix}{i:05} …")),
                    show(&head)
                ))
            }
            Ok(None) => fail(format!("message {i}: the reader was disconnected")),
            Err(_) => fail(format!(
                "message {i}: expected it got nothing within 3 s: the stuck client delays the others"
            )),
        }
    };
    // 4 MB: more than the kernel send buffer towards the stuck client absorbs under Linux's
    // default `tcp_wmem` maximum (4 MiB; a Python server that drains each recipient in turn
    // stalls after ~2.8 MB of these messages), so that bug is caught in both wire modes.
    let total = 4000;
    if t.wire == crate::chat::wire::Wire::Tp {
        // In `tp` mode a read is a message, so a flood would merge messages on the way in:
        // send in lockstep instead (the same 4 MB; 1.5 MB let a blocking relay pass).
        for i in 0..total {
            sender.send(&format!("{i:05} {filler}")).await?;
            expect_nth(next_but(reader, &stuck_left).await, i)?;
        }
        return Ok(());
    }
    let send = async {
        for i in 0..total {
            sender.send(&format!("{i:05} {filler}")).await?;
        }
        Ok::<_, super::Failure>(())
    };
    let receive = async {
        for i in 0..total {
            expect_nth(next_but(reader, &stuck_left).await, i)?;
        }
        Ok(())
    };
    let (sent, received) = tokio::join!(send, receive);
    sent?;
    received
}

async fn long_line(t: &ServerTarget) -> CheckResult {
    if t.wire != crate::chat::wire::Wire::Lines {
        return Err(super::Failure::Skip(
            "line length applies to --wire lines".into(),
        ));
    }
    let server = t.start().await?;
    let mut v = relaying_clients(&server, 2).await?;
    let mut long = "y".repeat(5000);
    long.push('\n');
    v[0].send_raw(long.as_bytes()).await?;
    v[0].expect("reply to a 5000-byte line", TOO_LONG).await?;
    v[1].expect_silence("the other client").await?;
    v[0].send("court").await?;
    let name = v[0].name();
    v[1].expect_relay("the next message", &name, "court").await
}

/// Connects and joins as `pseudo`. The course announces a join "à tout le monde", which
/// half of its students read as "to the others": so the newcomer's own announcement is
/// taken if it comes, not required (`ii_5.newcomer_hears_own_join` requires it, in the
/// robust tier). Without it, a short wait stands for the server taking the handshake in.
pub(super) async fn join(
    server: &RunningServer,
    pseudo: &str,
) -> Result<TestClient, super::Failure> {
    let mut c = server.connect().await?;
    c.send(&format!("Hello|{pseudo}")).await?;
    if server.ids {
        // Bonus 2: the ID comes first (`bonus_2_ids.id_before_join` requires that order;
        // here it may come on either side of the announcement).
        c.id = take_id(&mut c, patient(QUIET)).await?;
    }
    c.take_if(&joined(pseudo), patient(QUIET)).await?;
    if server.ids && c.id.is_none() {
        c.id = take_id(&mut c, patient(QUIET)).await?;
    }
    c.pseudo = Some(pseudo.to_string());
    Ok(c)
}

/// Takes an `ID|<id>` message if it is the next within `limit` and returns the ID; anything
/// else is kept for the next read.
pub(super) async fn take_id(
    c: &mut TestClient,
    limit: std::time::Duration,
) -> Result<Option<String>, Failure> {
    match c.recv_within(limit).await {
        Ok(Some(m)) => match m.trim_end().strip_prefix("ID|") {
            Some(id) => Ok(Some(id.to_string())),
            None => {
                c.unread(m);
                Ok(None)
            }
        },
        Ok(None) => fail("waiting for the join: the connection was closed"),
        Err(_) => Ok(None),
    }
}

async fn join_announced(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let mut alice = join(&server, "alice").await?;
    let mut bob = join(&server, "bob").await?;
    alice.expect("alice hears bob join", &joined("bob")).await?;
    bob.expect_silence("bob after joining").await
}

async fn newcomer_hears_own_join(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let mut alice = server.connect().await?;
    alice.send("Hello|alice").await?;
    if server.ids {
        take_id(&mut alice, patient(QUIET)).await?;
    }
    alice
        .expect("alice's own join announcement", &joined("alice"))
        .await
}

async fn relay_with_pseudo(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let mut alice = join(&server, "alice").await?;
    let mut bob = join(&server, "bob").await?;
    alice.expect("alice hears bob join", &joined("bob")).await?;
    alice.send("coucou bob").await?;
    bob.expect_relay("relay to bob", "alice", "coucou bob")
        .await?;
    alice.expect_silence("the sender").await
}

/// A bad first message gets `Erreur : …` then the connection is closed.
async fn refused(t: &ServerTarget, first: &str) -> CheckResult {
    let server = t.start().await?;
    let mut watcher = join(&server, "watcher").await?;
    let mut c = server.connect().await?;
    c.send(first).await?;
    let got = c.expect_closed(&format!("after {}", show(first))).await?;
    match got.first() {
        Some(line) if line.starts_with("Erreur : ") && got.len() == 1 => {}
        _ => {
            return fail(format!(
                "after {}: expected one line \"Erreur : …\" then the close, got {}",
                show(first),
                show(&got.join("\n"))
            ));
        }
    }
    watcher
        .expect_silence("a joined client while someone is refused")
        .await
}

async fn refuse_bonjour(t: &ServerTarget) -> CheckResult {
    refused(t, "Bonjour").await
}

async fn refuse_empty_pseudo(t: &ServerTarget) -> CheckResult {
    refused(t, "Hello|").await
}

async fn refuse_control_chars(t: &ServerTarget) -> CheckResult {
    refused(t, "Hello|evil\u{1b}[31mred").await
}

async fn refuse_pipe(t: &ServerTarget) -> CheckResult {
    refused(t, "Hello|al|ice").await
}

async fn invalid_utf8_relayed(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let mut alice = join(&server, "alice").await?;
    let mut bob = join(&server, "bob").await?;
    alice.expect("alice hears bob join", &joined("bob")).await?;
    let end: &[u8] = if t.wire == crate::chat::wire::Wire::Lines {
        b"\n"
    } else {
        b""
    };
    bob.send_raw(&[b"caf\xe9 \xff\xfe ok".as_slice(), end].concat())
        .await?;
    match alice.recv_within(patient(super::server::PATIENCE)).await {
        Ok(Some(got))
            if super::relay::meaning(&got, t.styled).is_some_and(|(who, said)| {
                who == "bob" && said.starts_with("caf") && said.trim_end().ends_with(" ok")
            }) => {}
        Ok(Some(got)) => {
            return fail(format!(
                "relay of invalid UTF-8: expected {} got {}",
                show("bob a dit : caf\u{fffd} \u{fffd}\u{fffd} ok"),
                show(&got)
            ));
        }
        Ok(None) => return fail("relay of invalid UTF-8: expected it got the connection closed"),
        Err(_) => {
            return fail(format!(
                "relay of invalid UTF-8: expected it got nothing within {} s (a handler that crashed on the bytes?)",
                crate::grade::patience::secs(patient(super::server::PATIENCE))
            ));
        }
    }
    bob.send("encore là").await?;
    alice
        .expect_relay("bob's next message", "bob", "encore là")
        .await
}

async fn leave_announced_once(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let mut alice = join(&server, "alice").await?;
    let bob = join(&server, "bob").await?;
    alice.expect("bob's join", &joined("bob")).await?;
    bob.quit().await;
    alice.expect("bob's leave", &left("bob")).await?;
    alice
        .expect_silence("after bob's leave (announced twice?)")
        .await
}

async fn reset_mid_message(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let mut alice = join(&server, "alice").await?;
    let mut bob = join(&server, "bob").await?;
    alice.expect("bob's join", &joined("bob")).await?;
    // In `tp` mode every write is a whole message: there is no "middle" to cut.
    if bob.frames() {
        // A text frame announcing 16 bytes, 5 of them sent.
        bob.send_raw(b"\x01\x00\x10moiti").await?;
    } else if t.wire == crate::chat::wire::Wire::Lines {
        bob.send_raw("à moitié écr".as_bytes()).await?;
    }
    bob.reset();
    alice
        .expect("bob's leave after a reset", &left("bob"))
        .await?;
    let mut carol = join(&server, "carol").await?;
    alice
        .expect("carol's join after the reset", &joined("carol"))
        .await?;
    carol.send("toujours là ?").await?;
    alice
        .expect_relay("a message after the reset", "carol", "toujours là ?")
        .await
}

async fn no_leave_for_unjoined(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let mut alice = join(&server, "alice").await?;
    let silent = server.connect().await?;
    silent.quit().await;
    // Refused: whether the server closes it is ii_5.refuse_bonjour's subject, not this one's.
    let mut refused = server.connect().await?;
    refused.send("Bonjour").await?;
    let _ = refused.recv_within(patient(QUIET)).await;
    refused.quit().await;
    alice
        .expect_silence("after clients that never joined left")
        .await
}
