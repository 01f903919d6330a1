//! Logging tests: the exact line format, no colour, the default file's fallback, errors
//! naming the file, the level filter, and nothing lost when the guard is dropped.

use super::*;
use crate::clock::FixedClock;
use std::sync::Mutex;
use tracing::{debug, info};

const STAMP: &str = "2026-11-30T14:05:00.123+01:00";

fn clock() -> Arc<dyn Clock> {
    Arc::new(FixedClock::at(STAMP).unwrap())
}

/// A setup that writes only to `file`, as the chat client does.
fn to_file(file: LogFile) -> LogSetup {
    LogSetup {
        console: false,
        timestamps: true,
        file: Some(file),
        clock: clock(),
    }
}

/// Runs `log` under the subscriber for `setup`, drops the guard, and returns the guard's
/// file and warnings with the file's lines.
fn run(
    setup: LogSetup,
    filter: Option<&str>,
    log: impl FnOnce(),
) -> (PathBuf, Vec<String>, Vec<String>) {
    let (subscriber, guard) = subscriber(setup, filter).unwrap();
    tracing::subscriber::with_default(subscriber, log);
    let path = guard.file().unwrap().to_owned();
    let warnings = guard.warnings().to_vec();
    drop(guard);
    let text = fs::read_to_string(&path).unwrap();
    (path, warnings, text.lines().map(str::to_owned).collect())
}

fn chat_events() {
    info!(pseudo = "alice", "joined");
    info!("message from {}: {}", "alice", "bonjour");
    debug!("to bob");
    info!(reason = %"quit", "alice left");
}

#[test]
fn file_lines_start_with_the_stamp_and_level() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.log");
    let (used, warnings, lines) = run(to_file(LogFile::Given(path.clone())), Some(""), chat_events);
    assert_eq!(used, path);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(
        lines,
        [
            format!("{STAMP} INFO joined pseudo=\"alice\""),
            format!("{STAMP} INFO message from alice: bonjour"),
            format!("{STAMP} INFO alice left reason=quit"),
        ]
    );
}

#[test]
fn the_file_is_appended_to_and_its_directory_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b/client.log");
    for run_number in 1..=2 {
        let (_, _, lines) = run(to_file(LogFile::Given(path.clone())), Some(""), || {
            info!(run_number, "started");
        });
        assert_eq!(lines.len(), run_number, "{lines:?}");
        assert_eq!(
            lines[run_number - 1],
            format!("{STAMP} INFO started run_number={run_number}")
        );
    }
}

#[test]
fn no_escape_byte_reaches_the_file_and_one_event_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.log");
    let (_, _, lines) = run(to_file(LogFile::Given(path.clone())), Some(""), || {
        info!(text = %"\x1b[2Kforged\nline", "message");
        info!("{}", "\x1b[31mred\r\u{202e}");
    });
    let bytes = fs::read(&path).unwrap();
    assert!(
        !bytes.contains(&0x1b),
        "{:?}",
        String::from_utf8_lossy(&bytes)
    );
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(
        lines[0],
        format!("{STAMP} INFO message text=^[[2Kforged^Jline")
    );
    // tracing-subscriber itself shows an ESC in the message as `\x1b`; either way it is
    // shown, not sent.
    assert!(lines[1].starts_with(&format!("{STAMP} INFO ")), "{lines:?}");
    assert!(lines[1].ends_with("[31mred^M\\u{202e}"), "{lines:?}");
}

#[test]
fn everything_logged_before_the_guard_drops_is_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.log");
    let (_, _, lines) = run(to_file(LogFile::Given(path)), Some(""), || {
        for i in 0..20_000 {
            info!(i, "line");
        }
    });
    assert_eq!(lines.len(), 20_000);
    assert_eq!(lines[19_999], format!("{STAMP} INFO line i=19999"));
}

#[test]
fn debug_lines_only_with_a_debug_filter() {
    let dir = tempfile::tempdir().unwrap();
    let file = || LogFile::Given(dir.path().join("server.log"));
    let (_, _, lines) = run(to_file(file()), Some(""), chat_events);
    assert!(!lines.iter().any(|l| l.contains("DEBUG")), "{lines:?}");
    fs::remove_file(dir.path().join("server.log")).unwrap();

    let (_, _, lines) = run(to_file(file()), Some("debug"), chat_events);
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert_eq!(lines[2], format!("{STAMP} DEBUG to bob"));
}

#[test]
fn a_bad_filter_is_a_warning_and_the_default_level() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.log");
    let (_, warnings, lines) = run(
        to_file(LogFile::Given(path)),
        Some("info,tp6=loud"),
        chat_events,
    );
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with("warning: ignoring RUST_LOG=\"info,tp6=loud\" ("),
        "{warnings:?}"
    );
    assert!(warnings[0].ends_with("); logging at info"), "{warnings:?}");
    assert_eq!(lines.len(), 3, "{lines:?}");
}

