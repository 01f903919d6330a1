//! What every Part I check does: run the program with a time limit, serve it plain page
//! URLs, name pages no earlier run can have written, and compare what the program did with
//! what CONTRACT.md asks, with failure reasons in the "expected … got …" form.
//!
//! The checks grade the course's reading first (the `course` tier of CONTRACT.md § grade):
//! where the course can be read several reasonable ways, every one passes. So page URLs
//! are as plain as the fixture allows (`http://127.0.0.1:<port>/page/<name>`, no query
//! string: what a page answers is the [`Site`]'s defaults), a page's file may be named by
//! the course's rule or by the sanitised one ([`page_file_names`]), and a failed URL may be
//! reported on stdout or stderr, as long as the report names the reason itself and not
//! only the URL ([`Reason`]).

use crate::grade::fixture::{Fixture, PageDefaults, body};
use crate::grade::process::{self, Finished};
use crate::grade::{Failure, fail, show};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
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
            "expected exit code 0 got {}; stderr:{}",
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

/// A loopback fixture whose pages answer as its defaults say, so that their URLs need no
/// query string: `http://127.0.0.1:<port>/page/<name>`. A check that needs pages of two
/// kinds (good ones and a 404) starts two sites.
pub(super) struct Site {
    fixture: Fixture,
    size: usize,
}

impl Site {
    /// A site whose every page waits `delay`, then answers `status` with `size` bytes.
    pub(super) async fn start(delay: Duration, status: u16, size: usize) -> Result<Site, Failure> {
        let defaults = PageDefaults {
            delay,
            status,
            size,
        };
        let fixture = Fixture::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), defaults).await?;
        Ok(Site { fixture, size })
    }

    /// A site of pages answered at once with status 200.
    pub(super) async fn ok(size: usize) -> Result<Site, Failure> {
        Site::start(Duration::ZERO, 200, size).await
    }

    /// The URL of page `name`: no query string.
    pub(super) fn url(&self, name: &str) -> String {
        self.fixture.page_url(name)
    }

    /// The bytes page `name` answers with.
    pub(super) fn body(&self, name: &str) -> Vec<u8> {
        body(name, self.size)
    }

    /// The site's port, as the URLs spell it.
    pub(super) fn port(&self) -> u16 {
        self.fixture.addr().port()
    }

    /// Requests received so far.
    pub(super) fn requests(&self) -> usize {
        self.fixture.requests()
    }

    /// The most requests served at the same time.
    pub(super) fn max_in_flight(&self) -> usize {
        self.fixture.max_in_flight()
    }
}

/// The names a page's file may have, CONTRACT.md's first. The course names the file of
/// `https://www.ynov.com/` `web_www.ynov.com_`: `web_`, then the URL without its scheme,
/// with `/` replaced by `_`. Programs read that rule three reasonable ways, and each is
/// accepted:
/// - every character unsafe in a file name replaced (CONTRACT.md's rule, this project's
///   [`file_name`](crate::part1::urls::file_name)): `web_127.0.0.1_8000_page_x`;
/// - only `/` replaced, as the course says: `web_127.0.0.1:8000_page_x`;
/// - only `https://` removed, the course's URLs all being `https`, which leaves the
///   fixture's `http://` in: `web_http:__127.0.0.1:8000_page_x`.
pub(super) fn page_file_names(url: &str) -> Vec<String> {
    let without_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let mut names: Vec<String> = Vec::with_capacity(3);
    for name in [
        crate::part1::urls::file_name(url),
        format!("web_{}", without_scheme.replace('/', "_")),
        format!("web_{}", url.replace('/', "_")),
    ] {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// Fails unless the page of `url` is in `out_dir` under one of its [`page_file_names`],
/// with exactly the bytes `expected`.
pub(super) fn expect_page(out_dir: &Path, url: &str, expected: &[u8]) -> Result<(), Failure> {
    let names = page_file_names(url);
    match names.iter().map(|n| out_dir.join(n)).find(|p| p.exists()) {
        Some(path) => expect_file(&path, expected),
        None => {
            let listing = list_dir(out_dir);
            let others: Vec<String> = names[1..].iter().map(|n| show(n)).collect();
            fail(format!(
                "expected the page of {url} in {} (or {}) got no readable file; the directory holds: {listing}",
                out_dir.join(&names[0]).display(),
                others.join(" or ")
            ))
        }
    }
}

/// Every file [`page_file_names`] may give the page of `url` in `out_dir`, for cleaning up.
pub(super) fn page_paths(out_dir: &Path, url: &str) -> Vec<PathBuf> {
    page_file_names(url)
        .iter()
        .map(|n| out_dir.join(n))
        .collect()
}

/// What a failure report must name besides the URL. It is looked for in the report with
/// every copy of the URL removed, so a URL that happens to contain `404` never names the
/// reason on its own.
#[derive(Debug, Clone, Copy)]
pub(super) enum Reason {
    /// An HTTP error: its status as a number (`404`, `HTTP 404`, `404 Client Error`) or its
    /// reason phrase (`Not Found`), as HTTP libraries word it.
    Status(u16),
    /// A refused connection, in any of the words libraries and learners use for it
    /// ([`REFUSED_WORDS`]).
    Refused,
}

/// Words that name a connection failure (matched case-insensitively, also inside longer
/// words): `Connection refused`, `[Errno 111]`, `ConnectionRefusedError`, aiohttp's
/// `Cannot connect to host`, httpx's `ConnectError`, Rust's `os error 111`, Windows's
/// `actively refused it`, French `connexion refusée` or `impossible de joindre`.
pub(super) const REFUSED_WORDS: &[&str] = &[
    "refus",
    "connect",
    "connexion",
    "errno",
    "os error",
    "unreachable",
    "injoignable",
    "joindre",
];

impl Reason {
    /// True when `text` (the URL already removed) names this reason.
    fn named_in(self, text: &str) -> bool {
        match self {
            Reason::Status(status) => {
                let code = status.to_string();
                let phrase = hyper::StatusCode::from_u16(status)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .map(str::to_lowercase);
                has_number(text, &code) || phrase.is_some_and(|p| text.to_lowercase().contains(&p))
            }
            Reason::Refused => {
                let text = text.to_lowercase();
                REFUSED_WORDS.iter().any(|w| text.contains(w))
            }
        }
    }

    /// How a failure message names it.
    fn describe(self) -> String {
        match self {
            Reason::Status(status) => {
                match hyper::StatusCode::from_u16(status)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                {
                    Some(phrase) => format!("the status ({status} or \"{phrase}\")"),
                    None => format!("the status ({status})"),
                }
            }
            Reason::Refused => "why (e.g. \"Connection refused\")".to_string(),
        }
    }
}

/// True when `text` holds `digits` as a whole number, not inside a longer one.
fn has_number(text: &str, digits: &str) -> bool {
    text.match_indices(digits).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + digits.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_digit()) && !after.is_some_and(|c| c.is_ascii_digit())
    })
}

