//! Checks of `measure`: the same list downloaded sequentially then concurrently, both
//! timed, and the speed-up. Programs word their output as they like (`sync: 1.23 s`,
//! `--- 1.23 seconds ---`, `850 ms`), so the times are found by value: a sequential time
//! can be no less than the sum of the delays, a concurrent one well below it.

use super::Part1Target;
use super::common::expect_success;
use super::multiple::{ListRun, pages, plain_list, site};
use crate::grade::{CheckResult, fail, show};
use std::time::Duration;

/// 6 pages of 250 ms: 1.5 s one after the other, about 0.25 s all at once.
const PAGES: usize = 6;
const DELAY: Duration = Duration::from_millis(250);

pub(super) async fn times(t: &Part1Target) -> CheckResult {
    let mut list_run = ListRun::new(t)?;
    let site = site(DELAY).await?;
    let pages = pages(&site, "measure", PAGES);
    let urls: Vec<&str> = pages.iter().map(|p| p.url.as_str()).collect();
    let done = list_run.run(t, &plain_list(&pages), &urls).await?;
    expect_success(&done)?;
    let lines: Vec<&str> = done
        .stdout_lines()
        .into_iter()
        .filter(|l| !l.contains("://"))
        .collect();
    let numbers: Vec<Number> = lines.iter().flat_map(|l| numbers(l)).collect();
    let sum = (DELAY * PAGES as u32).as_secs_f64();
    let wall = done.elapsed.as_secs_f64();
    let durations = || numbers.iter().filter_map(|n| n.seconds);
    let sync: Vec<f64> = durations()
        .filter(|&s| s >= 0.9 * sum && s <= wall + 0.1)
        .collect();
    let conc: Vec<f64> = durations()
        .filter(|&s| s >= 0.9 * DELAY.as_secs_f64() && s <= sum / 2.0)
        .collect();
    let shown = show(&lines.join("\n"));
    if sync.is_empty() {
        return fail(format!(
            "expected a sequential time of at least {sum:.2} s (the sum of the delays) got {shown}"
        ));
    }
    if conc.is_empty() {
        return fail(format!(
            "expected a concurrent time between {:.2} s and {:.2} s got {shown}",
            DELAY.as_secs_f64(),
            sum / 2.0
        ));
    }
    let plausible = |ratio: f64| {
        numbers
            .iter()
            .filter_map(|n| n.ratio)
            .any(|x| (x - ratio).abs() <= 0.25 * ratio)
    };
    if sync.iter().any(|s| conc.iter().any(|c| plausible(s / c))) {
        return Ok(());
    }
    fail(format!(
        "expected a speed-up of about {:.1} (sequential / concurrent time) got {shown}",
        sync[0] / conc[0]
    ))
}

pub(super) async fn files(t: &Part1Target) -> CheckResult {
    let mut list_run = ListRun::new(t)?;
    let site = site(Duration::from_millis(100)).await?;
    let pages = pages(&site, "measured", 3);
    let urls: Vec<&str> = pages.iter().map(|p| p.url.as_str()).collect();
    let done = list_run.run(t, &plain_list(&pages), &urls).await?;
    expect_success(&done)?;
    list_run.expect_pages(&pages)?;
    match site.requests() {
        n if n >= 2 * pages.len() => Ok(()),
        n => fail(format!(
            "expected every page requested twice (once per run), {} requests, got {n}",
            2 * pages.len()
        )),
    }
}

/// A number found in the output, and how it may be read.
#[derive(Debug, PartialEq)]
struct Number {
    /// As a duration in seconds, when it has a time unit or no unit at all.
    seconds: Option<f64>,
    /// As a speed-up, when it has no unit or an `x`/`times` one.
    ratio: Option<f64>,
}

/// The numbers of one line with their units: `1.5 s`, `850ms`, `3.2 seconds`, `4.1x`.
/// A number followed by another word (`6 URLs`) is neither a time nor a speed-up.
fn numbers(line: &str) -> Vec<Number> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        let tail = &rest[start..];
        let end = tail
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(tail.len());
        let (text, after) = tail.split_at(end);
        rest = after;
        let Ok(value) = text.trim_end_matches('.').parse::<f64>() else {
            continue;
        };
        let unit: String = after
            .trim_start()
            .chars()
            .take_while(|c| c.is_alphabetic() || *c == '×')
            .collect();
        let number = match unit.to_lowercase().as_str() {
            "" => Number {
                seconds: Some(value),
                ratio: Some(value),
            },
            "s" | "sec" | "secs" | "second" | "seconds" | "secondes" => Number {
                seconds: Some(value),
                ratio: None,
            },
            "ms" | "millisecond" | "milliseconds" | "millisecondes" => Number {
                seconds: Some(value / 1000.0),
                ratio: None,
            },
            "x" | "×" | "times" | "fois" => Number {
                seconds: None,
                ratio: Some(value),
            },
            _ => continue,
        };
        found.push(number);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(seconds: Option<f64>, ratio: Option<f64>) -> Number {
        Number { seconds, ratio }
    }

    #[test]
    fn units_decide_what_a_number_is() {
        assert_eq!(
            numbers("sync  1.503 s  (6 URLs, 0 failed)"),
            [n(Some(1.503), None)]
        );
        assert_eq!(numbers("--- 3.0816 seconds ---"), [n(Some(3.0816), None)]);
        assert_eq!(numbers("async: 850ms"), [n(Some(0.85), None)]);
        assert_eq!(numbers("speed-up: 5.91x"), [n(None, Some(5.91))]);
        assert_eq!(numbers("ratio 2.5"), [n(Some(2.5), Some(2.5))]);
        assert_eq!(numbers("took 2."), [n(Some(2.0), Some(2.0))]);
        assert!(numbers("no numbers here").is_empty());
    }
}
