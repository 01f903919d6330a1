//! Running the program under test: command templates, timed stdout lines, exit status,
//! and what it wrote on stderr.
//!
//! Checks receive commands as templates (`["python3", "server.py", "--port", "{port}"]`)
//! and fill the placeholders they know about. On Unix every program runs in a process
//! group of its own, and the whole group is killed when its handle is dropped or the
//! program exits, so a check that fails or times out never leaves a process behind, not
//! even the children of a shell wrapper (`sh -c 'python3 server.py & wait'`). On Windows
//! the program is put in a job object of its own, which everything it starts joins, and
//! the job is killed the same way.
//!
//! A check that fails after starting a program ends its reason with that program's stderr
//! ([`noting_programs`], [`stderr_tail`]): its first Python traceback whole and its last
//! lines, so a crash is reported as what it is.

use super::{Failure, fail};
use crate::grade::patience::patient;
use std::cell::RefCell;
use std::future::Future;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use tokio::sync::{mpsc, watch};

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

/// The template without the arguments that mention `{name}`, each with the flag in front
/// of it when it has one (`-p {port}`, `--port {port}`; `--port={port}` is one argument):
/// how a check leaves a value to a config file when the command line would win over it.
pub fn without(template: &[String], name: &str) -> Vec<String> {
    let pattern = format!("{{{name}}}");
    let mut out: Vec<String> = Vec::with_capacity(template.len());
    for arg in template {
        if arg.contains(&pattern) {
            // A flag right before a bare value belongs to it; a flag with `=` carries its own.
            if !arg.starts_with('-')
                && out
                    .last()
                    .is_some_and(|f| f.starts_with('-') && !f.contains('='))
                && out.len() > 1
            {
                out.pop();
            }
            continue;
        }
        out.push(arg.clone());
    }
    out
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
    stderr: Arc<StderrLog>,
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
    /// What it wrote on stderr (the last [`STDERR_KEEP`] bytes of it).
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
    start(argv, false, false)
}

/// Starts `argv` with stdin piped ([`Running::stdin`]), stdout and stderr captured.
pub fn spawn_with_stdin(argv: &[String]) -> Result<Running, Failure> {
    start(argv, true, false)
}

/// Starts `argv` with stdin piped or closed; with `colour`, `NO_COLOR` is left unset (every
/// other program runs with `NO_COLOR=1`): for the check that a client whose stdout is not a
/// terminal prints no colour even when nobody asked it not to.
pub fn spawn_program(argv: &[String], piped_stdin: bool, colour: bool) -> Result<Running, Failure> {
    start(argv, piped_stdin, colour)
}

fn start(argv: &[String], piped_stdin: bool, colour: bool) -> Result<Running, Failure> {
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
        .env("PYTHONUNBUFFERED", "1")
        .kill_on_drop(true);
    if colour {
        command.env_remove("NO_COLOR");
    } else {
        command.env("NO_COLOR", "1");
    }
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
    let stderr = StderrLog::new();
    if let Some(err) = child.stderr.take() {
        tokio::spawn(collect_stderr(err, Arc::clone(&stderr)));
    } else {
        stderr.ended.send_replace(true);
    }
    // The check running in this task reports this stderr if it fails.
    let _ = STARTED.try_with(|started| started.borrow_mut().push(Arc::clone(&stderr)));
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
        self.stderr.wait_ended(Duration::from_secs(2)).await;
        Ok(Finished {
            status,
            stdout,
            stderr: self.stderr.text(),
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

    /// Sends `SIGTERM` to the program's process group, as `kill` or a service manager
    /// would; fails where there are no signals (Windows).
    pub fn terminate(&mut self) -> Result<(), Failure> {
        #[cfg(unix)]
        if let Some(id) = self.group.id {
            // SAFETY: a plain system call on the group this program created and has not
            // killed yet (the id is taken when it is).
            unsafe {
                libc::killpg(id, libc::SIGTERM);
            }
            return Ok(());
        }
        Err(Failure::Skip(
            "cannot send SIGTERM here (no signals on this system, or the program is gone)".into(),
        ))
    }

    /// Stops the program and its whole group (SIGKILL).
    pub async fn kill(&mut self) {
        self.group.kill();
        let _ = self.child.kill().await;
    }
}

/// A program's process group (Unix) or job object (Windows): killed, every member of it,
/// when dropped.
///
/// The group id is the program's pid, which the system does not give to another process
/// while the program is unreaped or any member of its group lives: killing before the
/// program has been waited for, or right after, cannot hit a stranger. A Windows job is
/// created with "kill on close": closing its handle, here or when `grade` itself dies,
/// ends every process in it. (The program joins its job just after it starts; a child it
/// started in that instant would not be in it.)
pub(crate) struct ProcessGroup {
    #[cfg(unix)]
    id: Option<libc::pid_t>,
    #[cfg(windows)]
    job: Option<job::Job>,
}

impl ProcessGroup {
    /// The group `child` leads (started with `process_group(0)` or `setsid`), or on
    /// Windows a job it is put in now.
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
        #[cfg(windows)]
        {
            ProcessGroup {
                job: child.raw_handle().and_then(job::Job::holding),
            }
        }
        #[cfg(not(any(unix, windows)))]
        {
            let _ = child;
            ProcessGroup {}
        }
    }

    /// Kills every process of the group (SIGKILL) or job, once.
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
        #[cfg(windows)]
        drop(self.job.take());
    }
}

