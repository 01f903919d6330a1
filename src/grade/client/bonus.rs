//! The bonus clients (CONTRACT.md § Part III): own messages and colours (bonus 1), the ID
//! kept in a file (bonus 2 ids), the conversation's log (bonus 2 logs), a config file and
//! the course's exit codes (bonus 3).
//!
//! The command names the client's files with placeholders that `grade` fills with paths in
//! a directory of the check's own: `{id_file}`, `{log}`, `{config}` (see
//! [`Files`](super::program::Files)). A check whose placeholder is missing skips, since
//! `grade` cannot know where a client keeps its ID or its log.

use super::ClientTarget;
use super::fake_server::{FakeServer, Peer, WAIT};
use super::program::{Client, Files, Launch, PSEUDO, fill, join, join_as};
use crate::chat::wire::Wire;
use crate::grade::bonus::config::{expect_exit, require};
use crate::grade::bonus::logs::{has_time, rfc3339_start, wait_log};
use crate::grade::patience::patient;
use crate::grade::says::{self, joined};
use crate::grade::{CheckResult, Failure, expect_eq, fail, show};
use std::time::Duration;

/// How long a client has to exit once its input has ended (then it is stopped anyway: what
/// the checks read is on disk by then, or never will be).
const EOF_EXIT: Duration = Duration::from_secs(2);

/// A relay as a bonus server sends it, from bob.
const STYLED_RELAY: &str = "[12:34] \u{1b}[31mbob\u{1b}[0m a dit : coucou alice";

/// Joins (the first message must be `Hello|alice`) and has the announcement printed.
async fn joined_client(
    target: &ClientTarget,
    server: &FakeServer,
    client: Client,
) -> Result<(Client, Peer), Failure> {
    let (mut client, mut peer, first) = join_as(target, server, client).await?;
    expect_eq("first message", &says::hello(PSEUDO), &first)?;
    let announce = joined(PSEUDO);
    peer.send(&announce).await?;
    client.expect_line_with(&announce, patient(WAIT)).await?;
    Ok((client, peer))
}

/// Ends the input and gives the client [`EOF_EXIT`] to exit; stops it either way.
async fn finish(mut client: Client) -> Result<Vec<String>, Failure> {
    client.end_input().await?;
    let _ = client.wait_exit(patient(EOF_EXIT)).await;
    Ok(client.stop().await.lines)
}

pub(super) async fn own_message(target: &ClientTarget) -> CheckResult {
    let server = FakeServer::start(target.wire).await?;
    let (mut client, mut peer, _) = join(target, &server).await?;
    let text = "salut tout le monde";
    client.type_line(text).await?;
    peer.expect("the line typed", text).await?;
    client
        .expect_line_with(&format!("Vous avez dit : {text}"), patient(WAIT))
        .await
        .map(|_| ())
}

pub(super) async fn plain_when_piped(target: &ClientTarget) -> CheckResult {
    if target.tty {
        return Err(Failure::Skip(
            "is about a client whose stdout is not a terminal".into(),
        ));
    }
    let server = FakeServer::start(target.wire).await?;
    let files = Files::new()?;
    let how = Launch {
        colour: true,
        ..Launch::default()
    };
    let client = Client::start_with(target, &server, true, &files, &how)?;
    let (mut client, mut peer) = joined_client(target, &server, client).await?;
    peer.send(STYLED_RELAY).await?;
    let line = client
        .expect_line_with("bob a dit : coucou alice", patient(WAIT))
        .await?;
    if !line.contains("12:34") {
        return fail(format!(
            "expected the relay {} shown with its time 12:34 got {}",
            show(STYLED_RELAY),
            show(&line)
        ));
    }
    let output = client.stop().await;
    if let Some(escaped) = output.lines.iter().find(|l| l.contains('\u{1b}')) {
        return fail(format!(
            "stdout a pipe and NO_COLOR unset: expected no escape sequence got {}",
            show(escaped)
        ));
    }
    Ok(())
}

