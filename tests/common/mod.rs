//! What several integration tests share: starting one of our server binaries on a free
//! port and reading the address from its `Serving on <ip>:<port>` line.

// Each test crate compiles its own copy and uses only part of it.
#![allow(dead_code)]

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
