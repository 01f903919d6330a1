//! Checks of the counting programs. Their count and interval are not given to the check:
//! both are read back from the output (how many numbers, how far apart), so the checks
//! hold for the course's defaults and for a fast `--count 4 --interval-ms 100` alike.
//!
//! Pacing and concurrency are what these checks are about, so they accept every
//! reasonable reading of the course's counter: counting from 1 (`1..=10`) or from 0
//! (Python's `range(10)`), and text before the first number or after the last (a title, a
//! total time) as long as the numbers themselves are one per line with nothing between.

use super::Part1Target;
use super::common::{SLEEP_LIMIT, expect_success, run};
use crate::grade::patience::patient;
use crate::grade::process::{Finished, TimedLine};
use crate::grade::{CheckResult, Failure, expect_eq, fail};
use std::time::Duration;

/// Gaps below this are no pause at all: output buffering, not a sleep.
const MIN_INTERVAL: Duration = Duration::from_millis(20);

pub(super) async fn sequential_order(t: &Part1Target) -> CheckResult {
    let done = run(&t.command, patient(SLEEP_LIMIT)).await?;
    expect_success(&done)?;
    let (numbers, _) = numbers(&done)?;
    let (from, n) = (first_number(&numbers), (numbers.len() / 2) as u32);
    let expected: Vec<u32> = (from..from + n).chain(from..from + n).collect();
    expect_at_least_one(n, &numbers)?;
    expect_eq("stdout", &join(&expected), &join(&numbers))
}

pub(super) async fn interleaved_order(t: &Part1Target) -> CheckResult {
    let done = run(&t.command, patient(SLEEP_LIMIT)).await?;
    expect_success(&done)?;
    let (numbers, _) = numbers(&done)?;
    let (from, n) = (first_number(&numbers), (numbers.len() / 2) as u32);
    let expected: Vec<u32> = (from..from + n).flat_map(|i| [i, i]).collect();
    expect_at_least_one(n, &numbers)?;
    expect_eq("stdout", &join(&expected), &join(&numbers))
}

/// Sequential: every line about one interval after the previous one.
pub(super) async fn sequential_pace(t: &Part1Target) -> CheckResult {
    let done = run(&t.command, patient(SLEEP_LIMIT)).await?;
    let (_, times) = numbers(&done)?;
    let (interval, gaps) = sequential_interval(&times)?;
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
    let done = run(&t.command, patient(SLEEP_LIMIT)).await?;
    let (_, times) = numbers(&done)?;
    let interval = concurrent_interval(&times)?;
    let pairs = times.len() / 2;
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

/// The sequential counter stops soon after its last number.
pub(super) async fn sequential_exit(t: &Part1Target) -> CheckResult {
    let done = run(&t.command, patient(SLEEP_LIMIT)).await?;
    let (_, times) = numbers(&done)?;
    let (interval, _) = sequential_interval(&times)?;
    expect_prompt_exit(&done, &times, interval)
}

/// The concurrent counter stops soon after its last number.
pub(super) async fn concurrent_exit(t: &Part1Target) -> CheckResult {
    let done = run(&t.command, patient(SLEEP_LIMIT)).await?;
    let (_, times) = numbers(&done)?;
    let interval = concurrent_interval(&times)?;
    expect_prompt_exit(&done, &times, interval)
}

/// How long a program may take to exit once its last number is out, beyond the one pause
/// the counter makes after each number (CONTRACT.md § sleep_and_print sleeps after every
/// number, the last included): time to shut the interpreter down, never another sleep.
const EXIT_SLACK: Duration = Duration::from_millis(300);

/// Fails when the program lived on after its last number for longer than one pause and
/// [`EXIT_SLACK`]: a fixed wait for the counts to end (`asyncio.sleep(10)` instead of
/// awaiting them), an extra sleep at the end.
fn expect_prompt_exit(done: &Finished, times: &[Duration], interval: Duration) -> CheckResult {
    let last = times.last().copied().unwrap_or_default();
    let tail = done.elapsed.saturating_sub(last);
    let allowed = interval + patient(EXIT_SLACK);
    if tail > allowed {
        return fail(format!(
            "expected the program to exit within {} ms of its last number (one pause of {} ms, then at most {} ms) got {} ms",
            allowed.as_millis(),
            interval.as_millis(),
            patient(EXIT_SLACK).as_millis(),
            tail.as_millis()
        ));
    }
    Ok(())
}

/// The pause of a sequential count (the median gap between numbers) and every gap.
fn sequential_interval(times: &[Duration]) -> Result<(Duration, Vec<Duration>), Failure> {
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
    Ok((interval, gaps))
}

/// The pause of two concurrent counts: the median gap from one pair to the next.
fn concurrent_interval(times: &[Duration]) -> Result<Duration, Failure> {
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
    Ok(interval)
}

/// The numbers of stdout, one per line, with the time each was printed. Blank lines are
/// ignored, and so are lines of text before the first number and after the last (a title,
/// `Temps total : 10.0 s`); text between two numbers is not a count.
fn numbers(done: &Finished) -> Result<(Vec<u32>, Vec<Duration>), Failure> {
    let lines: Vec<&TimedLine> = done
        .stdout
        .iter()
        .filter(|l| !l.text.trim().is_empty())
        .collect();
    let number = |line: &TimedLine| line.text.trim().parse::<u32>().ok();
    let first = lines.iter().position(|l| number(l).is_some());
    let last = lines.iter().rposition(|l| number(l).is_some());
    let (Some(first), Some(last)) = (first, last) else {
        return Ok((Vec::new(), Vec::new()));
    };
    let mut numbers = Vec::with_capacity(last + 1 - first);
    for line in &lines[first..=last] {
        match number(line) {
            Some(n) => numbers.push(n),
            None => {
                return fail(format!(
                    "expected one number per line got {}",
                    crate::grade::show(&line.text)
                ));
            }
        }
    }
    let times = lines[first..=last].iter().map(|l| l.at).collect();
    Ok((numbers, times))
}

/// Where the counts start: 0 for a count from 0 (`range(10)`), 1 otherwise.
fn first_number(numbers: &[u32]) -> u32 {
    match numbers.first() {
        Some(0) => 0,
        _ => 1,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn finished(lines: &[&str]) -> Finished {
        Finished {
            status: std::process::ExitStatus::default(),
            stdout: lines
                .iter()
                .enumerate()
                .map(|(i, text)| TimedLine {
                    at: Duration::from_millis(100 * i as u64),
                    text: text.to_string(),
                })
                .collect(),
            stderr: String::new(),
            elapsed: Duration::from_millis(100 * lines.len() as u64),
        }
    }

    #[test]
    fn text_around_the_numbers_is_ignored() {
        let done = finished(&["Début", "0", "1", "", "0", "1", "Temps total : 0.4 s"]);
        let (numbers, times) = numbers(&done).expect("numbers");
        assert_eq!(numbers, [0, 1, 0, 1]);
        assert_eq!(times[0], Duration::from_millis(100));
        assert_eq!(first_number(&numbers), 0);
        assert_eq!(first_number(&[1, 2, 1, 2]), 1);
        assert_eq!(first_number(&[]), 1);
    }

    #[test]
    fn text_between_the_numbers_is_not_a_count() {
        let done = finished(&["1", "2", "second count", "1", "2"]);
        assert!(numbers(&done).is_err());
        assert!(numbers(&finished(&["done"])).expect("none").0.is_empty());
    }
}