/// An ID as a bonus server gives one: 32 hex digits, different for every check.
fn some_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{:032x}", nanos ^ (u128::from(std::process::id()) << 64))
}

/// The first run of an ID check: joins with no ID file, receives `ID|<id>` then its
/// announcement, types nothing and ends. Returns the ID and what it printed.
async fn first_run(
    target: &ClientTarget,
    server: &FakeServer,
    files: &Files,
) -> Result<(String, Vec<String>), Failure> {
    require(&target.command, &["id_file"])?;
    let client = Client::start_with(target, server, true, files, &Launch::default())?;
    let (mut client, mut peer, first) = join_as(target, server, client).await?;
    expect_eq("first message (no ID yet)", &says::hello(PSEUDO), &first)?;
    let id = some_id();
    peer.send(&says::id_line(&id)).await?;
    if target.wire == Wire::Lines {
        let announce = joined(PSEUDO);
        peer.send(&announce).await?;
        // Printed after the ID line was read: the ID has been taken in.
        client.expect_line_with(&announce, patient(WAIT)).await?;
    } else {
        // In `tp` mode a second message right behind the ID could arrive glued to it, one
        // read; so the sign the ID was taken in is the file holding it (a client that
        // writes it only on exit is given the wait, then ends as well).
        let path = files.id_file();
        let _ = wait_log(&path, "the ID", |lines| {
            lines.iter().any(|l| l.contains(&id))
        })
        .await;
    }
    let lines = finish(client).await?;
    peer.close().await;
    Ok((id, lines))
}

pub(super) async fn comes_back(target: &ClientTarget) -> CheckResult {
    let server = FakeServer::start(target.wire).await?;
    let files = Files::new()?;
    let (id, _) = first_run(target, &server, &files).await?;
    let again = Client::start_with(target, &server, true, &files, &Launch::default())?;
    let (_client, _peer, first) = join_as(target, &server, again).await?;
    expect_eq(
        "first message of the second run",
        &says::hello_back(PSEUDO, &id),
        &first,
    )
}

pub(super) async fn keeps_id_quiet(target: &ClientTarget) -> CheckResult {
    let server = FakeServer::start(target.wire).await?;
    let files = Files::new()?;
    let (id, lines) = first_run(target, &server, &files).await?;
    let raw = says::id_line(&id);
    if let Some(line) = lines.iter().find(|l| l.contains(&raw)) {
        return fail(format!(
            "expected the `ID|…` line not to be printed as it is got {}",
            show(line)
        ));
    }
    let path = files.id_file();
    match std::fs::read_to_string(&path) {
        Ok(text) if text.contains(&id) => Ok(()),
        Ok(text) => fail(format!(
            "expected the file {{id_file}} to hold the ID {id} got {}",
            show(&text)
        )),
        Err(e) => fail(format!(
            "expected the file {{id_file}} to hold the ID {id} got it unreadable: {e}"
        )),
    }
}

/// A conversation for the log: bob's relay shown, a line typed and sent; the input ends.
/// Returns the log's lines once both are in it.
async fn logged_conversation(target: &ClientTarget) -> Result<Vec<String>, Failure> {
    require(&target.command, &["log"])?;
    let server = FakeServer::start(target.wire).await?;
    let files = Files::new()?;
    let client = Client::start_with(target, &server, true, &files, &Launch::default())?;
    let (mut client, mut peer) = joined_client(target, &server, client).await?;
    peer.send(STYLED_RELAY).await?;
    client
        .expect_line_with("coucou alice", patient(WAIT))
        .await?;
    client.type_line("bonjour bob").await?;
    peer.expect("the line typed", "bonjour bob").await?;
    finish(client).await?;
    wait_log(
        &files.log(),
        "a line with `coucou alice` (shown) and one with `bonjour bob` (sent)",
        |lines| {
            lines.iter().any(|l| l.contains("coucou alice"))
                && lines.iter().any(|l| l.contains("bonjour bob"))
        },
    )
    .await
}

