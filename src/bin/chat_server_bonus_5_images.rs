//! Bonus 5, "Envoi d'images": pictures, as ASCII art, in frames of their own.
//!
//! What it teaches: a new kind of message is a new frame type, not a new convention hidden
//! in text. A client sends an image frame (type `0x04`, long form: a picture is bigger than
//! a line) holding ASCII art; the server relays it to the others in an image frame (`0x85`)
//! with the sender's time, pseudo and colour, exactly like a message. The server never
//! decodes an image file: the client does, with limits (see `chat_client_bonus_5_images`);
//! the server only bounds the frame (32 KiB).
//!
//! New compared to bonus 4: `images: true`.
//!
//! Try it:
//!
//! ```text
//! cargo run --bin chat_server_bonus_5_images
//! cargo run --bin chat_client_bonus_5_images -- --pseudo alice   # then: /img path/to/picture.png
//! cargo run --bin chat_client_bonus_5_images -- --pseudo bob
//! ```

use clap::Parser;
use std::process::ExitCode;
use tp6::chat::cli::{Configured, LogFileArg};
use tp6::chat::wire::Wire;
use tp6::protocol::Codec;
use tp6::room::{self, Style};

/// The chat server that relays pictures (ASCII art) as well as messages.
#[derive(Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    configured: Configured,
    #[command(flatten)]
    log: LogFileArg,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Args = tp6::error::parse_args();
    tp6::error::exit_code(run(args).await)
}

async fn run(args: Args) -> anyhow::Result<()> {
    // Every value checked before anything starts (exit codes 1-4, see `tp6::settings`).
    let (endpoint, log_file) = args.configured.server(Wire::Lines, &args.log)?;
    let config = room::Config {
        codec: Codec::Binary,
        style: Some(Style::local()),
        ids: true,
        images: true,
    };
    room::serve(&endpoint, config, room::logs(Some(log_file))).await
}
