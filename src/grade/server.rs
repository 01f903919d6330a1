//! The server under test, and the scripted clients that talk to it.
//!
//! A [`ServerTarget`] is either an address (a server someone already started) or a command
//! template; for a command, every check gets a fresh server process, so one check's leftover
//! connections can never leak announcements into the next. That it is ready is learnt
//! without connecting to it wherever the system can tell (`listening`): a connection of
//! `grade`'s own would be one more client to a server that never forgets one.
//! [`TestClient`] is a client the checks script: send a message, expect one, expect
//! silence, expect the connection closed.
//!
//! A third source, [`InProcess`], runs a server future in `grade`'s own runtime on a
//! listener `grade` opened: no process, no console, and, under a runtime whose clock is
//! paused, no real waiting (the checks' silences and timeouts pass as soon as nothing is
//! left to do). That is for test suites: the same checks, graded in milliseconds, with
//! time that a later stage's timeouts (handshakes, rate limits) can be checked against.
//! Only a check that declares [`real_time`](super::Check::real_time) (megabytes paced by
//! the system's TCP acknowledgements, which a paused clock does not wait for) needs the
//! clock running.
//!
//! In `--wire tp` mode replies are compared leniently, as course servers differ in harmless
//! ways: a message may come with or without a trailing newline, two messages may arrive in
//! one read (split on newlines, and bonus 2's `ID|<id>` from what follows it), trailing
//! spaces are ignored.

mod listening;

use super::frames::{self, Frame, Parsed};
use super::process::{self, Running, TimedLine};
use super::{Failure, fail, show};
use crate::chat::wire::{self, Incoming, MessageReader, Wire};
use crate::grade::patience::patient;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitStatus;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

/// How long to wait for something that should happen.
pub const PATIENCE: Duration = Duration::from_secs(3);
/// Pause before each check on a shared server (`--address`), for the previous check's
/// departures to be processed.
pub const SETTLE: Duration = Duration::from_millis(300);
/// How long to wait to be reasonably sure something does not happen.
pub const QUIET: Duration = Duration::from_millis(250);

/// Where the server under test comes from.
#[derive(Debug, Clone)]
pub enum ServerSource {
    /// Already running at this address; checks share it and cannot see its console.
    Address(SocketAddr),
    /// Started per check from this template (`{port}` is replaced by a free port; without
    /// `{port}` the server is expected on the course's port 8888, or where its `Serving on`
    /// line says). The bonus stages add `{address}` (`127.0.0.1`), `{log}` (a fresh file
    /// path in a directory of the check's own: bonus 2 logs) and `{config}` (a config file
    /// `grade` writes: bonus 3), see [`Filled`].
    Command(Vec<String>),
    /// Run in this process, per check, on a listener of its own (see [`InProcess`]):
    /// checks that need a console, a command or a log file skip.
    InProcess(InProcess),
}

/// The future an [`InProcess`] server runs: `Ok` is a clean exit (status 0).
pub type ServerFuture = std::pin::Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>>;

/// A server started in this process: given the listener `grade` bound (127.0.0.1, a port
/// of the system's choice) and a token cancelled where a process would get `SIGTERM`, it
/// returns the server's future, which `grade` spawns on its runtime, and cancels and aborts
/// when the check ends. The future must own what it starts (tasks it spawns end when it is
/// dropped), or a check's server outlives the check. Its error, if it returns one, ends the
/// reason of a check that fails after it, as a process's stderr would.
#[derive(Clone)]
pub struct InProcess(Arc<dyn Fn(TcpListener, CancellationToken) -> ServerFuture + Send + Sync>);

impl InProcess {
    /// A server run by `start` (for instance a closure calling the server's `run`).
    pub fn new(
        start: impl Fn(TcpListener, CancellationToken) -> ServerFuture + Send + Sync + 'static,
    ) -> InProcess {
        InProcess(Arc::new(start))
    }
}

impl std::fmt::Debug for InProcess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InProcess")
    }
}

/// An [`InProcess`] server running for one check: aborted when dropped.
struct InProcessRun {
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    stop: CancellationToken,
    /// How it ended, once it has.
    ended: Option<ExitStatus>,
}

impl InProcessRun {
    async fn wait_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        if let Some(status) = self.ended {
            return Some(status);
        }
        let task = self.task.as_mut()?;
        let joined = tokio::time::timeout(limit, task).await.ok()?;
        self.task = None;
        let code = match joined {
            Ok(Ok(())) => 0,
            // An error returned or a panic: a process would have exited 1 or died.
            Ok(Err(_)) | Err(_) => 1,
        };
        let status = exit_status(code);
        self.ended = Some(status);
        Some(status)
    }
}

