//! Stage ii_6, "Déconnexion": the client notices the server going away.
//!
//! What it teaches: why a session ended matters. `chat` reports its [`Ending`]; when it is
//! the server that left, the client says so and exits at once with status 0 — even if the
//! user is in the middle of typing, because stdin is read on its own thread and returning
//! from `main` ends the process.
//!
//! New compared to ii_5: the ending is told to the user.
//!
//! Try it (with `chat_server_ii_6` running):
//!
//! ```text
//! cargo run --bin chat_client_ii_6 -- --pseudo alice
//! # then stop the server with Ctrl-C: the client prints why and exits
//! ```

use clap::Parser;
use tokio::io::AsyncWriteExt;
use tp6::chat::cli::Endpoint;
use tp6::chat::handshake;
use tp6::chat::terminal::{Ending, Terminal};
use tp6::chat::wire;

/// The complete Part II client: pseudo, chat, and a clean exit when the server leaves.
#[derive(Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    endpoint: Endpoint,
    /// Your pseudo (asked interactively when not given).
    #[arg(long)]
    pseudo: Option<String>,
}

#[tokio::main]
async fn main() -> tp6::error::MainResult {
    let args: Args = tp6::error::parse_args();
    let mut terminal = Terminal::start();
    let Some(pseudo) = terminal.pseudo(args.pseudo).await? else {
        return Ok(());
    };
    let mut stream = args.endpoint.connect().await?;
    // Before anything else, the client introduces itself.
    let hello = wire::encode(args.endpoint.wire, &handshake::hello(&pseudo));
    stream.write_all(&hello).await?;
    match terminal.chat(stream, args.endpoint.wire).await? {
        Ending::ServerGone => terminal.goodbye("Server closed the connection. Bye!"),
        Ending::InputClosed | Ending::Interrupted => {}
    }
    Ok(())
}
