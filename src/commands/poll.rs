//! `firsthand poll` (one pass) and `firsthand run` (passes until SIGINT/SIGTERM).
//!
//! Fetches run concurrently on a tokio runtime; each result is parsed and stored
//! synchronously on this thread in its own short transaction (with the feed's new
//! validators and schedule), so a kill loses at most the fetches in flight. When the pass
//! is stored, new articles are placed into stories in a fixed order.

use super::PARTIAL;
use crate::cli::{PollArgs, RunArgs};
use crate::cluster::{Config, Matcher};
use crate::poll::{FetchOutcome, FetchRequest, Fetcher, PollConfig};
use crate::store::Store;
use crate::store::feeds::{Feed, FetchRecord, Schedule};
use crate::store::now;
use crate::{Error, pipeline};
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Feed documents stored per transaction at most (what is ready, up to this many).
const STORE_BATCH: usize = 16;

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
pub fn lock(store: &Store) -> crate::Result<Option<PollLock>> {
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

fn config(concurrency: usize, per_host: usize) -> PollConfig {
    PollConfig {
        concurrency: concurrency.max(1),
        per_host: per_host.max(1),
        ..PollConfig::default()
    }
}

/// `firsthand poll [--all]`.
///
/// # Errors
/// Fatal errors (database, runtime).
pub fn poll(store: &mut Store, args: &PollArgs, matching: &Config) -> anyhow::Result<ExitCode> {
    let _lock = lock(store)?;
    let cfg = config(args.concurrency, args.per_host);
    let stop = Arc::new(AtomicBool::new(false));
    let report = pass(store, &cfg, matching, args.all, &stop)?;
    print_report(&report, &store.schedule(now())?);
    Ok(if report.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(PARTIAL)
    })
}

fn print_report(r: &PassReport, schedule: &Schedule) {
    for (url, why) in &r.failed {
        eprintln!("error: {url}: {why}");
    }
    eprintln!("{}", pass_line(r, schedule, now()));
}

/// The line that ends a pass: what was fetched, and when the feeds that were not due
/// will be (each feed keeps its own schedule, whatever `run --interval` says).
fn pass_line(r: &PassReport, schedule: &Schedule, now: chrono::DateTime<chrono::Utc>) -> String {
    let mut line = format!(
        "polled {} feed(s): {} new article(s), {} not modified, {} failed",
        r.feeds,
        r.new_articles,
        r.not_modified,
        r.failed.len()
    );
    if schedule.polled == 0 {
        line.push_str("; no feeds to poll (add some with `firsthand feeds add URL`)");
        return line;
    }
    let waiting = schedule.polled.saturating_sub(schedule.due);
    match schedule.next_due {
        Some(next) if waiting > 0 => {
            let wait = u64::try_from((next - now).num_seconds()).unwrap_or(0);
            line.push_str(&format!(
                "; {waiting} of {} feed(s) not due yet, the next at {} (in {})",
                schedule.polled,
                next.format("%Y-%m-%d %H:%M UTC"),
                short_duration(wait)
            ));
        }
        _ => {}
    }
    line
}

