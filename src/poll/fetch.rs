//! One conditional GET: a request with the feed's validators in, a [`FetchOutcome`] out.
//!
//! Redirects are followed here, not by reqwest, so a 301/308 chain can be reported as the
//! feed's new URL while 302/307 are followed silently. The body is read chunk by chunk
//! with the size cap applied to decompressed bytes (a gzip bomb stops at the cap), and
//! one deadline covers the whole fetch, redirects and a trickling body included.

use std::time::Duration;

use chrono::Utc;
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Client, Response, StatusCode, redirect};
use url::Url;

use super::headers::{CacheHints, parse_cache_hints, parse_retry_after};
use super::{PollConfig, PollError, human_duration, human_size};

/// Sent with every request so publishers can tell who polls them.
pub const USER_AGENT: &str = concat!(
    "firsthand/",
    env!("CARGO_PKG_VERSION"),
    " (+feed deduplicator)"
);

/// Feed formats first; HTML last so discovery still gets pages.
const ACCEPT: &str = "application/rss+xml, application/atom+xml, application/feed+json, \
    application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, \
    text/html;q=0.5, */*;q=0.1";

/// One feed to fetch, with the validators stored from its last 200.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchRequest {
    /// The caller's id for the feed; carried through untouched.
    pub feed_id: i64,
    /// The feed URL (http or https).
    pub url: String,
    /// ETag from the last 200, sent as `If-None-Match`.
    pub etag: Option<String>,
    /// Last-Modified from the last 200, sent as `If-Modified-Since`.
    pub last_modified: Option<String>,
}

/// How one fetch ended. Failures are data: the caller records them on the feed's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchOutcome {
    /// A 2xx with its body (at most `max_body` bytes, decompressed).
    Fetched {
        /// The body as received, after Content-Encoding is undone.
        body: Vec<u8>,
        /// `Content-Type`, as sent.
        content_type: Option<String>,
        /// `ETag`, to send back as `If-None-Match` next time.
        etag: Option<String>,
        /// `Last-Modified`, to send back as `If-Modified-Since` next time.
        last_modified: Option<String>,
        /// The URL the body came from, after every redirect.
        final_url: String,
        /// The new URL when an unbroken chain of 301/308 moved the feed; the caller
        /// should store it in place of the old one. 302/303/307 do not count.
        permanent_redirect: Option<String>,
        /// Freshness hints for the scheduler.
        cache: CacheHints,
    },
    /// A 304: the validators still match.
    NotModified {
        /// Freshness hints for the scheduler.
        cache: CacheHints,
        /// As in [`FetchOutcome::Fetched`].
        permanent_redirect: Option<String>,
    },
    /// Anything else: an HTTP error status, a network error, a timeout, a body too large.
    Failed {
        /// One lowercase line, e.g. `http 404 not found`, `timed out after 30s`.
        error: String,
        /// The HTTP status, when the failure is one.
        status: Option<u16>,
        /// From `Retry-After` on a 429 or 503.
        retry_after: Option<Duration>,
        /// A 410: the publisher says the feed is gone for good.
        gone: bool,
    },
}

impl FetchOutcome {
    /// A failure that is not an HTTP status.
    fn failed(error: impl Into<String>) -> Self {
        Self::Failed {
            error: error.into(),
            status: None,
            retry_after: None,
            gone: false,
        }
    }
}

/// Parses `url` and refuses anything but http and https, with a message that points
/// local files to `firsthand ingest`.
pub fn only_http(url: &str) -> Result<Url, PollError> {
    let parsed = Url::parse(url.trim()).map_err(|e| PollError::BadUrl {
        url: url.to_string(),
        reason: e.to_string(),
    })?;
    match parsed.scheme() {
        "http" | "https" if parsed.host_str().is_some_and(|h| !h.is_empty()) => Ok(parsed),
        "http" | "https" => Err(PollError::BadUrl {
            url: url.to_string(),
            reason: "no host".to_string(),
        }),
        _ => Err(PollError::NotHttp {
            url: url.to_string(),
        }),
    }
}

/// The HTTP client and the limits it applies. Cheap to clone (the client is shared), so
/// build one and pass it around.
#[derive(Debug, Clone)]
pub struct Fetcher {
    pub(super) client: Client,
    pub(super) cfg: PollConfig,
}

impl Fetcher {
    /// Builds the one client used for every fetch: our User-Agent, rustls,
    /// gzip/brotli/deflate, no automatic redirects.
    pub fn new(cfg: &PollConfig) -> Result<Self, PollError> {
        if cfg.concurrency == 0 || cfg.per_host == 0 {
            return Err(PollError::Config(
                "concurrency and per_host must be at least 1".to_string(),
            ));
        }
        if cfg.min_interval > cfg.max_interval {
            return Err(PollError::Config(
                "min_interval must not exceed max_interval".to_string(),
            ));
        }
        let client = Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(cfg.connect_timeout)
            .redirect(redirect::Policy::none())
            .gzip(true)
            .brotli(true)
            .deflate(true)
            .build()
            .map_err(PollError::Client)?;
        Ok(Self { client, cfg: *cfg })
    }

