//! The server's console: one line per event on stdout, without a system call per line and
//! without ever making the server wait.
//!
//! `println!` locks stdout and, because stdout is line-buffered, makes one `write` per line:
//! at tens of thousands of messages a second that alone would bound the server, and if
//! stdout is a pipe nobody reads, `println!` blocks the task that called it. Lines are sent
//! instead to a thread that writes them through a buffer and flushes whenever it has nothing
//! more to write, so a quiet server still shows each line at once. The queue is bounded: when
//! stdout cannot keep up, lines are dropped and counted, and the count is printed as soon as
//! stdout is writable again — a slow terminal costs log lines, never memory or latency.

use std::io::Write;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, SyncSender, TrySendError};

/// Lines that may wait for stdout before new ones are dropped.
const QUEUE: usize = 16 * 1024;

struct Console {
    lines: SyncSender<String>,
    dropped: AtomicU64,
}

static CONSOLE: OnceLock<Console> = OnceLock::new();

fn console() -> &'static Console {
    CONSOLE.get_or_init(|| {
        let (lines, rx) = mpsc::sync_channel::<String>(QUEUE);
        std::thread::spawn(move || {
            let mut batch = Vec::with_capacity(64 * 1024);
            while let Ok(first) = rx.recv() {
                let mut line = Some(first);
                while let Some(l) = line {
                    batch.extend_from_slice(l.as_bytes());
                    batch.push(b'\n');
                    line = if batch.len() < 64 * 1024 {
                        rx.try_recv().ok()
                    } else {
                        None
                    };
                }
                let dropped = console().dropped.swap(0, Ordering::Relaxed);
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
            }
        });
        Console {
            lines,
            dropped: AtomicU64::new(0),
        }
    })
}

/// Prints one console line (after every line printed before it); never blocks.
pub fn line(text: impl Into<String>) {
    let c = console();
    if let Err(TrySendError::Full(_)) = c.lines.try_send(text.into()) {
        c.dropped.fetch_add(1, Ordering::Relaxed);
    }
}
