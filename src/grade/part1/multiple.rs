//! Checks of the list downloads (`web_sync_multiple`, `web_async_multiple`): the check
//! writes the list to `{urls_file}` and reads the pages back from `{out_dir}` (or `/tmp`).

use super::Part1Target;
use super::common::{
    WEB_LIMIT, expect_failure, expect_file, expect_stderr_line, expect_success, run, unique_name,
};
use super::single::closed_port_addr;
use crate::grade::fixture::{Fixture, body};
use crate::grade::process::{Finished, mentions, substitute};
use crate::grade::{CheckResult, Failure, fail};
use crate::part1::urls::output_path;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tempfile::TempDir;

/// One page of a list: its URL and the bytes its file must hold.
pub(super) struct Page {
    pub url: String,
    pub body: Vec<u8>,
}

/// `count` fixture pages named after `tag`, each delayed by `delay`, of distinct sizes.
pub(super) fn pages(fixture: &Fixture, tag: &str, count: usize, delay: Duration) -> Vec<Page> {
    (0..count)
        .map(|i| {
            let (name, size) = (unique_name(&format!("{tag}{i}")), 700 + 311 * i);
            Page {
                url: fixture.url(&name, delay, 200, size),
                body: body(&name, size),
            }
        })
        .collect()
}

/// The temporary files of one run: the list, and the output directory when the command
/// takes one; otherwise the pages land in `/tmp` and are removed when this is dropped.
pub(super) struct ListRun {
    dir: TempDir,
    out_dir: PathBuf,
    cleanup: Vec<PathBuf>,
}

impl ListRun {
    pub(super) fn new(t: &Part1Target) -> Result<ListRun, Failure> {
        if !mentions(&t.command, "urls_file") {
            return Err(Failure::Skip(
                "the command has no {urls_file} placeholder".into(),
            ));
        }
        let dir = tempfile::tempdir()?;
        let out_dir = if mentions(&t.command, "out_dir") {
            let out = dir.path().join("out");
            std::fs::create_dir(&out)?;
            out
        } else {
            PathBuf::from(crate::part1::DEFAULT_OUT_DIR)
        };
        Ok(ListRun {
            dir,
            out_dir,
            cleanup: Vec::new(),
        })
    }

    /// Writes `list` as the URL file and runs the command to completion.
    pub(super) async fn run(
        &mut self,
        t: &Part1Target,
        list: &str,
        urls: &[&str],
    ) -> Result<Finished, Failure> {
        let file = self.dir.path().join("urls.txt");
        std::fs::write(&file, list)?;
        if self.out_dir.as_path() == Path::new(crate::part1::DEFAULT_OUT_DIR) {
            self.cleanup
                .extend(urls.iter().map(|u| output_path(&self.out_dir, u)));
        }
        let (file, out_dir) = (file.to_string_lossy(), self.out_dir.to_string_lossy());
        let argv = substitute(&t.command, &[("urls_file", &file), ("out_dir", &out_dir)]);
        run(&argv, WEB_LIMIT).await
    }

    /// Fails unless every page is in its `web_<name>` file with its exact bytes.
    pub(super) fn expect_pages(&self, pages: &[Page]) -> CheckResult {
        pages
            .iter()
            .try_for_each(|p| expect_file(&output_path(&self.out_dir, &p.url), &p.body))
    }
}