impl Drop for InProcessRun {
    fn drop(&mut self) {
        // Told to stop, as a process would be, and aborted: the server's future is dropped,
        // and with it whatever it owns.
        self.stop.cancel();
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

/// The status a process exiting with `code` would have.
fn exit_status(code: u8) -> ExitStatus {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        ExitStatus::from_raw(i32::from(code) << 8)
    }
    #[cfg(windows)]
    {
        use std::os::windows::process::ExitStatusExt;
        ExitStatus::from_raw(u32::from(code))
    }
}

/// A server to grade.
#[derive(Debug, Clone)]
pub struct ServerTarget {
    /// Address or command.
    pub source: ServerSource,
    /// The wire mode it speaks.
    pub wire: Wire,
    /// Clients join with `Hello|<pseudo>` and relays are signed with pseudos (stage ii_5 on).
    /// The checks an earlier stage introduced keep running on later servers this way.
    pub pseudos: bool,
    /// Relays may carry bonus 1's time and colour (`[HH:MM] ESC[31malice ESC[0m a dit : …`):
    /// the earlier stages' checks then compare who said what (see [`relay`](super::relay)).
    pub styled: bool,
    /// A newcomer receives `ID|<id>` (bonus 2 ids on): joining takes it.
    pub ids: bool,
    /// It speaks bonus 4's frames instead of lines (bonus 4 on): see [`TestClient`].
    pub frames: bool,
}

impl ServerTarget {
    /// A server graded as a server of `stage`.
    pub fn new(source: ServerSource, wire: Wire, stage: &str) -> ServerTarget {
        let from = |first: &str| super::at_or_after(stage, first);
        // Frames delimit themselves: `--wire` means nothing to a binary server, whose
        // checks take the paths of `lines` (floods allowed, no splitting of reads).
        let wire = if from("bonus_4") { Wire::Lines } else { wire };
        ServerTarget {
            source,
            wire,
            pseudos: from("ii_5"),
            styled: from("bonus_1"),
            ids: from("bonus_2_ids"),
            frames: from("bonus_4"),
        }
    }
}

/// A server started (or found) for one check.
pub struct RunningServer {
    /// Where clients connect.
    pub addr: SocketAddr,
    /// Its wire mode.
    pub wire: Wire,
    /// Clients join with `Hello|<pseudo>` (see [`ServerTarget::pseudos`]).
    pub pseudos: bool,
    /// Relays may carry bonus 1's dress (see [`ServerTarget::styled`]).
    pub styled: bool,
    /// Newcomers receive `ID|<id>` (see [`ServerTarget::ids`]).
    pub ids: bool,
    /// It speaks frames (see [`ServerTarget::frames`]).
    pub frames: bool,
    /// The log file `{log}` named, when the command has it (bonus 2 logs).
    pub log: Option<PathBuf>,
    /// The first line it printed, if it printed one before it was found listening.
    first_line: Option<String>,
    /// The process, when the check started it (killed on drop).
    process: Option<Running>,
    /// The task, for an [`InProcess`] server (aborted on drop).
    in_process: Option<InProcessRun>,
    /// The directory of `{log}` and `{config}`, removed with the server.
    _scratch: Option<tempfile::TempDir>,
}

/// A command template with its placeholders filled for one run, and the directory its
/// files live in (removed when dropped).
pub struct Filled {
    /// The command to run.
    pub argv: Vec<String>,
    /// The port `{port}` was given (the course's 8888 when the command has no `{port}`).
    pub port: u16,
    /// Whether the command has `{port}`.
    pub port_given: bool,
    /// The path `{log}` was given, when the command has it.
    pub log: Option<PathBuf>,
    /// The path `{config}` was given, when the command has it.
    pub config: Option<PathBuf>,
    /// Holds the files.
    pub scratch: tempfile::TempDir,
}

/// What a check changes in a server's command: values for `{port}` and `{address}`, the
/// config file's text, and placeholders to leave out (with the flag in front of them) so
/// that the config file's value is the one that counts.
#[derive(Default, Clone, Copy)]
pub struct Fill<'a> {
    /// For `{port}` (default: a free port).
    pub port: Option<&'a str>,
    /// For `{address}` (default: `127.0.0.1`).
    pub address: Option<&'a str>,
    /// The config file's text (default: empty).
    pub config: Option<&'a str>,
    /// Placeholder names whose arguments are dropped.
    pub drop: &'a [&'a str],
}

/// The text of the config file `{config}` names when a check does not set it: nothing, so
/// that the defaults and the command line count. Not even a comment: a course program that
/// reads `KEY=VALUE` lines may not know comments, and an empty file is every reading's.
pub const EMPTY_CONFIG: &str = "";

