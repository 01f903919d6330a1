//! `chat_bench`, the load generator for the Part II chat servers.
//!
//! A run has four phases. **Join**: N reading clients connect in batches (each batch has
//! joined before the next connects, so that a server whose listen queue holds a batch is
//! never overrun; with `--handshake none` or `name` "joined" only means connected), then
//! the `--never-readers`. **Warm-up** (with `--handshake none` or `name`, where nothing says
//! a client is registered): probes are sent until every reader has seen one. **Send**: S of
//! the readers send M messages each, flat out or at an aggregate rate, while every reader
//! tallies what arrives; the run ends when every expected delivery has arrived, when
//! deliveries stop coming for `--settle` seconds, or at `--duration-limit`. **Report**:
//! loss, duplicates, order, latency, never-readers, the server's memory.
//!
//! Every payload carries its sender, its sequence number and its send time
//! ([`marker`]), so nothing has to be matched between sender and receiver: each reader
//! computes latencies alone, from the clock all clients share.

pub mod client;
pub mod marker;
pub mod memory;
pub mod options;
pub mod report;
pub mod sender;
pub mod tally;

use anyhow::{Context, anyhow, bail};
use client::Shared;
use options::{Handshake, Options};
use report::{Memory, NeverReader, Report};
use sender::{Plan, SenderEnd};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tally::Summary;
use tokio::net::tcp::OwnedWriteHalf;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

/// Descriptors kept free for everything that is not a client socket.
const SPARE_FDS: u64 = 64;

/// How often the send phase looks at its progress.
const POLL: Duration = Duration::from_millis(20);

/// Runs a benchmark as `opts` says and reports what it found.
pub async fn run(opts: &Options) -> anyhow::Result<Report> {
    let limit = client::raise_fd_limit().context("cannot raise the open-file limit")?;
    let needed = u64::from(opts.clients) + u64::from(opts.never_readers) + SPARE_FDS;
    if let Some(limit) = limit
        && needed > limit
    {
        bail!("{needed} open files needed, the limit is {limit} (see ulimit -Hn)");
    }
    let clock = Instant::now();
    let deadline = clock + opts.duration_limit();
    let (stop, stopped) = watch::channel(false);
    let shared = Arc::new(Shared {
        addr: opts.endpoint.socket_addr(),
        codec: opts.codec(),
        handshake: opts.handshake,
        clock,
        senders: opts.senders as usize,
        messages: opts.messages,
        delivered: Default::default(),
        warmed: Default::default(),
        stop: stopped.clone(),
    });
    let mut warnings = Vec::new();
    let pid = opts.server_pid;
    let before = pid.and_then(memory::status);
    if let (Some(pid), None) = (pid, before) {
        warnings.push(format!("cannot read /proc/{pid}/status: no memory figures"));
    }
    let every = Duration::from_secs_f64(opts.rss_interval);
    let sampler = pid.map(|pid| tokio::spawn(memory::sample(pid, every, clock, stopped.clone())));

    let (readers, mut writes) = join_readers(opts, &shared, deadline).await?;
    let joined = writes.len() as u32;
    let mut stopped_by = (joined < opts.clients).then_some("duration limit");
    if stopped_by.is_none() && opts.handshake != Handshake::Hello && joined >= 2 {
        let warm = warm_up(&mut writes, &shared, opts.settle(), deadline).await;
        if warm < joined as usize {
            warnings.push(format!(
                "warm-up: only {warm} of {joined} clients saw a probe (does the server relay?)"
            ));
        }
    }
    let mut never_readers = Vec::new();
    for i in 0..opts.never_readers {
        never_readers.push(
            client::never_reader(i, shared.clone())
                .await
                .map_err(|e| anyhow!(e))?,
        );
    }
    let joined_rss = pid.and_then(memory::status);

    let mut senders = Vec::new();
    if stopped_by.is_none() && opts.senders > 0 {
        let go = Instant::now();
        for (index, write) in writes.iter_mut().take(opts.senders as usize).enumerate() {
            let Some(write) = write.take() else { continue };
            let plan = Plan {
                index: index as u32,
                senders: opts.senders,
                messages: opts.messages,
                size: opts.size as usize,
                rate: opts.rate,
                go,
            };
            senders.push(tokio::spawn(sender::send(write, plan, shared.clone())));
        }
        stopped_by = Some(wait_for_deliveries(opts, &shared, &senders, deadline).await);
    } else if stopped_by.is_none() && opts.hold > 0.0 {
        let hold = Instant::now() + Duration::from_secs_f64(opts.hold);
        tokio::time::sleep_until(hold.min(deadline).into()).await;
        stopped_by = Some(if hold <= deadline {
            "hold"
        } else {
            "duration limit"
        });
    }
    let stopped_by = stopped_by.unwrap_or("joined");

    let end = pid.and_then(memory::status);
    let checks = never_readers.into_iter().map(client::was_disconnected);
    let never_readers = futures::future::join_all(checks).await;
    let _ = stop.send(true);

    let mut sent = 0;
    let mut first_send = None;
    let mut last_send = 0;
    for end in collect(senders).await {
        sent += end.sent;
        first_send = first_send.min(end.first_ns).or(end.first_ns);
        last_send = last_send.max(end.last_ns);
        warnings.extend(end.error);
    }
    let mut summary = Summary::default();
    let mut readers_cut = 0;
    for end in collect(readers).await {
        readers_cut += u32::from(end.joined && end.cut);
        summary.add(end.tally);
    }
    let samples = match sampler {
        Some(task) => task.await.unwrap_or_default(),
        None => Vec::new(),
    };
    drop(writes);

    let expected = opts.expected();
    let loss = expected.saturating_sub(summary.received);
    let seconds =
        |from: Option<u64>, to: u64| from.map_or(0.0, |from| to.saturating_sub(from) as f64 / 1e9);
    let elapsed_s = seconds(first_send, summary.last_delivery_ns);
    let send_s = seconds(first_send, last_send);
    let per_second = |n: u64, s: f64| if s > 0.0 { n as f64 / s } else { 0.0 };
    let latency_us = summary.percentiles();
    let ok = loss == 0
        && summary.duplicates == 0
        && summary.order_violations == 0
        && summary.unexpected == 0
        && joined == opts.clients;
    Ok(Report {
        server: shared.addr.to_string(),
        wire: report::framing(opts.codec()),
        handshake: opts.handshake,
        clients: opts.clients,
        joined,
        senders: opts.senders,
        messages: opts.messages,
        size: opts.size,
        rate: opts.rate,
        sent,
        send_rate: per_second(sent, send_s),
        expected,
        received: summary.received,
        loss,
        duplicates: summary.duplicates,
        order_violations: summary.order_violations,
        unexpected: summary.unexpected,
        readers_cut,
        elapsed_s,
        msgs_per_sec: per_second(summary.received, elapsed_s),
        latency_us,
        never_readers: never_readers
            .into_iter()
            .enumerate()
            .map(|(i, (disconnected, unread_bytes))| NeverReader {
                pseudo: format!("n{i}"),
                disconnected,
                unread_bytes,
            })
            .collect(),
        server_memory: pid.map(|pid| {
            let (before, end_rss) = (before.map(|s| s.rss_kib), end.map(|s| s.rss_kib));
            Memory {
                pid,
                before_kib: before,
                joined_kib: joined_rss.map(|s| s.rss_kib),
                end_kib: end_rss,
                peak_kib: end.map(|s| s.hwm_kib),
                per_client_kib: match (before, end_rss) {
                    (Some(b), Some(e)) if joined > 0 => {
                        Some((e as f64 - b as f64) / f64::from(joined))
                    }
                    _ => None,
                },
                samples,
            }
        }),
        stopped_by,
        warnings,
        ok,
    })
}

