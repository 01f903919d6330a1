//! What the web stages print: one line per URL, then the total, and the exit code.
//!
//! Successes go to stdout (`ok  <url> -> <file> (<n> bytes)`), failures to stderr
//! (`error: <url>: <reason>`), so that a script can keep the two apart. Writes ignore a
//! closed stdout: the exit code still tells the story, and a panic would not.

use super::FetchError;
use std::fmt;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// A page that was downloaded and written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Downloaded {
    /// The URL fetched.
    pub url: String,
    /// The file written.
    pub path: PathBuf,
    /// The body's length, which is also the file's.
    pub bytes: usize,
}

impl fmt::Display for Downloaded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ok  {} -> {} ({} bytes)",
            self.url,
            self.path.display(),
            self.bytes
        )
    }
}

/// The outcome of one URL.
pub type Outcome = Result<Downloaded, FetchError>;

/// Prints one URL's line: stdout for a success, stderr for a failure.
pub fn print_outcome(outcome: &Outcome) {
    let _ = match outcome {
        Ok(done) => writeln!(io::stdout().lock(), "{done}"),
        Err(err) => writeln!(io::stderr().lock(), "error: {err}"),
    };
}

/// Successes and failures counted over a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// URLs downloaded and written.
    pub ok: usize,
    /// URLs that failed.
    pub failed: usize,
}

impl Tally {
    /// Counts one outcome.
    pub fn add(&mut self, outcome: &Outcome) {
        match outcome {
            Ok(_) => self.ok += 1,
            Err(_) => self.failed += 1,
        }
    }

    /// Counts a whole run.
    pub fn of<'a>(outcomes: impl IntoIterator<Item = &'a Outcome>) -> Self {
        let mut tally = Tally::default();
        outcomes.into_iter().for_each(|o| tally.add(o));
        tally
    }

    /// The closing line: `<n> URLs: <ok> ok, <failed> failed in <secs> s`.
    pub fn line(&self, elapsed: Duration) -> String {
        format!(
            "{} URLs: {} ok, {} failed in {:.3} s",
            self.ok + self.failed,
            self.ok,
            self.failed,
            elapsed.as_secs_f64()
        )
    }

    /// Prints [`Tally::line`] on stdout.
    pub fn print(&self, elapsed: Duration) {
        let _ = writeln!(io::stdout().lock(), "{}", self.line(elapsed));
    }

    /// 0 when every URL succeeded, 1 when any failed (2 is left for bad usage).
    pub fn exit_code(&self) -> ExitCode {
        if self.failed == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_read_well() {
        let done = Downloaded {
            url: "http://a/".into(),
            path: "/tmp/web_a_".into(),
            bytes: 12,
        };
        assert_eq!(done.to_string(), "ok  http://a/ -> /tmp/web_a_ (12 bytes)");
        let tally = Tally::of(&[
            Ok(done),
            Err(FetchError::Request {
                url: "u".into(),
                reason: "r".into(),
            }),
        ]);
        assert_eq!(tally, Tally { ok: 1, failed: 1 });
        assert_eq!(
            tally.line(Duration::from_millis(1234)),
            "2 URLs: 1 ok, 1 failed in 1.234 s"
        );
        assert_eq!(tally.exit_code(), ExitCode::from(1));
        assert_eq!(Tally::default().exit_code(), ExitCode::SUCCESS);
    }
}
