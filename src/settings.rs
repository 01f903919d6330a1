//! Bonus 3 (`config`): the settings of one run, from a `KEY=VALUE` file and the command
//! line, validated with the course's exit codes.
//!
//! Server and client take `--config FILE`. Each value can come from three layers, and the
//! highest one that has it wins, key by key: the command line, then the file, then the
//! program's defaults ([`Layers`]). A file that sets `HOST` and `PORT` with `--port 9000` on
//! the command line runs on the file's host and port 9000.
//!
//! The file holds one `KEY=VALUE` per line. Blank lines and lines whose first non-blank
//! character is `#` are skipped; key and value are trimmed; the value is everything after
//! the first `=`, so a value may itself contain `=` (there are no end-of-line comments). A
//! UTF-8 byte order mark at the start is ignored, as editors on Windows add one. Everything
//! else that is not a known key with a value is refused with `FILE:LINE` and exit code 1:
//! an unknown key, a line without `=`, an empty key or value, a key given twice, bytes that
//! are not UTF-8. Silently skipping a line would leave the user wondering why the setting
//! they wrote has no effect.
//!
//! Values are checked where they are used ([`port`], [`address`]), the same way whichever
//! layer they came from, and an error names the value and its [`Origin`] so the user knows
//! which of the file or the command line to fix. The exit codes are the course's
//! ([`SettingsError::exit_code`]): 1 for a port that is not a number from 0 to 65535, 2 for
//! a privileged port (1-1023), 3 for an address that is not an IP, 4 for a server address
//! that is not one of this machine's.
//!
//! For the command line to be able to lose to nothing but itself, the binaries declare
//! these options as `Option<String>` with no default of clap's: a clap default would always
//! be "given" and hide the file, and a clap `u16` parser would reject `70000` with clap's
//! exit code 2 instead of the course's 1.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Read};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use crate::visible::visible;

/// The largest config file read. A config file is a few lines; anything bigger is almost
/// surely the wrong file (`--config /dev/zero`, a log), and reading it whole could exhaust
/// memory before any line is checked.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// The lowest port an ordinary program may listen on; those below are the system's.
const FIRST_UNPRIVILEGED_PORT: u16 = 1024;

/// Where a value came from, so that an error says what to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The program's own default: neither the file nor the command line set it.
    Default,
    /// A line of the config file (lines count from 1, as editors show them).
    File {
        /// The file as given to `--config`.
        path: PathBuf,
        /// The line the value is on.
        line: usize,
    },
    /// A command-line option, named as the user would type it (`--port`).
    Flag(&'static str),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Default => f.write_str("default"),
            Origin::File { path, line } => write!(f, "{}:{line}", shown(path)),
            Origin::Flag(flag) => f.write_str(flag),
        }
    }
}

/// A value with where it came from, so that validating it can blame the right place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sourced {
    /// The value as written, trimmed when it came from the file.
    pub value: String,
    /// Where it was written.
    pub origin: Origin,
}

/// The values of one run, in three layers: command line over file over defaults, key by
/// key. The layers are kept apart, so the order in which they are filled does not matter.
#[derive(Debug, Clone, Default)]
pub struct Layers {
    /// Values given on the command line ([`Layers::set_flag`]).
    flags: BTreeMap<&'static str, Sourced>,
    /// Values read from the config file ([`Layers::load`]).
    file: BTreeMap<&'static str, Sourced>,
    /// The program's defaults ([`Layers::set_default`]).
    defaults: BTreeMap<&'static str, Sourced>,
}