/// Windows job objects, each killing its processes when its handle is closed.
#[cfg(windows)]
mod job {
    use windows_sys::Win32::Foundation::{CloseHandle, HANDLE};
    use windows_sys::Win32::System::JobObjects::{
        AssignProcessToJobObject, CreateJobObjectW, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
        JOBOBJECT_EXTENDED_LIMIT_INFORMATION, JobObjectExtendedLimitInformation,
        SetInformationJobObject, TerminateJobObject,
    };

    /// A job's handle, kept as an integer so that the job can move between threads.
    pub(super) struct Job(usize);

    impl Job {
        /// A new kill-on-close job holding `process`; `None` if the system refuses (the
        /// program is then killed alone, as by `kill_on_drop`).
        pub(super) fn holding(process: std::os::windows::io::RawHandle) -> Option<Job> {
            // SAFETY: documented Win32 calls on a handle created here and on the live
            // handle of a child this program owns; every failure is checked.
            unsafe {
                let handle = CreateJobObjectW(std::ptr::null(), std::ptr::null());
                if handle.is_null() {
                    return None;
                }
                let job = Job(handle as usize);
                let mut limits = JOBOBJECT_EXTENDED_LIMIT_INFORMATION::default();
                limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
                let set = SetInformationJobObject(
                    handle,
                    JobObjectExtendedLimitInformation,
                    (&raw const limits).cast(),
                    u32::try_from(std::mem::size_of_val(&limits)).ok()?,
                );
                if set == 0 || AssignProcessToJobObject(handle, process as HANDLE) == 0 {
                    return None;
                }
                Some(job)
            }
        }
    }

    impl Drop for Job {
        fn drop(&mut self) {
            let handle = self.0 as HANDLE;
            // A program still running is ended with exit code 1 (Windows has no signal to
            // tell a kill apart): a check waiting for its exit afterwards sees that code.
            // SAFETY: the handle was created by `holding` and is closed once, here.
            unsafe {
                TerminateJobObject(handle, 1);
                CloseHandle(handle);
            }
        }
    }
}

/// The process groups of the programs running now, for [`kill_groups_on_signals`].
#[cfg(unix)]
fn live_groups() -> std::sync::MutexGuard<'static, Vec<libc::pid_t>> {
    static LIVE: Mutex<Vec<libc::pid_t>> = Mutex::new(Vec::new());
    LIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Makes an interrupted `grade` (Ctrl-C, `SIGTERM`, `SIGHUP`) kill every program it is
/// running, whole process groups, before dying of that signal: programs run in groups of
/// their own, which a Ctrl-C typed in the terminal does not reach and which would outlive
/// it. For a binary, called once from within its runtime; the signals then no longer stop
/// the process by themselves. Elsewhere than Unix it does nothing: on Windows the jobs go
/// with `grade` (their handles close when it ends, however it ends).
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

/// At most this many bytes of a program's stderr are kept: its end.
pub const STDERR_KEEP: usize = 1 << 20;
/// A failure reason shows a stderr of this many lines whole, and otherwise this many of its
/// last lines (after its first Python traceback, if any).
pub const STDERR_TAIL_LINES: usize = 15;
/// A traceback longer than this many lines is shown by its first line and its end.
const TRACEBACK_LINES: usize = 40;
/// How many lines before the first traceback are shown with it.
const LINES_BEFORE_TRACEBACK: usize = 2;
/// Longer lines are cut, in a failure reason.
const LINE_CHARS: usize = 300;
/// How long a failed check waits for its programs' stderr to end (they have been killed).
const STDERR_END_WAIT: Duration = Duration::from_secs(1);

