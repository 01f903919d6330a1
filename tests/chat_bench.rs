//! `chat_bench` against our own servers: a correct server gives a clean report, a server
//! that relays nothing (ii_3) is caught with the exact loss and a failing exit status, a
//! client that never reads is cut off without counting as loss, and a server that is not
//! there or a bad flag is a one-line `error: …`.

use serde_json::Value;
use std::io::BufRead;
use std::time::Duration;
use tokio::process::Command;

/// Every wait on a child process is bounded by this.
const LIMIT: Duration = Duration::from_secs(20);

mod common;

/// Starts `server --port 0` and returns it with its port, read from `Serving on`. The rest
/// of its stdout is read and dropped: a closed or full pipe must not stop the server.
async fn start(server: &str) -> (common::Server, String) {
    let (server, console) = common::start(server, &[]);
    std::thread::spawn(move || console.lines().map_while(Result::ok).for_each(drop));
    let port = server.port().to_string();
    (server, port)
}

/// Runs `chat_bench --json` with `args`; returns its exit code, report and stderr.
async fn bench(port: &str, args: &[&str]) -> (Option<i32>, Value, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_chat_bench"))
        .args(["--port", port, "--json", "--duration-limit", "15"])
        .args(args)
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(LIMIT, output)
        .await
        .expect("chat_bench ends in time")
        .expect("chat_bench runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let report = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (output.status.code(), report, stderr)
}

fn count(report: &Value, field: &str) -> u64 {
    report[field]
        .as_u64()
        .unwrap_or_else(|| panic!("no count {field} in {report}"))
}

#[tokio::test]
async fn a_correct_server_delivers_everything_once_and_in_order() {
    let (_server, port) = start(env!("CARGO_BIN_EXE_chat_server_ii_6")).await;
    let (code, report, stderr) = bench(&port, &["-n", "5", "--senders", "2", "-m", "20"]).await;
    assert_eq!(code, Some(0), "{report}\n{stderr}");
    // 2 senders × 20 messages, each to the 4 other clients.
    assert_eq!(count(&report, "expected"), 160, "{report}");
    assert_eq!(count(&report, "received"), 160, "{report}");
    for zero in [
        "loss",
        "duplicates",
        "order_violations",
        "unexpected",
        "readers_cut",
    ] {
        assert_eq!(count(&report, zero), 0, "{zero}: {report}");
    }
    assert_eq!(report["stopped_by"], "complete", "{report}");
    assert_eq!(report["ok"], true);
    let latency = &report["latency_us"];
    assert!(
        latency["p50"].as_u64() <= latency["max"].as_u64(),
        "{report}"
    );
}

#[tokio::test]
async fn relays_in_the_bonus_format_are_counted() {
    // Bonus 3 relays `[HH:MM] ESC[<sgr>m<pseudo>ESC[0m a dit : <msg>` and sends an `ID|…`
    // line before the join announcement: the markers must be found all the same. Its log
    // file goes to a temporary directory (the default is /var/log/chat_room).
    let logs = tempfile::tempdir().expect("a temporary directory");
    let log_file = logs.path().join("server.log");
    let log_file = log_file.to_str().expect("a UTF-8 temporary path");
    let (server, console) = common::start(
        env!("CARGO_BIN_EXE_chat_server_bonus_3_config"),
        &["--log-file", log_file],
    );
    std::thread::spawn(move || console.lines().map_while(Result::ok).for_each(drop));
    let (code, report, stderr) =
        bench(server.port(), &["-n", "5", "--senders", "2", "-m", "20"]).await;
    assert_eq!(code, Some(0), "{report}\n{stderr}");
    assert_eq!(count(&report, "received"), 160, "{report}");
    assert_eq!(count(&report, "unexpected"), 0, "{report}");
    assert_eq!(report["ok"], true, "{report}");
}

#[tokio::test]
async fn binary_frames_are_sent_and_counted_with_binary() {
    // The bonus 4 server speaks frames: a line would be an unknown frame type to it, so
    // without `--binary` nobody even joins; with it, every relay is counted.
    let logs = tempfile::tempdir().expect("a temporary directory");
    let log_file = logs.path().join("server.log");
    let log_file = log_file.to_str().expect("a UTF-8 temporary path");
    let (server, console) = common::start(
        env!("CARGO_BIN_EXE_chat_server_bonus_4_encoding"),
        &["--log-file", log_file],
    );
    std::thread::spawn(move || console.lines().map_while(Result::ok).for_each(drop));
    let args = ["-n", "5", "--senders", "2", "-m", "20", "--binary"];
    let (code, report, stderr) = bench(server.port(), &args).await;
    assert_eq!(code, Some(0), "{report}\n{stderr}");
    assert_eq!(report["wire"], "binary", "{report}");
    assert_eq!(count(&report, "received"), 160, "{report}");
    assert_eq!(count(&report, "unexpected"), 0, "{report}");
    let (code, _, stderr) = bench(server.port(), &["-n", "2", "--senders", "1", "-m", "5"]).await;
    assert_ne!(code, Some(0), "lines against frames: {stderr}");
}

#[tokio::test]
async fn a_server_that_relays_nothing_is_caught() {
    // ii_3 prints what it receives and relays nothing; it has no handshake either.
    let (_server, port) = start(env!("CARGO_BIN_EXE_chat_server_ii_3")).await;
    let args = ["-n", "5", "--senders", "2", "-m", "20"];
    let (code, report, stderr) = bench(
        &port,
        &[&args[..], &["--handshake", "none", "--settle", "0.5"]].concat(),
    )
    .await;
    assert_eq!(code, Some(3), "{report}\n{stderr}");
    assert_eq!(count(&report, "sent"), 40, "{report}");
    assert_eq!(count(&report, "received"), 0, "{report}");
    assert_eq!(count(&report, "loss"), 160, "{report}");
    assert_eq!(report["ok"], false);
    assert_eq!(report["latency_us"], Value::Null);
}

#[tokio::test]
async fn a_client_that_never_reads_is_cut_off_and_is_not_loss() {
    let (_server, port) = start(env!("CARGO_BIN_EXE_chat_server_ii_6")).await;
    // 6 MB for the never-reader: more than the kernel buffers on loopback (about 2.8 MB
    // measured with a 4 KiB receive buffer), so the server's writes to it stall and it is cut.
    let args = "-n 3 --senders 1 -m 6000 --size 1000 --never-readers 1";
    let args: Vec<&str> = args.split(' ').collect();
    let (code, report, stderr) = bench(&port, &args).await;
    assert_eq!(code, Some(0), "{report}\n{stderr}");
    assert_eq!(count(&report, "loss"), 0, "{report}");
    assert_eq!(count(&report, "expected"), 12000, "{report}");
    assert_eq!(report["never_readers"][0]["disconnected"], true, "{report}");
}

#[tokio::test]
async fn no_server_is_a_one_line_error() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port().to_string()
    };
    let (code, report, stderr) = bench(&port, &[]).await;
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(report, Value::Null);
    assert!(
        stderr.starts_with("error: cannot connect to 127.0.0.1:"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}

#[tokio::test]
async fn bad_flags_are_one_line_errors_naming_the_flag() {
    for (args, flag) in [
        (&["--clients", "x"][..], "--clients"),
        (&["--rate=-1"], "--rate"),
        (&["--no-such-flag"], "--no-such-flag"),
        // Checked after parsing, across flags: the same one-line form.
        (&["--clients", "3", "--senders", "5"], "--senders 5"),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_chat_bench"))
            .args(args)
            .output();
        let output = tokio::time::timeout(LIMIT, output)
            .await
            .expect("chat_bench ends in time")
            .expect("chat_bench runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?}");
        assert!(
            stderr.starts_with("error: ") && stderr.contains(flag),
            "{args:?}: {stderr:?}"
        );
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr:?}");
    }
}

