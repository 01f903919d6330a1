//! The scripted server a client check talks to: one listener on an ephemeral loopback port,
//! one accepted connection, and exact-message expectations with timeouts.
//!
//! Every byte the client sends is also recorded, so that a failure can show what did arrive
//! (a `Hello` without its line end, a message split in two) and not only what did not.
//!
//! It speaks what the client speaks: when the client's first byte is `0x03`, a bonus 4 hello
//! frame (no line of the course starts with a control character), the connection is one of
//! frames, and every message is carried by its frame both ways ([`frames::client_line`],
//! [`frames::server_frame_for`]), so that the earlier stages' checks run unchanged on a
//! binary client; the checks of bonus 4 and 5 read and write the frames themselves, and a
//! client that speaks lines fails them.

use super::program::Client;
use crate::chat::wire::{self, Incoming, MessageReader, Wire};
use crate::grade::frames::{self, Frame, Parsed};
use crate::grade::patience::patient;
use crate::grade::{CheckResult, Failure, expect_eq, fail, show_bytes};
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt, Chain, ReadBuf};
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
            inbox: Inbox::Undecided(recorder),
            writer,
            received,
            wire: self.wire,
            addr,
        })
    }
}

/// Where the client's messages are read from, decided by its first byte.
enum Inbox {
    /// Nothing read yet.
    Undecided(Recorder),
    /// Lines (or `tp` reads), the first bytes read put back in front.
    Lines(MessageReader<Chain<std::io::Cursor<Vec<u8>>, Recorder>>),
    /// Frames: bytes read and not yet a whole frame.
    Frames(Recorder, Vec<u8>),
    /// Only while switching.
    Gone,
}

/// One thing the client sent.
enum Got {
    /// A line (or a frame's meaning as a line).
    Message(String),
    /// A line over the limit.
    TooLong,
    /// A frame, as it came.
    Frame(Frame),
    /// Bytes that are no frame: why.
    Bad(String),
}

/// The server's end of the client's connection.
pub(super) struct Peer {
    /// Messages from the client.
    inbox: Inbox,
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
    /// Whether the client speaks frames (known once it sent something).
    pub(super) fn frames(&self) -> bool {
        matches!(self.inbox, Inbox::Frames(..))
    }

    /// The next thing the client sends; cancel-safe (every byte read is kept in `self`).
    async fn next(&mut self) -> io::Result<Option<Got>> {
        loop {
            match &mut self.inbox {
                Inbox::Undecided(read) => {
                    let mut first = vec![0u8; 4096];
                    let n = read.read(&mut first).await?;
                    first.truncate(n);
                    let Inbox::Undecided(read) = std::mem::replace(&mut self.inbox, Inbox::Gone)
                    else {
                        unreachable!()
                    };
                    self.inbox = if first.first() == Some(&frames::HELLO) {
                        Inbox::Frames(read, first)
                    } else {
                        let chained = std::io::Cursor::new(first).chain(read);
                        Inbox::Lines(MessageReader::new(chained, self.wire))
                    };
                }
                Inbox::Lines(reader) => {
                    return Ok(reader.next().await?.map(|m| match m {
                        Incoming::Message(text) => Got::Message(text),
                        Incoming::TooLong => Got::TooLong,
                    }));
                }
                Inbox::Frames(read, buf) => match frames::parse_client(buf) {
                    Parsed::Frame(f, used) => {
                        buf.drain(..used);
                        return Ok(Some(Got::Frame(f)));
                    }
                    Parsed::Bad(why) => {
                        buf.clear();
                        return Ok(Some(Got::Bad(why)));
                    }
                    Parsed::Need => {
                        let mut chunk = [0u8; 8192];
                        let n = read.read(&mut chunk).await?;
                        if n == 0 {
                            return Ok(None);
                        }
                        buf.extend_from_slice(&chunk[..n]);
                    }
                },
                Inbox::Gone => return Ok(None),
            }
        }
    }

    /// The next frame, within [`WAIT`]; a failure when the client speaks lines.
    pub(super) async fn recv_frame(&mut self, what: &str) -> Result<Frame, Failure> {
        match self.next_within(what).await? {
            Got::Frame(f) => Ok(f),
            Got::Message(text) => fail(format!(
                "expected {what} (a frame) got the line {}",
                crate::grade::show(&text)
            )),
            Got::TooLong => fail(format!("expected {what} got an over-long line")),
            Got::Bad(why) => fail(self.no_frame(what, &why)),
        }
    }

    /// What the client sent next, within [`WAIT`]; a failure naming `what` when it sent
    /// nothing, closed the connection or could not be read.
    async fn next_within(&mut self, what: &str) -> Result<Got, Failure> {
        match tokio::time::timeout(patient(WAIT), self.next()).await {
            Ok(Ok(Some(got))) => Ok(got),
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

    /// The reason for bytes that are no frame where `what` was expected.
    fn no_frame(&self, what: &str, why: &str) -> String {
        format!(
            "expected {what} got bytes that are no frame ({why}); {}",
            self.received_so_far()
        )
    }

    /// Pushes bytes to the client as they are (a frame grade encoded).
    pub(super) async fn send_raw(&mut self, bytes: &[u8]) -> CheckResult {
        match tokio::time::timeout(patient(WAIT), self.writer.write_all(bytes)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => fail(format!("cannot send to the client: {e}")),
            Err(_) => fail(format!(
                "cannot send: the client has not read its socket for {} s",
                crate::grade::patience::secs(patient(WAIT))
            )),
        }
    }

    /// The next message, within [`WAIT`]; `what` names it in the failure.
    pub(super) async fn recv(&mut self, what: &str) -> Result<String, Failure> {
        match self.next_within(what).await? {
            Got::Message(text) => Ok(text),
            Got::Frame(f) => frames::client_line(&f).or_else(|why| {
                fail(format!(
                    "expected {what} got a frame 0x{:02x} that cannot be read ({why})",
                    f.kind
                ))
            }),
            Got::Bad(why) => fail(self.no_frame(what, &why)),
            Got::TooLong => fail(format!(
                "expected {what} got a line longer than {} bytes",
                wire::MAX_MESSAGE
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
        match tokio::time::timeout(patient(QUIET), self.next()).await {
            Err(_) => Ok(()),
            Ok(Ok(Some(Got::Message(text)))) => fail(format!(
                "expected nothing more after {after} got the message {}",
                crate::grade::show(&text)
            )),
            Ok(Ok(Some(Got::Frame(f)))) => fail(format!(
                "expected nothing more after {after} got the frame {}",
                frames::hex(&frames::encode(f.kind, &f.body))
            )),
            Ok(Ok(Some(Got::TooLong | Got::Bad(_)))) => fail(format!(
                "expected nothing more after {after} got an over-long line or bytes that are no frame"
            )),
            Ok(Ok(None)) | Ok(Err(_)) => fail(format!(
                "expected the connection to stay open after {after} got it closed"
            )),
        }
    }

    /// Pushes one message to the client.
    pub(super) async fn send(&mut self, text: &str) -> CheckResult {
        let bytes = if self.frames() {
            match frames::server_frame_for(text) {
                Some(frame) => frame,
                None => return fail(format!("grade: no frame means {text:?}")),
            }
        } else {
            wire::encode(self.wire, text).to_vec()
        };
        match tokio::time::timeout(patient(WAIT), self.writer.write_all(&bytes)).await {
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
        drop(self.inbox);
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
