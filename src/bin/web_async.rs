//! Stage `web_async`: the same download, async: reqwest's async client and `tokio::fs`.
//!
//! `get_content` and `write_content` are now `async fn`s: each `.await` (waiting for the
//! server, for the body, for the disk) hands the thread back to the runtime. With a single
//! page there is nothing else to run meanwhile, so it is no faster than `web_sync`; the
//! next stages are where it pays.
//!
//! New compared to `web_sync`: `reqwest::Client` (async) instead of the blocking one,
//! `tokio::fs::write` instead of `std::fs::write`, `#[tokio::main]`.
//!
//! Try it (no internet needed: `demo_pages` serves a local site, leave it running in a
//! terminal of its own):
//!
//! ```text
//! cargo run --bin demo_pages
//! cargo run --bin web_async -- http://127.0.0.1:8000/page/hello
//! cat /tmp/web_page
//! ```

use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;
use tp6::part1::cli::TimeoutArg;
use tp6::part1::fetch_async::{client, get_content, write_content};
use tp6::part1::summary::{Downloaded, Outcome, Tally, print_outcome};
use tp6::part1::{DEFAULT_OUTPUT, FetchError};

/// Download one page (async) and write it to a file.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// The page to download (http or https)
    url: String,
    /// The file the page is written to (replaced)
    #[arg(long, value_name = "FILE", default_value = DEFAULT_OUTPUT)]
    output: PathBuf,
    #[command(flatten)]
    timeout: TimeoutArg,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Args = tp6::error::parse_args();
    let client = match client() {
        Ok(client) => client,
        Err(e) => {
            return tp6::error::fatal(
                anyhow::Error::new(e).context("cannot create the HTTP client"),
            );
        }
    };
    let outcome = fetch_and_write(&client, &args).await;
    print_outcome(&outcome);
    Tally::of([&outcome]).exit_code()
}

async fn fetch_and_write(client: &reqwest::Client, args: &Args) -> Outcome {
    let content = get_content(client, &args.url, args.timeout.limit()).await?;
    write_content(&content, &args.output)
        .await
        .map_err(|e| FetchError::write(&args.url, args.output.clone(), e))?;
    Ok(Downloaded {
        url: args.url.clone(),
        path: args.output.clone(),
        bytes: content.len(),
    })
}
