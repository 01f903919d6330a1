//! `demo_pages`, the offline site of Part I, black-box: it announces its address first,
//! writes a list of its page URLs, its pages wait and answer as told, and `measure` run on
//! that list shows the speed-up the lesson is about.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStdout, Command};

const DEMO: &str = env!("CARGO_BIN_EXE_demo_pages");
const MEASURE: &str = env!("CARGO_BIN_EXE_measure");

/// Every wait on the server or on a program.
const WAIT: Duration = Duration::from_secs(10);

/// `demo_pages --port 0 <args>`, killed when dropped, its address read from its first line.
struct Demo {
    _child: Child,
    addr: String,
    console: tokio::io::Lines<BufReader<ChildStdout>>,
}

impl Demo {
    async fn start(args: &[&str]) -> Demo {
        let mut child = Command::new(DEMO)
            .args(["--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("demo_pages starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut console = BufReader::new(stdout).lines();
        let first = Demo::next_line(&mut console).await;
        let addr = first
            .strip_prefix("Serving on ")
            .unwrap_or_else(|| panic!("first line {first:?} is not `Serving on <ip>:<port>`"))
            .to_string();
        Demo {
            _child: child,
            addr,
            console,
        }
    }

    async fn next_line(console: &mut tokio::io::Lines<BufReader<ChildStdout>>) -> String {
        tokio::time::timeout(WAIT, console.next_line())
            .await
            .expect("a console line in time")
            .expect("a readable console")
            .expect("a console line, not the end")
    }

    /// The console lines up to and including `Ctrl-C to stop.`
    async fn banner(&mut self) -> Vec<String> {
        let mut lines = Vec::new();
        loop {
            let line = Demo::next_line(&mut self.console).await;
            let last = line == "Ctrl-C to stop.";
            lines.push(line);
            if last {
                return lines;
            }
        }
    }
}

/// GETs `url`: status, body length and how long it took.
async fn get(url: &str) -> (u16, usize, Duration) {
    let start = Instant::now();
    let response = tokio::time::timeout(WAIT, reqwest::get(url))
        .await
        .expect("an answer in time")
        .expect("an answer");
    let status = response.status().as_u16();
    let body = response.bytes().await.expect("a body");
    (status, body.len(), start.elapsed())
}

fn read_list(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).expect("the list is written");
    tp6::part1::urls::parse_url_list(&text)
}

#[tokio::test]
async fn it_serves_slow_pages_and_writes_their_list() {
    let dir = tempfile::tempdir().expect("temp dir");
    let list = dir.path().join("urls.txt");
    let list_arg = list.to_string_lossy().into_owned();
    let mut demo = Demo::start(&[
        "--pages",
        "12",
        "--delay-ms",
        "200",
        "--size",
        "123",
        "--write-list",
        &list_arg,
    ])
    .await;
    let banner = demo.banner().await;
    assert!(
        banner.contains(&format!("Wrote 12 URLs to {list_arg}")),
        "{banner:?}"
    );

    let urls = read_list(&list);
    assert_eq!(urls.len(), 12, "{urls:?}");
    assert_eq!(urls[0], format!("http://{}/page/page01", demo.addr));
    assert_eq!(urls[11], format!("http://{}/page/page12", demo.addr));

    let (status, len, took) = get(&urls[0]).await;
    assert_eq!((status, len), (200, 123));
    assert!(took >= Duration::from_millis(200), "answered in {took:?}");

    // A query changes one page and leaves the others as the flags say.
    let (status, len, took) = get(&format!("{}?status=404&delay_ms=0&size=7", urls[1])).await;
    assert_eq!((status, len), (404, 7));
    assert!(took < Duration::from_millis(200), "answered in {took:?}");
}

#[tokio::test]
async fn the_chosen_status_is_every_pages_answer() {
    let demo = Demo::start(&["--delay-ms", "0", "--status", "503"]).await;
    let (status, len, _) = get(&format!("http://{}/page/any", demo.addr)).await;
    assert_eq!((status, len), (503, 1000));
}

/// The point of the tool: against pages that wait, the concurrent run is several times
/// faster (8 pages of 200 ms: 1.6 s one after the other, about 0.2 s at once, so about 8x;
/// 2x leaves room for a busy machine and still fails the inverted 0.02x of a server that
/// answers at once but accepts few connections).
#[tokio::test]
async fn measure_on_its_list_shows_a_real_speed_up() {
    let dir = tempfile::tempdir().expect("temp dir");
    let list = dir.path().join("urls.txt");
    let list_arg = list.to_string_lossy().into_owned();
    let _demo = Demo::start(&[
        "--pages",
        "8",
        "--delay-ms",
        "200",
        "--write-list",
        &list_arg,
    ])
    .await;
    let out_dir = dir.path().join("pages").to_string_lossy().into_owned();
    let run = Command::new(MEASURE)
        .args(["--out-dir", &out_dir, "--timeout", "5", &list_arg])
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(WAIT, run)
        .await
        .expect("measure ends in time")
        .expect("measure runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let speed_up: f64 = stdout
        .lines()
        .find_map(|l| {
            l.strip_prefix("speed-up: ")?
                .strip_suffix('x')?
                .parse()
                .ok()
        })
        .unwrap_or_else(|| panic!("no speed-up line in {stdout:?}"));
    assert!(speed_up >= 2.0, "speed-up {speed_up} in {stdout:?}");
}

/// Runs `demo_pages <args>` expecting it to stop by itself (killed if it does not).
async fn run_to_exit(args: &[&str]) -> std::process::Output {
    let out = Command::new(DEMO).args(args).kill_on_drop(true).output();
    tokio::time::timeout(WAIT, out)
        .await
        .expect("it exits in time")
        .expect("it runs")
}

#[tokio::test]
async fn a_list_that_cannot_be_written_stops_it_before_it_serves() {
    let out = run_to_exit(&["--port", "0", "--write-list", "/nonexistent/dir/urls.txt"]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        out.stdout.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
    assert!(
        stderr.contains("cannot write the URL list /nonexistent/dir/urls.txt"),
        "{stderr:?}"
    );
}

#[tokio::test]
async fn pages_without_a_list_is_a_usage_error() {
    let out = run_to_exit(&["--port", "0", "--pages", "3"]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--write-list"), "{stderr:?}");
}
