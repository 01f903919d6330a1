//! Stage ii_2, "Première version": the client, deliberately *not* async.
//!
//! What it teaches: a plain blocking socket (`std::net::TcpStream`, wrapped in a
//! [`BlockingLink`] that frames messages) — connect, send `Hello`, wait for the one reply,
//! print it, exit. No runtime is needed for one question and one answer; the next stage
//! shows why a chat needs more (typing and listening at the same time). What the server
//! sent is printed through `visible`, so it cannot send escape sequences to your terminal.
//!
//! Try it (with `chat_server_ii_2` running):
//!
//! ```text
//! cargo run --bin chat_client_ii_2            # prints: Hello 127.0.0.1:53412
//! ```

use anyhow::{Context, anyhow};
use clap::Parser;
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;
use tp6::chat::cli::Endpoint;
use tp6::chat::link::BlockingLink;
use tp6::visible::visible;

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

fn main() -> ExitCode {
    let args: Args = tp6::error::parse_args();
    tp6::error::exit_code(run(args))
}

fn run(args: Args) -> anyhow::Result<()> {
    let addr = args.endpoint.socket_addr();
    let timeout = Duration::from_secs(args.timeout.max(1));
    let mut server = BlockingLink::connect(&args.endpoint, timeout)?;
    server.send("Hello")?;
    let reply = server
        .receive()
        .with_context(|| format!("no reply from {addr}"))?
        .ok_or_else(|| anyhow!("{addr} closed the connection without replying"))?;
    writeln!(std::io::stdout(), "{}", visible(&reply))?;
    Ok(())
}
