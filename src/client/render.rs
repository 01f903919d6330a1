//! How the bonus client shows each event: the course's French sentences, with the colours
//! the server sent when the terminal should have them, and nothing a peer wrote reaching the
//! terminal as an escape sequence.
//!
//! Every part that came from the network goes through [`visible`]; the only escape
//! sequences in the result are the ones added here: a colour that parsed as a
//! [`Colour`](crate::protocol::Colour) around the pseudo of a relay, always followed by its
//! reset.

use crate::protocol::{Event, RESET, french};
use crate::visible::visible;
use std::io::IsTerminal;

/// The line shown for `event`, coloured or not.
pub fn render(event: &Event, colours: bool) -> String {
    match event {
        Event::Said {
            time,
            pseudo,
            colour,
            text,
        } => {
            let mut out = String::new();
            if let Some(time) = time {
                out.push_str(&format!("[{}] ", visible(time)));
            }
            match colour {
                Some(colour) if colours => {
                    out.push_str(&format!("\x1b[{colour}m{}{RESET}", visible(pseudo)));
                }
                _ => out.push_str(&visible(pseudo)),
            }
            out.push_str(" a dit : ");
            out.push_str(&visible(text));
            out
        }
        other => visible(&french::render(other)).into_owned(),
    }
}

/// What the user sees of their own message (bonus 1): the server does not echo it.
pub fn own(text: &str) -> String {
    format!("Vous avez dit : {}", visible(text))
}

/// Colours are for a terminal, and not for a user who set `NO_COLOR` (no-color.org).
pub fn colours_wanted() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    std::io::stdout().is_terminal() && !no_color
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Colour;

    fn said(text: &str, pseudo: &str) -> Event {
        Event::Said {
            time: Some("09:05".into()),
            pseudo: pseudo.into(),
            colour: Colour::parse("38;5;208"),
            text: text.into(),
        }
    }

    #[test]
    fn a_relay_is_coloured_only_when_wanted() {
        let event = said("salut", "alice");
        assert_eq!(
            render(&event, true),
            "[09:05] \x1b[38;5;208malice\x1b[0m a dit : salut"
        );
        assert_eq!(render(&event, false), "[09:05] alice a dit : salut");
    }

    #[test]
    fn escapes_from_peers_never_reach_the_terminal() {
        let event = said("\x1b[2J\x1b]0;pwned\x07\u{202e}x", "a\x1bb");
        let shown = render(&event, true);
        // The only ESC bytes are the colour and its reset.
        assert_eq!(shown.matches('\x1b').count(), 2, "{shown:?}");
        assert!(shown.ends_with("a dit : ^[[2J^[]0;pwned^G\\u{202e}x"), "{shown:?}");
        let other = render(&Event::Other("\x1b[31mfake\x1b[0m".into()), true);
        assert!(!other.contains('\x1b'), "{other:?}");
        assert_eq!(own("\x1b[2J"), "Vous avez dit : ^[[2J");
    }
}
