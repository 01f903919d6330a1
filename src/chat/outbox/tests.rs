//! Outbox tests: order, coalescing, the cap, the stall delay, bounded close, a dead peer.

use super::*;
use crate::chat::limits::{CLOSE_GRACE, PER_MESSAGE_OVERHEAD, STALL};
use tokio::io::{AsyncReadExt, duplex};

fn frame(s: &str) -> Bytes {
    Bytes::copy_from_slice(s.as_bytes())
}

#[tokio::test]
async fn messages_arrive_in_order_and_close_flushes_them() {
    let (ours, mut theirs) = duplex(64 * 1024);
    let (outbox, writer) = Outbox::spawn(ours, Wire::Lines, Limits::SERVER);
    for i in 0..100 {
        assert_eq!(outbox.push(frame(&format!("m{i}\n"))), Push::Queued);
    }
    outbox.close();
    assert_eq!(outbox.push(frame("late\n")), Push::Closed);
    writer.await.unwrap();
    let mut got = String::new();
    theirs.read_to_string(&mut got).await.unwrap();
    let want: String = (0..100).map(|i| format!("m{i}\n")).collect();
    assert_eq!(got, want);
}

#[tokio::test]
async fn a_peer_that_does_not_read_is_cut_off_at_the_cap() {
    // A 1 KiB pipe that nobody reads: the writer blocks, the queue grows to the cap.
    let (ours, _theirs) = duplex(1024);
    let limits = Limits {
        cap: 10_000,
        stall: None,
    };
    let (outbox, writer) = Outbox::spawn(ours, Wire::Lines, limits);
    let mut pushes = 0;
    let full = loop {
        match outbox.push(frame(&"x".repeat(99))) {
            Push::Queued => pushes += 1,
            other => break other,
        }
        assert!(pushes < 1000, "never cut off");
    };
    assert_eq!(full, Push::Full);
    // About cap + pipe size (each message counting its overhead), never unbounded.
    assert!(
        pushes * (99 + PER_MESSAGE_OVERHEAD) <= 10_000 + 1024 + 99,
        "queued {pushes} messages"
    );
    let why = tokio::time::timeout(Duration::from_secs(5), outbox.gone())
        .await
        .unwrap();
    assert_eq!(why, Gone::Overflow);
    assert_eq!(outbox.push(frame("more")), Push::Closed);
    assert_eq!(outbox.queued_bytes(), 0, "the cut client's queue is freed");
    // The writer was blocked in a write to a peer that never reads: it gives up at once.
    tokio::time::timeout(Duration::from_secs(1), writer)
        .await
        .expect("the writer of a cut client ends at once, blocked write or not")
        .unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_write_that_makes_no_progress_for_the_stall_delay_cuts_the_peer() {
    let (ours, _theirs) = duplex(1024);
    let (outbox, writer) = Outbox::spawn(ours, Wire::Lines, Limits::SERVER);
    // More than the pipe holds, far less than the cap: only the stall can cut it.
    for _ in 0..30 {
        assert_eq!(outbox.push(frame(&"x".repeat(99))), Push::Queued);
    }
    let started = tokio::time::Instant::now();
    let why = tokio::time::timeout(Duration::from_secs(60), outbox.gone()).await;
    assert_eq!(why, Ok(Gone::Stalled), "never cut");
    let waited = started.elapsed();
    assert!(
        waited >= STALL && waited < STALL + Duration::from_millis(100),
        "cut after {waited:?}"
    );
    writer.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_slow_reader_that_keeps_reading_is_never_cut() {
    // A reader taking 64 bytes every second: far slower than the writer, but every write
    // makes progress within the stall delay, so it is never cut.
    let (ours, mut theirs) = duplex(64);
    let (outbox, writer) = Outbox::spawn(ours, Wire::Lines, Limits::SERVER);
    let want: String = (0..20).map(|i| format!("slow message {i:02}\n")).collect();
    for line in want.split_inclusive('\n') {
        outbox.push(frame(line));
    }
    let mut got = Vec::new();
    let mut chunk = [0u8; 64];
    loop {
        tokio::time::sleep(STALL / 2).await;
        match theirs.read(&mut chunk).await.unwrap() {
            0 => break,
            n => got.extend_from_slice(&chunk[..n]),
        }
        assert!(outbox.gone_reason().is_none(), "a reading peer was cut");
        if got.len() == want.len() {
            break;
        }
    }
    assert_eq!(String::from_utf8(got).unwrap(), want);
    outbox.close();
    writer.await.unwrap();
    assert!(outbox.gone_reason().is_none());
}

#[tokio::test(start_paused = true)]
async fn closing_towards_a_peer_that_never_reads_ends_within_the_grace() {
    let (ours, _theirs) = duplex(1024);
    let (outbox, writer) = Outbox::spawn(ours, Wire::Lines, Limits::SERVER);
    for _ in 0..30 {
        outbox.push(frame(&"x".repeat(99)));
    }
    // Let the writer block in its write, then close: the flush is bounded.
    tokio::task::yield_now().await;
    let started = tokio::time::Instant::now();
    outbox.close();
    let ended = tokio::time::timeout(Duration::from_secs(60), writer).await;
    assert!(ended.is_ok(), "the close never ended");
    let waited = started.elapsed();
    assert!(waited <= CLOSE_GRACE, "closing took {waited:?}");
    assert_eq!(outbox.gone_reason(), Some(Gone::Stalled));
}

#[tokio::test]
async fn a_dead_peer_is_reported_gone() {
    let (ours, theirs) = duplex(1024);
    drop(theirs);
    let (outbox, _writer) = Outbox::spawn(ours, Wire::Lines, Limits::SERVER);
    outbox.push(frame("hello\n"));
    let why = tokio::time::timeout(Duration::from_secs(5), outbox.gone())
        .await
        .unwrap();
    assert_eq!(why, Gone::WriteFailed);
}

#[tokio::test]
async fn tp_mode_writes_each_message_separately() {
    // Each message must be its own write; a reader with a large buffer sees them apart
    // as long as it reads between writes, which a 1-byte-at-a-time duplex forces.
    let (ours, mut theirs) = duplex(5);
    let (outbox, writer) = Outbox::spawn(ours, Wire::Tp, Limits::SERVER);
    outbox.push(frame("hello"));
    outbox.push(frame("world"));
    outbox.close();
    let mut first = [0u8; 64];
    let n = theirs.read(&mut first).await.unwrap();
    assert_eq!(&first[..n], b"hello");
    let mut rest = String::new();
    theirs.read_to_string(&mut rest).await.unwrap();
    assert_eq!(rest, "world");
    writer.await.unwrap();
}

#[tokio::test]
async fn partial_writes_in_the_middle_of_messages_lose_nothing() {
    // A 7-byte pipe: every write stops part-way through a message.
    let (ours, mut theirs) = duplex(7);
    let (outbox, writer) = Outbox::spawn(ours, Wire::Lines, Limits::SERVER);
    let want: String = (0..200).map(|i| format!("message {i} é\n")).collect();
    for line in want.split_inclusive('\n') {
        outbox.push(frame(line));
    }
    outbox.close();
    let mut got = String::new();
    theirs.read_to_string(&mut got).await.unwrap();
    writer.await.unwrap();
    assert_eq!(got, want);
}

#[test]
fn consume_drops_whole_and_partial_messages() {
    let mut batch: VecDeque<Bytes> = ["abc", "de", "fgh"].into_iter().map(frame).collect();
    consume(&mut batch, 4);
    assert_eq!(batch, [frame("e"), frame("fgh")]);
    consume(&mut batch, 4);
    assert!(batch.is_empty());
}
