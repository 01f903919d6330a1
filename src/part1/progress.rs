//! The progress bar of long downloads: `web_async_multiple`, and both runs of `measure`.
//!
//! A list of sixty pages takes a while one after the other; a bar on stderr shows that the
//! program is working and how far it is. It appears only when it helps and cannot get in
//! the way: for lists longer than [`THRESHOLD`], when stderr is a terminal. Anywhere else
//! (a pipe, a file, a grader reading the output) the bar is hidden and the output stays
//! plain text. Print through [`indicatif::ProgressBar::suspend`] while a bar is shown, and
//! clear it with `finish_and_clear` before the closing lines.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// Lists longer than this get a bar (when stderr is a terminal).
pub const THRESHOLD: usize = 20;

/// A bar for `len` pages on stderr, `label` in front (`sync: ███░░ 12/60 pages, 3s`); a
/// hidden one for short lists or when stderr is not a terminal.
pub fn bar(len: usize, label: &str) -> ProgressBar {
    if len <= THRESHOLD || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
    let template = if label.is_empty() {
        "{bar:40} {pos}/{len} pages, {elapsed}"
    } else {
        "{prefix}: {bar:40} {pos}/{len} pages, {elapsed}"
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar.set_prefix(label.to_string());
    bar
}
