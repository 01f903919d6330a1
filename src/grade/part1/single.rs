//! Checks of the one-page downloads (`web_sync`, `web_async`): `{url}` is a fixture page,
//! `{output}` a file in a fresh directory (or CONTRACT.md's `/tmp/web_page` when absent).

use super::Part1Target;
use super::common::{
    WEB_LIMIT, expect_failure, expect_file, expect_stderr_line, expect_success, run, unique_name,
};
use crate::grade::fixture::{Fixture, body};
use crate::grade::process::{Finished, mentions, substitute};
use crate::grade::{CheckResult, Failure};
use std::path::PathBuf;
use std::time::Duration;
use tempfile::TempDir;

/// Where the page is expected, and the directory that holds it while the check runs.
struct Output {
    path: PathBuf,
    _dir: Option<TempDir>,
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
            })
        } else {
            Ok(Output {
                path: PathBuf::from(crate::part1::DEFAULT_OUTPUT),
                _dir: None,
            })
        }
    }

    async fn run(&self, t: &Part1Target, url: &str) -> Result<Finished, Failure> {
        let output = self.path.to_string_lossy();
        run(
            &substitute(&t.command, &[("url", url), ("output", &output)]),
            WEB_LIMIT,
        )
        .await
    }
}

pub(super) async fn writes_page(t: &Part1Target) -> CheckResult {
    let out = Output::new(t)?;
    let fixture = Fixture::start().await?;
    let name = unique_name("page");
    let done = out
        .run(t, &fixture.url(&name, Duration::ZERO, 200, 5000))
        .await?;
    expect_success(&done)?;
    expect_file(&out.path, &body(&name, 5000))
}

pub(super) async fn overwrites(t: &Part1Target) -> CheckResult {
    let out = Output::new(t)?;
    let fixture = Fixture::start().await?;
    let (long, short) = (unique_name("long"), unique_name("short"));
    let first = out
        .run(t, &fixture.url(&long, Duration::ZERO, 200, 3000))
        .await?;
    expect_success(&first)?;
    let second = out
        .run(t, &fixture.url(&short, Duration::ZERO, 200, 1000))
        .await?;
    expect_success(&second)?;
    expect_file(&out.path, &body(&short, 1000))
}

pub(super) async fn http_error(t: &Part1Target) -> CheckResult {
    let out = Output::new(t)?;
    let fixture = Fixture::start().await?;
    for status in [404, 500] {
        let url = fixture.url(&unique_name("error"), Duration::ZERO, status, 100);
        let done = out.run(t, &url).await?;
        expect_failure(&done, &format!("HTTP {status}"))?;
        expect_stderr_line(&done, &[&url, &status.to_string()])?;
    }
    Ok(())
}

pub(super) async fn unreachable(t: &Part1Target) -> CheckResult {
    let out = Output::new(t)?;
    let url = format!("http://{}/page/nobody-home", closed_port_addr()?);
    let done = out.run(t, &url).await?;
    expect_failure(&done, "a refused connection")?;
    expect_stderr_line(&done, &[&url])
}

/// A loopback address nothing listens on: an ephemeral port, bound then released.
pub(super) fn closed_port_addr() -> Result<std::net::SocketAddr, Failure> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    Ok(listener.local_addr()?)
}
