//! Stage ii_5, "Gérer des pseudos": the client introduces itself.
//!
//! What it teaches: a protocol has a beginning. The client asks for a pseudo before anything
//! else (or takes `--pseudo`), checks it with the same rules as the server, connects, and
//! sends `Hello|<pseudo>` as its first message; then it chats as in ii_3.
//!
//! New compared to ii_3: the pseudo prompt and the handshake.
//!
//! Try it (with `chat_server_ii_5` running):
//!
//! ```text
//! cargo run --bin chat_client_ii_5
//! cargo run --bin chat_client_ii_5 -- --pseudo alice
//! ```

use anyhow::Context;
use clap::Parser;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tp6::chat::cli::Endpoint;
use tp6::chat::handshake;
use tp6::chat::terminal::Terminal;
use tp6::chat::wire;

/// Asks for a pseudo, joins the chat with `Hello|<pseudo>`, then chats.
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
    terminal.chat(stream, args.endpoint.wire).await?;
    Ok(())
}
