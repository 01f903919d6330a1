//! What every Part I check does: run the program with a time limit, name pages no earlier
//! run can have written, and compare what the program did with what CONTRACT.md asks, with
//! failure reasons in the "expected … got …" form.

use crate::grade::process::{self, Finished};
use crate::grade::{Failure, fail, show};
use std::path::Path;
use std::time::Duration;

/// Longest a sleep program may run: the defaults (CONTRACT.md § Part I) take 10 s.
pub(super) const SLEEP_LIMIT: Duration = Duration::from_secs(60);
/// Longest a web program may run against the fixture, whose pages take at most a second.
pub(super) const WEB_LIMIT: Duration = Duration::from_secs(30);

/// Runs `argv` to completion within `limit`.
pub(super) async fn run(argv: &[String], limit: Duration) -> Result<Finished, Failure> {
    process::spawn(argv)?.finish(limit).await
}

/// A page name no earlier run can have left a file for.
pub(super) fn unique_name(tag: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{tag}-{}-{nanos:x}-{n}", std::process::id())
}

/// Fails unless the program exited 0, showing the start of its stderr.
pub(super) fn expect_success(done: &Finished) -> Result<(), Failure> {
    if done.status.success() {
        Ok(())
    } else {
        fail(format!(
            "expected exit code 0 got {}; stderr: {}",
            done.status,
            excerpt(&done.stderr)
        ))
    }
}

/// Fails unless the program exited with a non-zero code.
pub(super) fn expect_failure(done: &Finished, after: &str) -> Result<(), Failure> {
    if done.status.success() {
        fail(format!(
            "expected a non-zero exit code after {after} got {}",
            done.status
        ))
    } else {
        Ok(())
    }
}

/// Fails unless one stderr line contains every one of `needles`.
pub(super) fn expect_stderr_line(done: &Finished, needles: &[&str]) -> Result<(), Failure> {
    if done
        .stderr
        .lines()
        .any(|line| needles.iter().all(|n| line.contains(n)))
    {
        Ok(())
    } else {
        let wanted = needles
            .iter()
            .map(|n| show(n))
            .collect::<Vec<_>>()
            .join(" and ");
        fail(format!(
            "expected a stderr line with {wanted} got {}",
            excerpt(&done.stderr)
        ))
    }
}

/// Fails unless `path` holds exactly `expected`, saying how it differs.
pub(super) fn expect_file(path: &Path, expected: &[u8]) -> Result<(), Failure> {
    let got = match std::fs::read(path) {
        Ok(got) => got,
        Err(e) => {
            let listing = path.parent().map(list_dir).unwrap_or_default();
            return fail(format!(
                "expected the page in {} got no readable file ({e}); the directory holds: {listing}",
                path.display()
            ));
        }
    };
    if got == expected {
        return Ok(());
    }
    let first = got
        .iter()
        .zip(expected)
        .position(|(a, b)| a != b)
        .unwrap_or(got.len().min(expected.len()));
    fail(format!(
        "{}: expected the page's {} bytes got {} bytes, first difference at byte {first}",
        path.display(),
        expected.len(),
        got.len()
    ))
}

/// The names in `dir` that look like pages, for failure messages.
fn list_dir(dir: &Path) -> String {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    // /tmp holds everyone's files: only the pages are worth showing.
    if dir == Path::new("/tmp") {
        names.retain(|n| n.starts_with("web_"));
    }
    names.sort();
    match names.len() {
        0 => "nothing".to_string(),
        n if n > 8 => format!("{} … ({n} files)", names[..8].join(", ")),
        _ => names.join(", "),
    }
}

/// The first lines of a program's stderr, quoted, for failure messages.
fn excerpt(stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(3)
        .collect();
    if lines.is_empty() {
        "nothing on stderr".to_string()
    } else {
        show(&lines.join("\n"))
    }
}
