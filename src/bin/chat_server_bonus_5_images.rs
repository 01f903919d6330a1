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
use std::sync::Arc;
use tp6::chat::cli::{Configured, LogFileArg};
use tp6::chat::wire::Wire;
use tp6::clock::SystemClock;
use tp6::logs::{self, LogFile, LogSetup};
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

/// The keys a server's config file may set.
const KEYS: &[&str] = &["HOST", "PORT", "LOG_FILE"];

#[tokio::main]
async fn main() -> ExitCode {
    let args: Args = tp6::error::parse_args();
    let log_flag = args.log.log_file.map(|p| p.display().to_string());
    let flags = vec![("LOG_FILE", "--log-file", log_flag)];
    let (endpoint, layers) = match args.configured.resolve(Wire::Lines, KEYS, flags, true) {
        Ok(resolved) => resolved,
        Err(e) => return tp6::error::fatal(e),
    };
    let clock = Arc::new(SystemClock);
    let config = room::Config {
        codec: Codec::Binary,
        style: Some(Style {
            clock: clock.clone(),
        }),
        ids: true,
        images: true,
    };
    let logs = LogSetup {
        console: true,
        timestamps: true,
        file: Some(match layers.get("LOG_FILE") {
            Some(path) => LogFile::Given(path.value.clone().into()),
            None => logs::default_file("server.log"),
        }),
        clock,
    };
    tp6::error::exit_code(room::serve(&endpoint, config, logs).await)
}
