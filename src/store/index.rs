//! Retrieval indexes: LSH band and SimHash block keys, the anchor index with per-anchor
//! statistics, and per-site repeated lines. Lookups only; never a scan of all articles.

use super::Store;
use super::keys::anchor_key;
use crate::Result;
use crate::domain::ArticleId;
use crate::fingerprint::{Fingerprint, minhash, simhash};
use crate::store::db::{Db, OptionalExtension, Tx, Val, params};
use std::collections::BTreeMap;

/// Anchors seen in more documents than this are too common to retrieve by.
pub const MAX_RETRIEVAL_DF: i64 = 1000;
/// Most recent articles read per anchor during retrieval (copies are recent).
pub const RETRIEVAL_ROWS: usize = 50;
/// Most recent articles read per LSH key during retrieval: a copy of a story of
/// thousands finds the story among its newest members, and the work per article stays
/// bounded (every copy of one text shares every key).
pub const LSH_ROWS: usize = 100;

/// The lowest id first seen from a time on. `+id` keeps SQLite from answering `MIN(id)`
/// by walking the table from its lowest rowid until a row is new enough (every article
/// older than the time read, once per run: the whole table on a large store); it reads
/// the `first_seen` index from the time on instead.
const FIRST_SEEN_SINCE_SQL: &str = "SELECT MIN(+id) FROM articles WHERE first_seen >= ?1";
/// An anchor's newest rows below an article id in the large and the young table (see
/// [`Store::anchor_rows`]).
const ANCHOR_ROWS_SQL: &str = "SELECT article_id FROM (SELECT article_id FROM anchor_index
       WHERE anchor = ?1 AND article_id < ?2 ORDER BY article_id DESC LIMIT ?3) AS large
     UNION ALL
     SELECT article_id FROM (SELECT article_id FROM anchor_index_young
       WHERE anchor = ?1 AND article_id < ?2 ORDER BY article_id DESC LIMIT ?3) AS young";
/// The newest rows of one LSH key below an id, in the large and the young table.
const LSH_ROWS_SQL: &str = "SELECT article_id FROM (SELECT article_id FROM lsh
       WHERE key = ?1 AND article_id < ?2 ORDER BY article_id DESC LIMIT ?3) AS large
     UNION ALL
     SELECT article_id FROM (SELECT article_id FROM lsh_young
       WHERE key = ?1 AND article_id < ?2 ORDER BY article_id DESC LIMIT ?3) AS young";
/// The `limit` newest articles below `below` under `key`, newest first, by `sql` (one of
/// the `*_ROWS_SQL` statements: each table's `limit` newest, merged here).
fn newest_below(
    conn: &Db,
    sql: &str,
    key: i64,
    below: i64,
    limit: usize,
) -> Result<Vec<ArticleId>> {
    let mut st = conn.prepare_cached(sql)?;
    let rows = st.query_map(
        params![key, below, i64::try_from(limit).unwrap_or(i64::MAX)],
        |r| r.get(0).map(ArticleId),
    )?;
    let mut out: Vec<ArticleId> = rows.collect::<crate::Result<_>>()?;
    out.sort_unstable_by(|a, b| b.cmp(a));
    out.dedup();
    out.truncate(limit);
    Ok(out)
}
/// An anchor's statistics in the large and the young table.
const ANCHOR_STATS_SQL: &str = "SELECT df, langs FROM anchor_stats WHERE anchor = ?1
     UNION ALL SELECT df, langs FROM anchor_stats_young WHERE anchor = ?1";