/// A program's stderr as it comes: the bytes so far, and whether it has ended.
struct StderrLog {
    bytes: Mutex<Vec<u8>>,
    ended: watch::Sender<bool>,
}

impl StderrLog {
    fn new() -> Arc<StderrLog> {
        Arc::new(StderrLog {
            bytes: Mutex::new(Vec::new()),
            ended: watch::Sender::new(false),
        })
    }

    fn text(&self) -> String {
        let bytes = self.bytes.lock().unwrap_or_else(|e| e.into_inner());
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// Waits up to `limit` for the end of the stream.
    async fn wait_ended(&self, limit: Duration) {
        let mut ended = self.ended.subscribe();
        let _ = tokio::time::timeout(limit, ended.wait_for(|&e| e)).await;
    }
}

async fn collect_stderr(mut err: impl AsyncRead + Unpin, log: Arc<StderrLog>) {
    let mut buf = vec![0; 8192];
    while let Ok(n @ 1..) = err.read(&mut buf).await {
        let mut bytes = log.bytes.lock().unwrap_or_else(|e| e.into_inner());
        bytes.extend_from_slice(&buf[..n]);
        if bytes.len() > STDERR_KEEP {
            let excess = bytes.len() - STDERR_KEEP;
            bytes.drain(..excess);
        }
    }
    log.ended.send_replace(true);
}

tokio::task_local! {
    /// The stderr of every program started by the check running in this task.
    static STARTED: RefCell<Vec<Arc<StderrLog>>>;
}

/// What a server run in `grade`'s own process says instead of a stderr (its error, if it
/// returns one), noted for the check running in this task like a program's stderr; the
/// stream ends when this is dropped.
pub(crate) struct NotedOutput(Arc<StderrLog>);

impl NotedOutput {
    /// Starts noting, for the check running in this task.
    pub(crate) fn start() -> NotedOutput {
        let log = StderrLog::new();
        let _ = STARTED.try_with(|started| started.borrow_mut().push(Arc::clone(&log)));
        NotedOutput(log)
    }

