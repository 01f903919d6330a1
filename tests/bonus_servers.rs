//! Bonus servers: every bonus stage's whole grade list (Part II's checks included, on the
//! dressed relays) against our binaries. That each stage's new checks fail against the
//! previous stage's server is tests/previous_stage.rs.

mod common;

use common::{ours, run_each};
use std::time::Duration;
use tp6::chat::wire::Wire;
use tp6::grade::chat::checks;

/// Which of a stage's checks to run.
#[derive(Clone, Copy, PartialEq)]
enum Which {
    /// The whole list, earlier stages' checks included.
    All,
    /// The bonus checks of the list (Part II's are graded in `tp` by part2_servers.rs).
    Bonus,
}

/// Runs the checks (each starts its own server) against `stage`'s server; every one must
/// pass.
async fn all_pass(stage: &str, wire: Wire, which: Which) {
    let list: Vec<_> = checks(stage)
        .into_iter()
        .filter(|c| which == Which::All || c.stage.starts_with("bonus_"))
        .collect();
    assert!(!list.is_empty(), "no checks for {stage}");
    let bin = ours::server(stage).expect("a server");
    let target = ours::server_target(stage, &bin, wire);
    let report = run_each(stage, &list, &target, Duration::from_secs(20)).await;
    assert!(report.all_passed(), "{wire:?}:\n{report}");
    assert!(report.passed > 0, "{wire:?}: nothing passed:\n{report}");
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
