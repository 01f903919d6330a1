//! Part II safety, end to end through the real binaries: what a peer sends never controls
//! another user's terminal (piped and under a pty), cannot forge a line in `--wire tp`,
//! always arrives whole when the server accepted it, and a client whose server stops
//! reading stays responsive.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

mod common;

const SERVER: &str = env!("CARGO_BIN_EXE_chat_server_ii_6");
const CLIENT: &str = env!("CARGO_BIN_EXE_chat_client_ii_6");
#[cfg(unix)]
const CLIENT_II_3: &str = env!("CARGO_BIN_EXE_chat_client_ii_3");

/// Every wait of these tests.
const WAIT: Duration = Duration::from_secs(5);

/// What mallory sends, and how alice's client must print it after `mallory a dit : `.
const ATTACKS: &[(&str, &str)] = &[
    (
        "\u{1b}[2K\u{1b}[1GAnnonce : alice a quitté la chatroom",
        "^[[2K^[[1GAnnonce : alice a quitté la chatroom",
    ),
    (
        "\u{8}\u{8}\u{8}\u{8}\u{8}\u{8}\u{8}\u{8}Annonce : eve a rejoint la chatroom",
        "^H^H^H^H^H^H^H^HAnnonce : eve a rejoint la chatroom",
    ),
    (
        "\u{1b}[1A\u{1b}[2Kalice a dit : voici mon mot de passe",
        "^[[1A^[[2Kalice a dit : voici mon mot de passe",
    ),
    ("\u{1b}]0;pwned\u{7}", "^[]0;pwned^G"),
    ("\u{1b}]52;c;ZXZpbA==\u{7}", "^[]52;c;ZXZpbA==^G"),
    ("\u{1b}[2J", "^[[2J"),
    ("\u{1b}[8mhidden\u{1b}[0m", "^[[8mhidden^[[0m"),
    ("\u{9b}2J", "\\u{9b}2J"),
    ("abc\u{202e}fed", "abc\\u{202e}fed"),
    ("nul\0 del\u{7f}", "nul^@ del^?"),
    ("lone\rreturn", "lone return"),
];

/// A client process with piped stdin and its stdout read on a thread, line by line.
struct Client {
    child: Child,
    lines: mpsc::Receiver<Vec<u8>>,
}

impl Client {
    fn start(bin: &str, args: &[&str]) -> Client {
        let mut child = Command::new(bin)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            loop {
                let mut line = Vec::new();
                match stdout.read_until(b'\n', &mut line) {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {
                        if tx.send(line).is_err() {
                            return;
                        }
                    }
                }
            }
        });
        Client { child, lines }
    }

    /// The next line printed, with its `\n`, as raw bytes.
    fn next_line(&self) -> Vec<u8> {
        self.lines
            .recv_timeout(WAIT)
            .expect("the client printed nothing more within 5 s")
    }

    /// Skips lines until `want` (exact, with its `\n`); panics if it never comes.
    fn wait_for(&self, want: &str) {
        let mut seen = Vec::new();
        loop {
            let line = self
                .lines
                .recv_timeout(WAIT)
                .unwrap_or_else(|_| panic!("never printed {want:?}; printed {seen:#?}"));
            if line == want.as_bytes() {
                return;
            }
            seen.push(String::from_utf8_lossy(&line).into_owned());
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Joins as `pseudo` with a raw socket and reads up to its own announcement.
fn join_raw(addr: &str, pseudo: &str, hello_end: &[u8]) -> (TcpStream, BufReader<TcpStream>) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    stream
        .write_all(format!("Hello|{pseudo}").as_bytes())
        .unwrap();
    stream.write_all(hello_end).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut got = vec![0u8; 0];
    let want = format!("Annonce : {pseudo} a rejoint la chatroom");
    while !String::from_utf8_lossy(&got).contains(&want) {
        let mut chunk = [0u8; 256];
        let n = reader.read(&mut chunk).unwrap();
        assert!(n > 0, "closed before the announcement");
        got.extend_from_slice(&chunk[..n]);
    }
    (stream, reader)
}

/// True if `bytes` holds anything a terminal would obey.
fn has_terminal_controls(bytes: &[u8]) -> bool {
    String::from_utf8_lossy(bytes).chars().any(|c| {
        (c.is_control() && c != '\n' && c != '\t') || ('\u{202a}'..='\u{202e}').contains(&c)
    })
}

#[test]
fn a_peer_never_controls_another_users_terminal_piped() {
    let (server, _console) = common::start(SERVER, &[]);
    let alice = Client::start(CLIENT, &["--port", server.port(), "--pseudo", "alice"]);
    alice.wait_for("Annonce : alice a rejoint la chatroom\n");
    let (mut mallory, _r) = join_raw(&server.addr, "mallory", b"\n");
    alice.wait_for("Annonce : mallory a rejoint la chatroom\n");
    for (attack, _) in ATTACKS {
        mallory.write_all(attack.as_bytes()).unwrap();
        mallory.write_all(b"\n").unwrap();
    }
    for (attack, shown) in ATTACKS {
        let line = alice.next_line();
        assert_eq!(
            String::from_utf8_lossy(&line),
            format!("mallory a dit : {shown}\n"),
            "for {attack:?}"
        );
        assert!(!has_terminal_controls(&line), "{line:?}");
    }
}

#[cfg(unix)] // pseudo-terminals
#[test]
fn a_peer_never_controls_another_users_terminal_on_a_pty() {
    // The same attacks against a person at a terminal: the line editor prints messages
    // above the prompt, through the same rendering.
    let (server, _console) = common::start(SERVER, &[]);
    let mut command = Command::new(CLIENT);
    command
        .args(["--port", server.port(), "--pseudo", "alice"])
        .env("TERM", "xterm");
    let timeout_ms = WAIT.as_millis() as u64;
    let mut term = rexpect::session::spawn_command(command, Some(timeout_ms)).unwrap();
    term.exp_string("Annonce : alice a rejoint la chatroom")
        .unwrap();
    let (mut mallory, _r) = join_raw(&server.addr, "mallory", b"\n");
    term.exp_string("Annonce : mallory a rejoint la chatroom")
        .unwrap();
    // rexpect turns each byte the terminal receives into one char: compare bytes that way.
    let as_bytes = |text: &str| text.bytes().map(char::from).collect::<String>();
    for (attack, shown) in ATTACKS {
        mallory.write_all(attack.as_bytes()).unwrap();
        mallory.write_all(b"\n").unwrap();
        // Obeyed instead of shown, the attack would never print this text.
        let before = term
            .exp_string(&as_bytes(&format!("mallory a dit : {shown}")))
            .unwrap_or_else(|e| panic!("{attack:?} not shown as {shown:?}: {e}"));
        assert!(
            !before.contains(&as_bytes(attack)),
            "{attack:?} reached the terminal"
        );
    }
}

#[test]
fn in_tp_mode_a_message_cannot_forge_a_second_line() {
    let (server, _console) = common::start(SERVER, &["--wire", "tp"]);
    let alice = Client::start(
        CLIENT,
        &["--port", server.port(), "--wire", "tp", "--pseudo", "alice"],
    );
    alice.wait_for("Annonce : alice a rejoint la chatroom\n");
    let (mut mallory, _r) = join_raw(&server.addr, "mallory", b"");
    alice.wait_for("Annonce : mallory a rejoint la chatroom\n");
    mallory
        .write_all("hi\nAnnonce : alice a quitté la chatroom\r\nAnnonce : x".as_bytes())
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&alice.next_line()),
        "mallory a dit : hi Annonce : alice a quitté la chatroom  Annonce : x\n"
    );
}

