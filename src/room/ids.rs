//! The IDs of bonus 2: how a returning user is recognised.
//!
//! An ID is 128 random bits from the operating system's CSPRNG, written as 32 lowercase hex
//! digits: unguessable, so nobody can come back as someone else. The server remembers the
//! pseudo of each ID it gave, a bounded number of them (the one unseen longest forgotten
//! first): a client that reconnects in a loop must not grow the server's memory without
//! end, and a user who keeps coming back is not forgotten because of it.

use crate::chat::limits::MAX_KNOWN_IDS;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

/// Hex digits in an ID.
pub const ID_LEN: usize = 32;

/// A new ID. `None` only if the system's random source fails, which the caller reports.
pub fn fresh() -> Option<String> {
    let mut bytes = [0u8; ID_LEN / 2];
    getrandom::fill(&mut bytes).ok()?;
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Whether `id` has the shape of an ID this server gives (anything else is a new user).
pub fn is_well_formed(id: &str) -> bool {
    id.len() == ID_LEN && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The IDs given so far and the pseudo each user had last.
#[derive(Default)]
pub struct Known {
    /// ID to its user's pseudo, and when it was last seen (a counter).
    pseudos: HashMap<String, (Arc<str>, u64)>,
    /// IDs in the order they were last seen, to forget the one unseen longest first. An
    /// ID seen again is pushed again; its older entry is stale (its counter no longer
    /// matches) and skipped when it comes out.
    order: VecDeque<(String, u64)>,
    /// Counts the times IDs were seen.
    seen: u64,
}

impl Known {
    /// The pseudo of a known ID.
    pub fn get(&self, id: &str) -> Option<&Arc<str>> {
        self.pseudos.get(id).map(|(pseudo, _)| pseudo)
    }

    /// Remembers `id` (new, or a returning user's under a possibly new pseudo) as seen now:
    /// a user who keeps coming back is never forgotten because others keep arriving.
    pub fn remember(&mut self, id: &str, pseudo: Arc<str>) {
        self.seen += 1;
        self.pseudos.insert(id.to_string(), (pseudo, self.seen));
        self.order.push_back((id.to_string(), self.seen));
        while self.pseudos.len() > MAX_KNOWN_IDS {
            let Some((oldest, when)) = self.order.pop_front() else {
                break;
            };
            if self
                .pseudos
                .get(&oldest)
                .is_some_and(|(_, last)| *last == when)
            {
                self.pseudos.remove(&oldest);
            }
        }
        // Stale entries are bounded too: at most as many as the live ones.
        if self.order.len() > 2 * MAX_KNOWN_IDS {
            let pseudos = &self.pseudos;
            self.order
                .retain(|(id, when)| pseudos.get(id).is_some_and(|(_, last)| last == when));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_32_hex_digits_and_differ() {
        let a = fresh().expect("random");
        let b = fresh().expect("random");
        assert!(is_well_formed(&a) && is_well_formed(&b), "{a} {b}");
        assert_ne!(a, b);
        for bad in ["", "xyz", &a[1..], &a.to_uppercase(), &format!("{a}0")] {
            assert!(!is_well_formed(bad), "{bad}");
        }
    }

    #[test]
    fn the_ids_unseen_longest_are_forgotten_past_the_bound() {
        let mut known = Known::default();
        let ids: Vec<String> = (0..MAX_KNOWN_IDS + 2)
            .map(|i| format!("{i:032x}"))
            .collect();
        for id in &ids {
            known.remember(id, Arc::from("p"));
        }
        assert!(known.get(&ids[0]).is_none() && known.get(&ids[1]).is_none());
        assert!(known.get(&ids[2]).is_some() && known.get(ids.last().unwrap()).is_some());
        // Coming back under a new name does not count as a new ID.
        known.remember(&ids[2], Arc::from("q"));
        assert_eq!(known.get(&ids[2]).map(|p| &**p), Some("q"));
        assert_eq!(known.pseudos.len(), MAX_KNOWN_IDS);
    }

    #[test]
    fn a_user_who_comes_back_survives_a_flood_of_newcomers() {
        let mut known = Known::default();
        let alice = "a".repeat(32);
        known.remember(&alice, Arc::from("alice"));
        // A flood of new users, alice coming back now and then: she stays known.
        for round in 0..3 {
            for i in 0..MAX_KNOWN_IDS {
                known.remember(&format!("{round}{i:031x}"), Arc::from("x"));
                if i % 1000 == 0 {
                    // Still known when she comes back, however many came in between.
                    assert!(known.get(&alice).is_some(), "round {round}, newcomer {i}");
                    known.remember(&alice, Arc::from("alice"));
                }
            }
        }
        assert_eq!(known.get(&alice).map(|p| &**p), Some("alice"));
        assert_eq!(known.pseudos.len(), MAX_KNOWN_IDS);
        assert!(known.order.len() <= 2 * MAX_KNOWN_IDS);
    }
}
