//! `firsthand ingest PATH…`: local feed files, as if polled.

use super::PARTIAL;
use crate::cluster::{Config, Matcher};
use crate::store::Store;
use crate::store::now;
use crate::{Error, pipeline};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// A file read and prepared (on any thread).
struct Loaded {
    feed_url: String,
    bytes: usize,
    doc: crate::Result<pipeline::Document>,
}

fn load(path: &Path) -> Loaded {
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let feed_url = url::Url::from_file_path(&abs)
        .map_or_else(|()| format!("file://{}", abs.display()), |u| u.to_string());
    match std::fs::read(path) {
        Ok(bytes) => Loaded {
            doc: pipeline::document(&bytes, &path.display().to_string(), &feed_url),
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

/// Ingests each file; a bad file is named with its reason and the rest go on. Files are
/// parsed and fingerprinted in parallel, stored a chunk per transaction, and placed into
/// stories once all are stored.
///
/// # Errors
/// Database failures.
pub fn run(store: &mut Store, paths: &[PathBuf], matching: &Config) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let (mut failed, mut new, mut entries) = (0, 0, 0);
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
    // Workers on every core read, parse and fingerprint files, taking the next file as
    // they finish one; this thread stores them in the order given (so feed ids and
    // stories do not depend on which worker was faster), each time taking in one
    // transaction every file that is ready.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (tx_file, rx_file) = std::sync::mpsc::sync_channel::<(usize, Loaded)>(threads * 4);
    let result: anyhow::Result<()> = std::thread::scope(|s| {
        for _ in 0..threads {
            let (tx_file, next) = (tx_file.clone(), &next);
            s.spawn(move || read_files(paths, next, &tx_file));
        }
        drop(tx_file);
        // Owned here, so an early error return drops it and the workers' sends fail
        // (instead of blocking the scope's join on a full channel).
        let rx_file = rx_file;
        let mut ready: std::collections::BTreeMap<usize, Loaded> =
            std::collections::BTreeMap::new();
        let mut stored = 0;
        let (mut waited, mut storing) = (std::time::Duration::ZERO, std::time::Duration::ZERO);
        let mut indexing = std::time::Duration::ZERO;
        let mut dirty = false;
        let mut open = true;
        while open || !ready.is_empty() {
            if open && dirty && !ready.contains_key(&stored) {
                // Nothing to store yet: write the index rows of what is stored (sorted
                // by key) while the workers read on, instead of all of them at the end.
                match rx_file.try_recv() {
                    Ok((i, l)) => {
                        ready.insert(i, l);
                    }
                    Err(_) => {
                        let t = std::time::Instant::now();
                        pipeline::index_pending(store)?;
                        indexing += t.elapsed();
                        dirty = false;
                    }
                }
            }
            let wait_from = std::time::Instant::now();
            if open && !ready.contains_key(&stored) {
                match rx_file.recv() {
                    Ok((i, l)) => {
                        ready.insert(i, l);
                        while let Ok((i, l)) = rx_file.try_recv() {
                            ready.insert(i, l);
                        }
                    }
                    Err(_) => open = false,
                }
            }
            waited += wait_from.elapsed();
            let mut loaded = Vec::new();
            while let Some(l) = ready.remove(&stored) {
                loaded.push(l);
                stored += 1;
            }
            if loaded.is_empty() {
                if !open && !ready.is_empty() {
                    // A worker died (a bug): the file it never delivered is named.
                    eprintln!(
                        "error: {}: not read (internal error)",
                        paths[stored].display()
                    );
                    failed += 1;
                    stored += 1;
                }
                continue;
            }
            let store_from = std::time::Instant::now();
            let read = stored;
            let now = now();
            let reports = store_loaded(store, loaded, now)?;
            tally(reports, &mut new, &mut entries, &mut failed);
            if tty {
                eprint!("\r{read} of {} files read   ", paths.len());
            }
            storing += store_from.elapsed();
            dirty = true;
        }
        for p in paths.get(stored..).unwrap_or_default() {
            eprintln!("error: {}: not read (internal error)", p.display());
            failed += 1;
        }
        tracing::debug!(
            waited = waited.as_secs_f64(),
            storing = storing.as_secs_f64(),
            indexing = indexing.as_secs_f64(),
            "store thread"
        );
        Ok(())
    });
    result?;
    if tty {
        eprintln!();
    }
    tracing::info!(
        files = paths.len(),
        new,
        secs = started.elapsed().as_secs_f64(),
        "read and stored"
    );
    place(store, matching, tty, new)?;
    eprintln!(
        "ingested {} file(s): {entries} entries, {new} new; {failed} file(s) refused",
        paths.len() - failed
    );
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(PARTIAL)
    })
}

