//! The loopback HTTP fixture the web checks download from.
//!
//! A hyper server on `127.0.0.1:<ephemeral>` whose every answer is chosen by its URL:
//! `/page/<name>?delay_ms=200&status=200&size=1000` waits 200 ms, then answers status 200
//! with [`body`]`(name, 1000)`; what the query leaves out comes from the fixture's
//! [`PageDefaults`] (no delay, status 200, 1000 bytes, unless it was started with others).
//! Checks compute the expected file contents with the same [`body`] function. The fixture
//! counts the requests it received and the most it was serving at once, which is how a
//! check tells concurrent downloads from sequential ones. It stops when dropped.
//!
//! The same server is the learners' offline demo site: the `demo_pages` tool starts it on
//! a chosen port with chosen defaults ([`Fixture::start_on`]), so that plain page URLs
//! ([`Fixture::page_url`]) wait like a distant site.

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

/// Largest body the fixture serves, so that a typo in a check cannot eat the memory.
pub const MAX_SIZE: usize = 16 << 20;
/// Longest delay the fixture accepts.
pub const MAX_DELAY: Duration = Duration::from_secs(120);

/// A running fixture; dropping it stops the server and closes its connections.
pub struct Fixture {
    addr: SocketAddr,
    stats: Arc<Stats>,
    server: JoinHandle<()>,
}

/// What a page answers when its URL's query does not say: `delay_ms`, `status`, `size`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageDefaults {
    /// Wait before answering (at most [`MAX_DELAY`]).
    pub delay: Duration,
    /// Status of the answer (200 to 599).
    pub status: u16,
    /// Length of the body (at most [`MAX_SIZE`]).
    pub size: usize,
}

impl Default for PageDefaults {
    /// No delay, status 200, 1000 bytes: what the checks expect of a bare page URL.
    fn default() -> Self {
        PageDefaults {
            delay: Duration::ZERO,
            status: 200,
            size: 1000,
        }
    }
}

/// Counters shared by every connection.
#[derive(Default)]
struct Stats {
    /// Requests received, whatever their path.
    requests: AtomicUsize,
    /// Requests being served right now (their delay included).
    in_flight: AtomicUsize,
    /// The highest `in_flight` seen.
    max_in_flight: AtomicUsize,
}

impl Fixture {
    /// Binds `127.0.0.1:0` and starts serving on the current tokio runtime, with the
    /// default [`PageDefaults`].
    pub async fn start() -> io::Result<Fixture> {
        Fixture::start_on(
            SocketAddr::from(([127, 0, 0, 1], 0)),
            PageDefaults::default(),
        )
        .await
    }

