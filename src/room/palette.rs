//! The colours of bonus 1: one per member, distinct among those connected while possible.
//!
//! Sixteen foreground colours readable on dark and light backgrounds (no black, no white).
//! A newcomer gets the colour fewest connected members have, the first of the palette on a
//! tie: distinct until sixteen members, then spread evenly.

use crate::protocol::Colour;

/// The SGR parameters of each colour.
const PALETTE: [&str; 16] = [
    "31", "32", "33", "34", "35", "36", "91", "92", "93", "94", "95", "96", "38;5;208",
    "38;5;141", "38;5;43", "38;5;214",
];

/// The colours, and how many connected members have each.
pub struct Palette {
    /// The colours of [`PALETTE`].
    colours: Vec<Colour>,
    /// Members having each colour.
    in_use: Vec<u32>,
}

impl Default for Palette {
    fn default() -> Self {
        let colours: Vec<Colour> = PALETTE.iter().filter_map(|p| Colour::parse(p)).collect();
        Palette {
            in_use: vec![0; colours.len()],
            colours,
        }
    }
}

/// A colour taken from the palette, to give back when its member leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Taken(usize);

impl Palette {
    /// The least used colour, now counted as used once more.
    pub fn take(&mut self) -> Option<(Taken, Colour)> {
        let (index, _) = self
            .in_use
            .iter()
            .enumerate()
            .min_by_key(|&(i, n)| (*n, i))?;
        self.in_use[index] += 1;
        Some((Taken(index), self.colours[index].clone()))
    }

    /// Gives a colour back.
    pub fn give_back(&mut self, taken: Taken) {
        if let Some(n) = self.in_use.get_mut(taken.0) {
            *n = n.saturating_sub(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_is_a_colour() {
        for entry in PALETTE {
            assert!(Colour::parse(entry).is_some(), "{entry}");
        }
    }

    #[test]
    fn colours_are_distinct_while_possible_then_spread() {
        let mut palette = Palette::default();
        let first: Vec<_> = (0..PALETTE.len()).map(|_| palette.take().unwrap()).collect();
        let distinct: std::collections::HashSet<_> = first.iter().map(|(_, c)| c).collect();
        assert_eq!(distinct.len(), PALETTE.len());
        // The 17th shares; when someone leaves, the next newcomer gets that colour.
        let (_, shared) = palette.take().unwrap();
        assert_eq!(shared, first[0].1);
        palette.give_back(first[5].0);
        assert_eq!(palette.take().unwrap().1, first[5].1);
    }
}
