//! A client's outgoing queue and the one task that writes it to the socket.
//!
//! Broadcasting must never wait on a peer's socket: a client that stops reading would stall
//! everyone. So each client owns a queue, bounded in bytes, and a writer task that is the
//! only code touching its socket's write half. Pushing is synchronous and never blocks; the
//! writer takes *everything* queued at once and writes it in one go (one vectored system
//! call for a burst instead of one per message).
//!
//! A client is cut off ([`Gone`]) when it has stopped reading: its queue went over its cap,
//! or a write made no progress at all for [`Limits::stall`]. A cut is immediate: the writer
//! abandons the write it was blocked in (a peer that never reads cannot keep it), and the
//! [`Connection`](super::connection::Connection) owning the socket closes it with a reset,
//! which frees the kernel's buffers at once. Closing gracefully ([`Outbox::close`]) flushes
//! what is queued, but only for [`CLOSE_GRACE`]: after that the client counts as cut too.

use super::limits::{CLIENT_QUEUE_CAP, CLOSE_GRACE, PER_MESSAGE_OVERHEAD, QUEUE_CAP, STALL};
use super::wire::Wire;
use bytes::{Buf, Bytes};
use futures::FutureExt;
use std::collections::VecDeque;
use std::fmt;
use std::io::IoSlice;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::{Notify, watch};
use tokio::time::Instant;

/// When a queue's peer counts as gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most bytes queued (each message counts its length plus [`PER_MESSAGE_OVERHEAD`]).
    pub cap: usize,
    /// How long a write may make no progress before the peer counts as gone; `None` waits
    /// for ever (a chat client keeps showing messages from a server that stopped reading).
    pub stall: Option<Duration>,
}

impl Limits {
    /// A server's queue towards one of its clients.
    pub const SERVER: Limits = Limits {
        cap: QUEUE_CAP,
        stall: Some(STALL),
    };
    /// A client's queue towards its server.
    pub const CLIENT: Limits = Limits {
        cap: CLIENT_QUEUE_CAP,
        stall: None,
    };
}

/// What happened to a pushed message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Push {
    /// Queued; the writer will send it.
    Queued,
    /// The queue was over its cap: the client is now cut off and will be disconnected.
    Full,
    /// The client is already closing or gone; the message was dropped.
    Closed,
}

/// Why a client was cut off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gone {
    /// Its queue went over the cap: it reads far slower than messages arrive.
    Overflow,
    /// A write made no progress for the stall delay, or a closing flush did not end in
    /// time: it has stopped reading.
    Stalled,
    /// Writing failed: the peer is gone.
    WriteFailed,
}

impl fmt::Display for Gone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Gone::Overflow => write!(
                f,
                "outgoing queue full ({QUEUE_CAP} bytes), it is not reading"
            ),
            Gone::Stalled => write!(
                f,
                "nothing could be written to it for {} s, it is not reading",
                STALL.as_secs()
            ),
            Gone::WriteFailed => write!(f, "the connection failed"),
        }
    }
}

