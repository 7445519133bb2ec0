//! What a fetch brought, on its way to the store: a fetched body is parsed and prepared
//! on the blocking pool ([`parse_arrivals`]); then, in the pass's transaction, the feed's
//! fetch record is written (validators, next poll, error) with the new articles
//! ([`handle`]).

use crate::poll::{FetchOutcome, FetchRequest, PollConfig};
use crate::store::Store;
use crate::store::feeds::{Feed, FetchRecord};
use crate::store::now;
use crate::{Error, pipeline};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Hands each fetched document to the blocking pool to be parsed, normalised and
/// fingerprinted (at most `permits` at once), and passes every other outcome on as it is.
pub(super) async fn parse_arrivals(
    mut rx: tokio::sync::mpsc::Receiver<(FetchRequest, FetchOutcome)>,
    ptx: tokio::sync::mpsc::Sender<Arrived>,
    permits: Arc<tokio::sync::Semaphore>,
) {
    while let Some((req, outcome)) = rx.recv().await {
        let ptx = ptx.clone();
        match outcome {
            FetchOutcome::Fetched {
                body,
                content_type,
                etag,
                last_modified,
                final_url,
                permanent_redirect,
                cache,
            } => {
                let Ok(permit) = Arc::clone(&permits).acquire_owned().await else {
                    break;
                };
                tokio::task::spawn_blocking(move || {
                    let _permit = permit;
                    let url = permanent_redirect
                        .clone()
                        .unwrap_or_else(|| req.url.clone());
                    let charset = content_type.as_deref().and_then(charset_of);
                    let doc = pipeline::document_with_charset(&body, &final_url, &url, charset);
                    let fetched = Fetched {
                        etag,
                        last_modified,
                        permanent_redirect,
                        cache,
                        bytes: body.len(),
                    };
                    let _ = ptx.blocking_send(Arrived {
                        req,
                        outcome: Arrival::Fetched(fetched),
                        doc: Some(doc),
                    });
                });
            }
            other => {
                let _ = ptx
                    .send(Arrived {
                        req,
                        outcome: Arrival::Other(other),
                        doc: None,
                    })
                    .await;
            }
        }
    }
}

/// What storing a fetch result did.
pub(super) enum Handled {
    /// Stored, with this many new articles.
    New(usize),
    /// Answered 304.
    NotModified,
    /// Failed, with why.
    Failed(String),
}

/// The `charset` parameter of a `Content-Type` header.
fn charset_of(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim().eq_ignore_ascii_case("charset").then(|| v.trim())
    })
}

/// What a fetched body carried besides the body.
struct Fetched {
    etag: Option<String>,
    last_modified: Option<String>,
    permanent_redirect: Option<String>,
    cache: crate::poll::CacheHints,
    bytes: usize,
}

/// A fetch result on its way to the store: a prepared document, or any other outcome.
pub(super) struct Arrived {
    pub(super) req: FetchRequest,
    outcome: Arrival,
    doc: Option<crate::Result<pipeline::Document>>,
}

/// What came back for a feed: a document (parsed into `Arrived::doc`), or any other
/// outcome as the fetcher gave it.
enum Arrival {
    Fetched(Fetched),
    Other(FetchOutcome),
}