    /// Adds `text` to what was said.
    pub(crate) fn write(&self, text: &str) {
        let mut bytes = self.0.bytes.lock().unwrap_or_else(|e| e.into_inner());
        bytes.extend_from_slice(text.as_bytes());
    }
}

impl Drop for NotedOutput {
    fn drop(&mut self) {
        self.0.ended.send_replace(true);
    }
}

/// The programs a check started, whose stderr ends its failure reason.
pub struct Started(Vec<Arc<StderrLog>>);

/// Runs a check's body, noting every program it starts, for [`Started::end_reason`].
/// Programs are found through the task: `body` must start them itself, not from a task it
/// spawns.
pub async fn noting_programs<T>(body: impl Future<Output = T>) -> (T, Started) {
    STARTED
        .scope(RefCell::new(Vec::new()), async {
            let result = body.await;
            (result, Started(STARTED.with(|started| started.take())))
        })
        .await
}

impl Started {
    /// `reason`, ended with the stderr of the last program that wrote anything there (as
    /// [`stderr_tail`] shows it) unless the reason shows it already. Called once the body
    /// has returned: its programs have been killed, their stderr is ending.
    pub async fn end_reason(&self, mut reason: String) -> String {
        let deadline = tokio::time::Instant::now() + patient(STDERR_END_WAIT);
        for log in self.0.iter().rev() {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            log.wait_ended(left).await;
            if let Some(tail) = stderr_tail(&log.text()) {
                if !reason.contains(&tail) {
                    reason.push_str("\nthe program's stderr:");
                    reason.push_str(&tail);
                }
                if let Some(hint) = version_hint(&tail, python_version()) {
                    reason.push_str(&hint);
                }
                break;
            }
        }
        reason
    }
}

/// A program's stderr as a failure reason shows it, each non-blank line after `\n| `, lines
/// left out marked `| …`: all of it when it has at most [`STDERR_TAIL_LINES`] lines.
/// Otherwise its first Python traceback whole (from `Traceback (most recent call last):` to
/// the exception line; the first line and the end of a very long one) with the two lines
/// before it, then the last [`STDERR_TAIL_LINES`] lines after it; without a traceback, its
/// last [`STDERR_TAIL_LINES`] lines. The first traceback is the cause: a server's later
/// ones are often its consequences (relaying to a client whose handler died, clients
/// leaving once the check has failed). `None` when nothing but blanks was written.
pub fn stderr_tail(stderr: &str) -> Option<String> {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.is_empty() {
        return None;
    }
    // Which lines to show, `None` standing for lines left out.
    let mut shown: Vec<Option<&str>> = Vec::new();
    let traceback = lines
        .iter()
        .position(|l| l.trim_start() == "Traceback (most recent call last):");
    match traceback {
        Some(start) if lines.len() > STDERR_TAIL_LINES => {
            // The lines just before say where it comes from (asyncio's `Task exception was
            // never retrieved`, a warning before a crash).
            let before = start.saturating_sub(LINES_BEFORE_TRACEBACK);
            if before > 0 {
                shown.push(None);
            }
            shown.extend(lines[before..start].iter().map(|&l| Some(l)));
            // Frames are indented; the exception line that ends the traceback is not.
            let end = lines[start + 1..]
                .iter()
                .position(|l| !l.starts_with(' '))
                .map_or(lines.len() - 1, |i| start + 1 + i);
            let whole = &lines[start..=end];
            shown.push(Some(whole[0]));
            let cut = whole.len().saturating_sub(TRACEBACK_LINES);
            if cut > 0 {
                shown.push(None);
            }
            shown.extend(whole[1 + cut..].iter().map(|&l| Some(l)));
            last_lines(&lines[end + 1..], &mut shown);
        }
        _ => last_lines(&lines, &mut shown),
    }
    let mut tail = String::new();
    for line in shown {
        tail.push_str("\n| ");
        match line {
            None => tail.push('…'),
            Some(line) => match line.char_indices().nth(LINE_CHARS) {
                Some((cut, _)) => {
                    tail.push_str(&line[..cut]);
                    tail.push('…');
                }
                None => tail.push_str(line),
            },
        }
    }
    Some(tail)
}

/// `python3 --version` on this machine, asked once (`None` without a `python3`).
fn python_version() -> Option<&'static str> {
    static VERSION: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    VERSION
        .get_or_init(|| {
            let out = std::process::Command::new("python3")
                .arg("--version")
                .stdin(std::process::Stdio::null())
                .output()
                .ok()?;
            let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
            (!text.is_empty()).then_some(text)
        })
        .as_deref()
}

/// When a Python error in `tail` is the kind a program written for another Python version
/// gets (syntax the interpreter does not know, a module or attribute it lacks), the
/// interpreter's version, for the teacher to compare with the student's.
fn version_hint(tail: &str, version: Option<&str>) -> Option<String> {
    const SIGNS: &[&str] = &[
        "SyntaxError",
        "ModuleNotFoundError",
        "ImportError",
        "has no attribute",
        "unexpected keyword argument",
    ];
    let version = version?;
    SIGNS.iter().any(|s| tail.contains(s)).then(|| {
        format!(
            "\n(python3 here is {version}: an error like this one often means the program \
             was written for another Python version)"
        )
    })
}

