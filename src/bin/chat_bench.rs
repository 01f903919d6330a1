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

use std::io::Write;
use std::process::ExitCode;
use tp6::bench::{self, options::Options};

/// Exit code of a run whose server lost, duplicated, reordered or corrupted messages.
const FAULTY_SERVER: u8 = 3;

#[tokio::main]
async fn main() -> ExitCode {
    let opts: Options = tp6::error::parse_args();
    if let Err(e) = opts.validate() {
        return tp6::error::usage_error(e);
    }
    let report = match bench::run(&opts).await {
        Ok(report) => report,
        Err(e) => return tp6::error::fatal(e),
    };
    // `let _ =`: a reader that left (`chat_bench … | head`) must not turn into a panic.
    let _ = if opts.json {
        match serde_json::to_string(&report) {
            Ok(json) => writeln!(std::io::stdout(), "{json}"),
            Err(e) => return tp6::error::fatal(e),
        }
    } else {
        writeln!(std::io::stdout(), "{report}")
    };
    if report.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(FAULTY_SERVER)
    }
}
