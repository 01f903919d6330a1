//! Bonus servers: every bonus stage's whole grade list (Part II's checks included, on the
//! dressed relays) against our binaries, and the proof that each stage's new checks fail
//! against the previous stage's server given the same command.

use std::time::Duration;
use tp6::chat::wire::Wire;
use tp6::grade::chat::{checks, new_checks};
use tp6::grade::server::{ServerSource, ServerTarget};
use tp6::grade::{Report, run_checks, unlike_before};

fn binary(stage: &str) -> &'static str {
    match stage {
        "ii_6" => env!("CARGO_BIN_EXE_chat_server_ii_6"),
        "bonus_1" => env!("CARGO_BIN_EXE_chat_server_bonus_1_cosmetic"),
        "bonus_2_ids" => env!("CARGO_BIN_EXE_chat_server_bonus_2_ids"),
        "bonus_2_logs" => env!("CARGO_BIN_EXE_chat_server_bonus_2_logs"),
        "bonus_3" => env!("CARGO_BIN_EXE_chat_server_bonus_3_config"),
        other => panic!("no server for {other}"),
    }
}

/// The command a teacher would give for a server of `stage`: the placeholders its checks
/// need (`{log}` from bonus 2 logs, `{address}` and `{config}` at bonus 3), run with `bin`.
fn command(stage: &str, bin: &str, wire: Wire) -> Vec<String> {
    let wire = match wire {
        Wire::Lines => "lines",
        Wire::Tp => "tp",
    };
    let mut c = vec![bin, "-p", "{port}", "--wire", wire];
    if tp6::grade::at_or_after(stage, "bonus_2_logs") {
        c.extend(["--log-file", "{log}"]);
    }
    if tp6::grade::at_or_after(stage, "bonus_3") {
        c.extend(["-a", "{address}", "--config", "{config}"]);
    }
    c.into_iter().map(String::from).collect()
}

/// Which of a stage's checks to run.
#[derive(Clone, Copy, PartialEq)]
enum Which {
    /// The whole list, earlier stages' checks included.
    All,
    /// The checks the stage introduces.
    New,
    /// The bonus checks of the list (Part II's are graded in `tp` by part2_servers.rs).
    Bonus,
}

/// Runs the checks concurrently (each starts its own server) and gathers one report.
async fn grade(stage: &str, bin_stage: &str, wire: Wire, which: Which) -> Report {
    let list: Vec<_> = match which {
        Which::All => checks(stage),
        Which::New => new_checks(stage),
        Which::Bonus => checks(stage)
            .into_iter()
            .filter(|c| c.stage.starts_with("bonus_"))
            .collect(),
    };
    assert!(!list.is_empty(), "no checks for {stage}");
    let source = ServerSource::Command(command(stage, binary(bin_stage), wire));
    let target = ServerTarget::new(source, wire, stage);
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

async fn all_pass(stage: &str, wire: Wire, which: Which) {
    let report = grade(stage, stage, wire, which).await;
    assert!(report.all_passed(), "{wire:?}:\n{report}");
    assert!(report.passed > 0, "{wire:?}: nothing passed:\n{report}");
}

/// Every new check of `stage` fails against `previous`, except those declaring that they
/// hold before (which must then pass there); the report otherwise.
async fn all_new_fail(stage: &str, previous: &str) -> Result<(), String> {
    let report = grade(stage, previous, Wire::Lines, Which::New).await;
    match unlike_before(&new_checks(stage), &report) {
        Some(id) => Err(format!("{id} against {previous}:\n{report}")),
        None => Ok(()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bonus_1_passes() {
    all_pass("bonus_1", Wire::Lines, Which::All).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bonus_2_ids_passes() {
    all_pass("bonus_2_ids", Wire::Lines, Which::All).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bonus_2_logs_passes() {
    all_pass("bonus_2_logs", Wire::Lines, Which::All).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bonus_3_passes() {
    all_pass("bonus_3", Wire::Lines, Which::All).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bonus_check_passes_with_wire_tp() {
    // The last stage holds every bonus check. Part II's run in `tp` in part2_servers.rs,
    // on the same relays' meaning: only the bonus ones here, to keep the suite short.
    all_pass("bonus_3", Wire::Tp, Which::Bonus).await;
}

/// One test for the four stages: a check failing waits out its timeouts, mostly idle, and
/// the four stages' waits overlap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_bonus_stage_s_new_checks_fail_against_the_previous_server() {
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
