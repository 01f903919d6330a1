//! Bonus 2, "Logs": the server writes a timestamped line per event to a log file, whose
//! path its command takes where it says `{log}` (`--log-file {log}` for ours; a student's
//! program takes it however it does). Without `{log}` the checks skip: `grade` cannot know
//! where the file is.
//!
//! A log is written as it goes, by the server's own schedule (ours from a thread of its
//! own), so the file is read again, a few times a second and for a bounded time, until
//! what the check waits for is there. The course tier asks for what the course lists (a
//! connection, a message received, a leave) in any wording, each line with a time; the
//! robust tier for CONTRACT.md's RFC 3339 timestamps and the relay's count.

use super::cosmetic::next;
use crate::grade::chat::join;
use crate::grade::patience::{patient, secs};
use crate::grade::says::{joined, left};
use crate::grade::server::{PATIENCE, QUIET, RunningServer, ServerTarget, TestClient};
use crate::grade::{CheckResult, Failure, fail, show};
use std::path::Path;
use std::time::Duration;

/// How often the log file is read again while waiting for a line.
const REREAD: Duration = Duration::from_millis(50);

/// The log file of a server started from a command with `{log}`, or a skip.
fn log_path(server: &RunningServer) -> Result<&Path, Failure> {
    if server.in_process() {
        return Err(server.lacks("the server's log file"));
    }
    server.log.as_deref().ok_or_else(|| {
        Failure::Skip(
            "the command has no {log}: put it where the server takes its log file's path (e.g. `--log-file {log}`)"
                .into(),
        )
    })
}

/// The log's lines once `ready` holds for them, reading the file again until it does
/// (within [`PATIENCE`]); on timeout, a failure saying `what` was missing.
pub(crate) async fn wait_log(
    path: &Path,
    what: &str,
    ready: impl Fn(&[String]) -> bool,
) -> Result<Vec<String>, Failure> {
    let deadline = tokio::time::Instant::now() + patient(PATIENCE);
    loop {
        let text = tokio::fs::read(path).await.unwrap_or_default();
        let lines: Vec<String> = String::from_utf8_lossy(&text)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect();
        if ready(&lines) {
            return Ok(lines);
        }
        if tokio::time::Instant::now() >= deadline {
            let tail: Vec<&str> = lines
                .iter()
                .rev()
                .take(8)
                .rev()
                .map(String::as_str)
                .collect();
            return fail(format!(
                "the log file: expected {what} within {} s got {}",
                secs(patient(PATIENCE)),
                if lines.is_empty() {
                    "an empty or missing file".to_string()
                } else {
                    format!("(last lines) {}", show(&tail.join("\n")))
                }
            ));
        }
        tokio::time::sleep(REREAD).await;
    }
}

/// The log's lines once the file has not changed for [`QUIET`] (within [`PATIENCE`]);
/// `None` if it kept changing.
async fn settled(path: &Path) -> Option<Vec<String>> {
    let deadline = tokio::time::Instant::now() + patient(PATIENCE);
    let mut last = tokio::fs::read(path).await.unwrap_or_default();
    let mut since = tokio::time::Instant::now();
    while tokio::time::Instant::now() < deadline {
        tokio::time::sleep(REREAD).await;
        let now = tokio::fs::read(path).await.unwrap_or_default();
        if now != last {
            (last, since) = (now, tokio::time::Instant::now());
        } else if since.elapsed() >= patient(QUIET) {
            let text = String::from_utf8_lossy(&last);
            return Some(
                text.lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(str::to_string)
                    .collect(),
            );
        }
    }
    None
}

/// Whether `line` holds a time of day `HH:MM`.
pub(crate) fn has_time(line: &str) -> bool {
    let b = line.as_bytes();
    // Bytes, not `&str` slices: a window may start inside a multi-byte character.
    b.windows(5).any(|w| {
        w[2] == b':'
            && [w[0], w[1], w[3], w[4]].iter().all(u8::is_ascii_digit)
            && (w[0] - b'0') * 10 + (w[1] - b'0') < 24
            && (w[3] - b'0') * 10 + (w[4] - b'0') < 60
    })
}

/// Whether `line` mentions this client: its pseudo or its port.
fn mentions(line: &str, c: &TestClient, pseudo: &str) -> bool {
    line.contains(pseudo) || line.contains(&format!(":{}", c.local.port()))
}

/// The message alice sends in these checks.
const TEXT: &str = "bonjour le journal";

/// alice and bob join; alice says [`TEXT`], which bob receives.
async fn conversation(server: &RunningServer) -> Result<(TestClient, TestClient), Failure> {
    let mut alice = join(server, "alice").await?;
    let mut bob = join(server, "bob").await?;
    alice.expect("alice hears bob join", &joined("bob")).await?;
    alice.send(TEXT).await?;
    bob.expect_relay("alice's message to bob", "alice", TEXT)
        .await?;
    Ok((alice, bob))
}

