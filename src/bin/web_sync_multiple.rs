//! Stage `web_sync_multiple`: download a list of pages, one after the other.
//!
//! The URLs come from a file, one per line (blank lines and `#` comments skipped); each
//! page goes to `<out-dir>/web_<name>`, where the name is the URL without its scheme and
//! with `/` and other unsafe characters replaced by `_`. The loop is plain and blocking:
//! page N+1 is requested only when page N is written, so the total time is the sum of every
//! page's time. A failed URL is reported and the loop goes on.
//!
//! New compared to `web_sync`: a list, a loop, one client reused for every page, a failure
//! that does not stop the others, the total time, exit code 1 when any URL failed.
//!
//! Try it (no internet needed: `demo_pages` serves a local site whose pages each wait
//! 300 ms, and writes a list of them; leave it running in a terminal of its own):
//!
//! ```text
//! cargo run --bin demo_pages -- --pages 10 --write-list /tmp/urls.txt
//! echo 'http://127.0.0.1:8000/page/missing?status=404' >> /tmp/urls.txt
//! cargo run --bin web_sync_multiple -- /tmp/urls.txt --out-dir /tmp/pages
//! cargo run --bin web_sync_multiple          # the bundled list of ten sites (internet)
//! ```

use clap::Parser;
use std::process::ExitCode;
use std::time::Instant;
use tp6::part1::cli::ListArgs;
use tp6::part1::fetch::{client, download};
use tp6::part1::summary::{Tally, print_outcome};
use tp6::part1::urls::output_path;

/// Download every URL of a list, one after the other.
#[derive(Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    list: ListArgs,
}

fn main() -> ExitCode {
    let args: Args = tp6::error::parse_args();
    let urls = match args.list.load() {
        Ok(urls) => urls,
        Err(e) => return tp6::error::usage_error(e),
    };
    let client = match client() {
        Ok(client) => client,
        Err(e) => {
            return tp6::error::fatal(
                anyhow::Error::new(e).context("cannot create the HTTP client"),
            );
        }
    };
    let start = Instant::now();
    let mut tally = Tally::default();
    for url in &urls {
        // Blocks until this page is downloaded and written: one page at a time.
        let outcome = download(
            &client,
            url,
            &output_path(&args.list.out_dir, url),
            args.list.timeout.limit(),
        );
        print_outcome(&outcome);
        tally.add(&outcome);
    }
    tally.print(start.elapsed());
    tally.exit_code()
}
