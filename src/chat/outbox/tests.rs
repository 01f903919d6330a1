//! Outbox tests: order, coalescing, the byte budget, graceful close, a dead peer.

use super::*;
use tokio::io::{AsyncReadExt, duplex};

fn frame(s: &str) -> Bytes {
    Bytes::copy_from_slice(s.as_bytes())
}

#[tokio::test]
async fn messages_arrive_in_order_and_close_flushes_them() {
    let (ours, mut theirs) = duplex(64 * 1024);
    let (outbox, writer) = Outbox::spawn(ours, Wire::Lines, DEFAULT_BUDGET);
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
async fn a_peer_that_does_not_read_is_cut_off_at_the_budget() {
    // A 1 KiB pipe that nobody reads: the writer blocks, the queue grows to the budget.
    let (ours, _theirs) = duplex(1024);
    let (outbox, _writer) = Outbox::spawn(ours, Wire::Lines, 10_000);
    let mut pushes = 0;
    let full = loop {
        match outbox.push(frame(&"x".repeat(99))) {
            Push::Queued => pushes += 1,
            other => break other,
        }
        assert!(pushes < 1000, "never cut off");
    };
    assert_eq!(full, Push::Full);
    // About budget + pipe size, never unbounded.
    assert!(
        pushes * 99 <= 10_000 + 1024 + 99,
        "queued {pushes} messages"
    );
    let why = tokio::time::timeout(Duration::from_secs(5), outbox.gone())
        .await
        .unwrap();
    assert_eq!(why, Gone::Overflow);
    assert_eq!(outbox.push(frame("more")), Push::Closed);
    assert_eq!(outbox.queued_bytes(), 0, "the cut client's queue is freed");
}

#[tokio::test]
async fn a_dead_peer_is_reported_gone() {
    let (ours, theirs) = duplex(1024);
    drop(theirs);
    let (outbox, _writer) = Outbox::spawn(ours, Wire::Lines, DEFAULT_BUDGET);
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
    let (outbox, writer) = Outbox::spawn(ours, Wire::Tp, DEFAULT_BUDGET);
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
    let (outbox, writer) = Outbox::spawn(ours, Wire::Lines, DEFAULT_BUDGET);
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