#[test]
fn weird_filters_never_panic() {
    let weird = [
        "=",
        "[",
        "]",
        "[{",
        "[{a=",
        "a[b]=c",
        "=debug",
        ",,,",
        "info=",
        "🦀",
        "\0",
        "a=b=c",
        "[{x=\"(\"}]",
        "tp6::[",
        "OFF",
        "trace,off",
        "  ",
        "info ,debug",
    ];
    for filter in weird {
        let (filter, _warning) = level_filter(Some(filter));
        drop(filter);
    }
}

#[test]
fn the_default_file_falls_back_with_one_warning() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("afile"), "not a directory").unwrap();
    let path = dir.path().join("afile/server.log");
    let fallback = dir.path().join("chat_room_logs/server.log");
    let file = LogFile::Default {
        path: path.clone(),
        fallback: fallback.clone(),
    };
    let (used, warnings, lines) = run(to_file(file), Some(""), chat_events);
    assert_eq!(used, fallback);
    let refused = fs::create_dir_all(dir.path().join("afile")).unwrap_err();
    assert_eq!(warnings, [fallback_warning(&path, &refused, &fallback)]);
    assert_eq!(
        warnings[0],
        format!(
            "warning: cannot write {} ({}); logging to {}",
            path.display(),
            reason(&refused),
            fallback.display()
        )
    );
    assert!(!warnings[0].contains("os error"), "{warnings:?}");
    assert_eq!(lines.len(), 3, "{lines:?}");
}

#[test]
fn the_default_file_is_used_when_it_can_be() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("logs/server.log");
    let fallback = dir.path().join("chat_room_logs/server.log");
    let file = LogFile::Default {
        path: path.clone(),
        fallback: fallback.clone(),
    };
    let (used, warnings, _) = run(to_file(file), Some(""), chat_events);
    assert_eq!(used, path);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert!(!fallback.exists());
}

#[test]
fn the_default_and_its_fallback_both_refused_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("afile"), "").unwrap();
    let path = dir.path().join("afile/server.log");
    let fallback = dir.path().join("afile/fallback/server.log");
    let file = LogFile::Default {
        path: path.clone(),
        fallback: fallback.clone(),
    };
    let err = subscriber(to_file(file), Some(""))
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.starts_with(&format!("cannot write {} (", path.display())),
        "{err}"
    );
    assert!(
        err.contains(&format!(" nor {} (", fallback.display())),
        "{err}"
    );
}

#[test]
fn a_given_file_that_cannot_be_opened_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("afile"), "").unwrap();
    let under_a_file = dir.path().join("afile/server.log");
    let a_directory = dir.path().to_owned();
    for path in [under_a_file, a_directory] {
        let err = subscriber(to_file(LogFile::Given(path.clone())), Some(""))
            .err()
            .unwrap();
        let err = err.to_string();
        assert!(
            err.starts_with(&format!("cannot write {} (", path.display())),
            "{err}"
        );
        assert!(err.ends_with(')') && !err.contains("os error"), "{err}");
    }
}

#[test]
fn the_default_file_names() {
    let LogFile::Default { path, fallback } = default_file("server.log") else {
        panic!("not a default file");
    };
    assert_eq!(path, Path::new("/var/log/chat_room/server.log"));
    assert!(fallback.is_absolute(), "{fallback:?}");
    assert!(
        fallback.ends_with("chat_room_logs/server.log"),
        "{fallback:?}"
    );
}

/// A writer into memory, to see what the console would show.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// What the console layer writes for `chat_events` with the given clock (`None`: plain).
fn console_lines(clock: Option<Arc<dyn Clock>>) -> String {
    let out = Shared::default();
    let writer = {
        let out = out.clone();
        move || out.clone()
    };
    let (filter, _) = level_filter(Some(""));
    let subscriber = Registry::default()
        .with(filter)
        .with(layer(writer, Line { clock }));
    tracing::subscriber::with_default(subscriber, chat_events);
    let bytes = out.0.lock().unwrap().clone();
    String::from_utf8(bytes).unwrap()
}

#[test]
fn plain_console_lines_are_the_message_and_fields_only() {
    assert_eq!(
        console_lines(None),
        "joined pseudo=\"alice\"\nmessage from alice: bonjour\nalice left reason=quit\n"
    );
}

#[test]
fn stamped_console_lines_are_like_the_file_s() {
    let shown = console_lines(Some(clock()));
    assert!(
        shown.starts_with(&format!("{STAMP} INFO joined pseudo=\"alice\"\n")),
        "{shown}"
    );
    assert_eq!(shown.lines().count(), 3, "{shown}");
}

#[test]
fn reasons_lose_the_os_error_number() {
    let err = io::Error::from_raw_os_error(2);
    assert!(!reason(&err).contains("os error"), "{}", reason(&err));
    assert!(!reason(&err).is_empty());
    let custom = io::Error::other("disk on fire");
    assert_eq!(reason(&custom), "disk on fire");
}
