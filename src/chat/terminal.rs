//! The interactive chat client: typing and listening at the same time.
//!
//! Reading stdin blocks, so it runs on its own thread and hands each line over a channel;
//! the async side waits on that channel *and* on the socket at once. That is what lets the
//! client print an incoming message while the user is typing, and exit the moment the server
//! goes away even if the user never presses Enter (returning from `main` ends the process,
//! stdin thread included).
//!
//! On a terminal the thread runs a line editor (rustyline) and incoming messages are printed
//! *above* the line being typed, so input is never garbled; when stdin is a pipe, lines are
//! read plainly and messages printed as they come.

use super::handshake;
use super::wire::{self, Incoming, MessageReader, Wire};
use std::io::{BufRead, IsTerminal, Write};
use std::sync::{Arc, Mutex};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::mpsc;

/// Why a chat session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The server closed the connection (or it was reset).
    ServerGone,
    /// End of input (Ctrl-D, or the end of a piped stdin).
    InputClosed,
    /// Ctrl-C.
    Interrupted,
}

/// What the stdin thread sends.
enum Input {
    Line(String),
    Eof,
    Interrupted,
}

type Printer = Arc<Mutex<Box<dyn rustyline::ExternalPrinter + Send>>>;

/// The user's side: lines typed, messages shown.
pub struct Terminal {
    /// Prompts for the stdin thread: one per line wanted.
    prompts: std::sync::mpsc::Sender<String>,
    /// Lines typed, from the stdin thread.
    lines: mpsc::Receiver<Input>,
    /// A prompt was sent and its line has not arrived yet (keeps `read_line` cancel-safe).
    pending: bool,
    /// Prints above the prompt when a line editor is running.
    printer: Option<Printer>,
    /// The terminal settings to restore on exit: the editor may be mid-line in raw mode.
    saved_termios: Option<libc::termios>,
}

impl Terminal {
    /// Starts reading stdin on its own thread: a line editor on a terminal, plain lines
    /// otherwise.
    pub fn start() -> Terminal {
        let (prompts, prompt_rx) = std::sync::mpsc::channel::<String>();
        let (line_tx, lines) = mpsc::channel(16);
        let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
        let mut printer = None;
        let mut saved_termios = None;
        let editor = interactive
            .then(rustyline::DefaultEditor::new)
            .and_then(Result::ok);
        match editor {
            Some(mut editor) => {
                if let Ok(p) = editor.create_external_printer() {
                    printer = Some(Arc::new(Mutex::new(Box::new(p) as Box<_>)));
                }
                saved_termios = save_termios();
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
            saved_termios,
        }
    }

    /// The next line typed (shown after `prompt` on a terminal); `Err` says why there is
    /// none. Cancel-safe.
    async fn next_input(&mut self, prompt: &str) -> Result<String, Ending> {
        if !self.pending {
            let _ = self.prompts.send(prompt.to_string());
            self.pending = true;
        }
        let input = self.lines.recv().await;
        self.pending = false;
        match input {
            Some(Input::Line(line)) => Ok(line),
            Some(Input::Interrupted) => Err(Ending::Interrupted),
            Some(Input::Eof) | None => Err(Ending::InputClosed),
        }
    }

    /// Reads one line before the chat starts (the pseudo, in ii_5). `None` at end of input.
    pub async fn ask(&mut self, prompt: &str) -> Option<String> {
        if self.printer.is_none() {
            // Piped: no editor to show the prompt, so show it on stderr, out of the way.
            eprint!("{prompt}");
        }
        self.next_input(prompt).await.ok()
    }

    /// The user's pseudo (ii_5 on): `given` on the command line, validated, or asked for until
    /// a valid one is typed. `Ok(None)` when input ends first.
    pub async fn pseudo(&mut self, given: Option<String>) -> anyhow::Result<Option<String>> {
        use anyhow::Context;
        if let Some(p) = given {
            let valid = handshake::validate_pseudo(&p);
            return Ok(Some(
                valid.with_context(|| format!("invalid --pseudo {p:?}"))?,
            ));
        }
        loop {
            let Some(typed) = self.ask("Pseudo : ").await else {
                return Ok(None);
            };
            match handshake::validate_pseudo(&typed) {
                Ok(p) => return Ok(Some(p)),
                Err(e) => self.show(&format!("Invalid pseudo: {e}")),
            }
        }
    }

    /// Shows one message, above the line being typed when there is an editor.
    pub fn show(&self, text: &str) {
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
        if let Some(t) = self.saved_termios.take() {
            restore_termios(&t);
            // Back to the start of the prompt's line, and erase it.
            let _ = write!(out, "\r\x1b[K");
        }
        let _ = writeln!(out, "{text}");
        let _ = out.flush();
    }

    /// Chats over `stream` until the server leaves, input ends, or Ctrl-C: each line typed
    /// is sent as one message, each message received is shown.
    pub async fn chat(&mut self, stream: TcpStream, wire: Wire) -> std::io::Result<Ending> {
        let _ = stream.set_nodelay(true);
        let (read, mut write) = stream.into_split();
        let mut reader = MessageReader::new(read, wire);
        loop {
            tokio::select! {
                incoming = reader.next() => match incoming {
                    Ok(Some(Incoming::Message(text))) => self.show(&text),
                    Ok(Some(Incoming::TooLong)) => self.show("(an over-long message was dropped)"),
                    Ok(None) | Err(_) => return Ok(Ending::ServerGone),
                },
                typed = self.next_input("> ") => match typed {
                    Ok(line) if line.is_empty() => {}
                    Ok(line) => {
                        if write.write_all(&wire::encode(wire, &line)).await.is_err() {
                            return Ok(Ending::ServerGone);
                        }
                    }
                    Err(ending) => {
                        let _ = write.shutdown().await;
                        return Ok(ending);
                    }
                },
                _ = tokio::signal::ctrl_c() => return Ok(Ending::Interrupted),
            }
        }
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        if let Some(t) = &self.saved_termios {
            restore_termios(t);
            println!();
        }
    }
}

fn restore_termios(t: &libc::termios) {
    // SAFETY: `t` was filled by tcgetattr on the same descriptor.
    unsafe { libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, t) };
}

fn save_termios() -> Option<libc::termios> {
    // SAFETY: termios is plain data; tcgetattr fills it or fails.
    unsafe {
        let mut t: libc::termios = std::mem::zeroed();
        (libc::tcgetattr(libc::STDIN_FILENO, &mut t) == 0).then_some(t)
    }
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
            Err(ReadlineError::Interrupted) => Input::Interrupted,
            Err(_) => Input::Eof,
        };
        let last = !matches!(input, Input::Line(_));
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
            Ok(0) | Err(_) => Input::Eof,
            Ok(_) => {
                let line = String::from_utf8_lossy(&buf);
                Input::Line(line.trim_end_matches(['\n', '\r']).to_string())
            }
        };
        let last = matches!(input, Input::Eof);
        if lines.blocking_send(input).is_err() || last {
            return;
        }
    }
}
