//! The store's invariants, checked (`firsthand check`) and mended (`check --repair`).
//!
//! What must always hold, whatever was killed when, and however many polls ran at once:
//! 1. SQLite's own checks pass (`PRAGMA integrity_check`, `PRAGMA foreign_key_check`;
//!    PostgreSQL checks its own pages and enforces foreign keys as it writes).
//! 2. Every article is a member of exactly one story, or waits in `pending` to be placed
//!    (and nothing waits after a completed pass).
//! 3. That story is live: not merged into another.
//! 4. Merges form no cycle, and every chain of merges ends at a live story.
//! 5. A story's original is one of its members, or null with the reason in its evidence.
//! 6. The retrieval index rows (LSH and anchors, in the large and the young tables) are
//!    exactly those of the stored fingerprints of the articles in the matching window
//!    that are indexed, each row once, and each anchor's document frequency counts its
//!    rows; the stored LSH filter holds every LSH
//!    row of the articles it claims to cover.
//! 7. Every stored model vector belongs to the database's model.
//!
//! Membership (2–5) is written only by `cluster::Matcher` in the placing transaction;
//! the index (6) by `store::index`. A repair never deletes an article: an article
//! outside every live story goes back to `pending` and is placed again.

use super::Store;
use super::index::IndexKeys;
use crate::Result;
use crate::domain::StoryId;
use crate::store::db::{Db, Tx, params};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Examples of one kind kept in a report (the count is always whole).
const EXAMPLES: usize = 20;

/// One broken invariant, with the ids involved.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Problem {
    /// A line of `PRAGMA integrity_check`.
    Integrity {
        /// What SQLite said.
        message: String,
    },
    /// A row whose foreign key names no parent.
    ForeignKey {
        /// Table of the row.
        table: String,
        /// Its rowid.
        rowid: i64,
        /// The table it should point into.
        parent: String,
    },
    /// Articles in no story and not waiting to be placed.
    Unplaced {
        /// How many.
        count: usize,
        /// Some of them.
        articles: Vec<i64>,
    },
    /// Articles waiting in `pending` (a pass was interrupted, or is running).
    Pending {
        /// How many.
        count: usize,
        /// Some of them.
        articles: Vec<i64>,
    },
    /// A member of a story that was merged away (or does not exist).
    InDeadStory {
        /// The article.
        article: i64,
        /// The story its row names.
        story: i64,
        /// Where the story's merges lead (a live story), when they lead anywhere.
        live: Option<i64>,
    },
    /// A chain of merges that comes back to itself.
    MergeCycle {
        /// The stories of the cycle.
        stories: Vec<i64>,
    },
    /// A story merged into one that does not exist.
    BrokenMerge {
        /// The story.
        story: i64,
        /// The id it names.
        into: i64,
    },
    /// A story whose original is not one of its members.
    OriginalNotMember {
        /// The story.
        story: i64,
        /// Its original.
        original: i64,
        /// The story the original is in, if any.
        in_story: Option<i64>,
    },
    /// Members whose relation does not follow from their story's original (the rule of
    /// `cluster`, [`super::stories::RELATION_RULE`]).
    Relations {
        /// How many members.
        count: usize,
        /// Some of them.
        articles: Vec<i64>,
        /// Every story involved.
        stories: Vec<i64>,
    },
    /// A live story with members, no original, and no reason given.
    UnknownWithoutReason {
        /// The story.
        story: i64,
    },
    /// Index rows that the stored fingerprints do not account for, or that are missing.
    Index {
        /// `lsh` or `anchor_index` (with its young table).
        table: String,
        /// Rows expected and absent.
        missing: usize,
        /// Rows present and not expected.
        extra: usize,
        /// Some articles involved.
        articles: Vec<i64>,
    },
    /// Anchors whose document frequency is not their number of rows.
    AnchorStats {
        /// How many anchors.
        count: usize,
        /// Some of them: (anchor, df recorded, rows).
        anchors: Vec<(i64, i64, i64)>,
    },
    /// Model vectors of a model other than the database's.
    ForeignVectors {
        /// How many.
        count: usize,
        /// The database's model (none recorded: every vector is foreign).
        model: Option<String>,
    },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Integrity { message } => write!(f, "sqlite integrity: {message}"),
            Self::ForeignKey {
                table,
                rowid,
                parent,
            } => write!(f, "{table} row {rowid} names a missing {parent} row"),
            Self::Unplaced { count, articles } => write!(
                f,
                "{count} article(s) in no story and not pending: {}",
                list(articles, *count)
            ),
            Self::Pending { count, articles } => write!(
                f,
                "{count} article(s) still pending placement: {}",
                list(articles, *count)
            ),
            Self::InDeadStory {
                article,
                story,
                live,
            } => match live {
                Some(l) => write!(
                    f,
                    "article {article} is a member of story {story}, which was merged (into {l})"
                ),
                None => write!(
                    f,
                    "article {article} is a member of story {story}, which leads to no live story"
                ),
            },
            Self::MergeCycle { stories } => {
                write!(f, "merges form a cycle: {}", list(stories, stories.len()))
            }
            Self::BrokenMerge { story, into } => {
                write!(
                    f,
                    "story {story} is merged into {into}, which does not exist"
                )
            }
            Self::OriginalNotMember {
                story,
                original,
                in_story,
            } => match in_story {
                Some(s) => write!(
                    f,
                    "story {story} names article {original} its original, but it is in story {s}"
                ),
                None => write!(
                    f,
                    "story {story} names article {original} its original, but it is in no story"
                ),
            },
            Self::Relations {
                count, articles, ..
            } => write!(
                f,
                "{count} member(s) whose relation does not follow from their story's original: {}",
                list(articles, *count)
            ),
            Self::UnknownWithoutReason { story } => {
                write!(f, "story {story} has no original and no reason why")
            }
            Self::Index {
                table,
                missing,
                extra,
                articles,
            } => write!(
                f,
                "{table}: {missing} row(s) missing, {extra} row(s) not of any indexed fingerprint; articles {}",
                list(articles, articles.len())
            ),
            Self::AnchorStats { count, anchors } => {
                let shown: Vec<String> = anchors
                    .iter()
                    .map(|(a, df, rows)| format!("{a} (df {df}, {rows} rows)"))
                    .collect();
                write!(
                    f,
                    "{count} anchor statistic(s) do not count their rows: {}",
                    shown.join(", ")
                )
            }
            Self::ForeignVectors { count, model } => write!(
                f,
                "{count} model vector(s) not of the database's model ({})",
                model.as_deref().unwrap_or("none recorded")
            ),
        }
    }
}

