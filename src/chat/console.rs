//! The server's console: one line per event on stdout, without a system call per line.
//!
//! `println!` locks stdout and, because stdout is line-buffered, makes one `write` per line:
//! at tens of thousands of messages a second that alone would bound the server. Lines are
//! sent to a thread that writes them through a buffer and flushes whenever it has nothing
//! more to write, so a quiet server still shows each line at once.

use std::io::Write;
use std::sync::OnceLock;
use std::sync::mpsc::{self, Sender};

static CONSOLE: OnceLock<Sender<String>> = OnceLock::new();

fn sender() -> &'static Sender<String> {
    CONSOLE.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<String>();
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
                // The lock is taken per batch, never kept: other code may print too.
                // A closed stdout (a pipe whose reader left) must not stop the server.
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(&batch);
                let _ = out.flush();
                batch.clear();
            }
        });
        tx
    })
}

/// Prints one console line (after every line printed before it).
pub fn line(text: impl Into<String>) {
    let _ = sender().send(text.into());
}
