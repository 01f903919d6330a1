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

/// What a bonus server sends every client when it shuts down (bonus 1 on).
pub const CLOSING: &str = "Annonce : le serveur ferme la chatroom";

/// What a newcomer receives before its join announcement (bonus 2 ids).
pub fn id_line(id: &str) -> String {
    format!("ID|{id}")
}

/// A returning user's first message (bonus 2 ids).
pub fn hello_back(pseudo: &str, id: &str) -> String {
    format!("Hello|{pseudo}|{id}")
}

/// The greeting of a returning user (bonus 2 ids).
pub fn welcome_back(pseudo: &str) -> String {
    format!("Welcome back {pseudo} !")
}

/// The announcement of a returning user, to the others (bonus 2 ids).
pub fn back(pseudo: &str) -> String {
    format!("Annonce : {pseudo} est de retour !")
}
