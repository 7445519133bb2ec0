//! The newest articles' index rows and signatures, read once per placement run in one
//! pass over the table and kept in memory. The articles a run places are the newest, and
//! their candidates are mostly each other: without this, every candidate lookup and
//! signature load of the run went through SQLite's B-trees again. SQLite is asked only
//! about older articles (ids below [`Recent::from`]), and not at all when there are none.

use super::intmap::IntMap;
use crate::Result;
use crate::domain::ArticleId;
use crate::store::db::Db;
use crate::store::index::lsh_keys;
use crate::store::{Store, articles::Sig};
use std::sync::Arc;

/// Articles first seen within one such span (seconds) count as arriving together.
pub const ARRIVAL_BUCKET: i64 = 3600;

/// Most articles held (the rest stay in SQLite only).
pub const RECENT_MAX: i64 = 16_384;

/// The index rows and signatures of every article with an id of at least `from`.
#[derive(Debug, Default)]
pub struct Recent {
    from: i64,
    older: bool,
    /// Article ids per LSH band or SimHash block key.
    lsh: IntMap<i64, Vec<ArticleId>>,
    /// Article ids per anchor key, oldest first (see [`Recent::read`]).
    anchors: IntMap<i64, Vec<ArticleId>>,
    sigs: IntMap<ArticleId, Arc<Sig>>,
}

impl Recent {
    /// Reads the articles from `from` on, widened to the start of the arrival bucket
    /// `from` was first seen in (at most the newest [`RECENT_MAX`]).
    ///
    /// Rows are ranked by arrival bucket first, so holding whole buckets makes every held
    /// article rank above every article left to SQLite: a run that finishes a killed pass
    /// (its pending articles a scattered part of that pass) holds the same articles as one
    /// run over the whole pass, and retrieves the same candidates.
    ///
    /// # Errors
    /// Database failures.
    pub fn read(conn: &Db, from: ArticleId) -> Result<Self> {
        let newest = Store::article_count(conn)?;
        let bucket_start = match Store::first_seen(conn, from)? {
            Some(t) => {
                Store::first_seen_since(conn, t.div_euclid(ARRIVAL_BUCKET) * ARRIVAL_BUCKET)?
                    .map_or(from, |f| ArticleId(f.0.min(from.0)))
            }
            None => from,
        };
        let from = ArticleId(bucket_start.0.max(newest - RECENT_MAX + 1).max(1));
        let mut out = Self {
            from: from.0,
            older: Store::any_below(conn, from)?,
            ..Self::default()
        };
        let mut rows = Store::sigs_from(conn, from)?;
        // Anchor rows are kept newest last, where "newest" is the hour first seen and then
        // the order-independent key: articles stored in one pass (or a killed pass and the
        // next) rank the same whatever order their feeds arrived in.
        rows.sort_by_key(|(s, _)| (s.first_seen.div_euclid(ARRIVAL_BUCKET), s.ukey, s.id));
        for (sig, indexed) in rows {
            if indexed {
                let f = &sig.fp;
                for k in lsh_keys(&f.minhash, f.simhash, f.shingles, sig.read_title.keys()) {
                    out.lsh.entry(k).or_default().push(sig.id);
                }
                for &(k, _) in &sig.keys {
                    out.anchors.entry(k).or_default().push(sig.id);
                }
            }
            out.sigs.insert(sig.id, Arc::new(sig));
        }
        Ok(out)
    }

    /// The bound below which SQLite still has to be asked (ids below it are not held
    /// here); `None` when no such article exists.
    #[must_use]
    pub fn older_below(&self) -> Option<i64> {
        self.older.then_some(self.from)
    }

    /// The signature of a held article.
    #[must_use]
    pub fn sig(&self, id: ArticleId) -> Option<&Arc<Sig>> {
        self.sigs.get(&id)
    }

    /// Held articles under the LSH `key`, oldest first.
    #[must_use]
    pub fn lsh(&self, key: i64) -> &[ArticleId] {
        self.lsh.get(&key).map_or(&[], Vec::as_slice)
    }

    /// Held articles holding the anchor `key`, oldest first.
    #[must_use]
    pub fn anchor(&self, key: i64) -> &[ArticleId] {
        self.anchors.get(&key).map_or(&[], Vec::as_slice)
    }
}
