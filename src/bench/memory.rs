//! The server's memory, read from `/proc/<pid>/status` (Linux).
//!
//! `VmRSS` is the resident set now; `VmHWM` ("high water mark") is the largest it has been
//! since the process started, so one read at the end gives the peak without sampling fast
//! enough to catch it. Periodic `VmRSS` samples show the shape over time: a soak whose
//! memory is flat, or one that grows with every message.

use std::time::{Duration, Instant};
use tokio::sync::watch;

/// The two figures of `/proc/<pid>/status` this tool uses, in KiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    /// Resident set size now (`VmRSS`).
    pub rss_kib: u64,
    /// Peak resident set size since the process started (`VmHWM`).
    pub hwm_kib: u64,
}

/// Reads the status of process `pid`; `None` if it is gone or not readable.
pub fn status(pid: u32) -> Option<Status> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    parse_status(&text)
}

/// Extracts `VmRSS` and `VmHWM` from the text of a status file.
fn parse_status(text: &str) -> Option<Status> {
    let field = |name: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().strip_suffix("kB"))
            .and_then(|kib| kib.trim().parse::<u64>().ok())
    };
    Some(Status {
        rss_kib: field("VmRSS:")?,
        hwm_kib: field("VmHWM:")?,
    })
}

/// Samples `VmRSS` of `pid` every `every` until `stop` turns true; returns the samples as
/// (seconds since `since`, KiB).
pub async fn sample(
    pid: u32,
    every: Duration,
    since: Instant,
    mut stop: watch::Receiver<bool>,
) -> Vec<(f64, u64)> {
    let mut samples = Vec::new();
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                if let Some(s) = status(pid) {
                    samples.push((since.elapsed().as_secs_f64(), s.rss_kib));
                }
            }
            _ = stop.wait_for(|&stopped| stopped) => return samples,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rss_and_peak_from_a_status_file() {
        let text = "Name:\tchat\nVmPeak:\t  99 kB\nVmHWM:\t    5120 kB\nVmRSS:\t    4096 kB\n";
        assert_eq!(
            parse_status(text),
            Some(Status {
                rss_kib: 4096,
                hwm_kib: 5120
            })
        );
        assert_eq!(parse_status("Name:\tkernel thread\n"), None);
    }

    #[test]
    fn our_own_process_has_a_status() {
        let me = status(std::process::id()).expect("/proc/self/status");
        assert!(me.rss_kib > 0 && me.hwm_kib >= me.rss_kib);
    }
}