impl Drop for ListRun {
    fn drop(&mut self) {
        for path in &self.cleanup {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The list file for `pages`, one URL per line.
pub(super) fn plain_list(pages: &[Page]) -> String {
    pages.iter().map(|p| format!("{}\n", p.url)).collect()
}

fn urls(pages: &[Page]) -> Vec<&str> {
    pages.iter().map(|p| p.url.as_str()).collect()
}

pub(super) async fn writes_all(t: &Part1Target) -> CheckResult {
    let mut list_run = ListRun::new(t)?;
    let fixture = Fixture::start().await?;
    let pages = pages(&fixture, "all", 5, Duration::ZERO);
    let done = list_run.run(t, &plain_list(&pages), &urls(&pages)).await?;
    expect_success(&done)?;
    list_run.expect_pages(&pages)
}

pub(super) async fn list_format(t: &Part1Target) -> CheckResult {
    let mut list_run = ListRun::new(t)?;
    let fixture = Fixture::start().await?;
    let pages = pages(&fixture, "fmt", 3, Duration::ZERO);
    let commented = fixture.url(&unique_name("commented"), Duration::ZERO, 200, 10);
    let list = format!(
        "# pages to fetch\n\n   {}  \n# {commented}\n\t{}\r\n\n  \n{}",
        pages[0].url, pages[1].url, pages[2].url
    );
    let done = list_run.run(t, &list, &urls(&pages)).await?;
    expect_success(&done)?;
    list_run.expect_pages(&pages)?;
    if fixture.requests() != pages.len() {
        return fail(format!(
            "expected {} requests (comments and blank lines skipped) got {}",
            pages.len(),
            fixture.requests()
        ));
    }
    Ok(())
}

pub(super) async fn reports(t: &Part1Target) -> CheckResult {
    let mut list_run = ListRun::new(t)?;
    let fixture = Fixture::start().await?;
    let pages = pages(&fixture, "report", 4, Duration::ZERO);
    let done = list_run.run(t, &plain_list(&pages), &urls(&pages)).await?;
    expect_success(&done)?;
    let lines: Vec<&str> = done
        .stdout_lines()
        .into_iter()
        .filter(|l| !l.trim().is_empty())
        .collect();
    if lines.len() < pages.len() + 1 {
        return fail(format!(
            "expected one stdout line per URL then the total time ({} lines) got {} lines",
            pages.len() + 1,
            lines.len()
        ));
    }
    match lines.last() {
        Some(last) if last.chars().any(|c| c.is_ascii_digit()) => Ok(()),
        last => fail(format!(
            "expected the last stdout line to give the total time got {}",
            crate::grade::show(last.unwrap_or(&""))
        )),
    }
}

pub(super) async fn failure_isolated(t: &Part1Target) -> CheckResult {
    let mut list_run = ListRun::new(t)?;
    let fixture = Fixture::start().await?;
    let pages = pages(&fixture, "iso", 4, Duration::ZERO);
    let missing = fixture.url(&unique_name("missing"), Duration::ZERO, 404, 10);
    let refused = format!("http://{}/page/refused", closed_port_addr()?);
    let list = format!(
        "{}\n{missing}\n{}\n{refused}\n{}\n{}\n",
        pages[0].url, pages[1].url, pages[2].url, pages[3].url
    );
    let mut all = urls(&pages);
    all.extend([missing.as_str(), refused.as_str()]);
    let done = list_run.run(t, &list, &all).await?;
    expect_failure(&done, "a 404 and a refused connection in the list")?;
    list_run.expect_pages(&pages)?;
    expect_stderr_line(&done, &[&missing, "404"])?;
    expect_stderr_line(&done, &[&refused])
}

pub(super) async fn sequential(t: &Part1Target) -> CheckResult {
    let mut list_run = ListRun::new(t)?;
    let fixture = Fixture::start().await?;
    let pages = pages(&fixture, "seq", 4, Duration::from_millis(150));
    let done = list_run.run(t, &plain_list(&pages), &urls(&pages)).await?;
    expect_success(&done)?;
    list_run.expect_pages(&pages)?;
    match fixture.max_in_flight() {
        1 => Ok(()),
        n => fail(format!(
            "expected one request at a time got {n} in flight at once"
        )),
    }
}

/// 8 pages of 400 ms each: 3.2 s one after the other.
const CONCURRENT_PAGES: usize = 8;
const CONCURRENT_DELAY: Duration = Duration::from_millis(400);

pub(super) async fn concurrent(t: &Part1Target) -> CheckResult {
    let mut list_run = ListRun::new(t)?;
    let fixture = Fixture::start().await?;
    let pages = pages(&fixture, "conc", CONCURRENT_PAGES, CONCURRENT_DELAY);
    let done = list_run.run(t, &plain_list(&pages), &urls(&pages)).await?;
    expect_success(&done)?;
    list_run.expect_pages(&pages)?;
    let sum = CONCURRENT_DELAY * CONCURRENT_PAGES as u32;
    if done.elapsed * 2 >= sum {
        return fail(format!(
            "expected the {CONCURRENT_PAGES} pages in under {:.1} s (half of the {:.1} s their delays add up to) got {:.2} s",
            sum.as_secs_f64() / 2.0,
            sum.as_secs_f64(),
            done.elapsed.as_secs_f64()
        ));
    }
    match fixture.max_in_flight() {
        n if n >= CONCURRENT_PAGES / 2 => Ok(()),
        n => fail(format!(
            "expected at least {} of the {CONCURRENT_PAGES} requests in flight at once got {n}",
            CONCURRENT_PAGES / 2
        )),
    }
}
