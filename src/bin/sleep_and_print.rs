//! Stage `sleep_and_print`: the baseline, sequential code.
//!
//! A function counts from 1 to 10, printing each number and then sleeping half a second
//! with the blocking `std::thread::sleep`. `main` calls it twice, one call after the other:
//! the output is `1`..`10` then `1`..`10` and the run takes about ten seconds, because
//! while the thread sleeps nothing else can happen. There is no runtime and no `async` here;
//! that is the point of comparison for the next stage.
//!
//! New: nothing yet; this is the starting point.
//!
//! Try it:
//!
//! ```text
//! cargo run --bin sleep_and_print
//! cargo run --bin sleep_and_print -- --count 4 --interval-ms 100
//! ```

use clap::Parser;
use std::process::ExitCode;
use std::time::Duration;
use tp6::part1::count::sleep_and_print;

/// Count from 1 to N twice, one count after the other, sleeping after each number.
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

fn main() -> ExitCode {
    let args: Args = tp6::error::parse_args();
    let interval = Duration::from_millis(args.interval_ms);
    // Two calls in a row: the second cannot start before the first has slept its last.
    let result =
        sleep_and_print(args.count, interval).and_then(|()| sleep_and_print(args.count, interval));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write to stdout: {e}");
            ExitCode::FAILURE
        }
    }
}
