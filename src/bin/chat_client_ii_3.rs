//! Stage ii_3, "Client asynchrone": typing and listening at the same time.
//!
//! What it teaches: a blocking `input()` cannot sit beside a socket read in one thread. The
//! [`Terminal`] reads the keyboard on its own thread and hands each line over a channel, so
//! that typing becomes a future like any other; then one `tokio::select!` waits on the
//! keyboard *and* the socket, and handles whichever is ready first. Every branch is
//! cancel-safe (a branch not chosen loses nothing: a half-read message stays buffered in
//! the [`Link`], a line typed meanwhile waits in the channel), and there is one `ctrl_c`
//! future for the whole session, so a Ctrl-C that arrives while a branch runs is not lost.
//! Sending never waits on the server: the line is queued for a writer task, so a server that
//! stops reading cannot freeze the client.
//!
//! New compared to ii_2: an async client that chats until Ctrl-C or end of input.
//!
//! Try it (with `chat_server_ii_3` or `chat_server_ii_4` running):
//!
//! ```text
//! cargo run --bin chat_client_ii_3
//! ```

use clap::Parser;
use std::process::ExitCode;
use tp6::chat::cli::Endpoint;
use tp6::chat::link::Link;
use tp6::chat::terminal::Terminal;

/// Sends each line you type and prints what the server sends, at the same time.
#[derive(Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    endpoint: Endpoint,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Args = tp6::error::parse_args();
    tp6::error::exit_code(run(args).await)
}

async fn run(args: Args) -> anyhow::Result<()> {
    let mut server = Link::connect(&args.endpoint).await?;
    let mut terminal = Terminal::start();
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
