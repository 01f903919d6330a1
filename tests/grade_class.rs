//! `grade class`: a manifest of five "students" (the course-style Python fixture server,
//! correct, with a bug, with the other reading of the join announcement, and one line that
//! cannot be graded) becomes one table in Markdown, CSV, JSON and HTML; the HTML page is
//! opened in a real headless browser (Chromium), sorted by its own script, and read back.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const GRADE: &str = env!("CARGO_BIN_EXE_grade");

/// Longest a whole class run or a browser run may take.
const LIMIT: Duration = Duration::from_secs(120);

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Runs `command` to its end, within [`LIMIT`]; returns (exit code, stdout, stderr).
fn run(command: &mut Command) -> (Option<i32>, String, String) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            panic!("{command:?} took more than {LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The class: alice correct, bob and dave echo relays to their sender, carol announces a
/// join to the others only (and is graded on joins alone), erin's line cannot be graded.
fn write_manifest(dir: &Path) -> std::path::PathBuf {
    let server = fixture("chat_server.py");
    let joins = "--only ii_5.join_announced --only ii_5.newcomer";
    let relay = format!("{joins} --only ii_5.relay_with_pseudo");
    let manifest = format!(
        "# a test class\n\
         alice server ii_5 {relay} -- python3 {server} --port {{port}}\n\
         bob   server ii_5 {relay} -- python3 {server} --port {{port}} --bug echo_to_sender\n\
         carol server ii_5 {joins} -- python3 {server} --port {{port}} --join-announced-to others\n\
         \n\
         dave  server ii_5 {relay} -- python3 {server} --port {{port}} --bug echo_to_sender\n\
         erin  server ii_5 --tier nope -- python3 {server} --port {{port}}\n"
    );
    let path = dir.join("manifest.txt");
    std::fs::write(&path, manifest).unwrap();
    path
}

/// The students in the order the page's table shows them.
fn students_in(html: &str) -> Vec<String> {
    html.split("<tr class=\"student\"><td data-sort=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn a_class_becomes_one_table_in_four_formats_and_a_sortable_page() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = write_manifest(tmp.path());
    let out = tmp.path().join("reports");
    let (code, stdout, stderr) = run(Command::new(GRADE)
        .arg("class")
        .arg(&manifest)
        .arg("--out")
        .arg(&out));
    // erin's line could not be graded: exit 1, and her cell says why.
    assert_eq!(code, Some(1), "{stdout}\n{stderr}");

    let md = std::fs::read_to_string(out.join("class.md")).unwrap();
    assert_eq!(md, stdout, "the table printed is the one written");
    for row in [
        "| alice | 2/2 | 1/1 | course 2/2 · robust 1/1 |",
        "| bob | 1/2 | 1/1 | course 1/2 · robust 1/1 |",
        "| carol | 1/1 | 0/1 | course 1/1 · robust 0/1 |",
        "| dave | 1/2 | 1/1 | course 1/2 · robust 1/1 |",
    ] {
        assert!(md.contains(row), "{row} not in\n{md}");
    }
    assert!(
        md.contains("| erin | 0/0 | 0/0 | not graded: error: "),
        "{md}"
    );
    assert!(md.contains("- `ii_5.relay_with_pseudo`: 2 of 3"), "{md}");

    let csv = std::fs::read_to_string(out.join("class.csv")).unwrap();
    assert!(
        csv.contains("\nbob,server ii_5,1,2,1,1,ii_5.relay_with_pseudo,\n"),
        "{csv}"
    );
    assert!(
        csv.contains("\ncarol,server ii_5,1,1,0,1,ii_5.newcomer_hears_own_join,\n"),
        "{csv}"
    );

    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("class.json")).unwrap()).unwrap();
    assert_eq!(json["programs"], serde_json::json!(["server ii_5"]));
    assert_eq!(json["rows"].as_array().map(Vec::len), Some(5));
    assert_eq!(
        json["common_failures"],
        serde_json::json!([{"id": "ii_5.relay_with_pseudo", "failed": 2, "ran": 3}])
    );
    let bob = &json["rows"][1]["cells"][0];
    assert_eq!(bob["failures"][0]["tier"], "course");
    assert!(
        bob["failures"][0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("expected nothing got \"alice a dit")),
        "{bob:#}"
    );

    // The page in a real browser: its own script sorts the table as the address asks.
    let page = out.join("class.html");
    let as_written = std::fs::read_to_string(&page).unwrap();
    assert_eq!(
        students_in(&as_written),
        ["alice", "bob", "carol", "dave", "erin"]
    );
    let by_name_desc = browse(&page, "sort=0-desc");
    assert_eq!(
        students_in(&by_name_desc),
        ["erin", "dave", "carol", "bob", "alice"]
    );
    assert!(by_name_desc.contains("data-sorted=\"0-desc\""));
    // Course column, ascending: the ungraded row first, then by share passed.
    let by_course = browse(&page, "sort=1");
    let order = students_in(&by_course);
    assert_eq!(order[0], "erin", "{order:?}");
    assert_eq!(&order[3..], ["alice", "carol"], "{order:?}");
    // Each failure's reason is in its cell, to expand.
    assert!(
        by_course.contains("<li class=\"failure\"><code>ii_5.relay_with_pseudo</code> <em>course</em>: the sender: expected nothing got"),
        "{by_course}"
    );
}

#[test]
fn an_unreadable_manifest_is_a_usage_error_naming_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = tmp.path().join("m.txt");
    std::fs::write(&manifest, "alice server ii_6 python3 s.py\n").unwrap();
    let (code, stdout, stderr) = run(Command::new(GRADE).arg("class").arg(&manifest));
    assert_eq!(code, Some(2), "{stdout}\n{stderr}");
    assert!(stdout.is_empty());
    assert!(
        stderr.starts_with(&format!("error: {}:1: ", manifest.display())),
        "{stderr}"
    );
}

/// The page as headless Chromium renders it (its DOM after the scripts ran), with
/// `fragment` as the address's `#…`.
fn browse(page: &Path, fragment: &str) -> String {
    let browser = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| Command::new(b).arg("--version").output().is_ok())
        .unwrap_or_else(|| {
            panic!(
                "this test opens the class page in a real browser: install Chromium \
                 (Debian: apt-get install chromium; .ci/run does)"
            )
        });
    let profile = tempfile::tempdir().unwrap();
    let url = format!("file://{}#{fragment}", page.display());
    let (code, dom, stderr) = run(Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(&url));
    assert_eq!(code, Some(0), "{browser} {url}: {stderr}");
    dom
}
