//! Part II clients: the grade client checks run against this project's client binaries, in
//! both wire modes, on pipes and under a pty, and the reasons some checks give against
//! another stage's client, which lacks what they check (that every stage's new checks fail
//! on the previous stage's client is tests/previous_stage.rs).

mod common;

use common::ours;
use std::time::Duration;
use tp6::chat::wire::Wire;
use tp6::grade::client::{ClientTarget, checks};
use tp6::grade::run_checks;

/// Per check; a passing one takes well under a second.
const CHECK_LIMIT: Duration = Duration::from_secs(15);

/// The client of stage `program_of` given the command of a `stage` client.
fn target(stage: &str, program_of: &str, wire: Wire) -> ClientTarget {
    let bin = ours::client(program_of).expect("a client");
    ours::client_target(stage, &bin, wire)
}

/// The same client with its pseudo given on the command line instead of typed.
fn pseudo_given(mut target: ClientTarget) -> ClientTarget {
    target
        .command
        .extend(["--pseudo", "{pseudo}"].map(String::from));
    target
}

/// Runs every client check of `stage` and fails the test with the report unless all pass.
async fn assert_stage_passes(stage: &str, target: ClientTarget) {
    let checks = checks(stage);
    assert!(!checks.is_empty(), "no client checks for {stage}");
    let report = run_checks(stage, &checks, &target, CHECK_LIMIT).await;
    assert!(
        report.all_passed() && report.passed == checks.len(),
        "{:?} tty={}\n{report}",
        target.command,
        target.tty
    );
}

/// Asserts that `check_id` fails against `target` with a reason containing `because`.
async fn assert_fails(check_id: &str, target: ClientTarget, because: &str) {
    common::assert_fails(checks, check_id, &target, because, CHECK_LIMIT).await
}

#[tokio::test]
async fn ii_2_client_passes_in_both_wire_modes() {
    for wire in [Wire::Lines, Wire::Tp] {
        assert_stage_passes("ii_2", target("ii_2", "ii_2", wire)).await;
    }
}

#[tokio::test]
async fn ii_3_client_passes_in_both_wire_modes() {
    for wire in [Wire::Lines, Wire::Tp] {
        assert_stage_passes("ii_3", target("ii_3", "ii_3", wire)).await;
    }
}

#[tokio::test]
async fn ii_5_client_passes_with_a_typed_or_a_given_pseudo() {
    for wire in [Wire::Lines, Wire::Tp] {
        assert_stage_passes("ii_5", target("ii_5", "ii_5", wire)).await;
        let given = pseudo_given(target("ii_5", "ii_5", wire));
        assert_stage_passes("ii_5", given).await;
    }
}

#[tokio::test]
async fn ii_6_client_passes_in_both_wire_modes() {
    for wire in [Wire::Lines, Wire::Tp] {
        assert_stage_passes("ii_6", target("ii_6", "ii_6", wire)).await;
    }
    let given = pseudo_given(target("ii_6", "ii_6", Wire::Lines));
    assert_stage_passes("ii_6", given).await;
    // The ii_6 client is still a ii_5 client.
    assert_stage_passes("ii_5", target("ii_5", "ii_6", Wire::Tp)).await;
}

/// Pseudo-terminals are Unix-only (CONTRACT.md § Platforms).
#[cfg(unix)]
#[tokio::test]
async fn every_stage_passes_under_a_pty() {
    let on_tty = |stage, program_of| target(stage, program_of, Wire::Lines).with_tty(true);
    assert_stage_passes("ii_2", on_tty("ii_2", "ii_2")).await;
    assert_stage_passes("ii_3", on_tty("ii_3", "ii_3")).await;
    assert_stage_passes("ii_5", on_tty("ii_5", "ii_6")).await;
    assert_stage_passes("ii_6", on_tty("ii_6", "ii_6")).await;
}

#[tokio::test]
async fn ii_6_checks_fail_against_the_ii_5_client_which_leaves_silently() {
    for wire in [Wire::Lines, Wire::Tp] {
        for id in ["ii_6.client_server_close", "ii_6.client_server_reset"] {
            let silent = target("ii_6", "ii_5", wire);
            assert_fails(id, silent, "expected a line saying the server is gone").await;
        }
    }
}

#[tokio::test]
async fn ii_5_handshake_fails_against_the_ii_3_client_which_sends_the_pseudo_as_a_message() {
    for wire in [Wire::Lines, Wire::Tp] {
        let no_hello = target("ii_5", "ii_3", wire);
        let because = r#"first message: expected "Hello|alice" got "alice""#;
        assert_fails("ii_5.client_hello_first", no_hello, because).await;
    }
}

