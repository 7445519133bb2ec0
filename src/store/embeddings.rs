//! Vectors of the optional multilingual model: which articles still need one, writing
//! them, and the window's vectors for retrieval. One model per database: vectors of
//! another model are dropped when a different one is configured.

use super::Store;
use crate::Result;
use crate::domain::ArticleId;
use crate::store::db::{Db, OptionalExtension, Tx};

/// An article's text as the model reads it.
#[derive(Debug, Clone)]
pub struct ModelInput {
    /// Row id.
    pub id: ArticleId,
    /// Title.
    pub title: String,
    /// Paragraphs.
    pub paragraphs: Vec<String>,
}

/// A stored vector with what retrieval filters on.
#[derive(Debug, Clone)]
pub struct Stored {
    /// Row id.
    pub id: ArticleId,
    /// Language.
    pub lang: String,
    /// The vector.
    pub vec: Vec<f32>,
}

impl Store {
    /// Drops vectors written by another model than `model` (recorded in `meta` as
    /// `embedding_model`, a hash of its key); returns how many.
    ///
    /// # Errors
    /// Database failures.
    pub fn keep_model(tx: &Tx<'_>, model: &str) -> Result<usize> {
        let h = (twox_hash::XxHash3_64::oneshot(model.as_bytes()) >> 1).cast_signed();
        let known: Option<i64> = tx
            .query_row(
                "SELECT value FROM meta WHERE key = 'embedding_model'",
                (),
                |r| r.get(0),
            )
            .optional()?;
        if known == Some(h) {
            return Ok(0);
        }
        let n = tx
            .prepare_cached("DELETE FROM embeddings WHERE model <> ?1")?
            .execute([model])?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('embedding_model', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [h],
        )?;
        Ok(n)
    }

    /// Of `ids`, those without a vector, with their text, in id order.
    ///
    /// # Errors
    /// Database failures.
    pub fn needing_vectors(conn: &Db, ids: &[ArticleId]) -> Result<Vec<ModelInput>> {
        let mut st = conn.prepare_cached(
            "SELECT a.title, a.body FROM articles a
             WHERE a.id = ?1 AND NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.article_id = a.id)",
        )?;
        let mut sorted = ids.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        let mut out = Vec::new();
        for id in sorted {
            let mut rows = st.query([id.0])?;
            if let Some(r) = rows.next()? {
                let body: String = r.get(1)?;
                out.push(ModelInput {
                    id,
                    title: r.get(0)?,
                    paragraphs: body.lines().map(str::to_string).collect(),
                });
            }
        }
        Ok(out)
    }

    /// Writes vectors.
    ///
    /// # Errors
    /// Database failures.
    pub fn put_vectors(tx: &Tx<'_>, model: &str, rows: &[(ArticleId, Vec<f32>)]) -> Result<()> {
        let mut st = tx.prepare_cached(
            "INSERT INTO embeddings (article_id, model, vec) VALUES (?1, ?2, ?3)
             ON CONFLICT (article_id) DO UPDATE SET model = excluded.model, vec = excluded.vec",
        )?;
        for (id, v) in rows {
            st.execute(crate::store::db::params![
                id.0,
                model,
                crate::embed::to_blob(v)
            ])?;
        }
        Ok(())
    }

    /// Vectors of articles first seen at or after `since`, in id order.
    ///
    /// # Errors
    /// Database failures.
    pub fn window_vectors(conn: &Db, since: i64) -> Result<Vec<Stored>> {
        let mut st = conn.prepare_cached(
            "SELECT a.id, a.lang, e.vec FROM embeddings e JOIN articles a ON a.id = e.article_id
             WHERE a.first_seen >= ?1 ORDER BY a.id",
        )?;
        let rows = st.query_map([since], |r| {
            Ok((
                ArticleId(r.get(0)?),
                r.get::<_, String>(1)?,
                r.get::<_, Vec<u8>>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, lang, blob) = row?;
            if let Some(vec) = crate::embed::from_blob(&blob) {
                out.push(Stored { id, lang, vec });
            }
        }
        Ok(out)
    }
}
