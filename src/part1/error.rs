//! [`FetchError`]: why one URL failed, as one line that names the URL.
//!
//! The multiple downloads report a failure and go on with the other URLs, so the error is
//! per URL and printable as it is; callers branch on the kind (a timeout is not a 404).

use std::io;
use std::path::PathBuf;
use std::time::Duration;

/// Why one URL could not be downloaded and written. `Display` is one line:
/// `<url>: <reason>`.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// Not an absolute `http://` or `https://` URL; nothing was sent.
    #[error("{url}: invalid URL: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The server answered with a status of 400 or more.
    #[error("{url}: HTTP status {status}")]
    Status {
        /// The URL requested.
        url: String,
        /// The status, shown with its reason phrase (`404 Not Found`).
        status: reqwest::StatusCode,
    },
    /// No complete answer within the per-request limit (`--timeout`).
    #[error("{url}: timed out after {} s", .limit.as_secs_f64())]
    Timeout {
        /// The URL requested.
        url: String,
        /// The limit that was exceeded.
        limit: Duration,
    },
    /// Any other network failure: DNS, connection refused, reset, TLS, a broken body.
    #[error("{url}: {reason}")]
    Request {
        /// The URL requested.
        url: String,
        /// The innermost cause, which is the one a person can act on.
        reason: String,
    },
    /// The page arrived but could not be written.
    #[error("{url}: cannot write {}: {source}", .path.display())]
    Write {
        /// The URL downloaded.
        url: String,
        /// The file that could not be written.
        path: PathBuf,
        /// What the OS said.
        source: io::Error,
    },
}

impl FetchError {
    /// The URL that failed.
    pub fn url(&self) -> &str {
        match self {
            FetchError::InvalidUrl { url, .. }
            | FetchError::Status { url, .. }
            | FetchError::Timeout { url, .. }
            | FetchError::Request { url, .. }
            | FetchError::Write { url, .. } => url,
        }
    }

    /// Classifies a reqwest error for `url`; `limit` is the timeout that was in force.
    pub fn from_reqwest(url: &str, limit: Duration, err: &reqwest::Error) -> Self {
        let url = one_line(url);
        if err.is_timeout() {
            return FetchError::Timeout { url, limit };
        }
        if let Some(status) = err.status() {
            return FetchError::Status { url, status };
        }
        let cause = one_line(&innermost(err));
        let reason = if err.is_connect() {
            format!("cannot connect: {cause}")
        } else if err.is_body() || err.is_decode() {
            format!("reading the body: {cause}")
        } else if err.is_redirect() {
            format!("redirect: {cause}")
        } else {
            cause
        };
        FetchError::Request { url, reason }
    }

    /// A write failure of `path` for `url`.
    pub fn write(url: &str, path: PathBuf, source: io::Error) -> Self {
        FetchError::Write {
            url: one_line(url),
            path,
            source,
        }
    }
}

/// Parses `url` and accepts it only when it is absolute `http`/`https` with a host, so that
/// a typo is reported as such rather than as reqwest's "builder error".
pub fn parse_url(url: &str) -> Result<reqwest::Url, FetchError> {
    let invalid = |reason: String| FetchError::InvalidUrl {
        url: one_line(url),
        reason,
    };
    let parsed = reqwest::Url::parse(url).map_err(|e| invalid(e.to_string()))?;
    match parsed.scheme() {
        "http" | "https" => {}
        other => {
            return Err(invalid(format!(
                "unsupported scheme {other:?} (http or https)"
            )));
        }
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid("no host".to_string()));
    }
    Ok(parsed)
}

/// The deepest source of `err`: reqwest's own message only repeats the URL, the OS error at
/// the bottom of the chain says what happened.
fn innermost(err: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// Keeps a report on one line whatever the input holds.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_urls_are_named_and_explained() {
        for (url, why) in [
            ("not a url", "relative URL"),
            ("ftp://example.com/", "unsupported scheme \"ftp\""),
            ("http://", "empty host"),
            ("file:///etc/passwd", "unsupported scheme"),
        ] {
            let err = parse_url(url).expect_err(url).to_string();
            assert!(err.starts_with(&format!("{url}: invalid URL: ")), "{err}");
            assert!(err.contains(why), "{url}: {err}");
        }
        assert!(parse_url("https://www.ynov.com/").is_ok());
    }

    #[test]
    fn reports_stay_on_one_line() {
        let line = parse_url("ftp://a\nb/").expect_err("ftp").to_string();
        assert!(line.starts_with("ftp://a b/: invalid URL"), "{line:?}");
        let err = FetchError::write("u\r\n", "/x".into(), io::Error::other("disk full"));
        assert_eq!(err.to_string(), "u  : cannot write /x: disk full");
    }

    #[test]
    fn status_and_timeout_say_what_happened() {
        let e = FetchError::Status {
            url: "u".into(),
            status: reqwest::StatusCode::NOT_FOUND,
        };
        assert_eq!(e.to_string(), "u: HTTP status 404 Not Found");
        let e = FetchError::Timeout {
            url: "u".into(),
            limit: Duration::from_millis(1500),
        };
        assert_eq!(e.to_string(), "u: timed out after 1.5 s");
        assert_eq!(e.url(), "u");
    }
}