pub(super) async fn client_log(target: &ClientTarget) -> CheckResult {
    let lines = logged_conversation(target).await?;
    for text in ["coucou alice", "bonjour bob"] {
        let line = lines.iter().find(|l| l.contains(text)).cloned();
        if let Some(line) = line.filter(|l| !has_time(l)) {
            return fail(format!(
                "the log file: expected the line of {} to carry the time (HH:MM) got {}",
                show(text),
                show(&line)
            ));
        }
    }
    Ok(())
}

pub(super) async fn client_log_rfc3339(target: &ClientTarget) -> CheckResult {
    let lines = logged_conversation(target).await?;
    let now = jiff::Zoned::now();
    for line in &lines {
        let ok = rfc3339_start(line).is_some_and(|(at, offset)| {
            offset == now.offset().seconds()
                && (now.timestamp().as_second() - at.as_second()).abs() <= 120
        });
        if !ok {
            return fail(format!(
                "the log file: expected every line to start with the local time now and its offset (RFC 3339) got {}",
                show(line)
            ));
        }
    }
    Ok(())
}

/// Runs the client given `how` (no server listens: it must refuse before connecting) and
/// expects exit code `code`.
async fn client_exit(
    target: &ClientTarget,
    how: &Launch<'_>,
    code: i32,
    given: &str,
) -> CheckResult {
    let files = Files::new()?;
    // A valid port nobody listens on, for when the port is not the value under test.
    let free = crate::grade::server::free_port()?;
    let argv = fill(target, free, &files, how)?;
    expect_exit(&argv, code, given).await.map(|_| ())
}

pub(super) async fn exit_codes_flags(target: &ClientTarget) -> CheckResult {
    require(&target.command, &["port", "address"])?;
    for (port, address, code) in [
        (Some("70000"), None, 1),
        (Some("80"), None, 2),
        (None, Some("999.1.1.1"), 3),
    ] {
        let how = Launch {
            port,
            address,
            ..Launch::default()
        };
        let given = match (port, address) {
            (Some(p), _) => format!("{{port}} = {p}"),
            (_, a) => format!("{{address}} = {}", a.unwrap_or_default()),
        };
        client_exit(target, &how, code, &given).await?;
    }
    Ok(())
}

pub(super) async fn exit_codes_file(target: &ClientTarget) -> CheckResult {
    require(&target.command, &["config"])?;
    for (text, code) in [
        ("HOST=127.0.0.1\nPORT=70000\n", 1),
        ("HOST=127.0.0.1\nPORT=80\n", 2),
        ("HOST=999.1.1.1\nPORT=8888\n", 3),
    ] {
        let how = Launch {
            config: Some(text),
            drop: &["port", "address"],
            ..Launch::default()
        };
        let given = format!("a config file saying {}", show(text.trim_end()));
        client_exit(target, &how, code, &given).await?;
    }
    Ok(())
}

pub(super) async fn pseudo_from_file(target: &ClientTarget) -> CheckResult {
    require(&target.command, &["config"])?;
    let text = "PSEUDO=depuis_fichier\n";
    let server = FakeServer::start(target.wire).await?;
    let files = Files::new()?;
    let how = Launch {
        config: Some(text),
        drop: &["pseudo"],
        ..Launch::default()
    };
    let client = Client::start_with(target, &server, true, &files, &how)?;
    let (client, mut peer) = super::program::connect(&server, client).await?;
    let first = peer.recv("a first message").await?;
    expect_eq(
        "first message with PSEUDO=depuis_fichier in the config file",
        &says::hello("depuis_fichier"),
        &first,
    )?;
    drop((client, peer));
    if !crate::grade::process::mentions(&target.command, "pseudo") {
        return Ok(());
    }
    // Both: the command line's.
    let how = Launch {
        config: Some(text),
        ..Launch::default()
    };
    let client = Client::start_with(target, &server, true, &files, &how)?;
    let (_client, mut peer) = super::program::connect(&server, client).await?;
    let first = peer.recv("a first message").await?;
    expect_eq(
        "first message with PSEUDO=depuis_fichier in the config file and {pseudo} = alice",
        &says::hello(PSEUDO),
        &first,
    )
}
