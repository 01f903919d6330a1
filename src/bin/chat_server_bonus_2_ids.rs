//! Bonus 2, "Gestion d'ID": a returning user is recognised.
//!
//! What it teaches: identity that outlives a connection. A new user gets `ID|<id>` (128
//! random bits from the system's CSPRNG, as 32 hex digits) before its join is announced; a
//! client that comes back with `Hello|<pseudo>|<id>`, from any address and port, gets
//! `Welcome back <pseudo> !` and the others `Annonce : <pseudo> est de retour !`. An
//! unknown or malformed ID is simply a new user. The hub remembers IDs (a bounded number).
//!
//! New compared to bonus 1: `ids: true`.
//!
//! Try it:
//!
//! ```text
//! cargo run --bin chat_server_bonus_2_ids
//! cargo run --bin chat_client_bonus_2_ids -- --pseudo alice --id-file /tmp/alice.id
//! # quit it (Ctrl-D) and start it again: the others see "Annonce : alice est de retour !"
//! ```

use clap::Parser;
use std::process::ExitCode;
use tp6::chat::cli::Endpoint;
use tp6::protocol::Codec;
use tp6::room::{self, Style};

/// The chat server that recognises returning users by their ID.
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
        ids: true,
        images: false,
    };
    let logs = room::logs(None);
    tp6::error::exit_code(room::serve(&args.endpoint, config, logs).await)
}
