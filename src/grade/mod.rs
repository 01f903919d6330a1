//! The executable spec: every stage's behaviour, as `CONTRACT.md` states it, written as
//! checks.
//!
//! A [`Check`] is an id, the stage it belongs to, one sentence saying what it verifies, and
//! an async body that returns `Ok(())` or a [`Failure`] with the reason (expected vs got).
//! Checks never assume they are talking to this project's binaries: they drive a server at
//! an address, a client command, or a Part I command, so the same checks grade the course's
//! Python submissions (see the `grade` binary). [`run_checks`] runs a list with a timeout
//! per check and returns a [`Report`] that prints as a table or as JSON.

/// A [`Check`] whose body is the async fn `$body(&target)`: one line per check in the
/// stage lists of [`chat`], [`client`] and [`part1`].
macro_rules! check {
    ($stage:literal, $name:literal, $tier:ident, $what:expr, $body:path $(, $key:ident = $value:expr)* $(,)?) => {{
        #[allow(unused_mut)]
        let mut check = $crate::grade::Check {
            // Built from the stage and the name, so an id always says where it comes from.
            id: concat!($stage, ".", $name),
            stage: $stage,
            tier: $crate::grade::Tier::$tier,
            what: $what,
            holds_before: None,
            retired_by: None,
            real_time: None,
            run: |t| Box::pin($body(t)),
        };
        $(check.$key = Some($value);)*
        check
    }};
}

pub mod bonus;
pub mod chat;
pub mod class;
pub mod client;
pub mod fixture;
pub mod frames;
pub mod part1;
pub mod patience;
pub mod ports;
pub mod process;
pub mod relay;
mod report;
pub mod says;
pub mod server;

pub use report::{CheckReport, Report, Verdict};

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

/// Why a check did not pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The program under test did something CONTRACT.md forbids, or not what it requires.
    Fail(String),
    /// The check cannot run against this target (e.g. it needs the server's console and
    /// the server was given as an address); not counted as a failure.
    Skip(String),
    /// What several checks do before their own subject failed (clients that never get a
    /// relay between them, at ii_4): a failure, reported in full by the first check it
    /// stops and as `blocked by <that check>` by the others, which never reached what they
    /// check.
    Preamble(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Fail(r) | Failure::Skip(r) | Failure::Preamble(r) => f.write_str(r),
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Fail(format!("I/O error: {e}"))
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Fail(format!("{e:#}"))
    }
}

/// What a check body returns.
pub type CheckResult = Result<(), Failure>;

/// Whether `stage` comes at or after `first` in the manifest: how a target learns which
/// later rules (pseudos, bonus 1's styled relays, bonus 2's IDs) apply to the stage it is
/// graded as. An unknown stage is before everything.
pub fn at_or_after(stage: &str, first: &str) -> bool {
    let order = |id: &str| crate::stages::STAGES.iter().position(|s| s.id == id);
    matches!((order(stage), order(first)), (Some(s), Some(f)) if s >= f)
}

/// A failure with a free-form reason.
pub fn fail<T>(reason: impl Into<String>) -> Result<T, Failure> {
    Err(Failure::Fail(reason.into()))
}

/// Fails with "expected … got …" unless `got == expected`; bytes are shown escaped so that
/// a missing newline or a stray `\r` is visible.
pub fn expect_eq(what: &str, expected: &str, got: &str) -> CheckResult {
    if expected == got {
        Ok(())
    } else {
        fail(format!(
            "{what}: expected {} got {}",
            show(expected),
            show(got)
        ))
    }
}

/// A string as a quoted, escaped literal (control characters and non-ASCII made visible).
pub fn show(s: &str) -> String {
    format!("\"{}\"", s.escape_debug())
}

/// Bytes as a quoted literal, invalid UTF-8 shown as `\xNN`.
pub fn show_bytes(b: &[u8]) -> String {
    format!("\"{}\"", b.escape_ascii())
}

/// Which rules a check enforces. Every report scores the two tiers separately, so that a
/// teacher can grade on what the course asked and still see the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// What the course itself asks. Where its text is ambiguous, every reasonable reading
    /// passes: a submission that does what the course asked passes this tier.
    Course,
    /// This project's stricter rules: exit codes, stderr, resets, refusals, stuck clients,
    /// invalid bytes, hostile input.
    Robust,
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Tier::Course => "course",
            Tier::Robust => "robust",
        })
    }
}

/// The future a check body returns.
pub type CheckFuture<'a> = Pin<Box<dyn Future<Output = CheckResult> + Send + 'a>>;

