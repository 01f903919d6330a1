//! The `grade` binary against known programs: proof that the checks accept correct course
//! programs and catch real mistakes.
//!
//! The tests run `grade … --json` as a teacher would and parse its report:
//! - this project's own binaries (one stage of each kind: server, client, Part I) pass;
//! - each `chat_server.py --bug NAME` (the course-style Python server with ONE deliberate
//!   bug, listed in its header) and `broken_sequential_downloads.py` exit 1 and the check
//!   that must catch it fails with an "expected … got …" reason; `--only` runs just that
//!   check to keep this file fast;
//! - the correct Python fixtures (`chat_server.py` without `--bug`, in both wires, and
//!   `client_ii_6_tp.py`) pass every check, `--wire tp` for the course-style ones;
//! - Part I's course-style fixtures, each a reading of the course `grade` once misjudged,
//!   pass their stage: `course_sleep.py` (counts 0..n-1, then a total time),
//!   `course_web.py` (errors on stdout), `course_downloads.py` (the course's file names);
//!   and their `--bug` variants (a fixed wait after the last number, an error line without
//!   its reason) are caught by the check their header names.
//!
//! Three more check the text table, the usage errors (exit 2) a teacher's script relies on,
//! and the usage `grade` alone prints.
//! The fixtures need `python3` 3.9+ (stdlib only); without it these tests fail, never skip.

use serde_json::Value;
use std::process::{Output, Stdio};
use std::sync::OnceLock;
use std::time::Duration;
use tokio::process::Command;

mod common;

const GRADE: &str = env!("CARGO_BIN_EXE_grade");
/// Longest one `grade` run may take: a few checks of at most a few seconds each.
const RUN_LIMIT: Duration = Duration::from_secs(90);
/// `--timeout` given to `grade`: longest one check may take.
const CHECK_TIMEOUT: &str = "20";

/// A fixture's path.
fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// `python3`, after making sure it runs and is 3.9 or later (the fixtures use
/// `str.removesuffix` and `asyncio.to_thread`): a missing interpreter is a failure, not a skip.
fn python3() -> &'static str {
    static CHECKED: OnceLock<Result<(), String>> = OnceLock::new();
    let checked = CHECKED.get_or_init(|| {
        let out = std::process::Command::new("python3")
            .args(["-c", "import sys; print(sys.version_info >= (3, 9))"])
            .output()
            .map_err(|e| format!("cannot run python3: {e}"))?;
        match String::from_utf8_lossy(&out.stdout).trim() {
            "True" => Ok(()),
            "False" => Err("python3 is older than 3.9".into()),
            _ => Err(format!("`python3 -c …` exited {}", out.status)),
        }
    });
    if let Err(why) = checked {
        panic!(
            "these tests grade the Python fixtures of tests/fixtures/ and need python3 \
             (3.9 or later, stdlib only) on the PATH: {why}"
        );
    }
    "python3"
}

/// `python3 <fixture> <args…>`.
fn py(name: &str, args: &[&str]) -> Vec<String> {
    let mut argv = vec![python3().to_string(), fixture(name)];
    argv.extend(args.iter().map(|a| a.to_string()));
    argv
}

/// A finished `grade` run: its exit code and its parsed JSON report.
struct Graded {
    code: Option<i32>,
    report: Value,
    /// The command line, for assertion messages.
    shown: String,
}

impl Graded {
    /// The report entry of check `id`.
    fn check(&self, id: &str) -> &Value {
        self.report["checks"]
            .as_array()
            .and_then(|checks| checks.iter().find(|c| c["id"] == id))
            .unwrap_or_else(|| {
                panic!(
                    "{}: no check {id} in the report:\n{:#}",
                    self.shown, self.report
                )
            })
    }

    fn count(&self, field: &str) -> u64 {
        self.report[field]
            .as_u64()
            .unwrap_or_else(|| panic!("{}: no number {field:?} in {:#}", self.shown, self.report))
    }

    /// Exit 0, nothing failed, nothing skipped, and at least `min_passed` checks passed.
    fn assert_all_pass(&self, min_passed: u64) {
        self.assert_all_pass_skipping(min_passed, &[]);
    }

