//! Matching articles into stories, a stage in five rooms: `retrieve` finds an article's
//! candidates in the indexes (never every stored article) and decides each pair once per
//! run (`score`); `assign` puts the article in the story it fits, judged on a bounded
//! sample (no chaining, no splitting of large stories); `decide` names each changed
//! story's original and its members' relations once per transaction; `ahead` reads the
//! next articles' candidates on every core while one thread places; `recent` holds the
//! newest articles' index rows in memory for a run.

mod ahead;
use ahead::ReadAhead;
pub use ahead::{AHEAD_CHUNK, PlaceChunk};
mod assign;
mod decide;
pub mod intmap;
pub mod pairs;
pub mod recent;
mod retrieve;
pub mod score;

use crate::Result;
use crate::domain::{ArticleId, Relation, StoryId};
use crate::store::db::{Db, Tx};
use crate::store::{Store, articles::Sig};
use intmap::{IntMap, IntSet};
use pairs::Pairs;
use recent::Recent;
use score::{Match, Weights};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// Anchors of an article used to retrieve candidates (the rarest).
pub const RETRIEVAL_ANCHORS: usize = 20;

/// Anchors that are not names (numbers, dates, model numbers, links, handles) used to
/// retrieve candidates besides the rarest: what a translation keeps. A long article's
/// rarest anchors are its names, which a version in another script does not have, so
/// without these a translation placed before its original was never found from it.
pub const RETRIEVAL_HARD_ANCHORS: usize = 8;

/// Candidates kept from [`RETRIEVAL_HARD_ANCHORS`] (besides those of the rarest anchors).
pub const RETRIEVAL_HARD_CANDIDATES: usize = 8;

/// Lowest model cosine at which an article in another language is a candidate.
pub const MODEL_RETRIEVAL_FLOOR: f32 = 0.75;

/// Default of [`Config::lsh_filter_from`]: about where the `lsh` index (some 50 rows of
/// ~20 bytes per article) outgrows a 64 MiB page cache.
pub const LSH_FILTER_FROM: i64 = 50_000;

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
    /// Fewest stored articles (by highest id) from which a run asks SQLite about the LSH
    /// keys of older articles only when the stored key filter may hold them (see
    /// [`crate::store::filter`]). Below it the `lsh` index fits the page caches, every
    /// key is asked, and no filter is built or written.
    pub lsh_filter_from: i64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            window_secs: 30 * 24 * 3600,
            anchor_candidates: 24,
            model: None,
            model_candidates: 6,
            lsh_filter_from: LSH_FILTER_FROM,
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
    /// The LSH keys of the articles below the held ones, when read for this run: keys it
    /// does not hold are not looked up in SQLite.
    lsh_filter: Option<Arc<crate::store::filter::LshFilter>>,
    /// Articles whose anchors the weights know already.
    weighed: IntSet<ArticleId>,
    /// Stories changed since [`Matcher::finish`] last ran (their originals and relations
    /// are decided then).
    undecided: BTreeSet<StoryId>,
    /// Articles placed since [`Matcher::finish`] last ran (their reasons are written then).
    fresh: IntSet<ArticleId>,
    /// Per story, the members its samples are drawn from (see [`assign::Lowest`]).
    lowest: IntMap<StoryId, assign::Lowest>,
    /// Stories that took in another's members since [`Matcher::finish`] last ran: every
    /// member's relation is set again then (a large story's others are not read).
    merged: IntSet<StoryId>,
    /// Members moved in by those merges from stories without contenders: they are
    /// contenders at the next decision of the story they joined.
    arrived: IntSet<ArticleId>,
    /// Articles that matched articles not yet placed when they were placed (see
    /// [`Matcher::second_look`]).
    second_look: Vec<ArticleId>,
}

impl Matcher {
    /// The model, when one is configured.
    #[must_use]
    pub fn model(&self) -> Option<&Arc<crate::embed::Model>> {
        self.cfg.model.as_ref()
    }