fn list(ids: &[i64], count: usize) -> String {
    let shown: Vec<String> = ids.iter().map(ToString::to_string).collect();
    if count > ids.len() {
        format!("{} … ({} more)", shown.join(", "), count - ids.len())
    } else {
        shown.join(", ")
    }
}

/// The first `EXAMPLES` of a list, and its length.
fn sample(ids: &[i64]) -> (usize, Vec<i64>) {
    (ids.len(), ids.iter().take(EXAMPLES).copied().collect())
}

fn ids(conn: &Db, sql: &str) -> Result<Vec<i64>> {
    let mut st = conn.prepare_cached(sql)?;
    let rows = st.query_map((), |r| r.get(0))?;
    rows.collect::<crate::Result<_>>()
}

/// Where the merges from each story lead: `Ok(live)` or `Err(problem)`.
fn merge_targets(conn: &Db) -> Result<BTreeMap<i64, Option<i64>>> {
    let mut st = conn.prepare_cached("SELECT id, merged_into FROM stories")?;
    let rows = st.query_map((), |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect::<crate::Result<_>>()
}

/// Where a chain of merges from a story ends: a live story, a cycle, or a missing story.
enum Chain {
    Live(i64),
    Cycle(Vec<i64>),
    Broken,
}

fn follow(merges: &BTreeMap<i64, Option<i64>>, start: i64) -> Chain {
    let mut seen: Vec<i64> = vec![start];
    let mut cur = start;
    loop {
        match merges.get(&cur) {
            None => return Chain::Broken,
            Some(None) => return Chain::Live(cur),
            Some(Some(next)) => {
                if let Some(at) = seen.iter().position(|s| s == next) {
                    let mut cycle = seen[at..].to_vec();
                    cycle.sort_unstable();
                    return Chain::Cycle(cycle);
                }
                seen.push(*next);
                cur = *next;
            }
        }
    }
}

impl Store {
    /// Every broken invariant (see the module), in a fixed order.
    ///
    /// # Errors
    /// Database failures.
    pub fn check(&self) -> Result<Vec<Problem>> {
        let conn = self.conn();
        let mut out = Vec::new();
        out.extend(sqlite_checks(conn)?);
        out.extend(membership(conn)?);
        out.extend(originals(conn)?);
        out.extend(index_rows(conn)?);
        out.extend(vectors(conn)?);
        Ok(out)
    }
}

/// SQLite's own checks. PostgreSQL checks its pages itself and enforces every foreign key
/// as it writes, so there is nothing to ask it.
fn sqlite_checks(conn: &Db) -> Result<Vec<Problem>> {
    let mut out = Vec::new();
    if conn.is_postgres() {
        return Ok(out);
    }
    let mut st = conn.prepare_cached("PRAGMA integrity_check")?;
    for line in st.query_map((), |r| r.get::<_, String>(0))? {
        let line = line?;
        if line != "ok" {
            out.push(Problem::Integrity { message: line });
        }
    }
    let mut st = conn.prepare_cached("PRAGMA foreign_key_check")?;
    let rows = st.query_map((), |r| {
        Ok(Problem::ForeignKey {
            table: r.get(0)?,
            rowid: r.get::<_, Option<i64>>(1)?.unwrap_or(-1),
            parent: r.get(2)?,
        })
    })?;
    for p in rows {
        out.push(p?);
    }
    Ok(out)
}

fn membership(conn: &Db) -> Result<Vec<Problem>> {
    let mut out = Vec::new();
    let unplaced = ids(
        conn,
        "SELECT a.id FROM articles a
         WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.article_id = a.id)
           AND NOT EXISTS (SELECT 1 FROM pending p WHERE p.article_id = a.id)
         ORDER BY a.id",
    )?;
    if !unplaced.is_empty() {
        let (count, articles) = sample(&unplaced);
        out.push(Problem::Unplaced { count, articles });
    }
    let pending = ids(conn, "SELECT article_id FROM pending ORDER BY article_id")?;
    if !pending.is_empty() {
        let (count, articles) = sample(&pending);
        out.push(Problem::Pending { count, articles });
    }
    let merges = merge_targets(conn)?;
    let mut cycles: BTreeSet<Vec<i64>> = BTreeSet::new();
    for (&story, &into) in &merges {
        let Some(into) = into else { continue };
        if !merges.contains_key(&into) {
            // Reported here, at the story whose own merge is broken (not along chains).
            out.push(Problem::BrokenMerge { story, into });
        } else if let Chain::Cycle(c) = follow(&merges, story) {
            cycles.insert(c);
        }
    }
    out.extend(
        cycles
            .into_iter()
            .map(|stories| Problem::MergeCycle { stories }),
    );
    let mut st = conn.prepare_cached(
        "SELECT m.article_id, m.story_id FROM members m
         LEFT JOIN stories s ON s.id = m.story_id
         WHERE s.id IS NULL OR s.merged_into IS NOT NULL ORDER BY m.article_id",
    )?;
    let rows = st.query_map((), |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?;
    for row in rows {
        let (article, story) = row?;
        let live = match follow(&merges, story) {
            Chain::Live(l) if l != story => Some(l),
            _ => None,
        };
        out.push(Problem::InDeadStory {
            article,
            story,
            live,
        });
    }
    Ok(out)
}

fn originals(conn: &Db) -> Result<Vec<Problem>> {
    let mut out = Vec::new();
    let mut st = conn.prepare_cached(
        "SELECT s.id, s.original_id, m.story_id FROM stories s
         LEFT JOIN members m ON m.article_id = s.original_id
         WHERE s.merged_into IS NULL AND s.original_id IS NOT NULL
           AND (m.story_id IS NULL OR m.story_id <> s.id)
         ORDER BY s.id",
    )?;
    let rows = st.query_map((), |r| {
        Ok(Problem::OriginalNotMember {
            story: r.get(0)?,
            original: r.get(1)?,
            in_story: r.get(2)?,
        })
    })?;
    for p in rows {
        out.push(p?);
    }
    let mut st = conn.prepare_cached(&format!(
        "SELECT m.article_id, m.story_id FROM members m
         JOIN articles a ON a.id = m.article_id
         JOIN stories s ON s.id = m.story_id
         LEFT JOIN articles o ON o.id = s.original_id
         WHERE s.merged_into IS NULL AND m.relation <> {}
         ORDER BY m.article_id",
        super::stories::RELATION_RULE
    ))?;
    let wrong: Vec<(i64, i64)> = st
        .query_map((), |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<crate::Result<_>>()?;
    if !wrong.is_empty() {
        let (count, articles) = sample(&wrong.iter().map(|w| w.0).collect::<Vec<_>>());
        let stories: BTreeSet<i64> = wrong.iter().map(|w| w.1).collect();
        out.push(Problem::Relations {
            count,
            articles,
            stories: stories.into_iter().collect(),
        });
    }
    let unknown = ids(
        conn,
        "SELECT s.id FROM stories s
         WHERE s.merged_into IS NULL AND s.original_id IS NULL
           AND (s.evidence = '[]' OR s.evidence = '')
           AND EXISTS (SELECT 1 FROM members m WHERE m.story_id = s.id)
         ORDER BY s.id",
    )?;
    out.extend(
        unknown
            .into_iter()
            .map(|story| Problem::UnknownWithoutReason { story }),
    );
    Ok(out)
}

/// The index keys every indexed article in the window should have.
fn expected_keys(conn: &Db) -> Result<Vec<IndexKeys>> {
    let start = Store::index_window_start(conn)?;
    let mut st = conn.prepare_cached(&format!(
        "SELECT {} FROM articles a
         WHERE a.first_seen >= ?1
           AND NOT EXISTS (SELECT 1 FROM unindexed u WHERE u.article_id = a.id)
         ORDER BY a.id",
        super::index::KEY_COLUMNS
    ))?;
    let rows = st.query_map([start], IndexKeys::from_row)?;
    rows.collect::<crate::Result<_>>()
}

/// Sorted `(key, article)` rows of an index table.
fn table_rows(conn: &Db, sql: &str) -> Result<Vec<(i64, i64)>> {
    let mut st = conn.prepare_cached(sql)?;
    let rows = st.query_map((), |r| Ok((r.get(0)?, r.get(1)?)))?;
    let mut v: Vec<(i64, i64)> = rows.collect::<crate::Result<_>>()?;
    v.sort_unstable();
    Ok(v)
}

/// Rows of `want` missing from `have` and rows of `have` not in `want` (both sorted),
/// with some articles involved.
fn diff_rows(table: &str, want: &[(i64, i64)], have: &[(i64, i64)]) -> Option<Problem> {
    let (mut i, mut j) = (0, 0);
    let (mut missing, mut extra) = (0, 0);
    let mut articles: BTreeSet<i64> = BTreeSet::new();
    while i < want.len() || j < have.len() {
        match (want.get(i), have.get(j)) {
            (Some(a), Some(b)) if a == b => {
                i += 1;
                j += 1;
            }
            (Some(a), Some(b)) if a < b => {
                missing += 1;
                articles.insert(a.1);
                i += 1;
            }
            (Some(a), None) => {
                missing += 1;
                articles.insert(a.1);
                i += 1;
            }
            (_, Some(b)) => {
                extra += 1;
                articles.insert(b.1);
                j += 1;
            }
            (None, None) => break,
        }
    }
    (missing + extra > 0).then(|| Problem::Index {
        table: table.into(),
        missing,
        extra,
        articles: articles.into_iter().take(EXAMPLES).collect(),
    })
}

/// The LSH rows the stored filter must hold (those of the articles it claims to cover)
/// and does not: placement would never look them up.
fn filter_lacks(conn: &Db, lsh: &[(i64, i64)]) -> Result<Option<Problem>> {
    let Some(f) = Store::lsh_filter(conn)? else {
        return Ok(None);
    };
    let mut articles: BTreeSet<i64> = BTreeSet::new();
    let mut missing = 0;
    for &(key, article) in lsh {
        if article <= f.upto() && !f.may_hold(key) {
            missing += 1;
            articles.insert(article);
        }
    }
    Ok((missing > 0).then(|| Problem::Index {
        table: "lsh_filter".into(),
        missing,
        extra: 0,
        articles: articles.into_iter().take(EXAMPLES).collect(),
    }))
}

fn index_rows(conn: &Db) -> Result<Vec<Problem>> {
    let keys = expected_keys(conn)?;
    let mut want_lsh: Vec<(i64, i64)> = Vec::new();
    let mut want_anchor: Vec<(i64, i64)> = Vec::new();
    for k in &keys {
        want_lsh.extend(k.lsh.iter().map(|&x| (x, k.id.0)));
        want_anchor.extend(k.anchors.iter().map(|&x| (x, k.id.0)));
    }
    drop(keys);
    want_lsh.sort_unstable();
    want_anchor.sort_unstable();
    let mut out = Vec::new();
    // Each row in the young table or the large one, not both (a row in both is extra).
    let have = table_rows(
        conn,
        "SELECT key, article_id FROM lsh UNION ALL SELECT key, article_id FROM lsh_young",
    )?;
    out.extend(diff_rows("lsh", &want_lsh, &have));
    out.extend(filter_lacks(conn, &have)?);
    drop(have);
    drop(want_lsh);
    let have = table_rows(
        conn,
        "SELECT anchor, article_id FROM anchor_index
         UNION ALL SELECT anchor, article_id FROM anchor_index_young",
    )?;
    out.extend(diff_rows("anchor_index", &want_anchor, &have));
    // Each anchor's df counts its rows (a row-less anchor may keep a zero).
    let mut rows: BTreeMap<i64, i64> = BTreeMap::new();
    for (a, _) in &have {
        *rows.entry(*a).or_default() += 1;
    }
    // An anchor's df is the large table's plus the young table's.
    let mut st = conn.prepare_cached(
        "SELECT anchor, df FROM anchor_stats UNION ALL SELECT anchor, df FROM anchor_stats_young",
    )?;
    let mut dfs: BTreeMap<i64, i64> = BTreeMap::new();
    for s in st.query_map((), |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))? {
        let (anchor, df) = s?;
        *dfs.entry(anchor).or_default() += df;
    }
    let mut wrong: Vec<(i64, i64, i64)> = Vec::new();
    let mut seen: BTreeSet<i64> = BTreeSet::new();
    for (anchor, df) in dfs {
        seen.insert(anchor);
        let n = rows.get(&anchor).copied().unwrap_or(0);
        if df != n {
            wrong.push((anchor, df, n));
        }
    }
    for (&anchor, &n) in &rows {
        if !seen.contains(&anchor) {
            wrong.push((anchor, 0, n));
        }
    }
    if !wrong.is_empty() {
        out.push(Problem::AnchorStats {
            count: wrong.len(),
            anchors: wrong.into_iter().take(EXAMPLES).collect(),
        });
    }
    Ok(out)
}

fn vectors(conn: &Db) -> Result<Vec<Problem>> {
    let model: Option<String> = conn
        .query_row(
            "SELECT CAST(value AS TEXT) FROM meta WHERE key = 'embedding_model'",
            (),
            |r| r.get(0),
        )
        .ok();
    let count: i64 = conn.query_row(
        "SELECT COUNT(*) FROM embeddings WHERE model IS DISTINCT FROM ?1",
        params![model],
        |r| r.get(0),
    )?;
    Ok(if count > 0 {
        vec![Problem::ForeignVectors {
            count: usize::try_from(count).unwrap_or(usize::MAX),
            model,
        }]
    } else {
        Vec::new()
    })
}

/// What a repair did.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Repairs {
    /// Articles put back in `pending` (in no live story).
    pub requeued: usize,
    /// Merges undone to break cycles or broken chains.
    pub unmerged: usize,
    /// Stories whose original is to be decided again.
    pub redecide: Vec<i64>,
    /// Index rows rebuilt (articles indexed again).
    pub reindexed: Option<usize>,
    /// Vectors of another model removed.
    pub vectors_removed: usize,
}

