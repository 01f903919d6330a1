//! A `/tmp` of its own for a Part I program that writes where CONTRACT.md's defaults say
//! (`/tmp/web_page`, `/tmp/web_<name>`): a submission whose command takes no `{output}` or
//! `{out_dir}` (many hard-code `/tmp/web_page`) would otherwise share `/tmp` with every
//! other program graded on the machine, and one student's leftover (a directory where the
//! next expects a file) could fail the next student.
//!
//! On Linux the program runs in a mount namespace of its own (`unshare --mount
//! --map-root-user`, no privilege needed where user namespaces are enabled) where a fresh
//! directory of grade's is bind-mounted on `/tmp`: what the program writes as `/tmp/x`, the
//! check reads as `<dir>/x`. Where that cannot be done (another system, user namespaces
//! disabled, no `unshare`), programs run as before and a failing check says so.

use std::path::PathBuf;
use std::sync::OnceLock;
use tempfile::TempDir;

/// Appended to the reason of a failed check whose program had to share `/tmp`.
pub(super) const SHARED_TMP_NOTE: &str =
    "(this machine could not give the program a /tmp of its own: it shared /tmp with others)";

/// A directory the program sees as `/tmp`.
pub(super) struct PrivateTmp {
    dir: TempDir,
}

impl PrivateTmp {
    /// A fresh private `/tmp`, or `None` where this machine cannot give one.
    pub(super) fn new() -> Option<PrivateTmp> {
        if !available() {
            return None;
        }
        tempfile::tempdir().ok().map(|dir| PrivateTmp { dir })
    }

    /// Where the check finds what the program wrote as `inside` (a path under `/tmp`).
    pub(super) fn outside(&self, inside: &str) -> PathBuf {
        let relative = inside.strip_prefix("/tmp").unwrap_or(inside);
        self.dir.path().join(relative.trim_start_matches('/'))
    }

    /// `argv` run with this directory as its `/tmp`.
    pub(super) fn wrap(&self, argv: &[String]) -> Vec<String> {
        wrap(&self.dir.path().to_string_lossy(), argv)
    }
}

fn wrap(dir: &str, argv: &[String]) -> Vec<String> {
    let mut wrapped: Vec<String> = [
        "unshare",
        "--mount",
        "--map-root-user",
        "--",
        "sh",
        "-c",
        r#"mount --bind "$0" /tmp && exec "$@""#,
        dir,
    ]
    .map(String::from)
    .to_vec();
    wrapped.extend(argv.iter().cloned());
    wrapped
}

/// Whether a program can be given a private `/tmp` here: tried once, for real.
fn available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        if !cfg!(target_os = "linux") {
            return false;
        }
        let Ok(dir) = tempfile::tempdir() else {
            return false;
        };
        let probe = "tp6-private-tmp-probe";
        if std::fs::write(dir.path().join(probe), "").is_err() {
            return false;
        }
        let argv = wrap(
            &dir.path().to_string_lossy(),
            &["test".into(), "-e".into(), format!("/tmp/{probe}")],
        );
        std::process::Command::new(&argv[0])
            .args(&argv[1..])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn a_program_writing_to_tmp_writes_into_the_private_directory() {
        let Some(tmp) = PrivateTmp::new() else {
            // Reported by the checks themselves (SHARED_TMP_NOTE); nothing to test here.
            eprintln!("no user namespaces on this machine: private /tmp unavailable");
            return;
        };
        let name = format!("tp6-private-{}", std::process::id());
        let argv = tmp.wrap(&[
            "sh".into(),
            "-c".into(),
            format!("echo private > /tmp/{name}"),
        ]);
        let status = std::process::Command::new(&argv[0])
            .args(&argv[1..])
            .status()
            .unwrap();
        assert!(status.success());
        let inside = format!("/tmp/{name}");
        assert_eq!(
            std::fs::read_to_string(tmp.outside(&inside)).unwrap(),
            "private\n"
        );
        assert!(
            !std::path::Path::new(&inside).exists(),
            "the real /tmp was written"
        );
    }
}
