//! The Part I checks, written against any command: this project's binaries or a student's
//! `python3 web_sync.py`.
//!
//! A [`Part1Target`] is a command template. The checks fill in the placeholders they know:
//!
//! | placeholder | stages | filled with |
//! |---|---|---|
//! | `{url}` | `web_sync`, `web_async` | a page of the loopback [fixture](super::fixture) |
//! | `{output}` | `web_sync`, `web_async` | a file in a fresh temporary directory |
//! | `{urls_file}` | `web_*_multiple`, `measure` | a URL list written by the check |
//! | `{out_dir}` | `web_*_multiple`, `measure` | a fresh temporary directory |
//!
//! Without `{output}` or `{out_dir}` the program is assumed to write where CONTRACT.md says
//! by default (`/tmp/web_page`, `/tmp`); the check then cleans up after itself. A check that
//! needs `{url}` or `{urls_file}` is skipped when the template lacks it (a program with
//! hard-coded URLs cannot be pointed at the fixture). The sleep programs take no
//! placeholder: their count and interval are read back from their own output.

mod common;
mod measure;
mod multiple;
mod private_tmp;
mod single;
mod sleep;

use super::Check;
use super::process::mentions as process_mentions;

/// A Part I program under test.
#[derive(Debug, Clone)]
pub struct Part1Target {
    /// The command and its arguments, with the placeholders of the module docs.
    pub command: Vec<String>,
}

impl Part1Target {
    /// Why this target's program shares the machine's `/tmp` with every other program,
    /// when it does: its command takes no `{output}` or `{out_dir}` (so it writes under
    /// `/tmp`) and this machine cannot give it a `/tmp` of its own. For the report.
    pub fn shared_tmp_note(&self) -> Option<&'static str> {
        let writes_tmp = !process_mentions(&self.command, "output")
            && !process_mentions(&self.command, "out_dir");
        (writes_tmp && private_tmp::PrivateTmp::new().is_none())
            .then_some(private_tmp::SHARED_TMP_NOTE)
    }

    /// A target from any list of arguments.
    pub fn new<S: Into<String>>(command: impl IntoIterator<Item = S>) -> Self {
        Part1Target {
            command: command.into_iter().map(Into::into).collect(),
        }
    }
}

/// The stages this module has checks for, in course order.
pub const STAGES: &[&str] = &[
    "sleep_and_print",
    "sleep_and_print_async",
    "web_sync",
    "web_async",
    "web_sync_multiple",
    "web_async_multiple",
    "measure",
];

