//! Part I black-box tests of the command line: bad input gets one clear stderr line and a
//! non-zero exit, never a panic (a line of the URL file named `FILE:LINE`); a missing
//! `--out-dir` is created; `--timeout` bounds a request; `measure` refuses an empty list and
//! shows progress on a terminal; the blocking stages have no async code.

use std::process::{Command, Output};
use std::time::{Duration, Instant};
use tp6::grade::fixture::Fixture;

const SLEEP: &str = env!("CARGO_BIN_EXE_sleep_and_print");
const SLEEP_ASYNC: &str = env!("CARGO_BIN_EXE_sleep_and_print_async");
const WEB_SYNC: &str = env!("CARGO_BIN_EXE_web_sync");
const WEB_ASYNC: &str = env!("CARGO_BIN_EXE_web_async");
const SYNC_MULTIPLE: &str = env!("CARGO_BIN_EXE_web_sync_multiple");
const ASYNC_MULTIPLE: &str = env!("CARGO_BIN_EXE_web_async_multiple");
const MEASURE: &str = env!("CARGO_BIN_EXE_measure");

fn run(bin: &str, args: &[&str]) -> Output {
    Command::new(bin)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {bin}: {e}"))
}

/// Asserts exit `code` and a single stderr line containing every needle.
fn assert_one_line_error(out: &Output, code: i32, needles: &[&str]) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "stderr: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
    for needle in needles {
        assert!(stderr.contains(needle), "{stderr:?} lacks {needle:?}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_missing_url_file_is_named() {
    for bin in [SYNC_MULTIPLE, ASYNC_MULTIPLE, MEASURE] {
        let out = run(bin, &["/nonexistent/urls.txt"]);
        assert_one_line_error(&out, 2, &["cannot read URL file /nonexistent/urls.txt"]);
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn an_invalid_url_is_named_with_the_reason() {
    for bin in [WEB_SYNC, WEB_ASYNC] {
        let out = run(bin, &["--output", "/nonexistent/x", "not a url"]);
        assert_one_line_error(&out, 1, &["error: not a url: invalid URL: relative URL"]);
        let out = run(bin, &["--output", "/nonexistent/x", "ftp://example.com/"]);
        assert_one_line_error(
            &out,
            1,
            &["ftp://example.com/", "unsupported scheme \"ftp\""],
        );
    }
}

#[test]
fn bad_flag_values_are_named() {
    let cases: &[(&str, &[&str], &[&str])] = &[
        (SLEEP, &["--count", "abc"], &["--count", "'abc'"]),
        (SLEEP_ASYNC, &["--interval-ms", "-5"], &["--interval-ms"]),
        (
            WEB_SYNC,
            &["--timeout", "0", "http://127.0.0.1/"],
            &["--timeout", "'0'"],
        ),
        (WEB_ASYNC, &[], &["required", "<URL>"]),
        (
            ASYNC_MULTIPLE,
            &["--concurrency", "0"],
            &["--concurrency", "'0'"],
        ),
        (SYNC_MULTIPLE, &["--colour"], &["--colour"]),
        (
            MEASURE,
            &["--out-dir", "/dev/null"],
            &["--out-dir /dev/null: not a directory"],
        ),
    ];
    for (bin, args, needles) in cases {
        assert_one_line_error(&run(bin, args), 2, needles);
    }
}

#[test]
fn every_binary_has_help() {
    for bin in [
        SLEEP,
        SLEEP_ASYNC,
        WEB_SYNC,
        WEB_ASYNC,
        SYNC_MULTIPLE,
        ASYNC_MULTIPLE,
        MEASURE,
    ] {
        let out = run(bin, &["--help"]);
        assert!(out.status.success(), "{bin}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Usage:"),
            "{bin}"
        );
    }
}

#[test]
fn an_empty_list_is_a_quick_success() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("urls.txt");
    std::fs::write(&file, "# nothing\n\n").expect("write list");
    let file = file.to_string_lossy();
    let out_dir = dir.path().to_string_lossy();
    for bin in [SYNC_MULTIPLE, ASYNC_MULTIPLE] {
        let out = run(bin, &["--out-dir", &out_dir, &file]);
        assert!(out.status.success(), "{bin}");
        assert!(String::from_utf8_lossy(&out.stdout).starts_with("0 URLs: 0 ok, 0 failed in "));
    }
}

#[tokio::test]
async fn the_timeout_flag_bounds_each_request() {
    let fixture = Fixture::start().await.expect("fixture");
    let url = fixture.url("slow", Duration::from_secs(5), 200, 10);
    let dir = tempfile::tempdir().expect("temp dir");
    let output = dir.path().join("page").to_string_lossy().into_owned();
    for bin in [WEB_SYNC, WEB_ASYNC] {
        let start = Instant::now();
        let child = tokio::process::Command::new(bin)
            .args(["--timeout", "1", "--output", &output, &url])
            .output();
        let out = tokio::time::timeout(Duration::from_secs(4), child)
            .await
            .expect("the timeout should end the program")
            .expect("run");
        assert_one_line_error(&out, 1, &[&format!("error: {url}: timed out after 1 s")]);
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "{:?}",
            start.elapsed()
        );
    }
}