/// Rows written per multi-row statement (SQLite allows 32,766 parameters).
const ROWS_PER_STATEMENT: usize = 500;
/// Bit of a language in the `langs` mask (64 buckets; collisions only merge rare languages).
#[must_use]
pub fn lang_bit(lang: &str) -> i64 {
    const KNOWN: &[&str] = &[
        "en", "zh", "ja", "de", "fr", "es", "ru", "uk", "cs", "is", "hi", "hr", "it", "pt", "ko",
        "ar", "nl", "pl", "sv", "tr", "el", "he", "fi", "da", "nb", "hu", "ro", "bg", "sr", "sk",
        "sl", "lt", "lv", "et", "vi", "th", "id", "fa", "bn", "ta", "ur", "ca",
    ];
    let i = KNOWN
        .iter()
        .position(|k| *k == lang)
        .unwrap_or_else(|| 42 + usize::from(lang.bytes().fold(0u8, u8::wrapping_add) % 20));
    1i64 << i
}

/// Statistics of one anchor.
#[derive(Debug, Clone, Copy, Default)]
pub struct AnchorStat {
    /// Documents holding it.
    pub df: i64,
    /// Languages it was seen in (bitmask).
    pub langs: i64,
}

/// The index keys of one article: its LSH band and SimHash block keys, its distinct
/// anchor keys, and its language.
#[derive(Debug, Clone)]
pub struct IndexKeys {
    /// The article.
    pub id: ArticleId,
    /// LSH band and SimHash block keys, distinct.
    pub lsh: Vec<i64>,
    /// Anchor keys, distinct.
    pub anchors: Vec<i64>,
    /// Language.
    pub lang: String,
}

/// The columns [`IndexKeys::from_row`] reads, from `articles a`.
pub(crate) const KEY_COLUMNS: &str =
    "a.id, a.minhash, a.simhash, a.shingles, a.anchors, a.lang, a.title";

impl IndexKeys {
    /// The keys of a stored article, from a row of [`KEY_COLUMNS`].
    pub(crate) fn from_row(r: &crate::store::db::Row<'_>) -> crate::Result<Self> {
        let minhash: Vec<u8> = r.get(1)?;
        let anchors: String = r.get(4)?;
        Ok(Self::new(
            ArticleId(r.get(0)?),
            &super::keys::unblob(&minhash),
            r.get::<_, i64>(2)?.cast_unsigned(),
            r.get(3)?,
            &super::keys::words(&anchors),
            &r.get::<_, String>(5)?,
            &r.get::<_, String>(6)?,
        ))
    }

    /// The keys of an article's fingerprint parts.
    #[must_use]
    pub fn new(
        id: ArticleId,
        minhash: &[u32],
        simhash: u64,
        shingles: u32,
        anchors: &[String],
        lang: &str,
        title: &str,
    ) -> Self {
        let lsh = lsh_keys(
            minhash,
            simhash,
            shingles,
            crate::fingerprint::title::keys(title),
        );
        let mut keys: Vec<i64> = anchors.iter().map(|a| anchor_key(a)).collect();
        keys.sort_unstable();
        keys.dedup();
        Self {
            id,
            lsh,
            anchors: keys,
            lang: lang.to_string(),
        }
    }
}

/// The LSH band and SimHash block keys of a fingerprint's parts, and the article's title
/// keys ([`crate::fingerprint::title::keys`]), sorted and distinct (bands and blocks only
/// when the text had shingles: an empty text's signature is the same for all).
#[must_use]
pub fn lsh_keys(minhash: &[u32], simhash: u64, shingles: u32, title: Vec<i64>) -> Vec<i64> {
    let mut lsh = Vec::new();
    if shingles > 0 {
        lsh.extend(minhash::band_keys(minhash));
        lsh.extend(simhash::block_keys(simhash));
    }
    lsh.extend(title);
    lsh.sort_unstable();
    lsh.dedup();
    lsh
}

/// Statements deleting one (key, article) row from the young and the large LSH table.
const LSH_REMOVE: [&str; 2] = [
    "DELETE FROM lsh_young WHERE key = ?1 AND article_id = ?2",
    "DELETE FROM lsh WHERE key = ?1 AND article_id = ?2",
];
/// Statements deleting one (anchor, article) row from the young and the large anchor table.
const ANCHOR_REMOVE: [&str; 2] = [
    "DELETE FROM anchor_index_young WHERE anchor = ?1 AND article_id = ?2",
    "DELETE FROM anchor_index WHERE anchor = ?1 AND article_id = ?2",
];

