//! Part I: the grade checks run against this project's binaries, and proofs that each
//! check fails, for the reason it gives, on a program lacking what it checks. That every
//! stage's checks fail on the previous stage's program is tests/previous_stage.rs; bad
//! input is part1_cli.rs.
//!
//! The sleep programs run with `--count 4 --interval-ms 100` and every web page comes from
//! the loopback fixture, so the whole file takes a few seconds and needs no internet.

mod common;

use common::ours;
use std::process::Command;
use std::time::Duration;
use tp6::grade::part1::{Part1Target, STAGES, checks};
use tp6::grade::{Verdict, run_checks};

/// Per check; the slowest (a sequential run of 8 × 400 ms pages) takes about 3.5 s.
const CHECK_LIMIT: Duration = Duration::from_secs(30);

/// Our program of Part I stage `stage`.
fn program(stage: &str) -> String {
    ours::part1(stage).expect("a Part I program")
}

/// The program of stage `program_of` given the command of a `stage` program.
fn target(stage: &str, program_of: &str) -> Part1Target {
    ours::part1_target(stage, &program(program_of))
}

/// Runs every check of `stage` and fails the test with the report unless all pass.
async fn assert_stage_passes(stage: &str, target: Part1Target) {
    let checks = checks(stage);
    assert!(!checks.is_empty(), "no checks for {stage}");
    let report = run_checks(stage, &checks, &target, CHECK_LIMIT).await;
    assert!(report.all_passed() && report.skipped == 0, "{report}");
    assert_eq!(report.passed, checks.len(), "{report}");
}

/// The verdict and reason of one check against `target`.
async fn verdict(check_id: &str, target: Part1Target) -> (Verdict, String) {
    common::verdict(checks, check_id, &target, CHECK_LIMIT).await
}

/// Asserts that `check_id` fails against `target` with a reason containing `reason_has`.
async fn assert_fails(check_id: &str, target: Part1Target, reason_has: &str) {
    common::assert_fails(checks, check_id, &target, reason_has, CHECK_LIMIT).await
}

// ---- every stage passes its own checks -------------------------------------------------

#[tokio::test]
async fn sleep_and_print_passes() {
    assert_stage_passes(
        "sleep_and_print",
        target("sleep_and_print", "sleep_and_print"),
    )
    .await;
}

#[tokio::test]
async fn sleep_and_print_async_passes() {
    assert_stage_passes(
        "sleep_and_print_async",
        target("sleep_and_print_async", "sleep_and_print_async"),
    )
    .await;
}

#[tokio::test]
async fn web_sync_passes() {
    assert_stage_passes("web_sync", target("web_sync", "web_sync")).await;
}

#[tokio::test]
async fn web_async_passes() {
    assert_stage_passes("web_async", target("web_async", "web_async")).await;
}

#[tokio::test]
async fn web_sync_multiple_passes() {
    assert_stage_passes(
        "web_sync_multiple",
        target("web_sync_multiple", "web_sync_multiple"),
    )
    .await;
}

#[tokio::test]
async fn web_async_multiple_passes() {
    assert_stage_passes(
        "web_async_multiple",
        target("web_async_multiple", "web_async_multiple"),
    )
    .await;
}

#[tokio::test]
async fn measure_passes() {
    assert_stage_passes("measure", target("measure", "measure")).await;
}

#[test]
fn every_part_one_stage_of_the_manifest_has_checks() {
    let part_one: Vec<&str> = tp6::stages::STAGES
        .iter()
        .filter(|s| s.part == tp6::stages::Part::One)
        .map(|s| s.id)
        .collect();
    assert_eq!(part_one, STAGES);
    assert!(
        STAGES
            .iter()
            .all(|s| checks(s).iter().all(|c| c.id.starts_with(&format!("{s}."))))
    );
    assert!(checks("ii_2").is_empty());
}

// ---- each check fails on a program that lacks its behaviour ----------------------------

