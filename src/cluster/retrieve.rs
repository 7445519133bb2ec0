//! Candidate retrieval: the articles a new one may be a copy of (same text, LSH bands and
//! SimHash blocks, the rarest shared anchors, the model's nearest vectors in other
//! languages), each pair decided once per run.

use super::Matcher;
use super::intmap::IntMap;
use super::{
    MODEL_RETRIEVAL_FLOOR, RETRIEVAL_ANCHORS, RETRIEVAL_HARD_ANCHORS, RETRIEVAL_HARD_CANDIDATES,
    score,
};
use crate::Result;
use crate::domain::ArticleId;
use crate::fingerprint::anchors::AnchorKind;
use crate::store::db::Db;
use crate::store::index::{LSH_ROWS, MAX_RETRIEVAL_DF, RETRIEVAL_ROWS};
use crate::store::{Store, articles::Sig};
use std::collections::BTreeSet;
use std::sync::Arc;

impl Matcher {
    /// Articles in other languages whose model vectors are nearest to `me`'s (cosine at
    /// least [`MODEL_RETRIEVAL_FLOOR`]), at most `model_candidates`.
    pub(super) fn nearest(&mut self, tx: &Db, me: &Sig, now: i64) -> Result<Vec<ArticleId>> {
        let Some(v) = me.embedding.as_deref() else {
            return Ok(Vec::new());
        };
        let vectors = self.window_vectors(tx, now)?;
        let k = self.cfg.model_candidates;
        let mut best: Vec<(f32, ArticleId)> = Vec::with_capacity(k + 1);
        for s in vectors.iter() {
            if s.id == me.id || s.lang == me.lang || s.vec.len() != v.len() {
                continue;
            }
            let c = crate::embed::cosine(v, &s.vec);
            if c < MODEL_RETRIEVAL_FLOOR || (best.len() == k && c <= best[k - 1].0) {
                continue;
            }
            let at = best
                .iter()
                .position(|b| c > b.0 || (c == b.0 && s.id < b.1))
                .unwrap_or(best.len());
            best.insert(at, (c, s.id));
            best.truncate(k);
        }
        Ok(best.into_iter().map(|b| b.1).collect())
    }

    /// The window's model vectors, read once per run.
    pub(super) fn window_vectors(
        &mut self,
        conn: &Db,
        now: i64,
    ) -> Result<Arc<Vec<crate::store::embeddings::Stored>>> {
        if let Some(v) = &self.vectors {
            return Ok(Arc::clone(v));
        }
        let v = Arc::new(Store::window_vectors(conn, now - self.cfg.window_secs)?);
        self.vectors = Some(Arc::clone(&v));
        Ok(v)
    }

    /// Retrieves `id`'s candidates and decides each pair (read-only; cached for the run).
    /// `None` when the article does not exist.
    pub(super) fn matches(
        &mut self,
        tx: &Db,
        id: ArticleId,
        now: i64,
    ) -> Result<Option<Vec<ArticleId>>> {
        self.load(tx, &[id])?;
        let Some(me) = self.sigs.get(&id).map(Arc::clone) else {
            return Ok(None);
        };
        if let Some(cand_ids) = self.cands.remove(&id) {
            return self.decide_candidates(tx, &me, &cand_ids, now).map(Some);
        }
        // Candidates: exact, LSH/SimHash, and the articles sharing the most rare anchors.
        let mut cands: BTreeSet<ArticleId> = BTreeSet::new();
        cands.extend(Store::exact_candidates(
            tx,
            me.canonical_url.as_deref(),
            (me.fp.shingles > 0).then_some(me.fp.text_hash),
        )?);
        if me.fp.thin() {
            // An article with no text of its own is found by what it links to.
            cands.extend(Store::linked_articles(tx, &score::claimed_links(&me))?);
        }
        // What the newest articles hold is in memory; SQLite is asked below them only.
        let recent = self.recent.clone();
        let below = recent.as_ref().map_or(Some(i64::MAX), |r| r.older_below());
        let lsh = crate::store::index::lsh_keys(
            &me.fp.minhash,
            me.fp.simhash,
            me.fp.shingles,
            me.read_title.keys(),
        );
        // Each key's newest LSH_ROWS: held ones first, then SQLite for the rest, unless
        // the filter says no article below holds the key.
        let filter = match (&self.lsh_filter, below) {
            (Some(f), Some(b)) if f.covers_below(b) => Some(f),
            _ => None,
        };
        let mut asked: Vec<(i64, usize)> = Vec::new();
        for &k in &lsh {
            let held = recent.as_ref().map_or(&[][..], |r| r.lsh(k));
            let newest = &held[held.len().saturating_sub(LSH_ROWS)..];
            cands.extend(newest.iter().copied());
            let want = LSH_ROWS - newest.len();
            if want > 0 && filter.is_none_or(|f| f.may_hold(k)) {
                asked.push((k, want));
            }
        }
        if let Some(b) = below {
            cands.extend(Store::lsh_candidates(tx, &asked, b)?);
        }
        self.weigh(tx, &[&me])?;
        let w = &self.weights;
        // Retrieve by the rarest anchors: copies share them, and common ones only add rows.
        let hard = |pos: u32| {
            me.fp
                .anchors
                .get(pos as usize)
                .is_some_and(|a| !AnchorKind::of(a).is_some_and(AnchorKind::is_word))
        };
        let mut all: Vec<(f64, i64, bool)> = me
            .keys
            .iter()
            .map(|k| (w.idf(k.0), k.0, hard(k.1)))
            .collect();
        all.sort_by(|x, y| y.0.total_cmp(&x.0).then_with(|| x.1.cmp(&y.1)));
        // The rarest; then, with a budget of their own, the rarest of those a translation
        // keeps (so they add candidates and take none from the rarest).
        let rare: Vec<(f64, i64)> = all
            .iter()
            .take(RETRIEVAL_ANCHORS)
            .map(|a| (a.0, a.1))
            .collect();
        let kept: Vec<(f64, i64)> = all
            .iter()
            .skip(RETRIEVAL_ANCHORS)
            .filter(|a| a.2)
            .take(RETRIEVAL_HARD_ANCHORS)
            .map(|a| (a.0, a.1))
            .collect();
        let keep = self.cfg.anchor_candidates;
        cands.extend(self.by_anchors(tx, id, &rare, keep, below)?);
        cands.extend(self.by_anchors(tx, id, &kept, RETRIEVAL_HARD_CANDIDATES, below)?);
        if self.cfg.model.is_some() {
            cands.extend(self.nearest(tx, &me, now)?);
        }
        cands.remove(&id);
        let cand_ids: Vec<ArticleId> = cands.into_iter().collect();
        if let Some(f) = &mut self.found {
            f.cands.insert(id, cand_ids.clone());
        }
        self.decide_candidates(tx, &me, &cand_ids, now).map(Some)
    }