/// Deletes the row (`key`, `id`) from its young table or the large one (`deletes`, in
/// that order); returns how many rows went (0 or 1).
fn remove_row(tx: &Tx<'_>, deletes: [&str; 2], key: i64, id: ArticleId) -> Result<usize> {
    for sql in deletes {
        let n = tx.prepare_cached(sql)?.execute(params![key, id.0])?;
        if n > 0 {
            return Ok(n);
        }
    }
    Ok(0)
}

/// Writes (key, article) rows sorted by key, in multi-row statements after `insert`
/// (`INSERT … VALUES`).
fn insert_sorted(tx: &Tx<'_>, insert: &str, mut rows: Vec<(i64, i64)>) -> Result<()> {
    rows.sort_unstable();
    for part in rows.chunks(ROWS_PER_STATEMENT) {
        let sql = format!("{insert} {}", vec!["(?, ?)"; part.len()].join(", "));
        let args: Vec<i64> = part.iter().flat_map(|&(k, a)| [k, a]).collect();
        tx.prepare_cached(&sql)?
            .execute(crate::store::db::params_from_iter(args))?;
    }
    Ok(())
}

impl Store {
    /// Indexes an article: LSH bands, SimHash blocks, anchors (and their statistics).
    ///
    /// # Errors
    /// Database failures.
    pub fn index_article(
        tx: &Tx<'_>,
        id: ArticleId,
        fp: &Fingerprint,
        lang: &str,
        title: &str,
    ) -> Result<()> {
        let seen: i64 = tx
            .prepare_cached("SELECT first_seen FROM articles WHERE id = ?1")?
            .query_row([id.0], |r| r.get(0))?;
        if seen < Self::index_window_start(tx)? {
            // Outside the window (see `index_unindexed`).
            tx.prepare_cached("DELETE FROM unindexed WHERE article_id = ?1")?
                .execute([id.0])?;
            return Ok(());
        }
        Self::index_many(
            tx,
            &[IndexKeys::new(
                id,
                fp.minhash.as_slice(),
                fp.simhash,
                fp.shingles,
                &fp.anchors,
                lang,
                title,
            )],
        )?;
        tx.prepare_cached("DELETE FROM unindexed WHERE article_id = ?1")?
            .execute([id.0])?;
        Ok(())
    }

    /// Indexes many articles at once, into the young tables ([`crate::store::young`]):
    /// every row sorted by key and written in multi-row statements, the statistics summed
    /// per anchor. Then moves the key ranges the articles pay for into the large tables.
    ///
    /// # Errors
    /// Database failures.
    pub fn index_many(tx: &Tx<'_>, items: &[IndexKeys]) -> Result<()> {
        Self::lsh_filter_rows_written(tx, items)?;
        let lsh: Vec<(i64, i64)> = items
            .iter()
            .flat_map(|it| it.lsh.iter().map(move |&k| (k, it.id.0)))
            .collect();
        insert_sorted(
            tx,
            "INSERT OR IGNORE INTO lsh_young (key, article_id) VALUES",
            lsh,
        )?;
        let mut anchors: Vec<(i64, i64)> = Vec::new();
        let mut stats: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
        for it in items {
            let bit = lang_bit(&it.lang);
            for &k in &it.anchors {
                anchors.push((k, it.id.0));
                let e = stats.entry(k).or_default();
                e.0 += 1;
                e.1 |= bit;
            }
        }
        insert_sorted(
            tx,
            "INSERT OR IGNORE INTO anchor_index_young (anchor, article_id) VALUES",
            anchors,
        )?;
        let stats: Vec<(i64, (i64, i64))> = stats.into_iter().collect();
        for part in stats.chunks(ROWS_PER_STATEMENT) {
            let sql = format!(
                "INSERT INTO anchor_stats_young (anchor, df, langs) VALUES {}
                 ON CONFLICT(anchor) DO UPDATE SET df = anchor_stats_young.df + excluded.df,
                   langs = anchor_stats_young.langs | excluded.langs",
                vec!["(?, ?, ?)"; part.len()].join(", ")
            );
            let args: Vec<i64> = part.iter().flat_map(|&(k, (n, l))| [k, n, l]).collect();
            tx.prepare_cached(&sql)?
                .execute(crate::store::db::params_from_iter(args))?;
        }
        Self::age_young(tx, items.len())
    }