impl Store {
    /// Mends the store's side of `problems` in one transaction: articles outside every live
    /// story go back to `pending` (placing them is the matcher's job), broken merges are
    /// undone, the index is rebuilt from the fingerprints, foreign vectors are dropped.
    /// Returns what it did, with the stories whose originals must be decided again.
    ///
    /// # Errors
    /// Database failures; nothing is written then.
    pub fn repair(tx: &Tx<'_>, problems: &[Problem]) -> Result<Repairs> {
        let mut done = Repairs::default();
        let mut redecide: BTreeSet<i64> = BTreeSet::new();
        let mut rebuild = false;
        for p in problems {
            match p {
                Problem::MergeCycle { stories } => {
                    // The smallest id becomes live again: merged stories hold no members.
                    if let Some(s) = stories.first() {
                        done.unmerged +=
                            tx.execute("UPDATE stories SET merged_into = NULL WHERE id = ?1", [s])?;
                    }
                }
                Problem::BrokenMerge { story, .. } => {
                    done.unmerged += tx.execute(
                        "UPDATE stories SET merged_into = NULL WHERE id = ?1",
                        [story],
                    )?;
                    redecide.insert(*story);
                }
                Problem::OriginalNotMember { story, .. }
                | Problem::UnknownWithoutReason { story } => {
                    redecide.insert(*story);
                }
                Problem::Relations { stories, .. } => redecide.extend(stories),
                Problem::Index { .. } | Problem::AnchorStats { .. } => rebuild = true,
                Problem::ForeignVectors { model, .. } => {
                    done.vectors_removed += tx.execute(
                        "DELETE FROM embeddings WHERE model IS DISTINCT FROM ?1",
                        params![model],
                    )?;
                }
                _ => {}
            }
        }
        // Members of dead stories (whatever the reason), and articles in no story, are
        // placed again: their stories' other members decide where they belong.
        let dead: Vec<(i64, i64)> = {
            let mut st = tx.prepare_cached(
                "SELECT m.article_id, m.story_id FROM members m
                 LEFT JOIN stories s ON s.id = m.story_id
                 WHERE s.id IS NULL OR s.merged_into IS NOT NULL",
            )?;
            let rows = st.query_map((), |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<crate::Result<_>>()?
        };
        for (article, _) in &dead {
            tx.execute("DELETE FROM members WHERE article_id = ?1", [article])?;
        }
        let unplaced = ids(
            tx,
            "SELECT a.id FROM articles a
             WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.article_id = a.id)
               AND NOT EXISTS (SELECT 1 FROM pending p WHERE p.article_id = a.id)",
        )?;
        for a in &unplaced {
            tx.execute(
                "INSERT INTO pending (article_id, published, ukey)
                 SELECT id, published, ukey FROM articles WHERE id = ?1",
                [a],
            )?;
        }
        done.requeued = unplaced.len();
        if rebuild {
            done.reindexed = Some(rebuild_index(tx)?);
        }
        // Stories that lost members to the requeue are decided again too.
        redecide.extend(dead.iter().map(|d| d.1));
        done.redecide = redecide.into_iter().collect();
        Ok(done)
    }
}

