//! Listening: bind, announce the address, accept forever.
//!
//! Every server's first stdout line is `Serving on <ip>:<port>` with the bound address, which
//! is how tests and the grader find a server started with `--port 0`.

use super::cli::Endpoint;
use super::connection::Connection;
use super::wire::Wire;
use anyhow::Context;
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;

/// Binds the endpoint's address and prints `Serving on <ip>:<port>`.
pub async fn listen(endpoint: &Endpoint) -> anyhow::Result<TcpListener> {
    let addr = endpoint.socket_addr();
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    println!("Serving on {}", listener.local_addr()?);
    Ok(listener)
}

/// Accepts clients forever, running `handle` on its own task for each.
///
/// An accept error (most often "too many open files") is logged and retried after a short
/// pause instead of ending the server: the clients already connected keep being served.
pub async fn serve<F, Fut>(listener: TcpListener, wire: Wire, handle: F) -> anyhow::Result<()>
where
    F: Fn(Connection) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    loop {
        match listener.accept().await {
            Ok((socket, addr)) => {
                tokio::spawn(handle(Connection::new(socket, addr, wire)));
            }
            Err(e) => {
                super::console::line(format!("accept failed: {e}"));
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}
