//! Registry tests: who receives a broadcast, and a stuck client delaying nobody.

use super::*;
use crate::chat::outbox::{Gone, Limits, Outbox};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader, duplex};

#[tokio::test]
async fn broadcast_skips_the_sender_and_reaches_everyone_else() {
    let registry = Registry::new(Wire::Lines);
    let mut readers = Vec::new();
    let mut ids = Vec::new();
    for _ in 1..=3 {
        let (ours, theirs) = duplex(4096);
        let (outbox, _) = Outbox::spawn(ours, Wire::Lines, Limits::SERVER);
        ids.push(registry.insert(outbox));
        readers.push(BufReader::new(theirs).lines());
    }
    assert_eq!(registry.broadcast("from 0", Some(ids[0])), 2);
    assert_eq!(registry.broadcast("to all", None), 3);
    let first = tokio::time::timeout(Duration::from_secs(2), readers[0].next_line()).await;
    assert_eq!(
        first.unwrap().unwrap().as_deref(),
        Some("to all"),
        "the sender got its own message"
    );
    for r in &mut readers[1..] {
        for want in ["from 0", "to all"] {
            let got = tokio::time::timeout(Duration::from_secs(2), r.next_line()).await;
            assert_eq!(got.unwrap().unwrap().as_deref(), Some(want));
        }
    }
    assert!(registry.remove(ids[1]));
    assert!(
        !registry.remove(ids[1]),
        "a second remove must say it removed nothing"
    );
    assert_eq!(registry.broadcast("after", None), 2);
}

#[tokio::test]
async fn a_client_that_never_reads_delays_nobody_and_is_cut_off() {
    let registry = Registry::new(Wire::Lines);
    // The stuck client: a tiny pipe nobody reads, a small cap.
    let (stuck_ours, _stuck_theirs) = duplex(256);
    let small = Limits {
        cap: 64 * 1024,
        stall: None,
    };
    let (stuck, _) = Outbox::spawn(stuck_ours, Wire::Lines, small);
    registry.insert(stuck.clone());
    let (ours, theirs) = duplex(1024 * 1024);
    let (reader_box, _) = Outbox::spawn(ours, Wire::Lines, Limits::SERVER);
    registry.insert(reader_box);
    let mut lines = BufReader::new(theirs).lines();

    let total = 5_000;
    for i in 0..total {
        registry.broadcast(&format!("message {i:05} {}", "p".repeat(40)), None);
    }
    for i in 0..total {
        let line = tokio::time::timeout(Duration::from_secs(5), lines.next_line()).await;
        let line = line
            .expect("the reading client was delayed")
            .unwrap()
            .unwrap();
        assert!(
            line.starts_with(&format!("message {i:05} ")),
            "got {line:?} at {i}"
        );
    }
    let why = tokio::time::timeout(Duration::from_secs(2), stuck.gone()).await;
    assert_eq!(why.unwrap(), Gone::Overflow);
}