    /// The same, but the checks in `skips` may be skipped (and must then say why).
    fn assert_all_pass_skipping(&self, min_passed: u64, skips: &[&str]) {
        assert_eq!(
            self.code,
            Some(0),
            "{}: exit code\n{:#}",
            self.shown,
            self.report
        );
        assert_eq!(
            self.count("failed"),
            0,
            "{}:\n{:#}",
            self.shown,
            self.report
        );
        assert_eq!(
            self.count("skipped"),
            skips.len() as u64,
            "{}:\n{:#}",
            self.shown,
            self.report
        );
        assert!(
            self.count("passed") >= min_passed,
            "{}: expected at least {min_passed} checks to pass:\n{:#}",
            self.shown,
            self.report
        );
        for c in self.report["checks"].as_array().into_iter().flatten() {
            if skips.iter().any(|id| c["id"] == *id) {
                assert_eq!(c["verdict"], "skip", "{}: {c:#}", self.shown);
                assert_ne!(c["reason"], "", "{}: a skip says why: {c:#}", self.shown);
                continue;
            }
            assert_eq!(c["verdict"], "pass", "{}: {c:#}", self.shown);
            assert_eq!(
                c["reason"], "",
                "{}: a pass has no reason: {c:#}",
                self.shown
            );
        }
    }

    /// Exit 1, and check `id` failed with a reason of the form "… expected … got …" that
    /// contains every one of `says`.
    fn assert_caught_by(&self, id: &str, says: &[&str]) {
        assert_eq!(
            self.code,
            Some(1),
            "{}: exit code\n{:#}",
            self.shown,
            self.report
        );
        assert!(
            self.count("failed") >= 1,
            "{}:\n{:#}",
            self.shown,
            self.report
        );
        let check = self.check(id);
        assert_eq!(check["verdict"], "fail", "{}: {check:#}", self.shown);
        let reason = check["reason"].as_str().expect("a reason string");
        let readable = reason
            .find("expected ")
            .is_some_and(|at| reason[at..].contains(" got "));
        assert!(
            readable,
            "{}: {id}'s reason should say what was expected and what came: {reason:?}",
            self.shown
        );
        for needle in says {
            assert!(
                reason.contains(needle),
                "{}: {id}'s reason lacks {needle:?}: {reason:?}",
                self.shown
            );
        }
    }
}

/// Runs `grade` with `args`, bounded by [`RUN_LIMIT`].
async fn run_grade(args: &[String]) -> Output {
    let shown = format!("grade {}", args.join(" "));
    let run = Command::new(GRADE)
        .args(args)
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output();
    tokio::time::timeout(RUN_LIMIT, run)
        .await
        .unwrap_or_else(|_| panic!("{shown}: still running after {RUN_LIMIT:?}"))
        .unwrap_or_else(|e| panic!("{shown}: cannot run: {e}"))
}

