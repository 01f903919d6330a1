//! Command-line plumbing shared by the Part I binaries: one-line errors and the options
//! every web stage has (`--timeout`, and the list, `--out-dir` of the multiple downloads).
//!
//! Bad input is reported as a single `error: …` line on stderr naming the flag, file or
//! value (a line of the URL file as `FILE:LINE: …`), with exit code 2
//! ([`crate::error::parse_args`], [`crate::error::usage_error`]); nothing is downloaded or
//! written before the input is checked.

use super::urls::{parse_url_file, parse_url_list};
use super::{BUNDLED_URLS, DEFAULT_OUT_DIR, DEFAULT_TIMEOUT_SECS};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `--timeout`, shared by every web binary.
#[derive(Debug, Clone, clap::Args)]
pub struct TimeoutArg {
    /// Limit for one request (connection, answer and body), in seconds
    #[arg(
        long = "timeout",
        value_name = "SECS",
        default_value_t = DEFAULT_TIMEOUT_SECS,
        allow_negative_numbers = true,
        value_parser = clap::value_parser!(u64).range(1..=86_400),
    )]
    pub secs: u64,
}

impl TimeoutArg {
    /// The limit as a duration.
    pub fn limit(&self) -> Duration {
        Duration::from_secs(self.secs)
    }
}

/// The arguments of the multiple downloads and `measure`: the list and where pages go.
#[derive(Debug, Clone, clap::Args)]
pub struct ListArgs {
    /// File with one URL per line (blank lines and # comments skipped) [default: the
    /// bundled list of ten well-known sites]
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,

    /// Where the pages go, each as `web_<name>`; created if it does not exist.
    #[arg(long, value_name = "DIR", default_value = DEFAULT_OUT_DIR,
          help = "Directory the pages are written to, each as web_<name> (created if missing)")]
    pub out_dir: PathBuf,

    #[command(flatten)]
    pub timeout: TimeoutArg,
}

impl ListArgs {
    /// The URLs to download, after reading the list (an empty one is fine) and making sure
    /// `--out-dir` is a directory, created if missing, so that bad input stops the program
    /// before any download.
    pub fn load(&self) -> Result<Vec<String>, String> {
        let urls = self.read_list()?;
        prepare_dir(&self.out_dir)?;
        Ok(urls)
    }

    /// [`ListArgs::load`] for a program that has nothing to do without URLs: a list with
    /// none (only blank lines and comments) is an error, found before `--out-dir` is made.
    pub fn load_non_empty(&self) -> Result<Vec<String>, String> {
        let urls = self.read_list()?;
        if urls.is_empty() {
            let file = self.file.as_deref().unwrap_or(Path::new("the URL list"));
            return Err(format!(
                "{}: no URL in it (only blank lines and # comments)",
                file.display()
            ));
        }
        prepare_dir(&self.out_dir)?;
        Ok(urls)
    }

    fn read_list(&self) -> Result<Vec<String>, String> {
        let Some(file) = &self.file else {
            return Ok(parse_url_list(BUNDLED_URLS));
        };
        let bytes = std::fs::read(file)
            .map_err(|e| format!("cannot read URL file {}: {e}", file.display()))?;
        parse_url_file(&bytes).map_err(|bad| format!("{}:{bad}", file.display()))
    }
}

/// Makes sure `dir` is a directory, creating it (and its parents) when it does not exist.
fn prepare_dir(dir: &Path) -> Result<(), String> {
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(format!("--out-dir {}: not a directory", dir.display())),
        // Whatever hides it (missing, a file on the path, no permission), making it either
        // works or says why it cannot.
        Err(_) => std::fs::create_dir_all(dir)
            .map_err(|e| format!("--out-dir {}: cannot create it: {e}", dir.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(file: &Path, dir: &Path) -> ListArgs {
        ListArgs {
            file: Some(file.into()),
            out_dir: dir.into(),
            timeout: TimeoutArg { secs: 1 },
        }
    }

    #[test]
    fn a_missing_list_is_named_and_nothing_is_created() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let out = tmp.path().join("out");
        let err = args(Path::new("/nonexistent/urls.txt"), &out)
            .load()
            .expect_err("no file");
        assert!(
            err.starts_with("cannot read URL file /nonexistent/urls.txt: "),
            "{err}"
        );
        assert!(!out.exists(), "--out-dir made before the list was read");
    }

    #[test]
    fn a_missing_directory_is_created_and_an_impossible_one_named() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let list = tmp.path().join("urls.txt");
        std::fs::write(&list, "http://a.example/\n").expect("write list");
        let out = tmp.path().join("new/pages");
        assert_eq!(
            args(&list, &out).load().expect("created"),
            ["http://a.example/"]
        );
        assert!(out.is_dir());
        let under_a_file = list.join("pages");
        let err = args(&list, &under_a_file).load().expect_err("under a file");
        let prefix = format!("--out-dir {}: cannot create it: ", under_a_file.display());
        assert!(err.starts_with(&prefix), "{err}");
        let err = args(&list, &list).load().expect_err("a file");
        assert_eq!(
            err,
            format!("--out-dir {}: not a directory", list.display())
        );
    }

    #[test]
    fn an_empty_list_is_refused_only_where_asked() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let list = tmp.path().join("urls.txt");
        std::fs::write(&list, "# nothing yet\n\n").expect("write list");
        let out = tmp.path().join("out");
        let err = args(&list, &out).load_non_empty().expect_err("empty");
        assert_eq!(
            err,
            format!(
                "{}: no URL in it (only blank lines and # comments)",
                list.display()
            )
        );
        assert!(
            !out.exists(),
            "--out-dir made for a list with nothing to do"
        );
        assert_eq!(args(&list, &out).load(), Ok(vec![]));
    }

    #[test]
    fn a_bad_line_is_named_file_colon_line() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let list = tmp.path().join("urls.txt");
        std::fs::write(&list, b"http://a.example/\n\xff\n").expect("write list");
        let err = args(&list, tmp.path()).load().expect_err("not UTF-8");
        assert!(
            err.starts_with(&format!("{}:2: not UTF-8 text", list.display())),
            "{err}"
        );
    }
}
