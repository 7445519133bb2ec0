//! `firsthand check`: a clean ingest is sound and lists every article exactly once;
//! injected faults are named with their ids, and `check --repair` mends them without
//! losing an article.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use firsthand_world::Shape;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use support::cli;

/// The world of the first `clusters` dev stories, written as feed files into `dir`.
fn world_files(clusters: usize, dir: &Path) -> (Vec<PathBuf>, usize) {
    support::world_files("wmt-dev/dev-small.jsonl", clusters, Shape::Mixed, dir)
}

/// How often each article URL is listed by `stories --json --all`.
fn listed(db: &Path) -> BTreeMap<String, usize> {
    let r = cli(db, &["stories", "--json", "--all"]);
    r.code(0, "stories --json --all");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let mut out = BTreeMap::new();
    for s in v.as_array().unwrap() {
        for m in s["members"].as_array().unwrap() {
            *out.entry(m["url"].as_str().unwrap().to_string())
                .or_default() += 1;
        }
    }
    out
}

fn assert_listed_once(db: &Path, articles: usize, what: &str) {
    let l = listed(db);
    assert_eq!(l.len(), articles, "{what}: distinct articles listed");
    let twice: Vec<_> = l.iter().filter(|(_, n)| **n != 1).collect();
    assert!(twice.is_empty(), "{what}: listed more than once: {twice:?}");
}

fn ingest(db: &Path, files: &[PathBuf]) {
    let mut args = vec!["ingest".to_string()];
    args.extend(files.iter().map(|p| p.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    cli(db, &args).code(0, "ingest");
}

fn sql(db: &Path, statements: &str) {
    let c = rusqlite::Connection::open(db).unwrap();
    c.execute_batch(statements).unwrap();
}

fn one(db: &Path, q: &str) -> i64 {
    let c = rusqlite::Connection::open(db).unwrap();
    c.query_row(q, [], |r| r.get(0)).unwrap()
}

#[test]
fn a_clean_ingest_is_sound_and_lists_every_article_once() {
    let dir = tempfile::tempdir().unwrap();
    let (files, n) = world_files(120, dir.path());
    let db = dir.path().join("w.db");
    ingest(&db, &files);
    let r = cli(&db, &["check"]);
    r.code(0, "check");
    assert!(r.stdout.contains("every invariant holds"), "{}", r.stdout);
    let r = cli(&db, &["check", "--json"]);
    r.code(0, "check --json");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["sound"], true);
    assert_eq!(v["problems"].as_array().unwrap().len(), 0);
    assert_listed_once(&db, n, "clean ingest");
}

#[test]
fn large_stories_are_decided_among_contenders_and_every_relation_follows_the_original() {
    let dir = tempfile::tempdir().unwrap();
    let (files, n) = support::world_files(
        "wmt-dev/dev-full-news.jsonl.gz",
        12,
        Shape::Large,
        dir.path(),
    );
    // One story of 720 copies besides, in four parts, each claiming an earlier time (the
    // third run takes it past 512 members, the fourth decides it on its contenders).
    let copies = support::copies_files(dir.path(), 4, 180);
    let db = dir.path().join("w.db");
    // Four runs: stories are decided again on their members (up to 512) or on their
    // kept contenders (past that) and the newcomers.
    for (i, part) in files.chunks(files.len().div_ceil(4)).enumerate() {
        let mut run = part.to_vec();
        run.extend(copies.get(i).cloned());
        ingest(&db, &run);
    }
    // `check` holds each member's relation against its story's original.
    let r = cli(&db, &["check"]);
    r.code(0, "check");
    assert!(r.stdout.contains("every invariant holds"), "{}", r.stdout);
    assert_listed_once(&db, n + 720, "after four runs");

    let c = rusqlite::Connection::open(&db).unwrap();
    let mut st = c
        .prepare(
            "SELECT m.story_id, COUNT(*), SUM(m.contender),
                    SUM(m.contender * (m.article_id = s.original_id))
             FROM members m JOIN stories s ON s.id = m.story_id GROUP BY m.story_id",
        )
        .unwrap();
    let stories: Vec<(i64, i64, i64, i64)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(
        stories.iter().filter(|s| (33..=512).contains(&s.1)).count() >= 3,
        "the world has large stories: {stories:?}"
    );
    let largest = stories.iter().max_by_key(|s| s.1).unwrap();
    assert!(largest.1 >= 720, "the copies are one story: {largest:?}");
    let (story, _, flagged, original_flagged) = *largest;
    assert!(
        (1..=64).contains(&flagged),
        "story {story}: {flagged} contenders"
    );
    assert_eq!(
        original_flagged, 1,
        "story {story}: its original is a contender"
    );
    // The last part claims the earliest time: its copies hold the original.
    let original_url: String = c
        .query_row(
            "SELECT a.url FROM stories s JOIN articles a ON a.id = s.original_id WHERE s.id = ?1",
            [story],
            |r| r.get(0),
        )
        .unwrap();
    assert!(original_url.contains("copies3."), "{original_url}");
    for (story, members, flagged, _) in stories.iter().filter(|s| s.1 <= 512) {
        assert_eq!(
            *flagged, 0,
            "story {story} of {members} members keeps no contenders"
        );
    }
}

#[test]
fn a_database_with_every_index_row_in_the_large_tables_upgrades_and_matches_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let (files, n) = world_files(80, dir.path());
    let (first, rest) = files.split_at(files.len() / 2);
    let fresh = dir.path().join("fresh.db");
    ingest(&fresh, first);
    ingest(&fresh, rest);
    // As a database written before migration 5: no young tables, every row in the
    // large ones (and no contender flags, migration 6).
    let old = dir.path().join("old.db");
    ingest(&old, first);
    sql(
        &old,
        "INSERT INTO lsh SELECT * FROM lsh_young;
         INSERT INTO anchor_index SELECT * FROM anchor_index_young;
         INSERT INTO anchor_stats (anchor, df, langs)
           SELECT anchor, df, langs FROM anchor_stats_young WHERE true
           ON CONFLICT(anchor) DO UPDATE SET df = anchor_stats.df + excluded.df,
             langs = anchor_stats.langs | excluded.langs;
         DROP TABLE lsh_young; DROP TABLE anchor_index_young; DROP TABLE anchor_stats_young;
         DELETE FROM meta WHERE key LIKE 'young_%';
         DROP INDEX members_contenders; ALTER TABLE members DROP COLUMN contender;
         PRAGMA user_version = 4;",
    );
    assert!(one(&old, "SELECT COUNT(*) FROM lsh") > 0);
    cli(&old, &["check"]).code(0, "check before the upgrade");
    ingest(&old, rest);
    assert_eq!(
        one(&old, "PRAGMA user_version"),
        one(&fresh, "PRAGMA user_version")
    );
    cli(&old, &["check"]).code(0, "check after the upgrade");
    assert_eq!(
        support::story_sets(&old),
        support::story_sets(&fresh),
        "the same stories as a database that had young tables from the start"
    );
    assert_listed_once(&old, n, "after the upgrade");
}