/// Fills `template` for one run (see [`Fill`]).
pub async fn fill(template: &[String], how: Fill<'_>) -> Result<Filled, Failure> {
    let scratch = tempfile::Builder::new().prefix("grade-").tempdir()?;
    let mut template = template.to_vec();
    for name in how.drop {
        template = process::without(&template, name);
    }
    let port_given = process::mentions(&template, "port");
    let port = match how.port {
        Some(p) => p.parse().unwrap_or(0),
        None if port_given => free_port()?,
        None => crate::chat::cli::DEFAULT_PORT,
    };
    let port_text = how.port.map_or_else(|| port.to_string(), str::to_string);
    let log = scratch.path().join("server.log");
    let config = scratch.path().join("grade.conf");
    let has = |name| process::mentions(&template, name);
    let (has_log, has_config) = (has("log"), has("config"));
    if has_config {
        std::fs::write(&config, how.config.unwrap_or(EMPTY_CONFIG))?;
    }
    let argv = process::substitute(
        &template,
        &[
            ("port", &port_text),
            ("address", how.address.unwrap_or("127.0.0.1")),
            ("log", &log.display().to_string()),
            ("config", &config.display().to_string()),
        ],
    );
    Ok(Filled {
        argv,
        port,
        port_given,
        log: has_log.then_some(log),
        config: has_config.then_some(config),
        scratch,
    })
}

impl ServerTarget {
    /// Starts a fresh server (command) or points at the given one (address).
    pub async fn start(&self) -> Result<RunningServer, Failure> {
        match &self.source {
            ServerSource::Address(addr) => {
                // A shared server may still be processing the previous check's clients
                // leaving; their leave announcements must not land in this check. There is
                // nothing to observe from outside, so give it a moment.
                tokio::time::sleep(patient(SETTLE)).await;
                Ok(self.found_at(*addr))
            }
            ServerSource::Command(template) => {
                let filled = fill(template, Fill::default()).await?;
                self.start_filled(filled).await
            }
            ServerSource::InProcess(start) => {
                let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
                let addr = listener.local_addr()?;
                let stop = CancellationToken::new();
                let server = (start.0)(listener, stop.clone());
                // Its error, as a process's stderr, for the reason of a check that fails.
                let said = process::NotedOutput::start();
                let task = tokio::spawn(async move {
                    let result = server.await;
                    if let Err(e) = &result {
                        said.write(&format!("error: {e:#}\n"));
                    }
                    result
                });
                Ok(RunningServer {
                    in_process: Some(InProcessRun {
                        task: Some(task),
                        stop,
                        ended: None,
                    }),
                    ..self.found_at(addr)
                })
            }
        }
    }

    /// Starts the server from a command filled by [`fill`] and waits until it listens.
    pub async fn start_filled(&self, filled: Filled) -> Result<RunningServer, Failure> {
        let Filled {
            argv,
            port,
            port_given,
            log,
            scratch,
            ..
        } = filled;
        wait_port_free(port, patient(PORT_FREE_WAIT)).await?;
        let mut running = process::spawn(&argv)?;
        let (addr, first_line) = wait_listening(&mut running, port, port_given).await?;
        Ok(RunningServer {
            first_line,
            log,
            process: Some(running),
            _scratch: Some(scratch),
            ..self.found_at(addr)
        })
    }

    /// This target's server at `addr`, with nothing of its own (no process, console or
    /// files): what a server given by its address is, and what the others start from.
    fn found_at(&self, addr: SocketAddr) -> RunningServer {
        RunningServer {
            addr,
            first_line: None,
            wire: self.wire,
            pseudos: self.pseudos,
            styled: self.styled,
            ids: self.ids,
            frames: self.frames,
            log: None,
            process: None,
            in_process: None,
            _scratch: None,
        }
    }

    /// The command template, or a skip for a server given by its address or run in this
    /// process (a check that starts the server its own way needs the command).
    pub fn template(&self) -> Result<&[String], Failure> {
        match &self.source {
            ServerSource::Command(template) => Ok(template),
            ServerSource::Address(_) => Err(Failure::Skip(
                "needs to start the server: give a command, not --address".into(),
            )),
            ServerSource::InProcess(_) => Err(Failure::Skip(
                "needs to start the server its own way: it runs in grade's own process".into(),
            )),
        }
    }
}

pub(crate) use super::ports::free_port;

/// How long a port may stay taken before a server is started on it: the previous check's
/// server has been killed, but the system may take a moment to close its socket.
const PORT_FREE_WAIT: Duration = Duration::from_secs(2);
/// How long a started server has to start listening.
const LISTEN_WAIT: Duration = Duration::from_secs(10);