/// The sending side of a client's queue; cheap to clone.
#[derive(Clone)]
pub struct Outbox {
    /// Shared with the writer task.
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<State>,
    /// Wakes the writer when something is queued; `notify_one` keeps a permit, so a
    /// wake-up is never lost.
    wake: Notify,
    /// Open, then closing or gone: the writer watches it even while blocked in a write.
    signal: watch::Sender<Signal>,
    limits: Limits,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Signal {
    Open,
    /// Flush what is queued (within [`CLOSE_GRACE`]), then shut the socket down.
    Closing,
    /// Cut off: drop everything at once.
    Gone(Gone),
}

#[derive(Default)]
struct State {
    queue: VecDeque<Bytes>,
    /// Bytes counted against the cap for what is in `queue`.
    bytes: usize,
    /// No more pushes (closing or gone). A copy of the signal under the queue's own lock,
    /// so that a push, the hot path of every broadcast, takes one lock and no other.
    refused: bool,
}

impl Outbox {
    /// Starts the writer task for `socket` and returns the queue feeding it, plus the
    /// task's handle (it ends after [`Outbox::close`] and a flush, or at once when the
    /// client is cut off).
    pub fn spawn<W>(socket: W, wire: Wire, limits: Limits) -> (Outbox, tokio::task::JoinHandle<()>)
    where
        W: AsyncWrite + Reset + Unpin + Send + 'static,
    {
        let (signal, _) = watch::channel(Signal::Open);
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            wake: Notify::new(),
            signal,
            limits,
        });
        let task = tokio::spawn(write_loop(socket, wire, shared.clone()));
        (Outbox { shared }, task)
    }

    /// Queues one encoded message. Never waits.
    pub fn push(&self, frame: Bytes) -> Push {
        let mut state = self.shared.lock();
        if state.refused {
            return Push::Closed;
        }
        let cost = frame.len() + PER_MESSAGE_OVERHEAD;
        if state.bytes + cost > self.shared.limits.cap {
            drop(state);
            self.shared.mark_gone(Gone::Overflow);
            return Push::Full;
        }
        state.bytes += cost;
        state.queue.push_back(frame);
        drop(state);
        self.shared.wake.notify_one();
        Push::Queued
    }

    /// No more messages: the writer sends what is queued, within [`CLOSE_GRACE`], then
    /// shuts the socket down.
    pub fn close(&self) {
        self.shared.lock().refused = true;
        self.shared.signal.send_if_modified(|s| {
            let open = *s == Signal::Open;
            if open {
                *s = Signal::Closing;
            }
            open
        });
    }

    /// Resolves once the client must be disconnected: it was cut off or its socket
    /// failed. Cancel-safe, for a `select!` beside the reader.
    pub async fn gone(&self) -> Gone {
        let mut rx = self.shared.signal.subscribe();
        loop {
            if let Signal::Gone(why) = *rx.borrow_and_update() {
                return why;
            }
            if rx.changed().await.is_err() {
                // The sender lives in `shared`, which `self` keeps alive.
                return Gone::WriteFailed;
            }
        }
    }

    /// Why the client was cut off, if it was.
    pub fn gone_reason(&self) -> Option<Gone> {
        match *self.shared.signal.borrow() {
            Signal::Gone(why) => Some(why),
            _ => None,
        }
    }

    /// Bytes counted against the cap for what waits to be written.
    pub fn queued_bytes(&self) -> usize {
        self.shared.lock().bytes
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // The lock is never held across an await or a panic-prone call; recover anyway.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn mark_gone(&self, why: Gone) {
        self.signal.send_if_modified(|s| {
            let first = !matches!(s, Signal::Gone(_));
            if first {
                *s = Signal::Gone(why);
            }
            first
        });
        *self.lock() = State {
            refused: true,
            ..State::default()
        };
    }
}

/// A socket write half the writer can close with a reset when its peer is cut off.
pub trait Reset {
    /// Makes the socket's close a reset (`SO_LINGER` 0): the kernel then frees at once what
    /// it still holds for the peer, instead of keeping it until a peer that never reads does.
    fn reset_on_close(&self) {}
}

impl Reset for tokio::net::tcp::OwnedWriteHalf {
    fn reset_on_close(&self) {
        let _ = self.as_ref().set_zero_linger();
    }
}

impl Reset for tokio::io::DuplexStream {}

async fn write_loop<W: AsyncWrite + Reset + Unpin>(mut socket: W, wire: Wire, shared: Arc<Shared>) {
    write_until_done(&mut socket, wire, &shared).await;
    if matches!(*shared.signal.borrow(), Signal::Gone(_)) {
        socket.reset_on_close();
    }
}