/// Fails unless the program's output (stdout and stderr together: a one-URL program may
/// report on either, over one line or several) contains `url` and, outside it, `reason`.
pub(super) fn expect_report(done: &Finished, url: &str, reason: Reason) -> Result<(), Failure> {
    let output = format!("{}\n{}", done.stdout_lines().join("\n"), done.stderr);
    if output.contains(url) && reason.named_in(&output.replace(url, " ")) {
        return Ok(());
    }
    fail(format!(
        "expected the URL {} and {} on stdout or stderr got {}",
        show(url),
        reason.describe(),
        outputs(done)
    ))
}

/// Fails unless one line of stdout or stderr contains `url` and, outside it, `reason`: in
/// a list, a failure is reported on the URL's own line.
pub(super) fn expect_report_line(
    done: &Finished,
    url: &str,
    reason: Reason,
) -> Result<(), Failure> {
    let stdout = done.stdout_lines();
    let mut lines = stdout.iter().copied().chain(done.stderr.lines());
    if lines.any(|line| line.contains(url) && reason.named_in(&line.replace(url, " "))) {
        return Ok(());
    }
    fail(format!(
        "expected a line on stdout or stderr with the URL {} and {} got {}",
        show(url),
        reason.describe(),
        outputs(done)
    ))
}

/// The last lines of both streams, for failure messages: a report (or the traceback that
/// replaced it) ends the output. Stderr, shown as [`excerpt`] does, comes last.
fn outputs(done: &Finished) -> String {
    let last = |lines: Vec<&str>| {
        let kept: Vec<&str> = lines.into_iter().filter(|l| !l.trim().is_empty()).collect();
        match kept.len() {
            0 => "nothing".to_string(),
            n => show(&kept[n.saturating_sub(3)..].join("\n")),
        }
    };
    format!(
        "stdout: {}; stderr:{}",
        last(done.stdout_lines()),
        excerpt(&done.stderr)
    )
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

/// A program's stderr as [`process::stderr_tail`] shows it (a Python traceback whole), one
/// line per line after a line end, or ` nothing`: for the end of failure messages.
fn excerpt(stderr: &str) -> String {
    process::stderr_tail(stderr).unwrap_or_else(|| " nothing".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_file_may_be_named_by_the_course_or_sanitised() {
        assert_eq!(
            page_file_names("http://127.0.0.1:8000/page/x"),
            [
                "web_127.0.0.1_8000_page_x",
                "web_127.0.0.1:8000_page_x",
                "web_http:__127.0.0.1:8000_page_x",
            ]
        );
        // The course's own example: both rules give the same name.
        assert_eq!(
            page_file_names("https://www.ynov.com/"),
            ["web_www.ynov.com_", "web_https:__www.ynov.com_"]
        );
    }

    #[test]
    fn a_status_is_named_by_its_number_or_its_phrase() {
        let named = |text: &str| Reason::Status(404).named_in(text);
        assert!(named("404 Client Error: Not Found for url:  "));
        assert!(named("Erreur HTTP 404"));
        assert!(named("status=404"));
        assert!(named("HTTP Error: not found"));
        assert!(!named("Erreur : impossible de télécharger  "));
        assert!(!named("page 14045 failed"));
        assert!(Reason::Status(500).named_in("500, message='Internal Server Error'"));
    }

    #[test]
    fn a_refused_connection_is_named_in_many_words() {
        for text in [
            "[Errno 111] Connection refused",
            "Cannot connect to host 127.0.0.1:9 ssl:default",
            "ConnectError",
            "cannot connect: Connection refused (os error 111)",
            "connexion refusée",
            "No connection could be made because the target machine actively refused it",
        ] {
            assert!(Reason::Refused.named_in(text), "{text}");
        }
        assert!(!Reason::Refused.named_in("Erreur :  a échoué"));
    }

    #[test]
    fn whole_numbers_only() {
        assert!(has_number("404", "404"));
        assert!(has_number("a404b", "404"));
        assert!(!has_number("4040", "404"));
        assert!(!has_number("1404", "404"));
    }
}
