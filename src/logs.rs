//! Logs (bonus 2): the `tracing` subscriber the binaries install, writing what the server
//! library reports to the console and to a log file without ever making a task wait.
//!
//! The library only emits events (`info!`: a client connects, joins, says something, a
//! message is relayed, a client leaves; `debug!`: one line per recipient); what is shown
//! and where is decided once, here, by the binary's [`LogSetup`]:
//!
//! - **Where.** The console (stdout) for the server; a log file for both programs. The
//!   file is opened in append mode, its directory created if missing. The default file
//!   ([`default_file`]) is `/var/log/chat_room/<name>`, where logs belong on a server; a
//!   learner's machine rarely lets them write there, so the default falls back, with one
//!   warning line, to `chat_room_logs/<name>` in the working directory, where they will
//!   look for it. A file the user named ([`LogFile::Given`]) is not second-guessed: if it
//!   cannot be opened, that is an error.
//! - **Never waiting.** Each output has its own queue and its own thread: a line is
//!   appended to the queue and the thread writes it, so a slow disk or a stdout pipe
//!   nobody reads costs log lines (dropped once [`LOG_BACKLOG`] bytes wait, counted and
//!   reported on stderr at exit), never the server's latency, and a stuck console never
//!   holds up the file. The thread takes everything queued at once and writes it with one
//!   system call: a quiet server's line is written at once, a busy one's lines go out a
//!   batch at a time. The [`LogGuard`] flushes the queues when it is dropped, so `main`
//!   keeps it until the end and the lines logged just before a normal exit are written.
//! - **What.** The level comes from `RUST_LOG` (`info` by default; `debug` adds the line
//!   per recipient); a `RUST_LOG` that does not parse is reported and ignored.
//! - **How.** No colour, no module path: with timestamps a line is
//!   `2026-11-30T14:05:00.123+01:00 INFO <message> <fields>`, the stamp from the injected
//!   [`Clock`]; without (the console before bonus 2) it is only `<message> <fields>`, as
//!   Part II's console reads. Log files always carry the stamp and the level: a log without
//!   times cannot be read afterwards. Events quote what peers sent, so every line goes
//!   through [`visible`]: a newline in a message cannot forge a second log line, an escape
//!   sequence cannot drive the terminal of whoever reads the log.

use crate::clock::{Clock, rfc3339};
use crate::visible::visible;
use std::env::{self, VarError};
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tracing::{Event, Subscriber};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::writer::{MakeWriter, MakeWriterExt};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::{EnvFilter, Layer, Registry};

/// Where a server's logs belong on Unix; the default log file lives here.
pub const DEFAULT_DIR: &str = "/var/log/chat_room";

/// Where the default log file goes when [`DEFAULT_DIR`] cannot be written (the usual case
/// for a learner who is not root): relative to the working directory, where they look.
pub const FALLBACK_DIR: &str = "chat_room_logs";

/// Bytes of log lines that may wait for one output before new lines are dropped (and
/// counted). Bounded in bytes, not lines: a line can quote a 12 KB message.
pub const LOG_BACKLOG: usize = 8 * 1024 * 1024;

/// The queue's buffer kept between two bursts; a burst may grow it, and gives it back.
const LOG_BATCH: usize = 64 * 1024;

/// How long an output's thread waits after writing a batch before it looks for the next.
const LOG_PAUSE: Duration = Duration::from_millis(1);

/// How long dropping the [`LogGuard`] waits for each output to write what is queued, so
/// that a stdout nobody reads cannot hang the exit.
const FLUSH_WAIT: Duration = Duration::from_secs(1);

/// The level shown when `RUST_LOG` says nothing usable: every event a learner should see
/// (connections, messages, departures), not the per-recipient detail.
const DEFAULT_LEVEL: LevelFilter = LevelFilter::INFO;