/// Runs `grade <kind> <stage> <options…> --json --timeout 20 -- <command…>`.
async fn grade(kind: &str, stage: &str, options: &[&str], command: &[String]) -> Graded {
    let mut args: Vec<String> = vec![kind.into(), stage.into()];
    args.extend(options.iter().map(|o| o.to_string()));
    args.extend(["--json", "--timeout", CHECK_TIMEOUT, "--"].map(String::from));
    args.extend(command.iter().cloned());
    let shown = format!("grade {}", args.join(" "));
    let out = run_grade(&args).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "{shown}: stdout is not a JSON report ({e}):\n{stdout}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(report["stage"], stage, "{shown}: {report:#}");
    Graded {
        code: out.status.code(),
        report,
        shown,
    }
}

// ---- this project's own binaries: one stage of each kind passes -------------------------

#[tokio::test]
async fn own_server_ii_6_passes() {
    let server = env!("CARGO_BIN_EXE_chat_server_ii_6");
    let command = [server, "--port", "{port}"].map(String::from);
    grade("server", "ii_6", &[], &command)
        .await
        .assert_all_pass(8);
}

#[tokio::test]
async fn own_server_ii_6_passes_by_address_too() {
    // One server for every check, as a teacher grading a running server gets. Only the
    // checks that read the console need the process: at ii_6, the first line's.
    let (mut server, _) = common::start(env!("CARGO_BIN_EXE_chat_server_ii_6"), &[]);
    let addr = server.addr.clone();
    let graded = grade("server", "ii_6", &["--address", &addr], &[]).await;
    server.stop();
    graded.assert_all_pass_skipping(8, &["ii_2.serving_on_first"]);
}

#[tokio::test]
async fn own_client_ii_6_passes() {
    let client = env!("CARGO_BIN_EXE_chat_client_ii_6");
    let command = [client, "--port", "{port}"].map(String::from);
    grade("client", "ii_6", &[], &command)
        .await
        .assert_all_pass(4);
}

#[tokio::test]
async fn own_web_async_multiple_passes() {
    let program = env!("CARGO_BIN_EXE_web_async_multiple");
    let command = [program, "{urls_file}", "--out-dir", "{out_dir}"].map(String::from);
    grade("part1", "web_async_multiple", &[], &command)
        .await
        .assert_all_pass(5);
}

// ---- correct course-style Python programs pass ------------------------------------------

#[tokio::test]
async fn python_tp_server_passes_with_wire_tp() {
    // Every ii_6 server check applies but ii_4's line length, which is about lines.
    let command = py("chat_server.py", &["--port", "{port}", "--wire", "tp"]);
    grade("server", "ii_6", &["--wire", "tp"], &command)
        .await
        .assert_all_pass_skipping(8, &["ii_4.long_line"]);
}

#[tokio::test]
async fn python_lines_server_passes() {
    let command = py("chat_server.py", &["--port", "{port}"]);
    grade("server", "ii_6", &[], &command)
        .await
        .assert_all_pass(8);
}

#[tokio::test]
async fn a_join_announced_to_the_others_only_passes_the_course_tier() {
    // The course's "à tout le monde" read as "to the others": every course check passes,
    // the relay, refusal, leave and reset checks run as usual, and only the robust check
    // that the newcomer hears its own join fails. Both wires graded at once.
    let run = |wire: &'static str| async move {
        let command = py(
            "chat_server.py",
            &[
                "--port",
                "{port}",
                "--wire",
                wire,
                "--join-announced-to",
                "others",
            ],
        );
        grade("server", "ii_6", &["--wire", wire], &command).await
    };
    let (lines, tp) = tokio::join!(run("lines"), run("tp"));
    for graded in [lines, tp] {
        let course = &graded.report["course"];
        assert_eq!(
            course["failed"], 0,
            "{}:\n{:#}",
            graded.shown, graded.report
        );
        // ii_4's not_to_sender, silent_client_receives and three_clients, ii_5's
        // join_announced and relay_with_pseudo, ii_6's leave_announced_once.
        assert_eq!(course["passed"], 6, "{:#}", graded.report);
        assert_eq!(graded.report["robust"]["failed"], 1, "{:#}", graded.report);
        let own = graded.check("ii_5.newcomer_hears_own_join");
        assert_eq!(own["verdict"], "fail", "{own:#}");
        assert_eq!(own["tier"], "robust", "{own:#}");
    }
}

#[tokio::test]
async fn tier_selects_the_checks_that_run() {
    let command = py("chat_server.py", &["--port", "{port}"]);
    let graded = grade("server", "ii_5", &["--tier", "robust"], &command).await;
    let checks = graded.report["checks"].as_array().expect("checks");
    assert!(!checks.is_empty());
    assert!(
        checks.iter().all(|c| c["tier"] == "robust"),
        "{:#}",
        graded.report
    );
    assert_eq!(graded.report["course"]["passed"], 0);
    // `all` is both, as without `--tier`.
    let both = grade("server", "ii_5", &["--tier", "all"], &command).await;
    let both = both.report["checks"].as_array().expect("checks").len();
    let robust = checks.len();
    let course = grade("server", "ii_5", &["--tier", "course"], &command).await;
    let course = course.report["checks"].as_array().expect("checks").len();
    assert!(robust > 0 && course > 0);
    assert_eq!(both, robust + course);
}

