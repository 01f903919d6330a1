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

use clap::Parser;
use tokio::io::AsyncWriteExt;
use tp6::chat::cli::Endpoint;
use tp6::chat::handshake;
use tp6::chat::terminal::Terminal;
use tp6::chat::wire;

/// Asks for a pseudo, joins the chat with `Hello|<pseudo>`, then chats.
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
    terminal.chat(stream, args.endpoint.wire).await?;
    Ok(())
}
