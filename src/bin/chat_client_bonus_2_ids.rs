//! Bonus 2, "Gestion d'ID": the client keeps its ID and presents it when it comes back.
//!
//! What it teaches: state that outlives a process. The server's `ID|<id>` is not printed:
//! it is written to `--id-file` (by default `tp6/chat_id` in your configuration
//! directory, readable by you only), and the next start sends `Hello|<pseudo>|<id>`, from
//! whatever port the system picks: the server answers `Welcome back <pseudo> !`.
//!
//! New compared to bonus 1: `--id-file`, and `id_file` in the configuration.
//!
//! Try it (with `chat_server_bonus_2_ids` running):
//!
//! ```text
//! cargo run --bin chat_client_bonus_2_ids -- --pseudo alice --id-file /tmp/alice.id
//! # Ctrl-D, then the same command again: "Welcome back alice !"
//! ```

use clap::Parser;
use std::process::ExitCode;
use tp6::chat::cli::{Endpoint, IdFileArg};
use tp6::client::{self, idfile};
use tp6::protocol::Codec;

/// The chat client that is recognised when it comes back.
#[derive(Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    endpoint: Endpoint,
    /// Your pseudo (asked interactively when not given).
    #[arg(long, value_parser = tp6::chat::cli::pseudo)]
    pseudo: Option<String>,
    #[command(flatten)]
    id: IdFileArg,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Args = tp6::error::parse_args();
    let config = client::Config {
        codec: Codec::Lines(args.endpoint.wire),
        endpoint: args.endpoint,
        pseudo: args.pseudo,
        style: true,
        id_file: Some(args.id.id_file.unwrap_or_else(idfile::default_path)),
        images: None,
    };
    tp6::error::exit_code(client::run(config).await)
}
