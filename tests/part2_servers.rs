//! Part II servers: every stage's grade checks against our own binaries, in both wire
//! modes, and the proof that each stage's new checks fail against the previous stage.

use std::time::Duration;
use tp6::chat::wire::Wire;
use tp6::grade::chat::{checks, new_checks};
use tp6::grade::server::{ServerSource, ServerTarget};
use tp6::grade::{Report, Verdict, run_checks, unlike_before};

/// `bin` graded as a server of `stage`.
fn server(bin: &str, wire: Wire, stage: &str) -> ServerTarget {
    let wire_arg = match wire {
        Wire::Lines => "lines",
        Wire::Tp => "tp",
    };
    let command = [bin, "--port", "0", "--wire", wire_arg]
        .map(String::from)
        .to_vec();
    ServerTarget::new(ServerSource::Command(command), wire, stage)
}

fn binary(stage: &str) -> &'static str {
    match stage {
        "ii_2" => env!("CARGO_BIN_EXE_chat_server_ii_2"),
        "ii_3" => env!("CARGO_BIN_EXE_chat_server_ii_3"),
        "ii_4" => env!("CARGO_BIN_EXE_chat_server_ii_4"),
        "ii_5" => env!("CARGO_BIN_EXE_chat_server_ii_5"),
        "ii_6" => env!("CARGO_BIN_EXE_chat_server_ii_6"),
        other => panic!("no server for {other}"),
    }
}

/// Runs the checks concurrently (each starts its own server, so they cannot interfere) and
/// gathers one report: a failing check waits out its timeouts, and those overlap.
async fn grade(stage: &str, bin_stage: &str, wire: Wire, only_new: bool) -> Report {
    let list = if only_new {
        new_checks(stage)
    } else {
        checks(stage)
    };
    assert!(!list.is_empty(), "no checks for {stage}");
    let target = server(binary(bin_stage), wire, stage);
    let runs = list.iter().map(|c| {
        run_checks(
            stage,
            std::slice::from_ref(c),
            &target,
            Duration::from_secs(20),
        )
    });
    let reports = futures::future::join_all(runs).await;
    Report::new(stage, reports.into_iter().flat_map(|r| r.checks).collect())
}

async fn all_pass(stage: &str) {
    for wire in [Wire::Lines, Wire::Tp] {
        let report = grade(stage, stage, wire, false).await;
        assert!(report.all_passed(), "{wire:?}:\n{report}");
        assert!(report.passed > 0, "{wire:?}: nothing passed:\n{report}");
    }
}

/// Every new check of `stage` fails (none passes, none is skipped) against `previous`,
/// except those declaring that they hold before (which must then pass there).
async fn all_new_fail(stage: &str, previous: &str) {
    let report = grade(stage, previous, Wire::Lines, true).await;
    if let Some(id) = unlike_before(&new_checks(stage), &report) {
        panic!("{id} should fail against {previous} (or pass, if it holds before):\n{report}");
    }
}

#[tokio::test]
async fn ii_2_passes() {
    all_pass("ii_2").await;
}

#[tokio::test]
async fn ii_3_passes() {
    all_pass("ii_3").await;
}

#[tokio::test]
async fn ii_4_passes() {
    all_pass("ii_4").await;
}

#[tokio::test]
async fn ii_5_passes() {
    all_pass("ii_5").await;
}

#[tokio::test]
async fn ii_6_passes() {
    all_pass("ii_6").await;
}

#[tokio::test]
async fn ii_3_checks_fail_against_ii_2() {
    all_new_fail("ii_3", "ii_2").await;
}

#[tokio::test]
async fn ii_4_checks_fail_against_ii_3() {
    all_new_fail("ii_4", "ii_3").await;
}

#[tokio::test]
async fn ii_5_checks_fail_against_ii_4() {
    all_new_fail("ii_5", "ii_4").await;
}

#[tokio::test]
async fn ii_6_checks_fail_against_ii_5() {
    // `no_leave_for_unjoined` checks an absence that ii_5 also respects; the two leave
    // checks are what ii_6 adds.
    let report = grade("ii_6", "ii_5", Wire::Lines, true).await;
    for id in ["ii_6.leave_announced_once", "ii_6.reset_mid_message"] {
        let v = report.verdict(id).expect("check ran");
        assert_eq!(
            v.verdict,
            Verdict::Fail,
            "{id} should fail against ii_5:\n{report}"
        );
    }
}
