//! The benchmark's clients: connecting and joining, reading, and never reading.
//!
//! A reader must cost the measurement as little as possible: it waits for its socket to be
//! readable, then reads as much as the kernel has into a large buffer shared by every client
//! of the same worker thread (so 10,000 idle clients own no buffer at all), scans it for
//! markers and records each one in its own [`Tally`]. The receive time is taken once per
//! read: everything a read returns arrived at the same moment.

use super::marker::{Found, Scanner};
use super::options::Handshake;
use super::tally::Tally;
use crate::chat::wire::Wire;
use crate::protocol::{Codec, Event, Request};
use std::cell::RefCell;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::{oneshot, watch};

/// How long one client may wait for its join announcement.
const JOIN_TIMEOUT: Duration = Duration::from_secs(30);

/// Receive buffer of a client that never reads, so the server's queue for it fills fast.
const NEVER_READER_RCVBUF: u32 = 4096;

thread_local! {
    /// One read buffer per worker thread, shared by every client that runs on it.
    static READ_BUF: RefCell<Vec<u8>> = RefCell::new(vec![0; 256 * 1024]);
}

/// What every client task of a run shares.
pub struct Shared {
    /// The server.
    pub addr: SocketAddr,
    /// Its framing: lines, `tp`, or frames.
    pub codec: Codec,
    /// What a client sends first.
    pub handshake: Handshake,
    /// The clock of every timestamp in the run.
    pub clock: Instant,
    /// Number of senders, for the tallies.
    pub senders: usize,
    /// Messages per sender, for the tallies.
    pub messages: u32,
    /// Distinct deliveries so far, all readers together: the run watches it for progress.
    pub delivered: AtomicU64,
    /// Readers that have seen a warm-up probe.
    pub warmed: AtomicUsize,
    /// Turns true when the run is over.
    pub stop: watch::Receiver<bool>,
}

impl Shared {
    /// Nanoseconds since the run's clock started.
    pub fn now_ns(&self) -> u64 {
        u64::try_from(self.clock.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }
}

/// Frames one message: appends the line end of `--wire lines`; `tp` sends each message as
/// one bare write; `--binary` puts a text frame's header (type 1, two-byte length) in front.
pub fn frame(codec: Codec, message: &mut Vec<u8>) {
    match codec {
        Codec::Lines(Wire::Lines) => message.push(b'\n'),
        Codec::Lines(Wire::Tp) => {}
        Codec::Binary => {
            let length = u16::try_from(message.len())
                .unwrap_or(u16::MAX)
                .to_be_bytes();
            message.splice(0..0, [crate::protocol::binary::TEXT, length[0], length[1]]);
        }
    }
}

/// Raises this process's open-file limit to its hard limit; returns the new soft limit, or
/// `None` where sockets are not counted against such a limit (Windows: there, only memory
/// bounds the number of sockets).
#[cfg(unix)]
pub fn raise_fd_limit() -> io::Result<Option<u64>> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read or write the struct passed to them.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return Err(io::Error::last_os_error());
        }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max;
            if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                return Err(io::Error::last_os_error());
            }
        }
    }
    Ok(Some(limit.rlim_cur))
}

/// Raises this process's open-file limit to its hard limit; returns the new soft limit, or
/// `None` where sockets are not counted against such a limit (Windows: there, only memory
/// bounds the number of sockets).
#[cfg(not(unix))]
pub fn raise_fd_limit() -> io::Result<Option<u64>> {
    Ok(None)
}

/// Connects (and joins, with `--handshake hello`) as `pseudo`.
async fn open(pseudo: &str, shared: &Shared, small_rcvbuf: bool) -> Result<TcpStream, String> {
    let addr = shared.addr;
    let socket =
        crate::net::socket_for(addr).map_err(|e| format!("cannot create a socket: {e}"))?;
    if small_rcvbuf {
        socket
            .set_recv_buffer_size(NEVER_READER_RCVBUF)
            .map_err(|e| format!("cannot set the receive buffer: {e}"))?;
    }
    let mut stream = socket
        .connect(addr)
        .await
        .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
    // Without it a sender's small writes wait for ACKs and the latency measured is Nagle's.
    let _ = stream.set_nodelay(true);
    match shared.handshake {
        Handshake::Hello => {
            tokio::time::timeout(JOIN_TIMEOUT, join(&mut stream, pseudo, shared.codec))
                .await
                .map_err(|_| format!("{pseudo}: no join announcement within {JOIN_TIMEOUT:?}"))?
                .map_err(|e| format!("{pseudo}: {e}"))?;
        }
        Handshake::Name => {
            let mut name = pseudo.as_bytes().to_vec();
            frame(shared.codec, &mut name);
            stream
                .write_all(&name)
                .await
                .map_err(|e| format!("{pseudo}: cannot send the name: {e}"))?;
        }
        Handshake::None => {}
    }
    Ok(stream)
}

