//! One poll pass: the due feeds fetched concurrently on a tokio runtime, each document
//! parsed and prepared on the blocking pool, and stored as it arrives, a few documents
//! per short transaction (with each feed's new validators and schedule), so that a kill
//! loses at most the fetches in flight. When the pass is stored, the new articles are
//! placed into stories in a fixed order.

use super::fetched::{self, Arrived, Handled};
use super::intake::{self, Arrivals, Event};
use crate::cluster::{Config, Matcher};
use crate::poll::{FetchRequest, Fetcher, PollConfig};
use crate::store::feeds::Feed;
use crate::store::{Store, now};
use crate::{Error, Result};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Feed documents stored per transaction at most (what is ready, up to this many).
const STORE_BATCH: usize = 16;

/// Fewest feeds claimed at a time (PostgreSQL; SQLite takes all at once).
const CLAIM_MIN: usize = 32;

/// What one pass did.
#[derive(Debug, Default, Clone)]
pub struct PassReport {
    /// Feeds fetched.
    pub feeds: usize,
    /// Answered 304.
    pub not_modified: usize,
    /// Failed, with (url, reason).
    pub failed: Vec<(String, String)>,
    /// New articles.
    pub new_articles: usize,
}

/// Holds the poll lock of a database for its lifetime (released on drop or death).
pub struct PollLock(#[allow(dead_code)] std::fs::File);

/// Takes the poll lock next to the database; waits (saying so) while another poll holds it.
///
/// # Errors
/// When the lock file cannot be created.
pub fn lock(store: &Store) -> Result<Option<PollLock>> {
    // PostgreSQL: many polls at once, coordinated in the database (`store::locks`).
    if store.path == ":memory:" || store.is_postgres() {
        return Ok(None);
    }
    let path = format!("{}.poll-lock", store.path);
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::Io {
            context: format!("cannot create lock file {path}"),
            source: e,
        })?;
    match f.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            eprintln!(
                "another firsthand poll is running on {}; waiting for it to finish",
                store.path
            );
            f.lock().map_err(|e| Error::Io {
                context: format!("cannot lock {path}"),
                source: e,
            })?;
        }
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(Error::Io {
                context: format!("cannot lock {path}"),
                source: e,
            });
        }
    }
    Ok(Some(PollLock(f)))
}

/// One pass over the due feeds (all active feeds with `all`): fetched, stored, placed
/// into stories, the indexes kept to the window and the pass recorded. Stops taking new
/// results when `stop` is set (and then places nothing); what was stored stays stored.
///
/// # Errors
/// Database failures; the runtime or the HTTP client cannot start.
pub fn run(
    store: &mut Store,
    cfg: &PollConfig,
    matching: &Config,
    all: bool,
    stop: &AtomicBool,
    on: &mut dyn FnMut(Event<'_>),
) -> Result<PassReport> {
    let started = now();
    let feeds = store.due_feeds(started, all)?;
    let mut report = PassReport::default();
    let mut matcher = Matcher::new(matching.clone());
    if feeds.is_empty() {
        // A killed pass may have left articles to place.
        super::place_pending(store, &mut matcher, started.timestamp(), &mut |_| {})?;
        return Ok(report);
    }
    let poll_row = store.start_poll(started)?;
    let rt = crate::poll::runtime(2)?;
    let fetcher = Fetcher::new(cfg)?;
    let t_start = Instant::now();
    let due = feeds.len();
    // Feeds are claimed a chunk at a time (all at once on SQLite), so that pollers sharing
    // a PostgreSQL database split the due feeds between them.
    let chunk = (cfg.concurrency * 4).max(CLAIM_MIN);
    let mut queue = feeds;
    store.begin_fetching()?;
    let mut fetch_claimed = |store: &mut Store, queue: &mut Vec<Feed>| -> Result<()> {
        while !queue.is_empty() && !stop.load(Ordering::SeqCst) {
            let claimed = store.claim_feeds(queue, started, chunk)?;
            if !claimed.is_empty() {
                let fetch = Fetch {
                    rt: &rt,
                    fetcher: &fetcher,
                    cfg,
                    stop,
                };
                fetch.store(store, &claimed, &mut report, due, on)?;
                store.release_claims(&claimed)?;
            }
        }
        Ok(())
    };
    let fetched = fetch_claimed(store, &mut queue);
    let ended = store.end_fetching();
    fetched?;
    ended?;
    // PostgreSQL: once no poller is storing, the feeds of this pass that nobody fetched
    // (a killed poller's) are fetched now, so that placement sees the whole pass.
    let placing = store.is_postgres() && !stop.load(Ordering::SeqCst);
    if placing {
        store.lock_placement()?;
        let mut left = store.due_feeds(started, all)?;
        fetch_claimed(store, &mut left)?;
    }
    rt.shutdown_timeout(Duration::from_secs(1));
    let fetched_at = Instant::now();
    tracing::info!(
        feeds = report.feeds,
        new = report.new_articles,
        secs = fetched_at.duration_since(t_start).as_secs_f64(),
        "fetched and stored"
    );
    let stopped = stop.load(Ordering::SeqCst);
    let pending = intake::settle(store, &mut matcher, started.timestamp(), !stopped, on)?;
    store.finish_poll(
        poll_row,
        now(),
        report.feeds,
        report.failed.len(),
        report.new_articles,
    )?;
    tracing::info!(
        placed = pending,
        secs = fetched_at.elapsed().as_secs_f64(),
        "matched"
    );
    if placing {
        store.unlock_placement()?;
    }
    Ok(report)
}

/// What fetching a chunk of claimed feeds needs.
struct Fetch<'a> {
    rt: &'a tokio::runtime::Runtime,
    fetcher: &'a Fetcher,
    cfg: &'a PollConfig,
    stop: &'a AtomicBool,
}

