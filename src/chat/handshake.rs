//! The ii_5 handshake: a client's first message must be `Hello|<pseudo>`.
//!
//! The pseudo is trimmed, then must be 1 to 32 bytes, without `|` and without control or
//! bidirectional-control characters (a pseudo is printed on everyone's terminal: an escape
//! sequence or a right-to-left override in it would be terminal injection). Errors carry
//! the French reason the server sends after `Erreur : `, and an English one for the
//! client's own prompt.

pub use super::limits::MAX_PSEUDO;
use crate::visible::is_bidi_control;

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
    /// A control character (including escape) or a bidirectional control inside the pseudo.
    #[error("le pseudo ne doit pas contenir de caractères de contrôle")]
    Control,
}

impl HandshakeError {
    /// The reason in the client's own language (its interface is in English).
    pub fn explain(&self) -> &'static str {
        match self {
            HandshakeError::NotHello => "the first message must be Hello|<pseudo>",
            HandshakeError::Empty => "it is empty",
            HandshakeError::TooLong => "it is longer than 32 bytes",
            HandshakeError::Pipe => "it contains a |",
            HandshakeError::Control => "it contains a control character",
        }
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
    } else if pseudo.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        Err(HandshakeError::Control)
    } else {
        Ok(pseudo.to_string())
    }
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
        assert_eq!(
            parse_hello("Hello|abc\u{202e}def"),
            Err(HandshakeError::Control)
        );
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
}