/// The checks of a Part I stage (empty for any other id): its own, earlier stages' not
/// included, so all of them are new at that stage; each must fail against the previous
/// stage's program unless it declares that it holds before (tests/previous_stage.rs proves
/// both).
pub fn checks(stage_id: &str) -> Vec<Check<Part1Target>> {
    let Some(stage) = STAGES.iter().copied().find(|s| *s == stage_id) else {
        return Vec::new();
    };
    match stage {
        "sleep_and_print" => vec![
            check!(
                "sleep_and_print",
                "order",
                Course,
                "prints 1..n then 1..n (or 0..n-1 twice), and exits 0",
                sleep::sequential_order
            ),
            check!(
                "sleep_and_print",
                "paced",
                Course,
                "pauses about the same interval after every number, the second count after the first",
                sleep::sequential_pace
            ),
            check!(
                "sleep_and_print",
                "exits_promptly",
                Course,
                "exits at most one pause (and 0.3 s) after its last number, with no longer sleep at the end",
                sleep::sequential_exit
            ),
        ],
        "sleep_and_print_async" => vec![
            check!(
                "sleep_and_print_async",
                "interleaved",
                Course,
                "prints 1 1 2 2 … n n (or from 0), and exits 0",
                sleep::interleaved_order
            ),
            check!(
                "sleep_and_print_async",
                "concurrent",
                Course,
                "prints each pair together, one interval apart, in about half a sequential run's time",
                sleep::concurrent_pace
            ),
            check!(
                "sleep_and_print_async",
                "exits_promptly",
                Course,
                "exits at most one pause (and 0.3 s) after its last number, with no longer sleep at the end",
                sleep::concurrent_exit,
                holds_before = "the sequential counter stops after its counts too: ending promptly is kept, not added"
            ),
        ],
        "web_sync" => vec![
            check!(
                "web_sync",
                "writes_page",
                Course,
                "writes the page's exact bytes to the output file, exits 0",
                single::writes_page
            ),
            check!(
                "web_sync",
                "overwrites",
                Course,
                "a second run replaces the file (shorter page, no leftover bytes)",
                single::overwrites
            ),
            check!(
                "web_sync",
                "http_error",
                Course,
                "HTTP 404 and 500: the URL and the status reported (stdout or stderr)",
                single::http_error
            ),
            check!(
                "web_sync",
                "unreachable",
                Course,
                "a refused connection: the URL and the reason reported (stdout or stderr)",
                single::unreachable
            ),
            check!(
                "web_sync",
                "failure_exit",
                Robust,
                "exit code 0 after a download, non-zero after an HTTP 404 or a refused connection",
                single::failure_exit
            ),
        ],
        "web_async" => vec![
            check!(
                "web_async",
                "writes_page",
                Course,
                "writes the page's exact bytes to the output file, exits 0",
                single::writes_page,
                holds_before = "web_async is web_sync with async reqwest and tokio::fs (CONTRACT.md): web_sync writes the exact page and exits 0 too; the check guards the rewrite"
            ),
            check!(
                "web_async",
                "overwrites",
                Course,
                "a second run replaces the file (shorter page, no leftover bytes)",
                single::overwrites,
                holds_before = "web_async is web_sync with async reqwest and tokio::fs (CONTRACT.md): web_sync replaces the file too; the check guards the rewrite (an async append is as easy to write)"
            ),
            check!(
                "web_async",
                "http_error",
                Course,
                "HTTP 404 and 500: the URL and the status reported (stdout or stderr)",
                single::http_error,
                holds_before = "web_async is web_sync with async reqwest and tokio::fs (CONTRACT.md): web_sync reports the URL and the status too; the check guards the rewrite"
            ),
            check!(
                "web_async",
                "unreachable",
                Course,
                "a refused connection: the URL and the reason reported (stdout or stderr)",
                single::unreachable,
                holds_before = "web_async is web_sync with async reqwest and tokio::fs (CONTRACT.md): web_sync reports the URL and the reason too; the check guards the rewrite"
            ),
            check!(
                "web_async",
                "failure_exit",
                Robust,
                "exit code 0 after a download, non-zero after an HTTP 404 or a refused connection",
                single::failure_exit,
                holds_before = "web_async is web_sync with async reqwest and tokio::fs (CONTRACT.md): web_sync exits 0 after a download and non-zero after a failure too; the check guards the rewrite"
            ),
        ],
        "web_sync_multiple" => vec![
            check!(
                "web_sync_multiple",
                "writes_all",
                Course,
                "writes every page to <out_dir>/web_<name> with its exact bytes, exits 0",
                multiple::writes_all
            ),
            check!(
                "web_sync_multiple",
                "list_format",
                Robust,
                "trims lines, skips blank lines and # comments (no request for them)",
                multiple::list_format
            ),
            check!(
                "web_sync_multiple",
                "reports",
                Course,
                "prints one line per URL, then a total time",
                multiple::reports
            ),
            check!(
                "web_sync_multiple",
                "failure_isolated",
                Robust,
                "a failing URL is reported with its reason (stdout or stderr), the others are still written, exit non-zero",
                multiple::failure_isolated
            ),
            check!(
                "web_sync_multiple",
                "sequential",
                Course,
                "downloads one page at a time",
                multiple::sequential
            ),
        ],
        "web_async_multiple" => vec![
            check!(
                "web_async_multiple",
                "writes_all",
                Course,
                "writes every page to <out_dir>/web_<name> with its exact bytes, exits 0",
                multiple::writes_all,
                holds_before = "web_async_multiple downloads web_sync_multiple's list concurrently, the outcome unchanged: web_sync_multiple writes every page too; the check guards the concurrent rewrite"
            ),
            check!(
                "web_async_multiple",
                "list_format",
                Robust,
                "trims lines, skips blank lines and # comments (no request for them)",
                multiple::list_format,
                holds_before = "web_async_multiple downloads web_sync_multiple's list concurrently, the outcome unchanged: web_sync_multiple reads the list the same way; the check guards the concurrent rewrite"
            ),
            check!(
                "web_async_multiple",
                "reports",
                Course,
                "prints one line per URL, then a total time",
                multiple::reports,
                holds_before = "web_async_multiple downloads web_sync_multiple's list concurrently, the outcome unchanged: web_sync_multiple prints a line per URL and a total too; the check guards the concurrent rewrite"
            ),
            check!(
                "web_async_multiple",
                "failure_isolated",
                Robust,
                "a failing URL is reported with its reason (stdout or stderr), the others are still written, exit non-zero",
                multiple::failure_isolated,
                holds_before = "web_async_multiple downloads web_sync_multiple's list concurrently, the outcome unchanged: web_sync_multiple goes on after a failing URL too; the check guards a concurrent rewrite where one failure would end every download"
            ),
            check!(
                "web_async_multiple",
                "concurrent",
                Course,
                "8 pages of 400 ms: several requests in flight at once, done in under half of 3.2 s",
                multiple::concurrent
            ),
        ],
        "measure" => vec![
            check!(
                "measure",
                "times",
                Course,
                "prints the sequential time, the concurrent time and the speed-up, all plausible",
                measure::times
            ),
            check!(
                "measure",
                "files",
                Course,
                "both runs write every page with its exact bytes",
                measure::files
            ),
        ],
        _ => Vec::new(),
    }
}
