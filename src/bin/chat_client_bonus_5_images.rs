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
use tp6::chat::cli::{Configured, IdFileArg, LogFileArg};
use tp6::chat::wire::Wire;
use tp6::client::{self, ascii};
use tp6::logs;
use tp6::protocol::Codec;

/// The chat client that sends pictures as ASCII art (`/img <path>`).
#[derive(Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    configured: Configured,
    /// Your pseudo (asked interactively when not given here nor in the file).
    #[arg(long, value_parser = tp6::chat::cli::pseudo)]
    pseudo: Option<String>,
    #[command(flatten)]
    id: IdFileArg,
    #[command(flatten)]
    log: LogFileArg,
    /// The width of the pictures sent, in characters (1 to 200; default 64).
    #[arg(long = "art-width", value_name = "N")]
    art_width: Option<String>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Args = tp6::error::parse_args();
    tp6::error::exit_code(run(args).await)
}

async fn run(args: Args) -> anyhow::Result<()> {
    // Every value checked before anything starts (exit codes 1-3, see `tp6::settings`).
    let extra = vec![("ART_WIDTH", "--art-width", args.art_width)];
    let settings = client::settings(
        &args.configured,
        Wire::Lines,
        args.pseudo,
        &args.id,
        &args.log,
        extra,
    )?;
    let images = Some(ascii::width(settings.layers.get("ART_WIDTH"))?);
    let _flushed_on_exit = logs::init(client::logs(settings.log_file))?;
    let config = client::Config {
        codec: Codec::Binary,
        endpoint: settings.endpoint,
        pseudo: settings.pseudo,
        style: true,
        id_file: Some(settings.id_file),
        images,
    };
    client::run(config).await
}
