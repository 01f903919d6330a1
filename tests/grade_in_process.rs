//! `grade`'s in-process server target under tokio's paused clock: the bonus server
//! (`room::run`, configured as each stage) graded by the same checks as the binaries, with
//! no process and no real waiting. A check's silences and timeouts pass the moment nothing
//! is left to do, so a stage's whole list runs in a fraction of a second, and the checks a
//! later stage needs (handshake timeouts, rate limits) can move time at will.
//!
//! Checks that need a console, a command of their own or a log file skip here; the tests
//! of the binaries (bonus_servers.rs, bonus_binary.rs) run them.

use std::time::Duration;
use tp6::chat::wire::Wire;
use tp6::grade::chat::{checks, new_checks};
use tp6::grade::server::{InProcess, ServerSource, ServerTarget};
use tp6::grade::{Report, Verdict, run_checks, unlike_before};
use tp6::protocol::Codec;
use tp6::room::{self, Config, Style};

/// The bonus server configured as the binary of `stage` is.
fn config(stage: &str) -> Config {
    let from = |first| tp6::grade::at_or_after(stage, first);
    Config {
        codec: if from("bonus_4") {
            Codec::Binary
        } else {
            Codec::Lines(Wire::Lines)
        },
        style: from("bonus_1").then(Style::local),
        ids: from("bonus_2_ids"),
        images: from("bonus_5"),
    }
}

/// `room::run` with `config`, graded as a server of `stage`.
fn target(stage: &str, config: Config) -> ServerTarget {
    let start =
        InProcess::new(move |listener, stop| Box::pin(room::run(listener, config.clone(), stop)));
    ServerTarget::new(ServerSource::InProcess(start), Wire::Lines, stage)
}

/// Per check, in paused time: only a check that waits forever reaches it.
const CHECK_LIMIT: Duration = Duration::from_secs(60);

/// Which of a list's checks a test runs: the clock of a `start_paused` test runtime is
/// paused, a plain test's runs.
#[derive(Clone, Copy, PartialEq)]
enum Clock {
    /// Every check that can run under a paused clock.
    Paused,
    /// The checks that declare they need the clock running (`Check::real_time`).
    Running,
}

/// Runs `stage`'s checks (or only its new ones) that `clock` allows against `config`, one
/// after the other.
async fn grade(stage: &str, config: Config, only_new: bool, clock: Clock) -> Report {
    let list = if only_new {
        new_checks(stage)
    } else {
        checks(stage)
    };
    assert!(!list.is_empty(), "no checks for {stage}");
    let list: Vec<_> = list
        .into_iter()
        .filter(|c| c.real_time.is_none() == (clock == Clock::Paused))
        .collect();
    run_checks(stage, &list, &target(stage, config), CHECK_LIMIT).await
}

/// Every check of `stage` that `clock` allows passes in-process, except those that need
/// what an in-process server does not have, which skip and say so.
async fn passes(stage: &str, clock: Clock) {
    let report = grade(stage, config(stage), false, clock).await;
    assert!(report.all_passed(), "{stage}:\n{report}");
    for c in &report.checks {
        if c.verdict == Verdict::Skip {
            assert!(
                c.reason.contains("grade's own process"),
                "{stage}: {} skipped for another reason:\n{report}",
                c.id
            );
        }
    }
    assert!(report.passed > 0, "{stage}: nothing ran:\n{report}");
}

/// The checks that need the clock running pass in-process too, at every stage that has
/// them (the others run under a paused clock below).
#[tokio::test]
async fn the_real_time_checks_pass_in_process() {
    for stage in ["ii_6", "bonus_1", "bonus_2_ids", "bonus_4", "bonus_5"] {
        passes(stage, Clock::Running).await;
    }
}

#[tokio::test(start_paused = true)]
async fn part_2_s_whole_list_passes_in_process() {
    passes("ii_6", Clock::Paused).await;
}

#[tokio::test(start_paused = true)]
async fn bonus_1_passes_in_process_shutdown_included() {
    let report = grade("bonus_1", config("bonus_1"), false, Clock::Paused).await;
    assert!(report.all_passed(), "{report}");
    // The token stands for SIGTERM: the shutdown check runs, it does not skip.
    let shutdown = report
        .verdict("bonus_1.shutdown_on_sigterm")
        .expect("the shutdown check is in bonus_1's list");
    assert_eq!(shutdown.verdict, Verdict::Pass, "{report}");
}

#[tokio::test(start_paused = true)]
async fn bonus_2_ids_passes_in_process() {
    passes("bonus_2_ids", Clock::Paused).await;
}

#[tokio::test(start_paused = true)]
async fn bonus_4_frames_pass_in_process() {
    passes("bonus_4", Clock::Paused).await;
}

#[tokio::test(start_paused = true)]
async fn bonus_5_pictures_pass_in_process() {
    passes("bonus_5", Clock::Paused).await;
}

/// The in-process target tells stages apart as the binaries do: each stage's new checks
/// fail against the server configured as the stage before.
#[tokio::test(start_paused = true)]
async fn each_stage_s_new_checks_fail_against_the_previous_stage_s_config() {
    for (stage, previous) in [
        ("bonus_2_ids", "bonus_1"),
        ("bonus_4", "bonus_3"),
        ("bonus_5", "bonus_4"),
    ] {
        let report = grade(stage, config(previous), true, Clock::Paused).await;
        assert!(report.failed > 0, "{stage}: nothing ran:\n{report}");
        assert_eq!(report.skipped, 0, "{stage}:\n{report}");
        if let Some(id) = unlike_before(&new_checks(stage), &report) {
            panic!("{id} against the {previous} config:\n{report}");
        }
    }
}

/// Bonus 1 against the neutral config: the style is what it lacks. Unlike the ii_6 binary,
/// the neutral `room::run` shuts down cleanly when its token is cancelled, so the shutdown
/// check, new at bonus 1, passes there: the check and the token tell a server that closes
/// properly from one that does not, whatever its style.
#[tokio::test(start_paused = true)]
async fn bonus_1_s_style_checks_fail_against_the_neutral_config() {
    let report = grade("bonus_1", Config::default(), true, Clock::Paused).await;
    for c in &report.checks {
        let expected = if c.id == "bonus_1.shutdown_on_sigterm" {
            Verdict::Pass
        } else {
            Verdict::Fail
        };
        assert_eq!(c.verdict, expected, "{}:\n{report}", c.id);
    }
    assert!(report.failed >= 4, "{report}");
}

/// A server that fails is reported with its error, as a process's stderr would be.
#[tokio::test(start_paused = true)]
async fn an_in_process_server_s_error_ends_the_failure_reason() {
    let broken = InProcess::new(|_listener, _stop| {
        Box::pin(async { Err(anyhow::anyhow!("the room cannot open: no chairs")) })
    });
    let target = ServerTarget::new(ServerSource::InProcess(broken), Wire::Lines, "ii_6");
    let list: Vec<_> = checks("ii_6")
        .into_iter()
        .filter(|c| c.id == "ii_4.not_to_sender")
        .collect();
    let report = run_checks("ii_6", &list, &target, CHECK_LIMIT).await;
    let check = report.verdict("ii_4.not_to_sender").expect("it ran");
    assert_eq!(check.verdict, Verdict::Fail, "{report}");
    assert!(
        check.reason.contains("the room cannot open: no chairs"),
        "{report}"
    );
}