/// A reading worker: loads the next file not taken yet until none is left (or the
/// storing side is gone).
fn read_files(
    paths: &[PathBuf],
    next: &std::sync::atomic::AtomicUsize,
    tx_file: &std::sync::mpsc::SyncSender<(usize, Loaded)>,
) {
    loop {
        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let Some(p) = paths.get(i) else { break };
        if tx_file.send((i, load(p))).is_err() {
            break;
        }
    }
}

/// Adds what each stored file brought to the counts; a file that failed is named.
fn tally(
    reports: Vec<crate::Result<pipeline::Report>>,
    new: &mut usize,
    entries: &mut usize,
    failed: &mut usize,
) {
    for r in reports {
        match r {
            Ok(r) => {
                *new += r.new;
                *entries += r.entries;
            }
            Err(e) => {
                eprintln!("error: {e}");
                *failed += 1;
            }
        }
    }
}

/// Stores loaded files in one transaction, each as a fetch of its `file:` feed; a file
/// that could not be read is its error, in order.
fn store_loaded(
    store: &mut Store,
    loaded: Vec<Loaded>,
    now: chrono::DateTime<chrono::Utc>,
) -> crate::Result<Vec<crate::Result<pipeline::Report>>> {
    store.write(|tx| {
        let mut out = Vec::with_capacity(loaded.len());
        for l in loaded {
            let doc = match l.doc {
                Ok(d) => d,
                Err(e) => {
                    out.push(Err(e));
                    continue;
                }
            };
            let (feed_id, _) = Store::add_feed_in(tx, &l.feed_url, doc.title.as_deref(), now)?;
            // Recorded like a fetch: a later ingest of the same file is a later read.
            let rec = crate::store::feeds::FetchRecord {
                title: doc.title.clone(),
                bytes: i64::try_from(l.bytes).unwrap_or(i64::MAX),
                ..crate::store::feeds::FetchRecord::default()
            };
            out.push(Ok(pipeline::store_prepared_in(
                tx,
                feed_id,
                &l.feed_url,
                &doc.items,
                Some(&rec),
                now.timestamp(),
            )?));
        }
        Ok(out)
    })
}

/// Places what the ingest stored into stories (progress on a terminal), then keeps the
/// indexes to the matching window.
fn place(store: &mut Store, matching: &Config, tty: bool, new: usize) -> crate::Result<()> {
    let placing = std::time::Instant::now();
    let mut matcher = Matcher::new(matching.clone());
    let total = store.pending_count()?;
    pipeline::place_pending(store, &mut matcher, now().timestamp(), &mut |p| {
        if tty {
            super::show_progress(p, total);
        }
    })?;
    if tty && total > 0 {
        eprintln!();
    }
    tracing::info!(
        placed = new,
        secs = placing.elapsed().as_secs_f64(),
        "matched"
    );
    // The run's caches (millions of small allocations) are not freed one by one: the
    // process ends after this command, and freeing them took half a second.
    std::mem::forget(matcher);
    pipeline::prune_window(store, matching, now().timestamp())?;
    Ok(())
}

/// Stores one file's articles under the feed `file://<absolute path>` (placement follows
/// with [`pipeline::place_pending`]).
///
/// # Errors
/// [`Error::Read`], [`Error::NotAFeed`], database failures.
pub fn file(store: &mut Store, path: &Path) -> crate::Result<pipeline::Report> {
    let bytes = std::fs::read(path).map_err(|e| Error::Read {
        path: path.to_path_buf(),
        source: e,
    })?;
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let feed_url = url::Url::from_file_path(&abs)
        .map_or_else(|()| format!("file://{}", abs.display()), |u| u.to_string());
    let what = path.display().to_string();
    let (parsed, articles) = pipeline::articles(&bytes, &what, &feed_url)?;
    let (feed_id, _) = store.add_feed(&feed_url, parsed.title.as_deref(), now())?;
    // Recorded like a fetch: a later ingest of the same file is a later read of the feed.
    let read = crate::store::feeds::FetchRecord {
        title: parsed.title.clone(),
        bytes: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        ..crate::store::feeds::FetchRecord::default()
    };
    pipeline::store_document(
        store,
        feed_id,
        &feed_url,
        &articles,
        Some(&read),
        now().timestamp(),
    )
}
