//! Checks of the one-page downloads (`web_sync`, `web_async`): `{url}` is a fixture page,
//! `{output}` a file in a fresh directory (or CONTRACT.md's `/tmp/web_page` when absent).
//! Page URLs are plain (`http://127.0.0.1:<port>/page/<name>`): what each page answers is
//! its [`Site`]'s defaults, so an error page's URL never holds its status.

use super::Part1Target;
use super::common::{
    Reason, Site, WEB_LIMIT, expect_failure, expect_file, expect_report, expect_success, run,
    unique_name,
};
use super::private_tmp::PrivateTmp;
use crate::grade::patience::patient;
use crate::grade::process::{Finished, mentions, substitute};
use crate::grade::{CheckResult, Failure, fail};
use std::path::PathBuf;
use std::time::Duration;
use tempfile::TempDir;

/// Where the page is expected, and the directory that holds it while the check runs.
struct Output {
    path: PathBuf,
    _dir: Option<TempDir>,
    /// The program's own `/tmp`, when it writes CONTRACT.md's default `/tmp/web_page`.
    private: Option<PrivateTmp>,
}

impl Output {
    fn new(t: &Part1Target) -> Result<Output, Failure> {
        if !mentions(&t.command, "url") {
            return Err(Failure::Skip("the command has no {url} placeholder".into()));
        }
        if mentions(&t.command, "output") {
            let dir = tempfile::tempdir()?;
            Ok(Output {
                path: dir.path().join("page"),
                _dir: Some(dir),
                private: None,
            })
        } else {
            let private = PrivateTmp::new();
            let path = match &private {
                Some(tmp) => tmp.outside(crate::part1::DEFAULT_OUTPUT),
                None => PathBuf::from(crate::part1::DEFAULT_OUTPUT),
            };
            Ok(Output {
                path,
                _dir: None,
                private,
            })
        }
    }

    async fn run(&self, t: &Part1Target, url: &str) -> Result<Finished, Failure> {
        let output = self.path.to_string_lossy();
        let argv = substitute(&t.command, &[("url", url), ("output", &output)]);
        let argv = match &self.private {
            Some(tmp) => tmp.wrap(&argv),
            None => argv,
        };
        run(&argv, patient(WEB_LIMIT)).await
    }
}

pub(super) async fn writes_page(t: &Part1Target) -> CheckResult {
    let out = Output::new(t)?;
    let site = Site::ok(5000).await?;
    let name = unique_name("page");
    let done = out.run(t, &site.url(&name)).await?;
    expect_success(&done)?;
    expect_file(&out.path, &site.body(&name))
}

pub(super) async fn overwrites(t: &Part1Target) -> CheckResult {
    let out = Output::new(t)?;
    let (long_site, short_site) = (Site::ok(3000).await?, Site::ok(1000).await?);
    let (long, short) = (unique_name("long"), unique_name("short"));
    let first = out.run(t, &long_site.url(&long)).await?;
    expect_success(&first)?;
    let second = out.run(t, &short_site.url(&short)).await?;
    expect_success(&second)?;
    expect_file(&out.path, &short_site.body(&short))
}

pub(super) async fn http_error(t: &Part1Target) -> CheckResult {
    let out = Output::new(t)?;
    for status in [404, 500] {
        let site = error_site(status).await?;
        // Letters only: nothing in the URL looks like a status.
        let url = site.url("broken");
        let done = out.run(t, &url).await?;
        expect_report(&done, &url, Reason::Status(status))?;
    }
    Ok(())
}

/// The exit code after a failed download (robust: the course asks only for the report).
pub(super) async fn failure_exit(t: &Part1Target) -> CheckResult {
    let out = Output::new(t)?;
    // A code that is never 0 tells nothing: a page that downloads must exit 0 first.
    let good = Site::ok(500).await?;
    let done = out.run(t, &good.url(&unique_name("fine"))).await?;
    if !done.status.success() {
        return fail(format!(
            "a page that downloads: expected exit code 0 (so that a non-zero one means a \
             failure) got {}",
            done.status
        ));
    }
    let site = error_site(404).await?;
    let done = out.run(t, &site.url("broken")).await?;
    expect_failure(&done, "HTTP 404")?;
    let url = format!("http://{}/page/nobody-home", closed_port_addr()?);
    let done = out.run(t, &url).await?;
    expect_failure(&done, "a refused connection")
}

/// A site whose pages answer `status`, on a port whose number does not contain it (so a
/// report that only quotes the host and port cannot pass for naming the status).
pub(super) async fn error_site(status: u16) -> Result<Site, Failure> {
    let code = status.to_string();
    let mut rejected = Vec::new();
    loop {
        let site = Site::start(Duration::ZERO, status, 100).await?;
        if !site.port().to_string().contains(&code) || rejected.len() >= 8 {
            return Ok(site);
        }
        // Kept bound until the loop ends, so the next start gets another port.
        rejected.push(site);
    }
}

pub(super) async fn unreachable(t: &Part1Target) -> CheckResult {
    let out = Output::new(t)?;
    let url = format!("http://{}/page/nobody-home", closed_port_addr()?);
    let done = out.run(t, &url).await?;
    expect_report(&done, &url, Reason::Refused)
}

/// A loopback address nothing listens on: an ephemeral port, bound then released.
pub(super) fn closed_port_addr() -> Result<std::net::SocketAddr, Failure> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    Ok(listener.local_addr()?)
}
