//! A bonus server stopped by SIGTERM the moment it says `Serving on` shuts down gracefully
//! (exit 0): its handlers are in place before the line is printed. (They used to be
//! installed by a task spawned after it, and a signal arriving first killed the process:
//! 2 runs in 5 before the fix.) Unix only, like SIGTERM.
#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

const SERVER: &str = env!("CARGO_BIN_EXE_chat_server_bonus_1_cosmetic");

#[test]
fn sigterm_right_after_serving_on_is_a_graceful_exit() {
    for run in 0..10 {
        let mut child = Command::new(SERVER)
            .args(["--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the server starts");
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("piped"))
            .read_line(&mut first)
            .expect("a first line");
        assert!(first.starts_with("Serving on "), "{first:?}");
        // SAFETY: kill only sends a signal to the child we started.
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(child.wait());
        });
        let status = rx
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_else(|_| panic!("run {run}: still running 10 s after SIGTERM"))
            .expect("wait");
        assert_eq!(status.code(), Some(0), "run {run}: {status:?}");
    }
}
