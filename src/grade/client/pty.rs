//! Running a client under a pseudo-terminal (`tty` targets), the way a person runs it.
//!
//! The client gets the pty's slave side as stdin, stdout and stderr, in a session of its own
//! with the pty as controlling terminal, `TERM=xterm` and an 80×24 window, so line editors
//! switch to raw mode and draw prompts. What it writes is read from the master side on a
//! thread and cut into lines with the escape sequences and carriage returns removed, so
//! checks compare text, not cursor movements.
//!
//! Typing is done the way a person types: once the program has started (shown something,
//! or left canonical mode) and finished drawing (its output quiet for a moment). A script
//! typing ahead of a line editor that is still starting would test something no person does,
//! and a Ctrl-D typed while the editor is in canonical mode (before it starts, or between two
//! lines) would reach it as a NUL byte instead of an end of input.
//!
//! Unix only (`openpty`, `setsid`, termios): on other platforms `no_pty.rs` stands in.

use crate::grade::patience::patient;
use crate::grade::process::ProcessGroup;
use crate::grade::{Failure, fail};
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};
use tokio::sync::{mpsc, watch};

/// The program has finished drawing once its output has been quiet this long.
const SETTLE: Duration = Duration::from_millis(150);
/// Typing waits at most this long for the program to start and its output to settle (and
/// Ctrl-D as long again for a line editor to be back in raw mode).
const SETTLE_MAX: Duration = Duration::from_secs(2);

/// A program running on a pseudo-terminal.
pub(super) struct PtyProgram {
    /// Its session's process group, killed whole when dropped (before `child` is reaped).
    group: ProcessGroup,
    /// Killed when dropped.
    child: Child,
    /// The master side, to type on.
    master: File,
    /// Cleaned-up lines from the reader thread.
    lines: mpsc::UnboundedReceiver<String>,
    /// Bumped by the reader thread at each write of the program, to see it settle.
    activity: watch::Receiver<u64>,
    /// The terminal has been seen out of canonical mode: the program has a line editor.
    was_raw: bool,
}