    /// The settings it matches with.
    #[must_use]
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// The document count idf divides by, read once per run.
    fn docs(&mut self, conn: &Db) -> Result<f64> {
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

    /// Holds `filter` for this run: an LSH key it does not hold is not looked up among the
    /// articles below the held ones (it must cover all of them, see
    /// [`crate::store::filter`]).
    pub fn hold_lsh_filter(&mut self, filter: crate::store::filter::LshFilter) {
        self.lsh_filter = Some(Arc::new(filter));
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
                totals: IntMap::default(),
            },
            vectors: None,
            cands: IntMap::default(),
            found: None,
            recent: None,
            lsh_filter: None,
            weighed: IntSet::default(),
            undecided: BTreeSet::new(),
            fresh: IntSet::default(),
            lowest: IntMap::default(),
            merged: IntSet::default(),
            arrived: IntSet::default(),
            second_look: Vec::new(),
            sites: HashMap::new(),
            pairs: Pairs::default(),
            reads: IntMap::default(),
            written: IntMap::default(),
        }
    }

    fn load(&mut self, tx: &Db, ids: &[ArticleId]) -> Result<()> {
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

    /// The signatures of `ids` (those that exist), with their anchors weighed.
    fn weighed_sigs(&mut self, tx: &Db, ids: &[ArticleId]) -> Result<Vec<Arc<Sig>>> {
        self.load(tx, ids)?;
        let sigs: Vec<Arc<Sig>> = ids
            .iter()
            .filter_map(|i| self.sigs.get(i).map(Arc::clone))
            .collect();
        let refs: Vec<&Sig> = sigs.iter().map(AsRef::as_ref).collect();
        self.weigh(tx, &refs)?;
        Ok(sigs)
    }

    /// The decision for a pair, computed once per run.
    fn decide_pair(&mut self, a: &Sig, b: &Sig) -> Option<Arc<Match>> {
        let (x, y) = by_id(a, b);
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

    /// The story of an article, read once per run and then kept by this matcher (the only
    /// writer of memberships during a run).
    fn story_of(&mut self, tx: &Tx<'_>, id: ArticleId) -> Result<Option<StoryId>> {
        if let Some(s) = self.stories.get(&id) {
            return Ok(*s);
        }
        let s = Store::story_of(tx, id)?;
        self.stories.insert(id, s);
        Ok(s)
    }

    /// Makes sure the weights know every anchor of `sigs`.
    fn weigh(&mut self, tx: &Db, sigs: &[&Sig]) -> Result<()> {
        self.docs(tx)?;
        if self.weights.stats.len() > 2_000_000 {
            // Bounded memory: the statistics are only a cache of the store's.
            self.weights.stats.clear();
            self.weights.totals.clear();
            self.weighed.clear();
        }
        let mut missing: BTreeSet<i64> = BTreeSet::new();
        let mut new: Vec<&Sig> = Vec::new();
        for s in sigs {
            if !self.weighed.insert(s.id) {
                continue;
            }
            new.push(s);
            missing.extend(
                s.keys
                    .iter()
                    .map(|k| k.0)
                    .filter(|k| !self.weights.stats.contains_key(k)),
            );
        }
        if !missing.is_empty() {
            self.read_stats(tx, missing)?;
        }
        for s in new {
            self.weights.remember_totals(s);
        }
        Ok(())
    }

    /// Reads the statistics of anchors the weights do not know yet.
    fn read_stats(&mut self, tx: &Db, missing: BTreeSet<i64>) -> Result<()> {
        let list: Vec<i64> = missing.into_iter().collect();
        let stats = Store::anchor_stats_by_key(tx, &list)?;
        if let Some(f) = &mut self.found {
            f.stats
                .extend(list.iter().copied().zip(stats.iter().copied()));
        }
        self.weights.stats.extend(list.into_iter().zip(stats));
        Ok(())
    }
}

/// A pair in the order its decision is made and cached in: the smaller id first.
fn by_id<'a>(a: &'a Sig, b: &'a Sig) -> (&'a Sig, &'a Sig) {
    if a.id <= b.id { (a, b) } else { (b, a) }
}
