//! The client under test as a running program, on pipes or under a pseudo-terminal: type
//! lines, end the input, read what it prints line by line, wait for its exit.

use super::ClientTarget;
use super::fake_server::{FakeServer, Peer};
use super::pty::PtyProgram;
use crate::grade::process::{self, Running};
use crate::grade::{CheckResult, Failure, fail, show};
use std::process::ExitStatus;
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;

/// The pseudo the ii_5 and ii_6 checks join with.
pub(super) const PSEUDO: &str = "alice";

/// A running client.
pub(super) struct Client {
    /// Pipes or pty.
    io: Io,
    /// Every line read so far, for failure messages.
    seen: Vec<String>,
    /// The files of its command, when the check did not give its own (removed with it).
    _files: Option<Files>,
}

/// The files a client's command may name (bonus stages), in a directory of the check's
/// own: `{id_file}` (bonus 2 ids), `{log}` (bonus 2 logs), `{config}` (bonus 3). A check
/// that runs the client twice (an ID kept from one run to the next) gives both the same.
pub(super) struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    /// A fresh, empty directory.
    pub(super) fn new() -> Result<Files, Failure> {
        Ok(Files {
            dir: tempfile::Builder::new().prefix("grade-client-").tempdir()?,
        })
    }

    /// What `{id_file}` names (not created: the client creates it).
    pub(super) fn id_file(&self) -> std::path::PathBuf {
        self.dir.path().join("chat_id")
    }

    /// What `{log}` names (not created).
    pub(super) fn log(&self) -> std::path::PathBuf {
        self.dir.path().join("client.log")
    }

    /// What `{config}` names (written by [`fill`]).
    pub(super) fn config(&self) -> std::path::PathBuf {
        self.dir.path().join("grade.conf")
    }
}

/// What a check changes in the client's command, as [`crate::grade::server::Fill`] does
/// for a server's: values for `{port}`, `{address}`, `{pseudo}`, the config file's text,
/// placeholders dropped with their flag, and whether colours may be printed.
#[derive(Default, Clone, Copy)]
pub(super) struct Launch<'a> {
    /// For `{port}` (default: the fake server's).
    pub(super) port: Option<&'a str>,
    /// For `{address}` (default: `127.0.0.1`).
    pub(super) address: Option<&'a str>,
    /// For `{pseudo}` (default: [`PSEUDO`]).
    pub(super) pseudo: Option<&'a str>,
    /// The config file's text (default: empty).
    pub(super) config: Option<&'a str>,
    /// Placeholders whose arguments are dropped.
    pub(super) drop: &'a [&'a str],
    /// Run without `NO_COLOR=1` (and with it unset), as a user who never set it.
    pub(super) colour: bool,
}

/// The client's command with its placeholders filled: `port` for `{port}` unless `how`
/// says otherwise; the config file is written. Skips without `{port}`.
pub(super) fn fill(
    target: &ClientTarget,
    port: u16,
    files: &Files,
    how: &Launch<'_>,
) -> Result<Vec<String>, Failure> {
    if !process::mentions(&target.command, "port") {
        return Err(Failure::Skip(
            "the command has no {port}: it cannot be pointed at the check's server".into(),
        ));
    }
    let mut template = target.command.clone();
    for name in how.drop {
        template = process::without(&template, name);
    }
    if process::mentions(&template, "config") {
        let text = how.config.unwrap_or(crate::grade::server::EMPTY_CONFIG);
        std::fs::write(files.config(), text)?;
    }
    let port = how.port.map_or_else(|| port.to_string(), str::to_string);
    let path = |p: std::path::PathBuf| p.display().to_string();
    Ok(process::substitute(
        &template,
        &[
            ("port", &port),
            ("address", how.address.unwrap_or("127.0.0.1")),
            ("pseudo", how.pseudo.unwrap_or(PSEUDO)),
            ("id_file", &path(files.id_file())),
            ("log", &path(files.log())),
            ("config", &path(files.config())),
        ],
    ))
}

// Without ptys (Windows) `PtyProgram` is an empty stand-in, far smaller than `Running`.
#[cfg_attr(not(unix), allow(clippy::large_enum_variant))]
enum Io {
    Piped(Running),
    Pty(PtyProgram),
}

/// What a stopped client printed.
pub(super) struct Output {
    /// Every stdout line (the terminal's, under a pty), including those read before.
    pub(super) lines: Vec<String>,
    /// Its stderr (empty under a pty, where it is the terminal too).
    pub(super) stderr: String,
}

impl Output {
    /// A short account for failure messages: the last lines printed, then the end of
    /// stderr (a Python traceback whole), which therefore comes last in the reason.
    pub(super) fn describe(&self) -> String {
        let mut text = format!("it printed {}", describe_lines(&self.lines));
        if let Some(tail) = process::stderr_tail(&self.stderr) {
            text.push_str(" and on stderr:");
            text.push_str(&tail);
        }
        text
    }
}

/// The last few lines, quoted, or "nothing".
pub(super) fn describe_lines(lines: &[String]) -> String {
    if lines.is_empty() {
        return "nothing".to_string();
    }
    let from = lines.len().saturating_sub(6);
    let shown: Vec<String> = lines[from..].iter().map(|l| show(l)).collect();
    let more = if from > 0 { "…, " } else { "" };
    format!("[{more}{}]", shown.join(", "))
}

impl Client {
    /// Starts the target against `server`, its placeholders filled in. Without `input`, stdin
    /// is closed (stage ii_2's client reads nothing); under a pty it is the terminal anyway.
    pub(super) fn start(
        target: &ClientTarget,
        server: &FakeServer,
        input: bool,
    ) -> Result<Client, Failure> {
        let files = Files::new()?;
        let mut client = Client::start_with(target, server, input, &files, &Launch::default())?;
        client._files = Some(files);
        Ok(client)
    }

