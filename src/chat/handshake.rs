//! The ii_5 handshake: a client's first message must be `Hello|<pseudo>`.
//!
//! The pseudo is trimmed, then must be 1 to 32 bytes, without `|` and without control
//! characters (a pseudo is printed on everyone's terminal: an escape sequence in it would
//! be terminal injection). Errors carry the French reason sent after `Erreur : `.

use super::connection::Connection;
use super::console;

/// Longest pseudo, in bytes, after trimming.
pub const MAX_PSEUDO: usize = 32;

/// Why a first message is not a valid handshake. `Display` is the wire reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HandshakeError {
    /// The message does not start with `Hello|`.
    #[error("premier message attendu : Hello|<pseudo>")]
    NotHello,
    /// Nothing (or only spaces) after `Hello|`.
    #[error("pseudo vide")]
    Empty,
    /// More than [`MAX_PSEUDO`] bytes.
    #[error("pseudo trop long (max 32 octets)")]
    TooLong,
    /// A `|` inside the pseudo.
    #[error("le pseudo ne doit pas contenir de |")]
    Pipe,
    /// A control character (including escape) inside the pseudo.
    #[error("le pseudo ne doit pas contenir de caractères de contrôle")]
    Control,
}

impl HandshakeError {
    /// The line sent to the client before closing: `Erreur : <reason>`.
    pub fn wire_line(&self) -> String {
        format!("Erreur : {self}")
    }
}

/// Parses a first message, returning the validated pseudo.
pub fn parse_hello(message: &str) -> Result<String, HandshakeError> {
    let rest = message
        .strip_prefix("Hello|")
        .ok_or(HandshakeError::NotHello)?;
    validate_pseudo(rest)
}

/// Validates (and trims) a pseudo; the client uses it before connecting.
pub fn validate_pseudo(pseudo: &str) -> Result<String, HandshakeError> {
    let pseudo = pseudo.trim();
    if pseudo.is_empty() {
        Err(HandshakeError::Empty)
    } else if pseudo.len() > MAX_PSEUDO {
        Err(HandshakeError::TooLong)
    } else if pseudo.contains('|') {
        Err(HandshakeError::Pipe)
    } else if pseudo.chars().any(char::is_control) {
        Err(HandshakeError::Control)
    } else {
        Ok(pseudo.to_string())
    }
}

/// The first message a client sends.
pub fn hello(pseudo: &str) -> String {
    format!("Hello|{pseudo}")
}

/// The server side of the handshake, as `chat_server_ii_5` spells it out: reads the first
/// message and returns the pseudo, or answers `Erreur : <reason>`, closes the connection
/// (after flushing that line) and returns `None`. Also `None` if the client left first.
pub async fn greet(conn: &mut Connection) -> Option<String> {
    let first = conn.next().await?;
    match parse_hello(&first) {
        Ok(pseudo) => Some(pseudo),
        Err(e) => {
            console::line(format!("Refused {}: {e}", conn.addr));
            conn.send(&e.wire_line());
            conn.shutdown().await;
            None
        }
    }
}

/// The join announcement, sent to everyone including the newcomer.
pub fn joined(pseudo: &str) -> String {
    format!("Annonce : {pseudo} a rejoint la chatroom")
}

/// The leave announcement (from ii_6).
pub fn left(pseudo: &str) -> String {
    format!("Annonce : {pseudo} a quitté la chatroom")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_trims_a_pseudo() {
        assert_eq!(parse_hello("Hello|  toto "), Ok("toto".to_string()));
        assert_eq!(parse_hello("Hello|Zoé"), Ok("Zoé".to_string()));
    }

    #[test]
    fn rejects_each_kind_of_bad_handshake() {
        assert_eq!(parse_hello("Bonjour"), Err(HandshakeError::NotHello));
        assert_eq!(parse_hello("hello|toto"), Err(HandshakeError::NotHello));
        assert_eq!(parse_hello("Hello|"), Err(HandshakeError::Empty));
        assert_eq!(parse_hello("Hello|   "), Err(HandshakeError::Empty));
        assert_eq!(
            parse_hello(&format!("Hello|{}", "x".repeat(33))),
            Err(HandshakeError::TooLong)
        );
        assert_eq!(parse_hello("Hello|a|b"), Err(HandshakeError::Pipe));
        assert_eq!(
            parse_hello("Hello|a\u{1b}[31mb"),
            Err(HandshakeError::Control)
        );
        assert_eq!(parse_hello("Hello|a\u{7}"), Err(HandshakeError::Control));
    }

    #[test]
    fn the_length_limit_counts_bytes_not_characters() {
        // 16 two-byte characters = 32 bytes: accepted; one more byte: refused.
        let ok = "é".repeat(16);
        assert_eq!(validate_pseudo(&ok), Ok(ok.clone()));
        assert_eq!(
            validate_pseudo(&format!("{ok}a")),
            Err(HandshakeError::TooLong)
        );
    }

    #[test]
    fn error_lines_have_the_course_prefix() {
        assert_eq!(HandshakeError::Empty.wire_line(), "Erreur : pseudo vide");
    }
}