/// Where the system's table of sockets can be read (see [`listening`]), waits up to `within` for
/// nothing to listen on `port`, so that another program's socket is never taken for the
/// server's; elsewhere returns at once.
async fn wait_port_free(port: u16, within: Duration) -> Result<(), Failure> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match listening::listening_on(port).await {
            Some(found) if !found.is_empty() => {}
            _ => return Ok(()),
        }
        if tokio::time::Instant::now() >= deadline {
            return fail(format!(
                "port {port} was already in use before the server was started (by another \
                 program, or a server of an earlier run still running): stop it, or put \
                 {{port}} in the command so that every check gets a free port"
            ));
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Waits until the server started from a command listens, without connecting to it when
/// the system can tell (see [`listening`]): its `Serving on` line (either form) gives the
/// address; otherwise, where the socket table can be read, a listening socket on `port`
/// (`{port}`, or the course's 8888). Only without a table is the address
/// `127.0.0.1:<port>` tried by connecting: at once when `port_given`, else once the output
/// ended or after 2 s.
/// Also returns the first line the server printed, if it printed one meanwhile.
async fn wait_listening(
    server: &mut Running,
    port: u16,
    port_given: bool,
) -> Result<(SocketAddr, Option<String>), Failure> {
    let mut first = None;
    let addr = wait_for_listener(server, port, port_given, &mut first).await?;
    Ok((addr, first))
}

async fn wait_for_listener(
    server: &mut Running,
    port: u16,
    port_given: bool,
    first: &mut Option<String>,
) -> Result<SocketAddr, Failure> {
    let expected = SocketAddr::from(([127, 0, 0, 1], port));
    let mut table = listening::listening_on(port).await.is_some();
    // Reads of the table that failed in a row (lsof or netstat too slow, say): after a
    // few, the table is given up for the connect rule.
    let mut unread = 0;
    let deadline = tokio::time::Instant::now() + patient(LISTEN_WAIT);
    let mut tick = tokio::time::interval(Duration::from_millis(25));
    // A read of the table may take longer than a tick (a program is run outside Linux):
    // the next one waits for it rather than following at once.
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut output_open = true;
    loop {
        tokio::select! {
            line = server.next_line(Duration::from_secs(3600)), if output_open => match line {
                Some(TimedLine { text, .. }) => {
                    let found = listening::serving_on(&text);
                    first.get_or_insert(text);
                    if let Some(addr) = found {
                        return Ok(addr);
                    }
                }
                None => output_open = false,
            },
            _ = tick.tick() => {
                if table {
                    match listening::listening_on(port).await {
                        Some(found) => {
                            unread = 0;
                            if let Some(addr) = listening::reach(&found, port) {
                                return Ok(addr);
                            }
                        }
                        None => {
                            unread += 1;
                            table = unread < 3;
                        }
                    }
                } else if (port_given || !output_open || server.elapsed() > Duration::from_secs(2))
                    && TcpStream::connect(expected).await.is_ok()
                {
                    // No table to read (no `lsof`, say) and no parsable line: the one case where
                    // readiness is learnt by connecting, and the server sees a connection.
                    return Ok(expected);
                }
                if let Some(status) = server.wait_exit(Duration::ZERO).await {
                    return fail(format!("the server exited ({status}) before listening"));
                }
                if tokio::time::Instant::now() > deadline {
                    return fail(format!(
                        "the server did not start listening within {} s: no `Serving on \
                         <ip>:<port>` line, and nothing listening on port {port}",
                        crate::grade::patience::secs(patient(LISTEN_WAIT))
                    ));
                }
            }
        }
    }
}

impl RunningServer {
    /// The skip of a check that needs `what` of a server that has no process of its own.
    pub(crate) fn lacks(&self, what: &str) -> Failure {
        Failure::Skip(if self.in_process.is_some() {
            format!("needs {what}: the server runs in grade's own process")
        } else {
            format!("needs {what}: give a command, not --address")
        })
    }

    /// Whether it runs in `grade`'s own process ([`InProcess`]).
    pub fn in_process(&self) -> bool {
        self.in_process.is_some()
    }

    /// Connects a scripted client.
    pub async fn connect(&self) -> Result<TestClient, Failure> {
        let mut c = TestClient::connect(self.addr, self.wire, None).await?;
        c.styled = self.styled;
        if self.frames {
            c.speak_frames();
        }
        Ok(c)
    }

    /// Sends `SIGTERM` to the server's process group, as a service manager or `kill` does
    /// (cancels an [`InProcess`] server's token); skips where there are no signals
    /// (Windows) or no process (`--address`).
    pub fn terminate(&mut self) -> Result<(), Failure> {
        if let Some(run) = &self.in_process {
            run.stop.cancel();
            return Ok(());
        }
        let Some(process) = self.process.as_mut() else {
            return Err(self.lacks("to signal the server"));
        };
        process.terminate()
    }

    /// Waits up to `limit` for the server to exit; `None` while it runs (or for a server
    /// given by its address).
    pub async fn wait_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        if let Some(run) = self.in_process.as_mut() {
            return run.wait_exit(limit).await;
        }
        self.process.as_mut()?.wait_exit(limit).await
    }

    /// Connects a client whose receive buffer is tiny and which never reads: a stuck peer
    /// (joined as `stuck` where clients join with a pseudo).
    pub async fn connect_stuck(&self) -> Result<TcpStream, Failure> {
        let socket = crate::net::socket_for(self.addr)?;
        socket.set_recv_buffer_size(4096)?;
        let mut stream = socket.connect(self.addr).await?;
        if self.frames {
            stream.write_all(&frames::hello("stuck", "")).await?;
            tokio::time::sleep(patient(QUIET)).await;
        } else if self.pseudos {
            stream
                .write_all(&wire::encode(self.wire, "Hello|stuck"))
                .await?;
            // It never reads its announcement: a moment stands for the server taking it in.
            tokio::time::sleep(patient(QUIET)).await;
        }
        Ok(stream)
    }

    /// The first line the server printed (waiting for it if it was found listening before
    /// it printed anything); skips when the console is not visible.
    pub async fn first_console_line(&mut self) -> Result<Option<String>, Failure> {
        if let Some(line) = &self.first_line {
            return Ok(Some(line.clone()));
        }
        let Some(process) = self.process.as_mut() else {
            return Err(self.lacks("the server's console"));
        };
        Ok(process.next_line(patient(PATIENCE)).await.map(|l| l.text))
    }

    /// Waits for a console line satisfying `wanted`; skips when the console is not visible.
    pub async fn console_line(
        &mut self,
        what: &str,
        wanted: impl Fn(&str) -> bool,
    ) -> Result<String, Failure> {
        let Some(process) = self.process.as_mut() else {
            return Err(self.lacks("the server's console"));
        };
        let mut seen = Vec::new();
        let deadline = tokio::time::Instant::now() + patient(PATIENCE);
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match process.next_line(left).await {
                Some(line) if wanted(&line.text) => return Ok(line.text),
                Some(line) => seen.push(line.text),
                None => {
                    return fail(format!(
                        "expected a console line {what}, got {}",
                        show(&seen.join("\n"))
                    ));
                }
            }
        }
    }
}

