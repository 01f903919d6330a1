//! `grade` never disturbs the program it grades.
//!
//! - Readiness of a server started from a command is learnt without connecting to it: from
//!   its `Serving on` line, in our form or the course's Python tuple, or (Linux) from the
//!   system's table of listening sockets. `chat_server_registers_at_connect.py`, a
//!   course-style server that keeps every connection it ever accepted and logs each one,
//!   passes, and its log holds exactly the connections of the checks' own clients.
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
