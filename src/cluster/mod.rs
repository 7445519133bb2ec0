//! Story assignment. A new article is compared with candidates from the indexes (never
//! with every stored article); when it matches, the stories it touches are clustered again
//! locally, deterministically, with a guard against chaining: two groups join only when
//! most of their cross pairs match. Story ids stay stable; merges are logged.

mod assign;
pub mod intmap;
pub mod pairs;
pub mod recent;
pub mod score;

use crate::Result;
use crate::model::{ArticleId, Relation, StoryId};
use crate::origin;
use crate::store::index::{MAX_RETRIEVAL_DF, RETRIEVAL_ROWS};
use crate::store::{Store, articles::Sig};
use intmap::{IntMap, IntSet};
use pairs::{Matrix, Pairs};
use recent::Recent;
use rusqlite::{Connection, Transaction};
use score::{Match, Weights};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// Anchors of an article used to retrieve candidates (the rarest).
pub const RETRIEVAL_ANCHORS: usize = 20;

/// Lowest model cosine at which an article in another language is a candidate.
pub const MODEL_RETRIEVAL_FLOOR: f32 = 0.75;

/// Settings of matching.
#[derive(Debug, Clone)]
pub struct Config {
    /// Articles first seen longer ago than this (seconds) are not candidates.
    pub window_secs: i64,
    /// Anchor candidates verified per article.
    pub anchor_candidates: usize,
    /// The optional multilingual model: retrieves cross-script candidates and adds its
    /// cosine to the anchor decision.
    pub model: Option<Arc<crate::embed::Model>>,
    /// Nearest vectors in other languages retrieved per article when a model is set.
    pub model_candidates: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            window_secs: 30 * 24 * 3600,
            anchor_candidates: 24,
            model: None,
            model_candidates: 6,
        }
    }
}

/// Matches articles into stories; keeps caches for one placement run (signatures,
/// anchor statistics, per-site records). Anchor statistics do not change while a run
/// places articles: every article of the pass was indexed before placement began.
pub struct Matcher {
    cfg: Config,
    sigs: IntMap<ArticleId, Arc<Sig>>,
    /// Story of each article as this run knows it (read once, then kept up to date).
    stories: IntMap<ArticleId, Option<StoryId>>,
    weights: Weights,
    sites: HashMap<String, (i64, i64)>,
    /// Pair decisions: fixed for the run.
    pairs: Pairs,
    /// Last successful read of a feed before a time, by (feed, time).
    reads: IntMap<(i64, i64), Option<i64>>,
    /// Membership rows as last written (story, relation, the member it matched best), to
    /// skip writes that change nothing: a pair's match is fixed for the run, so the reason
    /// is too.
    written: IntMap<ArticleId, (StoryId, Relation, Option<ArticleId>)>,
    /// The window's model vectors (loaded on first use when a model is set, and shared
    /// with read-ahead workers).
    vectors: Option<Arc<Vec<crate::store::embeddings::Stored>>>,
    /// Candidates retrieved ahead per article by [`Matcher::prefetch`] (the indexes do not
    /// change during a run), taken when the article is placed.
    cands: IntMap<ArticleId, Vec<ArticleId>>,
    /// When this matcher reads ahead for another: what it found since last asked.
    found: Option<ReadAhead>,
    /// The newest articles' index rows and signatures, when read for this run.
    recent: Option<Arc<Recent>>,
    /// Articles whose anchors the weights know already.
    weighed: IntSet<ArticleId>,
    /// Stories regrouped since [`Matcher::finish`] last ran.
    undecided: BTreeSet<StoryId>,
}

/// What a read-ahead worker found.
#[derive(Default)]
struct ReadAhead {
    /// Signatures read from SQLite (the recent ones the placing matcher holds itself).
    sigs: Vec<Arc<Sig>>,
    stats: Vec<(i64, crate::store::index::AnchorStat)>,
    pairs: Vec<(ArticleId, ArticleId, pairs::Decision)>,
    cands: IntMap<ArticleId, Vec<ArticleId>>,
}

/// Fewest articles for which reading ahead on several cores pays.
const PREFETCH_MIN: usize = 32;

