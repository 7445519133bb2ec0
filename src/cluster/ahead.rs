//! Reading ahead: while one thread places articles in order, workers on every core
//! retrieve the next chunks' candidates and decide their pairs on read-only connections.

use super::Matcher;
use super::intmap::IntMap;
use super::pairs;
use crate::Result;
use crate::domain::ArticleId;
use crate::store::{Store, articles::Sig};
use std::collections::BTreeMap;
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