    /// [`Client::start`] with the check's own files and changes to the command.
    pub(super) fn start_with(
        target: &ClientTarget,
        server: &FakeServer,
        input: bool,
        files: &Files,
        how: &Launch<'_>,
    ) -> Result<Client, Failure> {
        let argv = fill(target, server.port()?, files, how)?;
        let io = if target.tty {
            Io::Pty(PtyProgram::spawn(&argv)?)
        } else if input {
            Io::Piped(process::spawn_program(&argv, true, how.colour)?)
        } else {
            Io::Piped(process::spawn_program(&argv, false, how.colour)?)
        };
        Ok(Client {
            io,
            seen: Vec::new(),
            _files: None,
        })
    }

    /// Types one line, as a person would (Enter included).
    pub(super) async fn type_line(&mut self, line: &str) -> CheckResult {
        let written = match &mut self.io {
            Io::Piped(run) => match &mut run.stdin {
                Some(stdin) => {
                    let bytes = format!("{line}\n");
                    tokio::time::timeout(Duration::from_secs(5), async {
                        stdin.write_all(bytes.as_bytes()).await?;
                        stdin.flush().await
                    })
                    .await
                    .unwrap_or_else(|_| Err(std::io::ErrorKind::TimedOut.into()))
                }
                None => Err(std::io::ErrorKind::BrokenPipe.into()),
            },
            Io::Pty(pty) => pty.type_line(line).await,
        };
        written.or_else(|e| fail(format!("cannot type {} on its input: {e}", show(line))))
    }

    /// Ends the input: closes the pipe, or types Ctrl-D at the start of a line.
    pub(super) async fn end_input(&mut self) -> CheckResult {
        match &mut self.io {
            Io::Piped(run) => {
                drop(run.stdin.take());
                Ok(())
            }
            Io::Pty(pty) => pty
                .end_input()
                .await
                .or_else(|e| fail(format!("cannot type Ctrl-D: {e}"))),
        }
    }

    /// The next line printed, within `timeout`; `None` at end of output or on timeout.
    pub(super) async fn next_line(&mut self, timeout: Duration) -> Option<String> {
        let line = match &mut self.io {
            Io::Piped(run) => run.next_line(timeout).await.map(|l| l.text),
            Io::Pty(pty) => pty.next_line(timeout).await,
        }?;
        self.seen.push(line.clone());
        Some(line)
    }

    /// Reads lines until one contains `needle`, within `within`; returns that line.
    /// Containing, not equal: a prompt without a line end may sit in front of it.
    pub(super) async fn expect_line_with(
        &mut self,
        needle: &str,
        within: Duration,
    ) -> Result<String, Failure> {
        let deadline = Instant::now() + within;
        let from = self.seen.len();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.next_line(left).await {
                Some(line) if line.contains(needle) => return Ok(line),
                Some(_) => {}
                None => {
                    let how = if Instant::now() >= deadline {
                        format!("within {:.1} s", within.as_secs_f64())
                    } else {
                        "before its output ended".to_string()
                    };
                    return fail(format!(
                        "expected a printed line with {} {how} got {}",
                        show(needle),
                        describe_lines(&self.seen[from..])
                    ));
                }
            }
        }
    }

    /// Lines read so far.
    pub(super) fn seen(&self) -> &[String] {
        &self.seen
    }

    /// Waits up to `timeout` for the client to exit; `None` if still running.
    pub(super) async fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        match &mut self.io {
            Io::Piped(run) => run.wait_exit(timeout).await,
            Io::Pty(pty) => pty.wait_exit(timeout).await,
        }
    }

    /// Kills the client if it still runs and collects everything it printed.
    pub(super) async fn stop(self) -> Output {
        let Client { io, mut seen, .. } = self;
        let stderr = match io {
            Io::Piped(mut run) => {
                run.kill().await;
                match run.finish(Duration::from_secs(1)).await {
                    Ok(done) => {
                        seen.extend(done.stdout.into_iter().map(|l| l.text));
                        done.stderr
                    }
                    Err(_) => String::new(),
                }
            }
            Io::Pty(mut pty) => {
                seen.extend(pty.stop().await);
                String::new()
            }
        };
        Output {
            lines: seen,
            stderr,
        }
    }
}

/// Waits for `client` to connect to `server`; on failure, says what the client printed.
pub(super) async fn connect(
    server: &FakeServer,
    mut client: Client,
) -> Result<(Client, Peer), Failure> {
    match server.accept(&mut client).await {
        Ok(peer) => Ok((client, peer)),
        Err(Failure::Fail(reason)) => {
            let output = client.stop().await;
            fail(format!("{reason}; {}", output.describe()))
        }
        Err(skip) => Err(skip),
    }
}

/// Starts a client that joins as [`PSEUDO`]: given by `{pseudo}` when the command has it,
/// typed as the first line otherwise. Returns it with its connection and its first message.
pub(super) async fn join(
    target: &ClientTarget,
    server: &FakeServer,
) -> Result<(Client, Peer, String), Failure> {
    let client = Client::start(target, server, true)?;
    join_as(target, server, client).await
}

/// [`join`] with a client already started (typing [`PSEUDO`] when the command has no
/// `{pseudo}`).
pub(super) async fn join_as(
    target: &ClientTarget,
    server: &FakeServer,
    mut client: Client,
) -> Result<(Client, Peer, String), Failure> {
    if !process::mentions(&target.command, "pseudo") {
        client.type_line(PSEUDO).await?;
    }
    let (client, mut peer) = connect(server, client).await?;
    let first = peer.recv("a first message").await?;
    Ok((client, peer, first))
}
