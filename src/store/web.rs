//! Read-only queries of the web view (`firsthand serve`): a consistent snapshot for one
//! page, the story list with its filters, and the counts behind `/metrics`.

use super::Store;
use crate::Result;
use crate::domain::StoryId;
use crate::store::db::{OptionalExtension, params};

/// Which stories the index lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoryFilter {
    /// Only stories updated at or after this time (unix seconds).
    pub since: Option<i64>,
    /// Fewest members (2 hides single-article stories).
    pub min_members: i64,
    /// Only stories with a member in this language.
    pub lang: Option<String>,
    /// Only stories with a member from this site.
    pub site: Option<String>,
    /// Only stories with a member whose title contains this (case-insensitive for ASCII).
    pub q: Option<String>,
    /// Page size.
    pub limit: i64,
    /// Stories skipped before the page.
    pub offset: i64,
}

/// Counts behind `/metrics`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counts {
    /// Feeds by status (`active`, `disabled`), sorted.
    pub feeds: Vec<(String, i64)>,
    /// Feeds whose last fetch failed.
    pub feeds_failing: i64,
    /// Sum of the feeds' consecutive error counts.
    pub feed_errors: i64,
    /// Fetch attempts ever recorded, by result (`ok`, `not_modified`, `error`), sorted.
    pub fetches: Vec<(String, i64)>,
    /// Articles stored.
    pub articles: i64,
    /// Articles stored but not yet placed in a story.
    pub pending: i64,
    /// Stories that hold at least one article (merged ids not counted).
    pub stories: i64,
    /// Stories with at least two members.
    pub stories_with_copies: i64,
    /// Story members by relation, sorted.
    pub members: Vec<(String, i64)>,
    /// Time of the last fetch (unix seconds).
    pub last_poll: Option<i64>,
    /// Duration of the last poll pass in seconds, when it can be told.
    pub last_pass_secs: Option<f64>,
}

/// A gap between two consecutive fetch times longer than this ends a poll pass (for the
/// pass duration derived from the fetch history).
pub const PASS_GAP_SECS: i64 = 60;

/// Fetch times looked at, newest first, when deriving the last pass's duration.
const PASS_SCAN: i64 = 100_000;

impl Store {
    /// Runs `f` inside one read transaction, so that every query of a page sees the same
    /// state of the database while `poll` writes beside it (WAL).
    ///
    /// # Errors
    /// What `f` or SQLite returns (the transaction is rolled back then).
    pub fn snapshot<T, E: From<crate::Error>>(
        &self,
        f: impl FnOnce(&Self) -> Result<T, E>,
    ) -> Result<T, E> {
        let tx = crate::store::Tx::read(self.conn()).map_err(E::from)?;
        let out = f(self)?;
        tx.commit().map_err(E::from)?;
        Ok(out)
    }

    /// Story ids for the index, most recently updated first. A site is looked up once
    /// through its index; a title search reads every title once (there is no full-text
    /// index); a language is checked story by story, so a page of matches stops early.
    ///
    /// # Errors
    /// Database failures.
    pub fn find_stories(&self, f: &StoryFilter) -> Result<Vec<StoryId>> {
        let pattern = f.q.as_deref().map(|q| {
            let escaped = q
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            format!("%{escaped}%")
        });
        let mut st = self.conn().prepare_cached(
            "SELECT s.id FROM stories s
             WHERE s.merged_into IS NULL AND s.updated >= ?1
               AND (SELECT COUNT(*) FROM members m WHERE m.story_id = s.id) >= ?2
               AND (CAST(?3 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM members m JOIN articles a ON a.id = m.article_id
                                          WHERE m.story_id = s.id AND a.lang = ?3))
               AND (CAST(?4 AS TEXT) IS NULL OR s.id IN (SELECT m.story_id FROM articles a JOIN members m ON m.article_id = a.id
                                           WHERE a.site = ?4))
               AND (CAST(?5 AS TEXT) IS NULL OR s.id IN (SELECT m.story_id FROM articles a JOIN members m ON m.article_id = a.id
                                           WHERE a.title LIKE ?5 ESCAPE '\\'))
             ORDER BY s.updated DESC, s.id DESC LIMIT ?6 OFFSET ?7",
        )?;
        let rows = st.query_map(
            params![
                f.since.unwrap_or(i64::MIN),
                f.min_members,
                f.lang,
                f.site,
                pattern,
                f.limit,
                f.offset,
            ],
            |r| r.get(0),
        )?;
        rows.map(|r| r.map(StoryId)).collect::<crate::Result<_>>()
    }

    /// Every story with members and its member count, smallest first (the benchmark picks
    /// stories of typical and largest size from it).
    ///
    /// # Errors
    /// Database failures.
    pub fn story_sizes(&self) -> Result<Vec<(StoryId, i64)>> {
        let mut st = self.conn().prepare_cached(
            "SELECT story_id, COUNT(*) AS n FROM members GROUP BY story_id ORDER BY n, story_id",
        )?;
        let rows = st.query_map((), |r| Ok((StoryId(r.get(0)?), r.get(1)?)))?;
        rows.collect::<crate::Result<_>>()
    }

