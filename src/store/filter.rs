//! A Bloom filter of the LSH keys stored for older articles, kept in the database
//! (`lsh_filter`, and its figures in `meta`).
//!
//! Placement asks SQLite for the articles sharing a new article's LSH band, SimHash block
//! and title keys only below the newest articles (those it holds in memory). Almost every
//! such key has no row: each of the ~45 keys of an article is a B-tree seek that reads a
//! random leaf page, and once the `lsh` index outgrows the page caches (about 100k
//! articles) that was the largest cost of placing an article, growing with the store.
//! The filter answers "no row below" from memory for all but a few percent of those keys.
//!
//! It holds the keys of every indexed article up to an id (`upto`); placement folds the
//! newer ones in when the articles it leaves to SQLite pass that id (at most once a run).
//! Writing index rows for an article at or below `upto` again (a recluster, a migration)
//! drops the filter, and the next run builds it afresh; keys taken out of the window stay
//! in it (counted as stale) until it is rebuilt.

use super::db::{Db, Tx, params};
use super::index::{IndexKeys, lsh_keys};
use super::{Store, meta, set_meta};
use crate::Result;
use crate::domain::ArticleId;

/// Bits per key the filter is sized for; with [`HASHES`] probes a full filter answers
/// "maybe" for about 5% of absent keys, a freshly sized one for under 1%.
const BITS_PER_KEY: u64 = 6;

/// Bit positions probed per key.
const HASHES: u64 = 4;

/// A fresh filter has room for half as many keys again as it is built for.
const HEADROOM_HALVES: u64 = 3;

/// Fewest words (of 64 bits) in a filter.
const MIN_WORDS: usize = 1024;

/// Words per stored part (256 KiB): rows of a bounded size.
const PART_WORDS: usize = 32_768;

/// The filter, and what it covers.
#[derive(Debug, Clone)]
pub struct LshFilter {
    words: Vec<u64>,
    /// Every indexed article with an id up to this one has its keys in the filter.
    upto: i64,
    /// Keys put in.
    keys: u64,
    /// Keys of articles taken out of the indexes since it was built (still in it).
    stale: u64,
}

impl LshFilter {
    /// An empty filter with room for `keys` keys (and half as many more), covering no
    /// article yet.
    #[must_use]
    pub fn sized_for(keys: u64) -> Self {
        let bits = keys.max(1) * HEADROOM_HALVES * BITS_PER_KEY / 2;
        let words = usize::try_from(bits.div_ceil(64))
            .unwrap_or(usize::MAX)
            .max(MIN_WORDS);
        Self {
            words: vec![0; words],
            upto: 0,
            keys: 0,
            stale: 0,
        }
    }

    fn bits(&self) -> u64 {
        self.words.len() as u64 * 64
    }

    /// The bit positions of `key` (the keys are hashes already: two halves of a remix
    /// make the probe sequence, mapped onto the bit count by multiplication).
    fn positions(&self, key: i64) -> impl Iterator<Item = u64> + use<> {
        let h = key.cast_unsigned().wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let h1 = h;
        let h2 = h.rotate_left(32) | 1;
        let bits = u128::from(self.bits());
        (0..HASHES).map(move |i| {
            let x = h1.wrapping_add(i.wrapping_mul(h2));
            // The high half of x·bits: uniform in 0..bits.
            u64::try_from((u128::from(x) * bits) >> 64).unwrap_or(0)
        })
    }

    /// Puts `key` in (counted once: copies share most of their keys).
    pub fn insert(&mut self, key: i64) {
        if self.may_hold(key) {
            return;
        }
        for p in self.positions(key) {
            self.words[(p / 64) as usize] |= 1 << (p % 64);
        }
        self.keys += 1;
    }

    /// False when no article the filter covers has `key`; true when one may.
    #[must_use]
    pub fn may_hold(&self, key: i64) -> bool {
        self.positions(key)
            .all(|p| self.words[(p / 64) as usize] & (1 << (p % 64)) != 0)
    }

    /// The highest article id it covers (every indexed article up to it).
    #[must_use]
    pub fn upto(&self) -> i64 {
        self.upto
    }