impl Layers {
    /// Reads `file` (if any), keeping only `allowed` keys: any other key is an error, as is
    /// any malformed line (see the module docs). Without a file, the layers start empty.
    pub fn load(file: Option<&Path>, allowed: &[&'static str]) -> Result<Layers, SettingsError> {
        let mut layers = Layers::default();
        if let Some(path) = file {
            let bytes = read_limited(path)?;
            layers.file = parse(path, &bytes, allowed)?;
        }
        Ok(layers)
    }

    /// A value given on the command line for `key` (e.g. key `"PORT"`, flag `"--port"`); it
    /// wins over the file. `None` (the option was not given) leaves the lower layers to
    /// decide.
    pub fn set_flag(&mut self, key: &'static str, flag: &'static str, value: Option<String>) {
        if let Some(value) = value {
            let origin = Origin::Flag(flag);
            self.flags.insert(key, Sourced { value, origin });
        }
    }

    /// The program's default for `key`, used when neither the command line nor the file
    /// sets it. Defaults go through the same checks as the rest, with origin `default`.
    pub fn set_default(&mut self, key: &'static str, value: impl Into<String>) {
        let value = value.into();
        let origin = Origin::Default;
        self.defaults.insert(key, Sourced { value, origin });
    }

    /// The winning value for `key`, if any layer has one.
    pub fn get(&self, key: &str) -> Option<&Sourced> {
        [&self.flags, &self.file, &self.defaults]
            .into_iter()
            .find_map(|layer| layer.get(key))
    }
}

/// Why the settings cannot be used. `Display` is one line naming the value and where it
/// came from; [`SettingsError::exit_code`] is the course's exit code for it.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The config file could not be opened or read (missing, a directory, no permission).
    #[error("cannot read config file {}: {reason}", shown(path))]
    Unreadable {
        /// The file as given to `--config`.
        path: PathBuf,
        /// What the OS said; part of the message rather than a `source`, so that it is
        /// shown however the error is printed, and only once.
        reason: io::Error,
    },
    /// The config file is larger than [`MAX_FILE_BYTES`].
    #[error(
        "config file {} is too large (more than {MAX_FILE_BYTES} bytes): is it the right file?",
        shown(path)
    )]
    TooLarge {
        /// The file as given to `--config`.
        path: PathBuf,
    },
    /// A line of the config file is not UTF-8 text.
    #[error("{}:{line}: not UTF-8 text", shown(path))]
    NotUtf8 {
        /// The config file.
        path: PathBuf,
        /// The line with the bad bytes.
        line: usize,
    },
    /// A line of the config file that is neither blank, a comment, nor `KEY=VALUE`.
    #[error("{}:{line}: no '=' on this line (expected KEY=VALUE)", shown(path))]
    MissingEquals {
        /// The config file.
        path: PathBuf,
        /// The line without `=`.
        line: usize,
    },
    /// A line of the config file that starts with `=`.
    #[error("{}:{line}: no key before '=' (expected KEY=VALUE)", shown(path))]
    EmptyKey {
        /// The config file.
        path: PathBuf,
        /// The line with the empty key.
        line: usize,
    },
    /// `KEY=` with nothing after the `=`: a line left half-written, refused rather than
    /// guessed at (remove the line to leave the key unset).
    #[error(
        "{}:{line}: empty value for {key:?} (remove the line to leave it unset)",
        shown(path)
    )]
    EmptyValue {
        /// The config file.
        path: PathBuf,
        /// The line with the empty value.
        line: usize,
        /// The key without a value.
        key: String,
    },
    /// A key this program does not know: a typo, or a key of the other program.
    #[error("{}:{line}: unknown key {key:?} (known keys: {})", shown(path), .known.join(", "))]
    UnknownKey {
        /// The config file.
        path: PathBuf,
        /// The line with the unknown key.
        line: usize,
        /// The key as written.
        key: String,
        /// The keys this program accepts, to point at the right spelling.
        known: Vec<&'static str>,
    },
    /// A key set twice in the file: which line was meant is anyone's guess.
    #[error(
        "{}:{line}: {key:?} is set twice (first on line {first_line})",
        shown(path)
    )]
    DuplicateKey {
        /// The config file.
        path: PathBuf,
        /// The second line setting the key.
        line: usize,
        /// The key set twice.
        key: String,
        /// The first line setting it.
        first_line: usize,
    },
    /// A port that is not a whole number from 0 to 65535.
    #[error("invalid port {value:?} (from {origin}): must be a number from 0 to 65535")]
    PortNotNumber {
        /// The value as given.
        value: String,
        /// Where it was given.
        origin: Origin,
    },
    /// A port from 1 to 1023, which only the system may listen on.
    #[error(
        "invalid port {value:?} (from {origin}): ports 1-1023 are reserved for the system; use 0 or 1024-65535"
    )]
    PortReserved {
        /// The value as given.
        value: String,
        /// Where it was given.
        origin: Origin,
    },
    /// An address that is not an IPv4 or IPv6 address (host names are not resolved).
    #[error("invalid address {value:?} (from {origin}): not an IP address")]
    NotAnAddress {
        /// The value as given.
        value: String,
        /// Where it was given.
        origin: Origin,
    },
    /// A server address that none of this machine's interfaces has: binding it would fail.
    #[error(
        "invalid address {value:?} (from {origin}): not an address of this machine (it has {})",
        list(local)
    )]
    NotLocal {
        /// The value as given.
        value: String,
        /// Where it was given.
        origin: Origin,
        /// The machine's addresses, so the user can pick one.
        local: Vec<IpAddr>,
    },
    /// This machine's addresses could not be read, so whether the address is one of them is
    /// unknown; refused rather than let through unchecked.
    #[error(
        "invalid address {value:?} (from {origin}): cannot tell whether it is an address of this machine, whose addresses cannot be read: {reason}"
    )]
    LocalUnknown {
        /// The value as given.
        value: String,
        /// Where it was given.
        origin: Origin,
        /// What the OS said.
        reason: io::Error,
    },
    /// A pseudo the server would refuse (empty, too long, control characters, `|`).
    #[error("invalid pseudo {value:?} (from {origin}): {reason}")]
    InvalidPseudo {
        /// The value as given.
        value: String,
        /// Where it was given.
        origin: Origin,
        /// Why the server would refuse it.
        reason: &'static str,
    },
    /// A number outside its range (bonus 5's picture width).
    #[error("invalid {name} {value:?} (from {origin}): must be a number from {min} to {max}")]
    OutOfRange {
        /// What the number is, in words.
        name: &'static str,
        /// The value as given.
        value: String,
        /// Where it was given.
        origin: Origin,
        /// The smallest value allowed.
        min: u32,
        /// The largest value allowed.
        max: u32,
    },
}

