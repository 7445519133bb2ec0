//! The synchronous pipeline after the bytes: parse → normalise → fingerprint → store →
//! match → origin, for one feed document in one short transaction (so a kill at any
//! moment leaves the database as it was before or after the whole document). The stage
//! that brings documents in ([`intake`]) is shared by [`ingest`] (local files) and a poll
//! [`pass`] (fetched feeds).

mod fetched;
pub mod ingest;
mod intake;
pub mod pass;

pub use intake::Event;

use crate::cluster::Matcher;
use crate::domain::{Article, ArticleId, FeedId};
use crate::fingerprint::{self, boilerplate};
use crate::normalize::{self, FeedContext};
use crate::store::db::Tx;
use crate::store::feeds::FetchRecord;
use crate::store::{Store, articles::NewArticle};
use crate::{Result, parse};

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
    articles_with_charset(bytes, what, feed_url, None)
}

fn articles_with_charset(
    bytes: &[u8],
    what: &str,
    feed_url: &str,
    charset: Option<&str>,
) -> Result<(parse::ParsedFeed, Vec<Article>)> {
    // A local file's own file: URL is its base too, as a fetched feed's URL is.
    let base = (feed_url.starts_with("http") || feed_url.starts_with("file:")).then_some(feed_url);
    let parsed = parse::feed_with_charset(bytes, what, base, charset)?;
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

/// A parsed, normalised and prepared feed document.
#[derive(Debug, Clone)]
pub struct Document {
    /// Feed title.
    pub title: Option<String>,
    /// RSS ttl in minutes.
    pub ttl_minutes: Option<u32>,
    /// Its articles, ready to store.
    pub items: Vec<Prepared>,
}

/// Parses, normalises and prepares a feed document (pure; any thread).
///
/// # Errors
/// [`crate::Error::NotAFeed`] when it is not a feed.
pub fn document(bytes: &[u8], what: &str, feed_url: &str) -> Result<Document> {
    document_with_charset(bytes, what, feed_url, None)
}

/// [`document`] with the charset of the HTTP `Content-Type`, when it named one.
///
/// # Errors
/// [`crate::Error::NotAFeed`] when it is not a feed.
pub fn document_with_charset(
    bytes: &[u8],
    what: &str,
    feed_url: &str,
    charset: Option<&str>,
) -> Result<Document> {
    let (parsed, list) = articles_with_charset(bytes, what, feed_url, charset)?;
    Ok(Document {
        title: parsed.title,
        ttl_minutes: parsed.ttl_minutes,
        items: prepare(list),
    })
}

/// An article ready to store: normalised, its lines hashed, and fingerprinted with the
/// boilerplate its own document shows (lines its entries repeat more often than its own
/// text: [`boilerplate::repeated_lines`]).
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The article.
    pub article: Article,
    /// Line hash per paragraph; `None` for paragraphs too long to be boilerplate.
    pub lines: Vec<Option<i64>>,
    /// Paragraphs treated as site boilerplate when `fp` was computed.
    pub site_lines: Vec<bool>,
    /// The fingerprint.
    pub fp: fingerprint::Fingerprint,
}

/// Prepares a document's articles (pure, so it can run on any thread).
#[must_use]
pub fn prepare(articles: Vec<Article>) -> Vec<Prepared> {
    let lines: Vec<Vec<Option<i64>>> = articles
        .iter()
        .map(|a| line_hashes(&a.paragraphs))
        .collect();
    // How many entries of this document carry each line.
    let mut seen: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
    for l in &lines {
        let mut distinct: Vec<i64> = l.iter().flatten().copied().collect();
        distinct.sort_unstable();
        distinct.dedup();
        for h in distinct {
            *seen.entry(h).or_default() += 1;
        }
    }
    articles
        .into_iter()
        .zip(lines)
        .map(|(article, lines)| {
            let counts: Vec<Option<i64>> = lines
                .iter()
                .map(|h| h.map(|h| seen.get(&h).copied().unwrap_or(1)))
                .collect();
            let site_lines = boilerplate::repeated_lines(&article.paragraphs, &counts);
            let fp = fingerprint_masked(
                &article.title,
                &article.paragraphs,
                &article.lang,
                &site_lines,
            );
            Prepared {
                article,
                lines,
                site_lines,
                fp,
            }
        })
        .collect()
}