/// A server that asks for a name, takes each client's first line as that name, registers it
/// only then and tells the others `<name> has joined the chat`, then relays `<name>: <line>`
/// (the way tokio's `examples/chat.rs` does).
/// Returns its port; it runs until the test's runtime ends.
async fn name_first_server() -> String {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    use tokio::sync::mpsc;

    type Peers = Arc<Mutex<HashMap<std::net::SocketAddr, mpsc::UnboundedSender<Arc<str>>>>>;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let peers: Peers = Arc::default();
    tokio::spawn(async move {
        while let Ok((stream, addr)) = listener.accept().await {
            let peers = Arc::clone(&peers);
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                if write
                    .write_all(b"Please enter your username:\n")
                    .await
                    .is_err()
                {
                    return;
                }
                let mut lines = BufReader::new(read).lines();
                let Ok(Some(name)) = lines.next_line().await else {
                    return;
                };
                let (tx, mut rx) = mpsc::unbounded_channel::<Arc<str>>();
                let joined: Arc<str> = format!("{name} has joined the chat\n").into();
                for peer in peers.lock().unwrap().values() {
                    let _ = peer.send(Arc::clone(&joined));
                }
                peers.lock().unwrap().insert(addr, tx);
                tokio::spawn(async move {
                    while let Some(line) = rx.recv().await {
                        if write.write_all(line.as_bytes()).await.is_err() {
                            break;
                        }
                    }
                });
                while let Ok(Some(line)) = lines.next_line().await {
                    let relayed: Arc<str> = format!("{name}: {line}\n").into();
                    for (peer, tx) in peers.lock().unwrap().iter() {
                        if *peer != addr {
                            let _ = tx.send(Arc::clone(&relayed));
                        }
                    }
                }
                peers.lock().unwrap().remove(&addr);
            });
        }
    });
    port
}

#[tokio::test]
async fn a_server_that_asks_for_a_name_first_is_measured_with_handshake_name() {
    let port = name_first_server().await;
    let args = ["-n", "4", "--senders", "2", "-m", "20", "--settle", "0.5"];
    let (code, report, stderr) =
        bench(&port, &[&args[..], &["--handshake", "name"]].concat()).await;
    assert_eq!(code, Some(0), "{report}\n{stderr}");
    assert_eq!(report["handshake"], "name", "{report}");
    // 2 senders × 20 messages, each to the 3 other clients.
    assert_eq!(count(&report, "received"), 120, "{report}");
    assert_eq!(count(&report, "loss"), 0, "{report}");

    // Without the name line, the warm-up probes of c0 and c1 become their names, and c2
    // and c3, which send nothing, are never registered: every message to them is lost,
    // 2 senders × 20 messages × 2 clients.
    let port = name_first_server().await;
    let (code, report, stderr) =
        bench(&port, &[&args[..], &["--handshake", "none"]].concat()).await;
    assert_eq!(code, Some(3), "{report}\n{stderr}");
    assert_eq!(count(&report, "loss"), 80, "{report}");
}
