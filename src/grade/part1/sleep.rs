//! Checks of the counting programs. Their count and interval are not given to the check:
//! both are read back from the output (how many numbers, how far apart), so the checks
//! hold for the course's defaults and for a fast `--count 4 --interval-ms 100` alike.

use super::Part1Target;
use super::common::{SLEEP_LIMIT, expect_success, run};
use crate::grade::process::{Finished, TimedLine};
use crate::grade::{CheckResult, Failure, expect_eq, fail};
use std::time::Duration;

/// Gaps below this are no pause at all: output buffering, not a sleep.
const MIN_INTERVAL: Duration = Duration::from_millis(20);

pub(super) async fn sequential_order(t: &Part1Target) -> CheckResult {
    let done = run(&t.command, SLEEP_LIMIT).await?;
    expect_success(&done)?;
    let (numbers, _) = numbers(&done)?;
    let n = (numbers.len() / 2) as u32;
    let expected: Vec<u32> = (1..=n).chain(1..=n).collect();
    expect_at_least_one(n, &numbers)?;
    expect_eq("stdout", &join(&expected), &join(&numbers))
}

pub(super) async fn interleaved_order(t: &Part1Target) -> CheckResult {
    let done = run(&t.command, SLEEP_LIMIT).await?;
    expect_success(&done)?;
    let (numbers, _) = numbers(&done)?;
    let n = (numbers.len() / 2) as u32;
    let expected: Vec<u32> = (1..=n).flat_map(|i| [i, i]).collect();
    expect_at_least_one(n, &numbers)?;
    expect_eq("stdout", &join(&expected), &join(&numbers))
}

/// Sequential: every line about one interval after the previous one.
pub(super) async fn sequential_pace(t: &Part1Target) -> CheckResult {
    let done = run(&t.command, SLEEP_LIMIT).await?;
    let (_, times) = numbers(&done)?;
    if times.len() < 3 {
        return fail(format!(
            "expected at least 3 numbers to time got {}",
            times.len()
        ));
    }
    let gaps: Vec<Duration> = times
        .windows(2)
        .map(|w| w[1].saturating_sub(w[0]))
        .collect();
    let interval = median(&gaps);
    expect_pause(interval)?;
    // One short gap is tolerated: a busy machine may deliver two lines in one read.
    let short: Vec<usize> = (0..gaps.len())
        .filter(|&i| gaps[i] < interval / 2)
        .collect();
    if short.len() > 1.max(gaps.len() / 10) {
        let i = short[0];
        return fail(format!(
            "expected a pause of about {} ms after every number got {} ms between lines {} and {}",
            interval.as_millis(),
            gaps[i].as_millis(),
            i + 1,
            i + 2
        ));
    }
    Ok(())
}

/// Concurrent: pairs printed together, pairs one interval apart, total about half of the
/// sequential run's.
pub(super) async fn concurrent_pace(t: &Part1Target) -> CheckResult {
    let done = run(&t.command, SLEEP_LIMIT).await?;
    let (_, times) = numbers(&done)?;
    if times.len() < 4 {
        return fail(format!(
            "expected at least 2 pairs of numbers to time got {} numbers",
            times.len()
        ));
    }
    let pairs = times.len() / 2;
    let step: Vec<Duration> = (0..pairs - 1)
        .map(|k| times[2 * k + 2].saturating_sub(times[2 * k]))
        .collect();
    let interval = median(&step);
    expect_pause(interval)?;
    for k in 0..pairs {
        let apart = times[2 * k + 1].saturating_sub(times[2 * k]);
        if apart > interval * 3 / 10 {
            return fail(format!(
                "expected both counts to print pair {} together (within {} ms) got {} ms apart",
                k + 1,
                (interval * 3 / 10).as_millis(),
                apart.as_millis()
            ));
        }
    }
    let span = times[times.len() - 1].saturating_sub(times[0]);
    let overlapped = interval * (pairs as u32 - 1);
    let sequential = interval * (2 * pairs as u32 - 1);
    if span * 4 > sequential * 3 {
        return fail(format!(
            "expected the two counts to overlap, about {} ms from first to last line (a sequential run takes about {} ms) got {} ms",
            overlapped.as_millis(),
            sequential.as_millis(),
            span.as_millis()
        ));
    }
    Ok(())
}

/// Every stdout line as a number, with the time it was printed; blank lines ignored.
fn numbers(done: &Finished) -> Result<(Vec<u32>, Vec<Duration>), Failure> {
    let lines: Vec<&TimedLine> = done
        .stdout
        .iter()
        .filter(|l| !l.text.trim().is_empty())
        .collect();
    let mut numbers = Vec::with_capacity(lines.len());
    for line in &lines {
        match line.text.trim().parse() {
            Ok(n) => numbers.push(n),
            Err(_) => {
                return fail(format!(
                    "expected one number per line got {}",
                    crate::grade::show(&line.text)
                ));
            }
        }
    }
    Ok((numbers, lines.iter().map(|l| l.at).collect()))
}

fn expect_at_least_one(n: u32, numbers: &[u32]) -> CheckResult {
    if n == 0 {
        return fail(format!(
            "expected two counts of at least 1 number got {}",
            show_numbers(numbers)
        ));
    }
    Ok(())
}

fn expect_pause(interval: Duration) -> CheckResult {
    if interval < MIN_INTERVAL {
        return fail(format!(
            "expected a sleep between numbers got a median gap of {} ms (no pause)",
            interval.as_millis()
        ));
    }
    Ok(())
}

fn median(values: &[Duration]) -> Duration {
    let mut sorted = values.to_vec();
    sorted.sort();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

fn join(numbers: &[u32]) -> String {
    numbers
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

fn show_numbers(numbers: &[u32]) -> String {
    if numbers.is_empty() {
        "no output".to_string()
    } else {
        crate::grade::show(&join(numbers))
    }
}