/// Rebuilds the LSH and anchor rows and the anchor statistics from the stored
/// fingerprints of the indexed articles in the window. Returns how many articles.
fn rebuild_index(tx: &Tx<'_>) -> Result<usize> {
    Store::empty_index(tx)?;
    let keys = expected_keys(tx)?;
    for chunk in keys.chunks(crate::pipeline::INDEX_BATCH) {
        Store::index_many(tx, chunk)?;
    }
    Ok(keys.len())
}

impl Store {
    /// Live stories among `ids` (merged or missing ones left out).
    ///
    /// # Errors
    /// Database failures.
    pub fn live_stories(conn: &Db, ids: &[i64]) -> Result<Vec<StoryId>> {
        let mut st =
            conn.prepare_cached("SELECT 1 FROM stories WHERE id = ?1 AND merged_into IS NULL")?;
        let mut out = Vec::new();
        for &id in ids {
            if st.exists([id])? {
                out.push(StoryId(id));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_end_live_or_say_why() {
        let m: BTreeMap<i64, Option<i64>> = [
            (1, None),
            (2, Some(1)),
            (3, Some(2)),
            (4, Some(5)),
            (5, Some(4)),
            (6, Some(9)),
        ]
        .into_iter()
        .collect();
        assert!(matches!(follow(&m, 3), Chain::Live(1)));
        assert!(matches!(follow(&m, 4), Chain::Cycle(c) if c == vec![4, 5]));
        assert!(matches!(follow(&m, 6), Chain::Broken));
    }

    #[test]
    fn row_differences_are_counted_both_ways() {
        let want = [(1, 10), (2, 10), (3, 11)];
        let have = [(1, 10), (3, 11), (4, 12)];
        let p = diff_rows("lsh", &want, &have).unwrap();
        assert_eq!(
            p,
            Problem::Index {
                table: "lsh".into(),
                missing: 1,
                extra: 1,
                articles: vec![10, 12],
            }
        );
        assert!(diff_rows("lsh", &want, &want).is_none());
    }

    #[test]
    fn an_empty_store_is_sound() {
        let s = Store::memory().unwrap();
        assert_eq!(s.check().unwrap(), Vec::new());
    }
}
