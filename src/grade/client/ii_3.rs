//! Stage ii_3's client: it sends what is typed and prints what the server pushes, both at
//! once, until the end of its input.

use super::ClientTarget;
use super::fake_server::{FakeServer, Peer, WAIT};
use super::program::{Client, connect};
use crate::chat::wire::Wire;
use crate::grade::patience::patient;
use crate::grade::{CheckResult, Failure, fail};
use std::time::Duration;

/// How long a client may take to exit once its input has ended.
const EOF_EXIT: Duration = Duration::from_secs(2);

/// Lines typed by [`sends_lines`]: plain, accented with punctuation, and one character.
const TYPED: [&str; 3] = ["premier message", "deuxième : ça marche ?", "3"];

/// Each line typed arrives as one message, in order, with nothing else after them.
pub(super) async fn sends_lines(target: &ClientTarget) -> CheckResult {
    let server = FakeServer::start(target.wire).await?;
    let client = Client::start(target, &server, true)?;
    let (mut client, mut peer) = connect(&server, client).await?;
    type_and_expect(&mut client, &mut peer, target.wire, &TYPED).await?;
    peer.expect_nothing("the last line typed").await
}

/// Types `lines` and expects each as one message, in order. With `--wire lines` they are
/// typed all at once (the framing must keep them apart); with `--wire tp` one at a time,
/// since there one read is one message and a burst could arrive as one.
pub(super) async fn type_and_expect(
    client: &mut Client,
    peer: &mut Peer,
    wire: Wire,
    lines: &[&str],
) -> CheckResult {
    if wire == Wire::Lines {
        for line in lines {
            client.type_line(line).await?;
        }
    }
    for (i, line) in lines.iter().enumerate() {
        if wire == Wire::Tp {
            client.type_line(line).await?;
        }
        peer.expect(&format!("message {} (the line typed)", i + 1), line)
            .await?;
    }
    Ok(())
}

/// Two messages pushed by the server are printed while nothing is typed.
pub(super) async fn prints_pushed(target: &ClientTarget) -> CheckResult {
    let server = FakeServer::start(target.wire).await?;
    let client = Client::start(target, &server, true)?;
    let (mut client, mut peer) = connect(&server, client).await?;
    for text in ["Message du serveur n°1", "Message du serveur n°2"] {
        peer.send(text).await?;
        client
            .expect_line_with(text, patient(WAIT))
            .await
            .map_err(|e| Failure::Fail(format!("{e} (stdin open and idle)")))?;
    }
    Ok(())
}

/// The end of input ends the client, with status 0.
pub(super) async fn exits_on_eof(target: &ClientTarget) -> CheckResult {
    let server = FakeServer::start(target.wire).await?;
    let client = Client::start(target, &server, true)?;
    let (mut client, _peer) = connect(&server, client).await?;
    client.end_input().await?;
    match client.wait_exit(patient(EOF_EXIT)).await {
        Some(status) if status.success() => Ok(()),
        Some(status) => fail(format!(
            "expected exit status 0 at the end of input got {status}; {}",
            client.stop().await.describe()
        )),
        None => fail(format!(
            "expected it to exit within {} s of the end of its input got still running",
            crate::grade::patience::secs(patient(EOF_EXIT))
        )),
    }
}
