//! What a run found: one struct, printed for a person or as one JSON object.

use super::options::Handshake;
use super::tally::Percentiles;
use crate::chat::wire::Wire;
use crate::protocol::Codec;
use std::fmt::{self, Display};

/// The result of one run. Every field is in the JSON output under the same name.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    /// The server's address.
    pub server: String,
    /// Framing used: `lines`, `tp` or `binary`.
    pub wire: &'static str,
    /// First exchange used.
    pub handshake: Handshake,
    /// Reading clients asked for (`--clients`).
    pub clients: u32,
    /// Reading clients that joined (fewer only if the duration limit cut the joining short).
    pub joined: u32,
    /// Sending clients (`--senders`).
    pub senders: u32,
    /// Messages per sender (`--messages`).
    pub messages: u32,
    /// Payload size in bytes (`--size`).
    pub size: u64,
    /// Aggregate rate asked for, messages/s; 0 = flat out.
    pub rate: f64,
    /// Messages written by the senders.
    pub sent: u64,
    /// Messages per second actually written (sent / time from first to last send).
    pub send_rate: f64,
    /// Deliveries a correct server makes: senders × messages × (clients − 1).
    pub expected: u64,
    /// Distinct deliveries received.
    pub received: u64,
    /// expected − received.
    pub loss: u64,
    /// Deliveries of a message the reader already had.
    pub duplicates: u64,
    /// Deliveries that came after a later message of the same sender.
    pub order_violations: u64,
    /// Markers naming a sender or message this run never sent (corruption).
    pub unexpected: u64,
    /// Readers whose connection the server ended during the run.
    pub readers_cut: u32,
    /// Seconds from the first send to the last delivery.
    pub elapsed_s: f64,
    /// received / elapsed_s.
    pub msgs_per_sec: f64,
    /// Delivery latency (receive time − send time in the payload), microseconds.
    pub latency_us: Option<Percentiles>,
    /// One entry per `--never-readers` client.
    pub never_readers: Vec<NeverReader>,
    /// The server's memory, with `--server-pid`.
    pub server_memory: Option<Memory>,
    /// Why the run ended: `complete`, `settled` (deliveries stopped coming), `hold`
    /// (idle clients held), `joined` (nothing to send) or `duration limit`.
    pub stopped_by: &'static str,
    /// Things worth knowing that did not stop the run.
    pub warnings: Vec<String>,
    /// No loss, duplicate, reordering or corruption, and every client joined.
    pub ok: bool,
}

/// What happened to a client that never read.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NeverReader {
    /// Its pseudo (`n0`, `n1`, …).
    pub pseudo: String,
    /// The server closed its connection (CONTRACT.md § Slow clients says it must, once its
    /// queue is full).
    pub disconnected: bool,
    /// Bytes that were waiting for it when the run ended.
    pub unread_bytes: u64,
}

/// The server's memory (`/proc/<pid>/status`), KiB.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Memory {
    /// The process measured.
    pub pid: u32,
    /// RSS before the first client connected.
    pub before_kib: Option<u64>,
    /// RSS once every client had joined.
    pub joined_kib: Option<u64>,
    /// RSS at the end, clients still connected.
    pub end_kib: Option<u64>,
    /// Peak RSS of the server's whole life (`VmHWM`), read at the end.
    pub peak_kib: Option<u64>,
    /// (end − before) / joined clients: what one connected client costs.
    pub per_client_kib: Option<f64>,
    /// RSS every `--rss-interval`: (seconds since the start, KiB).
    pub samples: Vec<(f64, u64)>,
}

/// The name of a framing, as the report shows it.
pub fn framing(codec: Codec) -> &'static str {
    match codec {
        Codec::Lines(Wire::Lines) => "lines",
        Codec::Lines(Wire::Tp) => "tp",
        Codec::Binary => "binary",
    }
}

fn mib(kib: Option<u64>) -> String {
    kib.map_or("?".to_string(), |k| format!("{:.1} MiB", k as f64 / 1024.0))
}

impl Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let handshake = match self.handshake {
            Handshake::Hello => "hello",
            Handshake::None => "none",
            Handshake::Name => "name",
        };
        writeln!(
            f,
            "server:      {} (wire {}, handshake {handshake})",
            self.server, self.wire
        )?;
        writeln!(f, "clients:     {} joined of {}", self.joined, self.clients)?;
        let pace = if self.rate > 0.0 {
            format!("{} msgs/s asked", self.rate)
        } else {
            "flat out".to_string()
        };
        writeln!(
            f,
            "sent:        {} messages by {} senders, {} bytes, {pace} ({:.0} msgs/s written)",
            self.sent, self.senders, self.size, self.send_rate
        )?;
        writeln!(
            f,
            "delivered:   {} of {} expected: loss {}, duplicates {}, order violations {}, \
             unexpected {}, readers cut {}",
            self.received,
            self.expected,
            self.loss,
            self.duplicates,
            self.order_violations,
            self.unexpected,
            self.readers_cut
        )?;
        writeln!(
            f,
            "throughput:  {:.0} deliveries/s over {:.3} s (first send to last delivery)",
            self.msgs_per_sec, self.elapsed_s
        )?;
        if let Some(l) = self.latency_us {
            writeln!(
                f,
                "latency:     p50 {} µs, p90 {} µs, p99 {} µs, max {} µs",
                l.p50, l.p90, l.p99, l.max
            )?;
        }
        for n in &self.never_readers {
            let verdict = if n.disconnected {
                "disconnected by the server"
            } else {
                "still connected"
            };
            writeln!(
                f,
                "never-reader {}: {verdict} ({} bytes were waiting)",
                n.pseudo, n.unread_bytes
            )?;
        }
        if let Some(m) = &self.server_memory {
            let per_client = m
                .per_client_kib
                .map_or(String::new(), |k| format!(", {k:.1} KiB per client"));
            writeln!(
                f,
                "server RSS:  before {}, joined {}, end {}, peak {}{per_client}",
                mib(m.before_kib),
                mib(m.joined_kib),
                mib(m.end_kib),
                mib(m.peak_kib)
            )?;
        }
        for w in &self.warnings {
            writeln!(f, "warning:     {w}")?;
        }
        writeln!(f, "stopped by:  {}", self.stopped_by)?;
        write!(f, "result:      {}", if self.ok { "OK" } else { "FAILED" })
    }
}
