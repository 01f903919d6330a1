//! Bonus 4, "Encodage maison": the client speaks frames and renders what they carry.
//!
//! What it teaches: a protocol of fields instead of sentences. The server's frames say who
//! said what, when, in which colour, and which kind of announcement it is; the client turns
//! them into the same lines as bonus 3 (`[HH:MM] <pseudo> a dit : <msg>`, with the colour on
//! a terminal), so the user sees no difference while nothing on the wire is an escape code.
//! Your messages go as text frames (type 1, or type 2 with a longer length, as the course
//! describes), their lengths counted in bytes: `é` is two.
//!
//! New compared to bonus 3: `codec: Codec::Binary` (and no `--wire`).
//!
//! Try it (with `chat_server_bonus_4_encoding` running):
//!
//! ```text
//! cargo run --bin chat_client_bonus_4_encoding -- --pseudo alice
//! ```

use clap::Parser;
use std::process::ExitCode;
use std::sync::Arc;
use tp6::chat::cli::{Configured, IdFileArg, LogFileArg};
use tp6::client::{self, idfile};
use tp6::clock::SystemClock;
use tp6::logs::{self, LogFile, LogSetup};
use tp6::protocol::Codec;

/// The chat client speaking the binary protocol (frames) instead of lines.
#[derive(Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    configured: Configured,
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
    let (endpoint, layers) =
        match args
            .configured
            .resolve(tp6::chat::wire::Wire::Lines, KEYS, flags, false)
        {
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
        codec: Codec::Binary,
        endpoint,
        pseudo: value("PSEUDO"),
        style: true,
        id_file: Some(value("ID_FILE").map_or_else(idfile::default_path, Into::into)),
        images: None,
    };
    tp6::error::exit_code(client::run(config).await)
}
