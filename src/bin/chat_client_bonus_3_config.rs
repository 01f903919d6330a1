//! Bonus 3, "Config et arguments": the client reads a config file too.
//!
//! What it teaches: the same layers as the server's (command line over file over
//! defaults, one key at a time) with the client's keys: `HOST`, `PORT`, `PSEUDO`,
//! `ID_FILE`, `LOG_FILE`. A port that is not a number from 0 to 65535 exits 1, a port from
//! 1 to 1023 exits 2, an address that is not an IP exits 3, from the file or the command
//! line alike, before anything connects.
//!
//! New compared to bonus 2 logs: `--config`, and `-a`/`-p` read as text so that they are
//! checked like the file's values.
//!
//! Try it (with `chat_server_bonus_3_config` running):
//!
//! ```text
//! printf 'PSEUDO=alice\nID_FILE=/tmp/alice.id\nLOG_FILE=/tmp/alice.log\n' > /tmp/alice.conf
//! cargo run --bin chat_client_bonus_3_config -- --config /tmp/alice.conf
//! cargo run --bin chat_client_bonus_3_config -- --config /tmp/alice.conf --pseudo bob
//! ```

use clap::Parser;
use std::process::ExitCode;
use std::sync::Arc;
use tp6::chat::cli::{Configured, IdFileArg, LogFileArg, WireArg};
use tp6::client::{self, idfile};
use tp6::clock::SystemClock;
use tp6::logs::{self, LogFile, LogSetup};
use tp6::protocol::Codec;

/// The chat client configured by a file and its command line.
#[derive(Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    configured: Configured,
    #[command(flatten)]
    wire: WireArg,
    /// Your pseudo (asked interactively when not given here nor in the file).
    #[arg(long)]
    pseudo: Option<String>,
    #[command(flatten)]
    id: IdFileArg,
    #[command(flatten)]
    log: LogFileArg,
}

/// The keys a client's config file may set.
const KEYS: &[&str] = &["HOST", "PORT", "PSEUDO", "ID_FILE", "LOG_FILE"];

#[tokio::main]
async fn main() -> ExitCode {
    let args: Args = tp6::error::parse_args();
    let path = |p: Option<std::path::PathBuf>| p.map(|p| p.display().to_string());
    let flags = vec![
        ("PSEUDO", "--pseudo", args.pseudo),
        ("ID_FILE", "--id-file", path(args.id.id_file)),
        ("LOG_FILE", "--log-file", path(args.log.log_file)),
    ];
    let (endpoint, layers) = match args.configured.resolve(args.wire.wire, KEYS, flags, false) {
        Ok(resolved) => resolved,
        Err(e) => return tp6::error::fatal(e),
    };
    let value = |key| layers.get(key).map(|v| v.value.clone());
    let logs = LogSetup {
        console: false,
        timestamps: true,
        file: Some(match value("LOG_FILE") {
            Some(path) => LogFile::Given(path.into()),
            None => logs::default_file("client.log"),
        }),
        clock: Arc::new(SystemClock),
    };
    let _flushed_on_exit = match logs::init(logs) {
        Ok(guard) => guard,
        Err(e) => return tp6::error::fatal(e),
    };
    let config = client::Config {
        codec: Codec::Lines(endpoint.wire),
        endpoint,
        pseudo: value("PSEUDO"),
        style: true,
        id_file: Some(value("ID_FILE").map_or_else(idfile::default_path, Into::into)),
        images: None,
    };
    tp6::error::exit_code(client::run(config).await)
}
