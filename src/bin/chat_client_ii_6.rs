//! Stage ii_6, "Déconnexion": the client notices the server going away.
//!
//! What it teaches: why a session ended matters. When the server closes the connection (or
//! it is reset), `server.next()` yields `None` at once, even while the user is in the
//! middle of typing, because the keyboard is read on its own thread and the `select!` is
//! waiting on both: the client says so and exits with status 0. Returning from `main` ends
//! the process, the keyboard thread included.
//!
//! New compared to ii_5: the goodbye line when the server goes away, also while the client
//! is still asking for the pseudo (the same `select!`, around the question).
//!
//! Try it (with `chat_server_ii_6` running):
//!
//! ```text
//! cargo run --bin chat_client_ii_6 -- --pseudo alice
//! # then stop the server with Ctrl-C: the client prints why and exits
//! ```

use clap::Parser;
use std::process::ExitCode;
use tp6::chat::cli::Endpoint;
use tp6::chat::link::Link;
use tp6::chat::terminal::Terminal;

/// The complete Part II client: pseudo, chat, and a clean exit when the server leaves.
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
    // While the user thinks of a pseudo, the server may already be gone: wait for both.
    let pseudo = loop {
        tokio::select! {
            pseudo = terminal.pseudo(args.pseudo.clone()) => break pseudo,
            message = server.next() => match message {
                Some(text) => terminal.show(&text),
                None => {
                    terminal.goodbye("Server closed the connection. Bye!");
                    return Ok(());
                }
            },
        }
    };
    let Some(pseudo) = pseudo else {
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
                None => {
                    terminal.goodbye("Server closed the connection. Bye!");
                    break;
                }
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
