//! `chat_bench`: the load generator and measuring client for the Part II chat servers.
//!
//! N clients join a server (ours or anyone's, any stage from ii_4 on), S of them send M
//! messages each, flat out or at a rate, and every client tallies what it receives: loss,
//! duplicates, per-sender order, latency, and, given the server's pid, its memory. The
//! logic is in [`tp6::bench`]; `bench/run.py` runs the comparison scenarios with it.
//!
//! Try it:
//!
//! ```text
//! cargo run --release --bin chat_server_ii_6 -- --port 9000 > /dev/null &
//! cargo run --release --bin chat_bench -- --port 9000 --clients 100 --senders 10 --messages 200
//! ```
//!
//! Exit status: 0 when every expected delivery arrived exactly once and in order; 3 when
//! the server lost, duplicated, reordered or corrupted messages (or not every client could
//! join in time); 2 for bad flags; 1 when the run could not be made at all.

use clap::{CommandFactory, Parser};
use std::io::Write;
use tp6::bench::{self, options::Options};

#[tokio::main]
async fn main() -> tp6::error::MainResult {
    let opts = Options::parse();
    if let Err(e) = opts.validate() {
        Options::command()
            .error(clap::error::ErrorKind::ArgumentConflict, e)
            .exit();
    }
    let report = bench::run(&opts).await?;
    if opts.json {
        let _ = writeln!(std::io::stdout(), "{}", serde_json::to_string(&report)?);
    } else {
        let _ = writeln!(std::io::stdout(), "{report}");
    }
    if !report.ok {
        std::process::exit(3);
    }
    Ok(())
}