pub(super) async fn log_events(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let path = log_path(&server)?.to_path_buf();
    let (alice, mut bob) = conversation(&server).await?;
    let message = |l: &[String]| l.iter().position(|l| l.contains(TEXT));
    let lines = wait_log(
        &path,
        &format!("a line with alice's message {}", show(TEXT)),
        |l| message(l).is_some(),
    )
    .await?;
    // The server may still be writing what the message caused (a relay line naming alice):
    // counted now, it would pass for her leave. So the count is taken once the file has
    // stopped growing for a moment.
    let lines = settled(&path).await.unwrap_or(lines);
    let m = message(&lines).unwrap_or_default();
    let about_alice = |l: &[String]| {
        l.iter()
            .skip(m + 1)
            .filter(|l| mentions(l, &alice, "alice"))
            .count()
    };
    let before_leave = about_alice(&lines);
    let connect = lines[..m].iter().find(|l| mentions(l, &alice, "alice"));
    let Some(connect) = connect.cloned() else {
        return fail(format!(
            "the log file: expected a line for alice's connection (with `alice` or her port {}) before her message's got {}",
            alice.local.port(),
            show(&lines[..m].join("\n"))
        ));
    };
    let port = alice.local.port();
    let (alice_port, alice_pseudo) = (port, "alice");
    alice.quit().await;
    bob.expect("alice's leave", &left("alice")).await?;
    let lines = wait_log(
        &path,
        &format!("a line for alice's leave (with `alice` or her port {port}) after her message's"),
        |l| {
            l.iter()
                .skip(m + 1)
                .filter(|l| l.contains(alice_pseudo) || l.contains(&format!(":{alice_port}")))
                .count()
                > before_leave
        },
    )
    .await?;
    let leave = lines
        .iter()
        .skip(m + 1)
        .rfind(|l| l.contains(alice_pseudo) || l.contains(&format!(":{alice_port}")))
        .cloned()
        .unwrap_or_default();
    for (what, line) in [
        ("alice's connection", &connect),
        ("alice's message", &lines[m]),
        ("alice's leave", &leave),
    ] {
        if !has_time(line) {
            return fail(format!(
                "the log file: expected the line of {what} to carry the time (HH:MM) got {}",
                show(line)
            ));
        }
    }
    Ok(())
}

/// The instant and offset (seconds east of UTC) of the RFC 3339 timestamp `line` starts
/// with: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, then a space or the end.
pub(crate) fn rfc3339_start(line: &str) -> Option<(jiff::Timestamp, i32)> {
    let token = line.split(' ').next()?;
    let b = token.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let shape = b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && matches!(b[10], b'T' | b't')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    if !shape {
        return None;
    }
    let mut rest = &token[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let n = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        rest = &fraction[n..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let o = rest.as_bytes();
            if o.len() != 6 || !matches!(o[0], b'+' | b'-') || o[3] != b':' {
                return None;
            }
            let h: i32 = rest[1..3].parse().ok()?;
            let m: i32 = rest[4..6].parse().ok()?;
            let s = h * 3600 + m * 60;
            if o[0] == b'-' { -s } else { s }
        }
    };
    Some((token.parse().ok()?, offset))
}

pub(super) async fn rfc3339(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let path = log_path(&server)?.to_path_buf();
    let (_alice, _bob) = conversation(&server).await?;
    let lines = wait_log(&path, &format!("a line with {}", show(TEXT)), |l| {
        l.iter().any(|l| l.contains(TEXT))
    })
    .await?;
    let now = jiff::Zoned::now();
    let local = now.offset().seconds();
    for line in &lines {
        let Some((at, offset)) = rfc3339_start(line) else {
            return fail(format!(
                "the log file: expected every line to start with an RFC 3339 time with its offset (`2026-03-14T09:26:53.589+01:00`) got {}",
                show(line)
            ));
        };
        let off_by = (now.timestamp().as_second() - at.as_second()).abs();
        if offset != local || off_by > 120 {
            return fail(format!(
                "the log file: expected the local time now ({}) got {}",
                now.timestamp()
                    .to_zoned(now.time_zone().clone())
                    .strftime("%Y-%m-%dT%H:%M:%S%:z"),
                show(line)
            ));
        }
    }
    Ok(())
}

pub(super) async fn relay_logged(t: &ServerTarget) -> CheckResult {
    let server = t.start().await?;
    let path = log_path(&server)?.to_path_buf();
    let (mut alice, mut bob) = conversation(&server).await?;
    let mut carol = join(&server, "carol").await?;
    alice
        .expect("alice hears carol join", &joined("carol"))
        .await?;
    bob.expect("bob hears carol join", &joined("carol")).await?;
    let text = "pour vous deux";
    alice.send(text).await?;
    for c in [&mut bob, &mut carol] {
        next(c, "alice's message for two").await?;
    }
    // After the line of the message received: a line about alice saying 2 (recipients).
    let counted = |l: &[String]| {
        let Some(m) = l.iter().position(|l| l.contains(text)) else {
            return false;
        };
        l.iter().skip(m).any(|l| {
            let rest = l.split_once(' ').map_or("", |(_, r)| r).replace(text, "");
            rest.contains("alice") && rest.split(|c: char| !c.is_alphanumeric()).any(|w| w == "2")
        })
    };
    wait_log(
        &path,
        &format!(
            "after the line of {}, a line about alice's message saying it went to 2 clients",
            show(text)
        ),
        counted,
    )
    .await
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_timestamps_are_read_with_their_offset() {
        let (at, off) = rfc3339_start("2026-11-30T14:48:15.332+01:00 INFO x").unwrap();
        assert_eq!((at.as_second() % 86400) / 3600, 13);
        assert_eq!(off, 3600);
        assert_eq!(rfc3339_start("2026-11-30T14:48:15Z").unwrap().1, 0);
        for bad in [
            "2026-11-30 14:48:15+01:00 x",
            "[2026-11-30T14:48:15+01:00] x",
            "2026-11-30T14:48:15 x",
            "14:48 alice",
        ] {
            assert_eq!(rfc3339_start(bad), None, "{bad}");
        }
        assert!(has_time("[14:48] alice"));
        assert!(!has_time("127.0.0.1:4789 alice"));
    }
}