/// Adds the last [`STDERR_TAIL_LINES`] of `from` to `shown`, marking any cut.
fn last_lines<'a>(from: &[&'a str], shown: &mut Vec<Option<&'a str>>) {
    let cut = from.len().saturating_sub(STDERR_TAIL_LINES);
    if cut > 0 {
        shown.push(None);
    }
    shown.extend(from[cut..].iter().map(|&l| Some(l)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_placeholder_is_dropped_with_its_flag() {
        let t: Vec<String> = [
            "srv",
            "-p",
            "{port}",
            "--address={address}",
            "--wire",
            "lines",
            "{config}",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            without(&t, "port"),
            ["srv", "--address={address}", "--wire", "lines", "{config}"]
        );
        assert_eq!(
            without(&t, "address"),
            ["srv", "-p", "{port}", "--wire", "lines", "{config}"]
        );
        // A bare placeholder after a value (not a flag) goes alone.
        assert_eq!(
            without(&t, "config"),
            [
                "srv",
                "-p",
                "{port}",
                "--address={address}",
                "--wire",
                "lines"
            ]
        );
    }

    #[test]
    fn a_version_problem_names_the_interpreter() {
        let syntax = "\n| File \"s.py\", line 3\n| match x:\n| SyntaxError: invalid syntax";
        let hint = version_hint(syntax, Some("Python 3.8.10")).expect("a hint");
        assert!(hint.contains("python3 here is Python 3.8.10"), "{hint}");
        let asyncio = "\n| AttributeError: module 'asyncio' has no attribute 'TaskGroup'";
        assert!(version_hint(asyncio, Some("Python 3.10.2")).is_some());
        assert_eq!(
            version_hint(
                "\n| TypeError: can't concat str to bytes",
                Some("Python 3.11")
            ),
            None
        );
        assert_eq!(version_hint(syntax, None), None);
    }

    /// The lines of a tail, without their `| `.
    fn shown(tail: &str) -> Vec<&str> {
        assert!(tail.starts_with("\n| "), "{tail:?}");
        tail[1..].lines().map(|l| &l[2..]).collect()
    }

    /// A traceback of `frames` frames (two lines each) ending with `error`.
    fn traceback(frames: usize, error: &str) -> String {
        let mut text = String::from("Traceback (most recent call last):\n");
        for i in 0..frames {
            text.push_str(&format!(
                "  File \"server.py\", line {i}, in f{i}\n    g()\n"
            ));
        }
        text + error + "\n"
    }

    #[test]
    fn a_short_stderr_is_shown_whole() {
        let stderr = format!("starting\n\n{}", traceback(3, "TypeError: oops"));
        let tail = stderr_tail(&stderr).unwrap();
        assert_eq!(shown(&tail).len(), 9, "{tail}");
        assert!(tail.starts_with("\n| starting\n| Traceback"), "{tail}");
        assert!(tail.ends_with("\n| TypeError: oops"), "{tail}");
        assert_eq!(stderr_tail(" \n\n  \n"), None);
    }

    #[test]
    fn the_first_traceback_is_shown_whole_then_the_last_lines() {
        // The cause, then its consequences: as a server whose handler died and whose
        // other handlers then fail writing to the dead client.
        let mut stderr: String = (1..=20).map(|i| format!("log {i}\n")).collect();
        stderr.push_str("Unhandled exception in client_connected_cb\n");
        stderr.push_str(&traceback(18, "TypeError: can't concat str to bytes"));
        for i in 0..3 {
            stderr.push_str(&traceback(2, &format!("ConnectionResetError: {i}")));
        }
        let tail = stderr_tail(&stderr).unwrap();
        let lines = shown(&tail);
        assert_eq!(
            lines[..3],
            ["…", "log 20", "Unhandled exception in client_connected_cb"]
        );
        assert_eq!(lines[3], "Traceback (most recent call last):");
        assert_eq!(lines[4], "  File \"server.py\", line 0, in f0");
        assert_eq!(lines[40], "TypeError: can't concat str to bytes");
        // 3 × 6 lines follow: the last 15 of them.
        assert_eq!(lines[41], "…");
        assert_eq!(lines[42], "  File \"server.py\", line 1, in f1");
        assert_eq!(lines.len(), 42 + STDERR_TAIL_LINES);
        assert_eq!(lines.last(), Some(&"ConnectionResetError: 2"));
    }

    #[test]
    fn a_very_long_traceback_keeps_its_first_line_and_its_end() {
        let stderr = traceback(100, "RecursionError: maximum recursion depth exceeded");
        let lines = stderr_tail(&stderr).unwrap();
        let lines = shown(&lines);
        assert_eq!(lines.len(), 1 + TRACEBACK_LINES);
        assert_eq!(lines[0], "Traceback (most recent call last):");
        assert_eq!(lines[1], "…");
        assert_eq!(lines[2], "  File \"server.py\", line 81, in f81");
        assert_eq!(
            lines[40],
            "RecursionError: maximum recursion depth exceeded"
        );
    }

    #[test]
    fn without_a_traceback_the_last_lines_are_shown_and_long_ones_cut() {
        let mut stderr: String = (1..=40).map(|i| format!("line {i}\n\n")).collect();
        stderr.push_str(&"x".repeat(1000));
        let tail = stderr_tail(&stderr).unwrap();
        let lines = shown(&tail);
        assert_eq!(lines.len(), 1 + STDERR_TAIL_LINES, "{tail}");
        assert_eq!(lines[0], "…");
        assert_eq!(lines[1], "line 27");
        assert_eq!(lines[15], format!("{}…", "x".repeat(LINE_CHARS)));
    }
}
