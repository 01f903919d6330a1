//! Bonus 5, "Envoi d'images": `/img <path>` sends a picture, drawn in characters.
//!
//! What it teaches: untrusted files and bounded work. `/img <path>` (or the course
//! write-up's `/di <path>`) reads a PNG, JPEG or GIF and turns it into ASCII art
//! (`tp6::client::ascii`), `--art-width` characters wide, its aspect ratio kept. The file's
//! size is checked before it is read, its dimensions before a pixel is decoded (a 45-byte
//! PNG can announce 40 GB of pixels), and the decoder's memory is bounded; decoding runs on
//! a blocking thread so the chat keeps flowing. A missing file or a file that is not an
//! image is a local error, and nothing is sent. Pictures from others are shown under a
//! `[HH:MM] <pseudo> a envoyé une image :` line, each of their lines made visible.
//!
//! New compared to bonus 4: the image commands, `--art-width` (and the `ART_WIDTH` key).
//!
//! Try it (with `chat_server_bonus_5_images` running):
//!
//! ```text
//! cargo run --bin chat_client_bonus_5_images -- --pseudo alice --art-width 40
//! /img ~/Pictures/cat.png
//! ```

use clap::Parser;
use std::process::ExitCode;
use std::sync::Arc;
use tp6::chat::cli::{Configured, IdFileArg, LogFileArg};
use tp6::client::{self, ascii, idfile};
use tp6::clock::SystemClock;
use tp6::logs::{self, LogFile, LogSetup};
use tp6::protocol::Codec;

/// The chat client that sends pictures as ASCII art (`/img <path>`).
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
    /// The width of the pictures sent, in characters (1 to 200; default 64).
    #[arg(long = "art-width", value_name = "N")]
    art_width: Option<String>,
}

/// The keys a client's config file may set.
const KEYS: &[&str] = &["HOST", "PORT", "PSEUDO", "ID_FILE", "LOG_FILE", "ART_WIDTH"];

#[tokio::main]
async fn main() -> ExitCode {
    let args: Args = tp6::error::parse_args();
    let path = |p: Option<std::path::PathBuf>| p.map(|p| p.display().to_string());
    let flags = vec![
        ("PSEUDO", "--pseudo", args.pseudo),
        ("ID_FILE", "--id-file", path(args.id.id_file)),
        ("LOG_FILE", "--log-file", path(args.log.log_file)),
        ("ART_WIDTH", "--art-width", args.art_width),
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
    let width = match layers.get("ART_WIDTH") {
        None => ascii::DEFAULT_WIDTH,
        Some(w) => match w.value.parse::<u32>() {
            Ok(n)
                if (1..=ascii::MAX_WIDTH).contains(&n)
                    && w.value.bytes().all(|b| b.is_ascii_digit()) =>
            {
                n
            }
            _ => {
                let e = format!(
                    "invalid art width {:?} (from {}): must be a number from 1 to {}",
                    w.value,
                    w.origin,
                    ascii::MAX_WIDTH
                );
                // A bad flag is a usage error (2); a bad line of the file, a bad setting (1).
                return match w.origin {
                    tp6::settings::Origin::Flag(_) => tp6::error::usage_error(e),
                    _ => tp6::error::fatal(anyhow::anyhow!(e)),
                };
            }
        },
    };
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
        images: Some(width),
    };
    tp6::error::exit_code(client::run(config).await)
}
