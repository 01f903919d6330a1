//! Stage `sleep_and_print_async`: the same two counts, concurrently, on one thread.
//!
//! The counting function is now `async` and sleeps with `tokio::time::sleep(..).await`.
//! An `.await` on a sleep does not hold the thread: it gives it back to the runtime, which
//! runs the other count meanwhile. `tokio::join!` runs both calls at once, so the output
//! interleaves `1 1 2 2 … 10 10` and the run takes about five seconds instead of ten.
//!
//! New compared to `sleep_and_print`: `async fn`, `.await`, a runtime (`#[tokio::main]`,
//! single-threaded on purpose: this is concurrency, not parallelism), and `tokio::join!`.
//!
//! Try it:
//!
//! ```text
//! cargo run --bin sleep_and_print_async
//! cargo run --bin sleep_and_print_async -- --count 4 --interval-ms 100
//! ```
//! Then replace `tokio::join!(a, b)` with `a.await; b.await;` and watch it become the
//! previous stage again.

use clap::Parser;
use std::process::ExitCode;
use std::time::Duration;
use tp6::part1::count::sleep_and_print_async;

/// Count from 1 to N twice, both counts at once, sleeping after each number.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// How far each count goes
    #[arg(
        long,
        value_name = "N",
        default_value_t = 10,
        allow_negative_numbers = true
    )]
    count: u32,
    /// Pause after each number, in milliseconds
    #[arg(
        long,
        value_name = "MS",
        default_value_t = 500,
        allow_negative_numbers = true
    )]
    interval_ms: u64,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Args = tp6::error::parse_args();
    let interval = Duration::from_millis(args.interval_ms);
    // Creating the futures starts nothing; `join!` polls both until both are done.
    let first = sleep_and_print_async(args.count, interval);
    let second = sleep_and_print_async(args.count, interval);
    match tokio::join!(first, second) {
        (Ok(()), Ok(())) => ExitCode::SUCCESS,
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: cannot write to stdout: {e}");
            ExitCode::FAILURE
        }
    }
}
