//! The bonus server, built once: [`run`] serves a room with a stage's [`Config`].
//!
//! Part II's servers are lessons, one small file each. The bonuses are cumulative (each is
//! the previous one plus its topic), so they are one program, configured per stage: a
//! bonus binary builds the [`Config`] of its stage and calls [`run`]. A stage is values
//! (a style with a clock, IDs on), never `if stage == …` branches; the neutral [`Config`]
//! behaves like `chat_server_ii_6`.
//!
//! - [`hub`]: the members and the operations on them (join, say, leave, shutdown).
//! - [`session`]: one client, from its handshake to its leave.
//! - [`palette`], [`ids`]: the colours of bonus 1 and the IDs of bonus 2.
//!
//! [`run`] is callable in-process (tests pass their own listener and shutdown token, and may
//! pause tokio's clock); dropped before it returns, it stops its sessions and its tasks. Shutting down stops accepting, tells every member the server
//! closes, flushes their queues (within [`SHUTDOWN_BOUND`]) and returns.

pub mod hub;
pub mod ids;
pub mod palette;
pub mod session;

use crate::chat::cli::Endpoint;
use crate::chat::connection::Connection;
use crate::chat::limits::SHUTDOWN_BOUND;
use crate::clock::Clock;
use crate::logs::LogSetup;
use crate::protocol::{Codec, binary, lines};
use hub::Hub;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::{AbortOnDropHandle, TaskTracker};

/// What a stage's server does. The default is Part II's complete server.
#[derive(Clone, Default)]
pub struct Config {
    /// How requests and events go on the wire: lines (or `tp`), or the frames of bonus 4.
    pub codec: Codec,
    /// Colours and `[HH:MM]` stamps (bonus 1).
    pub style: Option<Style>,
    /// IDs for returning users (bonus 2).
    pub ids: bool,
    /// Pictures (ASCII art) relayed like messages (bonus 5); refused before.
    pub images: bool,
}

/// Bonus 1's look: a colour per member (from the palette) and the time of each message.
#[derive(Clone)]
pub struct Style {
    /// The server's local time (tests fix it).
    pub clock: Arc<dyn Clock>,
}

impl Style {
    /// The style with the server's local time.
    pub fn local() -> Style {
        Style {
            clock: Arc::new(crate::clock::SystemClock),
        }
    }
}

/// How a bonus server logs: its console, plain like Part II's until it has a log `file`
/// (bonus 2 logs), from then on stamped with the local time and written to the file too.
pub fn logs(file: Option<crate::logs::LogFile>) -> LogSetup {
    LogSetup {
        console: true,
        timestamps: file.is_some(),
        file,
        clock: Arc::new(crate::clock::SystemClock),
    }
}

/// Serves clients on `listener` with `config` until `shutdown` is cancelled, then closes
/// the room and returns once every client is flushed and closed (or [`SHUTDOWN_BOUND`] has
/// passed).
pub async fn run(
    listener: TcpListener,
    config: Config,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let codec = config.codec;
    let hub = Arc::new(Hub::new(config));
    let tracker = TaskTracker::new();
    // Cancelled after the hub has told everyone, so that a session never closes its
    // client's queue before the goodbye is in it.
    let stop_sessions = CancellationToken::new();
    // Run in-process (tests) and dropped before the end, the server takes its tasks with
    // it: the sessions are told to stop, the memory trimmer is aborted.
    let _stop_sessions_on_drop = stop_sessions.clone().drop_guard();
    let trim = AbortOnDropHandle::new(tokio::spawn(crate::chat::server::return_freed_memory()));
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.cancelled() => break,
        };
        match accepted {
            Ok((socket, addr)) => {
                let (hub, stop) = (hub.clone(), stop_sessions.clone());
                let wire = codec.outbox_wire();
                match codec {
                    Codec::Lines(wire) => {
                        let codec = lines::ServerCodec::new(wire);
                        let size = codec.read_size();
                        let conn = Connection::with_codec(socket, addr, wire, codec, size);
                        tracker.spawn(session::run(conn.reporting_to(session::report), hub, stop));
                    }
                    Codec::Binary => {
                        let conn = Connection::with_codec(
                            socket,
                            addr,
                            wire,
                            binary::ServerCodec,
                            binary::READ_SIZE,
                        );
                        tracker.spawn(session::run(conn.reporting_to(session::report), hub, stop));
                    }
                }
            }
            Err(e) => {
                // Most often "too many open files": the members already in keep being served.
                tracing::warn!("accept failed: {e}");
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(100)) => {}
                    _ = shutdown.cancelled() => break,
                }
            }
        }
    }
    drop(listener);
    tracing::info!("Shutting down: closing {} connections", hub.len());
    hub.shutdown();
    stop_sessions.cancel();
    tracker.close();
    if tokio::time::timeout(SHUTDOWN_BOUND, tracker.wait())
        .await
        .is_err()
    {
        tracing::warn!(
            "{} connections still open after {} s; closing anyway",
            tracker.len(),
            SHUTDOWN_BOUND.as_secs()
        );
    }
    drop(trim);
    Ok(())
}

/// What a bonus server binary does once it has built its stage's [`Config`]: set up the
/// log, listen (printing `Serving on <ip>:<port>` first), serve until Ctrl-C or SIGTERM,
/// close the room, flush the log.
pub async fn serve(endpoint: &Endpoint, config: Config, logs: LogSetup) -> anyhow::Result<()> {
    let _flushed_on_return = crate::logs::init(logs)?;
    // Before `Serving on` is printed: a signal sent as soon as it is read must find the
    // handlers in place, not kill the process.
    let shutdown = shutdown_on_signal()?;
    let listener = crate::chat::server::listen(endpoint).await?;
    run(listener, config, shutdown).await
}

/// A token cancelled on Ctrl-C or (on Unix) SIGTERM: how a bonus binary is stopped. The
/// handlers are in place when this returns.
pub fn shutdown_on_signal() -> anyhow::Result<CancellationToken> {
    let token = CancellationToken::new();
    let cancel = token.clone();
    #[cfg(unix)]
    {
        use anyhow::Context;
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).context("cannot handle SIGTERM")?;
        let mut int = signal(SignalKind::interrupt()).context("cannot handle Ctrl-C")?;
        tokio::spawn(async move {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
            cancel.cancel();
        });
    }
    #[cfg(not(unix))]
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        cancel.cancel();
    });
    Ok(token)
}

#[cfg(test)]
mod tests;
