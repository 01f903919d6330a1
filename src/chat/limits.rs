//! Every bound the chat servers and clients apply, in one place, each with its reason.
//!
//! A chat server is shared by people who do not trust each other: what one peer sends or
//! fails to read must never exhaust the server or silence someone else. These values are the
//! whole policy; the modules that enforce them (`wire`, `outbox`, `console`) name them
//! instead of carrying numbers of their own. (The last bonus stage makes them configurable.)

use std::time::Duration;

/// Longest message a server accepts from a client, in bytes, without its line end. The
/// course's programs read with `read(1024)`; 4096 leaves room for real paragraphs.
pub const MAX_MESSAGE: usize = 4096;

/// Longest pseudo, in bytes, after trimming.
pub const MAX_PSEUDO: usize = 32;

/// Longest line a client accepts from the server. What the server accepts it delivers, so
/// this covers the longest line a server can send: a [`MAX_MESSAGE`] message whose every
/// byte was invalid UTF-8 (each replaced by the 3-byte U+FFFD: 12,288 bytes) behind the
/// longest prefix (`<pseudo> a dit : `, or ii_4's `[<IPv6>%<scope>]:<port> a dit : `, under
/// 100 bytes), with room to spare.
pub const MAX_FROM_SERVER: usize = 16 * 1024;

/// Most bytes that may wait in one client's outgoing queue; one more and the client is cut
/// off. This is the hard bound on the memory a client can make the server hold (the
/// messages themselves are shared between queues, so it is an upper bound). It is generous
/// on purpose: a client that keeps reading must survive a burst of several MB from
/// legitimate senders while it is briefly not scheduled, with the kernel's socket buffers
/// (a few MB on loopback) absorbing the rest. A client that stopped reading is normally cut
/// by [`STALL`] long before it gets here; this bound is for floods faster than that.
pub const QUEUE_CAP: usize = 16 * 1024 * 1024;

/// Bytes counted for each queued message on top of its length: the queue's own bookkeeping
/// (a shared buffer handle and its slot). Without it a flood of one-byte messages would hold
/// far more memory than [`QUEUE_CAP`] says.
pub const PER_MESSAGE_OVERHEAD: usize = 64;

/// How long a write to a client may make no progress at all, with messages waiting, before
/// the client counts as gone. A client that reads, however slowly, moves every write
/// forward; one that stopped (a suspended process, a peer that never reads, a dead link)
/// does not, and is cut off within this delay, its socket closed and its buffers freed.
/// Two seconds is far above any scheduling hiccup of a reader on a loaded machine.
pub const STALL: Duration = Duration::from_secs(2);

/// How long a client that is leaving, or being refused, has to take the last lines sent to
/// it (an `Erreur : …` line, the queue of a client that closed its side). After that the
/// socket is closed anyway (with a reset): a peer that does not read cannot keep a socket,
/// its buffers and its task alive. Also the bound on the flush at shutdown.
pub const CLOSE_GRACE: Duration = Duration::from_secs(1);

/// How long a closing server reads (and discards) what a client still sends after the
/// last line written to it, so that closing with unread input does not turn into a reset
/// that destroys that last line before the client reads it.
pub const DRAIN_ON_CLOSE: Duration = Duration::from_millis(500);

/// Bytes of console lines that may wait for stdout before new lines are dropped (and
/// counted). Bounded in bytes, not lines: a line can carry a 12 KB message.
pub const CONSOLE_BACKLOG: usize = 4 * 1024 * 1024;

/// Bytes a chat client may have waiting for a server that does not read them (typed or
/// piped lines). Past it the server counts as gone: it has stopped reading.
/// Generous: a user pasting a long text into a slow link must not be cut off.
pub const CLIENT_QUEUE_CAP: usize = 8 * 1024 * 1024;

/// IDs a bonus server remembers (bonus 2), the one unseen longest forgotten first. Each
/// costs about 200 bytes (with its place in the order): 64 Ki of them is 13 MB at most,
/// whatever a client reconnecting in a loop does.
pub const MAX_KNOWN_IDS: usize = 64 * 1024;

/// How long a bonus server that is shutting down waits for its clients' queues to be
/// written and their connections closed, after telling them it closes: the close grace
/// and the drain of each connection run in parallel, so this covers both with room.
pub const SHUTDOWN_BOUND: Duration = Duration::from_secs(3);

/// Widest picture (bonus 5), in characters per line: what a client draws at most, and what
/// a server relays at most.
pub const MAX_ART_WIDTH: usize = 200;

/// Most lines of a picture (bonus 5): more would push the conversation off everyone's
/// screen, which is a way to silence it.
pub const MAX_ART_LINES: usize = 100;
