//! The hub: every member of the room and what can happen to them.
//!
//! Part II's registry only knew queues; the hub owns each member's metadata (pseudo, colour,
//! ID) and offers operations that mean something: [`Hub::join`], [`Hub::say`],
//! [`Hub::leave`], [`Hub::shutdown`]. Each runs under one `std::sync::Mutex`, never held
//! across an `.await`, so "check the pseudo, take a colour, enter the room, tell the
//! newcomer its ID, announce it" is one atomic step: nobody can hear a message from a
//! member whose join they have not heard yet, and a leave is announced once. No socket is
//! touched here: messages go into the members' [`Outbox`]es, which never wait.
//!
//! A message is rendered and encoded once and its bytes shared by every recipient.

use super::Config;
use super::ids::{self, Known};
use super::palette::{Palette, Taken};
use crate::chat::handshake::{self, HandshakeError};
use crate::chat::outbox::{Outbox, Push};
use crate::protocol::{Codec, Colour, Event};
use bytes::Bytes;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

/// Identifies a member for as long as it is in the room.
pub type MemberId = u64;

/// The room's members and the rules of the stage.
pub struct Hub {
    /// What this stage does (colours, time, IDs); fixed for the server's life.
    config: Config,
    /// Everything that changes; locked briefly, never across an await.
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Members in the room.
    members: HashMap<MemberId, Member>,
    /// The next member's number.
    next: MemberId,
    /// IDs given, with their user's pseudo (bonus 2).
    known: Known,
    /// Colours in use (bonus 1).
    palette: Palette,
    /// The server is shutting down: nobody joins, nobody is announced.
    closed: bool,
}

struct Member {
    /// Shown to the others in debug logs.
    pseudo: Arc<str>,
    /// Given back when the member leaves.
    colour: Option<Taken>,
    /// The member's queue.
    outbox: Outbox,
    /// The user's ID (bonus 2): one connection per ID at a time.
    user: Option<String>,
}

/// A member's own view of itself, held by its session: what it needs to speak and leave
/// without asking the hub.
#[derive(Debug, Clone)]
pub struct Seat {
    /// Its number in the hub.
    pub id: MemberId,
    /// Its pseudo.
    pub pseudo: Arc<str>,
    /// Its colour (bonus 1).
    pub colour: Option<Colour>,
    /// It came back with a known ID (bonus 2).
    pub returning: bool,
}

/// Why a join was refused; `Display` is the French reason sent after `Erreur : `.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The handshake is not valid (first message, pseudo).
    #[error(transparent)]
    Handshake(#[from] HandshakeError),
    /// The server is shutting down.
    #[error("le serveur ferme la chatroom")]
    Closing,
    /// A known ID whose user is connected already (bonus 2): two sessions cannot be one
    /// user, and "est de retour" would be false.
    #[error("cet utilisateur est déjà connecté")]
    AlreadyHere,
}