/// What [`Matcher::place_ahead`] calls to place a chunk of articles whose reading ahead
/// is done.
pub type PlaceChunk<'a> = dyn FnMut(&mut Matcher, &mut Store, &[ArticleId]) -> Result<()> + 'a;

/// Articles read ahead, and then placed, at a time.
pub const AHEAD_CHUNK: usize = 256;

impl Matcher {
    /// The model, when one is configured.
    #[must_use]
    pub fn model(&self) -> Option<&Arc<crate::embed::Model>> {
        self.cfg.model.as_ref()
    }

    /// Articles in other languages whose model vectors are nearest to `me`'s (cosine at
    /// least [`MODEL_RETRIEVAL_FLOOR`]), at most `model_candidates`.
    fn nearest(&mut self, tx: &Connection, me: &Sig, now: i64) -> Result<Vec<ArticleId>> {
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
    fn window_vectors(
        &mut self,
        conn: &Connection,
        now: i64,
    ) -> Result<Arc<Vec<crate::store::embeddings::Stored>>> {
        if let Some(v) = &self.vectors {
            return Ok(Arc::clone(v));
        }
        let v = Arc::new(Store::window_vectors(conn, now - self.cfg.window_secs)?);
        self.vectors = Some(Arc::clone(&v));
        Ok(v)
    }

    /// The document count idf divides by, read once per run.
    fn docs(&mut self, conn: &Connection) -> Result<f64> {
        if self.weights.docs < 0.0 {
            #[allow(clippy::cast_precision_loss)]
            let docs = Store::article_count(conn)? as f64;
            self.weights.docs = docs;
        }
        Ok(self.weights.docs)
    }

    /// Holds `recent` (the index rows and signatures of the newest articles, the ones a
    /// run places and most of their candidates) in memory for this run. The indexes must
    /// be complete before placement begins and must not change for the rest of the run.
    pub fn hold_recent(&mut self, recent: Recent) {
        self.recent = Some(Arc::new(recent));
    }

    /// A matcher with empty caches.
    #[must_use]
    pub fn new(cfg: Config) -> Self {
        let model = cfg.model.is_some();
        Self {
            cfg,
            sigs: IntMap::default(),
            stories: IntMap::default(),
            weights: Weights {
                stats: IntMap::default(),
                docs: -1.0,
                model,
            },
            vectors: None,
            cands: IntMap::default(),
            found: None,
            recent: None,
            weighed: IntSet::default(),
            undecided: BTreeSet::new(),
            sites: HashMap::new(),
            pairs: Pairs::default(),
            reads: IntMap::default(),
            written: IntMap::default(),
        }
    }

    fn load(&mut self, tx: &Connection, ids: &[ArticleId]) -> Result<()> {
        let mut missing: Vec<ArticleId> = ids
            .iter()
            .copied()
            .filter(|i| !self.sigs.contains_key(i))
            .collect();
        if let Some(recent) = &self.recent {
            missing.retain(|i| match recent.sig(*i) {
                Some(s) => {
                    self.sigs.insert(*i, Arc::clone(s));
                    false
                }
                None => true,
            });
        }
        if !missing.is_empty() {
            for s in Store::sigs(tx, &missing)? {
                let s = Arc::new(s);
                if let Some(f) = &mut self.found {
                    f.sigs.push(Arc::clone(&s));
                }
                self.sigs.insert(s.id, s);
            }
        }
        if self.sigs.len() > 200_000 {
            // Bounded memory: the cache is only an accelerator.
            self.sigs.clear();
            return self.load(tx, ids);
        }
        Ok(())
    }

    /// The decision for a pair, computed once per run.
    fn decide_pair(&mut self, a: &Sig, b: &Sig) -> Option<Arc<Match>> {
        let (x, y) = if a.id <= b.id { (a, b) } else { (b, a) };
        if let Some(m) = self.pairs.get(x.id, y.id) {
            return m.clone();
        }
        let m = score::pair(x, y, &self.weights).map(Arc::new);
        if self.pairs.len() > 4_000_000 {
            self.pairs.clear();
        }
        self.pairs.insert(x.id, y.id, m.clone());
        if let Some(f) = &mut self.found {
            f.pairs.push((x.id, y.id, m.clone()));
        }
        m
    }

    /// The decisions of every pair of `sigs`, by position. Each member's row of known
    /// decisions is walked beside the others in id order; only unknown pairs are decided.
    fn matrix(&mut self, sigs: &[Arc<Sig>]) -> Matrix {
        let n = sigs.len();
        let mut matrix = Matrix::new(n);
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&i| sigs[i].id);
        let mut unknown: Vec<(usize, usize)> = Vec::new();
        for (x, &i) in order.iter().enumerate() {
            let row = self.pairs.row(sigs[i].id);
            let mut at = 0;
            for &j in &order[x + 1..] {
                let id = sigs[j].id;
                while at < row.len() && row[at].0 < id {
                    at += 1;
                }
                match row.get(at) {
                    Some((b, d)) if *b == id => matrix.set(i, j, d.clone()),
                    _ => unknown.push((i, j)),
                }
            }
        }
        for (i, j) in unknown {
            let d = self.decide_pair(&sigs[i], &sigs[j]);
            matrix.set(i, j, d);
        }
        matrix
    }