    /// The `keep` articles that share the most weight of `anchors` (each anchor's newest
    /// rows, weighted by its idf), besides `id` itself.
    fn by_anchors(
        &self,
        tx: &Db,
        id: ArticleId,
        anchors: &[(f64, i64)],
        keep: usize,
        below: Option<i64>,
    ) -> Result<Vec<ArticleId>> {
        let w = &self.weights;
        let recent = self.recent.as_ref();
        // (Sums in `anchors` order whatever the map, and ranked by a total order below, so
        // a hash map gives the same candidates as an ordered one, without its cost.)
        let mut by_anchor: IntMap<ArticleId, f64> = IntMap::default();
        by_anchor.reserve(anchors.len() * RETRIEVAL_ROWS);
        for &(weight, key) in anchors {
            let stat = w.stats.get(&key);
            if stat.is_some_and(|s| s.df > MAX_RETRIEVAL_DF) || weight <= 0.0 {
                continue;
            }
            let held = recent.map_or(&[][..], |r| r.anchor(key));
            let newest = held.iter().rev().take(RETRIEVAL_ROWS);
            let from_held = newest.len();
            for &a in newest {
                *by_anchor.entry(a).or_default() += weight;
            }
            // Rows below the held ones: the statistics count every row of the anchor, and
            // the held ones are all rows from `below` on. The rarest anchors are mostly
            // held only, and a B-tree seek that finds nothing costs as much as one that
            // finds rows (more, the larger the store).
            let older = stat.map_or(usize::MAX, |s| {
                usize::try_from(s.df)
                    .unwrap_or(0)
                    .saturating_sub(held.len())
            });
            let want = (RETRIEVAL_ROWS - from_held).min(older);
            if let (Some(b), true) = (below, want > 0) {
                for a in Store::anchor_rows(tx, key, b, want)? {
                    *by_anchor.entry(a).or_default() += weight;
                }
            }
        }
        // Ties by the order-independent key where it is at hand (held articles).
        let tie = |a: ArticleId| recent.and_then(|r| r.sig(a)).map_or(a.0, |s| s.ukey);
        let mut ranked: Vec<(ArticleId, f64, i64)> = by_anchor
            .into_iter()
            .filter(|(a, _)| *a != id)
            .map(|(a, w)| (a, w, tie(a)))
            .collect();
        let order = |a: &(ArticleId, f64, i64), b: &(ArticleId, f64, i64)| {
            b.1.total_cmp(&a.1).then(a.2.cmp(&b.2)).then(a.0.cmp(&b.0))
        };
        if ranked.len() > keep && keep > 0 {
            ranked.select_nth_unstable_by(keep - 1, order);
        }
        ranked.truncate(keep);
        Ok(ranked.into_iter().map(|r| r.0).collect())
    }

    /// The candidates of `me` (in the window) that match it.
    pub(super) fn decide_candidates(
        &mut self,
        tx: &Db,
        me: &Arc<Sig>,
        cand_ids: &[ArticleId],
        now: i64,
    ) -> Result<Vec<ArticleId>> {
        self.load(tx, cand_ids)?;
        let earliest = now - self.cfg.window_secs;
        let cand_sigs: Vec<Arc<Sig>> = cand_ids
            .iter()
            .filter_map(|c| self.sigs.get(c))
            .filter(|s| s.first_seen >= earliest)
            .map(Arc::clone)
            .collect();
        self.weigh(tx, &cand_sigs.iter().map(AsRef::as_ref).collect::<Vec<_>>())?;
        let mut matched: Vec<ArticleId> = Vec::new();
        for c in &cand_sigs {
            if self.decide_pair(me, c).is_some() {
                matched.push(c.id);
            }
        }
        Ok(matched)
    }
}
