//! The ports `grade` gives the programs it starts (`{port}`), never the same to two checks
//! running at once, even in two `grade` processes.
//!
//! A port that is free when tested is not yet bound by the server started on it: given
//! twice in that instant, the second server would fail to listen ("address already in use")
//! while its check found the first one listening and talked to a stranger. So ports are
//! never drawn at random:
//!
//! - they come from 20000-31999, below the systems' ephemeral ranges (Linux 32768-60999,
//!   macOS and Windows 49152-65535), where the system never hands one to a client socket
//!   of its own accord;
//! - that span is cut into [`BLOCKS`] blocks of [`BLOCK`] ports, and a process claims a
//!   block by locking a file of its own in the system's temporary directory
//!   (`tp6-grade-ports/<block>.lock`); the lock goes with the process, however it ends, so
//!   a block is never held by a process that is gone. Two `grade` processes (a class
//!   graded in parallel, the test suite's concurrent runs) thus never share a block;
//! - within its blocks a process hands ports out in turn, a port again only after every
//!   other one of its blocks, and claims another block (up to [`MAX_BLOCKS`]) when its
//!   ports run out; each port is still tested free before it is given, for the other
//!   programs of the machine.
//!
//! Where no block can be locked (no temporary directory, every block held), ports are
//! handed out in turn from a random start, which keeps one process's checks apart.

use super::Failure;
use std::fs::File;
use std::sync::{Mutex, PoisonError};

/// The first port of the span.
const FIRST: u16 = 20_000;
/// Ports in a block.
pub const BLOCK: u16 = 200;
/// Blocks in the span (20000-31999).
pub const BLOCKS: u16 = 60;
/// Blocks one process holds at most; then it hands out its own ports again, in turn.
pub const MAX_BLOCKS: usize = 4;

/// What this process holds: its blocks (each with its lock) and where its turn is.
struct Claims {
    /// The first port of each block, with the lock that claims it (`None` in the fallback).
    blocks: Vec<(u16, Option<File>)>,
    /// Where the next port is among the blocks' ports, in order: always below their count.
    turn: usize,
}

static CLAIMS: Mutex<Claims> = Mutex::new(Claims {
    blocks: Vec::new(),
    turn: 0,
});

/// A port nobody listens on now and that no other check running (in this process or in
/// another `grade`) has been given, for a program started with `{port}`.
pub fn free_port() -> Result<u16, Failure> {
    let mut claims = CLAIMS.lock().unwrap_or_else(PoisonError::into_inner);
    let block = usize::from(BLOCK);
    for _ in 0..(2 * MAX_BLOCKS * block) {
        // At the end of a round of the ports held: a new block if one can be had (its
        // first port is next), else the same ports again.
        if claims.turn == 0 || claims.turn == claims.blocks.len() * block {
            let fresh = if claims.blocks.len() < MAX_BLOCKS {
                claim_block(&claims.blocks)?
            } else {
                None
            };
            match fresh {
                Some(claimed) => {
                    claims.turn = claims.blocks.len() * block;
                    claims.blocks.push(claimed);
                }
                None if claims.blocks.is_empty() => claims.blocks.push((random_start()?, None)),
                None => claims.turn = 0,
            }
        }
        let at = claims.turn;
        claims.turn += 1;
        let port = claims.blocks[at / block].0 + u16::try_from(at % block).unwrap_or(0);
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return Ok(port);
        }
    }
    // Every port held is taken by other programs: let the system choose.
    let probe = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(probe.local_addr()?.port())
}

/// Locks a block no process holds, trying them in turn from a random one; `None` when
/// every block is held or locks cannot be taken here.
fn claim_block(held: &[(u16, Option<File>)]) -> Result<Option<(u16, Option<File>)>, Failure> {
    let dir = std::env::temp_dir().join("tp6-grade-ports");
    if std::fs::create_dir_all(&dir).is_err() {
        return Ok(None);
    }
    // Shared by every user of the machine, like the ports (sticky, as /tmp is); only its
    // owner can set that, and for the others it is already so.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o1777));
    }
    let start = random_below(BLOCKS)?;
    for i in 0..BLOCKS {
        let block = (start + i) % BLOCKS;
        let first = FIRST + block * BLOCK;
        if held.iter().any(|(f, _)| *f == first) {
            continue;
        }
        // Never removed: deleting a lock file while another process opens it would let
        // two processes lock two different files of the same name. Another user's file is
        // opened to read: a lock needs no more.
        let path = dir.join(format!("{block}.lock"));
        let mut create = File::options();
        create.create(true).truncate(false).write(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut create, 0o666);
        let Ok(file) = create.open(&path).or_else(|_| File::open(&path)) else {
            continue;
        };
        if file.try_lock().is_ok() {
            return Ok(Some((first, Some(file))));
        }
    }
    Ok(None)
}

/// A random block of the span, unlocked (the fallback): a block, so that it never overlaps
/// one this process claims later.
fn random_start() -> Result<u16, Failure> {
    Ok(FIRST + random_below(BLOCKS)? * BLOCK)
}

fn random_below(n: u16) -> Result<u16, Failure> {
    let mut seed = [0u8; 2];
    getrandom::fill(&mut seed).map_err(|e| Failure::Fail(format!("no random port: {e}")))?;
    Ok(u16::from_le_bytes(seed) % n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_running_at_once_never_get_the_same_port() {
        // Nothing binds them in between: only the order they are handed out in keeps them
        // apart (a random pick gave one twice among a test binary's servers).
        let ports: Vec<u16> = (0..500).map(|_| free_port().expect("a port")).collect();
        let distinct: std::collections::HashSet<_> = ports.iter().collect();
        assert_eq!(distinct.len(), ports.len());
        assert!(
            ports
                .iter()
                .all(|p| (FIRST..FIRST + BLOCKS * BLOCK).contains(p)),
            "{ports:?}"
        );
    }

    #[test]
    fn another_process_cannot_claim_a_block_this_one_holds() {
        free_port().expect("a port");
        let claims = CLAIMS.lock().unwrap_or_else(PoisonError::into_inner);
        let dir = std::env::temp_dir().join("tp6-grade-ports");
        let mut locked = 0;
        for (first, lock) in &claims.blocks {
            if lock.is_none() {
                continue;
            }
            // A lock is held by an open file, not by a process id: another open file of
            // the same name stands for another process.
            let block = (first - FIRST) / BLOCK;
            let other = File::open(dir.join(format!("{block}.lock"))).expect("its lock file");
            assert!(
                other.try_lock().is_err(),
                "block {block} could be claimed twice"
            );
            locked += 1;
        }
        assert!(locked > 0, "no block was locked here");
    }
}
