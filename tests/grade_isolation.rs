//! `grade` never disturbs the program it grades, never leaves a process of it behind, and
//! shows what the program said when a check fails.
//!
//! - Readiness of a server started from a command is learnt without connecting to it: from
//!   its `Serving on` line, in our form or the course's Python tuple, or (Linux) from the
//!   system's table of listening sockets. `chat_server_registers_at_connect.py`, a
//!   course-style server that keeps every connection it ever accepted and logs each one,
//!   passes, and its log holds exactly the connections of the checks' own clients.
//! - Every program runs in a process group of its own, killed whole at the end of its
//!   check: a child that a shell wrapper (or the program) started in the background is gone
//!   once `grade` has finished, for servers, clients and Part I programs alike, and an
//!   interrupted `grade` takes its programs along.
//! - A failure reason ends with the end of the program's stderr: a server's `TypeError`
//!   traceback, and a client's or Part I program's whole traceback, last line included.
//!
//! Needs `python3` (3.9+, stdlib only), and port 8888 free for one test (a server without
//! `{port}`). Tests run `grade … --json` as a teacher would.

use serde_json::Value;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use tokio::process::Command;

const GRADE: &str = env!("CARGO_BIN_EXE_grade");
/// Longest one `grade` run may take.
const RUN_LIMIT: Duration = Duration::from_secs(90);
/// The connection-counting server.
const COUNTING: &str = "chat_server_registers_at_connect.py";
/// The two ii_5 checks that server passes, and how many clients each opens.
const ITS_CHECKS: [(&str, usize); 2] = [("ii_5.join_announced", 2), ("ii_5.relay_with_pseudo", 2)];

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Runs `grade <args…> --json --timeout 20 -- <command…>`; returns the exit code and the
/// report.
async fn grade(args: &[&str], command: &[String]) -> (Option<i32>, Value) {
    let mut all: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    all.extend(["--json", "--timeout", "20", "--"].map(String::from));
    all.extend(command.iter().cloned());
    let shown = format!("grade {}", all.join(" "));
    let run = Command::new(GRADE)
        .args(&all)
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(RUN_LIMIT, run)
        .await
        .unwrap_or_else(|_| panic!("{shown}: still running after {RUN_LIMIT:?}"))
        .unwrap_or_else(|e| panic!("{shown}: cannot run: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "{shown}: no JSON report ({e}):\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), report)
}

/// `--only` for every check of [`ITS_CHECKS`].
fn only_its_checks() -> Vec<&'static str> {
    ITS_CHECKS
        .iter()
        .flat_map(|(id, _)| ["--only", id])
        .collect()
}

/// Every check passed (and at least one ran).
fn assert_all_pass(code: Option<i32>, report: &Value) {
    assert_eq!(code, Some(0), "{report:#}");
    let checks = report["checks"].as_array().expect("checks");
    assert!(!checks.is_empty(), "{report:#}");
    for c in checks {
        assert_eq!(c["verdict"], "pass", "{c:#}");
    }
}

/// The reason check `id` failed with.
fn failure_reason<'a>(report: &'a Value, id: &str) -> &'a str {
    let check = report["checks"]
        .as_array()
        .and_then(|checks| checks.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("no check {id} in {report:#}"));
    assert_eq!(check["verdict"], "fail", "{check:#}");
    check["reason"].as_str().expect("a reason")
}

// ---- readiness: no connection of grade's own ------------------------------------------

/// The counting server's log: how many servers started, and how many connections they got.
fn read_log(log: &Path) -> (usize, usize, Vec<i32>) {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let pids: Vec<i32> = text
        .lines()
        .filter_map(|l| l.strip_prefix("pid ")?.parse().ok())
        .collect();
    let connections = text
        .lines()
        .filter(|l| l.starts_with("connection "))
        .count();
    (pids.len(), connections, pids)
}

