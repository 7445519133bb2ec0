//! Local feed files, as if polled: each file is the feed `file://<absolute path>`, read,
//! parsed and prepared on every core, stored in the order given (so feed ids and stories
//! do not depend on which worker was faster), then placed into stories.

use super::intake::{self, Arrivals, Event};
use super::{Document, Report};
use crate::cluster::Matcher;
use crate::ordered::{InOrder, Lost};
use crate::store::db::Tx;
use crate::store::feeds::FetchRecord;
use crate::store::{Store, now};
use crate::{Error, Result};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

/// What an ingest of files did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ingested {
    /// Files stored.
    pub files: usize,
    /// Files refused (each was reported with [`Event::Refused`]).
    pub refused: usize,
    /// Entries in the stored files.
    pub entries: usize,
    /// Entries that were new.
    pub new: usize,
}

/// A file read and prepared (on any thread).
struct Loaded {
    feed_url: String,
    bytes: usize,
    doc: Result<Document>,
}

/// The feed URL of a local file: `file://` and its absolute path.
fn feed_url(path: &Path) -> String {
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    url::Url::from_file_path(&abs)
        .map_or_else(|()| format!("file://{}", abs.display()), |u| u.to_string())
}

fn load(path: &Path) -> Loaded {
    let feed_url = feed_url(path);
    match std::fs::read(path) {
        Ok(bytes) => Loaded {
            doc: super::document(&bytes, &path.display().to_string(), &feed_url),
            feed_url,
            bytes: bytes.len(),
        },
        Err(e) => Loaded {
            feed_url,
            bytes: 0,
            doc: Err(Error::Read {
                path: path.to_path_buf(),
                source: e,
            }),
        },
    }
}

/// Stores a loaded file as a fetch of its `file:` feed (a later ingest of the same file
/// is a later read of the feed). The inner result is the file's: its error when it could
/// not be read or is not a feed.
fn put(tx: &Tx<'_>, l: Loaded, now: chrono::DateTime<chrono::Utc>) -> Result<Result<Report>> {
    let doc = match l.doc {
        Ok(d) => d,
        Err(e) => return Ok(Err(e)),
    };
    let (feed_id, _) = Store::add_feed_in(tx, &l.feed_url, doc.title.as_deref(), now)?;
    let rec = FetchRecord {
        title: doc.title.clone(),
        bytes: i64::try_from(l.bytes).unwrap_or(i64::MAX),
        ..FetchRecord::default()
    };
    let report = super::store_prepared_in(
        tx,
        feed_id,
        &l.feed_url,
        &doc.items,
        Some(&rec),
        now.timestamp(),
    )?;
    Ok(Ok(report))
}

/// The loaded files in the order given, a batch being every file ready in turn.
struct Files<'a> {
    loaded: &'a mut InOrder<Loaded>,
    /// The name of the `i`th file (for an error about it).
    name: &'a dyn Fn(usize) -> String,
}

impl Arrivals for Files<'_> {
    type Item = Result<Loaded>;

    fn next_batch(
        &mut self,
        idle: &mut dyn FnMut() -> Result<()>,
    ) -> Result<Option<Vec<Self::Item>>> {
        if self.loaded.waiting() {
            idle()?;
        }
        let lost = |Lost(i): Lost| Error::Internal(format!("{} not read", (self.name)(i)));
        let Some(first) = self.loaded.next() else {
            return Ok(None);
        };
        let mut batch = vec![first.map_err(lost)];
        while let Some(l) = self.loaded.next_ready() {
            batch.push(l.map_err(lost));
        }
        Ok(Some(batch))
    }
}

