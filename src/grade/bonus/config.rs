//! Bonus 3, "Config et arguments": values from the command line and from a `KEY=VALUE`
//! file, checked with the course's exit codes, the command line winning key by key.
//!
//! The command must say where these go: `{port}` and `{address}` where the server takes
//! its port and address (`-p {port} -a {address}`), `{config}` where it takes its config
//! file (`--config {config}`). A check that needs one the command lacks skips. To let the
//! file's value count, a check drops `{port}` or `{address}` from the command together with
//! the flag in front of it ([`Fill::drop`]).

use crate::grade::patience::{patient, secs};
use crate::grade::process;
use crate::grade::server::{Fill, ServerTarget, fill, free_port};
use crate::grade::{CheckResult, Failure, fail, show};
use std::time::Duration;

/// How long a program refusing its settings may take to exit.
const EXIT_WAIT: Duration = Duration::from_secs(3);

/// An address no interface of a test machine has: TEST-NET-3 (RFC 5737), for
/// documentation only.
pub(crate) const FOREIGN_IP: &str = "203.0.113.7";

/// Skips unless the template mentions every one of `names`.
pub(crate) fn require(template: &[String], names: &[&str]) -> Result<(), Failure> {
    let missing: Vec<String> = names
        .iter()
        .filter(|n| !process::mentions(template, n))
        .map(|n| format!("{{{n}}}"))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(Failure::Skip(format!(
        "the command has no {}: put each where the program takes that value (e.g. `-a {{address}}`, `--config {{config}}`, `--id-file {{id_file}}`, `--log-file {{log}}`)",
        missing.join(", ")
    )))
}

/// Runs `argv` to its exit (at most [`EXIT_WAIT`]) and fails unless the exit code is
/// `code`; `given` says what it was given, for the reason. Returns stdout and stderr.
pub(crate) async fn expect_exit(
    argv: &[String],
    code: i32,
    given: &str,
) -> Result<String, Failure> {
    let running = process::spawn(argv)?;
    let done = match running.finish(patient(EXIT_WAIT)).await {
        Ok(done) => done,
        Err(_) => {
            return fail(format!(
                "{given}: expected exit code {code} got still running after {} s",
                secs(patient(EXIT_WAIT))
            ));
        }
    };
    let output = format!("{}\n{}", done.stdout_lines().join("\n"), done.stderr);
    if done.status.code() != Some(code) {
        // What it said on stderr ends the reason (see `process::noting_programs`).
        return fail(format!(
            "{given}: expected exit code {code} got {}",
            done.status
        ));
    }
    Ok(output)
}

/// The course's cases: what is given, and the exit code it must give.
const CASES: [(&str, &str, i32); 4] = [
    ("port", "70000", 1),
    ("port", "80", 2),
    ("address", "999.1.1.1", 3),
    ("address", FOREIGN_IP, 4),
];

pub(super) async fn exit_codes_flags(t: &ServerTarget) -> CheckResult {
    let template = t.template()?;
    require(template, &["port", "address"])?;
    for (name, value, code) in CASES {
        let how = if name == "port" {
            Fill {
                port: Some(value),
                ..Fill::default()
            }
        } else {
            Fill {
                address: Some(value),
                ..Fill::default()
            }
        };
        let filled = fill(template, how).await?;
        expect_exit(&filled.argv, code, &format!("{{{name}}} = {value}")).await?;
    }
    Ok(())
}

pub(super) async fn exit_codes_file(t: &ServerTarget) -> CheckResult {
    let template = t.template()?;
    require(template, &["config"])?;
    let free = free_port()?;
    for (name, value, code) in CASES {
        let text = if name == "port" {
            format!("HOST=127.0.0.1\nPORT={value}\n")
        } else {
            format!("HOST={value}\nPORT={free}\n")
        };
        let how = Fill {
            config: Some(&text),
            drop: &["port", "address"],
            ..Fill::default()
        };
        let filled = fill(template, how).await?;
        let given = format!("a config file saying {}", show(text.trim_end()));
        expect_exit(&filled.argv, code, &given).await?;
    }
    Ok(())
}

pub(super) async fn file_then_flag(t: &ServerTarget) -> CheckResult {
    let template = t.template()?;
    require(template, &["port", "config"])?;
    let (p1, p2) = (free_port()?, free_port()?);
    let text = format!("PORT={p1}\n");
    // The file alone: its port.
    let how = Fill {
        config: Some(&text),
        drop: &["port"],
        ..Fill::default()
    };
    let mut filled = fill(template, how).await?;
    (filled.port, filled.port_given) = (p1, true);
    let server = t.start_filled(filled).await.map_err(|e| match e {
        Failure::Fail(r) => Failure::Fail(format!("with PORT={p1} in the config file: {r}")),
        other => other,
    })?;
    if server.addr.port() != p1 {
        return fail(format!(
            "with PORT={p1} in the config file (no port on the command line): expected the server on port {p1} got it on {}",
            server.addr
        ));
    }
    drop(server);
    // The file and the command line: the command line's.
    let p2_text = p2.to_string();
    let how = Fill {
        config: Some(&text),
        port: Some(&p2_text),
        ..Fill::default()
    };
    let server = t
        .start_filled(fill(template, how).await?)
        .await
        .map_err(|e| match e {
            Failure::Fail(r) => Failure::Fail(format!(
                "with PORT={p1} in the config file and {{port}} = {p2}: {r}"
            )),
            other => other,
        })?;
    if server.addr.port() != p2 {
        return fail(format!(
            "with PORT={p1} in the config file and {{port}} = {p2}: expected the server on port {p2} (the command line wins) got it on {}",
            server.addr
        ));
    }
    Ok(())
}

pub(super) async fn unknown_key(t: &ServerTarget) -> CheckResult {
    let template = t.template()?;
    require(template, &["config"])?;
    let text = "# a comment\nHOST=127.0.0.1\nCOULEUR=rouge\n";
    let how = Fill {
        config: Some(text),
        ..Fill::default()
    };
    let filled = fill(template, how).await?;
    let path = filled.config.clone().unwrap_or_default();
    let at = format!("{}:3", path.display());
    let said = expect_exit(
        &filled.argv,
        1,
        "a config file with `COULEUR=rouge` on line 3",
    )
    .await?;
    if !said.contains(&at) {
        return fail(format!(
            "a config file with `COULEUR=rouge` on line 3: expected an error naming {} got {}",
            show(&at),
            show(said.trim())
        ));
    }
    Ok(())
}
