//! Async downloads: the same `get_content` and `write_content`, with reqwest's async client
//! and `tokio::fs`. Each `.await` on the network gives the thread back to the runtime, so
//! many downloads can wait at once; [`download_all`] is that, bounded by a semaphore.

use super::error::{FetchError, parse_url};
use super::summary::{Downloaded, Outcome};
use super::urls::output_path;
use bytes::Bytes;
use reqwest::Client;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// Default `--concurrency` of `web_async_multiple`: enough for every URL of a long list to
/// be in flight at once, few enough to stay far below the usual limit of open files.
pub const DEFAULT_CONCURRENCY: u32 = 256;

/// An async client. It holds the connection pool: share one (it is cheap to clone, an
/// `Arc` inside) rather than build one per request.
pub fn client() -> reqwest::Result<Client> {
    Client::builder().user_agent(super::USER_AGENT).build()
}

/// GETs `url` and returns its body; a status of 400 or more is an error naming the status.
/// `limit` bounds this request, body included.
pub async fn get_content(client: &Client, url: &str, limit: Duration) -> Result<Bytes, FetchError> {
    let parsed = parse_url(url)?;
    let fail = |e: reqwest::Error| FetchError::from_reqwest(url, limit, &e);
    let response = client
        .get(parsed)
        .timeout(limit)
        .send()
        .await
        .map_err(fail)?;
    let response = response.error_for_status().map_err(fail)?;
    response.bytes().await.map_err(fail)
}

/// Writes `content` to `path`, replacing what was there, without blocking the runtime.
pub async fn write_content(content: &[u8], path: &Path) -> std::io::Result<()> {
    tokio::fs::write(path, content).await
}

/// [`get_content`] then [`write_content`] to `path`.
pub async fn download(client: &Client, url: &str, path: &Path, limit: Duration) -> Outcome {
    let body = get_content(client, url, limit).await?;
    write_content(&body, path)
        .await
        .map_err(|e| FetchError::write(url, path.to_path_buf(), e))?;
    Ok(Downloaded {
        url: url.to_string(),
        path: path.to_path_buf(),
        bytes: body.len(),
    })
}

/// Every URL of the list at once (at most `concurrency` in flight), each into
/// `out_dir/web_<name>`, with one shared client; calls `on_done` as each finishes (in
/// completion order, to show progress) and returns the outcomes in list order.
pub async fn download_all(
    client: &Client,
    urls: &[String],
    out_dir: &Path,
    limit: Duration,
    concurrency: u32,
    mut on_done: impl FnMut(&Outcome),
) -> Vec<Outcome> {
    let permits = Arc::new(Semaphore::new(concurrency.max(1) as usize));
    let mut tasks = JoinSet::new();
    for (index, url) in urls.iter().enumerate() {
        let (client, permits) = (client.clone(), Arc::clone(&permits));
        let (url, path) = (url.clone(), output_path(out_dir, url));
        tasks.spawn(async move {
            // The semaphore is never closed, so acquiring only fails if it were.
            let _permit = permits.acquire_owned().await.ok();
            (index, download(&client, &url, &path, limit).await)
        });
    }
    let mut outcomes: Vec<Option<Outcome>> = urls.iter().map(|_| None).collect();
    while let Some(joined) = tasks.join_next().await {
        if let Ok((index, outcome)) = joined {
            on_done(&outcome);
            outcomes[index] = Some(outcome);
        }
    }
    // A task only fails to report if it panicked; say so for its URL rather than lose it.
    outcomes
        .into_iter()
        .zip(urls)
        .map(|(outcome, url)| {
            outcome.unwrap_or_else(|| {
                Err(FetchError::Request {
                    url: url.clone(),
                    reason: "task panicked".into(),
                })
            })
        })
        .collect()
}
