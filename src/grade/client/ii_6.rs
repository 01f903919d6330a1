//! Stage ii_6's client: when the server goes away it says so and exits at once, even while
//! nobody types.

use super::ClientTarget;
use super::fake_server::{FakeServer, WAIT};
use super::program::{Output, PSEUDO, describe_lines, join};
use crate::grade::patience::patient;
use crate::grade::says;
use crate::grade::{CheckResult, Failure, fail};
use std::time::Duration;

/// How long a client may take to exit once the server is gone.
const GONE_EXIT: Duration = Duration::from_secs(2);

/// How the fake server leaves.
#[derive(Clone, Copy)]
enum Leave {
    /// A normal close (FIN): the client reads the end of the stream.
    Close,
    /// A reset (RST): the client's read fails; CONTRACT.md § Disconnection makes it the same
    /// event.
    Reset,
}

/// The server closes the connection.
pub(super) async fn server_close(target: &ClientTarget) -> CheckResult {
    server_leaves(target, Leave::Close).await.map(|_| ())
}

/// The server resets the connection.
pub(super) async fn server_reset(target: &ClientTarget) -> CheckResult {
    server_leaves(target, Leave::Reset).await.map(|_| ())
}

/// The server closes the connection, and the client ends without a traceback: a Python
/// client that lets `SystemExit` or a `ConnectionError` escape still exits, but prints a
/// crash to the user.
pub(super) async fn clean_exit(target: &ClientTarget) -> CheckResult {
    let output = server_leaves(target, Leave::Close).await?;
    let traceback = "Traceback (most recent call last)";
    if output.lines.iter().any(|l| l.contains(traceback)) || output.stderr.contains(traceback) {
        return fail(format!(
            "expected a clean exit after the server closes the connection got a traceback; {}",
            output.describe()
        ));
    }
    Ok(())
}

/// Plays the server leaving; on success, what the client printed.
async fn server_leaves(target: &ClientTarget, how: Leave) -> Result<Output, Failure> {
    let server = FakeServer::start(target.wire).await?;
    let (mut client, mut peer, _hello) = join(target, &server).await?;
    // One message first: it shows the client is chatting, and what it prints in front of a
    // message (a prompt without a line end), which must not pass for a notice later.
    let probe = says::joined(PSEUDO);
    peer.send(&probe).await?;
    let line = client.expect_line_with(&probe, patient(WAIT)).await?;
    let prompt = line
        .split(probe.as_str())
        .next()
        .unwrap_or_default()
        .to_string();
    let before = client.seen().len();
    let event = match how {
        Leave::Close => {
            peer.close().await;
            "closes the connection"
        }
        Leave::Reset => {
            peer.reset()?;
            "resets the connection"
        }
    };
    let status = client.wait_exit(patient(GONE_EXIT)).await;
    let output = client.stop().await;
    let after = output.lines.get(before..).unwrap_or_default();
    let Some(status) = status else {
        return fail(format!(
            "expected it to exit within {} s after the server {event} got still running \
             (stdin open and idle); {}",
            crate::grade::patience::secs(patient(GONE_EXIT)),
            output.describe()
        ));
    };
    if !status.success() {
        return fail(format!(
            "expected exit status 0 after the server {event} got {status}; {}",
            output.describe()
        ));
    }
    if !after.iter().any(|l| is_notice(l, &prompt)) {
        return fail(format!(
            "expected a line saying the server is gone after it {event} got {}",
            describe_lines(after)
        ));
    }
    Ok(output)
}

/// A line that says something: some letter or digit left once the pieces of the prompt
/// are taken out (a prompt flushed at exit is not a notice).
fn is_notice(line: &str, prompt: &str) -> bool {
    let mut rest = line.to_string();
    for piece in prompt.split_whitespace() {
        rest = rest.replace(piece, "");
    }
    rest.chars().any(char::is_alphanumeric)
}
