//! The server's console: one line per event on stdout, without a system call per line,
//! without ever making the server wait, and without letting a peer control the terminal.
//!
//! `println!` locks stdout and, because stdout is line-buffered, makes one `write` per line:
//! at tens of thousands of messages a second that alone would bound the server, and if
//! stdout is a pipe nobody reads, `println!` blocks the task that called it. Lines are sent
//! instead to a thread that writes them through a buffer and flushes whenever it has nothing
//! more to write, so a quiet server still shows each line at once. The queue is bounded in
//! bytes ([`CONSOLE_BACKLOG`]) and in lines: when stdout cannot keep up, lines are dropped
//! and counted, and the count is printed as soon as stdout is writable again — a slow
//! terminal costs log lines, never memory or latency.
//!
//! Console lines quote what peers sent (messages, pseudos), so the thread prints each one
//! through [`visible`]: an escape sequence or a lone `\r` in a message is shown, not obeyed.

use super::limits::CONSOLE_BACKLOG;
use crate::visible::visible;
use std::io::Write;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, SyncSender};

struct Console {
    lines: SyncSender<String>,
    /// Bytes of the lines queued and not yet written.
    queued: AtomicUsize,
    dropped: AtomicU64,
}

static CONSOLE: OnceLock<Console> = OnceLock::new();

/// Bytes gathered before a write to stdout.
const BATCH: usize = 64 * 1024;

/// Lines that may wait, whatever their size: the channel's slots are allocated once, which
/// keeps sending a line cheap (no allocation per line on the server's hot path).
const QUEUE_LINES: usize = 16 * 1024;

fn console() -> &'static Console {
    CONSOLE.get_or_init(|| {
        let (lines, rx) = mpsc::sync_channel::<String>(QUEUE_LINES);
        std::thread::spawn(move || {
            let mut batch = Vec::with_capacity(BATCH);
            while let Ok(first) = rx.recv() {
                let mut line = Some(first);
                let mut taken = 0;
                while let Some(l) = line {
                    taken += l.len();
                    batch.extend_from_slice(visible(&l).as_bytes());
                    batch.push(b'\n');
                    line = if batch.len() < BATCH {
                        rx.try_recv().ok()
                    } else {
                        None
                    };
                }
                let c = console();
                c.queued.fetch_sub(taken, Ordering::Relaxed);
                let dropped = c.dropped.swap(0, Ordering::Relaxed);
                if dropped > 0 {
                    let note = format!("({dropped} console lines dropped: stdout was too slow)\n");
                    batch.extend_from_slice(note.as_bytes());
                }
                // The lock is taken per batch, never kept: other code may print too.
                // A closed stdout (a pipe whose reader left) must not stop the server.
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(&batch);
                let _ = out.flush();
                batch.clear();
                // A burst may have grown the buffer far beyond a batch; give it back.
                batch.shrink_to(BATCH);
            }
        });
        Console {
            lines,
            queued: AtomicUsize::new(0),
            dropped: AtomicU64::new(0),
        }
    })
}

/// Prints one console line (after every line printed before it); never blocks. Control
/// characters in it are shown visibly.
pub fn line(text: impl Into<String>) {
    let c = console();
    let text = text.into();
    let len = text.len();
    if c.queued.fetch_add(len, Ordering::Relaxed) + len > CONSOLE_BACKLOG {
        c.queued.fetch_sub(len, Ordering::Relaxed);
        c.dropped.fetch_add(1, Ordering::Relaxed);
        return;
    }
    if c.lines.try_send(text).is_err() {
        c.queued.fetch_sub(len, Ordering::Relaxed);
        c.dropped.fetch_add(1, Ordering::Relaxed);
    }
}
