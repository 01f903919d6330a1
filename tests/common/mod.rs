//! What several integration tests share: starting one of our server binaries on a free
//! port and reading the address from its `Serving on <ip>:<port>` line, joining its chat
//! and reading lines from it; and, in [`ours`], where each stage's programs are and the
//! command a teacher would give for them.

// Each test crate compiles its own copy and uses only part of it.
#![allow(dead_code)]

pub mod ours;

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};

/// A server process started with `--port 0`; killed when dropped.
pub struct Server {
    child: Child,
    /// `ip:port` from its `Serving on` line.
    pub addr: String,
}

impl Server {
    /// The port alone.
    pub fn port(&self) -> &str {
        self.addr.rsplit(':').next().unwrap_or_default()
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the server and waits for it (its console then ends).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Starts `bin --port 0 <extra…>`; returns the server and its console, already past the
/// `Serving on` line. The caller decides what the console is for: dropped, the pipe closes;
/// kept and never read, it fills up; read, it shows the server's events.
pub fn start(bin: &str, extra: &[&str]) -> (Server, BufReader<ChildStdout>) {
    let mut child = Command::new(bin)
        .args(["--port", "0"])
        .args(extra)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{bin} does not start: {e}"));
    let mut console = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut first = String::new();
    // The server prints this line at once, or exits (end of file): this cannot hang.
    console.read_line(&mut first).expect("a readable stdout");
    let addr = first
        .trim()
        .strip_prefix("Serving on ")
        .unwrap_or_else(|| panic!("{bin}: not a Serving on line: {first:?}"))
        .to_string();
    (Server { child, addr }, console)
}

/// Every wait on a chat server's socket in the tests that share these helpers.
pub const NETWORK_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Says hello on `stream` and waits for the server's announcement of it: once it is read,
/// the client is in the room, and anyone who joins later is announced after it.
pub async fn join_on(
    stream: tokio::net::TcpStream,
    pseudo: &str,
) -> (
    tokio::io::BufReader<tokio::net::tcp::OwnedReadHalf>,
    tokio::net::tcp::OwnedWriteHalf,
) {
    let (r, mut w) = stream.into_split();
    let mut r = tokio::io::BufReader::new(r);
    tokio::io::AsyncWriteExt::write_all(&mut w, format!("Hello|{pseudo}\n").as_bytes())
        .await
        .unwrap();
    let mut line = String::new();
    tokio::time::timeout(
        NETWORK_WAIT,
        tokio::io::AsyncBufReadExt::read_line(&mut r, &mut line),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(line, format!("Annonce : {pseudo} a rejoint la chatroom\n"));
    (r, w)
}

/// The next line, within 5 s; panics at the end of the stream.
pub async fn next_line(r: &mut tokio::io::BufReader<tokio::net::tcp::OwnedReadHalf>) -> String {
    let mut line = String::new();
    let n = tokio::time::timeout(
        NETWORK_WAIT,
        tokio::io::AsyncBufReadExt::read_line(r, &mut line),
    )
    .await
    .expect("a line within 5 s")
    .unwrap();
    assert!(n > 0, "connection closed");
    line
}

/// Runs each of `checks` on its own against `target`, all at once, and gathers one report:
/// each check starts its own program, so they cannot interfere, and a failing check's
/// timeouts overlap with the others'.
pub async fn run_each<T: Sync>(
    stage: &str,
    checks: &[tp6::grade::Check<T>],
    target: &T,
    limit: std::time::Duration,
) -> tp6::grade::Report {
    let runs = checks
        .iter()
        .map(|c| tp6::grade::run_checks(stage, std::slice::from_ref(c), target, limit));
    let reports = futures::future::join_all(runs).await;
    tp6::grade::Report::new(stage, reports.into_iter().flat_map(|r| r.checks).collect())
}

/// The verdict and reason of check `check_id` (from its stage's `list`) against `target`.
pub async fn verdict<T: Sync>(
    list: fn(&str) -> Vec<tp6::grade::Check<T>>,
    check_id: &str,
    target: &T,
    limit: std::time::Duration,
) -> (tp6::grade::Verdict, String) {
    let stage = check_id.split('.').next().unwrap_or_default();
    let chosen: Vec<_> = list(stage)
        .into_iter()
        .filter(|c| c.id == check_id)
        .collect();
    assert_eq!(chosen.len(), 1, "no check {check_id}");
    let report = tp6::grade::run_checks(stage, &chosen, target, limit).await;
    let check = &report.checks[0];
    (check.verdict, check.reason.clone())
}

/// Asserts that check `check_id` fails against `target` with a reason containing `because`.
pub async fn assert_fails<T: Sync>(
    list: fn(&str) -> Vec<tp6::grade::Check<T>>,
    check_id: &str,
    target: &T,
    because: &str,
    limit: std::time::Duration,
) {
    let (verdict, reason) = verdict(list, check_id, target, limit).await;
    assert_eq!(
        verdict,
        tp6::grade::Verdict::Fail,
        "{check_id} should fail: {reason}"
    );
    assert!(
        reason.contains(because),
        "{check_id}: expected a reason with {because:?} got {reason:?}"
    );
}
