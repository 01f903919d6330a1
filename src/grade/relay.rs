//! Reading a relayed message for what it means: who said what.
//!
//! Part II relays are `<pseudo> a dit : <msg>`, compared byte for byte. Bonus 1 dresses them
//! as `[HH:MM] ESC[<colour>m<pseudo>ESC[0m a dit : <msg>` (see
//! CONTRACT.md § Wire details of bonuses 1 to 3), and the Part II rules (the sender skipped, a stuck client delaying
//! nobody, …) keep holding on the dressed relays. So the checks compare relays through
//! [`meaning`]: strict for a Part II target, and for a styled one (bonus 1 on) with colour
//! sequences and a time in front left out, which are the dress and not the meaning. Whether the dress itself is right is bonus 1's own checks'
//! subject ([`sgr_sequences`], [`is_colour_only`]).

/// A relay read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relay<'a> {
    /// `HH:MM`, when a styled relay starts with `[HH:MM] `.
    pub time: Option<&'a str>,
    /// The SGR parameters of the sequence in front of the pseudo (`31`, `38;5;208`).
    pub colour: Option<&'a str>,
    /// Who said it.
    pub pseudo: &'a str,
    /// What was said.
    pub text: &'a str,
}

/// What separates the pseudo from the message.
pub const SAID: &str = " a dit : ";
/// The escape that starts an SGR sequence.
const CSI: &str = "\u{1b}[";

/// Reads `line` as a relay: `<pseudo> a dit : <msg>` exactly when not `styled`; when
/// `styled`, optionally preceded by `[HH:MM] ` and with the pseudo optionally wrapped in
/// `ESC[<params>m … ESC[0m` (or `ESC[m`). `None` when it is not a relay.
pub fn parse(line: &str, styled: bool) -> Option<Relay<'_>> {
    if !styled {
        let (pseudo, text) = line.split_once(SAID)?;
        return Some(Relay {
            time: None,
            colour: None,
            pseudo,
            text,
        });
    }
    let (time, rest) = match line.strip_prefix('[').and_then(|r| r.split_once("] ")) {
        Some((time, rest)) if is_hh_mm(time) => (Some(time), rest),
        _ => (None, line),
    };
    let (colour, pseudo, text) = match rest.strip_prefix(CSI) {
        Some(seq) => {
            let (params, after) = seq.split_once('m')?;
            let (pseudo, said) = after
                .split_once("\u{1b}[0m")
                .or_else(|| after.split_once("\u{1b}[m"))?;
            (Some(params), pseudo, said.strip_prefix(SAID)?)
        }
        None => {
            let (pseudo, text) = rest.split_once(SAID)?;
            (None, pseudo, text)
        }
    };
    Some(Relay {
        time,
        colour,
        pseudo,
        text,
    })
}

/// Who said what in `line`: exactly `<pseudo> a dit : <msg>` when not `styled`; when
/// `styled`, any colour sequences taken out first (around the pseudo, around the whole
/// line), then a time in front (`[HH:MM] `, `(HH:MM) `, `HH:MM `, `HH:MM - `) left out:
/// every way a course submission may dress a relay while still saying who said what. The
/// exact dress is [`parse`]'s, for bonus 1's robust check.
pub fn meaning(line: &str, styled: bool) -> Option<(String, String)> {
    if !styled {
        let r = parse(line, false)?;
        return Some((r.pseudo.to_string(), r.text.to_string()));
    }
    let plain = strip_sgr(line);
    let mut rest = plain.as_str();
    for (open, close) in [("[", "]"), ("(", ")"), ("", "")] {
        let time = rest
            .strip_prefix(open)
            .filter(|r| r.len() >= 5 && r.is_char_boundary(5) && is_hh_mm(&r[..5]))
            .and_then(|r| r[5..].strip_prefix(close));
        if let Some(after) = time {
            rest = after.trim_start_matches([' ', '-']);
            break;
        }
    }
    let (pseudo, text) = rest.split_once(SAID)?;
    Some((pseudo.to_string(), text.to_string()))
}

/// `HH:MM`, two digits each, a valid time of day.
pub fn is_hh_mm(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 5
        && b[2] == b':'
        && [0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit())
        && text[..2].parse::<u8>().is_ok_and(|h| h < 24)
        && text[3..].parse::<u8>().is_ok_and(|m| m < 60)
}

/// The parameters of every SGR sequence (`ESC[<params>m`) in `line`, in order.
pub fn sgr_sequences(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find(CSI) {
        let after = &rest[at + CSI.len()..];
        let end = after
            .find(|c: char| !(c.is_ascii_digit() || c == ';'))
            .unwrap_or(after.len());
        if after[end..].starts_with('m') {
            out.push(&after[..end]);
        }
        rest = &after[end..];
    }
    out
}

