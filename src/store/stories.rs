//! Stories and membership: which story each article is in, its relation to the original,
//! why it joined; merges (the old id keeps resolving); the read side for the CLI and web.

use super::{Store, time};
use crate::domain::{ArticleId, Relation, StoryId};
use crate::store::db::{Db, OptionalExtension, Tx, params};
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// A member's relation to its story's original, in SQL over `m` (its `members` row), `a`
/// (its article) and `o` (the original's article, NULL when the story has none): the
/// original itself; another language, a translation; the same duplicate hash, a
/// duplicate; else, or with no original, syndicated (as `cluster` decides it).
pub const RELATION_RULE: &str = "CASE WHEN o.id IS NULL THEN 'syndicated'
                  WHEN m.article_id = o.id THEN 'original'
                  WHEN a.lang <> o.lang THEN 'translation'
                  WHEN a.dup_hash = o.dup_hash THEN 'duplicate'
                  ELSE 'syndicated' END";

/// Articles of a site its record is read from (the latest).
pub const SITE_RECORD_ARTICLES: i64 = 500;

/// One member of a story, as shown.
#[derive(Debug, Clone, Serialize)]
pub struct MemberView {
    /// Article row (not in the JSON contract).
    #[serde(skip)]
    pub id: ArticleId,
    /// Link.
    pub url: Option<String>,
    /// Feed URL.
    pub feed: String,
    /// Language.
    pub lang: String,
    /// Title.
    pub title: String,
    /// Relation to the original.
    pub relation: Relation,
    /// Claimed publication time.
    pub published: Option<DateTime<Utc>>,
    /// First seen by firsthand.
    pub first_seen: DateTime<Utc>,
    /// Why it joined (JSON object), shown by `story` and `origin`.
    #[serde(skip)]
    pub reason: serde_json::Value,
    /// Site of the article.
    #[serde(skip)]
    pub site: Option<String>,
    /// Credit links and names.
    #[serde(skip)]
    pub credits: Vec<String>,
}

/// A story with its members.
#[derive(Debug, Clone)]
pub struct StoryView {
    /// Story id.
    pub id: StoryId,
    /// The original's row, when known.
    pub original: Option<ArticleId>,
    /// Evidence lines for the original (or for "unknown").
    pub evidence: Vec<String>,
    /// Members, original first, then by first seen.
    pub members: Vec<MemberView>,
    /// Last change.
    pub updated: DateTime<Utc>,
}

impl Store {
    /// The story an article is in.
    ///
    /// # Errors
    /// Database failures.
    pub fn story_of(conn: &Db, article: ArticleId) -> Result<Option<StoryId>> {
        Ok(conn
            .prepare_cached("SELECT story_id FROM members WHERE article_id = ?1")?
            .query_row([article.0], |r| r.get(0))
            .optional()?
            .map(StoryId))
    }

    /// Members of a story, by id.
    ///
    /// # Errors
    /// Database failures.
    pub fn story_members(conn: &Db, story: StoryId) -> Result<Vec<ArticleId>> {
        let mut st = conn.prepare_cached(
            "SELECT article_id FROM members WHERE story_id = ?1 ORDER BY article_id",
        )?;
        let rows = st.query_map([story.0], |r| r.get(0))?;
        rows.map(|r| r.map(ArticleId)).collect::<crate::Result<_>>()
    }

