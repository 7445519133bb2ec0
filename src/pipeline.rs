//! The synchronous pipeline after the bytes: parse → normalise → fingerprint → store →
//! match → origin, for one feed document in one short transaction (so a kill at any
//! moment leaves the database as it was before or after the whole document).

use crate::cluster::Matcher;
use crate::fingerprint::{self, boilerplate};
use crate::model::{Article, FeedId};
use crate::normalize::{self, FeedContext};
use crate::store::feeds::FetchRecord;
use crate::store::{Store, articles::NewArticle};
use crate::{Result, parse};
use rusqlite::{OptionalExtension, Transaction};

/// What one document brought.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    /// Entries in the document.
    pub entries: usize,
    /// Entries that were new.
    pub new: usize,
}

/// Parses and normalises a feed document.
///
/// # Errors
/// [`crate::Error::NotAFeed`] when it is not a feed.
pub fn articles(
    bytes: &[u8],
    what: &str,
    feed_url: &str,
) -> Result<(parse::ParsedFeed, Vec<Article>)> {
    let base = feed_url.starts_with("http").then_some(feed_url);
    let parsed = parse::feed(bytes, what, base)?;
    let ctx = FeedContext {
        feed_url: base,
        language: parsed.language.as_deref(),
    };
    let list = parsed
        .entries
        .iter()
        .map(|e| normalize::entry(e, ctx))
        .collect();
    Ok((parsed, list))
}

/// Stores a feed document's new articles and (when given) records the fetch, in one
/// transaction. Placement into stories follows with [`place_pending`].
///
/// # Errors
/// SQLite failures; nothing is written then.
pub fn store_document(
    store: &mut Store,
    feed_id: FeedId,
    feed_url: &str,
    articles: &[Article],
    fetch: Option<&FetchRecord>,
    now: i64,
) -> Result<Report> {
    store.write(|tx| {
        let new = store_articles(tx, feed_id, feed_url, articles, now)?;
        if let Some(rec) = fetch {
            let mut rec = rec.clone();
            rec.new_articles = i64::try_from(new).unwrap_or(i64::MAX);
            Store::record_fetch(tx, feed_id, &rec, crate::store::time(now))?;
        }
        Ok(Report {
            entries: articles.len(),
            new,
        })
    })
}

/// Inside a transaction: inserts new articles and indexes them; they wait in `pending`
/// for [`place_pending`]. Returns how many were new.
///
/// # Errors
/// SQLite failures.
pub fn store_articles(
    tx: &Transaction<'_>,
    feed_id: FeedId,
    feed_url: &str,
    articles: &[Article],
    now: i64,
) -> Result<usize> {
    // Which entries are new (a feed may list one entry twice: keep the first).
    let mut exists =
        tx.prepare_cached("SELECT 1 FROM articles WHERE feed_id = ?1 AND identity = ?2")?;
    let mut fresh: Vec<&Article> = Vec::new();
    for a in articles {
        let known = exists
            .query_row(rusqlite::params![feed_id.0, a.identity], |_| Ok(()))
            .optional()?
            .is_some();
        if !known && !fresh.iter().any(|f| f.identity == a.identity) {
            fresh.push(a);
        }
    }
    if fresh.is_empty() {
        return Ok(0);
    }
    let feed_site = normalize::url::site(feed_url).unwrap_or_else(|| feed_url.to_string());
    // Count each new article's lines for its site first, so that boilerplate repeated
    // within this very document is already known.
    let site_of = |a: &Article| {
        a.canonical_url
            .as_deref()
            .and_then(normalize::url::site)
            .unwrap_or_else(|| feed_site.clone())
    };
    for a in &fresh {
        let hashes: Vec<i64> = a
            .paragraphs
            .iter()
            .filter(|p| boilerplate::may_repeat(p))
            .map(|p| boilerplate::line_hash(p))
            .collect();
        Store::count_site_lines(tx, &site_of(a), &hashes)?;
    }
    let mut inserted = 0;
    for a in &fresh {
        let fp = fingerprint_article(tx, a, &site_of(a))?;
        let new = NewArticle {
            feed_id,
            feed_url,
            article: a,
            fp: &fp,
            first_seen: now,
        };
        if let Some(id) = Store::insert_article(tx, &new)? {
            Store::index_article(tx, id, &fp, &a.lang)?;
            Store::add_pending(
                tx,
                id,
                a.published.map(|t| t.timestamp()),
                crate::store::articles::ukey(feed_url, &a.identity),
            )?;
            inserted += 1;
        }
    }
    Ok(inserted)
}

/// Articles placed per transaction.
pub const PLACE_BATCH: usize = 256;

/// Places every stored article not yet in a story, in (publication time, key) order, in
/// short transactions. Returns how many were placed.
///
/// # Errors
/// SQLite failures.
pub fn place_pending(
    store: &mut Store,
    matcher: &mut Matcher,
    now: i64,
    progress: &mut dyn FnMut(usize),
) -> Result<usize> {
    let mut done = 0;
    loop {
        let batch = store.pending(PLACE_BATCH)?;
        if batch.is_empty() {
            return Ok(done);
        }
        store.write(|tx| {
            for &id in &batch {
                matcher.place(tx, id, now)?;
                Store::remove_pending(tx, id)?;
            }
            Ok(())
        })?;
        done += batch.len();
        progress(done);
    }
}

/// Fingerprints an article's content (its site's repeated lines and generic boilerplate
/// removed).
///
/// # Errors
/// SQLite failures.
pub fn fingerprint_article(
    conn: &rusqlite::Connection,
    a: &Article,
    site: &str,
) -> Result<fingerprint::Fingerprint> {
    fingerprint_text(conn, &a.title, &a.paragraphs, &a.lang, site)
}

/// Fingerprints stored text (shared by ingest and recluster).
///
/// # Errors
/// SQLite failures.
pub fn fingerprint_text(
    conn: &rusqlite::Connection,
    title: &str,
    paragraphs: &[String],
    lang: &str,
    site: &str,
) -> Result<fingerprint::Fingerprint> {
    let hashes: Vec<i64> = paragraphs
        .iter()
        .map(|p| boilerplate::line_hash(p))
        .collect();
    let repeated = Store::repeated_site_lines(conn, site, &hashes)?;
    let content = boilerplate::content(paragraphs, &|h| repeated.contains(&h));
    Ok(fingerprint::compute(title, &content, lang))
}