#[tokio::test]
async fn python_tp_client_passes_ii_6_with_wire_tp() {
    // The ii_6 client list holds the ii_5 checks (handshake) and the ii_6 ones (disconnect
    // notice). The pseudo is typed on stdin (no `{pseudo}` in the command), after a
    // `Pseudo : ` prompt without a line end, which the checks tolerate.
    let command = py("client_ii_6_tp.py", &["--port", "{port}"]);
    grade("client", "ii_6", &["--wire", "tp"], &command)
        .await
        .assert_all_pass(4);
}

// ---- broken fixtures: each bug is caught by the check its header names -------------------

#[tokio::test]
async fn a_client_that_exits_with_a_traceback_fails_only_the_clean_exit() {
    let command = py(
        "client_ii_6_tp.py",
        &["--port", "{port}", "--bug", "traceback_on_close"],
    );
    let graded = grade("client", "ii_6", &["--wire", "tp"], &command).await;
    graded.assert_caught_by(
        "ii_6.client_exits_cleanly",
        &["got a traceback", "SystemExit"],
    );
    assert_eq!(graded.count("failed"), 1, "{:#}", graded.report);
    assert_eq!(graded.check("ii_6.client_server_close")["verdict"], "pass");
}

/// `python3 chat_server.py --port {port} --wire tp --bug <bug>`.
fn buggy_tp_server(bug: &str) -> Vec<String> {
    py(
        "chat_server.py",
        &["--port", "{port}", "--wire", "tp", "--bug", bug],
    )
}

/// Grades `chat_server.py --bug <bug>` as an ii_6 server (`--wire tp`) with `--only check`.
async fn broken_tp_server(bug: &str, check: &str) -> Graded {
    let command = buggy_tp_server(bug);
    grade(
        "server",
        "ii_6",
        &["--wire", "tp", "--only", check],
        &command,
    )
    .await
}

#[tokio::test]
async fn echo_to_sender_is_caught() {
    let check = "ii_5.relay_with_pseudo";
    broken_tp_server("echo_to_sender", check)
        .await
        .assert_caught_by(
            check,
            &["the sender: expected nothing got \"alice a dit : coucou bob\""],
        );
}

#[tokio::test]
async fn recipient_pseudo_is_caught() {
    let check = "ii_5.relay_with_pseudo";
    broken_tp_server("recipient_pseudo", check)
        .await
        .assert_caught_by(
            check,
            &["relay to bob: expected \"alice a dit : coucou bob\" got \"bob a dit : coucou bob\""],
        );
}

#[tokio::test]
async fn break_at_sender_is_caught() {
    let check = "ii_5.relay_with_pseudo";
    broken_tp_server("break_at_sender", check)
        .await
        .assert_caught_by(
            check,
            &["relay to bob: expected \"alice a dit : coucou bob\" got nothing within 3 s"],
        );
}

#[tokio::test]
async fn never_removing_leavers_is_caught() {
    let check = "ii_6.leave_announced_once";
    broken_tp_server("never_removes_leavers", check)
        .await
        .assert_caught_by(
            check,
            &["bob's leave: expected \"Annonce : bob a quitté la chatroom\" got nothing within 3 s"],
        );
}

#[tokio::test]
async fn leave_for_unjoined_is_caught() {
    let check = "ii_6.no_leave_for_unjoined";
    broken_tp_server("leave_for_unjoined", check)
        .await
        .assert_caught_by(
            check,
            &["after clients that never joined left: expected nothing got \"Annonce : None a quitté la chatroom"],
        );
}

#[tokio::test]
async fn a_greeting_on_connect_is_not_a_reply() {
    let command = py("greeting_server_ii_2.py", &["--port", "{port}"]);
    grade("server", "ii_2", &["--only", "ii_2.hello_reply"], &command)
        .await
        .assert_caught_by(
            "ii_2.hello_reply",
            &["before the client sent anything", "Hello 127.0.0.1:"],
        );
}

