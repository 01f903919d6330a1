//! Bonus 1, "Cosmétique": the client shows colours, times, and your own messages.
//!
//! What it teaches: a client that understands what it receives instead of printing it.
//! Each line from the server is read back as an event (`tp6::protocol`); a relay
//! `[HH:MM] ESC[<colour>m<pseudo>ESC[0m a dit : <msg>` is shown with its colour when stdout
//! is a terminal and `NO_COLOR` is unset, and without it otherwise. The colour is the only
//! escape sequence that reaches the terminal: it is passed through only when it parses as a
//! colour, and everything a peer wrote is shown visibly. What you type is shown as
//! `Vous avez dit : <msg>`: the server does not send it back.
//!
//! New compared to ii_6: the client is `tp6::client` (the same link and terminal as Part
//! II, plus events and their rendering), configured here with `style: true`.
//!
//! Try it (with `chat_server_bonus_1_cosmetic` running):
//!
//! ```text
//! cargo run --bin chat_client_bonus_1_cosmetic -- --pseudo alice
//! NO_COLOR=1 cargo run --bin chat_client_bonus_1_cosmetic -- --pseudo bob
//! ```

use clap::Parser;
use std::process::ExitCode;
use tp6::chat::cli::Endpoint;
use tp6::client;
use tp6::protocol::Codec;

/// The chat client with colours and timestamps.
#[derive(Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    endpoint: Endpoint,
    /// Your pseudo (asked interactively when not given).
    #[arg(long, value_parser = tp6::chat::cli::pseudo)]
    pseudo: Option<String>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Args = tp6::error::parse_args();
    let config = client::Config {
        codec: Codec::Lines(args.endpoint.wire),
        endpoint: args.endpoint,
        pseudo: args.pseudo,
        style: true,
        id_file: None,
        images: None,
    };
    tp6::error::exit_code(client::run(config).await)
}
