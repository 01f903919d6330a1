//! Part II servers: every stage's grade checks against our own binaries, in both wire
//! modes. That each stage's new checks fail against the previous stage's server is
//! tests/previous_stage.rs.

mod common;

use common::{ours, run_each};
use std::time::Duration;
use tp6::chat::wire::Wire;
use tp6::grade::Report;
use tp6::grade::chat::checks;

/// Every check of `stage`, each with its own server, against its server.
async fn grade(stage: &str, wire: Wire) -> Report {
    let list = checks(stage);
    assert!(!list.is_empty(), "no checks for {stage}");
    let bin = ours::server(stage).expect("a server");
    let target = ours::server_target(stage, &bin, wire);
    run_each(stage, &list, &target, Duration::from_secs(20)).await
}

async fn all_pass(stage: &str) {
    for wire in [Wire::Lines, Wire::Tp] {
        let report = grade(stage, wire).await;
        assert!(report.all_passed(), "{wire:?}:\n{report}");
        assert!(report.passed > 0, "{wire:?}: nothing passed:\n{report}");
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
