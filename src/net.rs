//! Listening sockets with room for a burst of connections, and sockets of an address's
//! family for the clients that set options before connecting.
//!
//! `TcpListener::bind`, in std as in tokio, asks the kernel for an accept queue of 128
//! connections. When more clients than that connect at once (200 downloads started
//! together, a chat benchmark joining hundreds of clients), the kernel drops the handshakes
//! that do not fit and the clients retry only after 200 ms to 1 s: a concurrency test then
//! measures the retry timer, not the program. [`listen`] asks for [`BACKLOG`] instead; the
//! kernel caps it at `net.core.somaxconn` (4096 on Linux since 5.4).

use std::io;
use std::net::SocketAddr;
use tokio::net::{TcpListener, TcpSocket};

/// Connections the kernel may queue, handshake done, before the program accepts them.
pub const BACKLOG: u32 = 1024;

/// Binds `addr` and listens with an accept queue of [`BACKLOG`]. Like `TcpListener::bind`
/// it sets `SO_REUSEADDR`, so a restarted server gets its port back at once. Must be called
/// within a tokio runtime.
pub fn listen(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = socket_for(addr)?;
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(BACKLOG)
}

/// A new TCP socket of `addr`'s family (IPv4 or IPv6), to set options on before it
/// connects or listens.
pub fn socket_for(addr: SocketAddr) -> io::Result<TcpSocket> {
    match addr {
        SocketAddr::V4(_) => TcpSocket::new_v4(),
        SocketAddr::V6(_) => TcpSocket::new_v6(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tokio::net::TcpStream;
    use tokio::task::JoinSet;

    /// More handshakes than std's 128 complete while nobody accepts: with a queue of 128
    /// the 130th connect would wait for a SYN retry (1 s) and hit the timeout.
    #[tokio::test]
    async fn a_burst_of_connections_fits_in_the_queue() {
        const CLIENTS: usize = 300;
        let listener = listen("127.0.0.1:0".parse().expect("address")).expect("listen");
        let addr = listener.local_addr().expect("address");
        let mut connects = JoinSet::new();
        for _ in 0..CLIENTS {
            connects.spawn(tokio::time::timeout(
                Duration::from_millis(900),
                TcpStream::connect(addr),
            ));
        }
        let mut connected = 0;
        while let Some(joined) = connects.join_next().await {
            if let Ok(Ok(Ok(_stream))) = joined {
                connected += 1;
            }
        }
        assert_eq!(
            connected, CLIENTS,
            "connects completed with nobody accepting (fewer than {CLIENTS}: the queue is \
             too short, or net.core.somaxconn caps it)"
        );
        drop(listener);
    }
}