#[tokio::test]
async fn a_failed_preamble_is_reported_once_and_blocks_the_rest() {
    let command = py(
        "chat_server.py",
        &[
            "--port",
            "{port}",
            "--stage",
            "ii_4",
            "--bug",
            "register_on_first_msg",
        ],
    );
    // Three of the five ii_4 checks: each blocked one still waits out the probes (3 s).
    let only = [
        "--only",
        "ii_4.relay_format",
        "--only",
        "ii_4.not_to_sender",
        "--only",
        "ii_4.three_clients",
    ];
    let graded = grade("server", "ii_4", &only, &command).await;
    let checks = graded.report["checks"].as_array().expect("checks");
    let relays: Vec<_> = checks
        .iter()
        .filter(|c| c["id"].as_str().is_some_and(|id| id.starts_with("ii_4.")))
        .collect();
    assert_eq!(relays.len(), 3, "{:#}", graded.report);
    let first = relays[0]["id"].as_str().expect("an id");
    assert_eq!(
        relays[0]["reason"],
        "no message between two connected clients was ever relayed (3 s of probes)",
        "{:#}",
        graded.report
    );
    for c in &relays[1..] {
        assert_eq!(c["verdict"], "fail", "{c:#}");
        assert_eq!(c["reason"], format!("blocked by {first}"), "{c:#}");
    }
}

#[tokio::test]
async fn patience_scales_every_wait() {
    // A reply after 2 s: within the 3 s a reply is waited for, not within half of it.
    let command = py("slow_reply_ii_2.py", &["--port", "{port}", "--delay", "2"]);
    let only = ["--only", "ii_2.hello_reply"];
    grade("server", "ii_2", &only, &command)
        .await
        .assert_all_pass(1);
    let hurried = [&only[..], &["--patience", "0.5"]].concat();
    grade("server", "ii_2", &hurried, &command)
        .await
        .assert_caught_by("ii_2.hello_reply", &["got nothing within 1.5 s"]);
}

#[tokio::test]
async fn the_course_s_tuple_line_is_read_but_fails_the_exact_first_line() {
    // `print(f"Serving on {addr}")` prints the socket's tuple: grade finds the server by it
    // (the check ran: readiness was learnt), and the robust ii_2.serving_on_first asks for
    // `<ip>:<port>`.
    let log = tempfile::NamedTempFile::new().unwrap();
    let log = log.path().to_string_lossy().into_owned();
    let command = py(
        "chat_server_registers_at_connect.py",
        &["--port", "{port}", "--log", &log],
    );
    let graded = grade(
        "server",
        "ii_6",
        &["--only", "ii_2.serving_on_first"],
        &command,
    )
    .await;
    graded.assert_caught_by(
        "ii_2.serving_on_first",
        &["Serving on <ip>:", "got \"Serving on ("],
    );
}

