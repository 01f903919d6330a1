//! How every binary reports a fatal error: one line on stderr, exit code 1.
//!
//! Returning `anyhow::Result` from `main` prints the error with `Debug`, which spreads the
//! causes over several lines and appends a backtrace when `RUST_BACKTRACE` is set. A learner
//! who mistyped a flag deserves one clear line: `Error: cannot connect to 127.0.0.1:8888:
//! Connection refused`. Command-line mistakes get the same treatment from [`parse_args`]:
//! clap's message on one line, exit code 2; a missing subcommand gets the usage.

use clap::Parser;
use clap::error::ErrorKind;
use std::fmt;
use std::process::ExitCode;

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

/// Exit code for bad usage (the convention clap and most tools follow).
pub const USAGE_EXIT: u8 = 2;

/// Parses the command line; on an error prints it as one line and exits with code 2.
/// `--help` and `--version` print as usual, and so does the usage that clap shows when a
/// required subcommand is missing (`grade` alone lists its subcommands, exit code 2).
pub fn parse_args<T: Parser>() -> T {
    T::try_parse().unwrap_or_else(|err| {
        if matches!(
            err.kind(),
            ErrorKind::DisplayHelp
                | ErrorKind::DisplayVersion
                | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        ) {
            err.exit();
        }
        eprintln!("{}", one_line_error(&err.render().to_string()));
        std::process::exit(USAGE_EXIT.into());
    })
}

/// Clap's message without its usage block and "For more information" hint, on one line:
/// `error: invalid value 'abc' for '--count <N>': invalid digit found in string`.
fn one_line_error(rendered: &str) -> String {
    rendered
        .lines()
        .map(str::trim)
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Prints `error: <message>` and returns the usage exit code, for `main` to return.
pub fn usage_error(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(USAGE_EXIT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_errors_fit_on_one_line() {
        let rendered = "error: invalid value 'abc' for '--count <N>': invalid digit found in string\n\nFor more information, try '--help'.\n";
        assert_eq!(
            one_line_error(rendered),
            "error: invalid value 'abc' for '--count <N>': invalid digit found in string"
        );
        let rendered = "error: the following required arguments were not provided:\n  <URL>\n\nUsage: web_sync <URL>\n\nFor more information, try '--help'.\n";
        assert_eq!(
            one_line_error(rendered),
            "error: the following required arguments were not provided: <URL>"
        );
    }
}
