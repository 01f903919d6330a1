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

use anyhow::Context;
use clap::Parser;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tp6::chat::cli::Endpoint;
use tp6::chat::handshake;
use tp6::chat::terminal::{Ending, Terminal};
use tp6::chat::wire;

/// The complete Part II client: pseudo, chat, and a clean exit when the server leaves.
#[derive(Parser)]
#[command(version, about, long_about = None)]
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
    let pseudo = match args.pseudo {
        Some(p) => {
            handshake::validate_pseudo(&p).with_context(|| format!("invalid --pseudo {p:?}"))?
        }
        None => loop {
            let Some(typed) = terminal.ask("Pseudo : ").await else {
                return Ok(());
            };
            match handshake::validate_pseudo(&typed) {
                Ok(p) => break p,
                Err(e) => terminal.show(&format!("Invalid pseudo: {e}")),
            }
        },
    };
    let addr = args.endpoint.socket_addr();
    let mut stream = TcpStream::connect(addr)
        .await
        .with_context(|| format!("cannot connect to {addr}"))?;
    stream
        .write_all(&wire::encode(
            args.endpoint.wire,
            &handshake::hello(&pseudo),
        ))
        .await?;
    match terminal.chat(stream, args.endpoint.wire).await? {
        Ending::ServerGone => terminal.goodbye("Server closed the connection. Bye!"),
        Ending::InputClosed | Ending::Interrupted => {}
    }
    Ok(())
}
