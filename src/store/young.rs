//! Young index tables: where new retrieval-index rows are written before they join the
//! large tables (`lsh`, `anchor_index`, `anchor_stats`).
//!
//! Index keys are hashes, so a batch's rows land at random in the large B-trees. Once
//! those hold a million articles (some 80 million rows), nearly every row of a batch
//! dirties a page of its own, and every dirty page is written to the WAL at commit and
//! again at the checkpoint: writing a batch's rows grew tenfold from 10k to 1M articles
//! while everything else stayed flat. New rows go into the `_young` tables instead, which
//! hold at most Y articles' rows ([`young_articles`]: 16k–64k, growing with the window),
//! and move into the large ones one key range (a [`SLICES`]th of the key space) at a
//! time, each range once per Y articles indexed. A range's rows are inserted in key
//! order, so a move dirties only the large table's pages of that range: a batch's writes
//! depend on the young tables' size, a bounded one, and on a small share of the large
//! tables.
//!
//! Lookups read both (see [`crate::store::index`]); each (key, article) row is in one
//! of the two, and an anchor's statistics are the large table's plus the young one's.

use super::Store;
use super::db::{Tx, params};
use super::set_meta;
use crate::Result;

/// Key ranges the young tables move in (keys are hashes, spread evenly over `i64`).
pub const SLICES: u64 = 64;

/// Articles' rows the young tables hold at most in a window of up to 256k articles: every
/// key range moves once per this many articles indexed (see [`young_articles`]).
pub const YOUNG_ARTICLES: u64 = 16_384;

/// Most articles' rows the young tables hold, however large the window.
pub const YOUNG_ARTICLES_MAX: u64 = 65_536;

/// Articles a batch is taken to hold when sizing the young tables.
const TYPICAL_BATCH: u64 = 4_096;

/// Articles' rows the young tables hold in a window of `window` indexed articles. A batch
/// of `b` articles costs about the young tables' size Y (each of its rows lands on a young
/// page) plus b/Y of a pass over the large tables (the ranges it moves), least at
/// Y = √(b × window): √(4096 × window), between [`YOUNG_ARTICLES`] and
/// [`YOUNG_ARTICLES_MAX`]. With a 1M-article window, ingests of 1–4k articles took 20%
/// less time with 64k than with 16k (two rounds each); below 256k articles it is 16k.
#[must_use]
pub fn young_articles(window: u64) -> u64 {
    (TYPICAL_BATCH.saturating_mul(window))
        .isqrt()
        .clamp(YOUNG_ARTICLES, YOUNG_ARTICLES_MAX)
}

/// The inclusive key bounds of range `slice` (of [`SLICES`]).
#[must_use]
pub fn slice_bounds(slice: u64) -> (i64, i64) {
    let width = (u64::MAX / SLICES) + 1;
    let lo = (slice % SLICES) * width;
    let hi = lo + (width - 1);
    // Offset from u64 to i64 order: 0 ↦ i64::MIN.
    let shift = |x: u64| (x ^ (1 << 63)).cast_signed();
    (shift(lo), shift(hi))
}

/// An integer of `meta` (0 when absent).
fn meta(tx: &Tx<'_>, key: &str) -> Result<i64> {
    Ok(super::meta(tx, key)?.unwrap_or(0))
}

impl Store {
    /// Counts `articles` newly written into the young tables and moves the key ranges
    /// they pay for into the large tables: one range per [`young_articles`] / [`SLICES`]
    /// articles, in turn, at most every range once (which empties the young tables).
    ///
    /// # Errors
    /// Database failures.
    pub fn age_young(tx: &Tx<'_>, articles: usize) -> Result<()> {
        let window = Store::window_span(tx)?;
        let per_slice = i64::try_from(young_articles(window) / SLICES).unwrap_or(i64::MAX);
        let slices = i64::try_from(SLICES).unwrap_or(i64::MAX);
        let owed =
            meta(tx, "young_owed")?.saturating_add(i64::try_from(articles).unwrap_or(i64::MAX));
        let moves = (owed / per_slice).min(slices);
        if moves == 0 {
            return set_meta(tx, "young_owed", owed);
        }
        let mut next = meta(tx, "young_next")?.rem_euclid(slices);
        for _ in 0..moves {
            Self::move_young_slice(tx, next.cast_unsigned())?;
            next = (next + 1) % slices;
        }
        // After a whole round the young tables are empty: nothing is owed.
        let owed = if moves == slices {
            0
        } else {
            owed - moves * per_slice
        };
        set_meta(tx, "young_owed", owed)?;
        set_meta(tx, "young_next", next)
    }

