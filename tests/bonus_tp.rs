//! The bonus client and server together in `--wire tp`, where a read is a message and TCP
//! may glue two of them: the server's `ID|<id>` is followed at once by the join
//! announcement, and the client must still keep exactly the ID (and show the announcement),
//! so that its user is recognised when it comes back.

mod common;

use common::{NETWORK_WAIT, start};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;

const SERVER: &str = env!("CARGO_BIN_EXE_chat_server_bonus_2_ids");
const CLIENT: &str = env!("CARGO_BIN_EXE_chat_client_bonus_2_ids");

/// Starts the client; its stdout lines arrive on the channel.
fn client(port: &str, id_file: &std::path::Path) -> (Child, mpsc::Receiver<String>) {
    let mut child = Command::new(CLIENT)
        .args([
            "--port",
            port,
            "--wire",
            "tp",
            "--pseudo",
            "alice",
            "--id-file",
        ])
        .arg(id_file)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the client starts");
    let stdout = child.stdout.take().expect("piped");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    (child, rx)
}

/// Waits for a line containing `want`.
fn wait_for(lines: &mpsc::Receiver<String>, want: &str) {
    loop {
        match lines.recv_timeout(NETWORK_WAIT) {
            Ok(line) if line.contains(want) => return,
            Ok(_) => {}
            Err(e) => panic!("no line with {want:?}: {e}"),
        }
    }
}

#[test]
fn an_id_glued_to_the_next_message_is_kept_alone_and_recognised_later() {
    let dir = tempfile::tempdir().expect("temp dir");
    let id_file = dir.path().join("alice.id");
    let (server, _console) = start(SERVER, &["--wire", "tp"]);
    let (mut first, lines) = client(server.port(), &id_file);
    wait_for(&lines, "Your ID is kept");
    wait_for(&lines, "Annonce : alice a rejoint la chatroom");
    drop(first.stdin.take());
    assert!(first.wait().expect("exits").success());
    let kept = std::fs::read_to_string(&id_file).expect("the ID file");
    // One line, `<ip>:<port> <id>`: the ID this server gave.
    let id = kept.trim_end().rsplit(' ').next().unwrap_or_default();
    assert!(
        id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()),
        "{kept:?}"
    );
    let (mut second, lines) = client(server.port(), &id_file);
    wait_for(&lines, "Welcome back alice !");
    drop(second.stdin.take());
    assert!(second.wait().expect("exits").success());
}
