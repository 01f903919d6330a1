//! Stage `web_async_multiple`: download the whole list concurrently, with one client.
//!
//! Each URL becomes a task on a `JoinSet`; every task shares the same `reqwest::Client`
//! (and so its connection pool) and starts its request at once, so the total time is about
//! the slowest page's time rather than the sum of all of them. A semaphore caps how many
//! requests are in flight (`--concurrency`), so that a list of thousands does not open
//! thousands of sockets. Lines are printed as downloads finish, in completion order.
//!
//! New compared to `web_sync_multiple`: `tokio::spawn` through a `JoinSet`, a shared
//! client, a `Semaphore`, `join_next` to collect results as they come, and a progress bar
//! on long lists when stderr is a terminal.
//!
//! The runtime is tokio's default, one worker thread per core, not the single thread that
//! `web_async` uses. Waiting costs no thread at all, but starting 200 downloads is work:
//! each connection is a TCP handshake and each request a write, most of it in the kernel.
//! Spread over every core, the last request leaves sooner. Measured on two cores with 200
//! pages of the loopback fixture: about 230 ms against 240 ms on one thread (BENCHMARKS.md).
//!
//! Try it (no internet needed: `demo_pages` serves a local site whose pages each wait
//! 300 ms, and writes a list of them; leave it running in a terminal of its own):
//!
//! ```text
//! cargo run --bin demo_pages -- --pages 30 --write-list /tmp/urls.txt
//! cargo run --bin web_async_multiple -- /tmp/urls.txt --out-dir /tmp/pages
//! cargo run --bin web_async_multiple -- --concurrency 1 /tmp/urls.txt   # sequential again
//! ```

use clap::Parser;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tp6::part1::cli::ListArgs;
use tp6::part1::fetch_async::{DEFAULT_CONCURRENCY, client, download};
use tp6::part1::progress;
use tp6::part1::summary::{Tally, print_outcome};
use tp6::part1::urls::output_path;

/// Download every URL of a list concurrently, with one shared HTTP client.
#[derive(Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    list: ListArgs,
    /// Most requests in flight at once
    #[arg(long, value_name = "N", default_value_t = DEFAULT_CONCURRENCY, allow_negative_numbers = true,
          value_parser = clap::value_parser!(u32).range(1..=65_536))]
    concurrency: u32,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Args = tp6::error::parse_args();
    let urls = match args.list.load() {
        Ok(urls) => urls,
        Err(e) => return tp6::error::usage_error(e),
    };
    // One client for every task: cloning it clones a handle, the pool stays shared.
    let client = match client() {
        Ok(client) => client,
        Err(e) => {
            return tp6::error::fatal(
                anyhow::Error::new(e).context("cannot create the HTTP client"),
            );
        }
    };
    // Shown for long lists on a terminal only (more than 20 pages).
    let progress = progress::bar(urls.len(), "");
    let permits = Arc::new(Semaphore::new(args.concurrency as usize));
    let limit = args.list.timeout.limit();
    let start = Instant::now();

    let mut tasks = JoinSet::new();
    for url in urls {
        let (client, permits) = (client.clone(), Arc::clone(&permits));
        let path = output_path(&args.list.out_dir, &url);
        // Spawned, not awaited: the loop starts every download before waiting for any.
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await.ok();
            download(&client, &url, &path, limit).await
        });
    }

    let mut tally = Tally::default();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(outcome) => {
                progress.suspend(|| print_outcome(&outcome));
                tally.add(&outcome);
            }
            Err(e) => {
                progress.suspend(|| eprintln!("error: a download task failed: {e}"));
                tally.failed += 1;
            }
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    tally.print(start.elapsed());
    tally.exit_code()
}