/// What reading one frame gave ([`TestClient::read_frame`]).
#[derive(Debug)]
pub enum FrameRead {
    /// A whole frame.
    Frame(Frame),
    /// The server closed the connection.
    Closed,
    /// Nothing came within the time given.
    Quiet,
    /// The server sent bytes that are no frame: why (nothing more is read).
    Unreadable(String),
}

/// How [`TestClient::next_frame`]'s timeout begins.
const NOTHING_WITHIN: &str = "nothing within";

/// A client the checks script.
pub struct TestClient {
    /// The client's own address, as the server sees it on loopback.
    pub local: SocketAddr,
    /// Its pseudo once it joined (ii_5 on): what the server signs its relays with.
    pub pseudo: Option<String>,
    /// The ID the server gave it when it joined (bonus 2 ids on).
    pub id: Option<String>,
    /// Relays may carry bonus 1's dress (see [`ServerTarget::styled`]).
    pub styled: bool,
    wire: Wire,
    reader: Inbox,
    write: OwnedWriteHalf,
    /// Messages already split out of a `tp` read but not yet returned.
    pending: std::collections::VecDeque<String>,
    /// Set when it speaks bonus 4's frames (see [`TestClient::speak_frames`]).
    frames: Option<FrameState>,
}

/// Where a client's messages are read from: lines through the wire's codec, frames through
/// grade's own ([`frames`]).
enum Inbox {
    Lines(MessageReader<OwnedReadHalf>),
    Frames(OwnedReadHalf),
    /// Only while switching from one to the other.
    Gone,
}

/// A frame-speaking client's state.
#[derive(Default)]
struct FrameState {
    /// Bytes read and not yet a whole frame. Reads append here, so that a read cut by a
    /// timeout loses nothing (a frame may arrive across many reads).
    buf: Vec<u8>,
    /// Frames put back (by [`TestClient::unread`]), returned first.
    pending: std::collections::VecDeque<Frame>,
    /// The frame behind the message [`TestClient::recv_within`] returned last.
    last: Option<Frame>,
    /// Whether the first message (the handshake) was sent.
    said_hello: bool,
    /// The server sent bytes that are no frame: nothing more is read.
    broken: bool,
}

impl TestClient {
    /// Connects to `addr`; `recv_buffer` sets SO_RCVBUF before connecting.
    pub async fn connect(
        addr: SocketAddr,
        wire: Wire,
        recv_buffer: Option<u32>,
    ) -> Result<TestClient, Failure> {
        let socket = crate::net::socket_for(addr)?;
        if let Some(size) = recv_buffer {
            socket.set_recv_buffer_size(size)?;
        }
        let stream = tokio::time::timeout(patient(PATIENCE), socket.connect(addr))
            .await
            .map_err(|_| Failure::Fail(format!("connecting to {addr} timed out")))?
            .map_err(|e| Failure::Fail(format!("cannot connect to {addr}: {e}")))?;
        let _ = stream.set_nodelay(true);
        let local = stream.local_addr()?;
        let (read, write) = stream.into_split();
        Ok(TestClient {
            local,
            pseudo: None,
            id: None,
            styled: false,
            wire,
            reader: Inbox::Lines(MessageReader::from_server(read, wire)),
            write,
            pending: Default::default(),
            frames: None,
        })
    }

