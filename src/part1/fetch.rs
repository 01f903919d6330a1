//! Blocking downloads: `get_content` and `write_content` as the course writes them, with
//! reqwest's blocking client and `std::fs`. No runtime, no `async`: each call holds the
//! thread until the page is in, which is why a list is downloaded one page after the other.

use super::error::{FetchError, parse_url};
use super::summary::{Downloaded, Outcome};
use super::urls::output_path;
use bytes::Bytes;
use reqwest::blocking::Client;
use std::path::Path;
use std::time::Duration;

/// A blocking client; build one and reuse it, so that connections are kept alive.
pub fn client() -> reqwest::Result<Client> {
    Client::builder().user_agent(super::USER_AGENT).build()
}

/// GETs `url` and returns its body; a status of 400 or more is an error naming the status.
/// `limit` bounds the whole request, body included.
pub fn get_content(client: &Client, url: &str, limit: Duration) -> Result<Bytes, FetchError> {
    let parsed = parse_url(url)?;
    let fail = |e: reqwest::Error| FetchError::from_reqwest(url, limit, &e);
    let response = client.get(parsed).timeout(limit).send().map_err(fail)?;
    let response = response.error_for_status().map_err(fail)?;
    response.bytes().map_err(fail)
}

/// Writes `content` to `path`, replacing what was there.
pub fn write_content(content: &[u8], path: &Path) -> std::io::Result<()> {
    std::fs::write(path, content)
}

/// [`get_content`] then [`write_content`] to `path`.
pub fn download(client: &Client, url: &str, path: &Path, limit: Duration) -> Outcome {
    let body = get_content(client, url, limit)?;
    write_content(&body, path).map_err(|e| FetchError::write(url, path.to_path_buf(), e))?;
    Ok(Downloaded {
        url: url.to_string(),
        path: path.to_path_buf(),
        bytes: body.len(),
    })
}

/// Every URL of the list, one after the other, each into `out_dir/web_<name>`; calls
/// `on_done` after each (to print as it goes) and returns the outcomes in list order.
pub fn download_all(
    client: &Client,
    urls: &[String],
    out_dir: &Path,
    limit: Duration,
    mut on_done: impl FnMut(&Outcome),
) -> Vec<Outcome> {
    urls.iter()
        .map(|url| {
            let outcome = download(client, url, &output_path(out_dir, url), limit);
            on_done(&outcome);
            outcome
        })
        .collect()
}
