//! The ii_6 server under conditions the stage checks do not create: a console nobody reads,
//! and hostile bytes. It must keep serving, never stall, never panic.

use std::io::BufRead;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader as AsyncBufReader};
use tokio::net::TcpStream;

mod common;

/// Starts `chat_server_ii_6`; returns it and its console, already past the `Serving on`
/// line. A test that keeps the console without reading it lets the pipe fill up.
fn start() -> (
    common::Server,
    std::io::BufReader<std::process::ChildStdout>,
) {
    common::start(env!("CARGO_BIN_EXE_chat_server_ii_6"), &[])
}

async fn join(
    addr: &str,
    pseudo: &str,
) -> (
    AsyncBufReader<tokio::net::tcp::OwnedReadHalf>,
    tokio::net::tcp::OwnedWriteHalf,
) {
    join_on(TcpStream::connect(addr).await.unwrap(), pseudo).await
}

/// Says hello on `stream` and waits for the server's announcement of it: once it is read,
/// the client is in the room, and anyone who joins later is announced after it.
async fn join_on(
    stream: TcpStream,
    pseudo: &str,
) -> (
    AsyncBufReader<tokio::net::tcp::OwnedReadHalf>,
    tokio::net::tcp::OwnedWriteHalf,
) {
    let (r, mut w) = stream.into_split();
    let mut r = AsyncBufReader::new(r);
    w.write_all(format!("Hello|{pseudo}\n").as_bytes())
        .await
        .unwrap();
    let mut line = String::new();
    tokio::time::timeout(Duration::from_secs(3), r.read_line(&mut line))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(line, format!("Annonce : {pseudo} a rejoint la chatroom\n"));
    (r, w)
}

async fn next_line(r: &mut AsyncBufReader<tokio::net::tcp::OwnedReadHalf>) -> String {
    let mut line = String::new();
    let n = tokio::time::timeout(Duration::from_secs(3), r.read_line(&mut line))
        .await
        .expect("a line within 3 s")
        .unwrap();
    assert!(n > 0, "connection closed");
    line
}

/// Writes `line(0)` to `line(total - 1)`, one after the other.
async fn send_lines(
    w: &mut tokio::net::tcp::OwnedWriteHalf,
    total: usize,
    line: impl Fn(usize) -> String,
) {
    for i in 0..total {
        w.write_all(line(i).as_bytes()).await.unwrap();
    }
}

#[tokio::test]
async fn a_console_nobody_reads_never_stalls_the_chat() {
    // 20,000 console lines are far more than a pipe holds (64 KiB): a server that printed
    // with a blocking write would stop relaying once the pipe is full.
    let (server, _console) = start();
    let (_ar, mut aw) = join(&server.addr, "alice").await;
    let (mut br, _bw) = join(&server.addr, "bob").await;
    let total = 20_000;
    let send = send_lines(&mut aw, total, |i| format!("message {i}\n"));
    let receive = async {
        for i in 0..total {
            assert_eq!(
                next_line(&mut br).await,
                format!("alice a dit : message {i}\n")
            );
        }
    };
    tokio::join!(send, receive);
}

#[tokio::test]
async fn hostile_bytes_are_answered_not_fatal() {
    let (server, _console) = start();
    let (mut ar, _aw) = join(&server.addr, "alice").await;
    let (_br, mut bw) = join(&server.addr, "bob").await;
    assert_eq!(
        next_line(&mut ar).await,
        "Annonce : bob a rejoint la chatroom\n"
    );
    bw.write_all(b"\xff\xfe\x00 nul and invalid\r\n")
        .await
        .unwrap();
    assert_eq!(
        next_line(&mut ar).await,
        "bob a dit : \u{fffd}\u{fffd}\u{0} nul and invalid\n"
    );
    bw.write_all(&vec![b'z'; 100_000]).await.unwrap();
    bw.write_all(b"\nstill here\n").await.unwrap();
    assert_eq!(next_line(&mut ar).await, "bob a dit : still here\n");
}

#[tokio::test]
async fn a_client_that_never_reads_is_cut_off_logged_and_announced() {
    let (mut server, stdout) = start();
    let addr = server.addr.clone();
    // The console, read on a thread and passed on line by line: the server prints it from
    // a queue of its own, so it may lag behind what the sockets show.
    let (console, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            if console.send(line).is_err() {
                break;
            }
        }
    });

    // The stuck client: a 4 KiB receive buffer, joins, then never reads again.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let stuck = socket.connect(addr.parse().unwrap()).await.unwrap();
    let stuck_addr = stuck.local_addr().unwrap();
    // Its own announcement is the last thing it reads. Waiting for it also orders the joins:
    // without the wait, alice could be registered first and read "stuck a rejoint" first.
    let stuck = join_on(stuck, "stuck").await;
    let (mut ar, mut aw) = join(&addr, "alice").await;
    let (mut br, _bw) = join(&addr, "bob").await;
    assert_eq!(
        next_line(&mut ar).await,
        "Annonce : bob a rejoint la chatroom\n"
    );

    // 6 MB: far more than what the kernel buffers on loopback for a 4 KiB receive buffer, so
    // the server's writes to it stop making progress.
    let total = 6000;
    let filler = "x".repeat(1000);
    let send = send_lines(&mut aw, total, |i| format!("{i} {filler}\n"));
    let receive = async {
        let (mut relayed, mut left) = (0, 0);
        while relayed < total || left == 0 {
            let line = next_line(&mut br).await;
            if line == "Annonce : stuck a quitté la chatroom\n" {
                left += 1;
            } else {
                assert!(
                    line.starts_with(&format!("alice a dit : {relayed} ")),
                    "got {line:.40}"
                );
                relayed += 1;
            }
        }
        assert_eq!(left, 1);
    };
    tokio::join!(send, receive);
    assert_eq!(
        next_line(&mut ar).await,
        "Annonce : stuck a quitté la chatroom\n"
    );

    // Up to the leave line, however far behind the console is; only then is the server
    // stopped (killed, it would lose what it had not printed yet).
    let why = format!(
        "Disconnecting {stuck_addr}: nothing could be written to it for 2 s, it is not reading"
    );
    let mut cut = false;
    // The console's lines but the relayed messages, to show if the test fails.
    let mut events = Vec::new();
    loop {
        let line = lines
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_else(|e| {
                panic!("no leave line for stuck on the console within 10 s ({e}): {events:#?}")
            });
        if !line.starts_with("Message received") {
            events.push(line.clone());
        }
        if line == why {
            cut = true;
        } else if line.starts_with("stuck (") {
            assert!(
                cut,
                "the reason {why:?} comes before the leave line: {events:#?}"
            );
            break;
        }
    }
    server.stop();
    drop(stuck);
}
