//! Stage ii_5's client: it asks for a pseudo first and introduces itself with
//! `Hello|<pseudo>`, then chats as in ii_3.

use super::ClientTarget;
use super::fake_server::{FakeServer, WAIT};
use super::ii_3::type_and_expect;
use super::program::{PSEUDO, join};
use crate::grade::patience::patient;
use crate::grade::says;
use crate::grade::{CheckResult, expect_eq};

/// The first message is `Hello|<pseudo>`.
pub(super) async fn hello_first(target: &ClientTarget) -> CheckResult {
    let server = FakeServer::start(target.wire).await?;
    let (_client, _peer, first) = join(target, &server).await?;
    expect_eq("first message", &says::hello(PSEUDO), &first)
}

/// After the handshake the join announcement is printed and a typed line is sent.
pub(super) async fn chats_after_hello(target: &ClientTarget) -> CheckResult {
    let server = FakeServer::start(target.wire).await?;
    let (mut client, mut peer, first) = join(target, &server).await?;
    expect_eq("first message", &says::hello(PSEUDO), &first)?;
    let announce = says::joined(PSEUDO);
    peer.send(&announce).await?;
    client.expect_line_with(&announce, patient(WAIT)).await?;
    type_and_expect(&mut client, &mut peer, target.wire, &["bonjour à tous"]).await?;
    peer.expect_nothing("the line typed").await
}
