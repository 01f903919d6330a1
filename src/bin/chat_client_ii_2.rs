//! Stage ii_2, "Première version": the client, deliberately *not* async.
//!
//! What it teaches: a plain blocking `std::net::TcpStream` — connect, send `Hello`, wait for
//! the one reply, print it, exit. No runtime is needed for one question and one answer; the
//! next stage shows why a chat needs more (typing and listening at the same time).
//!
//! Try it (with `chat_server_ii_2` running):
//!
//! ```text
//! cargo run --bin chat_client_ii_2            # prints: Hello 127.0.0.1:53412
//! ```

use anyhow::{Context, anyhow};
use clap::Parser;
use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;
use tp6::chat::cli::Endpoint;
use tp6::chat::wire::{self, Incoming};

/// Sends `Hello` to the server and prints its one reply.
#[derive(Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    endpoint: Endpoint,
    /// Give up waiting for the reply after this many seconds.
    #[arg(long, default_value_t = 10)]
    timeout: u64,
}

fn main() -> tp6::error::MainResult {
    let args: Args = tp6::error::parse_args();
    let addr = args.endpoint.socket_addr();
    let mut stream =
        TcpStream::connect(addr).with_context(|| format!("cannot connect to {addr}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(args.timeout.max(1))))?;
    stream.write_all(&wire::encode(args.endpoint.wire, "Hello"))?;
    match wire::read_one_blocking(&mut stream, args.endpoint.wire)
        .with_context(|| format!("no reply from {addr}"))?
    {
        Some(Incoming::Message(reply)) => writeln!(std::io::stdout(), "{reply}")?,
        Some(Incoming::TooLong) => Err(anyhow!("the reply from {addr} is longer than 4096 bytes"))?,
        None => Err(anyhow!("{addr} closed the connection without replying"))?,
    }
    Ok(())
}
