-- firsthand schema: the one source of truth. Applied by src/store/mod.rs in order of
-- `-- migration N` blocks; PRAGMA user_version records the last one applied.
-- Times are unix seconds (UTC). Hashes are 63-bit non-negative integers.

-- migration 1
CREATE TABLE feeds (
    id            INTEGER PRIMARY KEY,
    url           TEXT NOT NULL UNIQUE,
    title         TEXT,
    site_url      TEXT,
    status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    etag          TEXT,
    last_modified TEXT,
    ttl_minutes   INTEGER,
    last_polled   INTEGER,
    next_poll     INTEGER,
    -- a server's Retry-After: not polled before this, even by `poll --all`
    retry_until   INTEGER,
    last_error    TEXT,
    error_count   INTEGER NOT NULL DEFAULT 0,
    created       INTEGER NOT NULL
);

-- One row per fetch attempt: what the server said and what it cost.
CREATE TABLE fetches (
    id           INTEGER PRIMARY KEY,
    feed_id      INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    at           INTEGER NOT NULL,
    status       INTEGER,
    duration_ms  INTEGER NOT NULL,
    bytes        INTEGER NOT NULL DEFAULT 0,
    new_articles INTEGER NOT NULL DEFAULT 0,
    error        TEXT
);
CREATE INDEX fetches_feed_at ON fetches(feed_id, at);

-- Every entry of every feed; never dropped because another feed carries it too.
-- `identity` is the exact key within the feed: guid:…, url:… or hash:….
-- `body` keeps the normalised paragraphs, so matching can run again (recluster).
CREATE TABLE articles (
    id            INTEGER PRIMARY KEY,
    feed_id       INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    identity      TEXT NOT NULL,
    -- hash of feed url + identity: a tie-break that does not depend on insertion order
    ukey          INTEGER NOT NULL,
    url           TEXT,
    canonical_url TEXT,
    site          TEXT,
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,
    links         TEXT NOT NULL DEFAULT '[]',
    credits       TEXT NOT NULL DEFAULT '[]',
    images        TEXT NOT NULL DEFAULT '[]',
    source_url    TEXT,
    lang          TEXT NOT NULL,
    published     INTEGER,
    first_seen    INTEGER NOT NULL,
    -- fingerprint
    text_hash     INTEGER NOT NULL,
    -- hash of the words with only the site's own repeated lines removed: equal for
    -- duplicates (an inserted "Read more" line makes a syndicated copy)
    dup_hash      INTEGER NOT NULL,
    simhash       INTEGER NOT NULL,
    minhash       BLOB NOT NULL,
    shingles      INTEGER NOT NULL,
    anchors       TEXT NOT NULL,
    numbers       TEXT NOT NULL,
    paragraphs    INTEGER NOT NULL,
    chars         INTEGER NOT NULL,
    UNIQUE (feed_id, identity)
);
CREATE INDEX articles_canonical ON articles(canonical_url);
CREATE INDEX articles_url ON articles(url);
CREATE INDEX articles_text_hash ON articles(text_hash);
CREATE INDEX articles_first_seen ON articles(first_seen);
CREATE INDEX articles_site ON articles(site);

-- Candidate retrieval: MinHash LSH bands and SimHash blocks share one key space.
CREATE TABLE lsh (
    key        INTEGER NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    PRIMARY KEY (key, article_id)
) WITHOUT ROWID;
CREATE INDEX lsh_article ON lsh(article_id);

-- Anchor index for cross-language retrieval, and per-anchor statistics (document
-- frequency, and a bitmask of the languages it was seen in).
CREATE TABLE anchor_index (
    anchor     INTEGER NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    PRIMARY KEY (anchor, article_id)
) WITHOUT ROWID;
CREATE INDEX anchor_index_article ON anchor_index(article_id);
CREATE TABLE anchor_stats (
    anchor INTEGER PRIMARY KEY,
    df     INTEGER NOT NULL,
    langs  INTEGER NOT NULL
);

-- Lines a site repeats under its articles (boilerplate), counted per distinct article.
CREATE TABLE site_lines (
    site      TEXT NOT NULL,
    line_hash INTEGER NOT NULL,
    count     INTEGER NOT NULL,
    PRIMARY KEY (site, line_hash)
) WITHOUT ROWID;

-- Articles stored but not yet placed in a story. Placement runs after a whole pass is
-- stored, in (publication time, key) order, so the stories do not depend on the order
-- feeds arrived in, and a killed pass is finished by the next one.
CREATE TABLE pending (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    published  INTEGER,
    ukey       INTEGER NOT NULL
);
CREATE INDEX pending_order ON pending(published, ukey);

-- Stories. `merged_into` is set when the story was merged; its id still resolves.
CREATE TABLE stories (
    id          INTEGER PRIMARY KEY,
    created     INTEGER NOT NULL,
    updated     INTEGER NOT NULL,
    original_id INTEGER REFERENCES articles(id) ON DELETE SET NULL,
    evidence    TEXT NOT NULL DEFAULT '[]',
    merged_into INTEGER REFERENCES stories(id)
);
CREATE INDEX stories_updated ON stories(updated);