    /// Makes this client speak bonus 4's frames, the line protocol's messages carried by
    /// their equivalent frames, so that every check written in lines means the same on a
    /// binary server: the first message sent, when it is `Hello|<pseudo>[|<id>]`, is a hello
    /// frame (split at the first `|` after the pseudo), any other message a text frame; a
    /// frame received is returned by [`recv_within`](Self::recv_within) as the line that
    /// means the same ([`frames::as_line`]). The frames themselves are read with
    /// [`read_frame`](Self::read_frame).
    pub fn speak_frames(&mut self) {
        // Nothing was read yet: the line reader holds no byte that would be lost.
        if let Inbox::Lines(r) = std::mem::replace(&mut self.reader, Inbox::Gone) {
            self.reader = Inbox::Frames(r.into_inner());
        }
        self.frames = Some(FrameState::default());
    }

    /// Whether it speaks frames.
    pub fn frames(&self) -> bool {
        self.frames.is_some()
    }

    /// The next frame, within `limit`. A frame-speaking client only (else a failure).
    pub async fn read_frame(&mut self, limit: Duration) -> Result<FrameRead, Failure> {
        Ok(match self.next_frame(limit).await {
            Ok(Ok(Some(frame))) => FrameRead::Frame(frame),
            Ok(Ok(None)) => FrameRead::Closed,
            Ok(Err(why)) => FrameRead::Unreadable(why),
            Err(Failure::Fail(why)) if why.starts_with(NOTHING_WITHIN) => FrameRead::Quiet,
            Err(other) => return Err(other),
        })
    }

    /// The next frame, or why the bytes are none.
    async fn next_frame(
        &mut self,
        limit: Duration,
    ) -> Result<Result<Option<Frame>, String>, Failure> {
        let deadline = tokio::time::Instant::now() + limit;
        let (Some(state), Inbox::Frames(read)) = (self.frames.as_mut(), &mut self.reader) else {
            return fail("grade: a line client asked for a frame");
        };
        if let Some(f) = state.pending.pop_front() {
            return Ok(Ok(Some(f)));
        }
        loop {
            if state.broken {
                return Ok(Ok(None));
            }
            match frames::parse(&state.buf) {
                Parsed::Frame(f, used) => {
                    state.buf.drain(..used);
                    return Ok(Ok(Some(f)));
                }
                Parsed::Bad(why) => {
                    state.broken = true;
                    return Ok(Err(why));
                }
                Parsed::Need => {}
            }
            let mut chunk = [0u8; 8192];
            let n =
                tokio::time::timeout_at(deadline, tokio::io::AsyncReadExt::read(read, &mut chunk))
                    .await
                    .map_err(|_| {
                        Failure::Fail(format!("{NOTHING_WITHIN} {} ms", limit.as_millis()))
                    })?;
            match n {
                Ok(0) | Err(_) => return Ok(Ok(None)),
                Ok(n) => state.buf.extend_from_slice(&chunk[..n]),
            }
        }
    }

    /// Sends one frame, whole.
    pub async fn send_frame(&mut self, kind: u8, body: &[u8]) -> Result<(), Failure> {
        self.send_raw(&frames::encode(kind, body)).await
    }

    /// The client's address as the course prints it: `ip:port`.
    pub fn me(&self) -> String {
        format!("{}:{}", self.local.ip(), self.local.port())
    }

    /// How the server signs this client's relays: its pseudo once joined, else `ip:port`.
    pub fn name(&self) -> String {
        self.pseudo.clone().unwrap_or_else(|| self.me())
    }

    /// Sends one message, framed for the wire mode.
    pub async fn send(&mut self, text: &str) -> Result<(), Failure> {
        if let Some(state) = self.frames.as_mut() {
            let first = !std::mem::replace(&mut state.said_hello, true);
            let bytes = match text.strip_prefix("Hello|").filter(|_| first) {
                Some(rest) => {
                    let (pseudo, id) = rest.split_once('|').unwrap_or((rest, ""));
                    frames::hello(pseudo, id)
                }
                None => frames::text(text),
            };
            return self.send_raw(&bytes).await;
        }
        self.send_raw(&wire::encode(self.wire, text)).await
    }

    /// Sends bytes as they are.
    pub async fn send_raw(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        self.write
            .write_all(bytes)
            .await
            .map_err(|e| Failure::Fail(format!("sending failed: {e}")))
    }

