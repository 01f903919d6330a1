//! How every binary reports a fatal error: one line on stderr, exit code 1.
//!
//! Returning `anyhow::Result` from `main` prints the error with `Debug`, which spreads the
//! causes over several lines and appends a backtrace when `RUST_BACKTRACE` is set. A learner
//! who mistyped a flag deserves one clear line: `Error: cannot connect to 127.0.0.1:8888:
//! Connection refused`.

use std::fmt;

/// A fatal error of a binary; `main` returns `Result<(), Fatal>`.
pub struct Fatal(anyhow::Error);

impl fmt::Debug for Fatal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `{:#}` joins the context chain on one line: "outer: inner: root cause".
        write!(f, "{:#}", self.0)
    }
}

impl<E: Into<anyhow::Error>> From<E> for Fatal {
    fn from(e: E) -> Self {
        Fatal(e.into())
    }
}

/// What `main` returns.
pub type MainResult = Result<(), Fatal>;