/// The blocking stages teach code without a runtime: keep `async` out of their source.
#[test]
fn the_blocking_stages_have_no_async_code() {
    for (name, source) in [
        ("web_sync", include_str!("../src/bin/web_sync.rs")),
        (
            "web_sync_multiple",
            include_str!("../src/bin/web_sync_multiple.rs"),
        ),
        (
            "sleep_and_print",
            include_str!("../src/bin/sleep_and_print.rs"),
        ),
        ("fetch", include_str!("../src/part1/fetch.rs")),
    ] {
        let code: String = source
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect();
        for word in ["async", ".await", "tokio"] {
            assert!(!code.contains(word), "{name} mentions {word}");
        }
    }
}

/// The list binaries, which read a URL file and write into `--out-dir`.
const LIST_BINARIES: [&str; 3] = [SYNC_MULTIPLE, ASYNC_MULTIPLE, MEASURE];

#[test]
fn measure_refuses_an_empty_list() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("urls.txt");
    std::fs::write(&file, "# nothing yet\n\n").expect("write list");
    let out_dir = dir.path().join("out");
    let out = run(
        MEASURE,
        &[
            "--out-dir",
            &out_dir.to_string_lossy(),
            &file.to_string_lossy(),
        ],
    );
    let expected = format!("{}: no URL in it", file.display());
    assert_one_line_error(&out, 2, &[&expected]);
    assert!(
        out.stdout.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(!out_dir.exists(), "--out-dir made for nothing");
}

#[test]
fn a_bad_line_of_the_url_file_is_named_with_its_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out_dir = dir.path().to_string_lossy().into_owned();
    let cases: [(&[u8], &str); 2] = [
        (
            b"# pages\nhttp://127.0.0.1:1/a\n# fran\xe7ais\n",
            ":3: not UTF-8 text",
        ),
        (
            b"http://127.0.0.1:1/a\nhttp://127.0.0.1:1/b http://127.0.0.1:1/c\n",
            ":2: \"http://127.0.0.1:1/b http://127.0.0.1:1/c\": one URL per line",
        ),
    ];
    for (i, (content, needle)) in cases.into_iter().enumerate() {
        let file = dir.path().join(format!("urls{i}.txt"));
        std::fs::write(&file, content).expect("write list");
        let file = file.to_string_lossy();
        let expected = format!("error: {file}{needle}");
        for bin in LIST_BINARIES {
            let out = run(bin, &["--out-dir", &out_dir, &file]);
            assert_one_line_error(&out, 2, &[&expected]);
            assert!(out.stdout.is_empty(), "{bin}");
        }
    }
}

#[tokio::test]
async fn a_missing_out_dir_is_created() {
    let fixture = Fixture::start().await.expect("fixture");
    let url = fixture.url("made", Duration::ZERO, 200, 10);
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("urls.txt");
    std::fs::write(&file, format!("{url}\n")).expect("write list");
    for (i, bin) in LIST_BINARIES.into_iter().enumerate() {
        let out_dir = dir.path().join(format!("new{i}/pages"));
        let child = tokio::process::Command::new(bin)
            .args(["--timeout", "5", "--out-dir"])
            .args([&out_dir, &file])
            .kill_on_drop(true)
            .output();
        let out = tokio::time::timeout(Duration::from_secs(10), child)
            .await
            .expect("ends in time")
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{bin}: {stderr}");
        let page = tp6::part1::urls::output_path(&out_dir, &url);
        assert_eq!(std::fs::read(&page).expect("the page").len(), 10, "{bin}");
    }
}

