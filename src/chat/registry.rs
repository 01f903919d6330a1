//! Every connected client, and the broadcast that never waits.
//!
//! The registry maps a client id to its [`Outbox`]. Broadcasting encodes the message once
//! (one shared [`Bytes`], so 500 recipients cost 500 reference counts, not 500 copies) and
//! pushes it to each queue under a `std::sync::Mutex` that is never held across an
//! `.await`: no recipient's socket is touched here, so a client that stopped reading cannot
//! delay anyone. A recipient whose queue overflows is cut off; its own task sees it (through
//! [`Connection::next`](super::connection::Connection::next)), says why and leaves.

use super::outbox::{Outbox, Push};
use super::wire::{self, Wire};
use bytes::Bytes;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

/// Identifies a client for as long as it is registered.
pub type ClientId = u64;

/// The set of registered clients.
pub struct Registry {
    /// How messages are framed for every client of this server.
    wire: Wire,
    /// Registered clients; locked briefly, never across an await.
    clients: Mutex<Clients>,
}

#[derive(Default)]
struct Clients {
    next_id: ClientId,
    by_id: HashMap<ClientId, Outbox>,
}

impl Registry {
    /// An empty registry for a server speaking `wire`.
    pub fn new(wire: Wire) -> Self {
        Registry {
            wire,
            clients: Mutex::new(Clients::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Clients> {
        self.clients.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a client's queue; from now on it receives broadcasts.
    pub fn insert(&self, outbox: Outbox) -> ClientId {
        let mut clients = self.lock();
        let id = clients.next_id;
        clients.next_id += 1;
        clients.by_id.insert(id, outbox);
        id
    }

    /// Removes a client; true if it was registered.
    pub fn remove(&self, id: ClientId) -> bool {
        self.lock().by_id.remove(&id).is_some()
    }

    /// Number of registered clients.
    pub fn len(&self) -> usize {
        self.lock().by_id.len()
    }

    /// True when nobody is registered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sends `text` to every registered client except `except`; returns how many queued it.
    pub fn broadcast(&self, text: &str, except: Option<ClientId>) -> usize {
        self.broadcast_frame(wire::encode(self.wire, text), except)
    }

    /// Sends an already encoded frame to every registered client except `except`.
    pub fn broadcast_frame(&self, frame: Bytes, except: Option<ClientId>) -> usize {
        let clients = self.lock();
        let recipients = clients.by_id.iter().filter(|&(&id, _)| Some(id) != except);
        recipients
            .filter(|(_, outbox)| outbox.push(frame.clone()) == Push::Queued)
            .count()
    }
}

#[cfg(test)]
mod tests;