#[tokio::test]
async fn a_syntax_error_shows_the_traceback_and_the_interpreter_version() {
    // Syntax this interpreter does not know reads, in the report, as what it is.
    let dir = tempfile::tempdir().unwrap();
    let server = dir.path().join("server.py");
    std::fs::write(&server, "import asyncio\nasync def main(:\n    pass\n").unwrap();
    let command = [python3().to_string(), server.to_string_lossy().into_owned()];
    let graded = grade("server", "ii_2", &["--only", "ii_2.hello_reply"], &command).await;
    let reason = graded.check("ii_2.hello_reply")["reason"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    for needle in [
        "before listening",
        "SyntaxError",
        "python3 here is Python 3.",
    ] {
        assert!(reason.contains(needle), "{needle:?} not in {reason:?}");
    }
}

#[tokio::test]
async fn strict_utf8_is_caught() {
    broken_tp_server("strict_utf8", "ii_5.invalid_utf8_relayed")
        .await
        .assert_caught_by("ii_5.invalid_utf8_relayed", &["relay of invalid UTF-8"]);
}

#[tokio::test]
async fn pipe_in_pseudo_is_caught() {
    broken_tp_server("pipe_in_pseudo", "ii_5.refuse_pipe")
        .await
        .assert_caught_by("ii_5.refuse_pipe", &["Hello|al|ice"]);
}

#[tokio::test]
async fn drain_each_recipient_is_caught_in_both_wire_modes() {
    let check = "ii_4.stuck_client";
    for wire in ["lines", "tp"] {
        let command = py(
            "chat_server.py",
            &[
                "--port",
                "{port}",
                "--stage",
                "ii_4",
                "--wire",
                wire,
                "--bug",
                "drain_each_recipient",
            ],
        );
        grade(
            "server",
            "ii_4",
            &["--wire", wire, "--only", check],
            &command,
        )
        .await
        .assert_caught_by(
            check,
            &["expected it got nothing within 3 s: the stuck client delays the others"],
        );
    }
}

#[tokio::test]
async fn sequential_async_downloads_are_caught() {
    let check = "web_async_multiple.concurrent";
    let command = py(
        "broken_sequential_downloads.py",
        &["{urls_file}", "--out-dir", "{out_dir}"],
    );
    grade("part1", "web_async_multiple", &["--only", check], &command)
        .await
        .assert_caught_by(check, &["expected the 8 pages in under 1.6 s"]);
}

#[tokio::test]
async fn the_sequential_downloader_is_otherwise_correct() {
    // The bug is only the missing concurrency: as a `web_sync_multiple` it passes everything,
    // so the failure above is that check's doing, not a broken download.
    let command = py(
        "broken_sequential_downloads.py",
        &["{urls_file}", "--out-dir", "{out_dir}"],
    );
    grade("part1", "web_sync_multiple", &[], &command)
        .await
        .assert_all_pass(5);
}

// ---- Part I: every reading of the course passes, each bug is caught ---------------------

/// `course_sleep.py` with a fast count: 4 numbers, 100 ms apart (0..3, then a total line).
fn course_sleep(extra: &[&str]) -> Vec<String> {
    let mut args = vec!["--count", "4", "--interval-ms", "100"];
    args.extend_from_slice(extra);
    py("course_sleep.py", &args)
}

#[tokio::test]
async fn counting_from_0_with_a_total_line_passes_the_sleep_checks() {
    // range(10) counts 0..9 and the program ends with `Temps total : … s`: both readings
    // of the course, graded on pacing and concurrency alone.
    grade("part1", "sleep_and_print", &[], &course_sleep(&[]))
        .await
        .assert_all_pass(3);
    grade(
        "part1",
        "sleep_and_print_async",
        &[],
        &course_sleep(&["--async"]),
    )
    .await
    .assert_all_pass(3);
}

#[tokio::test]
async fn a_fixed_wait_after_the_last_number_is_caught() {
    // 200 ms apart, then a wait as long as a sequential run (1.6 s from the start): the
    // counts are right, the program lives on for 1 s after its last number.
    let command = py(
        "course_sleep.py",
        &[
            "--async",
            "--count",
            "4",
            "--interval-ms",
            "200",
            "--bug",
            "sleep_after_last",
        ],
    );
    let graded = grade("part1", "sleep_and_print_async", &[], &command).await;
    graded.assert_caught_by(
        "sleep_and_print_async.exits_promptly",
        &["expected the program to exit within", "of its last number"],
    );
    assert_eq!(
        graded.count("failed"),
        1,
        "{}: only exits_promptly should fail:\n{:#}",
        graded.shown,
        graded.report
    );
}

#[tokio::test]
async fn errors_reported_on_stdout_pass_the_page_checks() {
    let command = py("course_web.py", &["{url}", "--output", "{output}"]);
    grade("part1", "web_sync", &[], &command)
        .await
        .assert_all_pass(4);
}

#[tokio::test]
async fn an_error_line_without_its_reason_is_caught() {
    // `Erreur : impossible de télécharger <url>`: the URL is there, the 404 is not, and the
    // page's URL holds no status that could stand in for it.
    let command = py(
        "course_web.py",
        &["{url}", "--output", "{output}", "--bug", "no_reason"],
    );
    let graded = grade("part1", "web_sync", &[], &command).await;
    graded.assert_caught_by(
        "web_sync.http_error",
        &[
            "and the status (404 or \"Not Found\")",
            "impossible de télécharger",
        ],
    );
    graded.assert_caught_by("web_sync.unreachable", &["Connection refused"]);
    assert_eq!(graded.count("failed"), 2, "{:#}", graded.report);
}

#[tokio::test]
async fn the_course_file_names_pass_the_list_checks() {
    // `web_127.0.0.1:<port>_page_x` (only `/` replaced, as the course says) and
    // `web_http:__127.0.0.1:<port>_page_x` (only `https://` removed); errors on stdout.
    for naming in ["course", "https_only"] {
        let command = py(
            "course_downloads.py",
            &["{urls_file}", "--out-dir", "{out_dir}", "--naming", naming],
        );
        grade("part1", "web_async_multiple", &[], &command)
            .await
            .assert_all_pass(5);
    }
}

// ---- the text report and the exit codes a teacher's script relies on ---------------------

#[tokio::test]
async fn text_report_shows_the_failure_and_its_reason() {
    let mut args: Vec<String> = ["server", "ii_6", "--wire", "tp", "--only"]
        .map(String::from)
        .to_vec();
    args.extend(["ii_5.relay_with_pseudo".into(), "--".into()]);
    args.extend(buggy_tp_server("echo_to_sender"));
    let out = run_grade(&args).await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("stage ii_6"), "{text}");
    let row = lines.next().unwrap_or_default();
    assert!(
        row.trim_start().starts_with("FAIL  ii_5.relay_with_pseudo"),
        "{text}"
    );
    let reason = lines.next().unwrap_or_default();
    assert!(
        reason
            .trim_start()
            .starts_with("-> the sender: expected nothing got"),
        "{text}"
    );
    assert_eq!(
        lines.next(),
        Some("course tier: 0/1 passed; robust tier: 0/0 passed"),
        "{text}"
    );
    assert_eq!(
        lines.next(),
        Some("0 passed, 1 failed, 0 skipped"),
        "{text}"
    );
}