async fn write_until_done<W: AsyncWrite + Unpin>(socket: &mut W, wire: Wire, shared: &Shared) {
    let mut signal = shared.signal.subscribe();
    let mut batch = VecDeque::new();
    // Set when closing starts: everything must be written by then.
    let mut deadline = None;
    loop {
        {
            let mut state = shared.lock();
            std::mem::swap(&mut batch, &mut state.queue);
            state.bytes = 0;
        }
        match *signal.borrow_and_update() {
            Signal::Gone(_) => return,
            Signal::Closing if deadline.is_none() => deadline = Some(Instant::now() + CLOSE_GRACE),
            _ => {}
        }
        if batch.is_empty() {
            if let Some(deadline) = deadline {
                if tokio::time::timeout_at(deadline, socket.shutdown())
                    .await
                    .is_err()
                {
                    shared.mark_gone(Gone::Stalled);
                }
                return;
            }
            tokio::select! {
                _ = shared.wake.notified() => {}
                _ = signal.changed() => {}
            }
            continue;
        }
        let written = write_batch(socket, wire, &mut batch, shared, &mut signal, &mut deadline);
        if let Err(why) = written.await {
            shared.mark_gone(why);
            return;
        }
        // A burst (thousands of join announcements while 10,000 clients connect) grows
        // the queue per client; kept, it would cost KiBs for every idle client.
        if batch.capacity() > KEEP_QUEUED {
            batch = VecDeque::new();
        }
    }
}

/// Queue capacity (messages) a writer keeps between bursts.
const KEEP_QUEUED: usize = 16;

/// Writes and empties `batch`, one write system call at a time, giving up when a write
/// makes no progress for the stall delay, when closing outlasts its deadline, or at once
/// when the client is cut off from elsewhere (a push over the cap).
async fn write_batch<W: AsyncWrite + Unpin>(
    socket: &mut W,
    wire: Wire,
    batch: &mut VecDeque<Bytes>,
    shared: &Shared,
    signal: &mut watch::Receiver<Signal>,
    deadline: &mut Option<Instant>,
) -> Result<(), Gone> {
    let far = Instant::now() + Duration::from_secs(86_400 * 365);
    let mut progress = Instant::now();
    while !batch.is_empty() {
        // Most writes complete at once: try without arming any timer first.
        if let Some(written) = write_some(socket, wire, batch).now_or_never() {
            match written {
                Ok(0) | Err(_) => return Err(Gone::WriteFailed),
                Ok(n) => {
                    consume(batch, n);
                    progress = Instant::now();
                    continue;
                }
            }
        }
        let stall_at = shared.limits.stall.map_or(far, |s| progress + s);
        let give_up = stall_at.min(deadline.unwrap_or(far));
        // Cancelling a pending write is safe: a write that has not completed wrote nothing.
        tokio::select! {
            written = write_some(socket, wire, batch) => match written {
                Ok(0) | Err(_) => return Err(Gone::WriteFailed),
                Ok(n) => {
                    consume(batch, n);
                    progress = Instant::now();
                }
            },
            _ = tokio::time::sleep_until(give_up) => return Err(Gone::Stalled),
            _ = signal.changed() => match *signal.borrow_and_update() {
                Signal::Gone(why) => return Err(why),
                Signal::Closing if deadline.is_none() => {
                    *deadline = Some(Instant::now() + CLOSE_GRACE);
                }
                _ => {}
            },
        }
    }
    Ok(())
}

/// One write system call. In `lines` mode the queued messages go out together (one
/// vectored write for up to [`MAX_SLICES`] messages, straight from the shared buffers, no
/// copy); in `tp` mode only the first message, because there a write *is* the message
/// boundary the peer relies on.
async fn write_some<W: AsyncWrite + Unpin>(
    socket: &mut W,
    wire: Wire,
    batch: &VecDeque<Bytes>,
) -> std::io::Result<usize> {
    match wire {
        Wire::Lines => {
            let slices: Vec<IoSlice<'_>> = batch
                .iter()
                .take(MAX_SLICES)
                .map(|b| IoSlice::new(b))
                .collect();
            socket.write_vectored(&slices).await
        }
        Wire::Tp => match batch.front() {
            Some(frame) => socket.write(frame).await,
            None => Ok(0),
        },
    }
}

/// Most messages handed to one vectored write (Linux accepts 1024).
const MAX_SLICES: usize = 256;

/// Drops the first `written` bytes of the queued messages (a write may end mid-message).
fn consume(batch: &mut VecDeque<Bytes>, mut written: usize) {
    while written > 0 {
        let Some(front) = batch.front_mut() else {
            return;
        };
        if front.len() <= written {
            written -= front.len();
            batch.pop_front();
        } else {
            front.advance(written);
            return;
        }
    }
}

#[cfg(test)]
mod tests;
