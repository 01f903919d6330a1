//! Untrusted text made safe to print on a terminal: nobody's terminal is anyone else's.
//!
//! A terminal obeys the bytes it is given: an escape sequence in a chat message could erase
//! a line and print a forged one (`ESC[2K` + `Annonce : alice a quitté la chatroom`), move
//! the cursor over someone's earlier words, set the window title, write the clipboard (OSC
//! 52), hide text or clear the screen; backspaces and carriage returns rewrite what is
//! already shown; a right-to-left override makes text read backwards. So every program of
//! this project prints text that came from the network through [`visible`]: each control
//! character (C0 but tab, DEL, C1) is shown in caret or `\u{…}` form, never sent, and so is
//! each bidirectional control. The text stays readable and an attack stays visible for what
//! it is.

use std::borrow::Cow;
use std::fmt::Write;

/// `text` with every character that could control a terminal shown visibly:
/// C0 controls (but tab) and DEL in caret notation (`^[` for ESC, `^M` for `\r`, `^?` for
/// DEL, `^@` for NUL), C1 controls and bidirectional controls as `\u{9b}`, `\u{202e}`.
/// Borrows when there is nothing to change, which is almost always.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if !needs_escape(c) => out.push(c),
            '\u{7f}' => out.push_str("^?"),
            c if (c as u32) < 0x20 => {
                out.push('^');
                out.push(char::from(c as u8 ^ 0x40));
            }
            c => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
        }
    }
    Cow::Owned(out)
}

/// True for the characters [`visible`] rewrites.
fn needs_escape(c: char) -> bool {
    match c {
        '\t' => false,
        '\0'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        _ => is_bidi_control(c),
    }
}

/// The invisible characters that reorder text: marks, embeddings, overrides, isolates.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        let text = "Zoé a dit : ça va ?\tbien";
        assert!(matches!(visible(text), Cow::Borrowed(t) if t == text));
    }

    #[test]
    fn every_attack_is_shown_not_obeyed() {
        let cases = [
            (
                "\u{1b}[2K\u{1b}[1GAnnonce : alice a quitté la chatroom",
                "^[[2K^[[1GAnnonce : alice a quitté la chatroom",
            ),
            ("\u{8}\u{8}\u{8}x", "^H^H^Hx"),
            ("a\rb\nc", "a^Mb^Jc"),
            ("\u{1b}]0;pwned\u{7}", "^[]0;pwned^G"),
            ("\u{1b}]52;c;ZXZpbA==\u{7}", "^[]52;c;ZXZpbA==^G"),
            ("\u{1b}[2J\u{1b}[8mhidden", "^[[2J^[[8mhidden"),
            ("\u{9b}2J", "\\u{9b}2J"),
            ("abc\u{202e}fed", "abc\\u{202e}fed"),
            ("nul\0del\u{7f}", "nul^@del^?"),
            ("\u{2066}x\u{2069}", "\\u{2066}x\\u{2069}"),
        ];
        for (attack, shown) in cases {
            assert_eq!(visible(attack), shown, "for {attack:?}");
        }
    }

    #[test]
    fn nothing_that_controls_a_terminal_survives() {
        // Every char of the first planes, one by one: the output never holds a control.
        for c in (0u32..0x3000).filter_map(char::from_u32) {
            let shown = visible(c.encode_utf8(&mut [0; 4])).into_owned();
            assert!(
                shown.chars().all(|s| s == '\t' || !needs_escape(s)),
                "{c:?} shown as {shown:?}"
            );
        }
    }
}