/// Grades the counting server started by `command` (whose `{log}` is the log file) with
/// its two checks, expects them to pass, and the log to show one server per check and
/// exactly the connections of the checks' clients: `grade` itself connected to nothing.
async fn assert_no_connection_of_its_own(command: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("connections.log");
    let log_path = log.to_str().unwrap();
    let mut argv = vec!["python3".to_string(), fixture(COUNTING)];
    argv.extend(command.iter().map(|a| a.replace("{log}", log_path)));
    let mut args = vec!["server", "ii_5", "--wire", "tp"];
    args.extend(only_its_checks());
    let (code, report) = grade(&args, &argv).await;
    let (servers, connections, _) = read_log(&log);
    let opened: usize = ITS_CHECKS.iter().map(|(_, n)| n).sum();
    assert_eq!(
        (servers, connections),
        (ITS_CHECKS.len(), opened),
        "one server per check, and only the checks' own {opened} clients connected \
         (log: {:?}); report: {report:#}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    assert_all_pass(code, &report);
}

#[tokio::test]
async fn no_connection_is_made_to_a_server_printing_the_course_serving_on_tuple() {
    // `Serving on ('127.0.0.1', <port>)`: the port it prints is where it is reached.
    assert_no_connection_of_its_own(&["--port", "{port}", "--log", "{log}"]).await;
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn no_connection_is_made_to_a_server_printing_nothing() {
    // No line at all: the system's table of listening sockets says when it listens.
    assert_no_connection_of_its_own(&["--port", "{port}", "--log", "{log}", "--silent"]).await;
}

#[tokio::test]
async fn the_course_tuple_gives_the_port_of_a_server_without_port_placeholder() {
    // No `{port}`, so grade expects the course's 8888; the server listens elsewhere (a port
    // the system picks) and says where in the course's form: the line is what counts.
    let free = std::net::TcpListener::bind("127.0.0.1:8888");
    assert!(
        free.is_ok(),
        "this test needs port 8888 free (grade watches it for a server without {{port}})"
    );
    drop(free);
    assert_no_connection_of_its_own(&["--port", "0", "--log", "{log}"]).await;
}

// ---- process groups: nothing a program started survives its check ----------------------

/// Whether process `pid` still runs (a zombie waiting to be reaped by whoever adopted it
/// does not).
#[cfg(unix)]
fn running(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
        Err(_) if Path::new("/proc/self/stat").exists() => false,
        // No /proc (macOS): signal 0 tells whether it exists.
        // SAFETY: signal 0 checks the pid only, delivers nothing.
        Err(_) => unsafe { libc::kill(pid, 0) == 0 },
    }
}

/// Whether `pid` is gone, or goes within 2 s; when not, it is killed, so that a failed
/// test leaves nothing behind either.
#[cfg(unix)]
async fn gone(pid: i32) -> bool {
    for _ in 0..40 {
        if !running(pid) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // SAFETY: kills the leftover this test's command started.
    unsafe { libc::kill(pid, libc::SIGKILL) };
    false
}

/// Fails if `pid` still runs a moment after its check, or after `grade`.
#[cfg(unix)]
async fn assert_gone(pid: i32, what: &str) {
    assert!(gone(pid).await, "{what} (pid {pid}) still runs");
}

/// The pid a command wrote to `file`.
#[cfg(unix)]
fn pid_in(file: &Path) -> i32 {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    text.trim()
        .parse()
        .unwrap_or_else(|_| panic!("no pid in {}: {text:?}", file.display()))
}

#[cfg(unix)]
#[tokio::test]
async fn a_server_started_by_a_shell_wrapper_does_not_survive_its_check() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log");
    let script = format!(
        "python3 '{}' --port {{port}} --log '{}' & wait",
        fixture(COUNTING),
        log.display()
    );
    let argv = ["sh", "-c", &script].map(String::from);
    let id = ITS_CHECKS[0].0;
    let (code, report) = grade(&["server", "ii_5", "--wire", "tp", "--only", id], &argv).await;
    let (_, _, pids) = read_log(&log);
    for &pid in &pids {
        assert_gone(pid, "the server behind `sh -c '… & wait'`").await;
    }
    assert_eq!(pids.len(), 1, "{report:#}");
    assert_all_pass(code, &report);
}

#[cfg(unix)]
#[tokio::test]
async fn a_part1_programs_background_child_does_not_survive_its_check() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("pid");
    // The child holds the program's stdout open: grade would wait for it, then leave it.
    let script = format!(
        "sleep 300 & echo $! > '{}'; echo 1; echo 1",
        pid_file.display()
    );
    let argv = ["sh", "-c", &script].map(String::from);
    let id = "sleep_and_print.order";
    let (_, report) = grade(&["part1", "sleep_and_print", "--only", id], &argv).await;
    assert_gone(pid_in(&pid_file), "the Part I program's `sleep 300 &`").await;
    assert_eq!(report["checks"][0]["verdict"], "pass", "{report:#}");
}

#[cfg(unix)]
#[tokio::test]
async fn a_clients_background_child_does_not_survive_its_check() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("pid");
    // A client that never connects (the check fails after its 5 s) and is killed then.
    let script = format!(
        "sleep 300 & echo $! > '{}'; exec sleep 60",
        pid_file.display()
    );
    let argv = ["sh", "-c", &script, "sh", "{port}"].map(String::from);
    let id = "ii_2.client_sends_hello";
    let (code, report) = grade(&["client", "ii_2", "--only", id], &argv).await;
    assert_gone(pid_in(&pid_file), "the client's `sleep 300 &`").await;
    assert_eq!(code, Some(1), "{report:#}");
    assert!(
        failure_reason(&report, id).contains("expected a connection within 5 s got none"),
        "{report:#}"
    );
}