    /// Binds `addr` (port 0: any free port) and starts serving on the current tokio
    /// runtime; a page whose query leaves out a parameter gets it from `defaults`. Fails
    /// when the port is taken or when a default is out of range (a status outside 200 to
    /// 599, a size over [`MAX_SIZE`], a delay over [`MAX_DELAY`]).
    pub async fn start_on(addr: SocketAddr, defaults: PageDefaults) -> io::Result<Fixture> {
        let defaults = Page::from_defaults(defaults)
            .map_err(|reason| io::Error::new(io::ErrorKind::InvalidInput, reason.trim_end()))?;
        // A long accept queue: a check or a bench may start hundreds of downloads at once.
        let listener = crate::net::listen(addr)?;
        let addr = listener.local_addr()?;
        let stats = Arc::new(Stats::default());
        let server = tokio::spawn(serve(listener, Arc::clone(&stats), defaults));
        Ok(Fixture {
            addr,
            stats,
            server,
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL of page `name` (letters, digits, `.`, `-`, `_`), answered after `delay` with
    /// `status` and a body of `size` bytes ([`body`]).
    pub fn url(&self, name: &str, delay: Duration, status: u16, size: usize) -> String {
        format!(
            "http://{}/page/{name}?delay_ms={}&status={status}&size={size}",
            self.addr,
            delay.as_millis()
        )
    }

    /// The URL of page `name` with no query: it answers as the fixture's [`PageDefaults`]
    /// say.
    pub fn page_url(&self, name: &str) -> String {
        format!("http://{}/page/{name}", self.addr)
    }

    /// Requests received so far.
    pub fn requests(&self) -> usize {
        self.stats.requests.load(Ordering::SeqCst)
    }

    /// The most requests that were being served at the same time.
    pub fn max_in_flight(&self) -> usize {
        self.stats.max_in_flight.load(Ordering::SeqCst)
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        // Aborting the accept loop drops its JoinSet, which aborts every connection task.
        self.server.abort();
    }
}

/// The body of page `name` with `size` bytes: numbered lines `<name> 000042 — tp6`,
/// cut to `size`. The `—` makes it UTF-8 rather than ASCII, so that a program mangling
/// encodings is caught; a character cut in half at the end is replaced by `.` so that the
/// body stays valid UTF-8 and exactly `size` bytes long.
pub fn body(name: &str, size: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(size + name.len() + 20);
    let mut line = 0u64;
    while out.len() < size {
        // Writing to a Vec cannot fail.
        let _ = writeln!(out, "{name} {line:06} — tp6");
        line += 1;
    }
    out.truncate(size);
    if let Err(e) = std::str::from_utf8(&out) {
        let valid = e.valid_up_to();
        out[valid..].fill(b'.');
    }
    out
}

async fn serve(listener: TcpListener, stats: Arc<Stats>, defaults: Page) {
    let mut connections = JoinSet::new();
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Out of file descriptors and the like: back off instead of spinning.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let stats = Arc::clone(&stats);
        connections.spawn(async move {
            let service = service_fn(move |req| handle(req, Arc::clone(&stats), defaults));
            // A client closing mid-answer is its business, not the fixture's.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
        while connections.try_join_next().is_some() {}
    }
}

/// Keeps `in_flight` right even when the client goes away during the delay and the
/// handler's future is dropped.
struct InFlight(Arc<Stats>);

impl InFlight {
    fn enter(stats: Arc<Stats>) -> Self {
        let now = stats.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        stats.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(stats)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn handle(
    req: Request<Incoming>,
    stats: Arc<Stats>,
    defaults: Page,
) -> Result<Response<Full<Bytes>>, Infallible> {
    stats.requests.fetch_add(1, Ordering::SeqCst);
    let _in_flight = InFlight::enter(stats);
    let Some(name) = req.uri().path().strip_prefix("/page/") else {
        return Ok(answer(
            StatusCode::NOT_FOUND,
            b"no such path: use /page/<name>\n".to_vec(),
        ));
    };
    let page = match Page::from_query(req.uri().query().unwrap_or(""), defaults) {
        Ok(page) => page,
        Err(reason) => return Ok(answer(StatusCode::BAD_REQUEST, reason.into_bytes())),
    };
    tokio::time::sleep(page.delay).await;
    Ok(answer(page.status, body(name, page.size)))
}

fn answer(status: StatusCode, content: Vec<u8>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(content)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// What a page URL asks for.
#[derive(Debug, Clone, Copy)]
struct Page {
    delay: Duration,
    status: StatusCode,
    size: usize,
}

impl Page {
    /// `defaults` checked: the same limits as a query's.
    fn from_defaults(defaults: PageDefaults) -> Result<Page, String> {
        if defaults.delay > MAX_DELAY {
            return Err(format!(
                "delay: at most {} ms, got {}\n",
                MAX_DELAY.as_millis(),
                defaults.delay.as_millis()
            ));
        }
        Ok(Page {
            delay: defaults.delay,
            status: checked_status(u64::from(defaults.status))?,
            size: checked_size(defaults.size as u64)?,
        })
    }

    /// Reads `delay_ms`, `status` and `size` from a query string; what it leaves out is
    /// taken from `defaults`.
    fn from_query(query: &str, defaults: Page) -> Result<Page, String> {
        let mut page = defaults;
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let number: u64 = value
                .parse()
                .map_err(|_| format!("{key}: not a number: {value:?}\n"))?;
            match key {
                "delay_ms" => page.delay = Duration::from_millis(number).min(MAX_DELAY),
                "status" => page.status = checked_status(number)?,
                "size" => page.size = checked_size(number)?,
                other => return Err(format!("unknown parameter {other:?}\n")),
            }
        }
        Ok(page)
    }
}

fn checked_status(number: u64) -> Result<StatusCode, String> {
    u16::try_from(number)
        .ok()
        .filter(|s| (200..=599).contains(s))
        .and_then(|s| StatusCode::from_u16(s).ok())
        .ok_or(format!("status: expected 200 to 599, got {number}\n"))
}

fn checked_size(number: u64) -> Result<usize, String> {
    usize::try_from(number)
        .ok()
        .filter(|s| *s <= MAX_SIZE)
        .ok_or(format!("size: at most {MAX_SIZE}, got {number}\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_exact_deterministic_utf8() {
        for size in [0, 1, 17, 18, 19, 20, 1000, 4097] {
            let b = body("abc", size);
            assert_eq!(b.len(), size);
            assert!(std::str::from_utf8(&b).is_ok(), "size {size}");
            assert_eq!(b, body("abc", size));
        }
        assert!(body("abc", 100).starts_with("abc 000000 — tp6\nabc 000001".as_bytes()));
        assert_ne!(body("a", 100), body("b", 100));
    }

    fn plain() -> Page {
        Page::from_defaults(PageDefaults::default()).expect("valid defaults")
    }

    #[test]
    fn queries_are_validated() {
        let page = Page::from_query("delay_ms=5&status=404&size=7", plain()).expect("valid");
        assert_eq!(
            (page.delay, page.status.as_u16(), page.size),
            (Duration::from_millis(5), 404, 7)
        );
        assert!(Page::from_query("status=99", plain()).is_err());
        assert!(Page::from_query("size=x", plain()).is_err());
        assert!(Page::from_query("colour=1", plain()).is_err());
    }

    #[test]
    fn a_query_overrides_the_defaults_it_names() {
        let defaults = Page::from_defaults(PageDefaults {
            delay: Duration::from_millis(300),
            status: 503,
            size: 20,
        })
        .expect("valid");
        let page = Page::from_query("", defaults).expect("valid");
        assert_eq!(
            (page.delay, page.status.as_u16(), page.size),
            (Duration::from_millis(300), 503, 20)
        );
        let page = Page::from_query("status=200", defaults).expect("valid");
        assert_eq!(
            (page.delay, page.status.as_u16(), page.size),
            (Duration::from_millis(300), 200, 20)
        );
        let page = Page::from_query("", plain()).expect("valid");
        assert_eq!(
            (page.delay, page.status.as_u16(), page.size),
            (Duration::ZERO, 200, 1000)
        );
    }

    #[test]
    fn defaults_are_validated() {
        let with = |delay_ms: u64, status: u16, size: usize| {
            Page::from_defaults(PageDefaults {
                delay: Duration::from_millis(delay_ms),
                status,
                size,
            })
        };
        assert!(with(0, 200, 0).is_ok());
        assert!(with(0, 199, 0).is_err());
        assert!(with(0, 600, 0).is_err());
        assert!(with(0, 200, MAX_SIZE + 1).is_err());
        assert!(with(MAX_DELAY.as_millis() as u64 + 1, 200, 0).is_err());
    }

    #[tokio::test]
    async fn a_bare_page_url_answers_with_the_defaults() {
        let defaults = PageDefaults {
            delay: Duration::ZERO,
            status: 404,
            size: 5,
        };
        let fixture = Fixture::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), defaults)
            .await
            .expect("start");
        let url = fixture.page_url("x");
        assert_eq!(url, format!("http://{}/page/x", fixture.addr()));
        let get = reqwest::get(&url);
        let response = tokio::time::timeout(Duration::from_secs(5), get)
            .await
            .expect("an answer within 5 s")
            .expect("an answer");
        assert_eq!(response.status().as_u16(), 404);
        let bytes = response.bytes().await.expect("a body");
        assert_eq!(bytes.as_ref(), body("x", 5).as_slice());
    }
}