/// Line hash per paragraph; `None` for paragraphs too long to be boilerplate.
fn line_hashes(paragraphs: &[String]) -> Vec<Option<i64>> {
    paragraphs
        .iter()
        .map(|p| boilerplate::may_repeat(p).then(|| boilerplate::line_hash(p)))
        .collect()
}

/// Prepares many documents on all cores.
#[must_use]
pub fn prepare_all(docs: Vec<Vec<Article>>) -> Vec<Vec<Prepared>> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    if threads < 2 || docs.len() < 2 {
        return docs.into_iter().map(prepare).collect();
    }
    let n = docs.len();
    let mut slots: Vec<Option<Vec<Article>>> = docs.into_iter().map(Some).collect();
    let chunk = n.div_ceil(threads);
    let mut out: Vec<Vec<Prepared>> = Vec::with_capacity(n);
    std::thread::scope(|scope| {
        let handles: Vec<_> = slots
            .chunks_mut(chunk)
            .map(|part| {
                let owned: Vec<Vec<Article>> = part.iter_mut().filter_map(Option::take).collect();
                scope.spawn(move || owned.into_iter().map(prepare).collect::<Vec<_>>())
            })
            .collect();
        for h in handles {
            // A panic in a worker is a bug; surface it rather than lose articles silently.
            match h.join() {
                Ok(v) => out.extend(v),
                Err(e) => std::panic::resume_unwind(e),
            }
        }
    });
    out
}

/// Fingerprints paragraphs with the given site-boilerplate mask (generic boilerplate is
/// always removed).
#[must_use]
pub fn fingerprint_masked(
    title: &str,
    paragraphs: &[String],
    lang: &str,
    site_lines: &[bool],
) -> fingerprint::Fingerprint {
    let content = boilerplate::content(paragraphs, site_lines);
    let mut fp = fingerprint::compute(title, &content, lang);
    let own: Vec<&str> = paragraphs
        .iter()
        .enumerate()
        .filter(|(i, _)| !site_lines.get(*i).copied().unwrap_or(false))
        .map(|(_, p)| p.as_str())
        .collect();
    if own.len() != content.len() {
        fp.dup_hash = fingerprint::words_hash(&own);
    }
    fp
}

/// Stores a feed document's new articles and (when given) records the fetch, in one
/// transaction. Placement into stories follows with [`place_pending`].
///
/// # Errors
/// Database failures; nothing is written then.
pub fn store_document(
    store: &mut Store,
    feed_id: FeedId,
    feed_url: &str,
    articles: &[Article],
    fetch: Option<&FetchRecord>,
    now: i64,
) -> Result<Report> {
    let prepared = prepare(articles.to_vec());
    store_prepared(store, feed_id, feed_url, &prepared, fetch, now)
}

/// [`store_document`] for prepared articles.
///
/// # Errors
/// Database failures; nothing is written then.
pub fn store_prepared(
    store: &mut Store,
    feed_id: FeedId,
    feed_url: &str,
    items: &[Prepared],
    fetch: Option<&FetchRecord>,
    now: i64,
) -> Result<Report> {
    store.write(|tx| store_prepared_in(tx, feed_id, feed_url, items, fetch, now))
}

/// [`store_prepared`] inside a transaction.
///
/// # Errors
/// Database failures.
pub fn store_prepared_in(
    tx: &Tx<'_>,
    feed_id: FeedId,
    feed_url: &str,
    items: &[Prepared],
    fetch: Option<&FetchRecord>,
    now: i64,
) -> Result<Report> {
    let new = store_articles(tx, feed_id, feed_url, items, now)?;
    if let Some(rec) = fetch {
        let mut rec = rec.clone();
        rec.new_articles = i64::try_from(new).unwrap_or(i64::MAX);
        Store::record_fetch(tx, feed_id, &rec, crate::store::time(now))?;
    }
    Ok(Report {
        entries: items.len(),
        new,
    })
}