    /// The limits this fetcher was built with.
    pub fn config(&self) -> &PollConfig {
        &self.cfg
    }

    /// Fetches one feed with a conditional GET. Never fails: errors come back as
    /// [`FetchOutcome::Failed`] with a one-line reason.
    pub async fn fetch(&self, req: &FetchRequest) -> FetchOutcome {
        let url = match only_http(&req.url) {
            Ok(u) => u,
            Err(e) => return FetchOutcome::failed(e.to_string()),
        };
        let outcome =
            match tokio::time::timeout(self.cfg.total_timeout, self.follow(url, req)).await {
                Ok(outcome) => outcome,
                Err(_) => FetchOutcome::failed(format!(
                    "timed out after {}",
                    human_duration(self.cfg.total_timeout)
                )),
            };
        match &outcome {
            FetchOutcome::Fetched { body, .. } => {
                tracing::debug!(feed_id = req.feed_id, url = %req.url, bytes = body.len(), "fetched");
            }
            FetchOutcome::NotModified { .. } => {
                tracing::debug!(feed_id = req.feed_id, url = %req.url, "not modified");
            }
            FetchOutcome::Failed { error, .. } => {
                tracing::debug!(feed_id = req.feed_id, url = %req.url, %error, "fetch failed");
            }
        }
        outcome
    }

    /// Requests `url`, following up to `max_redirects` redirects, and reads the result.
    async fn follow(&self, start: Url, req: &FetchRequest) -> FetchOutcome {
        let mut url = start.clone();
        let mut visited = vec![start.clone()];
        // the last URL reached through 301/308 only, while no 302/303/307 intervened
        let mut permanent: Option<Url> = None;
        let mut all_permanent = true;
        loop {
            let resp = match self.send(&url, req).await {
                Ok(r) => r,
                Err(e) => return FetchOutcome::failed(describe(&e)),
            };
            let status = resp.status();
            if !is_redirect(status) {
                let moved = permanent.filter(|p| *p != start).map(String::from);
                return self.finish(resp, moved).await;
            }
            let Some(next) = location(&resp, &url) else {
                return FetchOutcome::failed(format!(
                    "http {} without a valid location header",
                    status.as_u16()
                ));
            };
            if let Err(e) = only_http(next.as_str()) {
                return FetchOutcome::failed(format!(
                    "redirected to {next}, which is refused: {e}"
                ));
            }
            if visited.contains(&next) {
                return FetchOutcome::failed(format!("redirect loop at {next}"));
            }
            if visited.len() > self.cfg.max_redirects {
                return FetchOutcome::failed(format!(
                    "too many redirects (more than {})",
                    self.cfg.max_redirects
                ));
            }
            let is_permanent = matches!(
                status,
                StatusCode::MOVED_PERMANENTLY | StatusCode::PERMANENT_REDIRECT
            );
            if all_permanent && is_permanent {
                permanent = Some(next.clone());
            } else {
                all_permanent = false;
            }
            visited.push(next.clone());
            url = next;
        }
    }

    /// Sends one GET with the conditional headers.
    async fn send(&self, url: &Url, req: &FetchRequest) -> Result<Response, reqwest::Error> {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_static(ACCEPT));
        // a validator that is not a valid header value is dropped: an unconditional GET
        // is always correct, only less cheap
        if let Some(v) = req
            .etag
            .as_deref()
            .and_then(|v| HeaderValue::from_str(v).ok())
        {
            headers.insert(header::IF_NONE_MATCH, v);
        }
        if let Some(v) = req
            .last_modified
            .as_deref()
            .and_then(|v| HeaderValue::from_str(v).ok())
        {
            headers.insert(header::IF_MODIFIED_SINCE, v);
        }
        self.client.get(url.clone()).headers(headers).send().await
    }

    /// Turns a non-redirect response into an outcome, reading the body if it is a 2xx.
    async fn finish(&self, mut resp: Response, permanent_redirect: Option<String>) -> FetchOutcome {
        let status = resp.status();
        let headers = resp.headers();
        let text = |name: header::HeaderName| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let cache = parse_cache_hints(
            text(header::CACHE_CONTROL).as_deref(),
            text(header::EXPIRES).as_deref(),
        );
        if status == StatusCode::NOT_MODIFIED {
            return FetchOutcome::NotModified {
                cache,
                permanent_redirect,
            };
        }
        if !status.is_success() {
            let retry_after = if matches!(
                status,
                StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
            ) {
                text(header::RETRY_AFTER).and_then(|v| parse_retry_after(&v, Utc::now()))
            } else {
                None
            };
            return FetchOutcome::Failed {
                error: status_line(status),
                status: Some(status.as_u16()),
                retry_after,
                gone: status == StatusCode::GONE,
            };
        }
        let content_type = text(header::CONTENT_TYPE);
        let etag = text(header::ETAG);
        let last_modified = text(header::LAST_MODIFIED);
        let final_url = resp.url().to_string();
        let body = match read_capped(&mut resp, self.cfg.max_body).await {
            Ok(b) => b,
            Err(e) => return FetchOutcome::failed(e),
        };
        FetchOutcome::Fetched {
            body,
            content_type,
            etag,
            last_modified,
            final_url,
            permanent_redirect,
            cache,
        }
    }
}

