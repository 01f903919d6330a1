//! What one reading client saw, and the sum over all of them.
//!
//! Each reader keeps its own [`Tally`], touched by its task only (no lock, no shared cache
//! line per message); the run adds them up at the end ([`Summary::add`]). A reader knows,
//! per sender, which sequence numbers it has already seen (a bitset, so a duplicate is told
//! apart from a late message) and the highest one so far (a message below it arrived out of
//! order). Latencies are kept exactly, in microseconds, and sorted once at the end. Nothing
//! is allocated before the first message, so 10,000 idle clients cost nothing here.

/// One reader's counts.
#[derive(Debug, Default)]
pub struct Tally {
    /// Number of sending clients; their ids are `0..senders`.
    senders: usize,
    /// Messages per sender; sequence numbers are `0..messages`.
    messages: u32,
    /// `senders × messages` bits: which messages arrived. Empty until the first one.
    seen: Vec<u64>,
    /// Per sender, the highest sequence number seen so far. Empty until the first message.
    highest: Vec<Option<u32>>,
    /// Distinct messages received.
    pub received: u64,
    /// Messages received a second time (or more).
    pub duplicates: u64,
    /// Messages that arrived after a later one from the same sender.
    pub order_violations: u64,
    /// Markers naming a sender or a sequence number that this run never sent.
    pub unexpected: u64,
    /// Latency of each distinct message, in microseconds.
    pub latencies_us: Vec<u32>,
    /// When the last distinct message arrived, in nanoseconds on the run's clock.
    pub last_delivery_ns: u64,
}

impl Tally {
    /// An empty tally for a run where `senders` clients send `messages` each.
    pub fn new(senders: usize, messages: u32) -> Self {
        Tally {
            senders,
            messages,
            ..Tally::default()
        }
    }

    /// Counts one received message; returns true if it is a new one.
    pub fn record(&mut self, sender: u32, seq: u32, sent_ns: u64, now_ns: u64) -> bool {
        let sender = sender as usize;
        if sender >= self.senders || seq >= self.messages {
            self.unexpected += 1;
            return false;
        }
        if self.seen.is_empty() {
            let bits = self.senders * self.messages as usize;
            self.seen = vec![0; bits.div_ceil(64)];
            self.highest = vec![None; self.senders];
        }
        let bit = sender * self.messages as usize + seq as usize;
        let (word, mask) = (bit / 64, 1u64 << (bit % 64));
        if self.seen[word] & mask != 0 {
            self.duplicates += 1;
            return false;
        }
        self.seen[word] |= mask;
        self.received += 1;
        match self.highest[sender] {
            Some(high) if seq < high => self.order_violations += 1,
            _ => self.highest[sender] = Some(seq),
        }
        let micros = now_ns.saturating_sub(sent_ns) / 1000;
        self.latencies_us
            .push(u32::try_from(micros).unwrap_or(u32::MAX));
        self.last_delivery_ns = self.last_delivery_ns.max(now_ns);
        true
    }
}

/// The tallies of every reader added up.
#[derive(Debug, Default)]
pub struct Summary {
    /// Distinct deliveries (one message reaching one reader).
    pub received: u64,
    /// Deliveries of a message a reader already had.
    pub duplicates: u64,
    /// Deliveries after a later message of the same sender.
    pub order_violations: u64,
    /// Markers that this run never sent.
    pub unexpected: u64,
    /// Every latency, in microseconds.
    latencies_us: Vec<u32>,
    /// The last distinct delivery, in nanoseconds on the run's clock.
    pub last_delivery_ns: u64,
}

/// Latency percentiles, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Percentiles {
    /// Median.
    pub p50: u32,
    /// 90th percentile.
    pub p90: u32,
    /// 99th percentile.
    pub p99: u32,
    /// Largest.
    pub max: u32,
}

impl Summary {
    /// Adds one reader's tally.
    pub fn add(&mut self, mut tally: Tally) {
        self.received += tally.received;
        self.duplicates += tally.duplicates;
        self.order_violations += tally.order_violations;
        self.unexpected += tally.unexpected;
        self.last_delivery_ns = self.last_delivery_ns.max(tally.last_delivery_ns);
        if self.latencies_us.is_empty() {
            self.latencies_us = std::mem::take(&mut tally.latencies_us);
        } else {
            self.latencies_us.append(&mut tally.latencies_us);
        }
    }

    /// Nearest-rank percentiles of every latency; `None` when nothing was delivered.
    pub fn percentiles(&mut self) -> Option<Percentiles> {
        let all = &mut self.latencies_us;
        if all.is_empty() {
            return None;
        }
        all.sort_unstable();
        let rank = |p: f64| {
            let index = ((p / 100.0) * all.len() as f64).ceil() as usize;
            all[index.clamp(1, all.len()) - 1]
        };
        Some(Percentiles {
            p50: rank(50.0),
            p90: rank(90.0),
            p99: rank(99.0),
            max: all[all.len() - 1],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_new_duplicate_late_and_foreign_messages() {
        let mut t = Tally::new(2, 10);
        assert!(t.record(0, 0, 0, 5_000));
        assert!(t.record(0, 2, 0, 5_000));
        assert!(t.record(0, 1, 0, 5_000)); // late: 2 came first
        assert!(!t.record(0, 2, 0, 5_000)); // duplicate
        assert!(t.record(1, 9, 0, 7_000));
        assert!(!t.record(2, 0, 0, 5_000)); // no sender 2
        assert!(!t.record(1, 10, 0, 5_000)); // no message 10
        assert_eq!(
            (t.received, t.duplicates, t.order_violations, t.unexpected),
            (4, 1, 1, 2)
        );
        assert_eq!(t.last_delivery_ns, 7_000);
        assert_eq!(t.latencies_us, vec![5, 5, 5, 7]);
    }

    #[test]
    fn an_idle_tally_allocates_nothing() {
        let t = Tally::new(10, 1000);
        assert!(t.seen.is_empty() && t.latencies_us.capacity() == 0);
    }

    #[test]
    fn percentiles_use_nearest_rank() {
        let mut sum = Summary::default();
        for part in [1..=50u32, 51..=100] {
            let mut t = Tally::new(1, 200);
            for v in part {
                t.record(0, v, 0, u64::from(v) * 1000);
            }
            sum.add(t);
        }
        assert_eq!(sum.received, 100);
        assert_eq!(
            sum.percentiles(),
            Some(Percentiles {
                p50: 50,
                p90: 90,
                p99: 99,
                max: 100
            })
        );
        assert_eq!(Summary::default().percentiles(), None);
    }
}