#[tokio::test]
async fn the_sync_counter_fails_the_async_checks() {
    assert_fails(
        "sleep_and_print_async.interleaved",
        target("sleep_and_print_async", "sleep_and_print"),
        "expected \"1 1 2 2",
    )
    .await;
    assert_fails(
        "sleep_and_print_async.concurrent",
        target("sleep_and_print_async", "sleep_and_print"),
        "together",
    )
    .await;
}

#[tokio::test]
async fn the_async_counter_fails_the_sync_checks() {
    assert_fails(
        "sleep_and_print.order",
        target("sleep_and_print", "sleep_and_print_async"),
        "expected \"1 2 3 4 1",
    )
    .await;
    let counter = target("sleep_and_print", "sleep_and_print_async");
    assert_fails("sleep_and_print.paced", counter, "no pause").await;
}

#[tokio::test]
async fn interleaving_without_sleeping_fails_the_timing_check() {
    let fake = Part1Target::new(["sh", "-c", "for i in 1 2 3 4; do echo $i; echo $i; done"]);
    assert_eq!(
        verdict("sleep_and_print_async.interleaved", fake.clone())
            .await
            .0,
        Verdict::Pass
    );
    assert_fails("sleep_and_print_async.concurrent", fake, "no pause").await;
}

#[tokio::test]
async fn a_long_sleep_after_the_last_number_fails_only_the_exit_check() {
    // Two correct counts, 100 ms apart, then one more second of sleep.
    let count = "for i in 1 2 3 4; do echo $i; sleep 0.1; done";
    let lingering = Part1Target::new(["sh", "-c", &format!("{count}; {count}; sleep 1")]);
    for check in ["sleep_and_print.order", "sleep_and_print.paced"] {
        let (v, reason) = verdict(check, lingering.clone()).await;
        assert_eq!(v, Verdict::Pass, "{check}: {reason}");
    }
    assert_fails(
        "sleep_and_print.exits_promptly",
        lingering,
        "of its last number",
    )
    .await;
}

#[tokio::test]
async fn a_one_page_program_fails_the_list_checks() {
    let web_sync = program("web_sync");
    let one_page = Part1Target::new([&web_sync, "--output", "{out_dir}/page", "{urls_file}"]);
    assert_fails(
        "web_sync_multiple.writes_all",
        one_page,
        "expected exit code 0",
    )
    .await;
}

#[tokio::test]
async fn a_program_that_never_exits_0_fails_the_exit_check() {
    // The async counter refuses the downloader's arguments: it exits 2 after the failures
    // too, which alone would look like reporting them.
    let always_fails = target("web_sync", "sleep_and_print_async");
    assert_fails(
        "web_sync.failure_exit",
        always_fails,
        "a page that downloads: expected exit code 0",
    )
    .await;
}

#[tokio::test]
async fn sequential_downloads_fail_the_concurrency_check() {
    assert_fails(
        "web_async_multiple.concurrent",
        target("web_async_multiple", "web_sync_multiple"),
        "in under 1.6 s",
    )
    .await;
}

#[tokio::test]
async fn concurrent_downloads_fail_the_sequential_check() {
    assert_fails(
        "web_sync_multiple.sequential",
        target("web_sync_multiple", "web_async_multiple"),
        "one request at a time",
    )
    .await;
}

#[tokio::test]
async fn a_single_time_fails_the_measure_check() {
    assert_fails(
        "measure.times",
        target("measure", "web_async_multiple"),
        "expected a sequential time",
    )
    .await;
}

#[tokio::test]
async fn doing_nothing_fails_the_page_checks() {
    let idle = Part1Target::new(["true", "{url}", "{output}"]);
    assert_fails("web_sync.writes_page", idle.clone(), "no readable file").await;
    assert_fails("web_async.http_error", idle.clone(), "expected the URL").await;
    assert_fails(
        "web_async.failure_exit",
        idle,
        "expected a non-zero exit code",
    )
    .await;
}

