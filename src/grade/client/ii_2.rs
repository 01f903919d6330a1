//! Stage ii_2's client: connect, send `Hello`, print the server's one reply, exit.

use super::ClientTarget;
use super::fake_server::{FakeServer, WAIT};
use super::program::{Client, connect};
use crate::grade::patience::patient;
use crate::grade::{CheckResult, fail};

/// The first message on the wire is exactly `Hello`.
pub(super) async fn sends_hello(target: &ClientTarget) -> CheckResult {
    let server = FakeServer::start(target.wire).await?;
    let client = Client::start(target, &server, false)?;
    let (_client, mut peer) = connect(&server, client).await?;
    peer.expect("first message", "Hello").await
}

/// The reply (`Hello <client ip>:<client port>`, as the course's server answers) is printed,
/// and the client exits 0 on its own while the server keeps the connection open.
pub(super) async fn prints_reply(target: &ClientTarget) -> CheckResult {
    let server = FakeServer::start(target.wire).await?;
    let client = Client::start(target, &server, false)?;
    let (mut client, mut peer) = connect(&server, client).await?;
    peer.recv("a first message").await?;
    let reply = format!("Hello {}", peer.addr);
    peer.send(&reply).await?;
    client.expect_line_with(&reply, patient(WAIT)).await?;
    match client.wait_exit(patient(WAIT)).await {
        Some(status) if status.success() => Ok(()),
        Some(status) => fail(format!(
            "expected exit status 0 after printing the reply got {status}; {}",
            client.stop().await.describe()
        )),
        None => fail(format!(
            "expected it to exit by itself after printing the reply got still running after {} s \
             (the server keeps the connection open)",
            crate::grade::patience::secs(patient(WAIT))
        )),
    }
}
