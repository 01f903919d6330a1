//! Sequential vs concurrent download of 200 pages from the loopback fixture.
//!
//! Each page answers after 200 ms, so one after the other the list takes at least 40 s
//! and all at once a little over 200 ms. The bench runs the real binaries
//! (`web_sync_multiple`, `web_async_multiple`) and prints a markdown table for
//! BENCHMARKS.md. Besides the two programs it measures what the concurrent run cannot go
//! below: process start (an empty list) and creating the 200 files with no network at all,
//! on the disk temp dir and, where there is one, on the `/dev/shm` tmpfs.
//!
//! ```text
//! cargo bench --bench web_multiple
//! cargo bench --bench web_multiple -- --async-only   # without the 40 s sequential run
//! cargo bench --bench web_multiple -- --async-only --async-bin /path/to/other/build
//! ```
//!
//! `--async-bin` times another program in place of ours (an older build, a learner's
//! version): it must take the same arguments, `--out-dir DIR URL_FILE`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use tempfile::TempDir;
use tp6::grade::fixture::Fixture;

const PAGES: usize = 200;
const DELAY: Duration = Duration::from_millis(200);
const SIZE: usize = 2_000;
/// Runs of everything fast; the median is reported. The sequential program runs once (40 s).
const RUNS: usize = 9;

const SYNC: &str = env!("CARGO_BIN_EXE_web_sync_multiple");
const ASYNC: &str = env!("CARGO_BIN_EXE_web_async_multiple");

fn main() -> anyhow::Result<()> {
    // `cargo bench` passes `--bench`, which is ignored like anything that is not ours.
    let args: Vec<String> = std::env::args().collect();
    let async_only = args.iter().any(|arg| arg == "--async-only");
    let async_bin = match args.iter().position(|arg| arg == "--async-bin") {
        Some(i) => args
            .get(i + 1)
            .ok_or_else(|| anyhow::anyhow!("--async-bin needs a path"))?
            .as_str(),
        None => ASYNC,
    };
    println!("concurrent program: {async_bin}");
    let name = Path::new(async_bin)
        .file_name()
        .map_or(async_bin.into(), |n| n.to_string_lossy());
    let runtime = tokio::runtime::Runtime::new()?;
    let disk = tempfile::tempdir()?;
    let shm = Path::new("/dev/shm")
        .is_dir()
        .then(|| tempfile::tempdir_in("/dev/shm"))
        .transpose()?;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;

    let empty = disk.path().join("empty.txt");
    std::fs::write(&empty, "")?;
    let start_up = median_of(|| run(async_bin, &empty, disk.path()))?;

    println!(
        "{PAGES} pages, each answered after {} ms, {SIZE} bytes, loopback fixture\n",
        DELAY.as_millis()
    );
    println!("| what | out dir | wall time | most requests in flight |");
    println!("|---|---|---:|---:|");
    println!(
        "| process start, empty list (median of {RUNS}) | - | {:.1} ms | - |",
        ms(start_up)
    );

    let mut verdicts = Vec::new();
    for (label, base) in [
        ("disk temp dir", Some(&disk)),
        ("/dev/shm tmpfs", shm.as_ref()),
    ] {
        let Some(base) = base else { continue };
        let floor = median_of(|| write_files(&fresh_dir(base)?))?;
        println!(
            "| {PAGES} files written, no network (median of {RUNS}) | {label} | {:.1} ms | - |",
            ms(floor)
        );
        let mut in_flight = 0;
        let time = median_of(|| {
            // A fresh fixture per run, so its in-flight count is this run's own.
            let fixture = runtime.block_on(Fixture::start())?;
            let took = run(
                async_bin,
                &write_list(&fixture, base.path())?,
                &fresh_dir(base)?,
            )?;
            in_flight = in_flight.max(fixture.max_in_flight());
            Ok(took)
        })?;
        println!(
            "| {name} (median of {RUNS}) | {label} | {:.0} ms | {in_flight} |",
            ms(time)
        );
        let bound = (DELAY + start_up).mul_f64(1.2);
        verdicts.push(format!(
            "{label}: async {:.0} ms vs 1.2 x (200 ms + process start) = {:.0} ms: {} \
             (the files alone: {:.1} ms)",
            ms(time),
            ms(bound),
            if time <= bound { "within" } else { "over" },
            ms(floor)
        ));
        if label == "disk temp dir" && !async_only {
            let fixture = runtime.block_on(Fixture::start())?;
            let sync_time = run(SYNC, &write_list(&fixture, base.path())?, &fresh_dir(base)?)?;
            println!(
                "| web_sync_multiple (1 run) | {label} | {:.0} ms | {} |",
                ms(sync_time),
                fixture.max_in_flight()
            );
            verdicts.push(format!(
                "speed-up on the disk temp dir (sync / async): {:.0}x",
                sync_time.as_secs_f64() / time.as_secs_f64()
            ));
        }
    }
    println!();
    verdicts.iter().for_each(|v| println!("{v}"));
    Ok(())
}

/// Writes the list of `PAGES` fixture URLs into `dir` and returns its path.
fn write_list(fixture: &Fixture, dir: &Path) -> anyhow::Result<PathBuf> {
    let list: String = (0..PAGES)
        .map(|i| fixture.url(&format!("bench{i}"), DELAY, 200, SIZE) + "\n")
        .collect();
    let path = dir.join("urls.txt");
    std::fs::write(&path, list)?;
    Ok(path)
}

/// A new empty directory under `base`, so that no run writes over another's files.
fn fresh_dir(base: &TempDir) -> anyhow::Result<PathBuf> {
    Ok(tempfile::tempdir_in(base.path())?.keep())
}

/// The file system's share: the same 200 files, written one after the other in-process.
fn write_files(dir: &Path) -> anyhow::Result<Duration> {
    let body = vec![b'x'; SIZE];
    let start = Instant::now();
    for i in 0..PAGES {
        std::fs::write(dir.join(format!("web_page_{i}")), &body)?;
    }
    Ok(start.elapsed())
}

/// Runs `bin` on `list` into `out_dir`, fails unless every URL succeeded, returns the time.
fn run(bin: &str, list: &Path, out_dir: &Path) -> anyhow::Result<Duration> {
    let start = Instant::now();
    let out = Command::new(bin)
        .arg("--out-dir")
        .arg(out_dir)
        .arg(list)
        .output()?;
    let took = start.elapsed();
    anyhow::ensure!(
        out.status.success(),
        "{bin} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(took)
}

/// The median of `RUNS` measurements.
fn median_of(mut measure: impl FnMut() -> anyhow::Result<Duration>) -> anyhow::Result<Duration> {
    let mut times = (0..RUNS)
        .map(|_| measure())
        .collect::<anyhow::Result<Vec<_>>>()?;
    times.sort();
    Ok(times[RUNS / 2])
}
