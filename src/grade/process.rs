//! Running the program under test: command templates, timed stdout lines, exit status.
//!
//! Checks receive commands as templates (`["python3", "server.py", "--port", "{port}"]`)
//! and fill the placeholders they know about. On Unix every program runs in a process
//! group of its own, and the whole group is killed when its handle is dropped or the
//! program exits, so a check that fails or times out never leaves a process behind, not
//! even the children of a shell wrapper (`sh -c 'python3 server.py & wait'`). Windows has
//! no process groups: there only the program itself is killed.

use super::{Failure, fail};
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use tokio::sync::mpsc;

/// Replaces every `{name}` in every argument by its value.
pub fn substitute(template: &[String], vars: &[(&str, &str)]) -> Vec<String> {
    template
        .iter()
        .map(|arg| {
            vars.iter().fold(arg.clone(), |acc, (name, value)| {
                acc.replace(&format!("{{{name}}}"), value)
            })
        })
        .collect()
}

/// True when some argument of the template mentions `{name}`.
pub fn mentions(template: &[String], name: &str) -> bool {
    let pattern = format!("{{{name}}}");
    template.iter().any(|a| a.contains(&pattern))
}

/// One line the program printed, and when (since it started).
#[derive(Debug, Clone)]
pub struct TimedLine {
    /// Time since the program was started.
    pub at: Duration,
    /// The line, without its end of line (invalid UTF-8 replaced).
    pub text: String,
}

/// A running program whose stdout is read line by line as it comes.
pub struct Running {
    /// Declared before `child` so that the group is killed while its leader, not yet
    /// reaped, still holds the group id.
    group: ProcessGroup,
    child: Child,
    started: Instant,
    lines: mpsc::UnboundedReceiver<TimedLine>,
    stderr: tokio::task::JoinHandle<String>,
    /// The program's stdin, when it was started with [`spawn_with_stdin`].
    pub stdin: Option<ChildStdin>,
}

/// What a finished program did.
#[derive(Debug)]
pub struct Finished {
    /// Its exit status.
    pub status: ExitStatus,
    /// Every stdout line, timed.
    pub stdout: Vec<TimedLine>,
    /// Everything it wrote on stderr.
    pub stderr: String,
    /// From start to exit.
    pub elapsed: Duration,
}

impl Finished {
    /// The stdout lines alone.
    pub fn stdout_lines(&self) -> Vec<&str> {
        self.stdout.iter().map(|l| l.text.as_str()).collect()
    }
}

/// Starts `argv` with stdin closed, stdout and stderr captured.
pub fn spawn(argv: &[String]) -> Result<Running, Failure> {
    start(argv, false)
}

/// Starts `argv` with stdin piped ([`Running::stdin`]), stdout and stderr captured.
pub fn spawn_with_stdin(argv: &[String]) -> Result<Running, Failure> {
    start(argv, true)
}

fn start(argv: &[String], piped_stdin: bool) -> Result<Running, Failure> {
    let Some((program, args)) = argv.split_first() else {
        return fail("empty command");
    };
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(if piped_stdin {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("NO_COLOR", "1")
        .env("PYTHONUNBUFFERED", "1")
        .kill_on_drop(true);
    // A group of its own, whose id is the program's pid: everything it starts can be killed
    // with it, and a Ctrl-C typed at `grade` does not reach it.
    #[cfg(unix)]
    command.process_group(0);
    let mut child = command
        .spawn()
        .map_err(|e| Failure::Fail(format!("cannot start {}: {e}", argv.join(" "))))?;
    let group = ProcessGroup::of(&child);
    let started = Instant::now();
    let (tx, lines) = mpsc::unbounded_channel();
    if let Some(out) = child.stdout.take() {
        tokio::spawn(forward_lines(out, started, tx));
    }
    let err = child.stderr.take();
    let stderr = tokio::spawn(async move {
        let mut text = Vec::new();
        if let Some(mut err) = err {
            let _ = err.read_to_end(&mut text).await;
        }
        String::from_utf8_lossy(&text).into_owned()
    });
    let stdin = child.stdin.take();
    Ok(Running {
        group,
        child,
        started,
        lines,
        stderr,
        stdin,
    })
}

async fn forward_lines(
    out: impl AsyncRead + Unpin,
    started: Instant,
    tx: mpsc::UnboundedSender<TimedLine>,
) {
    let mut out = BufReader::new(out);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match out.read_until(b'\n', &mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                let text = String::from_utf8_lossy(&buf);
                let text = text.trim_end_matches(['\n', '\r']).to_string();
                if tx
                    .send(TimedLine {
                        at: started.elapsed(),
                        text,
                    })
                    .is_err()
                {
                    return;
                }
            }
        }
    }
}

impl Running {
    /// The next stdout line, or `None` at end of output or after `timeout`.
    pub async fn next_line(&mut self, timeout: Duration) -> Option<TimedLine> {
        tokio::time::timeout(timeout, self.lines.recv())
            .await
            .ok()
            .flatten()
    }