#[test]
fn a_database_of_the_old_simhash_keys_is_reindexed_on_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let (files, n) = world_files(30, dir.path());
    let fresh = dir.path().join("fresh.db");
    ingest(&fresh, &files);
    let old = dir.path().join("old.db");
    ingest(&old, &files);
    // As a database written before migration 3: a row under a key of the old scheme (and
    // no table of a later migration).
    let article = one(&old, "SELECT MIN(id) FROM articles");
    sql(
        &old,
        &format!(
            "INSERT INTO lsh (key, article_id) VALUES (12345, {article}); DROP TABLE lsh_filter;
             INSERT INTO lsh SELECT * FROM lsh_young; INSERT OR REPLACE INTO anchor_index
             SELECT * FROM anchor_index_young; DROP TABLE lsh_young;
             DROP TABLE anchor_index_young; DROP TABLE anchor_stats_young;
             DROP INDEX members_contenders; ALTER TABLE members DROP COLUMN contender;
             PRAGMA user_version = 2;"
        ),
    );
    // The next ingest (nothing new in it) migrates and writes the indexes afresh.
    ingest(&old, &files[..1]);
    assert_eq!(
        one(&old, "PRAGMA user_version"),
        one(&fresh, "PRAGMA user_version")
    );
    assert_eq!(one(&old, "SELECT COUNT(*) FROM lsh WHERE key = 12345"), 0);
    assert_eq!(one(&old, "SELECT COUNT(*) FROM unindexed"), 0);
    for q in [
        "SELECT COUNT(*) FROM (SELECT 1 FROM lsh UNION ALL SELECT 1 FROM lsh_young)",
        "SELECT COUNT(*) FROM (SELECT 1 FROM anchor_index UNION ALL SELECT 1 FROM anchor_index_young)",
        "SELECT SUM(df) FROM (SELECT df FROM anchor_stats UNION ALL SELECT df FROM anchor_stats_young)",
    ] {
        assert_eq!(one(&old, q), one(&fresh, q), "{q}");
    }
    cli(&old, &["check"]).code(0, "check after the upgrade");
    assert_listed_once(&old, n, "after the upgrade");
}