/// Stores what one fetch brought, in the pass's transaction.
pub(super) fn handle(
    tx: &crate::store::db::Tx<'_>,
    cfg: &PollConfig,
    feed: &Feed,
    arrived: Arrived,
    t0: Instant,
) -> crate::Result<Handled> {
    let now = now();
    let seed = crate::poll::jitter_seed(feed.id.0, now);
    let ttl = feed
        .ttl_minutes
        .and_then(|m| u64::try_from(m).ok())
        .map(|m| Duration::from_secs(m * 60));
    let interval = Store::publish_interval(tx, feed.id)?
        .and_then(|s| u64::try_from(s).ok())
        .map(Duration::from_secs);
    let elapsed = i64::try_from(t0.elapsed().as_millis()).unwrap_or(0);
    let fetched = match arrived.outcome {
        Arrival::Fetched(fetched) => fetched,
        Arrival::Other(FetchOutcome::NotModified {
            cache,
            permanent_redirect,
        }) => {
            let rec = FetchRecord {
                status: Some(304),
                next_poll: Some(crate::poll::next_poll(
                    now, cfg, &cache, ttl, interval, seed,
                )),
                new_url: permanent_redirect,
                duration_ms: elapsed,
                ..FetchRecord::default()
            };
            Store::record_fetch(tx, feed.id, &rec, now)?;
            return Ok(Handled::NotModified);
        }
        Arrival::Other(FetchOutcome::Failed {
            error,
            status,
            retry_after,
            gone,
        }) => {
            fail(
                tx,
                cfg,
                feed,
                &error,
                status,
                retry_after,
                gone,
                None,
                now,
                seed,
            )?;
            return Ok(Handled::Failed(error));
        }
        Arrival::Other(FetchOutcome::Fetched { .. }) => {
            // Bodies are always prepared first; nothing to store without one.
            return Ok(Handled::New(0));
        }
    };
    let url = fetched
        .permanent_redirect
        .clone()
        .unwrap_or_else(|| feed.url.clone());
    match arrived.doc {
        Some(Ok(doc)) => {
            let cache = fetched.cache;
            let next = |ttl| crate::poll::next_poll(now, cfg, &cache, ttl, interval, seed);
            stored(tx, feed, &url, &doc, fetched, &next, ttl, elapsed, now)
        }
        Some(Err(e)) => {
            let why = match e {
                Error::NotAFeed { reason, .. } => format!("not a feed: {reason}"),
                other => other.to_string(),
            };
            fail(
                tx,
                cfg,
                feed,
                &why,
                Some(200),
                None,
                false,
                fetched.permanent_redirect,
                now,
                seed,
            )?;
            Ok(Handled::Failed(why))
        }
        None => Ok(Handled::New(0)),
    }
}

/// Stores a fetched feed document with its fetch record (validators, next poll, title).
#[allow(clippy::too_many_arguments)]
fn stored(
    tx: &crate::store::db::Tx<'_>,
    feed: &Feed,
    url: &str,
    doc: &pipeline::Document,
    fetched: Fetched,
    next_poll: &dyn Fn(Option<Duration>) -> chrono::DateTime<chrono::Utc>,
    ttl: Option<Duration>,
    elapsed: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> crate::Result<Handled> {
    let ttl = doc
        .ttl_minutes
        .map(|m| Duration::from_secs(u64::from(m) * 60))
        .or(ttl);
    let rec = FetchRecord {
        status: Some(200),
        etag: fetched.etag,
        last_modified: fetched.last_modified,
        validators: true,
        next_poll: Some(next_poll(ttl)),
        new_url: fetched.permanent_redirect,
        title: doc.title.clone(),
        ttl_minutes: doc.ttl_minutes,
        duration_ms: elapsed,
        bytes: i64::try_from(fetched.bytes).unwrap_or(i64::MAX),
        ..FetchRecord::default()
    };
    let r = pipeline::store_prepared_in(tx, feed.id, url, &doc.items, Some(&rec), now.timestamp())?;
    Ok(Handled::New(r.new))
}

#[allow(clippy::too_many_arguments)] // one record, spelled out where it is built
fn fail(
    tx: &crate::store::db::Tx<'_>,
    cfg: &PollConfig,
    feed: &Feed,
    why: &str,
    status: Option<u16>,
    retry_after: Option<Duration>,
    gone: bool,
    new_url: Option<String>,
    now: chrono::DateTime<chrono::Utc>,
    seed: u64,
) -> crate::Result<()> {
    let errors = u32::try_from(feed.error_count + 1).unwrap_or(u32::MAX);
    let next = crate::poll::retry_at(now, cfg, errors, retry_after, seed);
    let rec = FetchRecord {
        status,
        error: Some(why.to_string()),
        next_poll: Some(next),
        retry_until: retry_after.map(|_| next),
        disable: gone,
        new_url,
        ..FetchRecord::default()
    };
    Store::record_fetch(tx, feed.id, &rec, now)
}
