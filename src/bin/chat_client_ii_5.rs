//! Stage ii_5, "Gérer des pseudos": the client introduces itself.
//!
//! What it teaches: a protocol has a beginning. The client connects, asks for a pseudo (or
//! takes `--pseudo`), checks it with the same rules as the server, and sends
//! `Hello|<pseudo>` as its very first message; then it chats exactly as in ii_3.
//!
//! New compared to ii_3: the pseudo and the `Hello|<pseudo>` handshake (the lines before
//! the loop).
//!
//! Try it (with `chat_server_ii_5` running):
//!
//! ```text
//! cargo run --bin chat_client_ii_5
//! cargo run --bin chat_client_ii_5 -- --pseudo alice
//! ```

use clap::Parser;
use std::process::ExitCode;
use tp6::chat::cli::Endpoint;
use tp6::chat::link::Link;
use tp6::chat::terminal::Terminal;

/// Asks for a pseudo, joins the chat with `Hello|<pseudo>`, then chats.
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
    tp6::error::exit_code(run(args).await)
}

async fn run(args: Args) -> anyhow::Result<()> {
    // Connect first: a server that is down is reported before anything is asked.
    let mut server = Link::connect(&args.endpoint).await?;
    let mut terminal = Terminal::start();
    let Some(pseudo) = terminal.pseudo(args.pseudo).await else {
        return Ok(());
    };
    // Before anything else, the client introduces itself.
    server.send(&format!("Hello|{pseudo}"));
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        tokio::select! {
            message = server.next() => match message {
                Some(text) => terminal.show(&text),
                None => break, // the server closed the connection
            },
            typed = terminal.next_line() => match typed {
                Ok(line) if line.is_empty() => {}
                Ok(line) => server.send(&line),
                Err(_) => {
                    // End of input: send what is left, then close our side.
                    server.close().await;
                    break;
                }
            },
            _ = &mut ctrl_c => break,
        }
    }
    Ok(())
}
