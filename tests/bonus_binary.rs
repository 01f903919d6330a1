//! Bonus 4 and 5, the binary stages: every check of their lists (the earlier stages' ones
//! spoken in frames included) passes against our binaries. Every check runs at once, each
//! with its own server, so the file takes about as long as its slowest check. That each
//! stage's new checks fail against the previous stage's binary is tests/previous_stage.rs.

mod common;

use common::{ours, run_each};
use std::time::Duration;
use tp6::chat::wire::Wire;
use tp6::grade::{Check, chat, client};

/// Per check; a passing one takes well under a second, the 4 MB stuck client a few.
const CHECK_LIMIT: Duration = Duration::from_secs(20);

/// Every check of `list` passes against `target`, `stage`'s `what`; its report otherwise.
async fn all_pass<T: Sync>(
    what: &str,
    stage: &str,
    list: Vec<Check<T>>,
    target: T,
) -> Result<(), String> {
    assert!(!list.is_empty(), "no {what} checks for {stage}");
    let report = run_each(stage, &list, &target, CHECK_LIMIT).await;
    if report.all_passed() && report.passed == report.checks.len() {
        Ok(())
    } else {
        Err(format!(
            "{stage} {what}:
{report}"
        ))
    }
}

/// Every check of `stage`'s server list passes against its server.
async fn server_passes(stage: &str) -> Result<(), String> {
    let bin = ours::server(stage).expect("a server");
    let target = ours::server_target(stage, &bin, Wire::Lines);
    all_pass("server", stage, chat::checks(stage), target).await
}

/// Every check of `stage`'s client list passes against its client.
async fn client_passes(stage: &str) -> Result<(), String> {
    let bin = ours::client(stage).expect("a client");
    let target = ours::client_target(stage, &bin, Wire::Lines);
    all_pass("client", stage, client::checks(stage), target).await
}

/// One test for the four programs: their checks' waits overlap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_stages_pass_every_check_of_their_lists() {
    let stages = ["bonus_4", "bonus_5"];
    let (servers, clients) = tokio::join!(
        futures::future::join_all(stages.map(server_passes)),
        futures::future::join_all(stages.map(client_passes)),
    );
    let errors: Vec<String> = servers
        .into_iter()
        .chain(clients)
        .filter_map(Result::err)
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n\n"));
}