    /// Whether it answers for every article below `below`.
    #[must_use]
    pub fn covers_below(&self, below: i64) -> bool {
        self.upto >= below - 1
    }

    /// Whether it should be built afresh: fuller than it was sized for, or half its keys
    /// stale.
    #[must_use]
    pub fn worn(&self) -> bool {
        self.keys > self.bits() / BITS_PER_KEY || self.stale * 2 > self.keys
    }

    /// Memory it takes (bytes).
    #[must_use]
    pub fn bytes(&self) -> usize {
        self.words.len() * 8
    }
}

impl Store {
    /// The stored filter, if there is one (none before the first placement that needs
    /// it, and after [`Store::drop_lsh_filter`]).
    ///
    /// # Errors
    /// Database failures.
    pub fn lsh_filter(conn: &Db) -> Result<Option<LshFilter>> {
        let (Some(upto), Some(words)) = (
            meta(conn, "lsh_filter_upto")?,
            meta(conn, "lsh_filter_words")?,
        ) else {
            return Ok(None);
        };
        let mut st = conn.prepare_cached("SELECT bits FROM lsh_filter ORDER BY part")?;
        let parts = st.query_map((), |r| r.get::<_, Vec<u8>>(0))?;
        let mut out: Vec<u64> = Vec::with_capacity(usize::try_from(words).unwrap_or(0));
        for part in parts {
            out.extend(
                part?
                    .chunks_exact(8)
                    .map(|b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8]))),
            );
        }
        if i64::try_from(out.len()).ok() != Some(words) {
            // Not what was written: as good as none.
            return Ok(None);
        }
        let count = |key| -> Result<u64> {
            Ok(meta(conn, key)?.map_or(0, |v| u64::try_from(v).unwrap_or(0)))
        };
        Ok(Some(LshFilter {
            words: out,
            upto,
            keys: count("lsh_filter_keys")?,
            stale: count("lsh_filter_stale")?,
        }))
    }

    /// Stores `filter` in place of the one stored.
    ///
    /// # Errors
    /// Database failures.
    pub fn save_lsh_filter(tx: &Tx<'_>, filter: &LshFilter) -> Result<()> {
        tx.execute("DELETE FROM lsh_filter", ())?;
        let mut st = tx.prepare_cached("INSERT INTO lsh_filter (part, bits) VALUES (?1, ?2)")?;
        for (i, part) in filter.words.chunks(PART_WORDS).enumerate() {
            let bytes: Vec<u8> = part.iter().flat_map(|w| w.to_le_bytes()).collect();
            st.execute(params![i64::try_from(i).unwrap_or(i64::MAX), bytes])?;
        }
        let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        set_meta(tx, "lsh_filter_words", n(filter.words.len() as u64))?;
        set_meta(tx, "lsh_filter_keys", n(filter.keys))?;
        set_meta(tx, "lsh_filter_stale", n(filter.stale))?;
        set_meta(tx, "lsh_filter_upto", filter.upto)
    }

    /// Drops the stored filter (the next placement builds it afresh).
    ///
    /// # Errors
    /// Database failures.
    pub fn drop_lsh_filter(tx: &Tx<'_>) -> Result<()> {
        tx.execute("DELETE FROM lsh_filter", ())?;
        tx.execute(
            "DELETE FROM meta WHERE key IN
             ('lsh_filter_upto', 'lsh_filter_words', 'lsh_filter_keys', 'lsh_filter_stale')",
            (),
        )?;
        Ok(())
    }

    /// Called when index rows are written for `ids`: a filter that claims to cover one of
    /// them may lack its keys, so it is dropped.
    pub(crate) fn lsh_filter_rows_written(tx: &Tx<'_>, ids: &[IndexKeys]) -> Result<()> {
        let Some(upto) = meta(tx, "lsh_filter_upto")? else {
            return Ok(());
        };
        if ids.iter().any(|k| k.id.0 <= upto) {
            Self::drop_lsh_filter(tx)?;
        }
        Ok(())
    }

    /// Called when `n` index rows of an article leave the indexes: they stay in the
    /// filter, counted as stale.
    pub(crate) fn lsh_filter_rows_removed(tx: &Tx<'_>, n: usize) -> Result<()> {
        tx.prepare_cached("UPDATE meta SET value = value + ?1 WHERE key = 'lsh_filter_stale'")?
            .execute([i64::try_from(n).unwrap_or(i64::MAX)])?;
        Ok(())
    }

    /// Puts into `filter` the LSH keys of every indexed article with an id above its
    /// `upto` and up to `upto` (the keys its index rows were written with), and moves its
    /// `upto` there.
    ///
    /// # Errors
    /// Database failures.
    pub fn fold_into_lsh_filter(conn: &Db, filter: &mut LshFilter, upto: ArticleId) -> Result<()> {
        let start = Self::index_window_start(conn)?;
        // The columns the LSH keys come from, as `IndexKeys` reads them (not the anchors:
        // reading and hashing those would be most of the time of a fold).
        let mut st = conn.prepare_cached(
            "SELECT a.minhash, a.simhash, a.shingles, a.title FROM articles a
             WHERE a.id > ?1 AND a.id <= ?2 AND a.first_seen >= ?3
               AND NOT EXISTS (SELECT 1 FROM unindexed u WHERE u.article_id = a.id)",
        )?;
        let rows = st.query_map(params![filter.upto, upto.0, start], |r| {
            let minhash: Vec<u8> = r.get(0)?;
            Ok(lsh_keys(
                &super::keys::unblob(&minhash),
                r.get::<_, i64>(1)?.cast_unsigned(),
                r.get(2)?,
                crate::fingerprint::title::keys(&r.get::<_, String>(3)?),
            ))
        })?;
        for keys in rows {
            for k in keys? {
                filter.insert(k);
            }
        }
        filter.upto = filter.upto.max(upto.0);
        Ok(())
    }

    /// Articles in the indexes' window (an upper bound of those indexed).
    ///
    /// # Errors
    /// Database failures.
    pub fn window_articles(conn: &Db) -> Result<u64> {
        let start = Self::index_window_start(conn)?;
        let n: i64 = conn
            .prepare_cached("SELECT COUNT(*) FROM articles WHERE first_seen >= ?1")?
            .query_row([start], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_holds_every_key_put_in_and_few_others() {
        let mut f = LshFilter::sized_for(10_000);
        let key = |i: i64| i.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 1;
        for i in 0..10_000 {
            f.insert(key(i));
        }
        assert!((0..10_000).all(|i| f.may_hold(key(i))));
        let false_hits = (10_000..110_000).filter(|&i| f.may_hold(key(i))).count();
        // Sized with headroom: about 1.5% of absent keys answer "maybe".
        assert!(false_hits < 2_500, "{false_hits} of 100000");
        assert!(!f.worn());
        // A key put in again is not counted again.
        let before = f.keys;
        assert!(before > 9_800, "{before}");
        f.insert(key(0));
        assert_eq!(f.keys, before);
        for i in 10_000..20_000 {
            f.insert(key(i));
        }
        assert!(f.worn(), "past the keys it was sized for");
    }

    #[test]
    fn a_stored_filter_reads_back_the_same() {
        let mut store = Store::memory().unwrap();
        assert!(Store::lsh_filter(store.conn()).unwrap().is_none());
        let mut f = LshFilter::sized_for(100_000);
        for k in [1i64, 99, -5, i64::MAX] {
            f.insert(k);
        }
        f.upto = 42;
        store.write(|tx| Store::save_lsh_filter(tx, &f)).unwrap();
        let back = Store::lsh_filter(store.conn()).unwrap().unwrap();
        assert_eq!(back.words, f.words);
        assert_eq!((back.upto, back.keys, back.stale), (42, 4, 0));
        store
            .write(|tx| Store::lsh_filter_rows_removed(tx, 3))
            .unwrap();
        assert_eq!(Store::lsh_filter(store.conn()).unwrap().unwrap().stale, 3);
        store.write(Store::drop_lsh_filter).unwrap();
        assert!(Store::lsh_filter(store.conn()).unwrap().is_none());
    }
}