#[cfg(unix)]
#[tokio::test]
async fn an_interrupted_grade_takes_its_programs_along() {
    // The programs are in process groups of their own, which a Ctrl-C typed in the
    // terminal does not reach: grade, interrupted or terminated, kills them itself.
    for signal in [libc::SIGINT, libc::SIGTERM] {
        let dir = tempfile::tempdir().unwrap();
        let pids = dir.path().join("pids");
        let script = format!("sleep 300 & echo $$ $! > '{}'; wait", pids.display());
        let mut grade = Command::new(GRADE)
            .args(["part1", "sleep_and_print", "--", "sh", "-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut started = Vec::new();
        for _ in 0..100 {
            let text = std::fs::read_to_string(&pids).unwrap_or_default();
            started = text
                .split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect();
            if started.len() == 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(started.len(), 2, "the program did not start");
        let grade_pid = grade.id().unwrap() as i32;
        // SAFETY: signals the grade process this test started.
        unsafe { libc::kill(grade_pid, signal) };
        let status = tokio::time::timeout(Duration::from_secs(5), grade.wait())
            .await
            .expect("grade stops when interrupted")
            .unwrap();
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(signal), "{status}");
        let mut left = Vec::new();
        for (pid, what) in started
            .into_iter()
            .zip(["the program (sh)", "its `sleep 300 &`"])
        {
            if !gone(pid).await {
                left.push(format!("{what} (pid {pid})"));
            }
        }
        assert!(left.is_empty(), "still running after grade: {left:?}");
    }
}

// ---- stderr: what the program said ends the reason ------------------------------------

#[tokio::test]
async fn a_server_crash_is_reported_with_its_traceback() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log");
    let argv = [
        "python3",
        &fixture(COUNTING),
        "--port",
        "{port}",
        "--log",
        log.to_str().unwrap(),
        "--bug",
        "type_error",
    ]
    .map(String::from);
    let id = "ii_5.relay_with_pseudo";
    let (code, report) = grade(&["server", "ii_5", "--wire", "tp", "--only", id], &argv).await;
    assert_eq!(code, Some(1), "{report:#}");
    let reason = failure_reason(&report, id);
    // The check's own account first, then what the server said.
    assert!(reason.starts_with("relay to bob: expected"), "{reason}");
    let (_, said) = reason
        .split_once("\nthe program's stderr:\n")
        .unwrap_or_else(|| panic!("no stderr at the end of the reason: {reason}"));
    assert!(said.lines().all(|l| l.starts_with("| ")), "{reason}");
    let (_, traceback) = said
        .split_once("| Traceback (most recent call last):\n")
        .unwrap_or_else(|| panic!("no traceback at the end of the reason: {reason}"));
    assert!(traceback.contains("TypeError"), "{reason}");
}

#[tokio::test]
async fn a_client_traceback_is_shown_whole() {
    // The client crashes before connecting: the reason shows its traceback to the last line.
    let argv = ["python3", &fixture("crash_with_traceback.py"), "{port}"].map(String::from);
    let id = "ii_2.client_sends_hello";
    let (code, report) = grade(&["client", "ii_2", "--only", id], &argv).await;
    assert_eq!(code, Some(1), "{report:#}");
    assert_whole_traceback(failure_reason(&report, id));
}

#[tokio::test]
async fn a_part1_traceback_is_shown_whole() {
    let argv = ["python3", &fixture("crash_with_traceback.py")].map(String::from);
    let id = "sleep_and_print.order";
    let (code, report) = grade(&["part1", "sleep_and_print", "--only", id], &argv).await;
    assert_eq!(code, Some(1), "{report:#}");
    let reason = failure_reason(&report, id);
    assert!(reason.starts_with("expected exit code 0 got"), "{reason}");
    assert_whole_traceback(reason);
}

/// The reason ends with crash_with_traceback.py's whole traceback, shown once.
fn assert_whole_traceback(reason: &str) {
    let start = "| Traceback (most recent call last):";
    assert_eq!(reason.matches(start).count(), 1, "{reason}");
    let traceback = &reason[reason.find(start).unwrap()..];
    for needle in [
        "in average",
        "~~~~^~~~",
        "| ZeroDivisionError: division by zero",
    ] {
        assert!(traceback.contains(needle), "{needle:?} missing: {reason}");
    }
    assert!(
        traceback.ends_with("ZeroDivisionError: division by zero"),
        "{reason}"
    );
}