    /// About how many articles the window holds, cheaply: the ids from the first article
    /// first seen at its start to the newest (two index lookups; [`Store::window_articles`]
    /// counts them).
    ///
    /// # Errors
    /// Database failures.
    pub fn window_span(tx: &Tx<'_>) -> Result<u64> {
        let start = Self::index_window_start(tx)?;
        let first = Self::first_seen_since(tx, start)?.map_or(0, |a| a.0);
        let last = Self::article_count(tx)?;
        Ok(u64::try_from(last - first + 1).unwrap_or(0))
    }

    /// Moves every young row into the large tables (tests: placement moves them a range
    /// at a time).
    ///
    /// # Errors
    /// Database failures.
    #[cfg(test)]
    pub fn move_all_young(tx: &Tx<'_>) -> Result<()> {
        for s in 0..SLICES {
            Self::move_young_slice(tx, s)?;
        }
        set_meta(tx, "young_owed", 0)
    }

    /// Moves the young rows of key range `slice` into the large tables, in key order.
    ///
    /// # Errors
    /// Database failures.
    pub fn move_young_slice(tx: &Tx<'_>, slice: u64) -> Result<()> {
        let (lo, hi) = slice_bounds(slice);
        for (table, key) in [("lsh", "key"), ("anchor_index", "anchor")] {
            tx.prepare_cached(&format!(
                "INSERT OR IGNORE INTO {table} ({key}, article_id)
                 SELECT {key}, article_id FROM {table}_young WHERE {key} BETWEEN ?1 AND ?2
                 ORDER BY {key}, article_id"
            ))?
            .execute(params![lo, hi])?;
            tx.prepare_cached(&format!(
                "DELETE FROM {table}_young WHERE {key} BETWEEN ?1 AND ?2"
            ))?
            .execute(params![lo, hi])?;
        }
        tx.prepare_cached(
            "INSERT INTO anchor_stats (anchor, df, langs)
             SELECT anchor, df, langs FROM anchor_stats_young WHERE anchor BETWEEN ?1 AND ?2
             ORDER BY anchor
             ON CONFLICT(anchor) DO UPDATE SET df = anchor_stats.df + excluded.df,
               langs = anchor_stats.langs | excluded.langs",
        )?
        .execute(params![lo, hi])?;
        tx.prepare_cached("DELETE FROM anchor_stats_young WHERE anchor BETWEEN ?1 AND ?2")?
            .execute(params![lo, hi])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ArticleId;
    use crate::store::index::{IndexKeys, lang_bit};
    use std::collections::{BTreeMap, BTreeSet};

    /// Keys spread over the whole `i64` range, some shared by many articles.
    fn keys_of(id: i64, salt: u64, n: usize) -> Vec<i64> {
        let mut v: Vec<i64> = (0..n as u64)
            .map(|i| {
                let shared = (id.cast_unsigned() * 7 + i) % 97;
                let x = (shared + salt * 1_000).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                (x ^ (x >> 29)).cast_signed()
            })
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    fn article(id: i64) -> IndexKeys {
        IndexKeys {
            id: ArticleId(id),
            lsh: keys_of(id, 1, 12),
            anchors: keys_of(id, 2, 6),
            lang: if id % 3 == 0 { "de" } else { "en" }.into(),
        }
    }

    /// What every lookup should answer, kept by hand.
    #[derive(Default)]
    struct Model {
        lsh: BTreeMap<i64, BTreeSet<i64>>,
        anchors: BTreeMap<i64, BTreeSet<i64>>,
        langs: BTreeMap<i64, i64>,
    }

    fn young_rows(store: &Store) -> i64 {
        store
            .conn()
            .query_row(
                "SELECT (SELECT COUNT(*) FROM lsh_young) + (SELECT COUNT(*) FROM anchor_index_young)",
                (),
                |r| r.get(0),
            )
            .unwrap()
    }

    fn assert_lookups(store: &Store, m: &Model, below: i64) {
        let conn = store.conn();
        for (k, ids) in m.lsh.iter().take(40) {
            let got = Store::lsh_candidates(conn, &[(*k, usize::MAX)], below).unwrap();
            let want: Vec<ArticleId> = ids.range(..below).map(|&i| ArticleId(i)).collect();
            assert_eq!(got, want, "lsh key {k}");
            // The newest three of both tables.
            let got = Store::lsh_candidates(conn, &[(*k, 3)], below).unwrap();
            let mut want: Vec<ArticleId> = want.into_iter().rev().take(3).collect();
            want.reverse();
            assert_eq!(got, want, "lsh key {k}, newest three");
        }
        let keys: Vec<i64> = m.anchors.keys().copied().collect();
        let stats = Store::anchor_stats_by_key(conn, &keys).unwrap();
        for (k, s) in keys.iter().zip(stats) {
            let ids = &m.anchors[k];
            assert_eq!(s.df, i64::try_from(ids.len()).unwrap(), "df of {k}");
            if !ids.is_empty() {
                assert_eq!(s.langs, m.langs[k], "langs of {k}");
            }
            let got = Store::anchor_rows(conn, *k, below, 5).unwrap();
            let want: Vec<ArticleId> = ids
                .range(..below)
                .rev()
                .take(5)
                .map(|&i| ArticleId(i))
                .collect();
            assert_eq!(got, want, "newest rows of anchor {k}");
        }
    }

    #[test]
    fn lookups_read_the_young_and_the_large_tables_as_one() {
        let mut store = Store::memory().unwrap();
        let mut m = Model::default();
        let mut split = false;
        let mut next = 1i64;
        // Written a hundred at a time: ranges move as the articles pay for them.
        while next <= 1_500 {
            let batch: Vec<IndexKeys> = (next..next + 100).map(article).collect();
            next += 100;
            store.write(|tx| Store::index_many(tx, &batch)).unwrap();
            for a in &batch {
                for &k in &a.lsh {
                    m.lsh.entry(k).or_default().insert(a.id.0);
                }
                for &k in &a.anchors {
                    m.anchors.entry(k).or_default().insert(a.id.0);
                    *m.langs.entry(k).or_default() |= lang_bit(&a.lang);
                }
            }
            let large: i64 = store
                .conn()
                .query_row("SELECT COUNT(*) FROM lsh", (), |r| r.get(0))
                .unwrap();
            split |= large > 0 && young_rows(&store) > 0;
            assert_lookups(&store, &m, next);
            assert_lookups(&store, &m, next / 2);
        }
        assert!(split, "rows were in both tables at once");
        // Some articles leave the indexes, wherever their rows are.
        store
            .write(|tx| {
                for id in (1..next).step_by(7) {
                    let a = article(id);
                    Store::unindex_rows(tx, &a)?;
                }
                Ok(())
            })
            .unwrap();
        for id in (1..next).step_by(7) {
            let a = article(id);
            for k in &a.lsh {
                m.lsh.get_mut(k).unwrap().remove(&id);
            }
            for k in &a.anchors {
                m.anchors.get_mut(k).unwrap().remove(&id);
            }
        }
        assert_lookups(&store, &m, next);
        store.write(Store::move_all_young).unwrap();
        assert_eq!(young_rows(&store), 0);
        assert_lookups(&store, &m, next);
    }

    #[test]
    fn the_young_tables_grow_with_the_window_between_their_bounds() {
        assert_eq!(young_articles(0), YOUNG_ARTICLES);
        assert_eq!(young_articles(65_536), YOUNG_ARTICLES);
        assert_eq!(young_articles(262_144), 32_768);
        assert_eq!(young_articles(1_048_576), YOUNG_ARTICLES_MAX);
        assert_eq!(young_articles(u64::MAX), YOUNG_ARTICLES_MAX);
    }

    #[test]
    fn the_slices_cover_every_key_once_in_order() {
        assert_eq!(slice_bounds(0).0, i64::MIN);
        assert_eq!(slice_bounds(SLICES - 1).1, i64::MAX);
        for s in 1..SLICES {
            assert_eq!(slice_bounds(s - 1).1 + 1, slice_bounds(s).0, "slice {s}");
            assert!(slice_bounds(s).0 < slice_bounds(s).1);
        }
        assert_eq!(slice_bounds(SLICES / 2).0, 0);
    }
}
