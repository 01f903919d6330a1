//! `demo_pages`: a local web site for trying Part I offline, whose pages wait before they
//! answer, like a distant site.
//!
//! A tool, not a stage. `web_sync_multiple`, `web_async_multiple` and `measure` teach that
//! concurrency pays when each request spends its time waiting. A local server that answers
//! at once leaves nothing to overlap, and `python3 -m http.server` also keeps only 5
//! connections waiting to be accepted, so concurrent downloads wait for the kernel's retries:
//! `measure` then shows the opposite of the lesson. This server makes every page wait
//! `--delay-ms` before answering `--status` with a body of `--size` bytes, accepts hundreds
//! of connections at once, and writes a list of its page URLs for the other programs to read:
//!
//! ```text
//! cargo run --bin demo_pages -- --pages 20 --delay-ms 300 --write-list /tmp/urls.txt
//! cargo run --bin measure -- /tmp/urls.txt          # in another terminal
//! ```
//!
//! Every path `/page/<name>` is a page; its query changes that page alone:
//! `/page/slow?delay_ms=2000`, `/page/gone?status=404`, `/page/big?size=100000`. Any
//! other path answers 404 at once. The first line on stdout is `Serving on <ip>:<port>`;
//! `-p 0` binds any free port. Ctrl-C stops it and says how many requests it served and
//! how many it was serving at once at most: 1 after a sequential run, the whole list after
//! a concurrent one.
//!
//! The server is the loopback fixture the grade checks download from
//! (`tp6::grade::fixture`), started on a chosen port with chosen defaults.

use anyhow::Context;
use clap::Parser;
use std::fmt::Write as _;
use std::io::Write as _;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use tp6::grade::fixture::{Fixture, MAX_DELAY, MAX_SIZE, PageDefaults};

/// Serve slow pages on 127.0.0.1, for trying the Part I downloads without the internet.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// TCP port on 127.0.0.1; 0 binds any free port (the Serving on line says which)
    #[arg(short = 'p', long, default_value_t = 8000)]
    port: u16,
    /// How long every page waits before it answers, in milliseconds
    #[arg(long, value_name = "MS", default_value_t = 300, allow_negative_numbers = true,
          value_parser = clap::value_parser!(u64).range(0..=MAX_DELAY.as_millis() as u64))]
    delay_ms: u64,
    /// Length of every page's body, in bytes
    #[arg(long, value_name = "BYTES", default_value_t = 1000, allow_negative_numbers = true,
          value_parser = clap::value_parser!(u64).range(0..=MAX_SIZE as u64))]
    size: u64,
    /// HTTP status every page answers with (e.g. 404 or 503 to try failures)
    #[arg(long, value_name = "CODE", default_value_t = 200, allow_negative_numbers = true,
          value_parser = clap::value_parser!(u16).range(200..=599))]
    status: u16,
    /// Write the URLs of --pages pages to FILE (replaced), one per line, for
    /// web_sync_multiple, web_async_multiple and measure
    #[arg(long, value_name = "FILE")]
    write_list: Option<PathBuf>,
    /// How many page URLs --write-list writes
    #[arg(long, value_name = "N", default_value_t = 10, requires = "write_list",
          allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pages: u32,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Args = tp6::error::parse_args();
    match serve(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => tp6::error::fatal(e),
    }
}

/// Starts the site, writes the list, announces both, and serves until Ctrl-C.
async fn serve(args: Args) -> anyhow::Result<()> {
    let defaults = PageDefaults {
        delay: Duration::from_millis(args.delay_ms),
        status: args.status,
        // Checked against MAX_SIZE by clap, so it fits.
        size: usize::try_from(args.size).unwrap_or(MAX_SIZE),
    };
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
    let fixture = Fixture::start_on(addr, defaults)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    // Written before anything is printed: a list that cannot be written stops the program
    // before it looks ready.
    if let Some(file) = &args.write_list {
        let list = url_list(&fixture, args.pages);
        std::fs::write(file, list)
            .with_context(|| format!("cannot write the URL list {}", file.display()))?;
    }

    say(&format!("Serving on {}", fixture.addr()));
    say(&format!(
        "Every page waits {} ms, then answers {} with {} bytes: {}",
        args.delay_ms,
        args.status,
        args.size,
        fixture.page_url("<name>")
    ));
    say("A URL's query changes its page: ?delay_ms=2000 or ?status=404 or ?size=10");
    if let Some(file) = &args.write_list {
        say(&format!("Wrote {} URLs to {}", args.pages, file.display()));
    }
    say("Ctrl-C to stop.");

    tokio::signal::ctrl_c()
        .await
        .context("cannot wait for Ctrl-C")?;
    say(&format!(
        "{} requests served, at most {} at once",
        fixture.requests(),
        fixture.max_in_flight()
    ));
    Ok(())
}

/// The list file: a comment, then `pages` page URLs named `page01`, `page02`, ….
fn url_list(fixture: &Fixture, pages: u32) -> String {
    let width = pages.to_string().len().max(2);
    let mut list = format!("# {pages} pages of demo_pages on {}\n", fixture.addr());
    for i in 1..=pages {
        // Writing to a String cannot fail.
        let _ = writeln!(list, "{}", fixture.page_url(&format!("page{i:0width$}")));
    }
    list
}

/// One console line; a closed stdout (the reader went away) does not stop the server.
fn say(line: &str) {
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}
