//! Article rows: the normalised entry, its fingerprint, and loading them back as
//! [`Sig`]s for matching and origin.

use super::Store;
use super::keys::{blob, unblob, words};
use crate::domain::{Article, ArticleId, FeedId};
use crate::fingerprint::Fingerprint;
use crate::store::db::{Db, OptionalExtension, Row, Tx, params};
use crate::{Error, Result};
use twox_hash::XxHash3_64;

/// An article as matching and origin see it.
#[derive(Debug, Clone)]
pub struct Sig {
    /// Row id.
    pub id: ArticleId,
    /// Order-independent tie-break key.
    pub ukey: i64,
    /// Feed row.
    pub feed_id: FeedId,
    /// Feed URL.
    pub feed_url: String,
    /// Feed title.
    pub feed_title: Option<String>,
    /// Site (host without www.) of the article, else of the feed.
    pub site: Option<String>,
    /// Link.
    pub url: Option<String>,
    /// Canonical link.
    pub canonical_url: Option<String>,
    /// Title.
    pub title: String,
    /// The title read for comparing with others' (from `title`).
    pub read_title: crate::fingerprint::title::Title,
    /// ISO 639-1.
    pub lang: String,
    /// Claimed publication time (unix seconds).
    pub published: Option<i64>,
    /// When firsthand first saw it.
    pub first_seen: i64,
    /// Outbound links.
    pub links: Vec<String>,
    /// Credit links and `name:` credits.
    pub credits: Vec<String>,
    /// RSS source / origLink claim.
    pub source_url: Option<String>,
    /// The fingerprint.
    pub fp: Fingerprint,
    /// Anchor keys with the anchor's position in `fp.anchors`, sorted by key.
    pub keys: Vec<(i64, u32)>,
    /// How many of `fp.anchors` are readings (katakana words, Chinese given names in
    /// pinyin: [`crate::fingerprint::anchors::AnchorKind::Reading`]).
    pub readings: usize,
    /// The multilingual model's vector, when a model is configured and has read it.
    pub embedding: Option<std::sync::Arc<[f32]>>,
}

impl Sig {
    /// Computes `keys` and `readings` from `fp.anchors`.
    #[must_use]
    pub fn with_keys(mut self) -> Self {
        use crate::fingerprint::anchors::AnchorKind;
        self.readings = self
            .fp
            .anchors
            .iter()
            .filter(|a| AnchorKind::of(a) == Some(AnchorKind::Reading))
            .count();
        self.keys = self
            .fp
            .anchors
            .iter()
            .enumerate()
            .map(|(i, a)| {
                (
                    super::keys::anchor_key(a),
                    u32::try_from(i).unwrap_or(u32::MAX),
                )
            })
            .collect();
        self.keys.sort_unstable();
        self.keys.dedup_by_key(|k| k.0);
        self
    }
}

/// Order-independent key of an article.
#[must_use]
pub fn ukey(feed_url: &str, identity: &str) -> i64 {
    crate::fingerprint::minhash::to_key(XxHash3_64::oneshot(
        format!("{feed_url}\u{0}{identity}").as_bytes(),
    ))
}

fn json_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

const SIG_COLUMNS: &str = "a.id, a.ukey, a.feed_id, f.url AS feed_url, f.title AS feed_title, a.site, a.url, a.canonical_url, a.title, a.lang,
    a.published, a.first_seen, a.links, a.credits, a.source_url, a.text_hash, a.dup_hash, a.simhash, a.minhash,
    a.shingles, a.anchors, a.numbers, a.paragraphs, a.chars, e.vec AS embedding";

impl Sig {
    fn from_row(r: &Row<'_>) -> crate::Result<Self> {
        let minhash: Vec<u8> = r.get("minhash")?;
        let title: String = r.get("title")?;
        Ok(Self {
            id: ArticleId(r.get("id")?),
            ukey: r.get("ukey")?,
            feed_id: FeedId(r.get("feed_id")?),
            feed_url: r.get("feed_url")?,
            feed_title: r.get("feed_title")?,
            site: r.get("site")?,
            url: r.get("url")?,
            canonical_url: r.get("canonical_url")?,
            read_title: crate::fingerprint::title::Title::new(&title),
            title,
            lang: r.get("lang")?,
            published: r.get("published")?,
            first_seen: r.get("first_seen")?,
            links: json_list(&r.get::<_, String>("links")?),
            credits: json_list(&r.get::<_, String>("credits")?),
            source_url: r.get("source_url")?,
            fp: Fingerprint {
                text_hash: r.get::<_, i64>("text_hash")?.cast_unsigned(),
                dup_hash: r.get::<_, i64>("dup_hash")?.cast_unsigned(),
                simhash: r.get::<_, i64>("simhash")?.cast_unsigned(),
                minhash: unblob(&minhash),
                shingles: r.get("shingles")?,
                anchors: words(&r.get::<_, String>("anchors")?),
                numbers: words(&r.get::<_, String>("numbers")?),
                paragraphs: r.get("paragraphs")?,
                chars: r.get("chars")?,
            },
            keys: Vec::new(),
            readings: 0,
            embedding: r
                .get::<_, Option<Vec<u8>>>("embedding")?
                .and_then(|b| crate::embed::from_blob(&b))
                .map(std::sync::Arc::from),
        }
        .with_keys())
    }
}