impl SettingsError {
    /// The course's exit code: 1 for the file and for a port that is not a number from 0 to
    /// 65535, 2 for a privileged port, 3 for a value that is not an IP address, 4 for an
    /// address that is not (or cannot be checked to be) one of this machine's.
    pub fn exit_code(&self) -> u8 {
        match self {
            SettingsError::Unreadable { .. }
            | SettingsError::TooLarge { .. }
            | SettingsError::NotUtf8 { .. }
            | SettingsError::MissingEquals { .. }
            | SettingsError::EmptyKey { .. }
            | SettingsError::EmptyValue { .. }
            | SettingsError::UnknownKey { .. }
            | SettingsError::DuplicateKey { .. }
            | SettingsError::PortNotNumber { .. } => 1,
            SettingsError::PortReserved { .. } => 2,
            SettingsError::NotAnAddress { .. } => 3,
            SettingsError::NotLocal { .. } | SettingsError::LocalUnknown { .. } => 4,
            // The course gives no code for these: a bad flag is a usage error, like
            // clap's; a bad line of the file, a bad setting.
            SettingsError::OutOfRange {
                origin: Origin::Flag(_),
                ..
            }
            | SettingsError::InvalidPseudo {
                origin: Origin::Flag(_),
                ..
            } => 2,
            SettingsError::OutOfRange { .. } | SettingsError::InvalidPseudo { .. } => 1,
        }
    }
}

/// A whole number from `min` to `max` written in plain ASCII digits (no sign, no blanks).
pub fn number(
    value: &Sourced,
    name: &'static str,
    min: u32,
    max: u32,
) -> Result<u32, SettingsError> {
    let text = &value.value;
    match text.parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) && text.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
        _ => Err(SettingsError::OutOfRange {
            name,
            value: text.clone(),
            origin: value.origin.clone(),
            min,
            max,
        }),
    }
}

/// A TCP port: 0 (any free port) or 1024-65535. Surrounding blanks are ignored; anything
/// but ASCII digits is refused (`+80`, `0x50`, `-1`, empty), and so is any number above
/// 65535, however long.
pub fn port(value: &Sourced) -> Result<u16, SettingsError> {
    let text = value.value.trim();
    // `u16::from_str` alone would accept `+80`; the digit check keeps the accepted syntax
    // to plain digits, and the parse then refuses overflow of any length without panicking.
    let digits_only = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    let number = if digits_only {
        text.parse::<u16>().ok()
    } else {
        None
    };
    match number {
        None => Err(SettingsError::PortNotNumber {
            value: value.value.clone(),
            origin: value.origin.clone(),
        }),
        Some(port) if port != 0 && port < FIRST_UNPRIVILEGED_PORT => {
            Err(SettingsError::PortReserved {
                value: value.value.clone(),
                origin: value.origin.clone(),
            })
        }
        Some(port) => Ok(port),
    }
}

/// An IP address (IPv4 or IPv6, surrounding blanks ignored; host names are not resolved).
/// With `must_be_local` (the server, which binds it), also one of this machine's: the
/// unspecified addresses `0.0.0.0` and `::` (every interface), a loopback address, or an
/// address of one of its interfaces ([`local_addresses`]).
pub fn address(value: &Sourced, must_be_local: bool) -> Result<IpAddr, SettingsError> {
    let ip: IpAddr = value
        .value
        .trim()
        .parse()
        .map_err(|_| SettingsError::NotAnAddress {
            value: value.value.clone(),
            origin: value.origin.clone(),
        })?;
    if must_be_local {
        check_local(ip, value, local_addresses)?;
    }
    Ok(ip)
}

