//! The ii_6 server under conditions the stage checks do not create: a console nobody reads,
//! and hostile bytes. It must keep serving, never stall, never panic.

use std::io::BufRead;
use std::time::Duration;
use tokio::io::{AsyncWriteExt, BufReader as AsyncBufReader};
use tokio::net::TcpStream;

mod common;
use common::{join_on, next_line};

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

/// Reads `want` relayed lines (and nothing else: a leave would mean someone was cut) from
/// every reader at once, after a pause: readers busy elsewhere for half a second (a slow
/// machine, a process briefly not scheduled), not readers that stopped. Meanwhile messages
/// pile up in the server's queues for them, several MB each.
async fn read_relays(
    readers: Vec<AsyncBufReader<tokio::net::tcp::OwnedReadHalf>>,
    want: usize,
) -> Vec<Vec<String>> {
    tokio::time::sleep(Duration::from_millis(500)).await;
    let reads = readers.into_iter().map(|mut r| async move {
        let mut got = Vec::with_capacity(want);
        while got.len() < want {
            let line = next_line(&mut r).await;
            assert!(!line.starts_with("Annonce"), "{line:.60}");
            got.push(line);
        }
        got
    });
    futures::future::join_all(reads).await
}

#[tokio::test]
async fn a_burst_of_several_megabytes_cuts_nobody_who_reads() {
    // Ten clients each send 1000 lines of 1000 bytes at once (10 MB in, 90 MB out) and read
    // everything the others send: all of it arrives, and nobody is cut.
    let (server, _console) = start();
    let (clients, per) = (10, 1000);
    let mut readers = Vec::new();
    let mut writers = Vec::new();
    for i in 0..clients {
        let (r, w) = join(&server.addr, &format!("c{i}")).await;
        readers.push(r);
        writers.push(w);
    }
    // Everyone's join announcements first, so that what follows is only relays.
    for (i, r) in readers.iter_mut().enumerate() {
        for later in i + 1..clients {
            let line = next_line(r).await;
            assert_eq!(line, format!("Annonce : c{later} a rejoint la chatroom\n"));
        }
    }
    let filler = "b".repeat(990);
    let sends = writers.iter_mut().map(|w| {
        let filler = &filler;
        async move { send_lines(w, per, |n| format!("{n:05} {filler}\n")).await }
    });
    let (_, got) = tokio::join!(
        futures::future::join_all(sends),
        read_relays(readers, per * (clients - 1))
    );
    for (i, lines) in got.iter().enumerate() {
        for sender in (0..clients).filter(|&s| s != i) {
            let prefix = format!("c{sender} a dit : ");
            let from: Vec<_> = lines.iter().filter(|l| l.starts_with(&prefix)).collect();
            assert_eq!(from.len(), per, "c{i} from c{sender}");
            for (n, line) in from.iter().enumerate() {
                assert!(line.starts_with(&format!("{prefix}{n:05} ")), "order");
            }
        }
    }
}

#[tokio::test]
async fn a_flood_of_invalid_bytes_cuts_no_honest_reader() {
    // One sender floods 4096-byte lines of 0xFF, each relayed as 12 KB of U+FFFD: the lossy
    // expansion is counted in the queues' cap, and six readers that keep reading get
    // every line, whole.
    let (server, _console) = start();
    let (readers_count, lines) = (6, 400);
    let (mut readers, mut _writers) = (Vec::new(), Vec::new());
    for i in 0..readers_count {
        let (r, w) = join(&server.addr, &format!("r{i}")).await;
        readers.push(r);
        _writers.push(w);
    }
    let (_fr, mut flooder) = join(&server.addr, "flood").await;
    // Every reader hears the later joins, the flooder's last.
    for r in readers.iter_mut() {
        while next_line(r).await != "Annonce : flood a rejoint la chatroom\n" {}
    }
    let mut line = vec![0xFF; 4096];
    line.push(b'\n');
    let send = async {
        for _ in 0..lines {
            flooder.write_all(&line).await.unwrap();
        }
    };
    let want = format!("flood a dit : {}\n", "\u{fffd}".repeat(4096));
    let (_, got) = tokio::join!(send, read_relays(readers, lines));
    for lines in got {
        assert!(lines.iter().all(|l| *l == want));
    }
}

/// The server's peak resident memory, from `/proc` (Linux).
#[cfg(target_os = "linux")]
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_blocked_console_costs_bounded_memory_in_bytes() {
    // Nobody reads the console: 20,000 messages of 4000 bytes make 80 MB of console lines.
    // The queue is bounded in bytes, so the server's memory stays far below that.
    let (server, _console) = start();
    let before = peak_rss_kib(server.pid());
    let (_ar, mut aw) = join(&server.addr, "alice").await;
    let (mut br, _bw) = join(&server.addr, "bob").await;
    let filler = "c".repeat(4000);
    let total = 20_000;
    let send = send_lines(&mut aw, total, |i| format!("{i} {filler}\n"));
    let receive = async {
        for _ in 0..total {
            next_line(&mut br).await;
        }
    };
    tokio::join!(send, receive);
    let grown_mib = (peak_rss_kib(server.pid()) - before) / 1024;
    assert!(
        grown_mib < 24,
        "the server grew by {grown_mib} MiB with its console blocked"
    );
}