/// A new row for `articles`.
pub struct NewArticle<'a> {
    /// Feed it came from.
    pub feed_id: FeedId,
    /// The feed's URL.
    pub feed_url: &'a str,
    /// The normalised article.
    pub article: &'a Article,
    /// Its fingerprint.
    pub fp: &'a Fingerprint,
    /// First seen (unix seconds).
    pub first_seen: i64,
}

impl Store {
    /// Inserts an article unless its feed already has one with the same identity.
    ///
    /// # Errors
    /// Database failures.
    pub fn insert_article(tx: &Tx<'_>, new: &NewArticle<'_>) -> Result<Option<ArticleId>> {
        let a = new.article;
        let site = a
            .canonical_url
            .as_deref()
            .and_then(crate::normalize::url::site)
            .or_else(|| crate::normalize::url::site(new.feed_url));
        let json = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
        let n = tx
            .prepare_cached(
                "INSERT OR IGNORE INTO articles (feed_id, identity, ukey, url, canonical_url, site, title, body,
                   links, credits, images, source_url, lang, published, first_seen, text_hash, dup_hash, simhash,
                   minhash, shingles, anchors, numbers, paragraphs, chars)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)
                 RETURNING id",
            )?
            .query_row(params![
                new.feed_id.0,
                a.identity,
                ukey(new.feed_url, &a.identity),
                a.url,
                a.canonical_url,
                site,
                a.title,
                a.body(),
                json(&a.links),
                json(&a.credits),
                json(&a.images),
                a.source_url,
                a.lang,
                a.published.map(|t| t.timestamp()),
                new.first_seen,
                new.fp.text_hash.cast_signed(),
                new.fp.dup_hash.cast_signed(),
                new.fp.simhash.cast_signed(),
                blob(&new.fp.minhash),
                new.fp.shingles,
                new.fp.anchors.join(" "),
                new.fp.numbers.join(" "),
                new.fp.paragraphs,
                new.fp.chars,
            ], |r| r.get(0))
            .optional()?;
        Ok(n.map(ArticleId))
    }

    /// Whether the feed already has an entry with this identity.
    ///
    /// # Errors
    /// Database failures.
    pub fn has_entry(conn: &Db, feed: FeedId, identity: &str) -> Result<bool> {
        conn.prepare_cached("SELECT 1 FROM articles WHERE feed_id = ?1 AND identity = ?2")?
            .exists(params![feed.0, identity])
    }

    /// Replaces an article's fingerprint (recluster).
    ///
    /// # Errors
    /// Database failures.
    pub fn update_fingerprint(tx: &Tx<'_>, id: ArticleId, fp: &Fingerprint) -> Result<()> {
        tx.prepare_cached(
            "UPDATE articles SET text_hash = ?2, dup_hash = ?10, simhash = ?3, minhash = ?4, shingles = ?5, anchors = ?6,
               numbers = ?7, paragraphs = ?8, chars = ?9 WHERE id = ?1",
        )?
        .execute(params![
            id.0,
            fp.text_hash.cast_signed(),
            fp.simhash.cast_signed(),
            blob(&fp.minhash),
            fp.shingles,
            fp.anchors.join(" "),
            fp.numbers.join(" "),
            fp.paragraphs,
            fp.chars,
            fp.dup_hash.cast_signed(),
        ])?;
        Ok(())
    }

    /// Loads signatures of `ids` (missing ids are skipped), in id order.
    ///
    /// # Errors
    /// Database failures.
    pub fn sigs(conn: &crate::store::db::Db, ids: &[ArticleId]) -> Result<Vec<Sig>> {
        let mut out = Vec::with_capacity(ids.len());
        let mut sorted = ids.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        // Ids in lists of up to 100: a server answers each statement over the network.
        for part in sorted.chunks(100) {
            let mut st = conn.prepare_cached(&format!(
                "SELECT {SIG_COLUMNS} FROM articles a JOIN feeds f ON f.id = a.feed_id
                   LEFT JOIN embeddings e ON e.article_id = a.id WHERE a.id IN ({}) ORDER BY a.id",
                vec!["?"; part.len()].join(", ")
            ))?;
            let ids: Vec<i64> = part.iter().map(|i| i.0).collect();
            for s in st.query_map(ids, Sig::from_row)? {
                out.push(s?);
            }
        }
        Ok(out)
    }

    /// Signatures of every article with an id of at least `from`, in id order, each with
    /// whether it is in the window's indexes (it was not taken out of them). Articles still
    /// waiting in `unindexed` count as indexed: placement indexes them before it begins.
    ///
    /// # Errors
    /// Database failures.
    pub fn sigs_from(conn: &crate::store::db::Db, from: ArticleId) -> Result<Vec<(Sig, bool)>> {
        let window = Self::index_window_start(conn)?;
        let mut st = conn.prepare_cached(&format!(
            "SELECT {SIG_COLUMNS}, a.first_seen >= ?2 AS indexed
             FROM articles a JOIN feeds f ON f.id = a.feed_id
               LEFT JOIN embeddings e ON e.article_id = a.id
             WHERE a.id >= ?1 ORDER BY a.id"
        ))?;
        let rows = st.query_map(params![from.0, window], |r| {
            Ok((Sig::from_row(r)?, r.get::<_, bool>("indexed")?))
        })?;
        rows.collect::<crate::Result<_>>()
    }

    /// Article by URL (as given or canonical).
    ///
    /// # Errors
    /// [`Error::NoArticle`] when none has it.
    pub fn article_by_url(&self, url: &str) -> Result<ArticleId> {
        let canon = crate::normalize::url::canonical(url, None);
        let mut st = self.conn().prepare_cached(
            "SELECT MIN(id) FROM (SELECT id FROM articles WHERE url = ?1
               UNION ALL SELECT id FROM articles WHERE canonical_url = ?1
               UNION ALL SELECT id FROM articles WHERE canonical_url = ?2) u",
        )?;
        st.query_row(params![url, canon], |r| r.get::<_, Option<i64>>(0))
            .optional()?
            .flatten()
            .map(ArticleId)
            .ok_or_else(|| Error::NoArticle(url.to_string()))
    }

    /// Whether a feed other than `feed` already brought the page at `canonical_url` with
    /// this `title`: then it is the same article (see [`crate::pipeline::store_articles`]).
    ///
    /// # Errors
    /// Database failures.
    pub fn same_page_elsewhere(
        tx: &crate::store::db::Db,
        feed: FeedId,
        canonical_url: &str,
        title: &str,
    ) -> Result<bool> {
        Ok(tx
            .prepare_cached(
                "SELECT 1 FROM articles WHERE canonical_url = ?1 AND feed_id <> ?2 AND title = ?3
                 LIMIT 1",
            )?
            .query_row(params![canonical_url, feed.0, title], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Ids of articles with this canonical URL or exact text (exact-duplicate retrieval).
    ///
    /// # Errors
    /// Database failures.
    pub fn exact_candidates(
        tx: &crate::store::db::Db,
        canonical_url: Option<&str>,
        text_hash: Option<u64>,
    ) -> Result<Vec<ArticleId>> {
        // Two index lookups merged here: a UNION would sort them in a temporary B-tree.
        let mut out: Vec<ArticleId> = Vec::new();
        if let Some(h) = text_hash {
            out = tx
                .prepare_cached("SELECT id FROM articles WHERE text_hash = ?1 LIMIT 200")?
                .query_map([h.cast_signed()], |r| r.get(0).map(ArticleId))?
                .collect::<crate::Result<_>>()?;
        }
        if let Some(u) = canonical_url {
            let by_url = tx
                .prepare_cached("SELECT id FROM articles WHERE canonical_url = ?1 LIMIT 200")?
                .query_map([u], |r| r.get(0).map(ArticleId))?
                .collect::<crate::Result<Vec<_>>>()?;
            out.extend(by_url);
        }
        out.sort_unstable();
        out.dedup();
        out.truncate(200);
        Ok(out)
    }

    /// Articles whose link or canonical link is one of `urls` (at most 20 per URL).
    ///
    /// # Errors
    /// Database failures.
    pub fn linked_articles(tx: &crate::store::db::Db, urls: &[String]) -> Result<Vec<ArticleId>> {
        let mut out = Vec::new();
        for u in urls {
            for sql in [
                "SELECT id FROM articles WHERE canonical_url = ?1 LIMIT 20",
                "SELECT id FROM articles WHERE url = ?1 LIMIT 20",
            ] {
                let rows = tx
                    .prepare_cached(sql)?
                    .query_map([u], |r| r.get(0).map(ArticleId))?
                    .collect::<crate::Result<Vec<_>>>()?;
                out.extend(rows);
            }
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    /// Every article id with first_seen at or after `since`, with its stored body and
    /// site, for recluster.
    ///
    /// # Errors
    /// Database failures.
    pub fn article_ids_since(&self, since: i64) -> Result<Vec<ArticleId>> {
        let mut st = self
            .conn()
            .prepare_cached("SELECT id FROM articles WHERE first_seen >= ?1 ORDER BY id")?;
        let rows = st.query_map([since], |r| r.get(0))?;
        rows.map(|r| r.map(ArticleId)).collect::<crate::Result<_>>()
    }

    /// Title, paragraphs, language and site of an article (to fingerprint it again).
    ///
    /// # Errors
    /// Database failures.
    pub fn article_text(
        conn: &crate::store::db::Db,
        id: ArticleId,
    ) -> Result<(String, Vec<String>, String, Option<String>)> {
        let mut st =
            conn.prepare_cached("SELECT title, body, lang, site FROM articles WHERE id = ?1")?;
        st.query_row([id.0], |r| {
            let body: String = r.get(1)?;
            Ok((
                r.get(0)?,
                body.split('\n').map(str::to_string).collect(),
                r.get(2)?,
                r.get(3)?,
            ))
        })
    }
}

impl Store {
    /// Queues an article for placement.
    ///
    /// # Errors
    /// Database failures.
    pub fn add_pending(
        tx: &Tx<'_>,
        id: ArticleId,
        published: Option<i64>,
        ukey: i64,
    ) -> Result<()> {
        tx.prepare_cached(
            "INSERT OR IGNORE INTO pending (article_id, published, ukey) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![id.0, published, ukey])?;
        Ok(())
    }

    /// Marks an article placed.
    ///
    /// # Errors
    /// Database failures.
    pub fn remove_pending(tx: &Tx<'_>, id: ArticleId) -> Result<()> {
        tx.prepare_cached("DELETE FROM pending WHERE article_id = ?1")?
            .execute([id.0])?;
        Ok(())
    }

    /// Takes placed articles out of `pending`, up to 500 per statement (one round trip
    /// to a server for a chunk of placed articles, not one per article).
    ///
    /// # Errors
    /// Database failures.
    pub fn remove_pending_many(tx: &Tx<'_>, ids: &[ArticleId]) -> Result<()> {
        for part in ids.chunks(500) {
            let sql = format!(
                "DELETE FROM pending WHERE article_id IN ({})",
                vec!["?"; part.len()].join(", ")
            );
            let args: Vec<i64> = part.iter().map(|i| i.0).collect();
            tx.prepare_cached(&sql)?.execute(args)?;
        }
        Ok(())
    }

    /// The next articles to place, in (publication time, key) order; undated last.
    ///
    /// # Errors
    /// Database failures.
    pub fn pending(&self, limit: usize) -> Result<Vec<ArticleId>> {
        let mut st = self.conn().prepare_cached(
            "SELECT article_id FROM pending ORDER BY published IS NULL, published, ukey LIMIT ?1",
        )?;
        let rows = st.query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| r.get(0))?;
        rows.map(|r| r.map(ArticleId)).collect::<crate::Result<_>>()
    }

    /// How many articles wait for placement.
    ///
    /// # Errors
    /// Database failures.
    pub fn pending_count(&self) -> Result<i64> {
        self.conn()
            .query_row("SELECT COUNT(*) FROM pending", (), |r| r.get(0))
    }

    /// The lowest id of an article waiting for placement.
    ///
    /// # Errors
    /// Database failures.
    pub fn first_pending(&self) -> Result<Option<ArticleId>> {
        Ok(self
            .conn()
            .query_row("SELECT MIN(article_id) FROM pending", (), |r| {
                r.get::<_, Option<i64>>(0)
            })?
            .map(ArticleId))
    }
}