    /// The OS process id.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Time since start.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Waits up to `timeout` for the program to exit; kills it and fails otherwise. Once it
    /// has exited, whatever it left running in its group is killed.
    pub async fn finish(mut self, timeout: Duration) -> Result<Finished, Failure> {
        drop(self.stdin.take());
        let status = match tokio::time::timeout(timeout, self.child.wait()).await {
            Ok(status) => status?,
            Err(_) => {
                self.kill().await;
                return fail(format!(
                    "still running after {:.1} s",
                    timeout.as_secs_f64()
                ));
            }
        };
        self.group.kill();
        let elapsed = self.started.elapsed();
        let mut stdout = Vec::new();
        // The reader task ends at EOF, which follows the exit unless a process outside the
        // group (Windows: any child) holds the pipe; bound the wait so that such a program
        // cannot hang the grader.
        while let Ok(Some(line)) =
            tokio::time::timeout(Duration::from_secs(2), self.lines.recv()).await
        {
            stdout.push(line);
        }
        let stderr = tokio::time::timeout(Duration::from_secs(2), self.stderr)
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or_default();
        Ok(Finished {
            status,
            stdout,
            stderr,
            elapsed,
        })
    }

    /// Waits up to `timeout` for exit, without collecting output; `None` if still running.
    /// Once it has exited, whatever it left running in its group is killed.
    pub async fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let status = tokio::time::timeout(timeout, self.child.wait())
            .await
            .ok()?
            .ok()?;
        self.group.kill();
        Some(status)
    }

    /// Stops the program and its whole group (SIGKILL).
    pub async fn kill(&mut self) {
        self.group.kill();
        let _ = self.child.kill().await;
    }
}

/// A program's process group (Unix): killed, every member of it, when dropped.
///
/// The group id is the program's pid, which the system does not give to another process
/// while the program is unreaped or any member of its group lives: killing before the
/// program has been waited for, or right after, cannot hit a stranger.
pub(crate) struct ProcessGroup {
    #[cfg(unix)]
    id: Option<libc::pid_t>,
}

impl ProcessGroup {
    /// The group `child` leads (started with `process_group(0)` or `setsid`).
    pub(crate) fn of(child: &Child) -> ProcessGroup {
        #[cfg(unix)]
        {
            let id = child
                .id()
                .and_then(|pid| libc::pid_t::try_from(pid).ok())
                .filter(|&pid| pid > 1);
            if let Some(id) = id {
                live_groups().push(id);
            }
            ProcessGroup { id }
        }
        #[cfg(not(unix))]
        {
            let _ = child;
            ProcessGroup {}
        }
    }

    /// Kills every process of the group (SIGKILL), once.
    pub(crate) fn kill(&mut self) {
        #[cfg(unix)]
        if let Some(id) = self.id.take() {
            // SAFETY: a plain system call on a group id this program created; an error
            // (the group is already empty) is nothing to act on.
            unsafe {
                libc::killpg(id, libc::SIGKILL);
            }
            live_groups().retain(|&g| g != id);
        }
    }
}

/// The process groups of the programs running now, for [`kill_groups_on_signals`].
#[cfg(unix)]
fn live_groups() -> std::sync::MutexGuard<'static, Vec<libc::pid_t>> {
    static LIVE: std::sync::Mutex<Vec<libc::pid_t>> = std::sync::Mutex::new(Vec::new());
    LIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Makes an interrupted `grade` (Ctrl-C, `SIGTERM`, `SIGHUP`) kill every program it is
/// running, whole process groups, before dying of that signal: programs run in groups of
/// their own, which a Ctrl-C typed in the terminal does not reach and which would outlive
/// it. For a binary, called once from within its runtime; the signals then no longer stop
/// the process by themselves. Elsewhere than Unix it does nothing: a console's Ctrl-C
/// reaches every program attached to it.
pub fn kill_groups_on_signals() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        for (kind, number) in [
            (SignalKind::interrupt(), libc::SIGINT),
            (SignalKind::terminate(), libc::SIGTERM),
            (SignalKind::hangup(), libc::SIGHUP),
        ] {
            let Ok(mut stream) = signal(kind) else {
                continue;
            };
            tokio::spawn(async move {
                if stream.recv().await.is_some() {
                    for id in live_groups().drain(..) {
                        // SAFETY: as in `ProcessGroup::kill`.
                        unsafe {
                            libc::killpg(id, libc::SIGKILL);
                        }
                    }
                    // Die of the signal, as without this handler, so the caller sees it.
                    // SAFETY: restoring the default action and raising it are plain calls.
                    unsafe {
                        libc::signal(number, libc::SIG_DFL);
                        libc::raise(number);
                    }
                    std::process::exit(128 + number);
                }
            });
        }
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        self.kill();
    }
}
