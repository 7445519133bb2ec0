//! `firsthand ingest PATH…`: local feed files, as if polled.

use super::{PARTIAL, now};
use crate::cluster::{Config, Matcher};
use crate::store::Store;
use crate::{Error, pipeline};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Ingests each file; a bad file is named with its reason and the rest go on.
///
/// # Errors
/// Database failures.
pub fn run(store: &mut Store, paths: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let (mut failed, mut new, mut entries) = (0, 0, 0);
    for p in paths {
        match file(store, p) {
            Ok(r) => {
                new += r.new;
                entries += r.entries;
            }
            Err(e @ (Error::NotAFeed { .. } | Error::Read { .. })) => {
                eprintln!("error: {e}");
                failed += 1;
            }
            Err(e) => return Err(e.into()),
        }
    }
    let mut matcher = Matcher::new(Config::default());
    pipeline::place_pending(store, &mut matcher, now().timestamp(), &mut |_| {})?;
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
