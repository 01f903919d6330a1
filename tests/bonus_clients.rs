//! Bonus clients: every bonus stage's whole client list (ii_5 and ii_6's included) against
//! our binaries on pipes, and the proof that each stage's new checks fail against the
//! previous stage's client given the same command.

use std::time::Duration;
use tp6::chat::wire::Wire;
use tp6::grade::client::{ClientTarget, checks, new_checks};
use tp6::grade::{Report, run_checks, unlike_before};

/// Per check; a passing one takes well under a second.
const CHECK_LIMIT: Duration = Duration::from_secs(15);

fn binary(stage: &str) -> &'static str {
    match stage {
        "ii_6" => env!("CARGO_BIN_EXE_chat_client_ii_6"),
        "bonus_1" => env!("CARGO_BIN_EXE_chat_client_bonus_1_cosmetic"),
        "bonus_2_ids" => env!("CARGO_BIN_EXE_chat_client_bonus_2_ids"),
        "bonus_2_logs" => env!("CARGO_BIN_EXE_chat_client_bonus_2_logs"),
        "bonus_3" => env!("CARGO_BIN_EXE_chat_client_bonus_3_config"),
        other => panic!("no client for {other}"),
    }
}

/// The command a teacher would give for a client of `stage`, run with `bin`: the files
/// from bonus 2 on (never the user's own ID file or `/var/log`), the config file and the
/// address at bonus 3.
fn target(stage: &str, bin: &str, wire: Wire) -> ClientTarget {
    let wire_name = match wire {
        Wire::Lines => "lines",
        Wire::Tp => "tp",
    };
    let from = |first| tp6::grade::at_or_after(stage, first);
    let mut c = vec![
        bin, "-p", "{port}", "--wire", wire_name, "--pseudo", "{pseudo}",
    ];
    if from("bonus_2_ids") {
        c.extend(["--id-file", "{id_file}"]);
    }
    if from("bonus_2_logs") {
        c.extend(["--log-file", "{log}"]);
    }
    if from("bonus_3") {
        c.extend(["-a", "{address}", "--config", "{config}"]);
    }
    ClientTarget::new(c, wire)
}

/// Runs the checks concurrently (each has its own fake server) and gathers one report.
async fn grade(stage: &str, bin_stage: &str, wire: Wire, only_new: bool) -> Report {
    let list = if only_new {
        new_checks(stage)
    } else {
        checks(stage)
    };
    assert!(!list.is_empty(), "no client checks for {stage}");
    let target = target(stage, binary(bin_stage), wire);
    let runs = list
        .iter()
        .map(|c| run_checks(stage, std::slice::from_ref(c), &target, CHECK_LIMIT));
    let reports = futures::future::join_all(runs).await;
    Report::new(stage, reports.into_iter().flat_map(|r| r.checks).collect())
}

async fn all_pass(stage: &str, wire: Wire) {
    let report = grade(stage, stage, wire, false).await;
    assert!(
        report.all_passed() && report.passed == report.checks.len(),
        "{wire:?}:\n{report}"
    );
}

/// Every new check of `stage` fails against `previous`, except those declaring that they
/// hold before (which must then pass there); the report otherwise.
async fn all_new_fail(stage: &str, previous: &str) -> Result<(), String> {
    let report = grade(stage, previous, Wire::Lines, true).await;
    match unlike_before(&new_checks(stage), &report) {
        Some(id) => Err(format!("{id} against {previous}:\n{report}")),
        None => Ok(()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bonus_1_client_passes() {
    all_pass("bonus_1", Wire::Lines).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bonus_2_ids_client_passes() {
    all_pass("bonus_2_ids", Wire::Lines).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bonus_2_logs_client_passes() {
    all_pass("bonus_2_logs", Wire::Lines).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bonus_3_client_passes_in_both_wire_modes() {
    all_pass("bonus_3", Wire::Lines).await;
    all_pass("bonus_3", Wire::Tp).await;
}

/// One test for the four stages: a check failing waits out its timeouts, mostly idle, and
/// the four stages' waits overlap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_bonus_stage_s_new_checks_fail_against_the_previous_client() {
    let results = futures::future::join_all([
        all_new_fail("bonus_1", "ii_6"),
        all_new_fail("bonus_2_ids", "bonus_1"),
        all_new_fail("bonus_2_logs", "bonus_2_ids"),
        all_new_fail("bonus_3", "bonus_2_logs"),
    ])
    .await;
    let errors: Vec<String> = results.into_iter().filter_map(Result::err).collect();
    assert!(errors.is_empty(), "{}", errors.join("\n\n"));
}