    /// Members of a story with their order-independent key, language and shingle count,
    /// by id.
    ///
    /// # Errors
    /// Database failures.
    pub fn member_keys(conn: &Db, story: StoryId) -> Result<Vec<(ArticleId, i64, String, u32)>> {
        let mut st = conn.prepare_cached(
            "SELECT a.id, a.ukey, a.lang, a.shingles FROM members m JOIN articles a ON a.id = m.article_id
             WHERE m.story_id = ?1 ORDER BY a.id",
        )?;
        let rows = st.query_map([story.0], |r| {
            Ok((ArticleId(r.get(0)?), r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
        rows.collect::<crate::Result<_>>()
    }

    /// How many members a story has, counted up to `limit` (a larger story reads as
    /// `limit`): the count costs at most `limit` rows, however large the story.
    ///
    /// # Errors
    /// Database failures.
    pub fn story_size_upto(conn: &Db, story: StoryId, limit: usize) -> Result<usize> {
        let n: i64 = conn
            .prepare_cached(
                "SELECT COUNT(*) FROM (SELECT 1 FROM members WHERE story_id = ?1 LIMIT ?2) AS m",
            )?
            .query_row(
                params![story.0, i64::try_from(limit).unwrap_or(i64::MAX)],
                |r| r.get(0),
            )?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// The members of a story flagged as contenders for its original, by id.
    ///
    /// # Errors
    /// Database failures.
    pub fn contenders(conn: &Db, story: StoryId) -> Result<Vec<ArticleId>> {
        let mut st = conn.prepare_cached(
            "SELECT article_id FROM members WHERE story_id = ?1 AND contender = 1
             ORDER BY article_id",
        )?;
        let rows = st.query_map([story.0], |r| r.get(0))?;
        rows.map(|r| r.map(ArticleId)).collect::<crate::Result<_>>()
    }

    /// Flags a member as a contender for its story's original, or clears the flag.
    ///
    /// # Errors
    /// Database failures.
    pub fn set_contender(tx: &Tx<'_>, article: ArticleId, contender: bool) -> Result<()> {
        tx.prepare_cached("UPDATE members SET contender = ?2 WHERE article_id = ?1")?
            .execute(params![article.0, i64::from(contender)])?;
        Ok(())
    }

    /// Clears every contender flag of a story (one decided on all its members keeps none).
    ///
    /// # Errors
    /// Database failures.
    pub fn clear_contenders(tx: &Tx<'_>, story: StoryId) -> Result<()> {
        tx.prepare_cached(
            "UPDATE members SET contender = 0 WHERE story_id = ?1 AND contender = 1",
        )?
        .execute([story.0])?;
        Ok(())
    }

    /// Sets every member's relation to its story's recorded original ([`RELATION_RULE`])
    /// where it differs, in the database, without reading the members; returns the
    /// members changed.
    ///
    /// # Errors
    /// Database failures.
    pub fn relate_members(tx: &Tx<'_>, story: StoryId) -> Result<Vec<ArticleId>> {
        let mut st = tx.prepare_cached(&format!(
            "UPDATE members SET relation = r.rel FROM (
               SELECT m.article_id AS id, {RELATION_RULE} AS rel
               FROM members m JOIN articles a ON a.id = m.article_id
               JOIN stories s ON s.id = m.story_id
               LEFT JOIN articles o ON o.id = s.original_id
               WHERE m.story_id = ?1) AS r
             WHERE members.article_id = r.id AND members.relation <> r.rel
             RETURNING members.article_id"
        ))?;
        st.query_map([story.0], |r| r.get(0).map(ArticleId))?
            .collect::<crate::Result<_>>()
    }

    /// A story's recorded original.
    ///
    /// # Errors
    /// Database failures.
    pub fn story_original(conn: &Db, story: StoryId) -> Result<Option<ArticleId>> {
        Ok(conn
            .prepare_cached("SELECT original_id FROM stories WHERE id = ?1")?
            .query_row([story.0], |r| r.get::<_, Option<i64>>(0))
            .optional()?
            .flatten()
            .map(ArticleId))
    }

    /// Creates an empty story.
    ///
    /// # Errors
    /// Database failures.
    pub fn create_story(tx: &Tx<'_>, now: i64) -> Result<StoryId> {
        let id = tx
            .prepare_cached("INSERT INTO stories (created, updated) VALUES (?1, ?1) RETURNING id")?
            .query_row([now], |r| r.get(0))?;
        Ok(StoryId(id))
    }

    /// Puts an article in a story (moving it if it was elsewhere).
    ///
    /// # Errors
    /// Database failures.
    pub fn set_member(
        tx: &Tx<'_>,
        article: ArticleId,
        story: StoryId,
        relation: Relation,
        reason: &str,
    ) -> Result<()> {
        tx.prepare_cached(
            "INSERT INTO members (article_id, story_id, relation, reason) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(article_id) DO UPDATE SET story_id = excluded.story_id,
               relation = excluded.relation, reason = excluded.reason",
        )?
        .execute(params![article.0, story.0, relation.as_str(), reason])?;
        Ok(())
    }

    /// Takes an article out of its story (to be placed again).
    ///
    /// # Errors
    /// Database failures.
    pub fn remove_member(tx: &Tx<'_>, article: ArticleId) -> Result<()> {
        tx.prepare_cached("DELETE FROM members WHERE article_id = ?1")?
            .execute([article.0])?;
        Ok(())
    }

    /// Puts an article into a story, keeping its relation and reason when it had a row
    /// (a new row reads "syndicated" until its story is decided).
    ///
    /// # Errors
    /// Database failures.
    pub fn move_member(tx: &Tx<'_>, article: ArticleId, story: StoryId) -> Result<()> {
        tx.prepare_cached(
            "INSERT INTO members (article_id, story_id, relation) VALUES (?1, ?2, 'syndicated')
             ON CONFLICT(article_id) DO UPDATE SET story_id = excluded.story_id",
        )?
        .execute(params![article.0, story.0])?;
        Ok(())
    }

    /// Records a story's original and evidence.
    ///
    /// # Errors
    /// Database failures.
    pub fn set_original(
        tx: &Tx<'_>,
        story: StoryId,
        original: Option<ArticleId>,
        evidence: &[String],
        now: i64,
    ) -> Result<()> {
        let ev = serde_json::to_string(evidence).unwrap_or_else(|_| "[]".into());
        tx.prepare_cached(
            "UPDATE stories SET original_id = ?2, evidence = ?3, updated = ?4 WHERE id = ?1",
        )?
        .execute(params![story.0, original.map(|a| a.0), ev, now])?;
        Ok(())
    }

    /// Marks `from` as merged into `into` and logs why.
    ///
    /// # Errors
    /// Database failures.
    pub fn merge_story(
        tx: &Tx<'_>,
        from: StoryId,
        into: StoryId,
        reason: &str,
        now: i64,
    ) -> Result<()> {
        tx.prepare_cached("UPDATE stories SET merged_into = ?2, updated = ?3 WHERE id = ?1")?
            .execute(params![from.0, into.0, now])?;
        tx.prepare_cached(
            "INSERT INTO story_merges (from_id, into_id, at, reason) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![from.0, into.0, now, reason])?;
        tracing::debug!(from = from.0, into = into.0, reason, "stories merged");
        Ok(())
    }

    /// Follows merges to the story that holds an id's articles now.
    ///
    /// # Errors
    /// [`Error::NoStory`] for an unknown id.
    pub fn resolve_story(&self, id: i64) -> Result<StoryId> {
        let mut cur = id;
        for _ in 0..64 {
            let merged: Option<Option<i64>> = self
                .conn()
                .prepare_cached("SELECT merged_into FROM stories WHERE id = ?1")?
                .query_row([cur], |r| r.get(0))
                .optional()?;
            match merged {
                None => return Err(Error::NoStory(id)),
                Some(None) => return Ok(StoryId(cur)),
                Some(Some(next)) => cur = next,
            }
        }
        Err(Error::NoStory(id))
    }

    /// Story ids with members, most recently updated first. `min_members` 2 hides
    /// single-article stories; `since` limits to stories updated since then.
    ///
    /// # Errors
    /// Database failures.
    pub fn story_ids(
        &self,
        since: Option<i64>,
        min_members: i64,
        limit: Option<i64>,
    ) -> Result<Vec<StoryId>> {
        let mut st = self.conn().prepare_cached(
            "SELECT s.id FROM stories s
             WHERE s.merged_into IS NULL AND s.updated >= ?1
               AND (SELECT COUNT(*) FROM members m WHERE m.story_id = s.id) >= ?2
             ORDER BY s.updated DESC, s.id DESC LIMIT ?3",
        )?;
        let rows = st.query_map(
            params![
                since.unwrap_or(i64::MIN),
                min_members,
                limit.unwrap_or(i64::MAX)
            ],
            |r| r.get(0),
        )?;
        rows.map(|r| r.map(StoryId)).collect::<crate::Result<_>>()
    }

    /// One story with its members.
    ///
    /// # Errors
    /// [`Error::NoStory`] when it does not exist.
    pub fn story_view(&self, id: StoryId) -> Result<StoryView> {
        let row: Option<(Option<i64>, String, i64)> = self
            .conn()
            .prepare_cached("SELECT original_id, evidence, updated FROM stories WHERE id = ?1")?
            .query_row([id.0], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let (original, evidence, updated) = row.ok_or(Error::NoStory(id.0))?;
        let mut st = self.conn().prepare_cached(
            "SELECT a.id, a.url, f.url, a.lang, a.title, m.relation, a.published, a.first_seen, m.reason, a.site, a.credits
             FROM members m JOIN articles a ON a.id = m.article_id JOIN feeds f ON f.id = a.feed_id
             WHERE m.story_id = ?1 ORDER BY (a.id = ?2) DESC, COALESCE(a.published, a.first_seen), a.first_seen, a.id",
        )?;
        let members = st
            .query_map(params![id.0, original.unwrap_or(-1)], |r| {
                Ok(MemberView {
                    id: ArticleId(r.get(0)?),
                    url: r.get(1)?,
                    feed: r.get(2)?,
                    lang: r.get(3)?,
                    title: r.get(4)?,
                    relation: Relation::parse(&r.get::<_, String>(5)?),
                    published: r.get::<_, Option<i64>>(6)?.map(time),
                    first_seen: time(r.get(7)?),
                    reason: serde_json::from_str(&r.get::<_, String>(8)?).unwrap_or_default(),
                    site: r.get(9)?,
                    credits: serde_json::from_str(&r.get::<_, String>(10)?).unwrap_or_default(),
                })
            })?
            .collect::<crate::Result<Vec<_>>>()?;
        Ok(StoryView {
            id,
            original: original.map(ArticleId),
            evidence: serde_json::from_str(&evidence).unwrap_or_default(),
            members,
            updated: time(updated),
        })
    }

    /// How often a site was the original or a copy in stories with a known original
    /// (the per-site record origin uses): (original, copy) counts over its latest
    /// [`SITE_RECORD_ARTICLES`] articles, so the cost does not grow with the store.
    ///
    /// # Errors
    /// Database failures.
    pub fn site_record(conn: &Db, site: &str) -> Result<(i64, i64)> {
        conn.prepare_cached(
            "SELECT COALESCE(SUM(CASE WHEN m.relation = 'original' THEN 1 ELSE 0 END), 0),
                        COALESCE(SUM(CASE WHEN m.relation != 'original' THEN 1 ELSE 0 END), 0)
                 FROM (SELECT id FROM articles WHERE site = ?1 ORDER BY id DESC LIMIT ?2) a
                 JOIN members m ON m.article_id = a.id
                 JOIN stories s ON s.id = m.story_id
                 WHERE s.original_id IS NOT NULL
                   AND EXISTS (SELECT 1 FROM members x WHERE x.story_id = s.id
                               AND x.article_id != m.article_id)",
        )?
        .query_row(params![site, SITE_RECORD_ARTICLES], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
    }
}

impl Store {
    /// The order in which recluster places an article: publication time, then key.
    ///
    /// # Errors
    /// Database failures.
    pub fn order_key(conn: &Db, id: ArticleId) -> Result<(Option<i64>, i64)> {
        conn.prepare_cached("SELECT published, ukey FROM articles WHERE id = ?1")?
            .query_row([id.0], |r| Ok((r.get(0)?, r.get(1)?)))
    }

    /// Article id → story id for every member (eval reads the result this way).
    ///
    /// # Errors
    /// Database failures.
    pub fn all_members(&self) -> Result<Vec<(ArticleId, StoryId, Option<ArticleId>)>> {
        let mut st = self.conn().prepare_cached(
            "SELECT m.article_id, m.story_id, s.original_id FROM members m JOIN stories s ON s.id = m.story_id ORDER BY m.article_id",
        )?;
        let rows = st.query_map((), |r| {
            Ok((
                ArticleId(r.get(0)?),
                StoryId(r.get(1)?),
                r.get::<_, Option<i64>>(2)?.map(ArticleId),
            ))
        })?;
        rows.collect::<crate::Result<_>>()
    }
}
