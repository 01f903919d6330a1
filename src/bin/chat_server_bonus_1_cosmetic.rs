//! Bonus 1, "Cosmétique": colours and the time of each message.
//!
//! What it teaches: from here on the server is one program built once in the library
//! (`tp6::room`), and each bonus is a configuration of it. This file is the whole stage:
//! it turns on the [`Style`] (a colour per member, the `[HH:MM]` of each message's arrival
//! at the server, in its local time) and calls `room::serve`. Relays now read
//! `[HH:MM] ESC[<colour>m<pseudo>ESC[0m a dit : <msg>`; announcements are unchanged.
//!
//! New compared to ii_6: the server is `tp6::room` (a hub owning every member, typed
//! protocol events, a graceful shutdown on Ctrl-C that tells every client and flushes
//! their queues), and the style.
//!
//! Try it:
//!
//! ```text
//! cargo run --bin chat_server_bonus_1_cosmetic
//! cargo run --bin chat_client_bonus_1_cosmetic -- --pseudo alice   # in a second terminal
//! cargo run --bin chat_client_bonus_1_cosmetic -- --pseudo bob     # in a third
//! nc 127.0.0.1 8888 | cat -v      # a raw client: type Hello|eve, see the escape codes
//! ```

use clap::Parser;
use std::process::ExitCode;
use tp6::chat::cli::Endpoint;
use tp6::protocol::Codec;
use tp6::room::{self, Style};

/// The chat server with colours and timestamps.
#[derive(Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    endpoint: Endpoint,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Args = tp6::error::parse_args();
    let config = room::Config {
        codec: Codec::Lines(args.endpoint.wire),
        style: Some(Style::local()),
        ids: false,
        images: false,
    };
    let logs = room::logs(None);
    tp6::error::exit_code(room::serve(&args.endpoint, config, logs).await)
}
