//! A sending client: its messages, paced or flat out, each one write.
//!
//! Each payload is stamped with the time it is handed to the kernel, so the latency a
//! reader measures includes everything after the send: the server's queueing, its writes,
//! the loopback, the reader's wake-up. With a rate, the senders take turns on one schedule
//! instead of each sleeping its own period, so the aggregate rate is smooth.

use super::client::{Shared, frame};
use super::marker;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use tokio::net::tcp::OwnedWriteHalf;

/// What one sender is to do.
pub struct Plan {
    /// Its client index, which is also its sender id.
    pub index: u32,
    /// Number of senders, to interleave their time slots.
    pub senders: u32,
    /// Messages to send.
    pub messages: u32,
    /// Payload size.
    pub size: usize,
    /// Messages per second for all senders together; 0 = flat out.
    pub rate: f64,
    /// When sending starts.
    pub go: Instant,
}

/// How a sender ended.
#[derive(Default)]
pub struct SenderEnd {
    /// Messages written.
    pub sent: u64,
    /// When the first was written, on the run's clock.
    pub first_ns: Option<u64>,
    /// When the last was written.
    pub last_ns: u64,
    /// Why it stopped early, if it did.
    pub error: Option<String>,
    /// The write half, kept open until the run ends.
    pub write: Option<OwnedWriteHalf>,
}

/// Sends the plan's messages, each as one write. With a rate, sender `i` of `S` sends its
/// message `k` at `go + (k·S + i) / rate`, so the total is smooth, not bursts of S.
pub async fn send(mut write: OwnedWriteHalf, plan: Plan, shared: Arc<Shared>) -> SenderEnd {
    let mut end = SenderEnd::default();
    let mut stop = shared.stop.clone();
    let mut message = Vec::with_capacity(plan.size + 1);
    for seq in 0..plan.messages {
        if plan.rate > 0.0 {
            let slot =
                (f64::from(seq) * f64::from(plan.senders) + f64::from(plan.index)) / plan.rate;
            let at = plan.go + Duration::from_secs_f64(slot);
            tokio::select! {
                _ = stop.wait_for(|&stopped| stopped) => break,
                _ = tokio::time::sleep_until(at.into()) => {}
            }
        }
        let now = shared.now_ns();
        marker::payload(&mut message, plan.index, seq, now, plan.size);
        frame(shared.codec, &mut message);
        let written = tokio::select! {
            _ = stop.wait_for(|&stopped| stopped) => break,
            written = write.write_all(&message) => written,
        };
        if let Err(e) = written {
            end.error = Some(format!("c{}: {e}", plan.index));
            break;
        }
        end.first_ns.get_or_insert(now);
        end.last_ns = now;
        end.sent += 1;
    }
    end.write = Some(write);
    end
}
