//! Running the program under test: command templates, timed stdout lines, exit status.
//!
//! Checks receive commands as templates (`["python3", "server.py", "--port", "{port}"]`)
//! and fill the placeholders they know about. Every child is killed when its handle is
//! dropped, so a check that fails or times out never leaves a process behind.

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
    let mut child = Command::new(program)
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
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| Failure::Fail(format!("cannot start {}: {e}", argv.join(" "))))?;
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

    /// Waits up to `timeout` for the program to exit; kills it and fails otherwise.
    pub async fn finish(mut self, timeout: Duration) -> Result<Finished, Failure> {
        drop(self.stdin.take());
        let status = match tokio::time::timeout(timeout, self.child.wait()).await {
            Ok(status) => status?,
            Err(_) => {
                let _ = self.child.kill().await;
                return fail(format!(
                    "still running after {:.1} s",
                    timeout.as_secs_f64()
                ));
            }
        };
        let elapsed = self.started.elapsed();
        let mut stdout = Vec::new();
        // The reader task ends at EOF, which follows the exit unless a grandchild holds
        // the pipe; bound the wait so such a program cannot hang the grader.
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
    pub async fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        tokio::time::timeout(timeout, self.child.wait())
            .await
            .ok()?
            .ok()
    }

    /// Stops the program (SIGKILL).
    pub async fn kill(&mut self) {
        let _ = self.child.kill().await;
    }
}