/// Reads the (decompressed) body, giving up as soon as it passes `max` bytes so memory
/// stays bounded whatever the server sends.
async fn read_capped(resp: &mut Response, max: usize) -> Result<Vec<u8>, String> {
    let too_large = || format!("body larger than {}", human_size(max));
    // only an identity-encoded body has a known length: reqwest hides it when decoding
    let announced = resp.content_length().unwrap_or(0);
    if announced > max as u64 {
        return Err(too_large());
    }
    let mut body = Vec::with_capacity(usize::try_from(announced).unwrap_or(0));
    while let Some(chunk) = resp.chunk().await.map_err(|e| describe(&e))? {
        if body.len().saturating_add(chunk.len()) > max {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The statuses followed as redirects (300, 304, 305 are not).
fn is_redirect(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::MOVED_PERMANENTLY
            | StatusCode::FOUND
            | StatusCode::SEE_OTHER
            | StatusCode::TEMPORARY_REDIRECT
            | StatusCode::PERMANENT_REDIRECT
    )
}

/// The redirect target, resolved against the URL that sent it.
fn location(resp: &Response, base: &Url) -> Option<Url> {
    let raw = resp.headers().get(header::LOCATION)?.to_str().ok()?;
    let mut next = base.join(raw.trim()).ok()?;
    next.set_fragment(None);
    Some(next)
}

/// `http 404 not found`: the code and its reason phrase, lowercase.
fn status_line(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("http {} {}", status.as_u16(), reason.to_lowercase()),
        None => format!("http {}", status.as_u16()),
    }
}

/// One lowercase line for a transport error, naming the root cause rather than
/// reqwest's "error sending request for url (…)" wrapper.
fn describe(err: &reqwest::Error) -> String {
    use std::error::Error as _;
    use std::io::ErrorKind;

    let mut cause: Option<&(dyn std::error::Error + 'static)> = err.source();
    let mut innermost = None;
    while let Some(c) = cause {
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            match io.kind() {
                ErrorKind::ConnectionReset
                | ErrorKind::ConnectionAborted
                | ErrorKind::BrokenPipe
                | ErrorKind::UnexpectedEof => return "connection reset".to_string(),
                ErrorKind::ConnectionRefused => return "connection refused".to_string(),
                ErrorKind::TimedOut => return "connection timed out".to_string(),
                _ => {}
            }
        }
        let text = c.to_string();
        // rustls reading a plain-HTTP answer as a TLS record
        if text.to_ascii_lowercase().contains("invalidcontenttype") {
            return "the server did not answer in TLS: is this a plain http:// port? \
                    (try the URL with http://)"
                .to_string();
        }
        // hyper's words for a peer that hung up mid-response
        if text.contains("connection closed before message completed")
            || text.contains("connection reset")
        {
            return "connection reset".to_string();
        }
        innermost = Some(text);
        cause = c.source();
    }
    if err.is_timeout() {
        return "connection timed out".to_string();
    }
    let text = innermost.unwrap_or_else(|| err.to_string());
    one_line(&text)
}

/// Lowercases and joins lines so the message fits a table cell and a log line.
fn one_line(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_refuses_other_schemes() {
        assert!(only_http("https://example.com/feed").is_ok());
        assert!(only_http("http://example.com/feed").is_ok());
        for bad in [
            "file:///etc/passwd",
            "data:text/plain,hi",
            "ftp://example.com/x",
        ] {
            let e = only_http(bad)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(e.contains("only http and https feeds are fetched"), "{e}");
            assert!(e.contains("firsthand ingest"), "{e}");
        }
        let e = only_http("not a url")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.starts_with("bad feed url not a url"), "{e}");
    }

    #[test]
    fn status_lines() {
        assert_eq!(status_line(StatusCode::NOT_FOUND), "http 404 not found");
        assert_eq!(status_line(StatusCode::GONE), "http 410 gone");
        assert_eq!(
            status_line(StatusCode::INTERNAL_SERVER_ERROR),
            "http 500 internal server error"
        );
        let odd = StatusCode::from_u16(599).unwrap_or(StatusCode::IM_A_TEAPOT);
        assert_eq!(status_line(odd), "http 599");
    }

    #[test]
    fn one_line_flattens() {
        assert_eq!(one_line("DNS error:\n  Failed"), "dns error: failed");
    }

    #[test]
    fn config_is_checked() {
        let cfg = PollConfig {
            per_host: 0,
            ..PollConfig::default()
        };
        assert!(matches!(Fetcher::new(&cfg), Err(PollError::Config(_))));
        assert!(Fetcher::new(&PollConfig::default()).is_ok());
    }
}