    /// Records that an article's index rows are still to be written (see
    /// [`Store::index_unindexed`]).
    ///
    /// # Errors
    /// Database failures.
    pub fn mark_unindexed(tx: &Tx<'_>, id: ArticleId) -> Result<()> {
        tx.prepare_cached("INSERT OR IGNORE INTO unindexed (article_id) VALUES (?1)")?
            .execute([id.0])?;
        Ok(())
    }

    /// Indexes up to `limit` of the articles waiting in `unindexed`, lowest ids first, in
    /// one transaction; returns how many.
    ///
    /// # Errors
    /// Database failures.
    pub fn index_unindexed(tx: &Tx<'_>, limit: usize) -> Result<usize> {
        let mut st = tx.prepare_cached(&format!(
            "SELECT {KEY_COLUMNS}, a.first_seen FROM unindexed u JOIN articles a ON a.id = u.article_id
             ORDER BY u.article_id LIMIT ?1"
        ))?;
        let rows = st.query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
            Ok((IndexKeys::from_row(r)?, r.get::<_, i64>(7)?))
        })?;
        let items: Vec<(IndexKeys, i64)> = rows.collect::<crate::Result<_>>()?;
        let Some(last) = items.last().map(|i| i.0.id.0) else {
            return Ok(0);
        };
        // An article first seen before the window's start (the window was shortened, or
        // the clock went back) is not indexed: it could never be taken out again.
        let start = Self::index_window_start(tx)?;
        let n = items.len();
        let items: Vec<IndexKeys> = items
            .into_iter()
            .filter(|(_, seen)| *seen >= start)
            .map(|(k, _)| k)
            .collect();
        Self::index_many(tx, &items)?;
        tx.prepare_cached("DELETE FROM unindexed WHERE article_id <= ?1")?
            .execute([last])?;
        Ok(n)
    }

    /// Removes an article from the indexes (before it is indexed again).
    ///
    /// # Errors
    /// Database failures.
    pub fn unindex_article(tx: &Tx<'_>, id: ArticleId) -> Result<()> {
        // Not indexed yet: nothing else to undo.
        if tx
            .prepare_cached("DELETE FROM unindexed WHERE article_id = ?1")?
            .execute([id.0])?
            > 0
        {
            return Ok(());
        }
        let keys = tx
            .prepare_cached(&format!(
                "SELECT {KEY_COLUMNS} FROM articles a WHERE a.id = ?1"
            ))?
            .query_row([id.0], IndexKeys::from_row)
            .optional()?;
        let Some(keys) = keys else {
            return Ok(());
        };
        Self::unindex_rows(tx, &keys)
    }

    /// Deletes an article's index rows (`keys`, read from its stored fingerprint) and
    /// counts them out of the statistics.
    ///
    /// # Errors
    /// Database failures.
    pub fn unindex_rows(tx: &Tx<'_>, keys: &IndexKeys) -> Result<()> {
        let id = keys.id;
        // Each row is in the young table or the large one.
        let mut removed = 0;
        for k in &keys.lsh {
            removed += remove_row(tx, LSH_REMOVE, *k, id)?;
        }
        Self::lsh_filter_rows_removed(tx, removed)?;
        // The statistic goes down in the young table, whichever table held the row.
        let mut stat = tx.prepare_cached(
            "INSERT INTO anchor_stats_young (anchor, df, langs) VALUES (?1, -1, 0)
             ON CONFLICT(anchor) DO UPDATE SET df = anchor_stats_young.df - 1",
        )?;
        for k in &keys.anchors {
            if remove_row(tx, ANCHOR_REMOVE, *k, id)? > 0 {
                stat.execute([k])?;
            }
        }
        Ok(())
    }

    /// Takes articles first seen before `before` out of the retrieval indexes and the
    /// anchor statistics, so that both cover the matching window only and stay bounded
    /// however large the database grows. Resumes where the last call stopped; at most
    /// `limit` articles per call (the rest follow next time). Returns how many.
    ///
    /// # Errors
    /// Database failures.
    pub fn prune_window(tx: &Tx<'_>, before: i64, limit: usize) -> Result<usize> {
        let from = Self::index_window_start(tx)?;
        let ids: Vec<(i64, i64)> = tx
            .prepare_cached(
                "SELECT id, first_seen FROM articles WHERE first_seen >= ?1 AND first_seen < ?2
                 ORDER BY first_seen, id LIMIT ?3",
            )?
            .query_map(
                params![from, before, i64::try_from(limit).unwrap_or(i64::MAX)],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?
            .collect::<crate::Result<_>>()?;
        for &(id, _) in &ids {
            Self::unindex_article(tx, ArticleId(id))?;
        }
        // Stop at a whole first_seen second, so a partly pruned second is redone next time.
        let next = match ids.last() {
            Some(&(_, seen)) if ids.len() == limit => seen,
            _ => before,
        };
        // The window's start never moves back: articles before it left the indexes (a
        // shorter window once, or the clock), and moving it back would count them in.
        let next = next.max(from);
        super::set_meta(tx, "index_window_start", next)?;
        Ok(ids.len())
    }

    /// How many indexed articles were first seen before `before` (they leave the window)
    /// and how many from then on (they stay).
    ///
    /// # Errors
    /// Database failures.
    pub fn window_counts(conn: &Db, before: i64) -> Result<(i64, i64)> {
        let from = Self::index_window_start(conn)?;
        let mut st = conn.prepare_cached(
            "SELECT (SELECT COUNT(*) FROM articles WHERE first_seen >= ?1 AND first_seen < ?2),
                    (SELECT COUNT(*) FROM articles WHERE first_seen >= ?2)",
        )?;
        st.query_row(params![from, before], |r| Ok((r.get(0)?, r.get(1)?)))
    }

    /// Deletes every index row and anchor statistic, young and large.
    ///
    /// # Errors
    /// Database failures.
    pub fn empty_index(tx: &Tx<'_>) -> Result<()> {
        tx.execute_batch(
            "DELETE FROM lsh; DELETE FROM anchor_index; DELETE FROM anchor_stats;
             DELETE FROM lsh_young; DELETE FROM anchor_index_young; DELETE FROM anchor_stats_young;
             DELETE FROM meta WHERE key = 'young_owed';",
        )
    }

    /// Empties the retrieval indexes and the anchor statistics, moves the window's start
    /// to `before` and queues the articles first seen from then on in `unindexed`, to be
    /// indexed afresh. When most of the window leaves at once (polling resumed after weeks,
    /// the clock jumped) this is quicker than taking each leaving article's rows out one by
    /// one, a B-tree delete per row.
    ///
    /// # Errors
    /// Database failures.
    pub fn restart_window(tx: &Tx<'_>, before: i64) -> Result<()> {
        let start = Self::index_window_start(tx)?.max(before);
        Self::empty_index(tx)?;
        Self::drop_lsh_filter(tx)?;
        tx.prepare_cached(
            "INSERT OR IGNORE INTO unindexed (article_id) SELECT id FROM articles WHERE first_seen >= ?1",
        )?
        .execute([start])?;
        super::set_meta(tx, "index_window_start", start)
    }

    /// Articles below `below` sharing an LSH band or SimHash block key ([`lsh_keys`]),
    /// distinct, in id order: every row of the `keys` when they hold at most the sum of
    /// their limits (one statement, the common case), else each key's `limit` newest (a
    /// statement per key). Either way the rows read are bounded, however many articles
    /// share a key.
    ///
    /// # Errors
    /// Database failures.
    pub fn lsh_candidates(conn: &Db, keys: &[(i64, usize)], below: i64) -> Result<Vec<ArticleId>> {
        let mut out = Vec::new();
        if keys.is_empty() {
            return Ok(out);
        }
        let cap: usize = keys.iter().map(|k| k.1).fold(0, usize::saturating_add);
        // One statement for all keys of the article, in both tables.
        let n = keys.len();
        let list = (1..=n)
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let (below_at, limit_at) = (n + 1, n + 2);
        let sql = format!(
            "SELECT article_id FROM lsh WHERE key IN ({list}) AND article_id < ?{below_at}
             UNION ALL
             SELECT article_id FROM lsh_young WHERE key IN ({list}) AND article_id < ?{below_at}
             LIMIT ?{limit_at}"
        );
        let mut st = conn.prepare_cached(&sql)?;
        let read_at_most = i64::try_from(cap.saturating_add(1)).unwrap_or(i64::MAX);
        let args = keys.iter().map(|k| k.0).chain([below, read_at_most]);
        for r in st.query_map(crate::store::db::params_from_iter(args), |r| r.get(0))? {
            out.push(ArticleId(r?));
        }
        if out.len() > cap {
            out.clear();
            for &(key, limit) in keys {
                out.extend(newest_below(conn, LSH_ROWS_SQL, key, below, limit)?);
            }
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    /// Statistics of anchors by key (absent ones read as df 0).
    ///
    /// # Errors
    /// Database failures.
    pub fn anchor_stats_by_key(conn: &Db, keys: &[i64]) -> Result<Vec<AnchorStat>> {
        let mut st = conn.prepare_cached(ANCHOR_STATS_SQL)?;
        let mut out = Vec::with_capacity(keys.len());
        for k in keys {
            let mut s = AnchorStat::default();
            for part in st.query_map([k], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))? {
                let (df, langs) = part?;
                s.df += df;
                s.langs |= langs;
            }
            out.push(s);
        }
        Ok(out)
    }

    /// The `limit` newest articles below `below` holding the anchor `key`, newest first.
    ///
    /// # Errors
    /// Database failures.
    pub fn anchor_rows(conn: &Db, key: i64, below: i64, limit: usize) -> Result<Vec<ArticleId>> {
        newest_below(conn, ANCHOR_ROWS_SQL, key, below, limit)
    }

    /// The first article (lowest id) first seen no earlier than `start` (unix seconds),
    /// if any.
    ///
    /// # Errors
    /// Database failures.
    pub fn first_seen_since(conn: &Db, start: i64) -> Result<Option<ArticleId>> {
        Ok(conn
            .prepare_cached(FIRST_SEEN_SINCE_SQL)?
            .query_row([start], |r| r.get::<_, Option<i64>>(0))?
            .map(ArticleId))
    }

    /// When an article was first seen.
    ///
    /// # Errors
    /// Database failures.
    pub fn first_seen(conn: &Db, id: ArticleId) -> Result<Option<i64>> {
        conn.prepare_cached("SELECT first_seen FROM articles WHERE id = ?1")?
            .query_row([id.0], |r| r.get(0))
            .optional()
    }

    /// Whether any article has an id below `id`.
    ///
    /// # Errors
    /// Database failures.
    pub fn any_below(conn: &Db, id: ArticleId) -> Result<bool> {
        Ok(conn
            .prepare_cached("SELECT 1 FROM articles WHERE id < ?1 LIMIT 1")?
            .query_row([id.0], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Where the indexes' window starts: articles first seen before it were taken out
    /// of them (see [`Store::prune_window`]).
    ///
    /// # Errors
    /// Database failures.
    pub fn index_window_start(conn: &Db) -> Result<i64> {
        Ok(conn
            .prepare_cached("SELECT value FROM meta WHERE key = 'index_window_start'")?
            .query_row((), |r| r.get(0))
            .optional()?
            .unwrap_or(i64::MIN))
    }

    /// Number of articles (an upper bound: the highest id), for idf.
    ///
    /// # Errors
    /// Database failures.
    pub fn article_count(conn: &Db) -> Result<i64> {
        conn.query_row("SELECT COALESCE(MAX(id), 0) FROM articles", (), |r| {
            r.get(0)
        })
    }

    /// Counts each distinct line of an article for its site; returns each line's count
    /// now, as `(line hash, count)` sorted by hash. One statement per 100 lines (a server
    /// answers each statement over the network).
    ///
    /// # Errors
    /// Database failures.
    pub fn count_site_lines(tx: &Tx<'_>, site: &str, hashes: &[i64]) -> Result<Vec<(i64, i64)>> {
        let mut h = hashes.to_vec();
        h.sort_unstable();
        h.dedup();
        let mut counts = Vec::with_capacity(h.len());
        for part in h.chunks(100) {
            let sql = format!(
                "INSERT INTO site_lines (site, line_hash, count) VALUES {}
                 ON CONFLICT(site, line_hash) DO UPDATE SET count = site_lines.count + 1
                 RETURNING line_hash, count",
                vec!["(?, ?, 1)"; part.len()].join(", ")
            );
            let args: Vec<Val<'_>> = part
                .iter()
                .flat_map(|&x| [Val::Text(site), Val::Int(x)])
                .collect();
            let mut st = tx.prepare_cached(&sql)?;
            for row in st.query_map(args, |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))? {
                counts.push(row?);
            }
        }
        counts.sort_unstable();
        Ok(counts)
    }

    /// How often the site carries each of `hashes`, as `(line hash, count)` sorted by
    /// hash (lines it never carried left out). One statement per 100 lines, as
    /// [`Store::count_site_lines`] writes them.
    ///
    /// # Errors
    /// Database failures.
    pub fn site_line_counts(conn: &Db, site: &str, hashes: &[i64]) -> Result<Vec<(i64, i64)>> {
        let mut h = hashes.to_vec();
        h.sort_unstable();
        h.dedup();
        let mut out = Vec::new();
        for part in h.chunks(100) {
            let sql = format!(
                "SELECT line_hash, count FROM site_lines WHERE site = ? AND line_hash IN ({})",
                vec!["?"; part.len()].join(", ")
            );
            let args: Vec<Val<'_>> = std::iter::once(Val::Text(site))
                .chain(part.iter().map(|&x| Val::Int(x)))
                .collect();
            let mut st = conn.prepare_cached(&sql)?;
            for row in st.query_map(args, |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))? {
                out.push(row?);
            }
        }
        out.sort_unstable();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plan SQLite chooses for `sql` (its one parameter bound), one line per step.
    fn plan(store: &Store, sql: &str) -> String {
        let mut st = store
            .conn()
            .prepare_cached(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        let rows = st.query_map([0i64], |r| r.get::<_, String>(3)).unwrap();
        rows.collect::<Result<Vec<_>>>().unwrap().join("\n")
    }

    #[test]
    fn the_first_article_since_a_time_is_found_in_the_time_index() {
        let store = Store::memory().unwrap();
        let plan = plan(&store, FIRST_SEEN_SINCE_SQL);
        assert!(plan.contains("INDEX articles_first_seen"), "{plan}");
    }

    #[test]
    fn a_cached_statement_is_planned_once_whatever_is_bound_to_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("x.db")).unwrap();
        let reader = store.reader().unwrap().unwrap();
        for conn in [store.conn(), &reader] {
            for k in 0..5i64 {
                Store::anchor_rows(conn, k * 7_919, 1_000 + k, 3 + k as usize).unwrap();
            }
            let Db::Lite(c) = conn else {
                panic!("a SQLite file")
            };
            let st = c.prepare_cached(ANCHOR_ROWS_SQL).unwrap();
            let again = st.get_status(rusqlite::StatementStatus::RePrepare);
            assert_eq!(again, 0, "prepared again {again} times");
        }
    }
}