/// Sends `Hello|<pseudo>` and reads until `Annonce : <pseudo> a rejoint la chatroom` (or
/// their frames, with `--binary`). Nothing measured can arrive before every client has
/// joined, so what is read is dropped.
async fn join(stream: &mut TcpStream, pseudo: &str, codec: Codec) -> Result<(), String> {
    let hello = Request::Hello {
        pseudo: pseudo.to_string(),
        id: None,
    };
    stream
        .write_all(&codec.request(&hello))
        .await
        .map_err(|e| format!("cannot send the handshake: {e}"))?;
    let joined = codec.event(&Event::Joined(pseudo.to_string()));
    // Without the line end: in `tp` there is none.
    let needle = joined.strip_suffix(b"\n").unwrap_or(&joined);
    let mut seen = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = match stream.read(&mut chunk).await {
            Ok(0) => 0,
            Ok(n) => n,
            Err(e) => return Err(format!("connection lost during the handshake: {e}")),
        };
        if n == 0 {
            let said = String::from_utf8_lossy(&seen);
            let said = said.lines().next().unwrap_or("").chars().take(120);
            return Err(format!(
                "the server closed the connection instead of announcing the join \
                 (it said: {:?})",
                said.collect::<String>()
            ));
        }
        let from = seen.len().saturating_sub(needle.len());
        seen.extend_from_slice(&chunk[..n]);
        if seen[from..].windows(needle.len()).any(|w| w == needle) {
            return Ok(());
        }
        if seen.len() > 64 * 1024 {
            seen.drain(..seen.len() - needle.len());
        }
    }
}

/// How a reader ended.
pub struct ReaderEnd {
    /// What it received.
    pub tally: Tally,
    /// Whether it had joined.
    pub joined: bool,
    /// The server closed or reset its connection before the run was over.
    pub cut: bool,
}

/// What a reader hands back once joined: its write half (dropping it would close the
/// connection's sending side, which a server takes as a leave).
pub type Joined = Result<OwnedWriteHalf, String>;

/// A reading client: connects as `c<index>`, joins, hands its write half over `joined`,
/// then reads until the run stops.
pub async fn reader(index: u32, shared: Arc<Shared>, joined: oneshot::Sender<Joined>) -> ReaderEnd {
    let mut end = ReaderEnd {
        tally: Tally::new(shared.senders, shared.messages),
        joined: false,
        cut: false,
    };
    let mut stop = shared.stop.clone();
    let pseudo = format!("c{index}");
    let opened = tokio::select! {
        opened = open(&pseudo, &shared, false) => opened,
        _ = stop.wait_for(|&stopped| stopped) => return end,
    };
    let stream = match opened {
        Ok(stream) => stream,
        Err(e) => {
            let _ = joined.send(Err(e));
            return end;
        }
    };
    let (read, write) = stream.into_split();
    if joined.send(Ok(write)).is_err() {
        return end; // The run gave up waiting (duration limit).
    }
    end.joined = true;
    end.cut = read_until_stopped(&read, &mut end.tally, &shared).await;
    end
}

/// Reads and tallies until the run stops; true if the server ended the connection first.
async fn read_until_stopped(read: &OwnedReadHalf, tally: &mut Tally, shared: &Shared) -> bool {
    let mut stop = shared.stop.clone();
    let mut scanner = Scanner::default();
    let mut warmed = false;
    loop {
        tokio::select! {
            biased;
            _ = stop.wait_for(|&stopped| stopped) => return false,
            ready = read.readable() => if ready.is_err() { return true },
        }
        let outcome = READ_BUF.with_borrow_mut(|buf| match read.try_read(buf) {
            Ok(0) => Err(()),
            Ok(n) => {
                let now = shared.now_ns();
                let mut new = 0;
                let mut probe = false;
                scanner.feed(&buf[..n], |found| match found {
                    Found::Message {
                        sender,
                        seq,
                        sent_ns,
                    } => new += u64::from(tally.record(sender, seq, sent_ns, now)),
                    Found::Probe => probe = true,
                });
                Ok((new, probe))
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok((0, false)),
            Err(_) => Err(()),
        });
        match outcome {
            Err(()) => return true,
            Ok((new, probe)) => {
                if new > 0 {
                    shared.delivered.fetch_add(new, Ordering::Relaxed);
                }
                if probe && !warmed {
                    warmed = true;
                    shared.warmed.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    }
}

/// Connects `n<index>`, a client that joins and then never reads.
pub async fn never_reader(index: u32, shared: Arc<Shared>) -> Result<TcpStream, String> {
    open(&format!("n{index}"), &shared, true).await
}

/// Whether the server has closed a never-reader's connection. A server that cuts a client
/// off may close with a reset, which the kernel reports as the socket's pending error: that
/// is waited for first, without reading (a client that reads is no never-reader, and a
/// server that cuts on lack of progress would rightly keep it). Then the unread bytes are
/// drained, and the end of the stream must follow (a server that closes gracefully); a
/// connection still open goes quiet instead.
/// Returns (disconnected, bytes that were waiting, as far as they could still be read).
pub async fn was_disconnected(mut stream: TcpStream) -> (bool, u64) {
    let give_up = tokio::time::Instant::now() + Duration::from_secs(5);
    while tokio::time::Instant::now() < give_up {
        if let Ok(Some(_)) = stream.take_error() {
            return (true, 0);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let give_up = tokio::time::Instant::now() + Duration::from_secs(5);
    let mut buf = vec![0u8; 64 * 1024];
    let mut unread = 0;
    loop {
        let quiet = (tokio::time::Instant::now() + Duration::from_secs(1)).min(give_up);
        match tokio::time::timeout_at(quiet, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (true, unread),
            Ok(Ok(n)) => unread += n as u64,
            Err(_) => return (false, unread),
        }
    }
}
