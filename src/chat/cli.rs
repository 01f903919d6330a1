//! The options every Part II server and client share: where to listen or connect, and the
//! wire mode. The course adds `-a`/`-p` only in bonus 3; accepting them from the first
//! stage is what lets tests and the grader run every stage on an ephemeral port.

use super::wire::Wire;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// The course's default port.
pub const DEFAULT_PORT: u16 = 8888;

/// `-a/--address`, `-p/--port`, `--wire`.
#[derive(Debug, Clone, clap::Args)]
pub struct Endpoint {
    /// The server's IP address.
    #[arg(short = 'a', long = "address", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub address: IpAddr,
    /// The server's TCP port (a server given 0 takes any free port and prints it).
    #[arg(short = 'p', long = "port", default_value_t = DEFAULT_PORT)]
    pub port: u16,
    /// Message framing: `lines` (one UTF-8 line per message) or `tp` (the Python
    /// course's convention: each write is one message, no terminator).
    #[arg(long = "wire", value_enum, default_value_t = Wire::Lines)]
    pub wire: Wire,
}

impl Endpoint {
    /// Connects to the server (clients).
    pub async fn connect(&self) -> anyhow::Result<tokio::net::TcpStream> {
        use anyhow::Context;
        let addr = self.socket_addr();
        let stream = tokio::net::TcpStream::connect(addr).await;
        stream.with_context(|| format!("cannot connect to {addr}"))
    }

    /// The socket address to bind or connect to.
    pub fn socket_addr(&self) -> SocketAddr {
        SocketAddr::new(self.address, self.port)
    }
}

/// `--log-file PATH`, from bonus 2 `logs` on.
#[derive(Debug, Clone, clap::Args)]
pub struct LogFileArg {
    /// Where the log goes (default: /var/log/chat_room/<server|client>.log, or a file
    /// under the working directory when that cannot be written).
    #[arg(long = "log-file", value_name = "PATH")]
    pub log_file: Option<std::path::PathBuf>,
}

impl LogFileArg {
    /// The log file: the one given, or the default `name` under /var/log/chat_room (with
    /// its fallback).
    pub fn or_default(&self, name: &str) -> crate::logs::LogFile {
        match &self.log_file {
            Some(path) => crate::logs::LogFile::Given(path.clone()),
            None => crate::logs::default_file(name),
        }
    }
}

/// `--id-file PATH`, the client's from bonus 2 `ids` on.
#[derive(Debug, Clone, clap::Args)]
pub struct IdFileArg {
    /// Where the ID the server gives is kept, to be recognised when coming back
    /// (default: a file in your configuration directory).
    #[arg(long = "id-file", value_name = "PATH")]
    pub id_file: Option<std::path::PathBuf>,
}

/// Bonus 3's options: `--config FILE`, and `-a`/`-p` taken as text so that they are
/// validated like the file's values, with the same exit codes (see
/// [`settings`](crate::settings)).
#[derive(Debug, Clone, clap::Args)]
pub struct Configured {
    /// A file of `KEY=VALUE` lines; options given here win over it, one by one.
    #[arg(long = "config", value_name = "FILE")]
    pub config: Option<std::path::PathBuf>,
    /// The server's IP address (default 127.0.0.1).
    #[arg(short = 'a', long = "address")]
    pub address: Option<String>,
    /// The server's TCP port (default 8888; a server given 0 takes any free port).
    // Hyphen values allowed: `-p -1` is a bad port (exit 1), not an unknown flag `-1`.
    #[arg(short = 'p', long = "port", allow_hyphen_values = true)]
    pub port: Option<String>,
}

/// `--wire` alone, for the stages that take their address and port as [`Configured`]
/// (bonus 3; bonus 4 replaces lines by frames and has no `--wire`).
#[derive(Debug, Clone, clap::Args)]
pub struct WireArg {
    /// Message framing: `lines` (one UTF-8 line per message) or `tp` (the Python
    /// course's convention: each write is one message, no terminator).
    #[arg(long = "wire", value_enum, default_value_t = Wire::Lines)]
    pub wire: Wire,
}

/// `--pseudo`'s parser: the pseudo if the server would accept it (the rules of
/// [`validate_pseudo`](super::handshake::validate_pseudo)), otherwise why not, which clap
/// shows as a usage error (exit code 2) before anything is connected.
pub fn pseudo(value: &str) -> Result<String, String> {
    super::handshake::validate_pseudo(value).map_err(|e| e.explain().to_string())
}

/// The keys of a bonus server's config file.
pub const SERVER_KEYS: &[&str] = &["HOST", "PORT", "LOG_FILE"];

impl Configured {
    /// A bonus server's settings from bonus 3 on: its endpoint (an address of this machine)
    /// and its log file, each from the command line, else the file, else the default.
    pub fn server(
        &self,
        wire: Wire,
        log: &LogFileArg,
    ) -> Result<(Endpoint, crate::logs::LogFile), crate::settings::SettingsError> {
        let flag = log.log_file.as_ref().map(|p| p.display().to_string());
        let flags = vec![("LOG_FILE", "--log-file", flag)];
        let (endpoint, layers) = self.resolve(wire, SERVER_KEYS, flags, true)?;
        let log = LogFileArg {
            log_file: layers.get("LOG_FILE").map(|v| v.value.clone().into()),
        };
        Ok((endpoint, log.or_default("server.log")))
    }

    /// Reads the config file (keys `keys`), lays the command line over it (`flags`: key,
    /// flag, value given), and validates the address (one of this machine's for a
    /// `server`) and the port. The layers are returned for the other keys. (`wire` only
    /// completes the endpoint: it is not a key of the file.)
    pub fn resolve(
        &self,
        wire: Wire,
        keys: &[&'static str],
        flags: Vec<(&'static str, &'static str, Option<String>)>,
        server: bool,
    ) -> Result<(Endpoint, crate::settings::Layers), crate::settings::SettingsError> {
        use crate::settings::{self, Layers};
        let mut layers = Layers::load(self.config.as_deref(), keys)?;
        layers.set_default("HOST", Ipv4Addr::LOCALHOST.to_string());
        layers.set_default("PORT", DEFAULT_PORT.to_string());
        layers.set_flag("HOST", "--address", self.address.clone());
        layers.set_flag("PORT", "--port", self.port.clone());
        for (key, flag, value) in flags {
            layers.set_flag(key, flag, value);
        }
        // Both have defaults; the course's order: the port first, then the address.
        let value = |key| {
            layers.get(key).cloned().unwrap_or(settings::Sourced {
                value: String::new(),
                origin: settings::Origin::Default,
            })
        };
        let port = settings::port(&value("PORT"))?;
        let address = settings::address(&value("HOST"), server)?;
        let endpoint = Endpoint {
            address,
            port,
            wire,
        };
        Ok((endpoint, layers))
    }
}