    /// The story of an article, read once per run and then kept by this matcher (the only
    /// writer of memberships during a run).
    fn story_of(&mut self, tx: &Transaction<'_>, id: ArticleId) -> Result<Option<StoryId>> {
        if let Some(s) = self.stories.get(&id) {
            return Ok(*s);
        }
        let s = Store::story_of(tx, id)?;
        self.stories.insert(id, s);
        Ok(s)
    }

    /// Makes sure the weights know every anchor of `sigs`.
    fn weigh(&mut self, tx: &Connection, sigs: &[&Sig]) -> Result<()> {
        self.docs(tx)?;
        if self.weights.stats.len() > 2_000_000 {
            // Bounded memory: the statistics are only a cache of the store's.
            self.weights.stats.clear();
            self.weighed.clear();
        }
        let mut missing: BTreeSet<i64> = BTreeSet::new();
        for s in sigs {
            if !self.weighed.insert(s.id) {
                continue;
            }
            missing.extend(
                s.keys
                    .iter()
                    .map(|k| k.0)
                    .filter(|k| !self.weights.stats.contains_key(k)),
            );
        }
        if missing.is_empty() {
            return Ok(());
        }
        let list: Vec<i64> = missing.into_iter().collect();
        let stats = Store::anchor_stats_by_key(tx, &list)?;
        if let Some(f) = &mut self.found {
            f.stats
                .extend(list.iter().copied().zip(stats.iter().copied()));
        }
        self.weights.stats.extend(list.into_iter().zip(stats));
        Ok(())
    }

