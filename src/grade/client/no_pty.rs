//! The pseudo-terminal mode where there are no pseudo-terminals (Windows).
//!
//! `grade client --tty` runs a client on a Unix pty (`pty.rs`); other platforms have no such
//! thing (Windows' ConPTY is a different API, not ported). This stand-in has the same
//! interface so that the rest of the client checks build everywhere: starting a program
//! fails with [`TTY_UNSUPPORTED`], so no `PtyProgram` value can ever exist and its methods are
//! unreachable.

use super::TTY_UNSUPPORTED;
use crate::grade::{Failure, fail};
use std::convert::Infallible;
use std::io;
use std::process::ExitStatus;
use std::time::Duration;

/// A program on a pseudo-terminal: never constructed on this platform.
pub(super) struct PtyProgram {
    /// Uninhabited: proves to the compiler that the methods below never run.
    never: Infallible,
}

impl PtyProgram {
    /// Always fails: there is no pseudo-terminal to start `_argv` on.
    pub(super) fn spawn(_argv: &[String]) -> Result<PtyProgram, Failure> {
        fail(TTY_UNSUPPORTED)
    }

    /// Unreachable (no value of this type exists).
    pub(super) async fn type_line(&mut self, _line: &str) -> io::Result<()> {
        match self.never {}
    }

    /// Unreachable (no value of this type exists).
    pub(super) async fn end_input(&mut self) -> io::Result<()> {
        match self.never {}
    }

    /// Unreachable (no value of this type exists).
    pub(super) async fn next_line(&mut self, _timeout: Duration) -> Option<String> {
        match self.never {}
    }

    /// Unreachable (no value of this type exists).
    pub(super) async fn wait_exit(&mut self, _timeout: Duration) -> Option<ExitStatus> {
        match self.never {}
    }

    /// Unreachable (no value of this type exists).
    pub(super) async fn stop(&mut self) -> Vec<String> {
        match self.never {}
    }
}
