//! Bonus clients: every bonus stage's whole client list (ii_5 and ii_6's included) against
//! our binaries on pipes. That each stage's new checks fail against the previous stage's
//! client is tests/previous_stage.rs.

mod common;

use common::{ours, run_each};
use std::time::Duration;
use tp6::chat::wire::Wire;
use tp6::grade::client::checks;

/// Per check; a passing one takes well under a second.
const CHECK_LIMIT: Duration = Duration::from_secs(15);

/// Runs every check of `stage` (each has its own fake server) against its client; every
/// one must pass.
async fn all_pass(stage: &str, wire: Wire) {
    let list = checks(stage);
    assert!(!list.is_empty(), "no client checks for {stage}");
    let bin = ours::client(stage).expect("a client");
    let target = ours::client_target(stage, &bin, wire);
    let report = run_each(stage, &list, &target, CHECK_LIMIT).await;
    assert!(
        report.all_passed() && report.passed == report.checks.len(),
        "{wire:?}:\n{report}"
    );
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