    /// Retrieves `id`'s candidates and decides each pair (read-only; cached for the run).
    /// `None` when the article does not exist.
    fn matches(
        &mut self,
        tx: &Connection,
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
        if score::thin(&me) {
            // An article with no text of its own is found by what it links to.
            cands.extend(Store::linked_articles(tx, &score::claimed_links(&me))?);
        }
        // What the newest articles hold is in memory; SQLite is asked below them only.
        let recent = self.recent.clone();
        let below = recent.as_ref().map_or(Some(i64::MAX), |r| r.older_below());
        let lsh =
            crate::store::index::lsh_keys(&me.fp.minhash, me.fp.simhash, me.fp.shingles, &me.title);
        if let Some(b) = below {
            cands.extend(Store::lsh_candidates(tx, &lsh, b)?);
        }
        if let Some(r) = &recent {
            let mut held = Vec::new();
            r.lsh(&lsh, &mut held);
            cands.extend(held);
        }
        self.weigh(tx, &[&me])?;
        let w = &self.weights;
        // Retrieve by the rarest anchors: copies share them, and common ones only add rows.
        let mut rare: Vec<(f64, i64)> = me.keys.iter().map(|k| (w.idf(k.0), k.0)).collect();
        rare.sort_by(|x, y| y.0.total_cmp(&x.0).then_with(|| x.1.cmp(&y.1)));
        rare.truncate(RETRIEVAL_ANCHORS);
        // Each anchor's newest rows, weighted by its idf.
        // (Sums in `rare` order whatever the map, and ranked by a total order below, so a
        // hash map gives the same candidates as an ordered one, without its cost.)
        let mut by_anchor: IntMap<ArticleId, f64> = IntMap::default();
        by_anchor.reserve(rare.len() * RETRIEVAL_ROWS);
        for &(weight, key) in &rare {
            let stat = w.stats.get(&key).copied().unwrap_or_default();
            if stat.df > MAX_RETRIEVAL_DF || weight <= 0.0 {
                continue;
            }
            let held = recent.as_ref().map_or(&[][..], |r| r.anchor(key));
            let newest = held.iter().rev().take(RETRIEVAL_ROWS);
            let from_held = newest.len();
            for &a in newest {
                *by_anchor.entry(a).or_default() += weight;
            }
            if let (Some(b), true) = (below, from_held < RETRIEVAL_ROWS) {
                for a in Store::anchor_rows(tx, key, b, RETRIEVAL_ROWS - from_held)? {
                    *by_anchor.entry(a).or_default() += weight;
                }
            }
        }
        // Ties by the order-independent key where it is at hand (held articles).
        let tie = |a: ArticleId| {
            recent
                .as_ref()
                .and_then(|r| r.sig(a))
                .map_or(a.0, |s| s.ukey)
        };
        let mut ranked: Vec<(ArticleId, f64, i64)> = by_anchor
            .into_iter()
            .filter(|(a, _)| *a != id)
            .map(|(a, w)| (a, w, tie(a)))
            .collect();
        let order = |a: &(ArticleId, f64, i64), b: &(ArticleId, f64, i64)| {
            b.1.total_cmp(&a.1).then(a.2.cmp(&b.2)).then(a.0.cmp(&b.0))
        };
        let keep = self.cfg.anchor_candidates;
        if ranked.len() > keep && keep > 0 {
            ranked.select_nth_unstable_by(keep - 1, order);
        }
        ranked.truncate(keep);
        cands.extend(ranked.into_iter().map(|r| r.0));
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

    /// The candidates of `me` (in the window) that match it.
    fn decide_candidates(
        &mut self,
        tx: &Connection,
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

    /// Places `ids` in order, reading ahead on every core while it places: workers, each
    /// on its own read-only connection, take the next chunk of articles, retrieve their
    /// candidates, load signatures and anchor statistics and decide the pairs; as each
    /// chunk's reading is done (in order), `place` is called with it and finds all that
    /// cached. Decisions are the same as without reading ahead (the indexes and statistics
    /// do not change while a run places articles). For an in-memory database, on one
    /// core, or for a few articles, `place` is called without reading ahead.
    ///
    /// # Errors
    /// SQLite failures, and what `place` returns.
    pub fn place_ahead(
        &mut self,
        store: &mut Store,
        ids: &[ArticleId],
        now: i64,
        place: &mut PlaceChunk<'_>,
    ) -> Result<()> {
        let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        // One read-only connection per core; none on one core, for a few articles, or
        // for an in-memory database (then this thread does all of it).
        let mut conns = Vec::with_capacity(threads);
        if threads >= 2 && ids.len() >= PREFETCH_MIN {
            while conns.len() < threads {
                let Some(c) = store.reader()? else { break };
                conns.push(c);
            }
        }
        if conns.len() < threads || conns.is_empty() {
            for chunk in ids.chunks(AHEAD_CHUNK) {
                place(self, store, chunk)?;
            }
            return Ok(());
        }
        let docs = self.docs(store.conn())?;
        let vectors = match self.cfg.model {
            Some(_) => Some(self.window_vectors(store.conn(), now)?),
            None => None,
        };
        let chunks: Vec<&[ArticleId]> = ids.chunks(AHEAD_CHUNK).collect();
        let next = std::sync::atomic::AtomicUsize::new(0);
        let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Result<ReadAhead>)>(threads * 2);
        std::thread::scope(|scope| {
            for conn in conns {
                let (cfg, tx, chunks, next) = (self.cfg.clone(), tx.clone(), &chunks, &next);
                let (vectors, recent) = (vectors.clone(), self.recent.clone());
                scope.spawn(move || {
                    let mut w = Matcher::new(cfg);
                    w.weights.docs = docs;
                    w.vectors = vectors;
                    w.found = Some(ReadAhead::default());
                    w.recent = recent;
                    loop {
                        let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(chunk) = chunks.get(k) else { break };
                        let read = chunk
                            .iter()
                            .try_for_each(|&id| w.matches(&conn, id, now).map(|_| ()))
                            .map(|()| w.take_read_ahead());
                        let failed = read.is_err();
                        // The receiver is gone when placing failed: stop then.
                        if tx.send((k, read)).is_err() || failed {
                            break;
                        }
                    }
                });
            }
            drop(tx);
            // Owned here, so an early return drops it and the workers' sends fail.
            let rx = rx;
            let mut ready: BTreeMap<usize, Result<ReadAhead>> = BTreeMap::new();
            // Time this thread waited for the workers (it is the slower side otherwise).
            let mut waited = std::time::Duration::ZERO;
            for (k, chunk) in chunks.iter().enumerate() {
                let from = std::time::Instant::now();
                while !ready.contains_key(&k) {
                    let Ok((i, r)) = rx.recv() else {
                        return Err(crate::Error::Internal("a read-ahead worker stopped".into()));
                    };
                    ready.insert(i, r);
                }
                waited += from.elapsed();
                if let Some(r) = ready.remove(&k) {
                    self.absorb(r?);
                }
                place(self, store, chunk)?;
            }
            tracing::debug!(
                chunks = chunks.len(),
                waited = waited.as_secs_f64(),
                "placing thread waited for reading ahead"
            );
            Ok(())
        })
    }

    /// What this reading-ahead matcher has found since it was last asked (it keeps its
    /// caches for the next chunk).
    fn take_read_ahead(&mut self) -> ReadAhead {
        self.found.replace(ReadAhead::default()).unwrap_or_default()
    }

    /// Takes in what a reading-ahead matcher found.
    fn absorb(&mut self, r: ReadAhead) {
        for s in r.sigs {
            self.sigs.entry(s.id).or_insert(s);
        }
        for (k, v) in r.stats {
            self.weights.stats.entry(k).or_insert(v);
        }
        for (a, b, d) in r.pairs {
            if self.pairs.get(a, b).is_none() {
                self.pairs.insert(a, b, d);
            }
        }
        self.cands.extend(r.cands);
    }

    /// Decides the original of `stories` again and writes their members' relations
    /// (after a repair or a feed removal changed their members without placing anything).
    ///
    /// # Errors
    /// SQLite failures.
    pub fn decide_again(
        &mut self,
        tx: &Transaction<'_>,
        stories: &[StoryId],
        now: i64,
    ) -> Result<()> {
        self.undecided.extend(stories.iter().copied());
        self.finish(tx, now)
    }

    /// Decides the original of every story changed since the last call and writes each
    /// member's relation and reason. [`Matcher::place`] leaves that to this, once per story
    /// per transaction instead of once per article placed: call it before committing.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn finish(&mut self, tx: &Transaction<'_>, now: i64) -> Result<()> {
        for story in std::mem::take(&mut self.undecided) {
            // Every member, not only those the last regroup held: a story too large to
            // cluster at once keeps members no single regroup saw.
            let ids = Store::story_members(tx, story)?;
            if ids.is_empty() {
                continue;
            }
            self.load(tx, &ids)?;
            let sigs: Vec<Arc<Sig>> = ids
                .iter()
                .filter_map(|i| self.sigs.get(i).map(Arc::clone))
                .collect();
            let refs: Vec<&Sig> = sigs.iter().map(AsRef::as_ref).collect();
            self.weigh(tx, &refs)?;
            let matrix = self.matrix(&sigs);
            let all: Vec<usize> = (0..sigs.len()).collect();
            let decision = origin::decide(
                &refs,
                &matrix_for(&all, &matrix),
                &mut History {
                    tx,
                    sites: &mut self.sites,
                    reads: &mut self.reads,
                },
            )?;
            let original = decision
                .original
                .and_then(|o| refs.iter().copied().find(|x| x.id == o));
            for (i, s) in refs.iter().enumerate() {
                let relation = relation(s, original);
                let best = best_match(i, &all, &refs, &matrix);
                let row = (story, relation, best.map(|(j, _)| refs[j].id));
                if self.written.get(&s.id) != Some(&row) {
                    Store::set_member(tx, s.id, story, relation, &reason_json(best, &refs))?;
                    self.written.insert(s.id, row);
                }
            }
            Store::set_original(tx, story, decision.original, &decision.evidence, now)?;
        }
        Ok(())
    }
}

