//! The chat client's terminal: lines typed in, messages shown, never garbled.
//!
//! Reading stdin blocks, so it runs on its own thread and hands each line over a channel;
//! [`Terminal::next_line`] is then an ordinary cancel-safe future that a client can put in
//! a `tokio::select!` beside the socket (the lesson of `chat_client_ii_3`). Returning from
//! `main` ends the process, stdin thread included, so a client can exit the moment the
//! server goes away even if the user never presses Enter.
//!
//! On a terminal the thread runs a line editor (rustyline) and incoming messages are printed
//! *above* the line being typed; on a terminal that cannot redraw (`TERM=dumb`) a message
//! gets a line of its own and the half-typed line is repeated below it (`dumb`); when stdin
//! is a pipe, lines are read plainly and messages printed as they come. Everything
//! shown goes through [`visible`]: a message can never control the user's terminal.

use super::handshake;
use crate::visible::visible;
use std::io::{BufRead, IsTerminal, Write};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

/// Why the user's input ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputEnd {
    /// End of input (Ctrl-D, or the end of a piped stdin).
    Closed,
    /// Ctrl-C while the line editor had the terminal.
    Interrupted,
}

#[cfg(unix)]
mod dumb;

/// What the stdin thread sends.
enum Input {
    Line(String),
    End(InputEnd),
}

type Printer = Arc<Mutex<Box<dyn rustyline::ExternalPrinter + Send>>>;

/// The user's side: lines typed, messages shown.
pub struct Terminal {
    /// Prompts for the stdin thread: one per line wanted.
    prompts: std::sync::mpsc::Sender<String>,
    /// Lines typed, from the stdin thread.
    lines: mpsc::Receiver<Input>,
    /// A prompt was sent and its line has not arrived yet (keeps `next_line` cancel-safe).
    pending: bool,
    /// Prints above the prompt when a line editor is running.
    printer: Option<Printer>,
    /// The terminal settings to restore on exit: the editor may be mid-line in raw mode.
    saved: Option<raw::Saved>,
    /// The terminal understands escape sequences (not `TERM=dumb`).
    redraws: bool,
}

impl Terminal {
    /// Starts reading stdin on its own thread: a line editor on a terminal, plain lines
    /// otherwise.
    pub fn start() -> Terminal {
        let (prompts, prompt_rx) = std::sync::mpsc::channel::<String>();
        let (line_tx, lines) = mpsc::channel(16);
        let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
        let tty = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
        let interactive = tty && !dumb;
        let mut printer: Option<Printer> = None;
        let mut saved = None;
        #[cfg(unix)]
        if tty && dumb {
            saved = raw::save();
            if saved.is_some() && dumb::key_at_a_time() {
                let line = Arc::new(Mutex::new(dumb::Line::default()));
                let shown = dumb::Printer(line.clone());
                std::thread::spawn(move || dumb::read_lines(line, prompt_rx, line_tx));
                return Terminal {
                    prompts,
                    lines,
                    pending: false,
                    printer: Some(Arc::new(Mutex::new(Box::new(shown) as Box<_>))),
                    saved,
                    redraws: false,
                };
            }
        }
        let editor = interactive
            .then(rustyline::DefaultEditor::new)
            .and_then(Result::ok);
        match editor {
            Some(mut editor) => {
                if let Ok(p) = editor.create_external_printer() {
                    printer = Some(Arc::new(Mutex::new(Box::new(p) as Box<_>)));
                }
                saved = raw::save();
                std::thread::spawn(move || edit_lines(editor, prompt_rx, line_tx));
            }
            None => {
                std::thread::spawn(move || read_plain_lines(prompt_rx, line_tx));
            }
        }
        Terminal {
            prompts,
            lines,
            pending: false,
            printer,
            saved,
            redraws: true,
        }
    }

    /// The next line typed (after `prompt` on a terminal); `Err` says why there is none.
    /// Cancel-safe: a line typed while this future was dropped is returned next time.
    async fn input(&mut self, prompt: &str) -> Result<String, InputEnd> {
        if !self.pending {
            let _ = self.prompts.send(prompt.to_string());
            self.pending = true;
        }
        let input = self.lines.recv().await;
        self.pending = false;
        match input {
            Some(Input::Line(line)) => Ok(line),
            Some(Input::End(end)) => Err(end),
            None => Err(InputEnd::Closed),
        }
    }

    /// The next chat line typed (after a `> ` prompt on a terminal). Cancel-safe.
    pub async fn next_line(&mut self) -> Result<String, InputEnd> {
        self.input("> ").await
    }