#[test]
fn injected_faults_are_named_and_repaired_without_losing_an_article() {
    let dir = tempfile::tempdir().unwrap();
    let (files, n) = world_files(80, dir.path());
    let db = dir.path().join("w.db");
    ingest(&db, &files);
    cli(&db, &["check"]).code(0, "check before the faults");

    // A story with at least two members: one member is moved into a story that was
    // merged away; another story names an original that is not its member.
    let story = one(
        &db,
        "SELECT story_id FROM members GROUP BY story_id HAVING COUNT(*) >= 3 ORDER BY story_id LIMIT 1",
    );
    let moved = one(
        &db,
        &format!("SELECT MAX(article_id) FROM members WHERE story_id = {story}"),
    );
    let other = one(
        &db,
        &format!(
            "SELECT MIN(id) FROM stories WHERE merged_into IS NULL AND id <> {story}
             AND EXISTS (SELECT 1 FROM members m WHERE m.story_id = stories.id)"
        ),
    );
    let stranger = one(
        &db,
        &format!("SELECT MIN(article_id) FROM members WHERE story_id = {story}"),
    );
    // A third story's copy called its original.
    let third = one(
        &db,
        &format!(
            "SELECT MIN(s.id) FROM stories s WHERE s.merged_into IS NULL AND s.id NOT IN ({story}, {other})
             AND (SELECT COUNT(*) FROM members m WHERE m.story_id = s.id) >= 2"
        ),
    );
    let miscalled = one(
        &db,
        &format!(
            "SELECT MIN(m.article_id) FROM members m JOIN stories s ON s.id = m.story_id
             WHERE s.id = {third} AND m.article_id <> s.original_id"
        ),
    );
    sql(
        &db,
        &format!(
            "INSERT INTO stories (id, created, updated, merged_into) VALUES (900001, 0, 0, {story});
             UPDATE members SET story_id = 900001 WHERE article_id = {moved};
             INSERT INTO lsh (key, article_id) VALUES (12345, 987654);
             INSERT INTO anchor_index (anchor, article_id) VALUES (777, 987654);
             UPDATE stories SET original_id = {stranger} WHERE id = {other};
             UPDATE members SET relation = 'original' WHERE article_id = {miscalled};"
        ),
    );
    // The article in the dead story is listed nowhere now.
    assert_eq!(listed(&db).len(), n - 1);

    let r = cli(&db, &["check"]);
    r.code(1, "check with faults");
    let out = &r.stdout;
    assert!(
        out.contains(&format!("article {moved} is a member of story 900001")),
        "{out}"
    );
    assert!(out.contains(&format!("(into {story})")), "{out}");
    assert!(out.contains("987654"), "the index row's article: {out}");
    assert!(
        out.contains(&format!(
            "story {other} names article {stranger} its original, but it is in story {story}"
        )),
        "{out}"
    );
    assert!(
        out.contains("whose relation does not follow from their story's original")
            && out.contains(&miscalled.to_string()),
        "{out}"
    );
    let r = cli(&db, &["check", "--json"]);
    r.code(1, "check --json with faults");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let kinds: Vec<&str> = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    for k in [
        "in_dead_story",
        "index",
        "anchor_stats",
        "original_not_member",
        "relations",
    ] {
        assert!(kinds.contains(&k), "{k} in {kinds:?}");
    }

    let r = cli(&db, &["check", "--repair"]);
    r.code(0, "check --repair");
    assert!(r.stdout.contains("repaired:"), "{}", r.stdout);
    cli(&db, &["check"]).code(0, "check after the repair");
    assert_listed_once(&db, n, "after the repair");
}

#[test]
fn unplaced_and_pending_articles_are_found_and_placed() {
    let dir = tempfile::tempdir().unwrap();
    let (files, n) = world_files(40, dir.path());
    let db = dir.path().join("w.db");
    ingest(&db, &files);
    let gone = one(&db, "SELECT MIN(article_id) FROM members");
    let waiting = one(&db, "SELECT MAX(article_id) FROM members");
    sql(
        &db,
        &format!(
            "DELETE FROM members WHERE article_id = {gone};
             DELETE FROM members WHERE article_id = {waiting};
             INSERT INTO pending (article_id, published, ukey)
               SELECT id, published, ukey FROM articles WHERE id = {waiting};"
        ),
    );
    let r = cli(&db, &["check"]);
    r.code(1, "check");
    assert!(
        r.stdout
            .contains(&format!("1 article(s) in no story and not pending: {gone}")),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains(&format!("1 article(s) still pending placement: {waiting}")),
        "{}",
        r.stdout
    );
    cli(&db, &["check", "--repair"]).code(0, "repair");
    cli(&db, &["check"]).code(0, "check after the repair");
    assert_listed_once(&db, n, "after the repair");
}

#[test]
fn a_removed_feed_leaves_a_sound_store() {
    let dir = tempfile::tempdir().unwrap();
    let (files, _) = world_files(60, dir.path());
    let db = dir.path().join("w.db");
    ingest(&db, &files);
    // The feed whose articles are the originals of the most stories.
    let feed: String = {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.query_row(
            "SELECT f.url FROM stories s JOIN articles a ON a.id = s.original_id
             JOIN feeds f ON f.id = a.feed_id
             GROUP BY f.id ORDER BY COUNT(*) DESC, f.id LIMIT 1",
            (),
            |r| r.get(0),
        )
        .unwrap()
    };
    let before = one(&db, "SELECT COUNT(*) FROM articles");
    cli(&db, &["feeds", "remove", &feed]).code(0, "feeds remove");
    let after = one(&db, "SELECT COUNT(*) FROM articles");
    assert!(after < before);
    cli(&db, &["check"]).code(0, "check after a feed removal");
    assert_listed_once(&db, usize::try_from(after).unwrap(), "after a feed removal");
}
