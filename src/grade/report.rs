//! Reports: the verdict of each check, printed as a table for people or JSON for scripts.

use super::{Check, CheckResult, Failure, Tier};
use serde::Serialize;
use std::fmt;
use std::time::Duration;

/// Pass, fail or skip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The behaviour is there.
    Pass,
    /// The behaviour is missing or wrong; `reason` says how.
    Fail,
    /// Not applicable to this target; `reason` says why.
    Skip,
}

/// The outcome of one check.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// The check's id.
    pub id: String,
    /// Course or robust.
    pub tier: Tier,
    /// What it verifies.
    pub what: String,
    /// Pass, fail or skip.
    pub verdict: Verdict,
    /// Why it failed or was skipped; empty on a pass.
    pub reason: String,
    /// How long it took, in milliseconds.
    pub duration_ms: u64,
}

impl CheckReport {
    /// Builds the report of `check` from its result.
    pub fn new<T: ?Sized>(check: &Check<T>, result: CheckResult, took: Duration) -> Self {
        let (verdict, reason) = match result {
            Ok(()) => (Verdict::Pass, String::new()),
            Err(Failure::Fail(r) | Failure::Preamble(r)) => (Verdict::Fail, r),
            Err(Failure::Skip(r)) => (Verdict::Skip, r),
        };
        CheckReport {
            id: check.id.to_string(),
            tier: check.tier,
            what: check.what.to_string(),
            verdict,
            reason,
            duration_ms: took.as_millis() as u64,
        }
    }
}

/// Every check's outcome for one stage, and the score.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The stage graded.
    pub stage: String,
    /// One entry per check, in order.
    pub checks: Vec<CheckReport>,
    /// Checks passed.
    pub passed: usize,
    /// Checks failed.
    pub failed: usize,
    /// Checks skipped (not applicable to the target).
    pub skipped: usize,
    /// The same counts for the course tier alone.
    pub course: Score,
    /// The same counts for the robust tier alone.
    pub robust: Score,
    /// What the reader should know about how the checks ran (e.g. a program that had to
    /// share `/tmp`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Verdict counts of a set of checks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Score {
    /// Checks passed.
    pub passed: usize,
    /// Checks failed.
    pub failed: usize,
    /// Checks skipped.
    pub skipped: usize,
}

impl Score {
    fn of<'a>(checks: impl Iterator<Item = &'a CheckReport>) -> Score {
        let mut score = Score::default();
        for c in checks {
            match c.verdict {
                Verdict::Pass => score.passed += 1,
                Verdict::Fail => score.failed += 1,
                Verdict::Skip => score.skipped += 1,
            }
        }
        score
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ran = self.passed + self.failed;
        write!(f, "{}/{ran} passed", self.passed)?;
        if self.skipped > 0 {
            write!(f, ", {} skipped", self.skipped)?;
        }
        Ok(())
    }
}

impl Report {
    /// Counts the verdicts.
    pub fn new(stage: &str, checks: Vec<CheckReport>) -> Self {
        let all = Score::of(checks.iter());
        let tier = |t| Score::of(checks.iter().filter(move |c| c.tier == t));
        Report {
            stage: stage.to_string(),
            passed: all.passed,
            failed: all.failed,
            skipped: all.skipped,
            course: tier(Tier::Course),
            robust: tier(Tier::Robust),
            notes: Vec::new(),
            checks,
        }
    }

    /// True when nothing failed.
    pub fn all_passed(&self) -> bool {
        self.failed == 0
    }

    /// The verdict of the check with this id, if it ran.
    pub fn verdict(&self, id: &str) -> Option<&CheckReport> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// The report as one JSON object.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report always serializes")
    }
}

use crate::visible::visible;

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self.checks.iter().map(|c| c.id.len()).max().unwrap_or(0);
        writeln!(f, "stage {}", self.stage)?;
        for note in &self.notes {
            writeln!(f, "note: {note}")?;
        }
        for c in &self.checks {
            let tag = match c.verdict {
                Verdict::Pass => "PASS",
                Verdict::Fail => "FAIL",
                Verdict::Skip => "SKIP",
            };
            writeln!(
                f,
                "  {tag}  {:<width$}  {:6}  {:>6} ms  {}",
                c.id, c.tier, c.duration_ms, c.what
            )?;
            // A reason quotes what the graded program sent: shown, never obeyed, line by line.
            for (i, line) in c.reason.lines().enumerate() {
                let lead = if i == 0 { "->" } else { "  " };
                writeln!(f, "        {:<width$}  {lead} {}", "", visible(line))?;
            }
        }
        writeln!(
            f,
            "course tier: {}; robust tier: {}",
            self.course, self.robust
        )?;
        write!(
            f,
            "{} passed, {} failed, {} skipped",
            self.passed, self.failed, self.skipped
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_quoting_escape_sequences_cannot_control_the_teachers_terminal() {
        let check = CheckReport {
            id: "ii_6.x".into(),
            tier: Tier::Robust,
            what: "what".into(),
            verdict: Verdict::Fail,
            reason: "got \u{1b}[2Jcleared\nline two \u{202e}rev\r".into(),
            duration_ms: 1,
        };
        let shown = Report::new("ii_6", vec![check]).to_string();
        assert!(shown.contains("-> got ^[[2Jcleared\n"), "{shown}");
        assert!(shown.contains("   line two \\u{202e}rev^M\n"), "{shown}");
        assert!(shown.contains("course tier: 0/0 passed; robust tier: 0/1 passed"));
        assert!(
            !shown.contains('\u{1b}') && !shown.contains('\r'),
            "{shown}"
        );
    }
}
