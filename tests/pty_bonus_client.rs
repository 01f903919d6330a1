//! The bonus client's colours on a real terminal: `chat_client_bonus_1_cosmetic` on a
//! pseudo-terminal (rexpect), against a small server run by the test.
//!
//! On a terminal the colour the server put around a pseudo reaches the screen, and nothing
//! else a peer sent does; with `NO_COLOR` set, not even the colour. (Piped, the client never
//! prints an escape sequence: the grade checks cover that.) Unix only, like pseudo-terminals.
#![cfg(unix)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

const CLIENT: &str = env!("CARGO_BIN_EXE_chat_client_bonus_1_cosmetic");

/// Every wait of the test, on the terminal or on the socket.
const WAIT: Duration = Duration::from_secs(5);

/// A relay as the bonus 1 server sends it, with a screen-clearing sequence in the message.
const RELAY: &[u8] = b"[09:05] \x1b[31mbob\x1b[0m a dit : hi \x1b[2J!\n";

/// Starts the client on a pty with `env`, joined as alice; returns the terminal and the
/// server's side of the connection (past the handshake).
fn start(env: &[(&str, &str)]) -> (rexpect::session::PtySession, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let (tx, accepted) = mpsc::channel();
    std::thread::spawn(move || {
        if let Ok((stream, _)) = listener.accept() {
            let _ = tx.send(stream);
        }
    });
    let mut command = Command::new(CLIENT);
    command.args(["--port", &port, "--pseudo", "alice"]);
    command.env("TERM", "xterm").env_remove("NO_COLOR");
    for (key, value) in env {
        command.env(key, value);
    }
    let term = rexpect::session::spawn_command(command, Some(WAIT.as_millis() as u64)).unwrap();
    let stream = accepted
        .recv_timeout(WAIT)
        .expect("the client never connected");
    stream.set_read_timeout(Some(WAIT)).unwrap();
    let mut line = String::new();
    BufReader::new(stream.try_clone().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line, "Hello|alice\n");
    (term, stream)
}

#[test]
fn on_a_terminal_the_servers_colour_shows_and_nothing_else_does() {
    let (mut term, mut server) = start(&[]);
    server.write_all(RELAY).unwrap();
    let before = term.exp_string("a dit : hi ^[[2J!").unwrap();
    assert!(
        before.ends_with("[09:05] \x1b[31mbob\x1b[0m "),
        "the relay on the terminal: {before:?}"
    );
    // What the user types is shown as their own message (the server does not echo it).
    term.send_line("salut").unwrap();
    term.exp_string("Vous avez dit : salut").unwrap();
    drop(server);
    term.exp_string("Server closed the connection").unwrap();
    term.exp_eof().unwrap();
}

#[test]
fn no_color_removes_the_colour_too() {
    let (mut term, mut server) = start(&[("NO_COLOR", "1")]);
    server.write_all(RELAY).unwrap();
    let before = term.exp_string("a dit : hi ^[[2J!").unwrap();
    assert!(
        before.ends_with("[09:05] bob ") && !before.contains("\x1b[31m"),
        "the relay on the terminal: {before:?}"
    );
    drop(server);
    term.exp_string("Server closed the connection").unwrap();
    term.exp_eof().unwrap();
}
