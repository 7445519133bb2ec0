//! Feed rows: subscriptions, their HTTP validators, schedule and error state.

use super::{Store, time};
use crate::domain::FeedId;
use crate::store::db::{OptionalExtension, Row, params};
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// A feed as stored.
#[derive(Debug, Clone, Serialize)]
pub struct Feed {
    /// Row id.
    pub id: FeedId,
    /// Feed URL (`file://…` for ingested files).
    pub url: String,
    /// Title from the feed.
    pub title: Option<String>,
    /// `active` or `disabled`; `local` for a file read by `ingest` (never polled).
    pub status: String,
    /// Last fetch error, one line.
    pub last_error: Option<String>,
    /// Consecutive errors.
    pub error_count: i64,
    /// When it is due next (`None`: now; always `None` for a local file, never polled).
    pub next_poll: Option<DateTime<Utc>>,
    /// HTTP ETag of the last 200.
    pub etag: Option<String>,
    /// HTTP Last-Modified of the last 200.
    pub last_modified: Option<String>,
    /// Last poll.
    #[serde(skip)]
    pub last_polled: Option<DateTime<Utc>>,
    /// RSS ttl in minutes.
    #[serde(skip)]
    pub ttl_minutes: Option<i64>,
}

impl Feed {
    fn from_row(r: &Row<'_>) -> crate::Result<Self> {
        let url: String = r.get("url")?;
        let local = is_local(&url);
        Ok(Self {
            id: FeedId(r.get("id")?),
            title: r.get("title")?,
            status: if local {
                "local".into()
            } else {
                r.get("status")?
            },
            last_error: r.get("last_error")?,
            error_count: r.get("error_count")?,
            next_poll: if local {
                None
            } else {
                r.get::<_, Option<i64>>("next_poll")?.map(time)
            },
            url,
            etag: r.get("etag")?,
            last_modified: r.get("last_modified")?,
            last_polled: r.get::<_, Option<i64>>("last_polled")?.map(time),
            ttl_minutes: r.get("ttl_minutes")?,
        })
    }
}

impl Feed {
    /// Whether this is a local file read by `ingest` (`file://…`): never polled.
    #[must_use]
    pub fn is_local(&self) -> bool {
        is_local(&self.url)
    }
}

fn is_local(url: &str) -> bool {
    url.starts_with("file:")
}

/// Where the polling schedule stands: what a pass of `run` or `poll` can say about the
/// feeds it did not fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// Active feeds that are polled (local files and disabled feeds left out).
    pub polled: usize,
    /// Of those, how many are due now.
    pub due: usize,
    /// When the next of the others is due.
    pub next_due: Option<DateTime<Utc>>,
}

/// What one fetch changed on a feed row.
#[derive(Debug, Clone, Default)]
pub struct FetchRecord {
    /// HTTP status, when there was one.
    pub status: Option<u16>,
    /// Error message; `None` on success (which resets the error count).
    pub error: Option<String>,
    /// New validators (only with a 200).
    pub etag: Option<String>,
    /// New Last-Modified (only with a 200).
    pub last_modified: Option<String>,
    /// Whether the validators above replace the stored ones.
    pub validators: bool,
    /// Next poll time.
    pub next_poll: Option<DateTime<Utc>>,
    /// A server's Retry-After, honoured even by `poll --all`.
    pub retry_until: Option<DateTime<Utc>>,
    /// Permanent redirect target to store as the feed's URL.
    pub new_url: Option<String>,
    /// 410 Gone: disable the feed.
    pub disable: bool,
    /// Feed title from the parsed document.
    pub title: Option<String>,
    /// RSS ttl from the parsed document.
    pub ttl_minutes: Option<u32>,
    /// Milliseconds the fetch took.
    pub duration_ms: i64,
    /// Bytes received.
    pub bytes: i64,
    /// Articles that were new.
    pub new_articles: i64,
}

const COLUMNS: &str = "id, url, title, status, last_error, error_count, next_poll, etag, last_modified, last_polled, ttl_minutes";