/// The store's history as origin asks for it, cached for the run.
struct History<'a, 't> {
    tx: &'a Transaction<'t>,
    sites: &'a mut HashMap<String, (i64, i64)>,
    reads: &'a mut IntMap<(i64, i64), Option<i64>>,
}

impl origin::Records for History<'_, '_> {
    fn site_record(&mut self, site: &str) -> Result<(i64, i64)> {
        if let Some(r) = self.sites.get(site) {
            return Ok(*r);
        }
        let r = Store::site_record(self.tx, site)?;
        self.sites.insert(site.to_string(), r);
        Ok(r)
    }

    fn read_before(&mut self, feed: i64, t: i64) -> Result<Option<i64>> {
        if let Some(r) = self.reads.get(&(feed, t)) {
            return Ok(*r);
        }
        let r = Store::read_before(self.tx, feed, t)?;
        self.reads.insert((feed, t), r);
        Ok(r)
    }
}

/// Pairwise matches within one cluster (sorted positions into the group), by position in
/// the cluster (for origin).
fn matrix_for(c: &[usize], matrix: &Matrix) -> Vec<(usize, usize, f64)> {
    let mut out = Vec::new();
    for (x, &i) in c.iter().enumerate() {
        for (y, &j) in c.iter().enumerate().skip(x + 1) {
            if let Some(m) = matrix.get(i, j) {
                out.push((x, y, m.score));
            }
        }
    }
    out
}

