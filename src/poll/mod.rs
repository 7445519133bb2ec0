//! The network side of polling: the only async code in firsthand.
//!
//! In: feed URLs with their stored validators (ETag, Last-Modified). Out: raw bytes or
//! "not modified" or a one-line failure, plus cache hints for [`schedule`]. Nothing here
//! touches the database or parses feeds: the caller stores what comes back.
//! Politeness lives here: one shared client, conditional GETs, a global and a per-host
//! concurrency limit, capped bodies and timeouts, Retry-After honoured.

pub mod batch;
pub mod discover;
pub mod fetch;
pub mod headers;
pub mod html;
pub mod schedule;

use std::time::Duration;

pub use discover::discover;
pub use fetch::{FetchOutcome, FetchRequest, Fetcher, only_http};
pub use headers::{CacheHints, parse_cache_hints, parse_http_date, parse_retry_after};
pub use schedule::{jitter_seed, next_poll, retry_at};

/// Limits and intervals for polling; [`PollConfig::default`] is polite to publishers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollConfig {
    /// Requests in flight at once, over all hosts.
    pub concurrency: usize,
    /// Requests in flight at once to one host (host name and port).
    pub per_host: usize,
    /// Time allowed to open a TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// Time allowed for one fetch from the first byte sent to the last byte read,
    /// redirects included.
    pub total_timeout: Duration,
    /// Largest body kept, counted after decompression.
    pub max_body: usize,
    /// Redirects followed before giving up.
    pub max_redirects: usize,
    /// A feed is never polled more often than this.
    pub min_interval: Duration,
    /// A healthy feed is polled at least this often.
    pub max_interval: Duration,
}

impl Default for PollConfig {
    fn default() -> Self {
        Self {
            concurrency: 32,
            per_host: 2,
            connect_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(30),
            max_body: 10 * 1024 * 1024,
            max_redirects: 5,
            min_interval: Duration::from_secs(5 * 60),
            max_interval: Duration::from_secs(24 * 60 * 60),
        }
    }
}

/// What the poller can fail with outside a single fetch (a failed fetch is a
/// [`FetchOutcome::Failed`], not an error).
#[derive(Debug, thiserror::Error)]
pub enum PollError {
    /// The HTTP client could not be built (TLS roots, invalid settings).
    #[error("cannot build the http client")]
    Client(#[source] reqwest::Error),
    /// A configuration value that cannot work.
    #[error("bad poll configuration: {0}")]
    Config(String),
    /// A URL that does not parse.
    #[error("bad feed url {url}: {reason}")]
    BadUrl {
        /// As given.
        url: String,
        /// Why it does not parse.
        reason: String,
    },
    /// A URL with a scheme other than http or https.
    #[error("{url}: only http and https feeds are fetched; use `firsthand ingest` for local files")]
    NotHttp {
        /// As given.
        url: String,
    },
    /// A fetch made during discovery failed.
    #[error("{url}: {reason}")]
    Fetch {
        /// The URL fetched.
        url: String,
        /// The one-line reason from [`FetchOutcome::Failed`].
        reason: String,
    },
    /// Discovery found nothing.
    #[error(
        "no feed found at {url} (no <link rel=alternate> and none of {})",
        discover::WELL_KNOWN_PATHS.join(", ")
    )]
    NoFeed {
        /// The page URL given.
        url: String,
    },
}

/// Formats a duration for messages: whole seconds as `30s`, anything else as `1500ms`.
pub(crate) fn human_duration(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

/// Formats a byte count for messages: `10 MiB`, `64 KiB` or `1000 bytes`.
pub(crate) fn human_size(n: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * 1024;
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB", n / MIB)
    } else if n >= KIB && n.is_multiple_of(KIB) {
        format!("{} KiB", n / KIB)
    } else {
        format!("{n} bytes")
    }
}

/// A multi-threaded tokio runtime with `workers` threads, for fetching (and for the
/// local servers of the tests and `eval --world`).
///
/// # Errors
/// [`crate::Error::Io`] when it cannot start.
pub fn runtime(workers: usize) -> crate::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .map_err(|e| crate::Error::Io {
            context: "cannot start the runtime".into(),
            source: e,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_units() {
        assert_eq!(human_duration(Duration::from_secs(30)), "30s");
        assert_eq!(human_duration(Duration::from_millis(1500)), "1500ms");
        assert_eq!(human_size(10 * 1024 * 1024), "10 MiB");
        assert_eq!(human_size(64 * 1024), "64 KiB");
        assert_eq!(human_size(1000), "1000 bytes");
    }

    #[test]
    fn error_messages_are_lowercase_and_helpful() {
        let e = PollError::NotHttp {
            url: "file:///tmp/a.xml".into(),
        };
        assert_eq!(
            e.to_string(),
            "file:///tmp/a.xml: only http and https feeds are fetched; use `firsthand ingest` for local files"
        );
        let e = PollError::NoFeed {
            url: "http://example.com/".into(),
        };
        assert_eq!(
            e.to_string(),
            "no feed found at http://example.com/ (no <link rel=alternate> and none of /feed, /rss, /atom.xml, /feed.xml, /index.xml)"
        );
    }
}