/// One verifiable sentence of CONTRACT.md.
pub struct Check<T: ?Sized> {
    /// Stable id, `<stage>.<name>`, shown in reports and used by `grade --only`.
    pub id: &'static str,
    /// The stage (manifest id) whose behaviour this is.
    pub stage: &'static str,
    /// The course's rule, or this project's stricter one.
    pub tier: Tier,
    /// One sentence: what passes.
    pub what: &'static str,
    /// Why the previous stage's program passes this check too, for a check that guards a
    /// property the stage keeps rather than one it adds (tests/previous_stage.rs proves
    /// that every other new check fails on the previous stage's program, and that this one
    /// passes there).
    pub holds_before: Option<&'static str>,
    /// The stage from which this check no longer applies, if any: the one whose own check
    /// replaces it (ii_5's pseudo-signed relay replaces ii_4's address-signed one). Until
    /// then, a check keeps running at every later stage.
    pub retired_by: Option<&'static str>,
    /// Why this check cannot run under tokio's paused clock, for the rare check whose
    /// outcome depends on the system's own timers (TCP acknowledgements pacing megabytes):
    /// while those run in real time, a paused clock jumps ahead as soon as the process is
    /// idle and times the check out. `run_checks` does not look at it: a caller pausing the
    /// clock runs these checks apart with the clock running, as tests/grade_in_process.rs
    /// does (see [`server::InProcess`]).
    pub real_time: Option<&'static str>,
    /// The body, given the target under test.
    pub run: for<'a> fn(&'a T) -> CheckFuture<'a>,
}

impl<T: ?Sized> Clone for Check<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: ?Sized> Copy for Check<T> {}

impl<T: ?Sized> Check<T> {
    /// What this check, new at its stage, must give against the previous stage's program:
    /// a failure (it checks what the stage adds), unless it declares that it holds before.
    pub fn verdict_before(&self) -> Verdict {
        if self.holds_before.is_some() {
            Verdict::Pass
        } else {
            Verdict::Fail
        }
    }
}

/// The first of a stage's `new` checks whose verdict in `report` (of the previous stage's
/// program) is not [`Check::verdict_before`]: the proof that each new check checks
/// something the previous stage lacks. `None` when every one is as it must be.
pub fn unlike_before<'r, T: ?Sized>(new: &[Check<T>], report: &'r Report) -> Option<&'r str> {
    report
        .checks
        .iter()
        .find(|c| {
            let expected = new.iter().find(|n| n.id == c.id).map(Check::verdict_before);
            expected != Some(c.verdict)
        })
        .map(|c| c.id.as_str())
}

/// Runs each check in turn, each bounded by `timeout`, and collects the verdicts.
pub async fn run_checks<T: ?Sized + Sync>(
    stage: &str,
    checks: &[Check<T>],
    target: &T,
    timeout: Duration,
) -> Report {
    let mut out = Vec::with_capacity(checks.len());
    // The first check each failed preamble stopped, by the preamble's reason.
    let mut preambles: Vec<(String, &'static str)> = Vec::new();
    for check in checks {
        let start = Instant::now();
        let (result, started) = process::noting_programs(async {
            match tokio::time::timeout(timeout, (check.run)(target)).await {
                Ok(r) => r,
                Err(_) => Err(Failure::Fail(format!(
                    "timed out after {:.1} s",
                    timeout.as_secs_f64()
                ))),
            }
        })
        .await;
        // A failure ends with what the programs the check started wrote on stderr.
        let result = match result {
            Err(Failure::Preamble(reason)) => match preambles.iter().find(|(r, _)| *r == reason) {
                Some((_, first)) => Err(Failure::Fail(format!("blocked by {first}"))),
                None => {
                    preambles.push((reason.clone(), check.id));
                    Err(Failure::Fail(started.end_reason(reason).await))
                }
            },
            Err(Failure::Fail(reason)) => Err(Failure::Fail(started.end_reason(reason).await)),
            r => r,
        };
        out.push(CheckReport::new(check, result, start.elapsed()));
    }
    Report::new(stage, out)
}

#[cfg(test)]
mod previous_stage_tests {
    use super::*;

    async fn passes(_: &()) -> CheckResult {
        Ok(())
    }

    fn report(verdicts: &[(&Check<()>, CheckResult)]) -> Report {
        let checks = verdicts
            .iter()
            .map(|(c, r)| CheckReport::new(*c, r.clone(), Duration::ZERO))
            .collect();
        Report::new("ii_9", checks)
    }

    #[test]
    fn a_new_check_must_fail_before_unless_it_holds_before() {
        let adds = check!("ii_9", "adds", Course, "what the stage adds", passes);
        let keeps = check!(
            "ii_9",
            "keeps",
            Robust,
            "what the stage keeps",
            passes,
            holds_before = "the previous stage had it"
        );
        let new = [adds, keeps];
        let failed = || Err(Failure::Fail("no".into()));
        assert_eq!(
            unlike_before(&new, &report(&[(&adds, failed()), (&keeps, Ok(()))])),
            None
        );
        assert_eq!(
            unlike_before(&new, &report(&[(&adds, Ok(())), (&keeps, Ok(()))])),
            Some("ii_9.adds")
        );
        assert_eq!(
            unlike_before(&new, &report(&[(&adds, failed()), (&keeps, failed())])),
            Some("ii_9.keeps")
        );
    }
}
