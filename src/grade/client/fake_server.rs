//! The scripted server a client check talks to: one listener on an ephemeral loopback port,
//! one accepted connection, and exact-message expectations with timeouts.
//!
//! Every byte the client sends is also recorded, so that a failure can show what did arrive
//! (a `Hello` without its line end, a message split in two) and not only what did not.

use super::program::Client;
use crate::chat::wire::{self, Incoming, MessageReader, Wire};
use crate::grade::patience::patient;
use crate::grade::{CheckResult, Failure, expect_eq, fail, show_bytes};
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWriteExt, ReadBuf};
use tokio::net::TcpListener;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

/// How long a client may take to connect, or to send an expected message.
pub(super) const WAIT: Duration = Duration::from_secs(5);
/// How long "nothing more arrives" is watched for.
pub(super) const QUIET: Duration = Duration::from_millis(200);
/// At most this many received bytes are kept for failure messages.
const RECORD_LIMIT: usize = 64 * 1024;

/// A listener waiting for the client under test.
pub(super) struct FakeServer {
    /// Bound on `127.0.0.1:0`.
    listener: TcpListener,
    /// How messages are framed in both directions.
    wire: Wire,
}

impl FakeServer {
    /// Binds an ephemeral loopback port.
    pub(super) async fn start(wire: Wire) -> Result<FakeServer, Failure> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        Ok(FakeServer { listener, wire })
    }

    /// The port to put in the client's command.
    pub(super) fn port(&self) -> Result<u16, Failure> {
        Ok(self.listener.local_addr()?.port())
    }

    /// Waits for the client to connect; fails if it exits without having connected.
    pub(super) async fn accept(&self, client: &mut Client) -> Result<Peer, Failure> {
        let none = || {
            format!(
                "expected a connection within {} s got none",
                crate::grade::patience::secs(patient(WAIT))
            )
        };
        let accepted = tokio::select! {
            // A client that connects and exits at once has both ready at the same time: the
            // connection wins, since it was made first.
            biased;
            accepted = tokio::time::timeout(patient(WAIT), self.listener.accept()) => accepted,
            status = client.wait_exit(patient(WAIT)) => match status {
                // The exit may be seen before the reactor reports the queued connection.
                Some(status) => match tokio::time::timeout(patient(QUIET), self.listener.accept()).await {
                    Ok(accepted) => Ok(accepted),
                    Err(_) => {
                        let why = format!("the client exiting ({status}) first");
                        return fail(format!("expected a connection got {why}"));
                    }
                },
                None => return fail(none()),
            },
        };
        let (stream, addr) = match accepted {
            Ok(accepted) => accepted?,
            Err(_) => return fail(none()),
        };
        let _ = stream.set_nodelay(true);
        let (read, writer) = stream.into_split();
        let received = Arc::new(Mutex::new(Vec::new()));
        let recorder = Recorder {
            inner: read,
            received: Arc::clone(&received),
        };
        Ok(Peer {
            reader: MessageReader::new(recorder, self.wire),
            writer,
            received,
            wire: self.wire,
            addr,
        })
    }
}

/// The server's end of the client's connection.
pub(super) struct Peer {
    /// Messages from the client.
    reader: MessageReader<Recorder>,
    /// To push messages, close or reset.
    writer: OwnedWriteHalf,
    /// Every byte received, for failure messages.
    received: Arc<Mutex<Vec<u8>>>,
    /// The framing in use.
    wire: Wire,
    /// The client's address as the server sees it.
    pub(super) addr: SocketAddr,
}

impl Peer {
    /// The next message, within [`WAIT`]; `what` names it in the failure.
    pub(super) async fn recv(&mut self, what: &str) -> Result<String, Failure> {
        match tokio::time::timeout(patient(WAIT), self.reader.next()).await {
            Ok(Ok(Some(Incoming::Message(text)))) => Ok(text),
            Ok(Ok(Some(Incoming::TooLong))) => fail(format!(
                "expected {what} got a line longer than {} bytes",
                wire::MAX_MESSAGE
            )),
            Ok(Ok(None)) => fail(format!(
                "expected {what} got the connection closed; {}",
                self.received_so_far()
            )),
            Ok(Err(e)) => fail(format!("expected {what} got a read error: {e}")),
            Err(_) => fail(format!(
                "expected {what} within {} s got none; {}",
                crate::grade::patience::secs(patient(WAIT)),
                self.received_so_far()
            )),
        }
    }

    /// Fails unless the next message is exactly `expected`.
    pub(super) async fn expect(&mut self, what: &str, expected: &str) -> CheckResult {
        let got = self
            .recv(&format!("{what} {}", crate::grade::show(expected)))
            .await?;
        expect_eq(what, expected, &got)
    }

    /// Fails if a message (or the end of the connection) arrives within [`QUIET`].
    pub(super) async fn expect_nothing(&mut self, after: &str) -> CheckResult {
        match tokio::time::timeout(patient(QUIET), self.reader.next()).await {
            Err(_) => Ok(()),
            Ok(Ok(Some(Incoming::Message(text)))) => fail(format!(
                "expected nothing more after {after} got the message {}",
                crate::grade::show(&text)
            )),
            Ok(Ok(Some(Incoming::TooLong))) => fail(format!(
                "expected nothing more after {after} got an over-long line"
            )),
            Ok(Ok(None)) | Ok(Err(_)) => fail(format!(
                "expected the connection to stay open after {after} got it closed"
            )),
        }
    }

    /// Pushes one message to the client.
    pub(super) async fn send(&mut self, text: &str) -> CheckResult {
        match tokio::time::timeout(
            patient(WAIT),
            self.writer.write_all(&wire::encode(self.wire, text)),
        )
        .await
        {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => fail(format!("cannot send {text:?} to the client: {e}")),
            Err(_) => fail(format!(
                "cannot send {text:?}: the client has not read its socket for {} s",
                crate::grade::patience::secs(patient(WAIT))
            )),
        }
    }

    /// Closes the connection the polite way (FIN).
    pub(super) async fn close(mut self) {
        let _ = self.writer.shutdown().await;
    }

    /// Closes the connection with a reset (RST): `SO_LINGER` 0, then close.
    pub(super) fn reset(self) -> CheckResult {
        self.writer.as_ref().set_zero_linger()?;
        // Dropping a write half sends a FIN first; `forget` leaves the close to the read
        // half, whose drop then closes the socket with the reset alone.
        self.writer.forget();
        drop(self.reader);
        Ok(())
    }

    /// What the client has sent so far, for failure messages.
    fn received_so_far(&self) -> String {
        let bytes = self.received.lock().map(|b| b.clone()).unwrap_or_default();
        if bytes.is_empty() {
            return "no bytes received".to_string();
        }
        let tail = &bytes[bytes.len().saturating_sub(200)..];
        let hint = if self.wire == Wire::Lines && !tail.ends_with(b"\n") {
            " (no line end after it: with --wire lines each message ends with \\n)"
        } else {
            ""
        };
        format!("bytes received so far: {}{hint}", show_bytes(tail))
    }
}

/// A read half that keeps a copy of everything read through it.
struct Recorder {
    /// The socket.
    inner: OwnedReadHalf,
    /// The copy, shared with the [`Peer`] (the reader owns `self`).
    received: Arc<Mutex<Vec<u8>>>,
}

impl AsyncRead for Recorder {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = &polled
            && let Ok(mut received) = this.received.lock()
            && received.len() < RECORD_LIMIT
        {
            received.extend_from_slice(&buf.filled()[before..]);
        }
        polled
    }
}
