//! The terminal path of the interactive client, end to end: `chat_client_ii_6` on a
//! pseudo-terminal (driven with rexpect, so through a pty implementation independent of the
//! grader's), a line editor in raw mode, against a small server run by the test.
//!
//! The piped logic is covered by the grade checks (`part2_clients.rs`); this test shows that
//! a person at a terminal sees the prompt, the messages and the goodbye, and that the
//! client exits 0 when the server leaves while the editor is waiting for a line.
//!
//! Unix only, like pseudo-terminals (and rexpect).
#![cfg(unix)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

const CLIENT: &str = env!("CARGO_BIN_EXE_chat_client_ii_6");

/// Every wait of the test, on the terminal or on the socket.
const WAIT: Duration = Duration::from_secs(5);

/// Accepts one connection on a thread, so the wait for it can have a timeout.
fn accept_in_background(listener: TcpListener) -> mpsc::Receiver<TcpStream> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        if let Ok((stream, _)) = listener.accept() {
            let _ = tx.send(stream);
        }
    });
    rx
}

/// Starts the client on a pty (`TERM=<term>`, `extra` arguments) against a listener of
/// the test's; returns the terminal and the connection to come.
fn start(term: &str, extra: &[&str]) -> (rexpect::session::PtySession, mpsc::Receiver<TcpStream>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let accepted = accept_in_background(listener);
    let mut command = Command::new(CLIENT);
    command
        .args(["--port", &port])
        .args(extra)
        .env("TERM", term);
    let timeout_ms = WAIT.as_millis() as u64;
    let session = rexpect::session::spawn_command(command, Some(timeout_ms)).unwrap();
    (session, accepted)
}

/// The client's connection once it arrives, and its reader past the `Hello|alice` line.
fn joined(accepted: mpsc::Receiver<TcpStream>) -> (TcpStream, BufReader<TcpStream>) {
    let stream = accepted
        .recv_timeout(WAIT)
        .expect("the client never connected");
    stream.set_read_timeout(Some(WAIT)).unwrap();
    let mut from_client = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    from_client.read_line(&mut line).unwrap();
    assert_eq!(line, "Hello|alice\n");
    (stream, from_client)
}

#[test]
fn a_person_at_a_terminal_joins_chats_and_sees_the_server_leave() {
    let (mut term, accepted) = start("xterm", &[]);
    // The pseudo is asked for, then sent as the handshake.
    term.exp_string("Pseudo : ").unwrap();
    term.send_line("alice").unwrap();
    let (stream, mut from_client) = joined(accepted);
    let mut line = String::new();

    // A message from the server shows on the terminal while the editor waits for a line.
    let mut to_client = stream;
    to_client
        .write_all(b"Annonce : alice a rejoint la chatroom\n")
        .unwrap();
    term.exp_string("Annonce : alice a rejoint la chatroom")
        .unwrap();

    // A line typed at the prompt reaches the server.
    term.send_line("bonjour à tous").unwrap();
    line.clear();
    from_client.read_line(&mut line).unwrap();
    assert_eq!(line, "bonjour à tous\n");

    // The server leaves: the client says so and exits 0 without a key being pressed.
    drop(from_client);
    drop(to_client);
    term.exp_string("Server closed the connection").unwrap();
    term.exp_eof().unwrap();
    let status = term.process().wait().unwrap();
    assert!(
        matches!(status, rexpect::process::WaitStatus::Exited(_, 0)),
        "expected exit status 0 got {status:?}"
    );
}

#[test]
fn on_a_terminal_that_cannot_redraw_a_message_never_glues_to_the_typed_line() {
    // TERM=dumb: no escape sequences. A message arriving while `bonj` is half typed goes on
    // a line of its own, and the prompt with `bonj` is repeated below it; typing goes on.
    let (mut term, accepted) = start("dumb", &["--pseudo", "alice"]);
    let (stream, mut from_client) = joined(accepted);
    let mut line = String::new();

    let before = term.exp_string("> ").unwrap();
    term.send("bonj").unwrap();
    term.flush().unwrap();
    term.exp_string("bonj").unwrap();
    let mut to_client = stream;
    to_client
        .write_all(b"Annonce : bob a rejoint la chatroom\n")
        .unwrap();
    let shown = term
        .exp_string("Annonce : bob a rejoint la chatroom\r\n> bonj")
        .unwrap();
    assert!(
        shown.ends_with("\r\n"),
        "not on a line of its own: {shown:?}"
    );
    term.send_line("our").unwrap();
    line.clear();
    from_client.read_line(&mut line).unwrap();
    assert_eq!(line, "bonjour\n");
    assert!(
        !before.contains('\u{1b}') && !shown.contains('\u{1b}'),
        "escape sequences sent to a dumb terminal: {before:?} {shown:?}"
    );
    drop(from_client);
    drop(to_client);
    term.exp_string("Server closed the connection").unwrap();
    term.exp_eof().unwrap();
}