-- Membership: each article is in exactly one story, with its relation to the original
-- and why it joined (JSON: matched article, scores, shared anchors).
CREATE TABLE members (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    story_id   INTEGER NOT NULL REFERENCES stories(id),
    relation   TEXT NOT NULL CHECK (relation IN ('original', 'duplicate', 'syndicated', 'translation')),
    reason     TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX members_story ON members(story_id);

CREATE TABLE story_merges (
    from_id INTEGER NOT NULL,
    into_id INTEGER NOT NULL,
    at      INTEGER NOT NULL,
    reason  TEXT NOT NULL
);

-- Poll runs, for metrics.
CREATE TABLE polls (
    id          INTEGER PRIMARY KEY,
    started     INTEGER NOT NULL,
    finished    INTEGER,
    feeds       INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0,
    new_articles INTEGER NOT NULL DEFAULT 0
);

-- Small named values: `index_window_start` is the first_seen up to which articles have
-- left the retrieval indexes (they are older than the matching window).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);

-- migration 2
-- Vectors of the optional multilingual model (title + lead), one per article and model
-- directory; absent when no model is configured.
CREATE TABLE embeddings (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    model      TEXT NOT NULL,
    vec        BLOB NOT NULL
);

-- Stored articles whose retrieval-index rows are not written yet. Placement first
-- indexes them all in one pass with the rows sorted by key, so the index B-trees fill in
-- order instead of at random; a killed pass leaves them here for the next.
CREATE TABLE unindexed (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE
);

-- The index tables without their article-side indexes and foreign keys: when an article
-- leaves the indexes (matching window, feed removal, recluster) its rows are found again
-- from its stored fingerprint, so each key written costs one B-tree insert instead of
-- three (primary key, article index, foreign-key check).
DROP INDEX lsh_article;
DROP INDEX anchor_index_article;
CREATE TABLE lsh_v2 (
    key        INTEGER NOT NULL,
    article_id INTEGER NOT NULL,
    PRIMARY KEY (key, article_id)
) WITHOUT ROWID;
INSERT INTO lsh_v2 (key, article_id) SELECT key, article_id FROM lsh;
DROP TABLE lsh;
ALTER TABLE lsh_v2 RENAME TO lsh;
CREATE TABLE anchor_index_v2 (
    anchor     INTEGER NOT NULL,
    article_id INTEGER NOT NULL,
    PRIMARY KEY (anchor, article_id)
) WITHOUT ROWID;
INSERT INTO anchor_index_v2 (anchor, article_id) SELECT anchor, article_id FROM anchor_index;
DROP TABLE anchor_index;
ALTER TABLE anchor_index_v2 RENAME TO anchor_index;

-- migration 3
-- SimHash keys became pairs of 13-bit blocks (single 16-bit blocks drew random
-- candidates in proportion to the window). The retrieval indexes are emptied and every
-- article of the window is queued in `unindexed`: the next poll or ingest writes their
-- rows afresh (index, statistics and all) before it places anything.
DELETE FROM lsh;
DELETE FROM anchor_index;
DELETE FROM anchor_stats;
INSERT OR IGNORE INTO unindexed (article_id)
SELECT id FROM articles
WHERE first_seen >= COALESCE((SELECT value FROM meta WHERE key = 'index_window_start'), -9223372036854775808);

-- migration 4
-- A Bloom filter of the LSH keys of the older articles (see src/store/filter.rs), in
-- parts of at most 256 KiB; what it covers is in `meta` (`lsh_filter_*`).
CREATE TABLE lsh_filter (
    part INTEGER PRIMARY KEY,
    bits BLOB NOT NULL
);

-- migration 5
-- Young index tables (see src/store/young.rs). New index rows go into these small
-- B-trees and move into `lsh`, `anchor_index` and `anchor_stats` one key range at a time,
-- a range per few hundred articles indexed: a batch inserted at random into the index of
-- a million articles dirtied a page per row, into these a bounded number. Lookups read
-- both; each (key, article) row is in one of the two. `anchor_stats_young` holds changes
-- not yet moved: its df is added to the large table's (it may be negative), its langs
-- or-ed in.
CREATE TABLE lsh_young (
    key        INTEGER NOT NULL,
    article_id INTEGER NOT NULL,
    PRIMARY KEY (key, article_id)
) WITHOUT ROWID;
CREATE TABLE anchor_index_young (
    anchor     INTEGER NOT NULL,
    article_id INTEGER NOT NULL,
    PRIMARY KEY (anchor, article_id)
) WITHOUT ROWID;
CREATE TABLE anchor_stats_young (
    anchor INTEGER PRIMARY KEY,
    df     INTEGER NOT NULL,
    langs  INTEGER NOT NULL
);

-- migration 6
-- A story's contenders for its original (see src/cluster/decide.rs): a story of more
-- than 512 members has its contenders chosen among the members flagged here and those
-- placed since, not among all of them. The flag moves with the member when stories merge.
ALTER TABLE members ADD COLUMN contender INTEGER NOT NULL DEFAULT 0;
CREATE INDEX members_contenders ON members(story_id) WHERE contender = 1;