/// SGR parameters that set a colour and nothing else: a foreground or background of the 16
/// basic colours (`30`–`37`, `90`–`97`, `40`–`47`, `100`–`107`), a 256-colour index
/// (`38;5;N`, `48;5;N`) or an RGB colour (`38;2;R;G;B`, `48;2;R;G;B`), possibly several of
/// them, with bold (`1`) allowed as the old way of brightening a basic colour.
pub fn is_colour_only(params: &str) -> bool {
    let fields: Vec<&str> = params.split(';').collect();
    let mut i = 0;
    let byte = |s: &str| s.parse::<u8>().is_ok();
    let mut any = false;
    while i < fields.len() {
        let Ok(n) = fields[i].parse::<u16>() else {
            return false;
        };
        match n {
            1 | 30..=37 | 40..=47 | 90..=97 | 100..=107 => i += 1,
            38 | 48 => match fields.get(i + 1).copied() {
                Some("5") if fields.get(i + 2).is_some_and(|f| byte(f)) => i += 3,
                Some("2")
                    if fields.len() >= i + 5 && fields[i + 2..i + 5].iter().all(|f| byte(f)) =>
                {
                    i += 5
                }
                _ => return false,
            },
            _ => return false,
        }
        any |= n != 1;
    }
    any
}

/// `line` with every SGR sequence taken out.
pub fn strip_sgr(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find(CSI) {
        out.push_str(&rest[..at]);
        let after = &rest[at + CSI.len()..];
        let end = after
            .find(|c: char| !(c.is_ascii_digit() || c == ';'))
            .unwrap_or(after.len());
        rest = match after[end..].strip_prefix('m') {
            Some(tail) => tail,
            None => {
                out.push_str(CSI);
                after
            }
        };
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_ii_relay_is_read_strictly() {
        let r = parse("alice a dit : salut", false).unwrap();
        assert_eq!((r.pseudo, r.text, r.time), ("alice", "salut", None));
        let styled = "[12:03] \u{1b}[31malice\u{1b}[0m a dit : salut";
        assert_eq!(
            parse(styled, false).unwrap().pseudo,
            "[12:03] \u{1b}[31malice\u{1b}[0m"
        );
        assert_eq!(parse("Annonce : alice a rejoint la chatroom", false), None);
    }

    #[test]
    fn a_styled_relay_is_read_with_or_without_its_dress() {
        let r = parse(
            "[12:03] \u{1b}[38;5;208malice\u{1b}[0m a dit : a dit : x",
            true,
        )
        .unwrap();
        assert_eq!(
            r,
            Relay {
                time: Some("12:03"),
                colour: Some("38;5;208"),
                pseudo: "alice",
                text: "a dit : x"
            }
        );
        let bare = parse("alice a dit : x", true).unwrap();
        assert_eq!((bare.time, bare.colour, bare.pseudo), (None, None, "alice"));
        let no_time = parse("\u{1b}[92mbob\u{1b}[m a dit : y", true).unwrap();
        assert_eq!((no_time.colour, no_time.pseudo), (Some("92"), "bob"));
        assert_eq!(
            parse("[25:00] alice a dit : x", true).unwrap().pseudo,
            "[25:00] alice"
        );
    }

    #[test]
    fn the_meaning_of_a_relay_leaves_its_dress_out() {
        let said = |p: &str, t: &str| Some((p.to_string(), t.to_string()));
        for line in [
            "[12:03] \u{1b}[31malice\u{1b}[0m a dit : x",
            "\u{1b}[31m[12:03] alice a dit : x\u{1b}[0m",
            "12:03 - alice a dit : x",
            "(12:03) \u{1b}[1;92malice\u{1b}[m a dit : x",
            "alice a dit : x",
        ] {
            assert_eq!(meaning(line, true), said("alice", "x"), "{line:?}");
        }
        assert_eq!(
            meaning("[12:03] alice a dit : x", false),
            said("[12:03] alice", "x")
        );
        assert_eq!(meaning("Annonce : alice a rejoint la chatroom", true), None);
    }

    #[test]
    fn colours_are_told_from_other_sequences() {
        for ok in ["31", "92", "1;34", "38;5;208", "48;2;1;2;3", "31;44"] {
            assert!(is_colour_only(ok), "{ok}");
        }
        for bad in ["", "0", "1", "5;31", "38;5", "38;5;300", "2J", "31;4"] {
            assert!(!is_colour_only(bad), "{bad}");
        }
        let line = "x\u{1b}[31ma\u{1b}[0m b \u{1b}[2J";
        assert_eq!(sgr_sequences(line), ["31", "0"]);
        assert_eq!(strip_sgr(line), "xa b \u{1b}[2J");
    }
}
