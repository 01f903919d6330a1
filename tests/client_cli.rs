//! The chat clients' command lines: a pseudo the server would refuse is refused before
//! anything is connected or asked, and blamed on where it was written: `--pseudo` as a
//! usage error (exit code 2, like any bad flag), `PSEUDO` in a config file by its
//! `FILE:LINE` (exit code 1, like any bad line of the file).

use std::process::Output;
use std::time::Duration;

/// Every client that takes `--pseudo`.
const CLIENTS: &[&str] = &[
    env!("CARGO_BIN_EXE_chat_client_ii_5"),
    env!("CARGO_BIN_EXE_chat_client_ii_6"),
    env!("CARGO_BIN_EXE_chat_client_bonus_1_cosmetic"),
    env!("CARGO_BIN_EXE_chat_client_bonus_2_ids"),
    env!("CARGO_BIN_EXE_chat_client_bonus_2_logs"),
    env!("CARGO_BIN_EXE_chat_client_bonus_3_config"),
    env!("CARGO_BIN_EXE_chat_client_bonus_4_encoding"),
    env!("CARGO_BIN_EXE_chat_client_bonus_5_images"),
];

/// The clients that read a config file (bonus 3 on).
const CONFIGURED: &[&str] = &[
    env!("CARGO_BIN_EXE_chat_client_bonus_3_config"),
    env!("CARGO_BIN_EXE_chat_client_bonus_4_encoding"),
    env!("CARGO_BIN_EXE_chat_client_bonus_5_images"),
];

/// A port nothing listens on: a client that connected before checking its pseudo would
/// report the refused connection instead.
fn closed_port() -> String {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    probe.local_addr().expect("its address").port().to_string()
}

/// Runs `bin` with stdin closed (a client that asked for a pseudo would read end of file)
/// and its files in `dir`; it has 10 s to exit.
async fn run(bin: &str, dir: &tempfile::TempDir, args: &[&str]) -> Output {
    let mut command = tokio::process::Command::new(bin);
    command
        .args(args)
        .current_dir(dir.path())
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    tokio::time::timeout(Duration::from_secs(10), command.output())
        .await
        .unwrap_or_else(|_| panic!("{bin} did not exit within 10 s"))
        .unwrap_or_else(|e| panic!("cannot run {bin}: {e}"))
}

/// The bonus clients' files go to `dir`, never the user's (the flags exist from bonus 2 on;
/// a client before takes none).
fn files(bin: &str, dir: &tempfile::TempDir) -> Vec<String> {
    let path = |name: &str| dir.path().join(name).display().to_string();
    let mut args = Vec::new();
    if bin.contains("bonus_2") || CONFIGURED.contains(&bin) {
        args.extend(["--id-file".to_string(), path("id")]);
        args.extend(["--log-file".to_string(), path("client.log")]);
    }
    args
}

#[tokio::test]
async fn a_pseudo_flag_the_server_would_refuse_is_a_usage_error() {
    let port = closed_port();
    for bin in CLIENTS {
        let dir = tempfile::tempdir().expect("a directory");
        for (pseudo, reason) in [
            ("al|ice", "|"),
            ("", "empty"),
            ("\u{1b}[31mred", "^[[31mred"),
        ] {
            let mut args = vec!["-p", &port, "--pseudo", pseudo];
            let extra = files(bin, &dir);
            args.extend(extra.iter().map(String::as_str));
            let out = run(bin, &dir, &args).await;
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{bin} {pseudo:?}: {stderr}");
            assert!(stderr.contains("--pseudo"), "{bin}: {stderr}");
            assert!(stderr.contains(reason), "{bin} {pseudo:?}: {stderr}");
            assert!(
                !stderr.contains("connect"),
                "{bin}: connected first: {stderr}"
            );
            assert!(out.stdout.is_empty(), "{bin}: {:?}", out.stdout);
            // The refused value is quoted with its control characters made visible.
            assert!(
                !stderr.contains('\u{1b}'),
                "{bin}: raw escape in {stderr:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_pseudo_in_the_config_file_is_checked_and_blamed_on_its_line() {
    let port = closed_port();
    for bin in CONFIGURED {
        let dir = tempfile::tempdir().expect("a directory");
        let config = dir.path().join("client.conf");
        std::fs::write(&config, "# alice's settings\nPSEUDO=al|ice\n").expect("written");
        let config = config.display().to_string();
        let mut args = vec!["-p", &port, "--config", &config];
        let extra = files(bin, &dir);
        args.extend(extra.iter().map(String::as_str));
        let out = run(bin, &dir, &args).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{bin}: {stderr}");
        assert!(
            stderr.contains("invalid pseudo") && stderr.contains(&format!("{config}:2")),
            "{bin}: {stderr}"
        );
        assert!(
            !stderr.contains("--pseudo"),
            "{bin}: blamed on the flag: {stderr}"
        );
        assert!(
            !stderr.contains("connect"),
            "{bin}: connected first: {stderr}"
        );

        // The command line wins over the file, so a valid --pseudo makes the file's unused:
        // the client goes on and finds no server.
        args.extend(["--pseudo", "alice"]);
        let out = run(bin, &dir, &args).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("invalid pseudo"), "{bin}: {stderr}");
        assert_ne!(out.status.code(), Some(0), "{bin}: no server, yet {stderr}");
    }
}
