//! A cut client is a closed client: 100 clients that never read, with small receive
//! buffers, join `chat_server_ii_6` while two others chat. The server cuts each of them,
//! announces each leave once, loses nothing for the others, and closes their sockets: its
//! descriptor count and the kernel's TCP memory come back to their baseline within 2 s.
//! (Alone in its file: the kernel's TCP memory is counted for the whole machine.)
#![cfg(target_os = "linux")]

use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpSocket, TcpStream};

mod common;
use common::{join_on as join, next_line};

/// Open descriptors of a process.
fn fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count()
}

/// The kernel's TCP buffer memory, in KiB (`mem`, in pages, of `/proc/net/sockstat`).
fn tcp_mem_kib() -> u64 {
    let stat = std::fs::read_to_string("/proc/net/sockstat").unwrap();
    let tcp = stat.lines().find(|l| l.starts_with("TCP:")).unwrap();
    let fields: Vec<&str> = tcp.split_whitespace().collect();
    let at = fields.iter().position(|f| *f == "mem").unwrap();
    fields[at + 1].parse::<u64>().unwrap() * 4
}

#[tokio::test]
async fn clients_that_never_read_are_cut_closed_and_freed() {
    let (server, _console) = common::start(env!("CARGO_BIN_EXE_chat_server_ii_6"), &[]);
    let addr: std::net::SocketAddr = server.addr.parse().unwrap();
    let (mut ar, mut aw) = join(TcpStream::connect(addr).await.unwrap(), "alice").await;
    let (mut br, _bw) = join(TcpStream::connect(addr).await.unwrap(), "bob").await;
    assert_eq!(
        next_line(&mut ar).await,
        "Annonce : bob a rejoint la chatroom\n"
    );
    let fds_before = fds(server.pid());

    let stuck_count = 100;
    let mut stuck = Vec::new();
    for i in 0..stuck_count {
        let socket = TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        let pseudo = format!("stuck{i}");
        stuck.push(join(socket.connect(addr).await.unwrap(), &pseudo).await);
        // Nobody reads a stuck client again after its own announcement.
        for r in [&mut ar, &mut br] {
            assert_eq!(
                next_line(r).await,
                format!("Annonce : {pseudo} a rejoint la chatroom\n")
            );
        }
    }
    let mem_before = tcp_mem_kib();

    // alice sends 3 MB: every stuck client's buffers fill, and the server cuts them.
    let total = 3000;
    let filler = "m".repeat(1000);
    let send = async {
        for i in 0..total {
            let line = format!("{i:05} {filler}\n");
            aw.write_all(line.as_bytes()).await.unwrap();
        }
    };
    let receive = async {
        let (mut relayed, mut leaves) = (0, HashMap::new());
        let mut last_leave = Instant::now();
        while relayed < total || leaves.len() < stuck_count {
            let line = next_line(&mut br).await;
            if let Some(who) = line.strip_prefix("Annonce : ") {
                let who = who.trim_end().trim_end_matches(" a quitté la chatroom");
                *leaves.entry(who.to_string()).or_insert(0) += 1;
                last_leave = Instant::now();
            } else {
                assert!(
                    line.starts_with(&format!("alice a dit : {relayed:05} ")),
                    "message {relayed} lost or out of order: {line:.40}"
                );
                relayed += 1;
            }
        }
        (leaves, last_leave)
    };
    let (_, (leaves, last_leave)) = tokio::join!(send, receive);
    assert_eq!(leaves.len(), stuck_count);
    assert!(leaves.values().all(|&n| n == 1), "{leaves:?}");

    // Within 2 s of the last leave, the server holds no descriptor and the kernel no
    // buffer for them (the stuck sockets on our side hold at most their 4 KiB each).
    let allowance_kib = 2 * 1024;
    loop {
        let (now_fds, mem) = (fds(server.pid()), tcp_mem_kib());
        if now_fds <= fds_before && mem <= mem_before + allowance_kib {
            break;
        }
        assert!(
            last_leave.elapsed() < Duration::from_secs(2),
            "2 s after the cuts: {now_fds} fds (baseline {fds_before}), TCP memory \
             {mem} KiB (baseline {mem_before} KiB)"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(stuck);
}
