//! The stage that brings documents in, shared by [`super::ingest`] (local files) and a
//! poll [`super::pass`] (fetched feeds): documents prepared in parallel elsewhere arrive
//! in batches, each batch is stored in one short transaction, and once all are stored the
//! new articles are indexed, placed into stories and the indexes kept to the window.

use super::{Progress, index_pending, place_pending, prune_window};
use crate::Result;
use crate::cluster::Matcher;
use crate::store::Store;
use crate::store::db::Tx;
use std::time::{Duration, Instant};

/// What [`super::ingest::files`] and [`super::pass::run`] report as they go (for a
/// progress line; the library prints nothing).
#[derive(Debug)]
pub enum Event<'a> {
    /// Files read and stored so far, of all.
    Read {
        /// Files done.
        done: usize,
        /// Files given.
        of: usize,
    },
    /// A file that was not stored, with why.
    Refused(&'a crate::Error),
    /// Feeds fetched and stored so far, of all due.
    Fetched {
        /// Feeds done.
        done: usize,
        /// Feeds due.
        of: usize,
        /// New articles so far.
        new: usize,
        /// Feeds failed so far.
        failed: usize,
    },
    /// Everything that arrived is stored.
    Stored,
    /// Placing the stored articles into stories: how far, of how many waiting.
    Placing(Progress, i64),
    /// Placement is done (only after [`Event::Placing`] events).
    Placed,
}

/// Where the prepared documents come from: batches in the order they are to be stored.
pub(super) trait Arrivals {
    /// One prepared document (or a failure to store in its place).
    type Item;
    /// The next batch (never empty), waiting for it; `None` when no more will come.
    /// `idle` is worth calling when the next batch is not ready yet.
    ///
    /// # Errors
    /// What `idle` returns.
    fn next_batch(
        &mut self,
        idle: &mut dyn FnMut() -> Result<()>,
    ) -> Result<Option<Vec<Self::Item>>>;
}

/// Stores each batch `arrivals` gives in one transaction (`put` stores the batch's items
/// and says what each brought) and hands that to `stored`. While the next batch is not ready,
/// the index rows of what is stored are written (sorted by key), instead of all of them
/// at placement.
///
/// # Errors
/// Database failures, and what `put` returns (the batch's transaction is rolled back).
pub(super) fn store_all<A: Arrivals, R>(
    store: &mut Store,
    arrivals: &mut A,
    mut put: impl FnMut(&Tx<'_>, Vec<A::Item>) -> Result<Vec<R>>,
    stored: &mut dyn FnMut(Vec<R>),
) -> Result<()> {
    let (mut storing, mut indexing) = (Duration::ZERO, Duration::ZERO);
    let mut dirty = false;
    loop {
        let mut idle = || -> Result<()> {
            if dirty {
                let t = Instant::now();
                index_pending(store)?;
                indexing += t.elapsed();
                dirty = false;
            }
            Ok(())
        };
        let Some(batch) = arrivals.next_batch(&mut idle)? else {
            break;
        };
        let t = Instant::now();
        let out = store.write(|tx| put(tx, batch))?;
        storing += t.elapsed();
        dirty = true;
        stored(out);
    }
    tracing::debug!(
        storing = storing.as_secs_f64(),
        indexing = indexing.as_secs_f64(),
        "store thread"
    );
    Ok(())
}

/// After everything arrived and was stored: places the articles waiting for a story
/// (when `place` and there are any), then keeps the indexes to the matching window.
/// Returns how many were waiting.
///
/// # Errors
/// Database failures.
pub(super) fn settle(
    store: &mut Store,
    matcher: &mut Matcher,
    now: i64,
    place: bool,
    on: &mut dyn FnMut(Event<'_>),
) -> Result<i64> {
    let pending = store.pending_count()?;
    on(Event::Stored);
    if place && pending > 0 {
        place_pending(store, matcher, now, &mut |p| on(Event::Placing(p, pending)))?;
        on(Event::Placed);
    }
    prune_window(store, matcher.config(), now)?;
    Ok(pending)
}
