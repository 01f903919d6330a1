//! Part I building blocks: what the warm-up stages share, so that each binary shows only
//! its own lesson.
//!
//! | module | used by | what it is |
//! |---|---|---|
//! | [`count`] | `sleep_and_print`, `sleep_and_print_async` | the counting function, blocking and async |
//! | [`urls`] | `web_*_multiple`, `measure` | URL lists and the `web_<name>` file naming |
//! | [`fetch`] | `web_sync`, `web_sync_multiple` | blocking download and `std::fs` write |
//! | [`fetch_async`] | `web_async`, `web_async_multiple` | async download and `tokio::fs` write |
//! | [`error`] | every web stage | [`FetchError`]: one failed URL, one line |
//! | [`cli`] | every Part I binary | flag parsing with one-line errors, shared option checks |
//! | [`summary`] | every web stage | the per-URL report lines and the exit code |
//! | [`progress`] | `web_async_multiple`, `measure` | the progress bar of long lists, on a terminal only |

pub mod cli;
pub mod count;
pub mod error;
pub mod fetch;
pub mod fetch_async;
pub mod progress;
pub mod summary;
pub mod urls;

pub use error::FetchError;

/// The list used when `web_*_multiple` or `measure` get no file: `urls.txt` at the crate
/// root, compiled in so that the binaries work from any directory.
pub const BUNDLED_URLS: &str = include_str!("../../urls.txt");

/// Default `--timeout`, in seconds: the limit for one request.
pub const DEFAULT_TIMEOUT_SECS: u64 = 10;

/// Default `--output` of `web_sync` and `web_async` (the course's).
pub const DEFAULT_OUTPUT: &str = "/tmp/web_page";

/// Default `--out-dir` of the multiple downloads and `measure` (the course's).
pub const DEFAULT_OUT_DIR: &str = "/tmp";

/// Sent with every request: some sites refuse clients that do not say who they are.
pub const USER_AGENT: &str = concat!("tp6-course/", env!("CARGO_PKG_VERSION"));
