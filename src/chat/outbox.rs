//! A client's outgoing queue and the one task that writes it to the socket.
//!
//! Broadcasting must never wait on a peer's socket: a client that stops reading would stall
//! everyone. So each client owns a queue, bounded in bytes, and a writer task that is the
//! only code touching its socket's write half. Pushing is synchronous and never blocks; the
//! writer takes *everything* queued at once and writes it in one go (one vectored system
//! call for a burst instead of one per message). A push that would exceed the budget means the client
//! has stopped reading: it is cut off ([`Push::Full`]) rather than letting memory grow.

use super::wire::Wire;
use bytes::{Buf, Bytes};
use std::collections::VecDeque;
use std::io::IoSlice;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::{Notify, watch};

/// Default byte budget of one client's queue: a reader that keeps reading never gets near
/// it even in a burst of thousands of messages, one that stopped reaches it in seconds.
pub const DEFAULT_BUDGET: usize = 1024 * 1024;

/// What happened to a pushed message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Push {
    /// Queued; the writer will send it.
    Queued,
    /// The queue was over budget: the client is now cut off and will be disconnected.
    Full,
    /// The client is already closing; the message was dropped.
    Closed,
}

/// Why the writer stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gone {
    /// The queue went over budget: the client was not reading.
    Overflow,
    /// Writing failed: the peer is gone.
    WriteFailed,
}

/// The sending side of a client's queue; cheap to clone.
#[derive(Clone)]
pub struct Outbox {
    /// Shared with the writer task.
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<State>,
    /// Wakes the writer; `notify_one` keeps a permit, so a wake-up is never lost.
    wake: Notify,
    /// Set once when the client must be disconnected (overflow or dead peer).
    gone: watch::Sender<Option<Gone>>,
    budget: usize,
}

#[derive(Default)]
struct State {
    queue: VecDeque<Bytes>,
    /// Bytes in `queue`.
    bytes: usize,
    /// No more pushes; the writer flushes what is queued, shuts the socket down and ends.
    closing: bool,
}

impl Outbox {
    /// Starts the writer task for `socket` and returns the queue feeding it, plus the
    /// task's handle (it ends after [`Outbox::close`] and a flush, or when the peer is gone).
    pub fn spawn<W>(socket: W, wire: Wire, budget: usize) -> (Outbox, tokio::task::JoinHandle<()>)
    where
        W: AsyncWrite + Unpin + Send + 'static,
    {
        let (gone, _) = watch::channel(None);
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            wake: Notify::new(),
            gone,
            budget,
        });
        let task = tokio::spawn(write_loop(socket, wire, shared.clone()));
        (Outbox { shared }, task)
    }

    /// Queues one encoded message. Never waits.
    pub fn push(&self, frame: Bytes) -> Push {
        let mut state = self.shared.lock();
        if state.closing {
            return Push::Closed;
        }
        if state.bytes + frame.len() > self.shared.budget {
            state.closing = true;
            state.queue.clear();
            state.bytes = 0;
            drop(state);
            self.shared.mark_gone(Gone::Overflow);
            return Push::Full;
        }
        state.bytes += frame.len();
        state.queue.push_back(frame);
        drop(state);
        self.shared.wake.notify_one();
        Push::Queued
    }

    /// No more messages: the writer sends what is queued, then shuts the socket down.
    pub fn close(&self) {
        self.shared.lock().closing = true;
        self.shared.wake.notify_one();
    }

    /// Resolves once the client must be disconnected: its queue overflowed or its socket
    /// failed. Cancel-safe, for a `select!` beside the reader.
    pub async fn gone(&self) -> Gone {
        let mut rx = self.shared.gone.subscribe();
        match rx.wait_for(Option::is_some).await {
            Ok(reason) => reason.unwrap_or(Gone::WriteFailed),
            // The sender lives in `shared`, which `self` keeps alive.
            Err(_) => Gone::WriteFailed,
        }
    }

    /// Why the client was cut off, if it was.
    pub fn gone_reason(&self) -> Option<Gone> {
        *self.shared.gone.borrow()
    }

    /// Bytes waiting to be written.
    pub fn queued_bytes(&self) -> usize {
        self.shared.lock().bytes
    }

    /// The byte budget.
    pub fn budget(&self) -> usize {
        self.shared.budget
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // The lock is never held across an await or a panic-prone call; recover anyway.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn mark_gone(&self, why: Gone) {
        self.gone
            .send_if_modified(|g| g.is_none() && g.replace(why).is_none());
        self.wake.notify_one();
    }
}

/// How long a closing writer may take to flush to a peer that does not read.
const FLUSH_LIMIT: Duration = Duration::from_secs(5);

async fn write_loop<W: AsyncWrite + Unpin>(mut socket: W, wire: Wire, shared: Arc<Shared>) {
    let mut batch = VecDeque::new();
    loop {
        let closing = {
            let mut state = shared.lock();
            std::mem::swap(&mut batch, &mut state.queue);
            state.bytes = 0;
            state.closing
        };
        if shared.gone.borrow().is_some() {
            break;
        }
        if batch.is_empty() {
            if closing {
                let _ = tokio::time::timeout(FLUSH_LIMIT, socket.shutdown()).await;
                break;
            }
            shared.wake.notified().await;
            continue;
        }
        let written = if closing {
            tokio::time::timeout(FLUSH_LIMIT, write_batch(&mut socket, wire, &mut batch))
                .await
                .unwrap_or_else(|_| Err(std::io::ErrorKind::TimedOut.into()))
        } else {
            write_batch(&mut socket, wire, &mut batch).await
        };
        if written.is_err() {
            shared.mark_gone(Gone::WriteFailed);
            break;
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

/// Writes and empties `batch`. In `lines` mode the queued messages go out together with
/// vectored writes (one system call for up to [`MAX_SLICES`] messages, straight from the
/// shared buffers, no copy); in `tp` mode each message is its own write, because there a
/// write *is* the message boundary the peer relies on.
async fn write_batch<W: AsyncWrite + Unpin>(
    socket: &mut W,
    wire: Wire,
    batch: &mut VecDeque<Bytes>,
) -> std::io::Result<()> {
    match wire {
        Wire::Lines => {
            while !batch.is_empty() {
                let slices: Vec<IoSlice<'_>> = batch
                    .iter()
                    .take(MAX_SLICES)
                    .map(|b| IoSlice::new(b))
                    .collect();
                let written = socket.write_vectored(&slices).await?;
                if written == 0 {
                    return Err(std::io::ErrorKind::WriteZero.into());
                }
                consume(batch, written);
            }
        }
        Wire::Tp => {
            while let Some(frame) = batch.pop_front() {
                socket.write_all(&frame).await?;
            }
        }
    }
    socket.flush().await
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