/// The relation of a member to the original.
fn relation(s: &Sig, original: Option<&Sig>) -> Relation {
    let Some(o) = original else {
        return Relation::Syndicated;
    };
    if o.id == s.id {
        Relation::Original
    } else if o.lang != s.lang {
        Relation::Translation
    } else if o.fp.dup_hash == s.fp.dup_hash {
        Relation::Duplicate
    } else {
        Relation::Syndicated
    }
}

/// Member `i`'s strongest match in its cluster (ties by article key).
fn best_match<'m>(
    i: usize,
    c: &[usize],
    sigs: &[&Sig],
    matrix: &'m Matrix,
) -> Option<(usize, &'m Match)> {
    c.iter()
        .filter(|&&j| j != i)
        .filter_map(|&j| matrix.get(i, j).map(|m| (j, m.as_ref())))
        .max_by(|a, b| {
            a.1.score
                .total_cmp(&b.1.score)
                .then(sigs[b.0].ukey.cmp(&sigs[a.0].ukey))
        })
}

/// Why a member is in its cluster: its strongest match there, as JSON.
fn reason_json(best: Option<(usize, &Match)>, sigs: &[&Sig]) -> String {
    match best {
        None => "{}".into(),
        Some((j, m)) => serde_json::json!({
            "matched": sigs[j].url.clone().unwrap_or_default(),
            "matched_id": sigs[j].id.0,
            "kind": m.kind,
            "score": (m.score * 1000.0).round() / 1000.0,
            "jaccard": (m.jaccard * 1000.0).round() / 1000.0,
            "containment": (m.containment * 1000.0).round() / 1000.0,
            "anchor_score": (m.anchors * 1000.0).round() / 1000.0,
            "shared_anchors": m.shared,
            "cosine": m.cosine,
        })
        .to_string(),
    }
}
