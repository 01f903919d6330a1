//! How every binary reports a fatal error: one line on stderr, `error: <message>`.
//!
//! The style is clap's, so a mistyped flag and a refused connection read the same way:
//! `error: cannot connect to 127.0.0.1:8888: Connection refused`, every cause on the same
//! line, exit code 1 ([`fatal`]). Command-line mistakes get the same treatment from
//! [`parse_args`] and [`usage_error`]: one line, exit code 2. A binary with no arguments
//! where it needs a subcommand gets its usage, as clap prints it.
//!
//! `main` returns an `ExitCode`: [`exit_code`] of the program's run, a function returning
//! `anyhow::Result<()>` where `?` works as usual. (Returning a `Result` from `main` itself
//! would print `Error: …` with a capital E, which the standard library adds and nothing can
//! change.)

use clap::Parser;
use clap::error::ErrorKind;
use std::process::ExitCode;

/// Exit code for bad usage (the convention clap and most tools follow).
pub const USAGE_EXIT: u8 = 2;

/// Exit code of a run that could not be made at all.
pub const FATAL_EXIT: u8 = 1;

/// Parses the command line; on an error prints it as one line, control characters made
/// visible, and exits with code 2.
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
        // Clap quotes the value it refused as it was given: control characters in it are
        // shown visibly (`^[`), never sent to the terminal.
        let line = one_line_error(&err.render().to_string());
        eprintln!("{}", crate::visible::visible(&line));
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

/// What `main` returns for the result of the program's run: success, or the error on one
/// line (see [`fatal`]).
pub fn exit_code(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fatal(e),
    }
}

/// Prints `error: <message>: <cause>: …` on one line and returns exit code 1, for `main`
/// to return when the run could not be made; an invalid setting of bonus 3 returns its own
/// code (1 to 4, see [`SettingsError::exit_code`](crate::settings::SettingsError::exit_code)).
pub fn fatal(error: impl Into<anyhow::Error>) -> ExitCode {
    let error = error.into();
    eprintln!("error: {error:#}");
    match error.downcast_ref::<crate::settings::SettingsError>() {
        Some(setting) => ExitCode::from(setting.exit_code()),
        None => ExitCode::from(FATAL_EXIT),
    }
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