    /// The counts behind `/metrics`.
    ///
    /// # Errors
    /// Database failures.
    pub fn counts(&self) -> Result<Counts> {
        let c = self.conn();
        let pairs = |sql: &str| -> Result<Vec<(String, i64)>> {
            let mut st = c.prepare_cached(sql)?;
            let rows = st.query_map((), |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<crate::Result<_>>()
        };
        let one = |sql: &str| -> Result<i64> { c.prepare_cached(sql)?.query_row((), |r| r.get(0)) };
        Ok(Counts {
            feeds: pairs("SELECT status, COUNT(*) FROM feeds GROUP BY status ORDER BY status")?,
            feeds_failing: one("SELECT COUNT(*) FROM feeds WHERE last_error IS NOT NULL")?,
            feed_errors: one("SELECT COALESCE(SUM(error_count), 0) FROM feeds")?,
            fetches: pairs(
                "SELECT CASE WHEN error IS NOT NULL THEN 'error' WHEN status = 304 THEN 'not_modified' ELSE 'ok' END AS result,
                        COUNT(*) FROM fetches GROUP BY result ORDER BY result",
            )?,
            articles: one("SELECT COUNT(*) FROM articles")?,
            pending: one("SELECT COUNT(*) FROM pending")?,
            stories: one("SELECT COUNT(DISTINCT story_id) FROM members")?,
            stories_with_copies: one(
                "SELECT COUNT(*) FROM (SELECT story_id FROM members GROUP BY story_id HAVING COUNT(*) >= 2) s",
            )?,
            members: pairs(
                "SELECT relation, COUNT(*) FROM members GROUP BY relation ORDER BY relation",
            )?,
            // Every fetch also stamps its feed's row, and feeds are far fewer than fetches.
            last_poll: c
                .prepare_cached("SELECT MAX(last_polled) FROM feeds")?
                .query_row((), |r| r.get(0))?,
            last_pass_secs: self.last_pass_secs()?,
        })
    }

    /// Duration of the last poll pass: from the `polls` table when a run recorded it there,
    /// else the span of the newest run of fetch times with no gap over [`PASS_GAP_SECS`]
    /// (plus the first fetch's own duration).
    fn last_pass_secs(&self) -> Result<Option<f64>> {
        let c = self.conn();
        let recorded: Option<(i64, i64)> = c
            .prepare_cached(
                "SELECT started, finished FROM polls WHERE finished IS NOT NULL
                 ORDER BY finished DESC, id DESC LIMIT 1",
            )?
            .query_row((), |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let Some((started, finished)) = recorded {
            #[allow(clippy::cast_precision_loss)] // seconds of a poll pass
            return Ok(Some((finished - started).max(0) as f64));
        }
        let mut st = c.prepare_cached(
            "SELECT at, duration_ms FROM fetches ORDER BY at DESC, id DESC LIMIT ?1",
        )?;
        let mut rows = st.query([PASS_SCAN])?;
        let mut span: Option<(i64, i64, i64)> = None; // (last, first, first's duration_ms)
        while let Some(r) = rows.next()? {
            let (at, ms): (i64, i64) = (r.get(0)?, r.get(1)?);
            match span {
                None => span = Some((at, at, ms)),
                Some((last, first, _)) if first - at <= PASS_GAP_SECS => {
                    span = Some((last, at, ms));
                }
                Some(_) => break,
            }
        }
        #[allow(clippy::cast_precision_loss)] // seconds and milliseconds of a poll pass
        Ok(span.map(|(last, first, ms)| (last - first) as f64 + ms.max(0) as f64 / 1000.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_database_counts_nothing() {
        let s = Store::memory().unwrap();
        let c = s.counts().unwrap();
        assert_eq!(c.articles, 0);
        assert_eq!(c.last_poll, None);
        assert_eq!(c.last_pass_secs, None);
        let f = StoryFilter {
            min_members: 1,
            limit: 10,
            q: Some("50%_\\".into()),
            ..StoryFilter::default()
        };
        assert!(s.find_stories(&f).unwrap().is_empty());
    }

    #[test]
    fn pass_duration_is_the_newest_run_of_fetches() {
        let mut s = Store::memory().unwrap();
        let (feed, _) = s
            .add_feed("http://127.0.0.1:9/f", None, crate::store::time(0))
            .unwrap();
        s.write(|tx| {
            for (at, ms) in [(1000, 10), (1010, 10), (5000, 500), (5030, 10), (5070, 20)] {
                tx.execute(
                    "INSERT INTO fetches (feed_id, at, status, duration_ms) VALUES (?1, ?2, 200, ?3)",
                    crate::store::db::params![feed.0, at, ms],
                )?;
            }
            Ok(())
        })
        .unwrap();
        let secs = s.last_pass_secs().unwrap().unwrap();
        assert!((secs - 70.5).abs() < 1e-9, "{secs}");
    }
}