impl PtyProgram {
    /// Starts `argv` on a new pty.
    pub(super) fn spawn(argv: &[String]) -> Result<PtyProgram, Failure> {
        let Some((program, args)) = argv.split_first() else {
            return fail("empty command");
        };
        let (master, slave) = open_pty()?;
        let mut command = Command::new(program);
        command
            .args(args)
            .stdin(Stdio::from(slave.try_clone()?))
            .stdout(Stdio::from(slave.try_clone()?))
            .stderr(Stdio::from(slave))
            .env("TERM", "xterm")
            .env("NO_COLOR", "1")
            .env("PYTHONUNBUFFERED", "1")
            .kill_on_drop(true);
        // SAFETY: between fork and exec the closure only makes two async-signal-safe calls.
        unsafe {
            command.pre_exec(|| {
                if libc::setsid() == -1 || libc::ioctl(0, libc::TIOCSCTTY, 0) == -1 {
                    return Err(io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command
            .spawn()
            .map_err(|e| Failure::Fail(format!("cannot start {}: {e}", argv.join(" "))))?;
        // The command holds copies of the slave side: drop them, or the master never sees
        // the end of output when the program exits.
        drop(command);
        let reader = master.try_clone()?;
        let (tx, lines) = mpsc::unbounded_channel();
        let (bump, activity) = watch::channel(0);
        std::thread::spawn(move || read_lines(reader, tx, bump));
        Ok(PtyProgram {
            group: ProcessGroup::of(&child),
            child,
            master,
            lines,
            activity,
            was_raw: false,
        })
    }

    /// Types `line` and Enter (a carriage return, as a keyboard sends).
    pub(super) async fn type_line(&mut self, line: &str) -> io::Result<()> {
        self.settle().await;
        self.master.write_all(format!("{line}\r").as_bytes())
    }

    /// Types Ctrl-D, end of input at the start of a line. A line editor goes back to
    /// canonical mode while its program handles a line; Ctrl-D then waits (at most
    /// [`SETTLE_MAX`] more) for it to be back in raw mode.
    pub(super) async fn end_input(&mut self) -> io::Result<()> {
        self.settle().await;
        let deadline = Instant::now() + patient(SETTLE_MAX);
        while self.was_raw && self.canonical() && Instant::now() < deadline {
            self.settle().await;
        }
        self.master.write_all(&[0x04])
    }

    /// Waits until the program has started (shown something, or left canonical mode) and
    /// its output has then been quiet for [`SETTLE`]; at most [`SETTLE_MAX`] in all.
    async fn settle(&mut self) {
        let deadline = Instant::now() + patient(SETTLE_MAX);
        while Instant::now() < deadline {
            match tokio::time::timeout(patient(SETTLE), self.activity.changed()).await {
                Ok(Ok(())) => {}
                // The program closed the terminal: nothing more to wait for.
                Ok(Err(_)) => return,
                Err(_) => {
                    let raw = !self.canonical();
                    self.was_raw |= raw;
                    if raw || *self.activity.borrow() > 0 {
                        return;
                    }
                    // Quiet because it has not started yet (a loaded machine): keep waiting.
                }
            }
        }
    }

    /// Whether the terminal is in canonical (line by line) mode; on Linux the master side
    /// reports the terminal's settings. Unreadable settings count as canonical.
    fn canonical(&self) -> bool {
        use std::os::fd::AsRawFd;
        // SAFETY: an all-zero termios is a valid value for tcgetattr to overwrite.
        let mut termios: libc::termios = unsafe { std::mem::zeroed() };
        // SAFETY: the descriptor is the open master side; termios is a valid out pointer.
        let read = unsafe { libc::tcgetattr(self.master.as_raw_fd(), &mut termios) };
        read != 0 || termios.c_lflag & libc::ICANON != 0
    }

    /// The next line shown, within `timeout`.
    pub(super) async fn next_line(&mut self, timeout: Duration) -> Option<String> {
        tokio::time::timeout(timeout, self.lines.recv())
            .await
            .ok()
            .flatten()
    }

    /// Waits up to `timeout` for the program to exit.
    pub(super) async fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        tokio::time::timeout(timeout, self.child.wait())
            .await
            .ok()?
            .ok()
    }

    /// Kills the program and its group if they still run; returns the lines not read yet.
    pub(super) async fn stop(&mut self) -> Vec<String> {
        self.group.kill();
        let _ = self.child.kill().await;
        let mut rest = Vec::new();
        while let Some(line) = self.next_line(Duration::from_secs(1)).await {
            rest.push(line);
        }
        rest
    }
}

fn open_pty() -> Result<(File, OwnedFd), Failure> {
    let size = libc::winsize {
        ws_row: 24,
        ws_col: 80,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    let (mut master, mut slave) = (-1, -1);
    // SAFETY: openpty writes two descriptors; the name and termios pointers may be null.
    let opened = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    if opened != 0 {
        return fail(format!("cannot open a pty: {}", io::Error::last_os_error()));
    }
    // SAFETY: both descriptors were just opened and are owned by nobody else.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    for fd in [&master, &slave] {
        use std::os::fd::AsRawFd;
        // SAFETY: F_SETFD on a descriptor we own; keeps it out of the child after exec.
        unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFD, libc::FD_CLOEXEC) };
    }
    Ok((File::from(master), slave))
}

/// Cuts the terminal output into lines. Ends when the program and its children have closed
/// the terminal (EIO on Linux).
fn read_lines(mut master: File, tx: mpsc::UnboundedSender<String>, bump: watch::Sender<u64>) {
    let mut screen = Screen::default();
    let mut chunk = [0u8; 4096];
    let mut lines = Vec::new();
    loop {
        let n = match master.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        bump.send_modify(|n| *n += 1);
        screen.feed(&chunk[..n], &mut lines);
        for line in lines.drain(..) {
            if tx.send(line).is_err() {
                return;
            }
        }
    }
    if let Some(last) = screen.rest() {
        let _ = tx.send(last);
    }
}

/// Where the escape-sequence filter is.
#[derive(Clone, Copy, Default)]
enum Escape {
    #[default]
    None,
    Start,
    Csi,
    Osc,
}

/// Terminal output turned into plain lines: escape sequences (CSI, OSC, two-byte), carriage
/// returns, bells and backspaces are dropped, so a redrawn prompt leaves `> ` in front of
/// the text at worst.
#[derive(Default)]
struct Screen {
    /// The line being received.
    line: Vec<u8>,
    /// Inside an escape sequence or not.
    state: Escape,
}

impl Screen {
    /// Takes more output; pushes each line it completes onto `lines`.
    fn feed(&mut self, bytes: &[u8], lines: &mut Vec<String>) {
        for &b in bytes {
            self.state = match (self.state, b) {
                (Escape::None, 0x1b) => Escape::Start,
                (Escape::None, b'\n') => {
                    lines.push(String::from_utf8_lossy(&self.line).into_owned());
                    self.line.clear();
                    Escape::None
                }
                (Escape::None, b'\r' | 0x07 | 0x08) => Escape::None,
                (Escape::None, b) => {
                    self.line.push(b);
                    Escape::None
                }
                (Escape::Start, b'[') => Escape::Csi,
                (Escape::Start, b']') => Escape::Osc,
                (Escape::Start, _) => Escape::None,
                (Escape::Csi, 0x40..=0x7e) => Escape::None,
                (Escape::Csi, _) => Escape::Csi,
                (Escape::Osc, 0x07) => Escape::None,
                (Escape::Osc, 0x1b) => Escape::Start,
                (Escape::Osc, _) => Escape::Osc,
            };
        }
    }

    /// The last line, when the output ended without a line end after it.
    fn rest(self) -> Option<String> {
        (!self.line.is_empty()).then(|| String::from_utf8_lossy(&self.line).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::{PtyProgram, Screen};
    use std::time::Duration;

    /// Runs `script` under `sh` on a pty, types `line` when given, then Ctrl-D; asserts the
    /// script's `od -c` showed the Ctrl-D byte (004), not an end of input or a NUL.
    async fn assert_reads_ctrl_d(script: &str, line: Option<&str>) {
        let argv = ["sh", "-c", script].map(String::from);
        let mut program = PtyProgram::spawn(&argv).unwrap();
        if let Some(line) = line {
            program.type_line(line).await.unwrap();
        }
        program.end_input().await.unwrap();
        let mut seen = Vec::new();
        while let Some(line) = program.next_line(Duration::from_secs(5)).await {
            seen.push(line);
        }
        assert!(
            seen.iter().any(|l| l.trim().ends_with("004")),
            "the program did not read the Ctrl-D byte: {seen:?}"
        );
    }

    #[tokio::test]
    async fn ctrl_d_waits_for_a_program_slow_to_leave_canonical_mode() {
        // Silent for half a second, then raw mode and a prompt, then one byte read and shown
        // in octal. Typed too early, Ctrl-D is the line discipline's end of input, not 004.
        let script = "sleep 0.5; stty raw -echo; printf '> '; \
                      head -c 1 | od -An -c; stty sane";
        assert_reads_ctrl_d(script, None).await;
    }

    fn lines_of(chunks: &[&[u8]]) -> Vec<String> {
        let mut screen = Screen::default();
        let mut lines = Vec::new();
        for chunk in chunks {
            screen.feed(chunk, &mut lines);
        }
        lines.extend(screen.rest());
        lines
    }

    #[tokio::test]
    async fn ctrl_d_waits_for_a_line_editor_back_in_raw_mode() {
        // Reads a typed line (`a` and Enter) in raw mode, then handles it silently for half a
        // second in canonical mode (a line editor between two lines), then reads one byte
        // more in raw mode.
        let script = "stty raw -echo; printf '> '; head -c 2 >/dev/null; stty sane; \
                      sleep 0.5; stty raw -echo; head -c 1 | od -An -c; stty sane";
        assert_reads_ctrl_d(script, Some("a")).await;
    }

    #[test]
    fn a_line_editor_redraw_leaves_only_the_text() {
        // Recorded from rustyline: a typed line accepted, then the prompt redrawn.
        let out = "\r\n> \r\x1b[2C\x1b[?2026lbonjour \u{e0} tous\x1b[?2004l\r\n\x1b[?2004h\
                   \x1b[?2026h\r\x1b[K> \r\x1b[2C\x1b[?2026l";
        assert_eq!(
            lines_of(&[out.as_bytes()]),
            ["", "> bonjour \u{e0} tous", "> "]
        );
    }

    #[test]
    fn sequences_and_characters_split_across_reads_are_kept_whole() {
        let lines = lines_of(&[b"\x1b[3", b"1mrouge\x1b", b"[0m \xc3", b"\xa9t\xc3\xa9\n"]);
        assert_eq!(lines, ["rouge \u{e9}t\u{e9}"]);
    }

    #[test]
    fn a_title_sequence_is_dropped_whether_it_ends_in_bel_or_st() {
        let lines = lines_of(&[b"\x1b]0;titre\x07a\x1b]2;t\x1b\\b\n"]);
        assert_eq!(lines, ["ab"]);
    }
}
