//! The counting function of the first two stages, in its blocking and its async form.
//!
//! The two bodies are the same loop; the only difference is the sleep. That is the point of
//! the pair: `std::thread::sleep` holds the thread, so two calls run one after the other,
//! while `tokio::time::sleep(..).await` hands the thread back to the runtime, so two calls
//! joined with `tokio::join!` take turns on it.

use std::io::{self, Write};
use std::time::Duration;

/// Prints 1 to `count`, one number per line, sleeping `interval` after each; blocks the
/// calling thread for `count × interval`.
///
/// Returns an error when stdout is gone (e.g. piped into `head`), rather than panicking as
/// `println!` would.
pub fn sleep_and_print(count: u32, interval: Duration) -> io::Result<()> {
    for i in 1..=count {
        // Locked per line so that each number is flushed as it is printed (stdout is
        // line-buffered), which is what makes the timing visible.
        writeln!(io::stdout().lock(), "{i}")?;
        std::thread::sleep(interval);
    }
    Ok(())
}

/// The same count, async: while one call sleeps, the runtime runs the others.
pub async fn sleep_and_print_async(count: u32, interval: Duration) -> io::Result<()> {
    for i in 1..=count {
        // A one-line write to a pipe does not block for any noticeable time, so the
        // standard stdout is fine here; the lesson is the sleep.
        writeln!(io::stdout().lock(), "{i}")?;
        tokio::time::sleep(interval).await;
    }
    Ok(())
}
