//! How the bonus client shows each event: the course's French sentences, with the colours
//! the server sent when the terminal should have them, and nothing a peer wrote reaching the
//! terminal as an escape sequence.
//!
//! Every part that came from the network goes through [`visible`]; the only escape
//! sequences in the result are the ones added here: a colour that parsed as a
//! [`Colour`](crate::protocol::Colour) around the pseudo of a relay, always followed by its
//! reset.

use crate::chat::limits::{MAX_ART_LINES, MAX_ART_WIDTH};
use crate::protocol::{Event, french};
use crate::visible::visible;
use std::io::IsTerminal;

/// The line shown for `event`, coloured or not: the server's own text for it, with every
/// part from the network made visible and the colour kept only when wanted.
pub fn render(event: &Event, colours: bool) -> String {
    match event {
        Event::Said {
            time,
            pseudo,
            colour,
            text,
        } => french::render(&Event::Said {
            time: time.as_deref().map(|t| visible(t).into_owned()),
            pseudo: visible(pseudo).into_owned(),
            colour: colour.clone().filter(|_| colours),
            text: visible(text).into_owned(),
        }),
        Event::Image {
            time,
            pseudo,
            colour,
            art,
        } => {
            // The heading, then the picture line by line: each line made visible on its
            // own, so the picture keeps its line breaks and nothing else.
            let mut shown = french::render(&Event::Image {
                time: time.as_deref().map(|t| visible(t).into_owned()),
                pseudo: visible(pseudo).into_owned(),
                colour: colour.clone().filter(|_| colours),
                art: String::new(),
            });
            shown.push_str(&picture(art));
            shown
        }
        other => visible(&french::render(other)).into_owned(),
    }
}

/// What the user sees of a picture they sent (bonus 5).
pub fn own_image(art: &str) -> String {
    format!("Vous avez envoyé une image :\n{}", picture(art))
}

/// A picture's lines, each made visible, and never more than a picture may be (a hostile
/// server could send any text): at most [`MAX_ART_LINES`] lines of [`MAX_ART_WIDTH`]
/// characters.
fn picture(art: &str) -> String {
    let lines: Vec<String> = art
        .split('\n')
        .take(MAX_ART_LINES)
        .map(|line| visible(&line.chars().take(MAX_ART_WIDTH).collect::<String>()).into_owned())
        .collect();
    lines.join("\n")
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
        assert!(
            shown.ends_with("a dit : ^[[2J^[]0;pwned^G\\u{202e}x"),
            "{shown:?}"
        );
        let other = render(&Event::Other("\x1b[31mfake\x1b[0m".into()), true);
        assert!(!other.contains('\x1b'), "{other:?}");
        assert_eq!(own("\x1b[2J"), "Vous avez dit : ^[[2J");
        let image = Event::Image {
            time: None,
            pseudo: "bob".into(),
            colour: Colour::parse("32"),
            art: "@@\n\x1b[2J@".into(),
        };
        assert_eq!(
            render(&image, false),
            "bob a envoyé une image :\n@@\n^[[2J@"
        );
        let flood = Event::Image {
            time: None,
            pseudo: "eve".into(),
            colour: None,
            art: format!("{}\n", "#".repeat(500)).repeat(1000),
        };
        let shown = render(&flood, false);
        assert_eq!(shown.lines().count(), 1 + MAX_ART_LINES);
        assert!(shown.lines().all(|l| l.chars().count() <= MAX_ART_WIDTH));
    }
}