impl Fetch<'_> {
    /// Fetches `feeds`, parses them on the blocking pool and stores what arrives, a few
    /// documents per short transaction, until all are done or `stop` is set.
    fn store(
        &self,
        store: &mut Store,
        feeds: &[Feed],
        report: &mut PassReport,
        due: usize,
        on: &mut dyn FnMut(Event<'_>),
    ) -> Result<()> {
        let by_id: std::collections::HashMap<i64, Feed> =
            feeds.iter().map(|f| (f.id.0, f.clone())).collect();
        let reqs: Vec<FetchRequest> = feeds
            .iter()
            .map(|f| FetchRequest {
                feed_id: f.id.0,
                url: f.url.clone(),
                etag: f.etag.clone(),
                last_modified: f.last_modified.clone(),
            })
            .collect();
        let (tx, rx) = tokio::sync::mpsc::channel(64);
        let f2 = self.fetcher.clone();
        self.rt.spawn(async move { f2.fetch_all(reqs, tx).await });
        // Parsing, normalising and fingerprinting run on the blocking pool, a few
        // documents at a time, while this thread stores what is ready.
        let (ptx, prx) = tokio::sync::mpsc::channel::<Arrived>(16);
        let workers = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        let permits = Arc::new(tokio::sync::Semaphore::new(workers));
        self.rt.spawn(fetched::parse_arrivals(rx, ptx, permits));
        let mut arrivals = Fetches {
            rt: self.rt,
            rx: prx,
            stop: self.stop,
        };
        let put = |tx: &crate::store::db::Tx<'_>, batch: Vec<Arrived>| {
            let t0 = Instant::now();
            let mut out = Vec::with_capacity(batch.len());
            for arrived in batch {
                let Some(feed) = by_id.get(&arrived.req.feed_id) else {
                    continue;
                };
                out.push((
                    feed.url.clone(),
                    fetched::handle(tx, self.cfg, feed, arrived, t0)?,
                ));
            }
            Ok(out)
        };
        intake::store_all(store, &mut arrivals, put, &mut |handled| {
            for (url, h) in handled {
                match h {
                    Handled::New(n) => report.new_articles += n,
                    Handled::NotModified => report.not_modified += 1,
                    Handled::Failed(why) => report.failed.push((url, why)),
                }
                report.feeds += 1;
            }
            on(Event::Fetched {
                done: report.feeds,
                of: due,
                new: report.new_articles,
                failed: report.failed.len(),
            });
        })
    }
}

/// Prepared fetch results as they arrive, up to [`STORE_BATCH`] a batch.
struct Fetches<'a> {
    rt: &'a tokio::runtime::Runtime,
    rx: tokio::sync::mpsc::Receiver<Arrived>,
    stop: &'a AtomicBool,
}

impl Arrivals for Fetches<'_> {
    type Item = Arrived;

    /// Waits for the next result without idle work: the pass indexes at placement.
    fn next_batch(
        &mut self,
        _idle: &mut dyn FnMut() -> Result<()>,
    ) -> Result<Option<Vec<Arrived>>> {
        let Some(first) = self.rt.block_on(self.rx.recv()) else {
            return Ok(None);
        };
        if self.stop.load(Ordering::SeqCst) {
            return Ok(None);
        }
        // Whatever else is ready goes into the same short transaction.
        let mut batch = vec![first];
        while batch.len() < STORE_BATCH {
            match self.rx.try_recv() {
                Ok(a) => batch.push(a),
                Err(_) => break,
            }
        }
        Ok(Some(batch))
    }
}