/// What a program logs where.
pub struct LogSetup {
    /// Also write log lines to stdout (the server's console); false for the chat client,
    /// whose stdout is the chat.
    pub console: bool,
    /// Prefix each console line with an RFC 3339 local timestamp and the level (bonus 2
    /// logs on); before that stage the console lines are plain like Part II's. File lines
    /// are always stamped.
    pub timestamps: bool,
    /// The log file: [`LogFile::Given`] by `--log-file` / `LOG_FILE` (an error if it cannot
    /// be opened), [`LogFile::Default`] when logs are on but no file was named, or `None`
    /// for no file.
    pub file: Option<LogFile>,
    /// The clock for timestamps (tests inject a fixed one).
    pub clock: Arc<dyn Clock>,
}

/// Which log file to open, and how hard to insist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogFile {
    /// A file the user asked for: failing to open it is an error, since quietly logging
    /// elsewhere would lose the logs they meant to keep.
    Given(PathBuf),
    /// The program's default file; when it cannot be opened (typically `/var/log` for a
    /// user who is not root), a warning and `fallback`, so that logs are kept anyway.
    Default {
        /// Tried first.
        path: PathBuf,
        /// Used when `path` cannot be opened; an error only if this fails too.
        fallback: PathBuf,
    },
}

/// The default log file called `name` (`server.log`, `client.log`):
/// `/var/log/chat_room/<name>`, falling back to `chat_room_logs/<name>` in the current
/// working directory. The fallback is made absolute now, so that the warning saying where
/// the logs went names a path that can be found from anywhere.
pub fn default_file(name: &str) -> LogFile {
    let fallback_dir = match env::current_dir() {
        Ok(cwd) => cwd.join(FALLBACK_DIR),
        Err(_) => PathBuf::from(FALLBACK_DIR),
    };
    LogFile::Default {
        path: Path::new(DEFAULT_DIR).join(name),
        fallback: fallback_dir.join(name),
    }
}

/// The one line printed on stderr when the default log file cannot be opened and the
/// fallback is used instead.
pub fn fallback_warning(path: &Path, error: &io::Error, fallback: &Path) -> String {
    format!(
        "warning: cannot write {} ({}); logging to {}",
        path.display(),
        reason(error),
        fallback.display()
    )
}

/// Keeps the logging threads alive and, dropped, flushes what they still hold. `main` keeps
/// it until it returns: dropping it early loses every line logged afterwards.
///
/// Each flush waits about a second at most, so a stdout nobody reads cannot hang the exit.
#[must_use = "dropping the guard stops logging: keep it until the end of main"]
pub struct LogGuard {
    /// One per non-blocking writer, with what it writes to for the dropped-lines report.
    workers: Vec<Worker>,
    /// The log file actually written (the fallback, when the default could not be opened).
    file: Option<PathBuf>,
    /// Warnings met while setting up (fallback file, bad `RUST_LOG`), one line each.
    warnings: Vec<String>,
}

/// An output's queue and the thread that writes it.
struct Worker {
    queue: Arc<Queue>,
    thread: Option<JoinHandle<()>>,
    /// `stdout` or the file's path, for the report.
    name: String,
}

impl Worker {
    /// Closes the queue and waits (at most [`FLUSH_WAIT`]) for the thread to write what
    /// was in it; returns how many lines were dropped.
    fn close(mut self) -> u64 {
        let dropped = {
            let mut pending = self.queue.lock();
            pending.closed = true;
            pending.dropped
        };
        self.queue.ready.notify_all();
        let give_up = Instant::now() + FLUSH_WAIT;
        if let Some(thread) = self.thread.take() {
            while !thread.is_finished() && Instant::now() < give_up {
                std::thread::sleep(Duration::from_millis(1));
            }
            if thread.is_finished() {
                let _ = thread.join();
            }
        }
        dropped
    }
}

/// The lines waiting for one output. Producers (every task that logs) append under the
/// lock, which is held for a copy, never for I/O.
struct Queue {
    pending: Mutex<Pending>,
    /// Signalled when a line comes while the thread sleeps, and when the queue closes.
    ready: Condvar,
}