#[tokio::test]
async fn ii_3_checks_fail_against_the_ii_2_client_which_ignores_its_input() {
    let once = || target("ii_3", "ii_2", Wire::Lines);
    let sent_hello = r#"expected "premier message" got "Hello""#;
    assert_fails("ii_3.client_sends_lines", once(), sent_hello).await;
    let no_second = r#"expected a printed line with "Message du serveur n°2""#;
    assert_fails("ii_3.client_prints_pushed", once(), no_second).await;
    let still_waiting = "expected it to exit within 2 s of the end of its input";
    assert_fails("ii_3.client_exits_on_eof", once(), still_waiting).await;
}

#[tokio::test]
async fn ii_2_checks_fail_against_the_ii_3_client_which_waits_for_input() {
    let chat = target("ii_2", "ii_3", Wire::Lines);
    assert_fails(
        "ii_2.client_sends_hello",
        chat,
        r#"expected first message "Hello""#,
    )
    .await;
}

#[tokio::test]
async fn a_command_that_cannot_be_pointed_at_the_check_server_is_skipped() {
    let bin = ours::client("ii_6").expect("a client");
    let fixed_port = ClientTarget::new([bin.as_str(), "--wire", "lines"], Wire::Lines);
    let report = run_checks("ii_6", &checks("ii_6"), &fixed_port, CHECK_LIMIT).await;
    assert_eq!(report.skipped, report.checks.len(), "{report}");
}

#[test]
fn a_client_finds_out_the_server_is_down_before_asking_for_a_pseudo() {
    // A port nothing listens on: the client says so at once, with no `Pseudo : ` prompt
    // first (stdin is open and empty: a client that asked would wait there for ever).
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port().to_string()
    };
    for client in ["ii_5", "ii_6"].map(|s| ours::client(s).expect("a client")) {
        let mut child = std::process::Command::new(&client)
            .args(["--port", &port])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > Duration::from_secs(5) {
                let _ = child.kill();
                panic!("{client} waited with the server down");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(status.code(), Some(1), "{client}: {stderr}");
        assert!(
            stderr.starts_with(&format!("error: cannot connect to 127.0.0.1:{port}")),
            "{client}: {stderr}"
        );
        assert!(!stderr.contains("Pseudo"), "{client} asked first: {stderr}");
    }
}

/// From ii_6 on, a client notices the server going away even while it still asks for the
/// pseudo: stdin open and empty (nobody typing), it says goodbye and exits 0 as soon as the
/// server closes the connection, instead of waiting for a pseudo it could never send.
#[tokio::test]
async fn a_client_notices_the_server_leaving_while_it_asks_for_a_pseudo() {
    use tokio::io::AsyncReadExt;
    let stages = [
        "ii_6",
        "bonus_1",
        "bonus_2_ids",
        "bonus_3",
        "bonus_4",
        "bonus_5",
    ];
    for stage in stages {
        let bin = ours::client(stage).expect("a client");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port().to_string();
        let files = tempfile::tempdir().unwrap();
        let mut command = tokio::process::Command::new(&bin);
        command.args(["--port", &port]);
        // Its files in the test's directory, never the user's.
        let path = |name: &str| files.path().join(name);
        if tp6::grade::at_or_after(stage, "bonus_2_ids") {
            command.arg("--id-file").arg(path("id"));
        }
        if tp6::grade::at_or_after(stage, "bonus_2_logs") {
            command.arg("--log-file").arg(path("client.log"));
        }
        let mut child = command
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let wait = Duration::from_secs(5);
        let (socket, _) = tokio::time::timeout(wait, listener.accept())
            .await
            .unwrap_or_else(|_| panic!("{stage}: the client did not connect"))
            .unwrap();
        // Held until the client has exited (`wait` would close it first): nobody types,
        // but input does not end either.
        let _stdin = child.stdin.take();
        // The server goes away before the client has introduced itself.
        drop(socket);
        let status = tokio::time::timeout(wait, child.wait())
            .await
            .unwrap_or_else(|_| panic!("{stage}: still asking for a pseudo, server gone"))
            .unwrap();
        let (mut stdout, mut stderr) = (String::new(), String::new());
        let out = child.stdout.as_mut().expect("piped");
        out.read_to_string(&mut stdout).await.unwrap();
        let err = child.stderr.as_mut().expect("piped");
        err.read_to_string(&mut stderr).await.unwrap();
        assert_eq!(status.code(), Some(0), "{stage}: {stdout}{stderr}");
        assert!(
            stdout.contains("Server closed the connection"),
            "{stage}: {stdout}"
        );
    }
}