    /// The next message; `Ok(None)` when the server closed the connection, `Err` on timeout.
    pub async fn recv_within(&mut self, limit: Duration) -> Result<Option<String>, Failure> {
        if self.frames.is_some() {
            let got = self.next_frame(limit).await?;
            let state = self.frames.as_mut().expect("frames");
            return Ok(match got {
                Ok(Some(frame)) => {
                    let line = match frames::event(&frame) {
                        Ok(event) => frames::as_line(&event),
                        Err(_) => frames::describe(&frame),
                    };
                    state.last = Some(frame);
                    Some(line)
                }
                Ok(None) => None,
                // A message no check expects, which its reason shows.
                Err(why) => Some(format!("(bytes that are no frame: {why})")),
            });
        }
        loop {
            if let Some(m) = self.pending.pop_front() {
                return Ok(Some(m));
            }
            let Inbox::Lines(reader) = &mut self.reader else {
                return fail("grade: a frame client read as lines");
            };
            let got = tokio::time::timeout(limit, reader.next())
                .await
                .map_err(|_| Failure::Fail(format!("nothing within {} ms", limit.as_millis())))?;
            match got {
                Ok(Some(Incoming::Message(text))) => match self.wire {
                    Wire::Lines => return Ok(Some(text)),
                    Wire::Tp => {
                        let parts = text
                            .split('\n')
                            .flat_map(unglue_id)
                            .map(|p| p.trim_end().to_string())
                            .filter(|p| !p.is_empty());
                        self.pending.extend(parts);
                    }
                },
                Ok(Some(Incoming::TooLong)) => return fail("a message longer than 4096 bytes"),
                Ok(None) | Err(_) => return Ok(None),
            }
        }
    }

    /// Expects exactly `expected` as the next message.
    pub async fn expect(&mut self, what: &str, expected: &str) -> Result<(), Failure> {
        match self.recv_within(patient(PATIENCE)).await {
            Ok(Some(got)) => {
                let same = match self.wire {
                    Wire::Lines => got == expected,
                    Wire::Tp => got.trim_end() == expected.trim_end(),
                };
                if same {
                    Ok(())
                } else {
                    fail(format!(
                        "{what}: expected {} got {}",
                        show(expected),
                        show(&got)
                    ))
                }
            }
            Ok(None) => fail(format!(
                "{what}: expected {} got the connection closed",
                show(expected)
            )),
            Err(_) => fail(format!(
                "{what}: expected {} got nothing within {} s",
                show(expected),
                crate::grade::patience::secs(patient(PATIENCE))
            )),
        }
    }

    /// Expects the next message to be a relay of `text` said by `pseudo`: exactly
    /// `<pseudo> a dit : <text>`, or for a styled target the same with bonus 1's time and
    /// colour (see [`relay`](super::relay)).
    pub async fn expect_relay(
        &mut self,
        what: &str,
        pseudo: &str,
        text: &str,
    ) -> Result<(), Failure> {
        let plain = format!("{pseudo}{}{text}", super::relay::SAID);
        let shown = if self.styled {
            format!("{} (with or without a time and a colour)", show(&plain))
        } else {
            show(&plain)
        };
        match self.recv_within(patient(PATIENCE)).await {
            Ok(Some(got)) => match super::relay::meaning(&got, self.styled) {
                Some((who, said)) if who == pseudo && said.trim_end() == text.trim_end() => {
                    if self.wire == Wire::Lines && said != text {
                        return fail(format!("{what}: expected {shown} got {}", show(&got)));
                    }
                    Ok(())
                }
                _ => fail(format!("{what}: expected {shown} got {}", show(&got))),
            },
            Ok(None) => fail(format!(
                "{what}: expected {shown} got the connection closed"
            )),
            Err(_) => fail(format!(
                "{what}: expected {shown} got nothing within {} s",
                crate::grade::patience::secs(patient(PATIENCE))
            )),
        }
    }

    /// Puts a message back: the next read returns it.
    pub fn unread(&mut self, message: String) {
        if let Some(state) = self.frames.as_mut() {
            // The message is the one just returned: put its frame back.
            if let Some(f) = state.last.take() {
                state.pending.push_front(f);
            }
            return;
        }
        self.pending.push_front(message);
    }

    /// Takes `expected` if it is the next message within `limit` and says whether it was;
    /// anything else that arrives is kept for the next read.
    pub async fn take_if(&mut self, expected: &str, limit: Duration) -> Result<bool, Failure> {
        match self.recv_within(limit).await {
            Ok(Some(got)) if got.trim_end() == expected.trim_end() => Ok(true),
            Ok(Some(other)) => {
                self.unread(other);
                Ok(false)
            }
            Ok(None) => fail(format!(
                "waiting for {}: the connection was closed",
                show(expected)
            )),
            Err(_) => Ok(false),
        }
    }

    /// Expects nothing to arrive for a short while (and the connection to stay open).
    pub async fn expect_silence(&mut self, what: &str) -> Result<(), Failure> {
        match self.recv_within(patient(QUIET)).await {
            Err(_) => Ok(()),
            Ok(Some(got)) => fail(format!("{what}: expected nothing got {}", show(&got))),
            Ok(None) => fail(format!(
                "{what}: expected nothing got the connection closed"
            )),
        }
    }