#[tokio::test]
async fn usage_errors_exit_2_with_one_line_and_no_report() {
    for args in [
        &["server", "ii_9", "--", "true"][..],
        &["server", "ii_6", "--only", "no_such_check", "--", "true"],
        &["client", "ii_4", "--", "true"],
        &["part1", "web_sync", "--timeout", "0", "--", "true"],
    ] {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let out = run_grade(&args).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "grade {args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "grade {args:?}");
        assert!(
            stderr.starts_with("error: ") && stderr.lines().count() == 1,
            "grade {args:?}: {stderr:?}"
        );
    }
}

#[tokio::test]
async fn grade_alone_prints_its_usage_with_every_subcommand() {
    let out = run_grade(&[]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty());
    // Its own summary first, not the package's description.
    assert!(
        stderr.starts_with("Grade a submission"),
        "the usage does not start with grade's summary: {stderr}"
    );
    assert!(stderr.contains("Usage: grade"), "{stderr}");
    for command in ["list", "server", "client", "part1"] {
        assert!(
            stderr
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("{command} "))),
            "no `{command}` subcommand in the usage: {stderr}"
        );
    }
}

/// GRADING.md's "A real report" is what `grade` prints for that command today: the same
/// checks, in the same order, with the same verdicts, and the same totals.
#[tokio::test]
async fn grading_md_s_real_report_is_what_grade_prints() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/GRADING.md"))
        .expect("GRADING.md");
    let section = doc
        .split("\n## A real report\n")
        .nth(1)
        .expect("a section \"A real report\"");
    let block = section
        .split("```text\n")
        .nth(1)
        .and_then(|b| b.split("\n```").next())
        .expect("a text block in it");
    let shown: Vec<(String, String)> = block
        .lines()
        .take_while(|l| !l.starts_with("$ echo"))
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let verdict = words.next()?;
            matches!(verdict, "PASS" | "FAIL" | "SKIP").then(|| {
                (
                    verdict.to_lowercase(),
                    words.next().unwrap_or_default().into(),
                )
            })
        })
        .collect();
    assert!(shown.len() > 10, "{block}");
    let totals = block
        .lines()
        .find(|l| l.starts_with(|c: char| c.is_ascii_digit()) && l.contains(" passed, "))
        .expect("the totals line");

    let graded = grade(
        "server",
        "ii_6",
        &["--wire", "tp"],
        &buggy_tp_server("recipient_pseudo"),
    )
    .await;
    let printed: Vec<(String, String)> = graded.report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| {
            let field = |name: &str| c[name].as_str().unwrap_or_default().to_string();
            (field("verdict"), field("id"))
        })
        .collect();
    assert_eq!(shown, printed, "GRADING.md's real report is out of date");
    let counts = format!(
        "{} passed, {} failed, {} skipped",
        graded.count("passed"),
        graded.count("failed"),
        graded.count("skipped")
    );
    assert_eq!(totals, counts, "GRADING.md's totals are out of date");
}
