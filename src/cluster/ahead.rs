//! Reading ahead: while one thread places articles in order, workers on every core
//! retrieve the next chunks' candidates and decide their pairs on read-only connections.

use super::Matcher;
use super::intmap::IntMap;
use super::pairs;
use crate::Result;
use crate::domain::ArticleId;
use crate::store::{Store, articles::Sig};
use std::ops::ControlFlow;
use std::sync::Arc;

/// What a read-ahead worker found.
#[derive(Default)]
pub(super) struct ReadAhead {
    /// Signatures read from SQLite (the recent ones the placing matcher holds itself).
    pub(super) sigs: Vec<Arc<Sig>>,
    pub(super) stats: Vec<(i64, crate::store::index::AnchorStat)>,
    pub(super) pairs: Vec<(ArticleId, ArticleId, pairs::Decision)>,
    pub(super) cands: IntMap<ArticleId, Vec<ArticleId>>,
}

/// Fewest articles for which reading ahead on several cores pays.
const PREFETCH_MIN: usize = 32;

/// What [`Matcher::place_ahead`] calls to place a chunk of articles whose reading ahead
/// is done.
pub type PlaceChunk<'a> = dyn FnMut(&mut Matcher, &mut Store, &[ArticleId]) -> Result<()> + 'a;

/// Articles read ahead, and then placed, at a time.
pub const AHEAD_CHUNK: usize = 256;

impl Matcher {
    /// Places `ids` in order, reading ahead on every core while it places: workers, each
    /// on its own read-only connection, take the next chunk of articles, retrieve their
    /// candidates, load signatures and anchor statistics and decide the pairs; as each
    /// chunk's reading is done (in order), `place` is called with it and finds all that
    /// cached. Decisions are the same as without reading ahead (the indexes and statistics
    /// do not change while a run places articles). For an in-memory database, on one
    /// core, or for a few articles, `place` is called without reading ahead.
    ///
    /// # Errors
    /// Database failures, and what `place` returns.
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
        let workers: Vec<_> = conns
            .into_iter()
            .map(|conn| {
                let mut w = Matcher::new(self.cfg.clone());
                w.weights.docs = docs;
                w.vectors.clone_from(&vectors);
                w.found = Some(ReadAhead::default());
                w.recent.clone_from(&self.recent);
                w.lsh_filter.clone_from(&self.lsh_filter);
                (conn, w)
            })
            .collect();
        let read_ahead = |(conn, w): &mut (_, Matcher), chunk: &&[ArticleId]| {
            let read = chunk
                .iter()
                .try_for_each(|&id| w.matches(conn, id, now).map(|_| ()))
                .map(|()| w.take_read_ahead());
            // A worker that failed stops; placing stops at its failure.
            if read.is_err() {
                ControlFlow::Break(read)
            } else {
                ControlFlow::Continue(read)
            }
        };
        crate::ordered::map(workers, &chunks, threads * 2, read_ahead, |found| {
            // Time this thread waited for the workers (it is the slower side otherwise).
            let mut waited = std::time::Duration::ZERO;
            for chunk in &chunks {
                let from = std::time::Instant::now();
                let Some(Ok(read)) = found.next() else {
                    return Err(crate::Error::Internal("a read-ahead worker stopped".into()));
                };
                waited += from.elapsed();
                self.absorb(read?);
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
    pub(super) fn take_read_ahead(&mut self) -> ReadAhead {
        self.found.replace(ReadAhead::default()).unwrap_or_default()
    }

    /// Takes in what a reading-ahead matcher found.
    pub(super) fn absorb(&mut self, r: ReadAhead) {
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
}
