//! Where the bonus client keeps the ID its server gave it (bonus 2), to present it when it
//! comes back.
//!
//! The file holds the 32 hex digits and nothing else. It is private to the user (mode
//! 0600 on Unix): whoever has it can come back as them. A missing, unreadable or malformed
//! file means "no ID yet": the server then treats the client as a new user.

use crate::room::ids;
use std::io;
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

/// The ID kept in `path`, if there is a well-formed one.
pub fn load(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let id = text.trim();
    ids::is_well_formed(id).then(|| id.to_string())
}

/// Keeps `id` in `path` (its directory created if needed), replacing the file in one step
/// so that a crash never leaves half an ID.
pub fn save(path: &Path, id: &str) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    io::Write::write_all(&mut file, format!("{id}\n").as_bytes())?;
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
    fn an_id_is_kept_and_read_back_and_a_bad_file_is_no_id() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("sub").join("id");
        assert_eq!(load(&path), None);
        let id = ids::fresh().expect("random");
        save(&path, &id).expect("save");
        assert_eq!(load(&path), Some(id));
        std::fs::write(&path, "not an id\n").expect("write");
        assert_eq!(load(&path), None);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            save(&path, &"a".repeat(32)).expect("save");
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
