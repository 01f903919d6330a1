//! The IDs of bonus 2: how a returning user is recognised.
//!
//! An ID is 128 random bits from the operating system's CSPRNG, written as 32 lowercase hex
//! digits: unguessable, so nobody can come back as someone else. The server remembers the
//! pseudo of each ID it gave, a bounded number of them (oldest forgotten first): a client
//! that reconnects in a loop must not grow the server's memory without end.

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
    /// ID to pseudo.
    pseudos: HashMap<String, Arc<str>>,
    /// IDs in the order they were given, to forget the oldest first.
    order: VecDeque<String>,
}

impl Known {
    /// The pseudo of a known ID.
    pub fn get(&self, id: &str) -> Option<&Arc<str>> {
        self.pseudos.get(id)
    }

    /// Remembers `id` (new, or a returning user's under a possibly new pseudo).
    pub fn remember(&mut self, id: &str, pseudo: Arc<str>) {
        if self.pseudos.insert(id.to_string(), pseudo).is_none() {
            self.order.push_back(id.to_string());
            while self.order.len() > MAX_KNOWN_IDS {
                if let Some(oldest) = self.order.pop_front() {
                    self.pseudos.remove(&oldest);
                }
            }
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
    fn the_oldest_ids_are_forgotten_past_the_bound() {
        let mut known = Known::default();
        let ids: Vec<String> = (0..MAX_KNOWN_IDS + 2).map(|i| format!("{i:032x}")).collect();
        for id in &ids {
            known.remember(id, Arc::from("p"));
        }
        assert!(known.get(&ids[0]).is_none() && known.get(&ids[1]).is_none());
        assert!(known.get(&ids[2]).is_some() && known.get(ids.last().unwrap()).is_some());
        // Coming back under a new name does not count as a new ID.
        known.remember(&ids[2], Arc::from("q"));
        assert_eq!(known.get(&ids[2]).map(|p| &**p), Some("q"));
        assert_eq!(known.order.len(), MAX_KNOWN_IDS);
    }
}
