//! Checks of the list downloads (`web_sync_multiple`, `web_async_multiple`): the check
//! writes the list to `{urls_file}` and reads the pages back from `{out_dir}` (or `/tmp`).
//! The URLs are plain (`http://127.0.0.1:<port>/page/<name>`, no query string), and a
//! page's file may have any of the names
//! [`page_file_names`](super::common::page_file_names) lists.

use super::Part1Target;
use super::common::{
    Reason, Site, WEB_LIMIT, expect_failure, expect_page, expect_report_line, expect_success,
    page_paths, run, unique_name,
};
use super::private_tmp::PrivateTmp;
use super::single::{closed_port_addr, error_site};
use crate::grade::patience::patient;
use crate::grade::process::{Finished, mentions, substitute};
use crate::grade::{CheckResult, Failure, fail};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tempfile::TempDir;

/// One page of a list: its URL and the bytes its file must hold.
pub(super) struct Page {
    pub url: String,
    pub body: Vec<u8>,
}

/// Size of every page of a list; the pages differ by name, which their bodies spell out.
const PAGE_SIZE: usize = 1500;

/// A site of pages answered after `delay` with status 200 and [`PAGE_SIZE`] bytes.
pub(super) async fn site(delay: Duration) -> Result<Site, Failure> {
    Site::start(delay, 200, PAGE_SIZE).await
}

/// `count` pages of `site` named after `tag`.
pub(super) fn pages(site: &Site, tag: &str, count: usize) -> Vec<Page> {
    (0..count)
        .map(|i| {
            let name = unique_name(&format!("{tag}{i}"));
            Page {
                url: site.url(&name),
                body: site.body(&name),
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
    /// The program's own `/tmp`, when it writes CONTRACT.md's default `/tmp/web_<name>`:
    /// the list is written there too, for the program to see it.
    private: Option<PrivateTmp>,
}

impl ListRun {
    pub(super) fn new(t: &Part1Target) -> Result<ListRun, Failure> {
        if !mentions(&t.command, "urls_file") {
            return Err(Failure::Skip(
                "the command has no {urls_file} placeholder".into(),
            ));
        }
        let dir = tempfile::tempdir()?;
        let private = (!mentions(&t.command, "out_dir"))
            .then(PrivateTmp::new)
            .flatten();
        let out_dir = if mentions(&t.command, "out_dir") {
            let out = dir.path().join("out");
            std::fs::create_dir(&out)?;
            out
        } else if let Some(tmp) = &private {
            tmp.outside(crate::part1::DEFAULT_OUT_DIR)
        } else {
            PathBuf::from(crate::part1::DEFAULT_OUT_DIR)
        };
        Ok(ListRun {
            dir,
            out_dir,
            cleanup: Vec::new(),
            private,
        })
    }

    /// Writes `list` as the URL file and runs the command to completion.
    pub(super) async fn run(
        &mut self,
        t: &Part1Target,
        list: &str,
        urls: &[&str],
    ) -> Result<Finished, Failure> {
        if let Some(tmp) = &self.private {
            // The program sees the list as /tmp/urls.txt, and writes its pages in /tmp.
            std::fs::write(tmp.outside("/tmp/urls.txt"), list)?;
            let argv = substitute(&t.command, &[("urls_file", "/tmp/urls.txt")]);
            return run(&tmp.wrap(&argv), patient(WEB_LIMIT)).await;
        }
        let file = self.dir.path().join("urls.txt");
        std::fs::write(&file, list)?;
        if self.out_dir.as_path() == Path::new(crate::part1::DEFAULT_OUT_DIR) {
            self.cleanup
                .extend(urls.iter().flat_map(|u| page_paths(&self.out_dir, u)));
        }
        let (file, out_dir) = (file.to_string_lossy(), self.out_dir.to_string_lossy());
        let argv = substitute(&t.command, &[("urls_file", &file), ("out_dir", &out_dir)]);
        run(&argv, patient(WEB_LIMIT)).await
    }

    /// Fails unless every page is in its `web_<name>` file with its exact bytes.
    pub(super) fn expect_pages(&self, pages: &[Page]) -> CheckResult {
        pages
            .iter()
            .try_for_each(|p| expect_page(&self.out_dir, &p.url, &p.body))
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
    let site = site(Duration::ZERO).await?;
    let pages = pages(&site, "all", 5);
    let done = list_run.run(t, &plain_list(&pages), &urls(&pages)).await?;
    expect_success(&done)?;
    list_run.expect_pages(&pages)
}

pub(super) async fn list_format(t: &Part1Target) -> CheckResult {
    let mut list_run = ListRun::new(t)?;
    let site = site(Duration::ZERO).await?;
    let pages = pages(&site, "fmt", 3);
    let commented = site.url(&unique_name("commented"));
    let list = format!(
        "# pages to fetch\n\n   {}  \n# {commented}\n\t{}\r\n\n  \n{}",
        pages[0].url, pages[1].url, pages[2].url
    );
    let done = list_run.run(t, &list, &urls(&pages)).await?;
    expect_success(&done)?;
    list_run.expect_pages(&pages)?;
    if site.requests() != pages.len() {
        return fail(format!(
            "expected {} requests (comments and blank lines skipped) got {}",
            pages.len(),
            site.requests()
        ));
    }
    Ok(())
}

pub(super) async fn reports(t: &Part1Target) -> CheckResult {
    let mut list_run = ListRun::new(t)?;
    let site = site(Duration::ZERO).await?;
    let pages = pages(&site, "report", 4);
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
    let site = site(Duration::ZERO).await?;
    let pages = pages(&site, "iso", 4);
    // Another site, whose pages answer 404: the URL is as plain as the good ones.
    let missing_site = error_site(404).await?;
    let missing = missing_site.url("missing");
    let refused = format!("http://{}/page/nobody-home", closed_port_addr()?);
    let list = format!(
        "{}\n{missing}\n{}\n{refused}\n{}\n{}\n",
        pages[0].url, pages[1].url, pages[2].url, pages[3].url
    );
    let mut all = urls(&pages);
    all.extend([missing.as_str(), refused.as_str()]);
    let done = list_run.run(t, &list, &all).await?;
    expect_failure(&done, "a 404 and a refused connection in the list")?;
    list_run.expect_pages(&pages)?;
    expect_report_line(&done, &missing, Reason::Status(404))?;
    expect_report_line(&done, &refused, Reason::Refused)
}

pub(super) async fn sequential(t: &Part1Target) -> CheckResult {
    let mut list_run = ListRun::new(t)?;
    let site = site(Duration::from_millis(150)).await?;
    let pages = pages(&site, "seq", 4);
    let done = list_run.run(t, &plain_list(&pages), &urls(&pages)).await?;
    expect_success(&done)?;
    list_run.expect_pages(&pages)?;
    match site.max_in_flight() {
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
    let site = site(CONCURRENT_DELAY).await?;
    let pages = pages(&site, "conc", CONCURRENT_PAGES);
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
    match site.max_in_flight() {
        n if n >= CONCURRENT_PAGES / 2 => Ok(()),
        n => fail(format!(
            "expected at least {} of the {CONCURRENT_PAGES} requests in flight at once got {n}",
            CONCURRENT_PAGES / 2
        )),
    }
}
