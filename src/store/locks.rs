//! Many pollers on one PostgreSQL database. SQLite needs none of this: one poll runs at a
//! time on a file (`pipeline::pass::lock`), and every method here is a no-op or takes
//! everything there.
//!
//! On PostgreSQL, with session advisory locks (released by the server when a poller's
//! connection ends, so a killed poller leaves nothing held):
//! - **Feed claims.** A pass claims each due feed before it fetches it
//!   (`pg_try_advisory_lock`), skips the feeds other pollers hold, and lets a claimed feed
//!   go again when somebody else fetched it since the pass began. So each feed is fetched
//!   once per due time, however many pollers run.
//! - **Fetching and placing.** A poller holds the pass lock shared while it fetches and
//!   stores; placement takes it exclusively. Placement so waits for every poller still
//!   storing and runs one at a time per database. Holding it, a poll first fetches the
//!   feeds still due for its pass that nobody holds (those a killed poller had claimed),
//!   so that it places every article of the due time at once, in the order one pass over
//!   all of them would: the stories are those of one run. A placer killed midway leaves
//!   its articles pending for the next.

use super::feeds::Feed;
use super::{Db, Store};
use crate::Result;
use crate::store::db::params;

/// The pass lock's key (shared: fetching and storing; exclusive: placing).
const PASS_LOCK: i64 = 0x6669_7273_7468_0002;
/// Feed claims take the keys from here on, one per feed id.
const FEED_LOCKS: i64 = 0x6669_7200_0000_0000;

impl Store {
    /// Marks this pass as fetching and storing (placement waits until it is done).
    ///
    /// # Errors
    /// Database failures.
    pub fn begin_fetching(&self) -> Result<()> {
        if self.is_postgres() {
            self.conn.query_row(
                "SELECT pg_advisory_lock_shared(?1)",
                [PASS_LOCK],
                |_| Ok(()),
            )?;
        }
        Ok(())
    }

    /// Ends what [`Store::begin_fetching`] took.
    ///
    /// # Errors
    /// Database failures.
    pub fn end_fetching(&self) -> Result<()> {
        if self.is_postgres() {
            self.conn
                .query_row("SELECT pg_advisory_unlock_shared(?1)", [PASS_LOCK], |_| {
                    Ok(())
                })?;
        }
        Ok(())
    }

    /// Lets claimed feeds go (their fetches are stored: nobody takes them again in this
    /// due time).
    ///
    /// # Errors
    /// Database failures.
    pub fn release_claims(&self, feeds: &[Feed]) -> Result<()> {
        if self.is_postgres() {
            for f in feeds {
                self.conn.query_row(
                    "SELECT pg_advisory_unlock(?1)",
                    [FEED_LOCKS + f.id.0],
                    |_| Ok(()),
                )?;
            }
        }
        Ok(())
    }

    /// Claims feeds from the front of `queue` for a pass that began at `started`, at most
    /// `max`, and takes them off the queue: on SQLite all of them, on PostgreSQL those no
    /// other poller holds and nobody fetched since `started`.
    ///
    /// # Errors
    /// Database failures.
    pub fn claim_feeds(
        &self,
        queue: &mut Vec<Feed>,
        started: chrono::DateTime<chrono::Utc>,
        max: usize,
    ) -> Result<Vec<Feed>> {
        if !self.is_postgres() {
            return Ok(std::mem::take(queue));
        }
        let mut out = Vec::new();
        let mut taken = 0;
        for f in queue.iter() {
            if out.len() >= max {
                break;
            }
            taken += 1;
            if claim(&self.conn, f.id.0, started.timestamp())? {
                out.push(f.clone());
            }
        }
        queue.drain(..taken);
        Ok(out)
    }

    /// Waits for the right to place (PostgreSQL: every pass storing has finished and no
    /// other placer runs).
    ///
    /// # Errors
    /// Database failures.
    pub fn lock_placement(&self) -> Result<()> {
        if self.is_postgres() {
            self.conn
                .query_row("SELECT pg_advisory_lock(?1)", [PASS_LOCK], |_| Ok(()))?;
        }
        Ok(())
    }

    /// Gives up what [`Store::lock_placement`] took.
    ///
    /// # Errors
    /// Database failures.
    pub fn unlock_placement(&self) -> Result<()> {
        if self.is_postgres() {
            self.conn
                .query_row("SELECT pg_advisory_unlock(?1)", [PASS_LOCK], |_| Ok(()))?;
        }
        Ok(())
    }
}

/// Claims one feed: its lock, and then only when nobody fetched it since `started`.
fn claim(conn: &Db, feed: i64, started: i64) -> Result<bool> {
    let key = FEED_LOCKS + feed;
    let got: bool = conn.query_row("SELECT pg_try_advisory_lock(?1)", [key], |r| r.get(0))?;
    if !got {
        return Ok(false);
    }
    let due = conn
        .prepare_cached(
            "SELECT 1 FROM feeds WHERE id = ?1 AND (last_polled IS NULL OR last_polled < ?2)",
        )?
        .exists(params![feed, started])?;
    if !due {
        conn.query_row("SELECT pg_advisory_unlock(?1)", [key], |_| Ok(()))?;
    }
    Ok(due)
}
