//! Bonus 4 and 5, the binary stages: every check of their lists (the earlier stages' ones
//! spoken in frames included) passes against our binaries, and each stage's new checks fail
//! against the previous stage's binary given the same command. Every check runs at once,
//! each with its own server, so the file takes about as long as its slowest check.

use std::time::Duration;
use tp6::chat::wire::Wire;
use tp6::grade::chat::{checks, new_checks};
use tp6::grade::client::{self, ClientTarget};
use tp6::grade::server::{ServerSource, ServerTarget};
use tp6::grade::{Check, Report, run_checks, unlike_before};

/// Per check; a passing one takes well under a second, the 4 MB stuck client a few.
const CHECK_LIMIT: Duration = Duration::from_secs(20);

fn server_binary(stage: &str) -> &'static str {
    match stage {
        "bonus_3" => env!("CARGO_BIN_EXE_chat_server_bonus_3_config"),
        "bonus_4" => env!("CARGO_BIN_EXE_chat_server_bonus_4_encoding"),
        "bonus_5" => env!("CARGO_BIN_EXE_chat_server_bonus_5_images"),
        other => panic!("no server for {other}"),
    }
}

/// The command a teacher gives for a bonus 4 or 5 server (no `--wire`: frames only), run
/// with `bin`.
fn server_target(stage: &str, bin: &str) -> ServerTarget {
    let c = [
        bin,
        "-p",
        "{port}",
        "-a",
        "{address}",
        "--log-file",
        "{log}",
        "--config",
        "{config}",
    ];
    let c = c.into_iter().map(String::from).collect();
    ServerTarget::new(ServerSource::Command(c), Wire::Lines, stage)
}

fn client_binary(stage: &str) -> &'static str {
    match stage {
        "bonus_3" => env!("CARGO_BIN_EXE_chat_client_bonus_3_config"),
        "bonus_4" => env!("CARGO_BIN_EXE_chat_client_bonus_4_encoding"),
        "bonus_5" => env!("CARGO_BIN_EXE_chat_client_bonus_5_images"),
        other => panic!("no client for {other}"),
    }
}

/// The command a teacher gives for a bonus 4 or 5 client, run with `bin`: its files in the
/// check's own directory, never the user's.
fn client_target(bin: &str) -> ClientTarget {
    let c = [
        bin,
        "-p",
        "{port}",
        "-a",
        "{address}",
        "--pseudo",
        "{pseudo}",
        "--id-file",
        "{id_file}",
        "--log-file",
        "{log}",
        "--config",
        "{config}",
    ];
    ClientTarget::new(c, Wire::Lines)
}

/// Runs `list` concurrently against `target` and gathers one report.
async fn run_all<T: Sync>(stage: &str, list: &[Check<T>], target: &T) -> Report {
    assert!(!list.is_empty(), "no checks for {stage}");
    let runs = list
        .iter()
        .map(|c| run_checks(stage, std::slice::from_ref(c), target, CHECK_LIMIT));
    let reports = futures::future::join_all(runs).await;
    Report::new(stage, reports.into_iter().flat_map(|r| r.checks).collect())
}

/// Every check of `stage`'s server list passes against its server.
async fn server_passes(stage: &str) -> Result<(), String> {
    let report = run_all(
        stage,
        &checks(stage),
        &server_target(stage, server_binary(stage)),
    )
    .await;
    if report.all_passed() && report.passed == report.checks.len() {
        Ok(())
    } else {
        Err(format!("{stage} server:\n{report}"))
    }
}

/// Every new check of `stage` fails against `previous`'s server, but those declaring that
/// they hold before, which pass there.
async fn server_new_fail(stage: &str, previous: &str) -> Result<(), String> {
    let new = new_checks(stage);
    let report = run_all(stage, &new, &server_target(stage, server_binary(previous))).await;
    match unlike_before(&new, &report) {
        Some(id) => Err(format!("{id} against the {previous} server:\n{report}")),
        None => Ok(()),
    }
}

/// Every check of `stage`'s client list passes against its client.
async fn client_passes(stage: &str) -> Result<(), String> {
    let list = client::checks(stage);
    let report = run_all(stage, &list, &client_target(client_binary(stage))).await;
    if report.all_passed() && report.passed == report.checks.len() {
        Ok(())
    } else {
        Err(format!("{stage} client:\n{report}"))
    }
}

/// Every new client check of `stage` fails against `previous`'s client, but those
/// declaring that they hold before, which pass there.
async fn client_new_fail(stage: &str, previous: &str) -> Result<(), String> {
    let new = client::new_checks(stage);
    let report = run_all(stage, &new, &client_target(client_binary(previous))).await;
    match unlike_before(&new, &report) {
        Some(id) => Err(format!("{id} against the {previous} client:\n{report}")),
        None => Ok(()),
    }
}

/// One test for everything: the passes and the expected failures (mostly idle waits)
/// overlap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_stages_pass_and_their_new_checks_fail_on_the_previous_stage() {
    let results = futures::future::join_all([
        Box::pin(server_passes("bonus_4"))
            as std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>> + Send>>,
        Box::pin(server_passes("bonus_5")),
        Box::pin(server_new_fail("bonus_4", "bonus_3")),
        Box::pin(server_new_fail("bonus_5", "bonus_4")),
        Box::pin(client_passes("bonus_4")),
        Box::pin(client_passes("bonus_5")),
        Box::pin(client_new_fail("bonus_4", "bonus_3")),
        Box::pin(client_new_fail("bonus_5", "bonus_4")),
    ])
    .await;
    let errors: Vec<String> = results.into_iter().filter_map(Result::err).collect();
    assert!(errors.is_empty(), "{}", errors.join("\n\n"));
}
