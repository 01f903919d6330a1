//! `chat_bench`'s command line.

use crate::chat::cli::Endpoint;
use crate::chat::wire::MAX_MESSAGE;
use crate::protocol::Codec;
use std::time::Duration;

/// Load generator for the Part II chat servers (any stage from ii_4 on, any language):
/// N clients join, S of them send M messages each, everyone measures what arrives.
#[derive(Debug, Clone, clap::Parser)]
#[command(name = "chat_bench", version, after_help = EXIT_STATUS)]
pub struct Options {
    /// Server to load (`--wire` must match the server's).
    #[command(flatten)]
    pub endpoint: Endpoint,
    /// Speak the bonus-4 binary protocol (frames) instead of `--wire`'s lines.
    #[arg(long)]
    pub binary: bool,
    /// What a client sends first: `hello` sends `Hello|<pseudo>` and waits for the join
    /// announcement (ii_5 on); `none` sends nothing (ii_4); `name` sends `<pseudo>` alone,
    /// for servers that take the first line as the name (tokio's `examples/chat.rs`).
    #[arg(long, value_enum, default_value_t = Handshake::Hello)]
    pub handshake: Handshake,
    /// Number of reading clients (the senders are among them).
    #[arg(short = 'n', long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub clients: u32,
    /// How many of the clients send.
    #[arg(long, default_value_t = 2)]
    pub senders: u32,
    /// Messages each sender sends.
    #[arg(short = 'm', long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    pub messages: u32,
    /// Bytes per message, line end not counted (the marker is never cut: at least ~20).
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(0..=MAX_MESSAGE as u64))]
    pub size: u64,
    /// Messages per second, all senders together; 0 sends flat out.
    #[arg(long, default_value_t = 0.0, value_parser = non_negative)]
    pub rate: f64,
    /// Extra clients that join and never read (receive buffer 4 KiB); not counted as readers.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=10_000))]
    pub never_readers: u32,
    /// With `--senders 0`: seconds to keep the clients connected before measuring memory.
    #[arg(long, default_value_t = 0.0, value_parser = non_negative)]
    pub hold: f64,
    /// The server's process id, to report its memory (Linux `/proc`).
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// Seconds between two samples of the server's RSS.
    #[arg(long, default_value_t = 1.0, value_parser = positive)]
    pub rss_interval: f64,
    /// Seconds after which the run stops and reports what it got.
    #[arg(long, default_value_t = 60.0, value_parser = positive)]
    pub duration_limit: f64,
    /// Seconds without a new delivery after which a message still missing counts as lost
    /// (also the patience of the warm-up of `--handshake none` and `name`).
    #[arg(long, default_value_t = 2.0, value_parser = positive)]
    pub settle: f64,
    /// Clients connected at once; each batch has joined before the next one connects.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub batch: u32,
    /// Print one JSON object instead of the human report.
    #[arg(long)]
    pub json: bool,
}

const EXIT_STATUS: &str = "Exit status: 0 when every expected delivery arrived exactly once \
and in order; 3 when messages were lost, duplicated, reordered or corrupted (or not every \
client joined in time); 2 for bad flags; 1 when the run could not be made.";

/// The first exchange of a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Handshake {
    /// `Hello|<pseudo>`, then wait for `Annonce : <pseudo> a rejoint la chatroom`.
    Hello,
    /// Nothing: the server registers a client when it connects (ii_4).
    None,
    /// `<pseudo>` as the first line, no answer awaited: servers that ask for a name the way
    /// tokio's `examples/chat.rs` does.
    Name,
}

impl Options {
    /// How messages are framed for this server: `--binary`, else `--wire`.
    pub fn codec(&self) -> Codec {
        if self.binary {
            Codec::Binary
        } else {
            Codec::Lines(self.endpoint.wire)
        }
    }

    /// Checks what clap cannot check flag by flag.
    pub fn validate(&self) -> Result<(), String> {
        if self.senders > self.clients {
            return Err(format!(
                "--senders {} is more than --clients {}: senders are among the clients",
                self.senders, self.clients
            ));
        }
        if self.hold > 0.0 && self.senders > 0 {
            return Err("--hold is for idle clients: use it with --senders 0".to_string());
        }
        Ok(())
    }

    /// Deliveries a correct server makes: each message reaches every reader but its sender.
    pub fn expected(&self) -> u64 {
        u64::from(self.senders) * u64::from(self.messages) * u64::from(self.clients - 1)
    }

    /// `--duration-limit` as a duration.
    pub fn duration_limit(&self) -> Duration {
        Duration::from_secs_f64(self.duration_limit)
    }

    /// `--settle` as a duration.
    pub fn settle(&self) -> Duration {
        Duration::from_secs_f64(self.settle)
    }
}

fn number(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    // Beyond about 30 years `Duration::from_secs_f64` would panic; no run is that long.
    if !v.is_finite() || !(0.0..=1e9).contains(&v) {
        return Err(format!("`{s}` is not between 0 and 1e9"));
    }
    Ok(v)
}

fn non_negative(s: &str) -> Result<f64, String> {
    number(s)
}

fn positive(s: &str) -> Result<f64, String> {
    match number(s)? {
        v if v > 0.0 => Ok(v),
        _ => Err(format!("`{s}` must be more than 0")),
    }
}
