//! The course's French sentences: each [`Event`] and [`Request`] as the text of one
//! message, and back.
//!
//! This is the only place where the wire strings of the bonus stages are written; the
//! codecs, the server, the client and the benchmark go through it. (`grade` keeps its own
//! copy of the strings it expects: a check must not import what it checks.)
//!
//! | event | text |
//! |---|---|
//! | said | `[HH:MM] ESC[<colour>m<pseudo>ESC[0m a dit : <msg>` (bonus 1), `<pseudo> a dit : <msg>` without time and colour |
//! | joined | `Annonce : <pseudo> a rejoint la chatroom` |
//! | left | `Annonce : <pseudo> a quitté la chatroom` |
//! | back | `Annonce : <pseudo> est de retour !` |
//! | welcome back | `Welcome back <pseudo> !` |
//! | ID | `ID\|<id>` |
//! | error | `Erreur : <reason>` |
//! | closing | `Annonce : le serveur ferme la chatroom` |

use super::{Colour, Event, RESET, Request};

const SAID: &str = " a dit : ";
const ANNOUNCE: &str = "Annonce : ";
const JOINED: &str = " a rejoint la chatroom";
const LEFT: &str = " a quitté la chatroom";
const BACK: &str = " est de retour !";
const WELCOME: &str = "Welcome back ";
const WELCOME_END: &str = " !";
const ID: &str = "ID|";
const ERROR: &str = "Erreur : ";
const CLOSING: &str = "Annonce : le serveur ferme la chatroom";
const HELLO: &str = "Hello|";

/// The text of an event, as one message.
pub fn render(event: &Event) -> String {
    match event {
        Event::Said {
            time,
            pseudo,
            colour,
            text,
        } => {
            let mut out = String::with_capacity(pseudo.len() + text.len() + 32);
            if let Some(time) = time {
                out.push('[');
                out.push_str(time);
                out.push_str("] ");
            }
            match colour {
                Some(colour) => {
                    out.push_str("\x1b[");
                    out.push_str(colour.params());
                    out.push('m');
                    out.push_str(pseudo);
                    out.push_str(RESET);
                }
                None => out.push_str(pseudo),
            }
            out.push_str(SAID);
            out.push_str(text);
            out
        }
        Event::Joined(pseudo) => format!("{ANNOUNCE}{pseudo}{JOINED}"),
        Event::Left(pseudo) => format!("{ANNOUNCE}{pseudo}{LEFT}"),
        Event::Back(pseudo) => format!("{ANNOUNCE}{pseudo}{BACK}"),
        Event::WelcomeBack(pseudo) => format!("{WELCOME}{pseudo}{WELCOME_END}"),
        Event::Id(id) => format!("{ID}{id}"),
        Event::Error(reason) => format!("{ERROR}{reason}"),
        Event::Closing => CLOSING.to_string(),
        Event::Other(text) => text.clone(),
    }
}

/// Reads a server's message back as an event (on a client). What does not parse is
/// [`Event::Other`], shown as it came.
pub fn parse_event(text: &str) -> Event {
    if let Some(event) = parse_said(text) {
        return event;
    }
    if text == CLOSING {
        return Event::Closing;
    }
    if let Some(rest) = text.strip_prefix(ANNOUNCE) {
        if let Some(p) = rest.strip_suffix(JOINED) {
            return Event::Joined(p.to_string());
        }
        if let Some(p) = rest.strip_suffix(LEFT) {
            return Event::Left(p.to_string());
        }
        if let Some(p) = rest.strip_suffix(BACK) {
            return Event::Back(p.to_string());
        }
    }
    if let Some(p) = text
        .strip_prefix(WELCOME)
        .and_then(|r| r.strip_suffix(WELCOME_END))
    {
        return Event::WelcomeBack(p.to_string());
    }
    if let Some(id) = text.strip_prefix(ID) {
        return Event::Id(id.to_string());
    }
    if let Some(reason) = text.strip_prefix(ERROR) {
        return Event::Error(reason.to_string());
    }
    Event::Other(text.to_string())
}

/// `[HH:MM] ESC[<colour>m<pseudo>ESC[0m a dit : <msg>`, with the time and the colour each
/// optional. The pseudo ends at the first reset (a pseudo has no control character) or, in
/// plain form, at the first ` a dit : `.
fn parse_said(text: &str) -> Option<Event> {
    let (time, rest) = match text.strip_prefix('[') {
        // `get`: the fifth byte may fall inside a character (`[ぁ𐿠`), which is no time;
        // once it is `HH:MM`, ASCII, the other cuts are on character boundaries.
        Some(r) if r.len() >= 7 && r.get(..5).is_some_and(is_hh_mm) && r[5..].starts_with("] ") => {
            (Some(r[..5].to_string()), &r[7..])
        }
        _ => (None, text),
    };
    let (pseudo, colour, text) = match rest.strip_prefix("\x1b[") {
        Some(r) => {
            let m = r.find('m')?;
            let colour = Colour::parse(&r[..m])?;
            let (pseudo, after) = r[m + 1..].split_once(RESET)?;
            (pseudo, Some(colour), after.strip_prefix(SAID)?)
        }
        None => {
            let (pseudo, text) = rest.split_once(SAID)?;
            (pseudo, None, text)
        }
    };
    if pseudo.is_empty() || pseudo.starts_with(ANNOUNCE) {
        return None;
    }
    Some(Event::Said {
        time,
        pseudo: pseudo.to_string(),
        colour,
        text: text.to_string(),
    })
}

fn is_hh_mm(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 5
        && b[2] == b':'
        && [0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit())
        && s[..2] < *"24"
        && s[3..] < *"60"
}

/// The text of a request, as one message.
pub fn render_request(request: &Request) -> String {
    match request {
        Request::Hello { pseudo, id: None } => format!("{HELLO}{pseudo}"),
        Request::Hello {
            pseudo,
            id: Some(id),
        } => format!("{HELLO}{pseudo}|{id}"),
        Request::Say(text) => text.clone(),
    }
}

/// Reads a client's message as a request (on a server). `first` says whether it is the
/// session's first message: only that one is a handshake, so a later `Hello|x` is just
/// something said.
pub fn parse_request(text: String, first: bool) -> Request {
    match text.strip_prefix(HELLO) {
        Some(rest) if first => match rest.split_once('|') {
            Some((pseudo, id)) => Request::Hello {
                pseudo: pseudo.to_string(),
                id: Some(id.to_string()),
            },
            None => Request::Hello {
                pseudo: rest.to_string(),
                id: None,
            },
        },
        _ => Request::Say(text),
    }
}
