//! Typing on a terminal that cannot redraw (`TERM=dumb`: an editor's shell buffer, a
//! serial console): no escape sequences at all, so a message cannot be printed *above* the
//! line being typed. Left to the kernel's line editing, an incoming message would glue to
//! the half-typed line (`abcAnnonce : …`). So the keyboard is read a key at a time (echo
//! and line editing done here, Ctrl-C still a signal), and a message that arrives mid-line
//! goes on a line of its own, the prompt and what was typed so far repeated below it:
//!
//! ```text
//! > bonj
//! Annonce : bob a rejoint la chatroom
//! > bonjour
//! ```

use super::{Input, InputEnd};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

/// What the screen shows of the line being typed.
#[derive(Default)]
pub(super) struct Line {
    /// The prompt, while a line is being typed.
    prompt: Option<String>,
    /// The bytes typed so far (UTF-8).
    typed: Vec<u8>,
}

/// Prints messages on lines of their own, then the line being typed again.
pub(super) struct Printer(pub(super) Arc<Mutex<Line>>);

impl rustyline::ExternalPrinter for Printer {
    fn print(&mut self, msg: String) -> rustyline::Result<()> {
        let line = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = std::io::stdout().lock();
        match &line.prompt {
            Some(prompt) => {
                out.write_all(b"\n")?;
                out.write_all(msg.as_bytes())?;
                out.write_all(prompt.as_bytes())?;
                out.write_all(&line.typed)?;
            }
            None => out.write_all(msg.as_bytes())?,
        }
        out.flush()?;
        Ok(())
    }
}

/// Turns off the kernel's line editing and echo (signals stay on); `false` if it cannot.
pub(super) fn key_at_a_time() -> bool {
    // SAFETY: termios is plain data; tcgetattr fills it, tcsetattr reads it.
    unsafe {
        let mut t: libc::termios = std::mem::zeroed();
        if libc::tcgetattr(libc::STDIN_FILENO, &mut t) != 0 {
            return false;
        }
        t.c_lflag &= !(libc::ICANON | libc::ECHO);
        t.c_cc[libc::VMIN] = 1;
        t.c_cc[libc::VTIME] = 0;
        libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &t) == 0
    }
}

/// The keyboard thread: one line per prompt received, edited here.
pub(super) fn read_lines(
    line: Arc<Mutex<Line>>,
    prompts: std::sync::mpsc::Receiver<String>,
    lines: mpsc::Sender<Input>,
) {
    let stdin = std::io::stdin();
    let mut stdin = stdin.lock();
    while let Ok(prompt) = prompts.recv() {
        show(&line, |l| {
            l.prompt = Some(prompt.clone());
            l.typed.clear();
            prompt.as_bytes().to_vec()
        });
        let input = loop {
            let mut key = [0u8; 1];
            match stdin.read(&mut key) {
                Ok(0) | Err(_) => break Input::End(InputEnd::Closed),
                Ok(_) => {}
            }
            match key[0] {
                b'\r' | b'\n' => {
                    let typed = show(&line, |l| {
                        l.prompt = None;
                        b"\n".to_vec()
                    });
                    break Input::Line(String::from_utf8_lossy(&typed).into_owned());
                }
                0x04 if line.lock().is_ok_and(|l| l.typed.is_empty()) => {
                    show(&line, |l| {
                        l.prompt = None;
                        b"\n".to_vec()
                    });
                    break Input::End(InputEnd::Closed);
                }
                0x7f | 0x08 => {
                    show(&line, |l| {
                        // A whole character goes: its continuation bytes, then its first.
                        while l.typed.pop().is_some_and(|b| b & 0xC0 == 0x80) {}
                        b"\x08 \x08".to_vec()
                    });
                }
                b if b >= 0x20 => {
                    show(&line, |l| {
                        l.typed.push(b);
                        vec![b]
                    });
                }
                _ => {} // other control keys: ignored, never echoed
            }
        };
        let last = matches!(input, Input::End(_));
        if lines.blocking_send(input).is_err() || last {
            return;
        }
    }
}

/// Changes the line under its lock and writes what `change` returns, so that a message
/// printed meanwhile never lands between the two. Returns what was typed.
fn show(line: &Mutex<Line>, change: impl FnOnce(&mut Line) -> Vec<u8>) -> Vec<u8> {
    let mut l = line.lock().unwrap_or_else(|p| p.into_inner());
    let bytes = change(&mut l);
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(&bytes);
    let _ = out.flush();
    l.typed.clone()
}