/// This machine's addresses, read from its network interfaces, each once, in the order the
/// system lists them.
pub fn local_addresses() -> io::Result<Vec<IpAddr>> {
    let mut addresses: Vec<IpAddr> = Vec::new();
    for interface in if_addrs::get_if_addrs()? {
        let ip = interface.ip();
        if !addresses.contains(&ip) {
            addresses.push(ip);
        }
    }
    Ok(addresses)
}

/// Whether `ip` is one of this machine's, with the machine's addresses given by `local` so
/// that tests can stand in for the system (including a system that cannot answer).
fn check_local(
    ip: IpAddr,
    value: &Sourced,
    local: impl FnOnce() -> io::Result<Vec<IpAddr>>,
) -> Result<(), SettingsError> {
    // An IPv4-mapped IPv6 address (`::ffff:10.0.0.5`) names the same host address as its
    // IPv4 form, which is the one interfaces list.
    let ip = ip.to_canonical();
    // These need no interface lookup: every system has them, whatever its interfaces, and
    // a machine whose interfaces cannot be read can still serve on them.
    if ip.is_unspecified() || ip.is_loopback() {
        return Ok(());
    }
    match local() {
        Ok(addresses) if addresses.iter().any(|a| a.to_canonical() == ip) => Ok(()),
        Ok(addresses) => Err(SettingsError::NotLocal {
            value: value.value.clone(),
            origin: value.origin.clone(),
            local: addresses,
        }),
        Err(reason) => Err(SettingsError::LocalUnknown {
            value: value.value.clone(),
            origin: value.origin.clone(),
            reason,
        }),
    }
}

/// The whole of `path`, up to [`MAX_FILE_BYTES`].
fn read_limited(path: &Path) -> Result<Vec<u8>, SettingsError> {
    let unreadable = |reason| SettingsError::Unreadable {
        path: path.to_path_buf(),
        reason,
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let mut bytes = Vec::new();
    // One byte more than allowed tells a file of exactly the limit from a larger one.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(SettingsError::TooLarge {
            path: path.to_path_buf(),
        });
    }
    Ok(bytes)
}

/// The `KEY=VALUE` lines of `bytes`, the content of `path`, checked against `allowed`.
fn parse(
    path: &Path,
    bytes: &[u8],
    allowed: &[&'static str],
) -> Result<BTreeMap<&'static str, Sourced>, SettingsError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut values: BTreeMap<&'static str, Sourced> = BTreeMap::new();
    let mut first_lines: BTreeMap<&'static str, usize> = BTreeMap::new();
    let file = || path.to_path_buf();
    // Split on bytes, not on a decoded string, so a bad byte is reported on its own line
    // and the lines before it are still checked first.
    for (index, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let line = index + 1;
        let text =
            std::str::from_utf8(raw).map_err(|_| SettingsError::NotUtf8 { path: file(), line })?;
        // `trim` also drops the `\r` of files with Windows line endings.
        let text = text.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let Some((key, value)) = text.split_once('=') else {
            return Err(SettingsError::MissingEquals { path: file(), line });
        };
        let (key, value) = (key.trim(), value.trim());
        if key.is_empty() {
            return Err(SettingsError::EmptyKey { path: file(), line });
        }
        let Some(&known) = allowed.iter().find(|&&k| k == key) else {
            return Err(SettingsError::UnknownKey {
                path: file(),
                line,
                key: key.to_owned(),
                known: allowed.to_vec(),
            });
        };
        if value.is_empty() {
            return Err(SettingsError::EmptyValue {
                path: file(),
                line,
                key: key.to_owned(),
            });
        }
        if let Some(&first_line) = first_lines.get(known) {
            return Err(SettingsError::DuplicateKey {
                path: file(),
                line,
                key: key.to_owned(),
                first_line,
            });
        }
        first_lines.insert(known, line);
        let origin = Origin::File { path: file(), line };
        let value = value.to_owned();
        values.insert(known, Sourced { value, origin });
    }
    Ok(values)
}

/// `path` as it can be safely printed: a file name is untrusted text like any other.
fn shown(path: &Path) -> String {
    visible(&path.display().to_string()).into_owned()
}

/// Addresses as a comma-separated list, for [`SettingsError::NotLocal`].
fn list(addresses: &[IpAddr]) -> String {
    if addresses.is_empty() {
        return "no address".to_owned();
    }
    let shown: Vec<String> = addresses.iter().map(IpAddr::to_string).collect();
    shown.join(", ")
}

#[cfg(test)]
mod tests;