    /// Expects the server to close the connection, after any number of messages; returns them.
    pub async fn expect_closed(&mut self, what: &str) -> Result<Vec<String>, Failure> {
        let mut got = Vec::new();
        loop {
            match self.recv_within(patient(PATIENCE)).await {
                Ok(None) => return Ok(got),
                Ok(Some(m)) => got.push(m),
                Err(_) => {
                    return fail(format!(
                        "{what}: expected the connection closed got it still open after {}",
                        show(&got.join("\n"))
                    ));
                }
            }
        }
    }

    /// Closes abruptly: a reset (SO_LINGER 0), as when a client crashes mid-message.
    pub fn reset(self) {
        let stream = self.reader_into_stream();
        if let Some(stream) = stream {
            let _ = stream.set_zero_linger();
        }
    }

    fn reader_into_stream(self) -> Option<TcpStream> {
        let read = match self.reader {
            Inbox::Lines(r) => r.into_inner(),
            Inbox::Frames(r) => r,
            Inbox::Gone => return None,
        };
        read.reunite(self.write).ok()
    }

    /// Closes the writing side (EOF for the server) and drops the connection.
    pub async fn quit(mut self) {
        let _ = self.write.shutdown().await;
    }
}

/// In `tp` mode, the pieces of a read that starts with bonus 2's `ID|<id>` glued to what
/// follows it: a server sends the ID and the join announcement (or the greeting) as two
/// writes in a row, before any client message can come between them, so TCP may deliver
/// them as one read even from a correct server. They are told apart where the next
/// message's own words begin (`Annonce : `, `Welcome back `).
fn unglue_id(piece: &str) -> Vec<&str> {
    if piece.starts_with("ID|") {
        let next = ["Annonce : ", "Welcome back "]
            .iter()
            .filter_map(|w| piece.find(w))
            .min();
        if let Some(at) = next {
            return vec![&piece[..at], &piece[at..]];
        }
    }
    vec![piece]
}

/// Makes sure every client is registered for relays before a check starts (ii_4 style,
/// no handshake): the server accepts asynchronously, so a message sent right after
/// connecting may reach a registry that does not hold the others yet. The last client
/// sends probes until every other client got one, then the first does the same for the
/// last; each round ends with a marker after which the probes are drained.
pub async fn sync_registered(v: &mut [TestClient]) -> Result<(), Failure> {
    let n = v.len();
    if n < 2 {
        return Ok(());
    }
    probe(v, n - 1, &(0..n - 1).collect::<Vec<_>>()).await?;
    probe(v, 0, &[n - 1]).await
}

const PROBE: &str = "tp6-sync";
const PROBE_END: &str = "tp6-sync-end";

async fn probe(v: &mut [TestClient], from: usize, to: &[usize]) -> Result<(), Failure> {
    let mut reached = vec![false; to.len()];
    for attempt in 0..30 {
        v[from].send(&format!("{PROBE} {attempt}")).await?;
        for (k, &i) in to.iter().enumerate() {
            if reached[k] {
                continue;
            }
            match v[i].recv_within(Duration::from_millis(100)).await {
                Ok(Some(m)) if m.contains(PROBE) => reached[k] = true,
                Ok(Some(m)) => {
                    return fail(format!(
                        "while syncing clients: expected a relayed probe got {}",
                        show(&m)
                    ));
                }
                Ok(None) => return fail("while syncing clients: the server closed a connection"),
                Err(_) => {}
            }
        }
        if reached.iter().all(|&r| r) {
            // Everyone but the sender receives the probes, not only the ones waited for.
            v[from].send(PROBE_END).await?;
            for i in (0..v.len()).filter(|&i| i != from) {
                loop {
                    match v[i].recv_within(patient(PATIENCE)).await {
                        Ok(Some(m)) if m.contains(PROBE_END) => break,
                        Ok(Some(m)) if m.contains(PROBE) => {}
                        Ok(Some(m)) => {
                            return fail(format!(
                                "while syncing clients: expected a relayed probe got {}",
                                show(&m)
                            ));
                        }
                        _ => return fail("while syncing clients: the end marker was not relayed"),
                    }
                }
            }
            return Ok(());
        }
    }
    fail("no message between two connected clients was ever relayed (3 s of probes)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn a_port_someone_listens_on_is_not_taken_for_the_new_servers() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let taken = wait_port_free(port, Duration::from_millis(100)).await;
        let Err(Failure::Fail(reason)) = taken else {
            panic!("a taken port was found free: {taken:?}");
        };
        assert!(
            reason.starts_with(&format!("port {port} was already in use")),
            "{reason}"
        );
        // Freed while waiting (a server of the previous check going away): fine.
        let closing = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            drop(listener);
        });
        assert_eq!(wait_port_free(port, Duration::from_secs(2)).await, Ok(()));
        closing.join().unwrap();
    }
}
