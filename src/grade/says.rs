//! The course's wire strings as the checks expect them, written here and not imported from
//! the implementation: a check that borrowed the server's own strings would pass a server
//! that got them wrong.

/// A client's first message.
pub fn hello(pseudo: &str) -> String {
    format!("Hello|{pseudo}")
}

/// The join announcement.
pub fn joined(pseudo: &str) -> String {
    format!("Annonce : {pseudo} a rejoint la chatroom")
}

/// The leave announcement.
pub fn left(pseudo: &str) -> String {
    format!("Annonce : {pseudo} a quitté la chatroom")
}

/// The answer to an over-long line.
pub const TOO_LONG: &str = "Erreur : message trop long (max 4096 octets)";