/// curl without `-f` writes error pages and exits 0; with `>>` it appends. Present on the
/// project's machines; the test says so and stops where it is not.
#[tokio::test]
async fn curl_ignoring_statuses_or_appending_fails() {
    if Command::new("curl").arg("--version").output().is_err() {
        eprintln!("curl not installed: skipped");
        return;
    }
    let curl = Part1Target::new(["curl", "-s", "-o", "{output}", "{url}"]);
    assert_eq!(
        verdict("web_sync.writes_page", curl.clone()).await.0,
        Verdict::Pass
    );
    assert_fails("web_sync.http_error", curl.clone(), "expected the URL").await;
    assert_fails(
        "web_sync.failure_exit",
        curl,
        "expected a non-zero exit code after HTTP 404",
    )
    .await;
    let append = Part1Target::new([
        "sh",
        "-c",
        r#"curl -s "$1" >> "$2""#,
        "sh",
        "{url}",
        "{output}",
    ]);
    assert_fails(
        "web_sync.overwrites",
        append,
        "expected the page's 1000 bytes got 4000",
    )
    .await;
}

/// A shell loop over `web_sync`: proves the list checks grade any command, and that
/// stopping at the first failure is caught.
const SHELL_LOOP: &str = r#"
web=$1; out=$2; rc=0
while IFS= read -r line || [ -n "$line" ]; do
  url=$(printf '%s' "$line" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')
  case "$url" in ''|'#'*) continue;; esac
  name=web_$(printf '%s' "$url" | sed 's|^[A-Za-z][A-Za-z0-9+.-]*://||; s|[^A-Za-z0-9._-]|_|g')
  "$web" --output "$out/$name" "$url" || { rc=1; [ -n "$STOP" ] && exit 1; }
done < "$3"
echo "done at $(date +%s)"
exit $rc
"#;

fn shell_loop(stop_at_first_failure: bool) -> Part1Target {
    let script = if stop_at_first_failure {
        format!("STOP=1\n{SHELL_LOOP}")
    } else {
        SHELL_LOOP.into()
    };
    Part1Target::new([
        "sh".into(),
        "-c".into(),
        script,
        "sh".into(),
        program("web_sync"),
        "{out_dir}".into(),
        "{urls_file}".into(),
    ])
}

#[tokio::test]
async fn a_shell_loop_passes_and_stopping_early_fails() {
    assert_stage_passes("web_sync_multiple", shell_loop(false)).await;
    assert_fails(
        "web_sync_multiple.failure_isolated",
        shell_loop(true),
        "no readable file",
    )
    .await;
}

#[tokio::test]
async fn a_command_without_its_placeholder_is_skipped() {
    let (v, reason) = verdict(
        "web_sync_multiple.writes_all",
        Part1Target::new([program("web_sync_multiple")]),
    )
    .await;
    assert_eq!(
        (v, reason.as_str()),
        (Verdict::Skip, "the command has no {urls_file} placeholder")
    );
}

/// A program that hard-codes `/tmp/web_page` writes into a `/tmp` of its own: grade reads
/// the page there, and the machine's `/tmp/web_page` is untouched (the next student's run
/// cannot trip over this one's file). Linux, where user namespaces allow it; elsewhere the
/// report says the program shared `/tmp`.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_program_hard_coding_tmp_gets_a_tmp_of_its_own() {
    let real = std::path::Path::new("/tmp/web_page");
    let stamp = |p: &std::path::Path| std::fs::metadata(p).ok().and_then(|m| m.modified().ok());
    let before = stamp(real);
    let script = "import sys, urllib.request\n\
                  open('/tmp/web_page', 'wb').write(urllib.request.urlopen(sys.argv[1]).read())";
    let target = Part1Target::new(["python3", "-c", script, "{url}"]);
    if target.shared_tmp_note().is_some() {
        eprintln!("no private /tmp on this machine: the report says so instead");
        return;
    }
    let (verdict, reason) = verdict("web_sync.writes_page", target).await;
    assert_eq!(verdict, Verdict::Pass, "{reason}");
    assert_eq!(
        stamp(real),
        before,
        "the machine's /tmp/web_page was written"
    );
}