#[test]
fn the_longest_message_the_server_accepts_reaches_the_client_whole() {
    let (server, _console) = common::start(SERVER, &[]);
    let alice = Client::start(CLIENT, &["--port", server.port(), "--pseudo", "alice"]);
    alice.wait_for("Annonce : alice a rejoint la chatroom\n");
    let pseudo = "p".repeat(32);
    let (mut long, _r) = join_raw(&server.addr, &pseudo, b"\n");
    alice.wait_for(&format!("Annonce : {pseudo} a rejoint la chatroom\n"));
    let text = "é".repeat(2048); // 4096 bytes
    long.write_all(format!("{text}\n").as_bytes()).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&alice.next_line()),
        format!("{pseudo} a dit : {text}\n")
    );
    // 4096 bytes of invalid UTF-8: each becomes a 3-byte U+FFFD, 12 KB relayed.
    long.write_all(&[0xFF; 4096]).unwrap();
    long.write_all(b"\n").unwrap();
    assert_eq!(
        String::from_utf8_lossy(&alice.next_line()),
        format!("{pseudo} a dit : {}\n", "\u{fffd}".repeat(4096))
    );
}

#[cfg(unix)] // the test stops the client with SIGINT
#[test]
fn a_client_whose_server_stopped_reading_still_shows_messages_and_obeys_ctrl_c() {
    use std::time::Instant;
    // A server with a tiny receive buffer that never reads, and says something every 50 ms.
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let addr: std::net::SocketAddr = "127.0.0.1:0".parse().unwrap();
    socket.bind(&addr.into()).unwrap();
    socket.listen(8).unwrap();
    let listener: std::net::TcpListener = socket.into();
    let port = listener.local_addr().unwrap().port().to_string();
    std::thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else {
            return;
        };
        for i in 0.. {
            if stream.write_all(format!("ping {i}\n").as_bytes()).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    });

    let mut client = Client::start(CLIENT_II_3, &["--port", &port]);
    client.wait_for("ping 0\n");
    // 6 MB typed: more than the kernel buffers on loopback (up to 4 MiB of send buffer),
    // so the client's writes to the server are blocked for good.
    let mut stdin = client.child.stdin.take().unwrap();
    let line = format!("{}\n", "x".repeat(999));
    let (typed, all_typed) = mpsc::channel();
    std::thread::spawn(move || {
        for _ in 0..6000 {
            if stdin.write_all(line.as_bytes()).is_err() {
                return;
            }
        }
        // Kept open: the user has not finished typing.
        let _ = typed.send(stdin);
    });
    // A client blocked in its write to the server stops taking input too.
    let _stdin = all_typed
        .recv_timeout(WAIT)
        .expect("the client stopped reading what is typed");
    // Messages from the server keep being shown.
    let shown_at = Instant::now();
    let mut pings = 0;
    while pings < 10 {
        let line = client.next_line();
        assert!(line.starts_with(b"ping "), "{line:?}");
        pings += 1;
    }
    assert!(shown_at.elapsed() < WAIT);
    // And Ctrl-C ends it at once, with status 0.
    // SAFETY: kill only sends a signal to our own child process.
    unsafe { libc::kill(client.child.id() as i32, libc::SIGINT) };
    let asked = Instant::now();
    loop {
        if let Some(status) = client.child.try_wait().unwrap() {
            assert!(status.success(), "exit status {status}");
            break;
        }
        assert!(
            asked.elapsed() < Duration::from_secs(2),
            "the client ignored Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
