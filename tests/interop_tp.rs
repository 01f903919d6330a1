//! Interop with the Python course's convention (`--wire tp`): raw clients that send each
//! message as one write with no terminator, as `writer.write(msg.encode())` does, and read
//! each reply with one `read`. The server must frame nothing and add nothing.

use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

mod common;

/// Starts `chat_server_ii_6 --wire tp` on a free port (its console closed at once).
fn start_tp_server() -> (common::Server, String) {
    let (server, _console) =
        common::start(env!("CARGO_BIN_EXE_chat_server_ii_6"), &["--wire", "tp"]);
    let addr = server.addr.clone();
    (server, addr)
}

/// One `read`, as a Python client does with `await reader.read(1024)`.
async fn read_once(stream: &mut TcpStream) -> String {
    let mut buf = [0u8; 1024];
    let n = tokio::time::timeout(Duration::from_secs(3), stream.read(&mut buf))
        .await
        .expect("a reply within 3 s")
        .expect("read ok");
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

#[tokio::test]
async fn python_style_clients_chat_through_a_tp_server() {
    let (_server, addr) = start_tp_server();
    let mut alice = TcpStream::connect(&addr).await.unwrap();
    alice.write_all(b"Hello|alice").await.unwrap();
    assert_eq!(
        read_once(&mut alice).await,
        "Annonce : alice a rejoint la chatroom"
    );

    let mut bob = TcpStream::connect(&addr).await.unwrap();
    bob.write_all(b"Hello|bob").await.unwrap();
    assert_eq!(
        read_once(&mut bob).await,
        "Annonce : bob a rejoint la chatroom"
    );
    assert_eq!(
        read_once(&mut alice).await,
        "Annonce : bob a rejoint la chatroom"
    );

    // No newline anywhere: each write is a message, each read a reply.
    for text in ["salut bob", "ça va ?", "a|b with a pipe"] {
        alice.write_all(text.as_bytes()).await.unwrap();
        assert_eq!(read_once(&mut bob).await, format!("alice a dit : {text}"));
    }
    bob.write_all("très bien".as_bytes()).await.unwrap();
    assert_eq!(read_once(&mut alice).await, "bob a dit : très bien");

    drop(bob);
    assert_eq!(
        read_once(&mut alice).await,
        "Annonce : bob a quitté la chatroom"
    );
}

#[tokio::test]
async fn a_tp_server_refuses_a_bad_handshake_without_a_newline() {
    let (_server, addr) = start_tp_server();
    let mut c = TcpStream::connect(&addr).await.unwrap();
    c.write_all(b"Bonjour").await.unwrap();
    let reply = read_once(&mut c).await;
    assert!(
        reply.starts_with("Erreur : ") && !reply.ends_with('\n'),
        "got {reply:?}"
    );
    assert_eq!(
        read_once(&mut c).await,
        "",
        "the connection is closed after the error"
    );
}