#[test]
fn an_out_dir_that_cannot_be_made_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("urls.txt");
    std::fs::write(&file, "http://127.0.0.1:1/a\n").expect("write list");
    // A directory cannot be made under a regular file.
    let out_dir = file.join("pages");
    let out_dir = out_dir.to_string_lossy();
    let expected = format!("error: --out-dir {out_dir}: cannot create it: ");
    for bin in LIST_BINARIES {
        let out = run(bin, &["--out-dir", &out_dir, &file.to_string_lossy()]);
        assert_one_line_error(&out, 2, &[&expected]);
    }
}

/// Exit code 2 says "you typed it wrong": a program that cannot build its HTTP client or
/// start its runtime has a failure (1). Those failures cannot be caused from outside, so
/// the test reads the code: `usage_error` only reports what the list arguments rejected,
/// and the programs that can fail to start report it with `fatal`.
#[test]
fn runtime_failures_are_not_usage_errors() {
    for (name, source) in [
        ("measure", include_str!("../src/bin/measure.rs")),
        ("web_sync", include_str!("../src/bin/web_sync.rs")),
        ("web_async", include_str!("../src/bin/web_async.rs")),
        (
            "web_sync_multiple",
            include_str!("../src/bin/web_sync_multiple.rs"),
        ),
        (
            "web_async_multiple",
            include_str!("../src/bin/web_async_multiple.rs"),
        ),
    ] {
        let code: String = source.split_whitespace().collect();
        let usage = code.matches("usage_error(").count();
        let loads = code.matches(".list.load").count();
        assert_eq!(
            usage, loads,
            "{name}: usage_error is for what the list arguments reject, nothing else"
        );
        assert_eq!(usage, code.matches("usage_error(e)").count(), "{name}");
        for message in [
            "cannot create the HTTP client",
            "cannot start the async runtime",
        ] {
            if code.contains(&message.replace(' ', "")) {
                assert!(
                    code.contains("tp6::error::fatal("),
                    "{name}: {message:?} is not reported with fatal"
                );
            }
        }
    }
}

/// A person running `measure` on a long list sees a bar during each of its two runs: the
/// sequential one (which takes the sum of the delays) included.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn measure_shows_progress_in_both_runs_on_a_terminal() {
    let fixture = Fixture::start().await.expect("fixture");
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("urls.txt");
    let list: String = (0..21)
        .map(|i| {
            format!(
                "{}\n",
                fixture.url(&format!("p{i}"), Duration::from_millis(40), 200, 10)
            )
        })
        .collect();
    std::fs::write(&file, list).expect("write list");
    let mut command = Command::new(MEASURE);
    command
        .args(["--timeout", "5", "--out-dir"])
        .args([dir.path(), &file])
        .env("TERM", "xterm");
    // rexpect blocks: run it off the runtime that serves the fixture.
    let seen = tokio::task::spawn_blocking(move || {
        let mut term = rexpect::session::spawn_command(command, Some(10_000)).expect("pty");
        let seen = term.exp_eof().expect("measure ends");
        let status = term.process().wait().expect("status");
        (seen, status)
    });
    let (seen, status) = tokio::time::timeout(Duration::from_secs(15), seen)
        .await
        .expect("measure ends in time")
        .expect("the pty thread");
    assert!(
        matches!(status, rexpect::process::WaitStatus::Exited(_, 0)),
        "{status:?}: {seen:?}"
    );
    let bars: Vec<&str> = seen
        .split(['\r', '\n'])
        .filter(|piece| piece.contains("/21 pages"))
        .collect();
    let shown = |label: &str| bars.iter().any(|b| b.contains(&format!("{label}: ")));
    let sync = bars
        .iter()
        .any(|b| b.contains("sync: ") && !b.contains("async: "));
    assert!(sync && shown("async"), "bars {bars:?} in {seen:?}");
    assert!(seen.contains("speed-up: "), "{seen:?}");
}
