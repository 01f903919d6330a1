//! Stage `web_sync`: download one page with a blocking HTTP client and write it to a file.
//!
//! Two functions, as in the course: `get_content(url)` performs a GET and returns the body,
//! `write_content(content, path)` writes it, replacing the file. Both block: the program
//! waits for the network, then for the disk. There is no runtime and no `async` in this
//! program (reqwest's `blocking` client hides its own machinery).
//!
//! New: HTTP with `reqwest::blocking`, errors that name the URL and the reason (an HTTP
//! status of 400 or more is an error), exit code 0 on success and 1 on failure.
//!
//! Try it (no internet needed: `demo_pages` serves a local site, leave it running in a
//! terminal of its own):
//!
//! ```text
//! cargo run --bin demo_pages
//! cargo run --bin web_sync -- http://127.0.0.1:8000/page/hello
//! cat /tmp/web_page
//! cargo run --bin web_sync -- --output /tmp/x --timeout 2 'http://127.0.0.1:8000/page/x?status=404'
//! ```

use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;
use tp6::part1::cli::TimeoutArg;
use tp6::part1::fetch::{client, get_content, write_content};
use tp6::part1::summary::{Downloaded, Outcome, Tally, print_outcome};
use tp6::part1::{DEFAULT_OUTPUT, FetchError};

/// Download one page (blocking) and write it to a file.
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

fn main() -> ExitCode {
    let args: Args = tp6::error::parse_args();
    let client = match client() {
        Ok(client) => client,
        Err(e) => {
            return tp6::error::fatal(
                anyhow::Error::new(e).context("cannot create the HTTP client"),
            );
        }
    };
    let limit = args.timeout.limit();
    let outcome: Outcome = get_content(&client, &args.url, limit).and_then(|content| {
        write_content(&content, &args.output)
            .map_err(|e| FetchError::write(&args.url, args.output.clone(), e))?;
        Ok(Downloaded {
            url: args.url.clone(),
            path: args.output.clone(),
            bytes: content.len(),
        })
    });
    print_outcome(&outcome);
    Tally::of([&outcome]).exit_code()
}