impl Store {
    /// Adds a feed (or finds it); returns its id and whether it was new.
    ///
    /// # Errors
    /// Database failures.
    pub fn add_feed(
        &mut self,
        url: &str,
        title: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(FeedId, bool)> {
        self.write(|tx| Self::add_feed_in(tx, url, title, now))
    }

    /// [`Store::add_feed`] inside a transaction.
    ///
    /// # Errors
    /// Database failures.
    pub fn add_feed_in(
        tx: &crate::store::db::Tx<'_>,
        url: &str,
        title: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(FeedId, bool)> {
        if let Some(id) = tx
            .prepare_cached("SELECT id FROM feeds WHERE url = ?1")?
            .query_row([url], |r| r.get::<_, i64>(0))
            .optional()?
        {
            return Ok((FeedId(id), false));
        }
        let id = tx
            .prepare_cached(
                "INSERT INTO feeds (url, title, created) VALUES (?1, ?2, ?3) RETURNING id",
            )?
            .query_row(params![url, title, now.timestamp()], |r| r.get(0))?;
        Ok((FeedId(id), true))
    }

    /// All feeds, by id.
    ///
    /// # Errors
    /// Database failures.
    pub fn feeds(&self) -> Result<Vec<Feed>> {
        let mut st = self
            .conn()
            .prepare_cached(&format!("SELECT {COLUMNS} FROM feeds ORDER BY id"))?;
        let rows = st.query_map((), Feed::from_row)?;
        rows.collect::<crate::Result<_>>()
    }

    /// Active feeds due at `now` (all active feeds when `all`), soonest first.
    /// A feed with a Retry-After still pending is not due even under `all`.
    ///
    /// # Errors
    /// Database failures.
    pub fn due_feeds(&self, now: DateTime<Utc>, all: bool) -> Result<Vec<Feed>> {
        let mut st = self.conn().prepare_cached(&format!(
            "SELECT {COLUMNS} FROM feeds WHERE status = 'active' AND url NOT LIKE 'file:%'
               AND (next_poll IS NULL OR next_poll <= ?1
                    OR (?2 AND (retry_until IS NULL OR retry_until <= ?1)))
             ORDER BY COALESCE(next_poll, 0), id"
        ))?;
        let rows = st.query_map(params![now.timestamp(), all], Feed::from_row)?;
        rows.collect::<crate::Result<_>>()
    }

    /// How many polled feeds there are, how many are due at `now`, and when the next
    /// one that is not due yet will be.
    ///
    /// # Errors
    /// Database failures.
    pub fn schedule(&self, now: DateTime<Utc>) -> Result<Schedule> {
        let (polled, due, next): (i64, i64, Option<i64>) = self
            .conn()
            .prepare_cached(
                "SELECT COUNT(*),
                        COALESCE(SUM(CASE WHEN next_poll IS NULL OR next_poll <= ?1 THEN 1 ELSE 0 END), 0),
                        MIN(CASE WHEN next_poll > ?1 THEN next_poll END)
                 FROM feeds WHERE status = 'active' AND url NOT LIKE 'file:%'",
            )?
            .query_row([now.timestamp()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        let n = |x: i64| usize::try_from(x).unwrap_or(0);
        Ok(Schedule {
            polled: n(polled),
            due: n(due),
            next_due: next.map(time),
        })
    }

    /// Finds a feed by URL or numeric id.
    ///
    /// # Errors
    /// [`Error::NoFeed`] when there is none.
    pub fn feed(&self, url_or_id: &str) -> Result<Feed> {
        let by_id = url_or_id.parse::<i64>().ok();
        let mut st = self.conn().prepare_cached(&format!(
            "SELECT {COLUMNS} FROM feeds WHERE url = ?1 OR id = ?2"
        ))?;
        st.query_row(params![url_or_id, by_id], Feed::from_row)
            .optional()?
            .ok_or_else(|| Error::NoFeed(url_or_id.to_string()))
    }

    /// Removes a feed and its articles. Returns the feed and the live stories that lost
    /// members: their originals must be decided again (until then a story whose original
    /// left says so in its evidence).
    ///
    /// # Errors
    /// [`Error::NoFeed`] when there is none.
    pub fn remove_feed(&mut self, url_or_id: &str) -> Result<(Feed, Vec<crate::domain::StoryId>)> {
        let feed = self.feed(url_or_id)?;
        let stories = self.write(|tx| {
            let stories: Vec<i64> = tx
                .prepare_cached(
                    "SELECT DISTINCT m.story_id FROM members m JOIN articles a ON a.id = m.article_id
                     WHERE a.feed_id = ?1 ORDER BY m.story_id",
                )?
                .query_map([feed.id.0], |r| r.get(0))?
                .collect::<crate::Result<_>>()?;
            tx.execute(
                "UPDATE stories SET original_id = NULL, evidence = '[\"its original was removed with its feed\"]'
                 WHERE original_id IN (SELECT id FROM articles WHERE feed_id = ?1)",
                [feed.id.0],
            )?;
            // Index rows name their article without a foreign key: take them out first.
            let ids: Vec<i64> = tx
                .prepare_cached("SELECT id FROM articles WHERE feed_id = ?1")?
                .query_map([feed.id.0], |r| r.get(0))?
                .collect::<crate::Result<_>>()?;
            for id in ids {
                Self::unindex_article(tx, crate::domain::ArticleId(id))?;
            }
            tx.execute("DELETE FROM feeds WHERE id = ?1", [feed.id.0])?;
            Self::live_stories(tx, &stories)
        })?;
        Ok((feed, stories))
    }

    /// Records one fetch on the feed row and in the fetch history.
    ///
    /// # Errors
    /// Database failures.
    pub fn record_fetch(
        tx: &crate::store::db::Tx<'_>,
        feed: FeedId,
        rec: &FetchRecord,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if let Some(new_url) = &rec.new_url {
            // Another feed may already have that URL; then keep ours.
            tx.prepare_cached(
                "UPDATE feeds SET url = ?2
                 WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM feeds o WHERE o.url = ?2)",
            )?
            .execute(params![feed.0, new_url])?;
        }
        tx.prepare_cached(
            "UPDATE feeds SET
                last_polled = ?2,
                next_poll = ?3,
                last_error = ?4,
                error_count = CASE WHEN CAST(?4 AS TEXT) IS NULL THEN 0 ELSE error_count + 1 END,
                etag = CASE WHEN ?5 THEN ?6 ELSE etag END,
                last_modified = CASE WHEN ?5 THEN ?7 ELSE last_modified END,
                status = CASE WHEN ?8 THEN 'disabled' ELSE status END,
                title = COALESCE(?9, title),
                ttl_minutes = COALESCE(?10, ttl_minutes),
                retry_until = ?11
             WHERE id = ?1",
        )?
        .execute(params![
            feed.0,
            now.timestamp(),
            rec.next_poll.map(|t| t.timestamp()),
            rec.error,
            rec.validators,
            rec.etag,
            rec.last_modified,
            rec.disable,
            rec.title,
            rec.ttl_minutes,
            rec.retry_until.map(|t| t.timestamp()),
        ])?;
        tx.prepare_cached(
            "INSERT INTO fetches (feed_id, at, status, duration_ms, bytes, new_articles, error)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![
            feed.0,
            now.timestamp(),
            rec.status,
            rec.duration_ms,
            rec.bytes,
            rec.new_articles,
            rec.error
        ])?;
        Ok(())
    }

    /// Median gap between the feed's recent articles' publication times.
    ///
    /// # Errors
    /// Database failures.
    pub fn publish_interval(conn: &crate::store::db::Db, feed: FeedId) -> Result<Option<i64>> {
        let mut st = conn.prepare_cached(
            "SELECT published FROM articles WHERE feed_id = ?1 AND published IS NOT NULL
             ORDER BY published DESC LIMIT 20",
        )?;
        let times: Vec<i64> = st
            .query_map([feed.0], |r| r.get(0))?
            .collect::<crate::Result<_>>()?;
        let mut gaps: Vec<i64> = times
            .windows(2)
            .map(|w| w[0] - w[1])
            .filter(|g| *g > 0)
            .collect();
        if gaps.is_empty() {
            return Ok(None);
        }
        gaps.sort_unstable();
        Ok(Some(gaps[gaps.len() / 2]))
    }

    /// The last successful read of a feed before `t` (unix seconds).
    ///
    /// # Errors
    /// Database failures.
    pub fn read_before(conn: &crate::store::db::Db, feed: i64, t: i64) -> Result<Option<i64>> {
        conn.prepare_cached(
            "SELECT MAX(at) FROM fetches WHERE feed_id = ?1 AND at < ?2 AND error IS NULL",
        )?
        .query_row(params![feed, t], |r| r.get(0))
    }

    /// Records the start of a poll pass; returns its row.
    ///
    /// # Errors
    /// Database failures.
    pub fn start_poll(&mut self, now: DateTime<Utc>) -> Result<i64> {
        self.write(|tx| {
            tx.prepare_cached("INSERT INTO polls (started) VALUES (?1) RETURNING id")?
                .query_row([now.timestamp()], |r| r.get(0))
        })
    }

    /// Records the end of a poll pass.
    ///
    /// # Errors
    /// Database failures.
    pub fn finish_poll(
        &mut self,
        id: i64,
        now: DateTime<Utc>,
        feeds: usize,
        failed: usize,
        new_articles: usize,
    ) -> Result<()> {
        let n = |x: usize| i64::try_from(x).unwrap_or(i64::MAX);
        self.write(|tx| {
            tx.prepare_cached("UPDATE polls SET finished = ?2, feeds = ?3, failed = ?4, new_articles = ?5 WHERE id = ?1")?
                .execute(params![id, now.timestamp(), n(feeds), n(failed), n(new_articles)])?;
            Ok(())
        })
    }
}