/// Ingests each file: read, parsed and prepared on every core, stored a batch per
/// transaction in the order given (every file as read when the ingest began), placed
/// into stories by `matcher` once all are stored,
/// and the indexes kept to the window. A file that cannot be read or is not a feed is
/// reported with [`Event::Refused`] and the rest go on.
///
/// # Errors
/// Database failures.
pub fn files(
    store: &mut Store,
    paths: &[PathBuf],
    matcher: &mut Matcher,
    on: &mut dyn FnMut(Event<'_>),
) -> Result<Ingested> {
    let started = std::time::Instant::now();
    let name = |i: usize| {
        paths
            .get(i)
            .map_or(String::new(), |p| p.display().to_string())
    };
    // The files of one ingest are one read, at one time: taking the time per batch made
    // an article's first-seen time depend on which files a worker had ready when the
    // clock turned a second, and so the stories of two ingests of the same files differ.
    let read_at = now();
    let done = store_loaded(store, paths, |p| load(p), &name, read_at, on)?;
    tracing::info!(
        files = paths.len(),
        new = done.new,
        secs = started.elapsed().as_secs_f64(),
        "read and stored"
    );
    let placing = std::time::Instant::now();
    intake::settle(store, matcher, now().timestamp(), true, on)?;
    tracing::info!(
        placed = done.new,
        secs = placing.elapsed().as_secs_f64(),
        "matched"
    );
    Ok(done)
}

/// Feeds already in memory, as (feed URL, body): prepared on every core and stored in the
/// order given as [`files`] stores files (each a read of its feed at `now`), without
/// placing them (for [`super::place_pending`]). `bench` measures a batch through this.
///
/// # Errors
/// Database failures.
pub fn documents(
    store: &mut Store,
    feeds: &[(String, Vec<u8>)],
    now: chrono::DateTime<chrono::Utc>,
    on: &mut dyn FnMut(Event<'_>),
) -> Result<Ingested> {
    let name = |i: usize| feeds.get(i).map_or(String::new(), |f| f.0.clone());
    let load = |(url, body): &(String, Vec<u8>)| Loaded {
        feed_url: url.clone(),
        bytes: body.len(),
        doc: super::document(body, url, url),
    };
    store_loaded(store, feeds, load, &name, now, on)
}

/// Loads `items` on every core and stores them in order, a batch of those ready per
/// transaction (indexing what is stored while the next batch is not ready), each batch
/// as read at `now`.
fn store_loaded<I: Sync>(
    store: &mut Store,
    items: &[I],
    load: impl Fn(&I) -> Loaded + Sync,
    name: &dyn Fn(usize) -> String,
    now: chrono::DateTime<chrono::Utc>,
    on: &mut dyn FnMut(Event<'_>),
) -> Result<Ingested> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let mut done = Ingested::default();
    let mut read = 0;
    let stored = crate::ordered::map(
        vec![(); threads],
        items,
        threads * 4,
        |(), item| ControlFlow::Continue(load(item)),
        |loaded| {
            let mut files = Files { loaded, name };
            let put = |tx: &Tx<'_>, batch: Vec<Result<Loaded>>| {
                batch
                    .into_iter()
                    .map(|l| match l {
                        Ok(l) => put(tx, l, now),
                        Err(lost) => Ok(Err(lost)),
                    })
                    .collect()
            };
            intake::store_all(store, &mut files, put, &mut |reports| {
                read += reports.len();
                for r in reports {
                    match r {
                        Ok(r) => {
                            done.files += 1;
                            done.entries += r.entries;
                            done.new += r.new;
                        }
                        Err(e) => {
                            done.refused += 1;
                            on(Event::Refused(&e));
                        }
                    }
                }
                on(Event::Read {
                    done: read,
                    of: items.len(),
                });
            })
        },
    );
    stored?;
    Ok(done)
}

/// Stores one file's articles under the feed `file://<absolute path>` (placement follows
/// with [`super::place_pending`]).
///
/// # Errors
/// [`Error::Read`], [`Error::NotAFeed`], database failures.
pub fn file(store: &mut Store, path: &Path) -> Result<Report> {
    let loaded = load(path);
    store.write(|tx| put(tx, loaded, now()))?
}