#[derive(Default)]
struct Pending {
    /// Complete lines, in order.
    bytes: Vec<u8>,
    /// Lines refused because [`LOG_BACKLOG`] bytes were waiting.
    dropped: u64,
    /// The guard is gone: the thread writes what is left and ends.
    closed: bool,
    /// The thread sleeps on `ready`: the next line must wake it.
    waiting: bool,
}

impl Queue {
    fn lock(&self) -> MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues one formatted line (the fmt layer writes a whole line per call).
    fn push(&self, line: &[u8]) {
        let mut pending = self.lock();
        if pending.closed {
            return;
        }
        if pending.bytes.len() + line.len() > LOG_BACKLOG {
            pending.dropped += 1;
            return;
        }
        // Only a line that finds the thread asleep wakes it (a wake-up is a system call):
        // while it writes a batch, or pauses after one, lines wait for its next look.
        let wake = std::mem::replace(&mut pending.waiting, false);
        pending.bytes.extend_from_slice(line);
        drop(pending);
        if wake {
            self.ready.notify_one();
        }
    }

    /// The thread's loop: takes everything queued, writes it in one call, flushes, and
    /// sleeps until there is more; ends once the queue is closed and written.
    fn drain(&self, out: &mut impl Write) {
        let mut batch = Vec::with_capacity(LOG_BATCH);
        loop {
            let closed = {
                let mut pending = self.lock();
                while pending.bytes.is_empty() && !pending.closed {
                    pending.waiting = true;
                    pending = self
                        .ready
                        .wait(pending)
                        .unwrap_or_else(PoisonError::into_inner);
                }
                pending.waiting = false;
                // The emptied buffer goes back to the producers, its capacity with it.
                std::mem::swap(&mut pending.bytes, &mut batch);
                pending.closed
            };
            // A closed stdout or a full disk costs these lines, never the server.
            let _ = out.write_all(&batch);
            let _ = out.flush();
            batch.clear();
            batch.shrink_to(LOG_BATCH);
            if closed {
                return;
            }
            // Lines that come during the pause are written together after it: under load
            // a batch per LOG_PAUSE instead of a wake-up and a write per line. A line that
            // comes after a quiet spell is written at once.
            std::thread::sleep(LOG_PAUSE);
        }
    }
}

/// The [`MakeWriter`] of one output: each line formatted by the layer goes to its queue.
#[derive(Clone)]
struct Queued(Arc<Queue>);

impl<'a> MakeWriter<'a> for Queued {
    type Writer = &'a Queued;