impl Hub {
    /// An empty room with the stage's rules.
    pub fn new(config: Config) -> Hub {
        Hub {
            config,
            state: Mutex::new(State::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The stage's rules.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The bytes of `event` in this server's codec.
    pub fn frame(&self, event: &Event) -> Bytes {
        self.config.codec.event(event)
    }

    /// Lets a client in with the pseudo (and, from bonus 2, the ID) of its handshake, in one
    /// step: validate, take a colour, enter, tell the newcomer its ID (or welcome it back),
    /// announce it. Returns its seat, or why it was refused.
    pub fn join(
        &self,
        pseudo: &str,
        id: Option<&str>,
        outbox: Outbox,
        addr: SocketAddr,
    ) -> Result<Seat, Refusal> {
        let pseudo: Arc<str> = match (id, self.config.ids) {
            // Before bonus 2 a second `|` is part of the pseudo, which refuses it.
            (Some(id), false) => handshake::validate_pseudo(&format!("{pseudo}|{id}"))?,
            _ => handshake::validate_pseudo(pseudo)?,
        }
        .into();
        let mut state = self.lock();
        if state.closed {
            return Err(Refusal::Closing);
        }
        let returning = self.config.ids
            && id.is_some_and(|id| ids::is_well_formed(id) && state.known.get(id).is_some());
        if returning && state.members.values().any(|m| m.user.as_deref() == id) {
            return Err(Refusal::AlreadyHere);
        }
        let mut to_newcomer = None;
        let mut user = None;
        if self.config.ids {
            match id {
                Some(id) if returning => {
                    state.known.remember(id, pseudo.clone());
                    to_newcomer = Some(Event::WelcomeBack(pseudo.to_string()));
                    user = Some(id.to_string());
                }
                _ => match ids::fresh() {
                    Some(id) => {
                        state.known.remember(&id, pseudo.clone());
                        user = Some(id.clone());
                        to_newcomer = Some(Event::Id(id));
                    }
                    None => tracing::warn!("no ID for {addr}: the system's random source failed"),
                },
            }
        }
        let taken = self
            .config
            .style
            .as_ref()
            .and_then(|_| state.palette.take());
        let member_id = state.next;
        state.next += 1;
        if let Some(event) = &to_newcomer {
            outbox.push(self.frame(event));
        }
        state.members.insert(
            member_id,
            Member {
                pseudo: pseudo.clone(),
                colour: taken.as_ref().map(|(t, _)| *t),
                outbox,
                user,
            },
        );
        if returning {
            let back = self.frame(&Event::Back(pseudo.to_string()));
            push_all(&state, back, Some(member_id));
        } else {
            push_all(&state, self.frame(&Event::Joined(pseudo.to_string())), None);
        }
        Ok(Seat {
            id: member_id,
            pseudo,
            colour: taken.map(|(_, c)| c),
            returning,
        })
    }

    /// Relays what `seat` said to every other member, stamped and coloured as the stage
    /// says; returns how many queued it.
    pub fn say(&self, seat: &Seat, text: &str) -> usize {
        let (time, pseudo, colour) = self.signature(seat);
        let text = text.to_string();
        self.relay(
            seat,
            &Event::Said {
                time,
                pseudo,
                colour,
                text,
            },
        )
    }

    /// Relays the picture `seat` sent (bonus 5) to every other member, like a message;
    /// returns how many queued it.
    pub fn show_image(&self, seat: &Seat, art: &str) -> usize {
        let (time, pseudo, colour) = self.signature(seat);
        let art = art.to_string();
        self.relay(
            seat,
            &Event::Image {
                time,
                pseudo,
                colour,
                art,
            },
        )
    }

    /// Who sent something, and when, as the stage shows it.
    fn signature(&self, seat: &Seat) -> (Option<String>, String, Option<Colour>) {
        let time = self
            .config
            .style
            .as_ref()
            .map(|style| crate::clock::hh_mm(&style.clock.now()));
        (time, seat.pseudo.to_string(), seat.colour.clone())
    }

    /// Encodes `event` once, outside the lock, and queues it for everyone but its author.
    fn relay(&self, seat: &Seat, event: &Event) -> usize {
        let frame = self.frame(event);
        push_all(&self.lock(), frame, Some(seat.id))
    }

    /// Takes `seat` out of the room and tells the others, once (unless the server is
    /// shutting down: everyone has been told that already). False if it was not in the
    /// room any more.
    pub fn leave(&self, seat: &Seat) -> bool {
        let mut state = self.lock();
        let Some(member) = state.members.remove(&seat.id) else {
            return false;
        };
        if let Some(taken) = member.colour {
            state.palette.give_back(taken);
        }
        if !state.closed {
            let left = self.frame(&Event::Left(seat.pseudo.to_string()));
            push_all(&state, left, None);
        }
        true
    }

    /// Closes the room: nobody joins any more, every member is told that the server
    /// closes, after everything already queued for it, and its queue is closed (its
    /// writer flushes it within the close grace).
    pub fn shutdown(&self) {
        let closing = self.frame(&Event::Closing);
        let mut state = self.lock();
        state.closed = true;
        for member in state.members.values() {
            member.outbox.push(closing.clone());
            member.outbox.close();
        }
    }

    /// Members in the room.
    pub fn len(&self) -> usize {
        self.lock().members.len()
    }

    /// True when the room is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How this server puts events on the wire.
    pub fn codec(&self) -> Codec {
        self.config.codec
    }
}

/// Queues `frame` for every member but `except`; returns how many took it.
fn push_all(state: &State, frame: Bytes, except: Option<MemberId>) -> usize {
    let mut queued = 0;
    for (&id, member) in &state.members {
        if Some(id) == except {
            continue;
        }
        if member.outbox.push(frame.clone()) == Push::Queued {
            queued += 1;
            tracing::debug!("sent to {}", member.pseudo);
        }
    }
    queued
}