/// Connects and joins the readers, one batch at a time. Returns their tasks and, per
/// joined client in index order, its write half. Stops early at `deadline`.
async fn join_readers(
    opts: &Options,
    shared: &Arc<Shared>,
    deadline: Instant,
) -> anyhow::Result<(
    Vec<JoinHandle<client::ReaderEnd>>,
    Vec<Option<OwnedWriteHalf>>,
)> {
    let mut tasks = Vec::with_capacity(opts.clients as usize);
    let mut writes = Vec::with_capacity(opts.clients as usize);
    for first in (0..opts.clients).step_by(opts.batch as usize) {
        let mut batch = Vec::new();
        for index in first..opts.clients.min(first.saturating_add(opts.batch)) {
            let (joined, on_join) = oneshot::channel();
            tasks.push(tokio::spawn(client::reader(index, shared.clone(), joined)));
            batch.push(on_join);
        }
        for on_join in batch {
            match tokio::time::timeout_at(deadline.into(), on_join).await {
                Err(_) => return Ok((tasks, writes)),
                Ok(Ok(Ok(write))) => writes.push(Some(write)),
                Ok(Ok(Err(e))) => bail!(e),
                Ok(Err(_)) => bail!("a client task ended before joining"),
            }
        }
    }
    Ok((tasks, writes))
}

/// `--handshake none` or `name`: nothing tells when the server has registered a client, so clients
/// 0 and 1 send probes until every reader has seen one (or no new reader has for `settle`).
/// Returns how many readers saw one.
async fn warm_up(
    writes: &mut [Option<OwnedWriteHalf>],
    shared: &Shared,
    settle: Duration,
    deadline: Instant,
) -> usize {
    use tokio::io::AsyncWriteExt;
    let mut probe = marker::PROBE.to_vec();
    client::frame(shared.codec, &mut probe);
    let (mut seen, mut since) = (0, Instant::now());
    loop {
        for write in writes.iter_mut().take(2).flatten() {
            let _ = write.write_all(&probe).await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        let now_seen = shared.warmed.load(Ordering::Relaxed);
        if now_seen > seen {
            (seen, since) = (now_seen, Instant::now());
        }
        if seen >= writes.len() || since.elapsed() >= settle || Instant::now() >= deadline {
            return seen;
        }
    }
}

/// Waits until every expected delivery has arrived, or the senders are done and nothing
/// new has arrived for `--settle`, or the deadline. Returns which.
async fn wait_for_deliveries(
    opts: &Options,
    shared: &Shared,
    senders: &[JoinHandle<SenderEnd>],
    deadline: Instant,
) -> &'static str {
    let expected = opts.expected();
    let (mut count, mut quiet_since) = (0, Instant::now());
    let mut sending = true;
    loop {
        tokio::time::sleep(POLL).await;
        let now = Instant::now();
        let delivered = shared.delivered.load(Ordering::Relaxed);
        if delivered != count {
            (count, quiet_since) = (delivered, now);
        }
        if sending && senders.iter().all(JoinHandle::is_finished) {
            sending = false;
            quiet_since = quiet_since.max(now);
        }
        if !sending && count >= expected {
            return "complete";
        }
        if !sending && now.duration_since(quiet_since) >= opts.settle() {
            return "settled";
        }
        if now >= deadline {
            return "duration limit";
        }
    }
}

/// Awaits tasks that have been told to stop; a task that panicked is left out.
async fn collect<T>(tasks: Vec<JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::with_capacity(tasks.len());
    for task in tasks {
        if let Ok(value) = task.await {
            out.push(value);
        }
    }
    out
}