    /// Reads one line before the chat starts (the pseudo, in ii_5). `None` when input ends.
    pub async fn ask(&mut self, prompt: &str) -> Option<String> {
        if self.printer.is_none() {
            // Piped: no editor to show the prompt, so show it on stderr, out of the way.
            eprint!("{prompt}");
        }
        self.input(prompt).await.ok()
    }

    /// The user's pseudo (ii_5 on): `given`, already checked where it was read (`--pseudo`
    /// by its parser, [`cli::pseudo`](super::cli::pseudo); a config file's by the bonus
    /// client's settings), or asked for until a valid one is typed. `None` when input ends
    /// first.
    pub async fn pseudo(&mut self, given: Option<String>) -> Option<String> {
        if given.is_some() {
            return given;
        }
        loop {
            let typed = self.ask("Pseudo : ").await?;
            match handshake::validate_pseudo(&typed) {
                Ok(p) => return Some(p),
                Err(e) => self.show(&format!("Invalid pseudo: {}", e.explain())),
            }
        }
    }

    /// Shows one message, above the line being typed when there is an editor. Control
    /// characters in it are shown visibly, never sent to the terminal.
    pub fn show(&self, text: &str) {
        self.show_rendered(&visible(text));
    }

    /// Shows a line whose every part from the network has already been made visible (the
    /// bonus client's rendering, which adds the colours the server sent, and only those).
    pub fn show_rendered(&self, text: &str) {
        if let Some(printer) = &self.printer
            && let Ok(mut p) = printer.lock()
            && p.print(format!("{text}\n")).is_ok()
        {
            return;
        }
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{text}");
        let _ = out.flush();
    }

    /// Shows the last message before the program exits. A message handed to the line editor
    /// is printed later by the editor's thread, which the exit may stop first; so this one
    /// is written directly, over the prompt, with the terminal already restored.
    pub fn goodbye(&mut self, text: &str) {
        let mut out = std::io::stdout().lock();
        if let Some(saved) = self.saved.take() {
            raw::restore(&saved);
            if self.redraws {
                // Back to the start of the prompt's line, and erase it.
                let _ = write!(out, "\r\x1b[K");
            } else {
                let _ = writeln!(out);
            }
        }
        let _ = writeln!(out, "{}", visible(text));
        let _ = out.flush();
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        if let Some(saved) = &self.saved {
            raw::restore(saved);
            println!();
        }
    }
}

/// Saving and restoring the terminal's mode (Unix termios). The line editor switches the
/// terminal to raw mode while a line is typed; a client that exits mid-line must put it
/// back. On other systems the editor restores it itself and there is nothing to save.
#[cfg(unix)]
mod raw {
    /// The terminal settings at start-up.
    pub struct Saved(libc::termios);

    pub fn save() -> Option<Saved> {
        // SAFETY: termios is plain data; tcgetattr fills it or fails.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            (libc::tcgetattr(libc::STDIN_FILENO, &mut t) == 0).then_some(Saved(t))
        }
    }

    pub fn restore(saved: &Saved) {
        // SAFETY: `saved` was filled by tcgetattr on the same descriptor.
        unsafe { libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &saved.0) };
    }
}

#[cfg(not(unix))]
mod raw {
    /// Nothing to save where there is no termios.
    pub struct Saved;

    pub fn save() -> Option<Saved> {
        None
    }

    pub fn restore(_: &Saved) {}
}

fn edit_lines(
    mut editor: rustyline::DefaultEditor,
    prompts: std::sync::mpsc::Receiver<String>,
    lines: mpsc::Sender<Input>,
) {
    use rustyline::error::ReadlineError;
    while let Ok(prompt) = prompts.recv() {
        let input = match editor.readline(&prompt) {
            Ok(line) => {
                let _ = editor.add_history_entry(line.as_str());
                Input::Line(line)
            }
            Err(ReadlineError::Interrupted) => Input::End(InputEnd::Interrupted),
            Err(_) => Input::End(InputEnd::Closed),
        };
        let last = matches!(input, Input::End(_));
        if lines.blocking_send(input).is_err() || last {
            return;
        }
    }
}

fn read_plain_lines(prompts: std::sync::mpsc::Receiver<String>, lines: mpsc::Sender<Input>) {
    let stdin = std::io::stdin();
    let mut stdin = stdin.lock();
    let mut buf = Vec::new();
    while prompts.recv().is_ok() {
        buf.clear();
        let input = match stdin.read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => Input::End(InputEnd::Closed),
            Ok(_) => {
                let line = String::from_utf8_lossy(&buf);
                Input::Line(line.trim_end_matches(['\n', '\r']).to_string())
            }
        };
        let last = matches!(input, Input::End(_));
        if lines.blocking_send(input).is_err() || last {
            return;
        }
    }
}