    fn make_writer(&'a self) -> &'a Queued {
        self
    }
}

impl Write for &Queued {
    fn write(&mut self, line: &[u8]) -> io::Result<usize> {
        self.0.push(line);
        Ok(line.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl LogGuard {
    /// The log file being written, if any: the fallback when the default was refused.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// The warnings met while setting up, each a complete `warning: …` line. [`init`]
    /// prints them on stderr; whoever builds a [`subscriber`] themselves prints them too.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}

impl fmt::Debug for LogGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogGuard")
            .field(
                "writers",
                &self.workers.iter().map(|w| &w.name).collect::<Vec<_>>(),
            )
            .field("file", &self.file)
            .field("warnings", &self.warnings)
            .finish()
    }
}

impl Drop for LogGuard {
    fn drop(&mut self) {
        for worker in self.workers.drain(..) {
            let name = worker.name.clone();
            let dropped = worker.close();
            if dropped > 0 {
                eprintln!("warning: {dropped} log lines dropped: {name} could not keep up");
            }
        }
    }
}

/// Installs the subscriber for `setup` as the program's global one, `RUST_LOG` choosing the
/// level, and prints on stderr the warnings met on the way. Errors: the log file cannot be
/// opened (see [`LogFile`]), or a global subscriber is already installed.
pub fn init(setup: LogSetup) -> anyhow::Result<LogGuard> {
    let (subscriber, guard) = subscriber(setup, None)?;
    for warning in guard.warnings() {
        eprintln!("{warning}");
    }
    tracing::subscriber::set_global_default(subscriber)
        .map_err(|_| anyhow::anyhow!("logging is already set up"))?;
    Ok(guard)
}

/// The subscriber for `setup`, not installed: [`init`] installs it globally, a test runs
/// code under it with `tracing::subscriber::with_default`. `filter` stands for `RUST_LOG`
/// (`None`: read `RUST_LOG`), so that a test chooses its level without touching the
/// environment that other tests share. Nothing is printed: the warnings are in the guard.
pub fn subscriber(
    setup: LogSetup,
    filter: Option<&str>,
) -> anyhow::Result<(impl Subscriber + Send + Sync + 'static, LogGuard)> {
    let mut guard = LogGuard {
        workers: Vec::new(),
        file: None,
        warnings: Vec::new(),
    };
    let (filter, warning) = level_filter(filter);
    guard.warnings.extend(warning);

    // The file first: if it cannot be opened, no thread has been started for nothing.
    let file = match &setup.file {
        Some(wanted) => {
            let (file, path, warning) = open(wanted)?;
            guard.warnings.extend(warning);
            let writer = guard.writer(file, path.display().to_string(), "log-file")?;
            guard.file = Some(path);
            Some(writer)
        }
        None => None,
    };
    let console = if setup.console {
        Some(guard.writer(io::stdout(), "stdout".to_owned(), "log-console")?)
    } else {
        None
    };
    let stamped = || Line {
        clock: Some(setup.clock.clone()),
    };
    // A stamped console line is the file's line, byte for byte: one layer then formats
    // each event once (stamp, fields, `visible`) and hands the same line to both writers.
    // With a layer each, the task that logs formatted every event twice, and formatting
    // is what logging costs that task (two events per chat message on the bonus server).
    let (both, console, file) = match (console, file) {
        (Some(console), Some(file)) if setup.timestamps => {
            (Some(layer(file.and(console), stamped())), None, None)
        }
        (console, file) => {
            let plain = || Line {
                clock: setup.timestamps.then(|| setup.clock.clone()),
            };
            let console = console.map(|writer| layer(writer, plain()));
            (None, console, file.map(|writer| layer(writer, stamped())))
        }
    };

    let subscriber = Registry::default()
        .with(filter)
        .with(both)
        .with(console)
        .with(file);
    Ok((subscriber, guard))
}

impl LogGuard {
    /// A non-blocking writer to `out` whose thread this guard keeps.
    ///
    /// Not tracing-appender's `non_blocking`, which this module used first: its thread
    /// receives the lines one by one from a channel, waking (after spinning and yielding
    /// on an empty channel) for each line and writing each with its own system call. The
    /// bonus server logs two lines per chat message, and on a 2-core machine shared with
    /// the load those threads cost a fifth to a quarter of the server's CPU under load
    /// (`perf record`), where ii_6's console thread batches. Here a line is a copy into
    /// the queue's buffer, a wake-up happens only when the thread sleeps, and the thread
    /// writes everything queued in one call, then pauses [`LOG_PAUSE`] so that a busy
    /// server's lines gather into batches (without the pause, every line found the thread
    /// asleep and woke it: slower than tracing-appender, measured).
    fn writer(
        &mut self,
        mut out: impl Write + Send + 'static,
        name: String,
        thread: &str,
    ) -> io::Result<Queued> {
        let queue = Arc::new(Queue {
            pending: Mutex::new(Pending::default()),
            ready: Condvar::new(),
        });
        let drained = queue.clone();
        let handle = std::thread::Builder::new()
            .name(thread.to_owned())
            .spawn(move || drained.drain(&mut out))?;
        self.workers.push(Worker {
            queue: queue.clone(),
            thread: Some(handle),
            name,
        });
        Ok(Queued(queue))
    }
}

/// A layer writing lines formatted by `line` to `writer` (one writer, or a tee of
/// two), colourless.
fn layer<S, W>(writer: W, line: Line) -> impl Layer<S> + Send + Sync + 'static
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_writer(writer)
        .event_format(line)
}

/// The filter for `RUST_LOG` (or `given`, standing for it), and a warning if it was not
/// usable. A bad value must not stop a server, so it is reported and the default used.
fn level_filter(given: Option<&str>) -> (EnvFilter, Option<String>) {
    let builder = || EnvFilter::builder().with_default_directive(DEFAULT_LEVEL.into());
    let value = match given {
        Some(value) => value.to_owned(),
        None => match env::var("RUST_LOG") {
            Ok(value) => value,
            Err(VarError::NotPresent) => String::new(),
            Err(VarError::NotUnicode(raw)) => {
                let warning = invalid_filter_warning(&raw.to_string_lossy(), "not UTF-8");
                return (builder().parse_lossy(""), Some(warning));
            }
        },
    };
    match builder().parse(&value) {
        Ok(filter) => (filter, None),
        Err(err) => {
            let warning = invalid_filter_warning(&value, &err.to_string());
            (builder().parse_lossy(""), Some(warning))
        }
    }
}

/// The warning for a `RUST_LOG` that does not parse.
fn invalid_filter_warning(value: &str, reason: &str) -> String {
    format!("warning: ignoring RUST_LOG={value:?} ({reason}); logging at {DEFAULT_LEVEL}")
}

/// Opens the log file `wanted` names for appending: the file, the path actually opened, and
/// the warning to show if that is the fallback.
fn open(wanted: &LogFile) -> anyhow::Result<(File, PathBuf, Option<String>)> {
    match wanted {
        LogFile::Given(path) => match open_append(path) {
            Ok(file) => Ok((file, path.clone(), None)),
            Err(err) => anyhow::bail!("cannot write {} ({})", path.display(), reason(&err)),
        },
        LogFile::Default { path, fallback } => {
            let first = match open_append(path) {
                Ok(file) => return Ok((file, path.clone(), None)),
                Err(err) => err,
            };
            match open_append(fallback) {
                Ok(file) => {
                    let warning = fallback_warning(path, &first, fallback);
                    Ok((file, fallback.clone(), Some(warning)))
                }
                Err(err) => anyhow::bail!(
                    "cannot write {} ({}) nor {} ({})",
                    path.display(),
                    reason(&first),
                    fallback.display(),
                    reason(&err)
                ),
            }
        }
    }
}

/// `path` opened for appending, its directory created if missing: earlier runs' lines are
/// kept, and several writers' lines never overwrite each other.
fn open_append(path: &Path) -> io::Result<File> {
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        fs::create_dir_all(dir)?;
    }
    OpenOptions::new().create(true).append(true).open(path)
}

/// Why an I/O operation failed, without the ` (os error 13)` that would nest parentheses in
/// our messages: `Permission denied`, `Not a directory`.
fn reason(error: &io::Error) -> String {
    let text = error.to_string();
    match error.raw_os_error() {
        Some(code) => text
            .strip_suffix(&format!(" (os error {code})"))
            .unwrap_or(&text)
            .to_owned(),
        None => text,
    }
}

/// The line format: `[<rfc3339> <LEVEL> ]<message> <fields>`, with no target, span or colour,
/// shown through [`visible`] so that one event is one line.
struct Line {
    /// The clock for the stamp, or `None` for the plain lines of the console before bonus 2.
    clock: Option<Arc<dyn Clock>>,
}

impl<S, N> FormatEvent<S, N> for Line
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        if let Some(clock) = &self.clock {
            write!(
                writer,
                "{} {} ",
                rfc3339(&clock.now()),
                event.metadata().level()
            )?;
        }
        // Formatted apart first: the field formatter writes straight to its writer, and a
        // peer's text must go through `visible` before it reaches the line.
        let mut fields = String::new();
        ctx.field_format()
            .format_fields(Writer::new(&mut fields), event)?;
        writeln!(writer, "{}", visible(&fields))
    }
}

#[cfg(test)]
mod tests;