/// `firsthand run`: a pass every `interval` until SIGINT/SIGTERM.
///
/// # Errors
/// Fatal errors.
pub fn run_forever(
    store: &mut Store,
    args: &RunArgs,
    matching: &Config,
) -> anyhow::Result<ExitCode> {
    let cfg = config(args.concurrency, args.per_host);
    let stop = Arc::new(AtomicBool::new(false));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            rt.block_on(async {
                wait_for_signal().await;
                stop.store(true, Ordering::SeqCst);
            });
        });
    }
    eprintln!(
        "looking for due feeds every {}; each feed is fetched on its own schedule \
         (5m to 24h); Ctrl-C or SIGTERM stops",
        short_duration(args.interval.as_secs())
    );
    while !stop.load(Ordering::SeqCst) {
        {
            let _lock = lock(store)?;
            let report = pass(store, &cfg, matching, false, &stop)?;
            print_report(&report, &store.schedule(now())?);
        }
        let until = Instant::now() + args.interval;
        while Instant::now() < until && !stop.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    eprintln!("stopped");
    Ok(ExitCode::SUCCESS)
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// One pass over the due feeds (all active feeds with `all`). Stops taking new results
/// when `stop` is set; what was stored stays stored.
///
/// # Errors
/// Database or runtime failures.
pub fn pass(
    store: &mut Store,
    cfg: &PollConfig,
    matching: &Config,
    all: bool,
    stop: &AtomicBool,
) -> anyhow::Result<PassReport> {
    let started = now();
    let feeds = store.due_feeds(started, all)?;
    let mut report = PassReport::default();
    let mut matcher = Matcher::new(matching.clone());
    if feeds.is_empty() {
        // A killed pass may have left articles to place.
        pipeline::place_pending(store, &mut matcher, started.timestamp(), &mut |_| {})?;
        return Ok(report);
    }
    let poll_row = store.start_poll(started)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let fetcher = Fetcher::new(cfg)?;
    let t_start = Instant::now();
    let mut progress = Fetching {
        total: feeds.len(),
        done: 0,
        tty: std::io::stderr().is_terminal(),
    };
    // Feeds are claimed a chunk at a time (all at once on SQLite), so that pollers sharing
    // a PostgreSQL database split the due feeds between them.
    let chunk = (cfg.concurrency * 4).max(CLAIM_MIN);
    let mut queue = feeds;
    store.begin_fetching()?;
    let mut fetch_claimed = |store: &mut Store, queue: &mut Vec<Feed>| -> anyhow::Result<()> {
        while !queue.is_empty() && !stop.load(Ordering::SeqCst) {
            let claimed = store.claim_feeds(queue, started, chunk)?;
            if !claimed.is_empty() {
                fetch_and_store(
                    store,
                    &rt,
                    &fetcher,
                    cfg,
                    &claimed,
                    stop,
                    &mut report,
                    &mut progress,
                )?;
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
    let tty = progress.tty;
    let fetched_at = Instant::now();
    tracing::info!(
        feeds = report.feeds,
        new = report.new_articles,
        secs = fetched_at.duration_since(t_start).as_secs_f64(),
        "fetched and stored"
    );
    if tty {
        eprintln!();
    }
    settle(
        store,
        &mut matcher,
        matching,
        started,
        poll_row,
        &report,
        stop.load(Ordering::SeqCst),
        fetched_at,
        tty,
    )?;
    if placing {
        store.unlock_placement()?;
    }
    Ok(report)
}

/// Where fetching stands, for the progress line.
struct Fetching {
    total: usize,
    done: usize,
    tty: bool,
}

/// Fewest feeds claimed at a time (PostgreSQL; SQLite takes all at once).
const CLAIM_MIN: usize = 32;

/// Fetches `feeds`, parses them on the blocking pool and stores what arrives, a few
/// documents per short transaction, until all are done or `stop` is set.
#[allow(clippy::too_many_arguments)]
fn fetch_and_store(
    store: &mut Store,
    rt: &tokio::runtime::Runtime,
    fetcher: &Fetcher,
    cfg: &PollConfig,
    feeds: &[Feed],
    stop: &AtomicBool,
    report: &mut PassReport,
    progress: &mut Fetching,
) -> anyhow::Result<()> {
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
    let f2 = fetcher.clone();
    rt.spawn(async move { f2.fetch_all(reqs, tx).await });
    // Parsing, normalising and fingerprinting run on the blocking pool, a few documents at
    // a time, while this thread stores what is ready.
    let (ptx, mut prx) = tokio::sync::mpsc::channel::<Arrived>(16);
    let workers = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    let permits = Arc::new(tokio::sync::Semaphore::new(workers));
    rt.spawn(parse_arrivals(rx, ptx, permits));
    while let Some(first) = rt.block_on(prx.recv()) {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        // Whatever else is ready goes into the same short transaction.
        let mut batch = vec![first];
        while batch.len() < STORE_BATCH {
            match prx.try_recv() {
                Ok(a) => batch.push(a),
                Err(_) => break,
            }
        }
        let t0 = Instant::now();
        let handled: Vec<(String, Handled)> = store.write(|tx| {
            let mut out = Vec::with_capacity(batch.len());
            for arrived in batch {
                let Some(feed) = by_id.get(&arrived.req.feed_id) else {
                    continue;
                };
                out.push((feed.url.clone(), handle(tx, cfg, feed, arrived, t0)?));
            }
            Ok(out)
        })?;
        for (url, h) in handled {
            progress.done += 1;
            match h {
                Handled::New(n) => report.new_articles += n,
                Handled::NotModified => report.not_modified += 1,
                Handled::Failed(why) => report.failed.push((url, why)),
            }
            report.feeds += 1;
        }
        if progress.tty {
            eprint!(
                "\r[{}/{}] feeds, {} new articles, {} errors   ",
                progress.done,
                progress.total,
                report.new_articles,
                report.failed.len()
            );
        }
    }
    Ok(())
}

/// After a pass stored what it fetched: places the new articles (unless stopped), keeps
/// the indexes to the window and closes the pass's row.
#[allow(clippy::too_many_arguments)]
fn settle(
    store: &mut Store,
    matcher: &mut Matcher,
    matching: &Config,
    started: chrono::DateTime<chrono::Utc>,
    poll_row: i64,
    report: &PassReport,
    stopped: bool,
    fetched_at: Instant,
    tty: bool,
) -> anyhow::Result<()> {
    let pending = store.pending_count()?;
    if pending > 0 && !stopped {
        pipeline::place_pending(store, matcher, started.timestamp(), &mut |p| {
            if tty {
                super::show_progress(p, pending);
            }
        })?;
        if tty {
            eprintln!();
        }
    }
    pipeline::prune_window(store, matching, started.timestamp())?;
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
    Ok(())
}

/// Hands each fetched document to the blocking pool to be parsed, normalised and
/// fingerprinted (at most `permits` at once), and passes every other outcome on as it is.
async fn parse_arrivals(
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

/// "45s", "54m", "2h 5m", "1d 3h": a wait, to the minute past the first minute.
fn short_duration(secs: u64) -> String {
    let (d, h, m) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{secs}s"),
        (0, 0, m) => format!("{m}m"),
        (0, h, 0) => format!("{h}h"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, 0, _) => format!("{d}d"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

enum Handled {
    New(usize),
    NotModified,
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
struct Arrived {
    req: FetchRequest,
    outcome: Arrival,
    doc: Option<crate::Result<pipeline::Document>>,
}

/// What came back for a feed: a document (parsed into `Arrived::doc`), or any other
/// outcome as the fetcher gave it.
enum Arrival {
    Fetched(Fetched),
    Other(FetchOutcome),
}

fn handle(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pass_line_says_when_the_next_feed_is_due() {
        let now = crate::store::time(1_700_000_000);
        let r = PassReport {
            feeds: 2,
            new_articles: 5,
            ..PassReport::default()
        };
        let s = Schedule {
            polled: 10,
            due: 2,
            next_due: Some(now + chrono::Duration::minutes(54)),
        };
        assert_eq!(
            pass_line(&r, &s, now),
            "polled 2 feed(s): 5 new article(s), 0 not modified, 0 failed; \
             8 of 10 feed(s) not due yet, the next at 2023-11-14 23:07 UTC (in 54m)"
        );
        let none = Schedule {
            polled: 0,
            due: 0,
            next_due: None,
        };
        assert!(pass_line(&PassReport::default(), &none, now).contains("no feeds to poll"));
        assert_eq!(short_duration(45), "45s");
        assert_eq!(short_duration(3600 + 300), "1h 5m");
        assert_eq!(short_duration(86_400 * 2 + 3600 * 3 + 59), "2d 3h");
    }
}