/// Inside a transaction: inserts new articles; they wait in `unindexed` and `pending`
/// for [`place_pending`] (which indexes them all first). Returns how many were new.
///
/// What is one article: within a feed, one identity (GUID, else canonical URL, else a
/// hash of title and text). Across feeds, an article is the web page its link names: an
/// entry whose canonical URL and title another feed already brought is that article again
/// (a local copy of a feed read by `ingest`, then the feed itself polled; two snapshots
/// of one feed; a site's category feeds), not a second member of its story. Copies at
/// other URLs stay articles of their own, whatever their text; entries without a link,
/// or with the same link but another title (feeds that link every entry to their home
/// page), are never merged this way.
///
/// # Errors
/// Database failures.
pub fn store_articles(
    tx: &Tx<'_>,
    feed_id: FeedId,
    feed_url: &str,
    items: &[Prepared],
    now: i64,
) -> Result<usize> {
    // Which entries are new (a feed may list one entry twice: keep the first).
    let mut fresh: Vec<&Prepared> = Vec::new();
    for p in items {
        let known = Store::has_entry(tx, feed_id, &p.article.identity)?
            || match p.article.canonical_url.as_deref() {
                Some(url) => Store::same_page_elsewhere(tx, feed_id, url, &p.article.title)?,
                None => false,
            };
        if !known
            && !fresh
                .iter()
                .any(|f| f.article.identity == p.article.identity)
        {
            fresh.push(p);
        }
    }
    if fresh.is_empty() {
        return Ok(0);
    }
    let feed_site = normalize::url::site(feed_url).unwrap_or_else(|| feed_url.to_string());
    let site_of = |a: &Article| {
        a.canonical_url
            .as_deref()
            .and_then(normalize::url::site)
            .unwrap_or_else(|| feed_site.clone())
    };
    let mut inserted = 0;
    for p in &fresh {
        let a = &p.article;
        // Count the article's lines for its site. Lines repeated within this document are
        // in `p.site_lines` already; the site may repeat more: fingerprint again then.
        let hashes: Vec<i64> = p.lines.iter().flatten().copied().collect();
        let counts = Store::count_site_lines(tx, &site_of(a), &hashes)?;
        let repeated = boilerplate::repeated_lines(&a.paragraphs, &line_counts(&p.lines, &counts));
        let mask: Vec<bool> = p
            .site_lines
            .iter()
            .zip(&repeated)
            .map(|(local, site)| *local || *site)
            .collect();
        let refreshed;
        let fp = if mask == p.site_lines {
            &p.fp
        } else {
            refreshed = fingerprint_masked(&a.title, &a.paragraphs, &a.lang, &mask);
            &refreshed
        };
        let new = NewArticle {
            feed_id,
            feed_url,
            article: a,
            fp,
            first_seen: now,
        };
        if let Some(id) = Store::insert_article(tx, &new)? {
            Store::mark_unindexed(tx, id)?;
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

/// Pending articles taken at once: their candidates and pair decisions are read ahead on
/// every core while they are placed, [`crate::cluster::AHEAD_CHUNK`] per transaction.
pub const READ_AHEAD: usize = 8192;

/// Articles indexed per transaction.
pub const INDEX_BATCH: usize = 20_000;

/// Writes the retrieval-index rows of every stored article still waiting for them, in
/// short transactions of sorted rows. Returns how many were indexed.
///
/// # Errors
/// Database failures.
pub fn index_pending(store: &mut Store) -> Result<usize> {
    let mut total = 0;
    loop {
        let n = store.write(|tx| Store::index_unindexed(tx, INDEX_BATCH))?;
        total += n;
        if n < INDEX_BATCH {
            return Ok(total);
        }
    }
}

/// Articles taken out of the indexes per transaction when they leave the window.
pub const PRUNE_BATCH: usize = 2000;

/// Keeps the retrieval indexes and anchor statistics to the matching window (see
/// [`Store::prune_window`]), in short transactions. Returns how many articles left.
///
/// # Errors
/// Database failures.
pub fn prune_window(store: &mut Store, cfg: &crate::cluster::Config, now: i64) -> Result<usize> {
    // Articles still waiting for their index rows get them first, so that none is left
    // behind the window start, indexed and never pruned.
    index_pending(store)?;
    let before = now - cfg.window_secs;
    let (leaving, staying) = Store::window_counts(store.conn(), before)?;
    if leaving > staying {
        // Most of the window leaves at once: the indexes are written afresh for the rest.
        store.write(|tx| Store::restart_window(tx, before))?;
        index_pending(store)?;
        return Ok(usize::try_from(leaving).unwrap_or(usize::MAX));
    }
    let mut total = 0;
    loop {
        let n = store.write(|tx| Store::prune_window(tx, before, PRUNE_BATCH))?;
        total += n;
        if n < PRUNE_BATCH {
            return Ok(total);
        }
    }
}

/// Articles read by the model per transaction of vectors.
pub const EMBED_BATCH: usize = 64;

/// Gives each of `ids` that has none a vector of `model` (computed outside any
/// transaction, written a batch per transaction), telling `progress` how many of `ids`
/// are done; returns how many were computed. Vectors of another model are dropped first.
///
/// # Errors
/// SQLite or model failures.
pub fn embed_missing(
    store: &mut Store,
    model: &crate::embed::Model,
    ids: &[ArticleId],
    progress: &mut dyn FnMut(usize),
) -> Result<usize> {
    store.write(|tx| Store::keep_model(tx, model.key()).map(|_| ()))?;
    let started = std::time::Instant::now();
    let mut done = 0;
    for (k, chunk) in ids.chunks(EMBED_BATCH).enumerate() {
        progress((k * EMBED_BATCH).min(ids.len()));
        let need = Store::needing_vectors(store.conn(), chunk)?;
        if need.is_empty() {
            continue;
        }
        let texts: Vec<String> = need
            .iter()
            .map(|n| crate::embed::Model::input(&n.title, &n.paragraphs))
            .collect();
        let vecs = model.embed(&texts)?;
        let rows: Vec<_> = need.iter().map(|n| n.id).zip(vecs).collect();
        store.write(|tx| Store::put_vectors(tx, model.key(), &rows))?;
        done += rows.len();
        tracing::debug!(done, of = ids.len(), "model vectors");
    }
    progress(ids.len());
    if done > 0 {
        tracing::info!(
            articles = done,
            secs = started.elapsed().as_secs_f64(),
            "model vectors computed"
        );
    }
    Ok(done)
}

/// How far [`place_pending`] has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// The retrieval index rows of this many stored articles are written (and the newest
    /// articles read into memory): matching starts.
    Indexed(usize),
    /// Model vectors: this many of the pending articles done.
    Vectors(usize),
    /// This many articles placed.
    Placed(usize),
}

/// Places every stored article not yet in a story, in (publication time, key) order, in
/// short transactions (indexing them first, and giving them model vectors when a model is
/// set). Returns how many were placed. On PostgreSQL it first waits for every poller
/// still storing and for any other placer (`Store::lock_placement`).
///
/// # Errors
/// Database failures.
pub fn place_pending(
    store: &mut Store,
    matcher: &mut Matcher,
    now: i64,
    progress: &mut dyn FnMut(Progress),
) -> Result<usize> {
    store.lock_placement()?;
    let placed = place_locked(store, matcher, now, progress);
    let unlocked = store.unlock_placement();
    let placed = placed?;
    unlocked?;
    Ok(placed)
}

fn place_locked(
    store: &mut Store,
    matcher: &mut Matcher,
    now: i64,
    progress: &mut dyn FnMut(Progress),
) -> Result<usize> {
    let t = std::time::Instant::now();
    let first = store.first_pending()?;
    // The newest articles are read into memory while the index rows are written (on
    // another connection), unless they need the model's vectors, computed after.
    let reader = match (first, matcher.model()) {
        (Some(_), None) => store.reader()?,
        _ => None,
    };
    let (indexed, recent) = std::thread::scope(|scope| {
        let read = reader.zip(first).map(|(conn, first)| {
            scope.spawn(move || crate::cluster::recent::Recent::read(&conn, first))
        });
        let indexed = index_pending(store);
        let recent = read.map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        (indexed, recent)
    });
    let indexed = indexed?;
    progress(Progress::Indexed(indexed));
    tracing::debug!(indexed, secs = t.elapsed().as_secs_f64(), "indexed");
    if let Some(model) = matcher.model().cloned() {
        let ids = store.pending(usize::MAX)?;
        embed_missing(store, &model, &ids, &mut |n| progress(Progress::Vectors(n)))?;
    }
    let recent = match (recent, first) {
        (Some(r), _) => Some(r?),
        (None, Some(first)) => Some(crate::cluster::recent::Recent::read(store.conn(), first)?),
        (None, None) => None,
    };
    if let Some(r) = recent {
        let newest = Store::article_count(store.conn())?;
        if let Some(below) = r.older_below()
            && newest >= matcher.config().lsh_filter_from
        {
            matcher.hold_lsh_filter(lsh_filter(store, below, ArticleId(newest))?);
        }
        matcher.hold_recent(r);
    }
    tracing::debug!(
        secs = t.elapsed().as_secs_f64(),
        "indexed and recent articles read"
    );
    let mut done = 0;
    loop {
        let ahead = store.pending(READ_AHEAD)?;
        if ahead.is_empty() {
            store.write(|tx| {
                matcher.second_look(tx, now)?;
                matcher.finish(tx, now)
            })?;
            return Ok(done);
        }
        let t = std::time::Instant::now();
        matcher.place_ahead(store, &ahead, now, &mut |matcher, store, chunk| {
            store.write(|tx| {
                for &id in chunk {
                    matcher.place(tx, id, now)?;
                }
                // Placement never reads `pending`: the chunk leaves it in one statement.
                Store::remove_pending_many(tx, chunk)?;
                matcher.finish(tx, now)
            })?;
            done += chunk.len();
            progress(Progress::Placed(done));
            Ok(())
        })?;
        tracing::debug!(
            articles = ahead.len(),
            secs = t.elapsed().as_secs_f64(),
            "read ahead and placed"
        );
    }
}

/// The stored LSH filter, brought up to cover every article below `below` (the ones a
/// run leaves to SQLite): the articles indexed since it was written are folded in, up to
/// `newest`, so that the next runs find it covering theirs too; built afresh from the
/// window's articles when there is none, or it is full or half stale.
fn lsh_filter(
    store: &mut Store,
    below: i64,
    newest: ArticleId,
) -> Result<crate::store::filter::LshFilter> {
    use crate::store::filter::LshFilter;
    let t = std::time::Instant::now();
    let mut f = match Store::lsh_filter(store.conn())?.filter(|f| !f.worn()) {
        Some(f) if f.covers_below(below) => return Ok(f),
        Some(f) => f,
        None => LshFilter::sized_for(Store::window_articles(store.conn())? * LSH_KEYS_SIZED),
    };
    let from = f.upto();
    Store::fold_into_lsh_filter(store.conn(), &mut f, newest)?;
    store.write(|tx| Store::save_lsh_filter(tx, &f))?;
    tracing::debug!(
        from,
        upto = f.upto(),
        bytes = f.bytes(),
        secs = t.elapsed().as_secs_f64(),
        "LSH filter brought up to date"
    );
    Ok(f)
}

/// LSH keys per article a fresh filter is sized for: 42 MinHash bands, 10 SimHash block
/// pairs and a few title keys, less what copies share.
const LSH_KEYS_SIZED: u64 = 40;

/// Fingerprints stored text, asking the store which lines the site repeats (recluster).
///
/// # Errors
/// Database failures.
pub fn fingerprint_text(
    conn: &crate::store::db::Db,
    title: &str,
    paragraphs: &[String],
    lang: &str,
    site: &str,
) -> Result<fingerprint::Fingerprint> {
    let lines = line_hashes(paragraphs);
    let hashes: Vec<i64> = lines.iter().flatten().copied().collect();
    let counts = Store::site_line_counts(conn, site, &hashes)?;
    let mask = boilerplate::repeated_lines(paragraphs, &line_counts(&lines, &counts));
    Ok(fingerprint_masked(title, paragraphs, lang, &mask))
}

/// Each paragraph's count from the site's `(line hash, count)` pairs (sorted by hash).
fn line_counts(lines: &[Option<i64>], counts: &[(i64, i64)]) -> Vec<Option<i64>> {
    lines
        .iter()
        .map(|h| {
            h.map(|h| {
                counts
                    .binary_search_by_key(&h, |c| c.0)
                    .map_or(1, |i| counts[i].1)
            })
        })
        .collect()
}

/// Removes a feed with its articles, and decides again the original of every story that
/// lost members (in a second transaction: a kill between leaves each such story with no
/// original and the reason in its evidence, which `check --repair` mends).
///
/// # Errors
/// [`crate::Error::NoFeed`] when there is none; database failures.
pub fn remove_feed(
    store: &mut Store,
    url_or_id: &str,
    now: i64,
) -> Result<crate::store::feeds::Feed> {
    let (feed, stories) = store.remove_feed(url_or_id)?;
    let mut matcher = Matcher::new(crate::cluster::Config::default());
    store.write(|tx| matcher.decide_again(tx, &stories, now))?;
    Ok(feed)
}
