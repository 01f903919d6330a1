//! Where the bonus client keeps the ID its server gave it (bonus 2), to present it when it
//! comes back.
//!
//! The file holds one line per server, `<ip>:<port> <id>` (32 hex digits), and nothing
//! else: each server's ID is presented to that server only. It is private to the user
//! (mode 0600 on Unix): whoever has it can come back as them. A missing, unreadable or
//! malformed file (or line) means "no ID yet": the server then treats the client as a new
//! user.

use crate::room::ids;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The default file: `tp6/chat_id` in the user's configuration directory
/// (`~/.config` on Linux, `~/Library/Application Support` on macOS, `%APPDATA%` on
/// Windows), or `.tp6_chat_id` in the working directory if there is none.
pub fn default_path() -> PathBuf {
    match dirs::config_dir() {
        Some(dir) => dir.join("tp6").join("chat_id"),
        None => PathBuf::from(".tp6_chat_id"),
    }
}

/// The ID this server gave, kept in `path`, if there is a well-formed one. An ID is only
/// ever shown to the server that issued it: presented to another (a classmate's, a typo's),
/// it would let that server's owner come back as this user on the real one.
pub fn load(path: &Path, server: SocketAddr) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    entries(&text)
        .find(|(at, _)| *at == server)
        .map(|(_, id)| id.to_string())
}

/// The well-formed `<ip>:<port> <id>` lines of an ID file; anything else is skipped.
fn entries(text: &str) -> impl Iterator<Item = (SocketAddr, &str)> {
    text.lines().filter_map(|line| {
        let (at, id) = line.trim().split_once(' ')?;
        let id = id.trim();
        Some((at.parse().ok()?, id)).filter(|_| ids::is_well_formed(id))
    })
}

/// Keeps `id` as the ID `server` gave, in `path` (its directory created if needed), beside
/// those of other servers, replacing the file in one step so that a crash never leaves half
/// an ID. An `id` that is not one (a hostile server's text) is refused.
pub fn save(path: &Path, server: SocketAddr, id: &str) -> io::Result<()> {
    if !ids::is_well_formed(id) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "the server sent something that is not an ID",
        ));
    }
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let old = std::fs::read_to_string(path).unwrap_or_default();
    let mut text: String = entries(&old)
        .filter(|(at, _)| *at != server)
        .map(|(at, id)| format!("{at} {id}\n"))
        .collect();
    text.push_str(&format!("{server} {id}\n"));
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    io::Write::write_all(&mut file, text.as_bytes())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_server_gets_its_own_id_and_a_bad_file_is_no_id() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("sub").join("id");
        let (a, b): (SocketAddr, SocketAddr) = (
            "127.0.0.1:8888".parse().unwrap(),
            "10.0.0.7:9000".parse().unwrap(),
        );
        assert_eq!(load(&path, a), None);
        let id_a = ids::fresh().expect("random");
        let id_b = ids::fresh().expect("random");
        save(&path, a, &id_a).expect("save");
        save(&path, b, &id_b).expect("save");
        assert_eq!(load(&path, a), Some(id_a.clone()));
        assert_eq!(load(&path, b), Some(id_b.clone()));
        // Another server never sees this one's ID.
        assert_eq!(load(&path, "127.0.0.1:8889".parse().unwrap()), None);
        // A new ID from a server replaces its old one only.
        let again = ids::fresh().expect("random");
        save(&path, a, &again).expect("save");
        assert_eq!((load(&path, a), load(&path, b)), (Some(again), Some(id_b)));
        // What is not an ID is never kept.
        assert!(save(&path, a, "not-an-id \u{202e}").is_err());
        std::fs::write(&path, "not an id\n").expect("write");
        assert_eq!(load(&path, a), None);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            save(&path, a, &"a".repeat(32)).expect("save");
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
