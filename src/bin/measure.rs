//! `measure`: the course's "Mesure !": the same list downloaded sequentially, then
//! concurrently, both timed.
//!
//! The sequential run is `web_sync_multiple`'s loop (blocking client, no runtime); the
//! concurrent run is `web_async_multiple`'s (one shared async client, every page at once).
//! Both write the pages to `--out-dir`. The speed-up is sync time / async time: with pages
//! that each take about the same time, it approaches the number of pages.
//!
//! New: nothing about HTTP; this is the comparison the warm-up builds up to. Note how the
//! blocking part runs before any runtime exists: reqwest's blocking client must not be used
//! from inside one. Long lists show a progress bar in each run (on a terminal), the one
//! `web_async_multiple` uses. A list with no URL is refused: there would be nothing to time.
//!
//! Try it (no internet needed: `demo_pages` serves pages that each wait 300 ms, like a
//! distant site, and writes a list of them; leave it running in a terminal of its own):
//!
//! ```text
//! cargo run --bin demo_pages -- --pages 20 --delay-ms 300 --write-list /tmp/urls.txt
//! cargo run --bin measure -- /tmp/urls.txt --out-dir /tmp/pages
//! cargo run --bin measure                      # the bundled list of ten sites (internet)
//! ```

use clap::Parser;
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};
use tp6::error::usage_error;
use tp6::part1::cli::ListArgs;
use tp6::part1::fetch_async::DEFAULT_CONCURRENCY;
use tp6::part1::summary::{Outcome, Tally};
use tp6::part1::{fetch, fetch_async, progress};

/// Time the sequential and the concurrent download of the same list.
#[derive(Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    list: ListArgs,
}

fn main() -> ExitCode {
    let args: Args = tp6::error::parse_args();
    let urls = match args.list.load_non_empty() {
        Ok(urls) => urls,
        Err(e) => return usage_error(e),
    };
    let (dir, limit) = (&args.list.out_dir, args.list.timeout.limit());

    let sync_client = match fetch::client() {
        Ok(client) => client,
        Err(e) => {
            return tp6::error::fatal(
                anyhow::Error::new(e).context("cannot create the HTTP client"),
            );
        }
    };
    let bar = progress::bar(urls.len(), "sync");
    let start = Instant::now();
    let sync_outcomes = fetch::download_all(&sync_client, &urls, dir, limit, |_| bar.inc(1));
    let sync_time = start.elapsed();
    bar.finish_and_clear();

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            return tp6::error::fatal(
                anyhow::Error::new(e).context("cannot start the async runtime"),
            );
        }
    };
    let async_result = runtime.block_on(async {
        let client = fetch_async::client()?;
        let bar = progress::bar(urls.len(), "async");
        let start = Instant::now();
        let outcomes =
            fetch_async::download_all(&client, &urls, dir, limit, DEFAULT_CONCURRENCY, |_| {
                bar.inc(1)
            })
            .await;
        let elapsed = start.elapsed();
        bar.finish_and_clear();
        Ok::<_, reqwest::Error>((outcomes, elapsed))
    });
    let (async_outcomes, async_time) = match async_result {
        Ok(done) => done,
        Err(e) => {
            return tp6::error::fatal(
                anyhow::Error::new(e).context("cannot create the HTTP client"),
            );
        }
    };

    let sync = report("sync", &sync_outcomes, sync_time);
    let conc = report("async", &async_outcomes, async_time);
    let _ = writeln!(
        std::io::stdout(),
        "speed-up: {:.2}x",
        sync_time.as_secs_f64() / async_time.as_secs_f64().max(1e-6)
    );
    if sync.failed + conc.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Prints the failures of one run on stderr and its time on stdout.
fn report(name: &str, outcomes: &[Outcome], elapsed: Duration) -> Tally {
    for err in outcomes.iter().filter_map(|o| o.as_ref().err()) {
        eprintln!("error: {name}: {err}");
    }
    let tally = Tally::of(outcomes);
    let _ = writeln!(
        std::io::stdout(),
        "{name:<5} {:.3} s  ({} URLs, {} failed)",
        elapsed.as_secs_f64(),
        tally.ok + tally.failed,
        tally.failed
    );
    tally
}
