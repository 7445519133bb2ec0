//! `recluster` runs matching again from stored articles: on unchanged thresholds it gives
//! the same stories, and every story id of before still resolves to its articles; the CLI
//! reports what it did.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

fn partition(db: &std::path::Path) -> BTreeMap<i64, BTreeSet<String>> {
    let out = Command::new(env!("CARGO_BIN_EXE_firsthand"))
        .args(["--db"])
        .arg(db)
        .args(["stories", "--all", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let urls = s["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["url"].as_str().unwrap().to_string())
                .collect();
            (s["id"].as_i64().unwrap(), urls)
        })
        .collect()
}

/// The demo's sample as a world of feeds.
fn sample_world() -> firsthand_world::World {
    let sample = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/sample.jsonl"
    ))
    .unwrap();
    let docs: Vec<firsthand::dataset::Doc> = sample
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    firsthand_world::build(&docs, &firsthand_world::Options::default())
}

#[test]
fn recluster_keeps_the_stories_and_their_ids() {
    let world = sample_world();
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (i, f) in world.feeds.iter().enumerate() {
        let p = dir.path().join(format!("{i}.feed"));
        std::fs::write(&p, &f.body).unwrap();
        files.push(p);
    }
    let db = dir.path().join("r.db");
    let st = Command::new(env!("CARGO_BIN_EXE_firsthand"))
        .arg("--db")
        .arg(&db)
        .arg("ingest")
        .args(&files)
        .status()
        .unwrap();
    assert!(st.success());
    let before = partition(&db);
    assert!(before.values().any(|m| m.len() > 2), "{before:?}");
    let out = Command::new(env!("CARGO_BIN_EXE_firsthand"))
        .arg("--db")
        .arg(&db)
        .arg("recluster")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains(&format!("reclustered {} article(s)", world.articles.len()))
    );
    let after = partition(&db);
    let sets = |p: &BTreeMap<i64, BTreeSet<String>>| p.values().cloned().collect::<BTreeSet<_>>();
    assert_eq!(sets(&after), sets(&before));
    for (id, urls) in &before {
        let out = Command::new(env!("CARGO_BIN_EXE_firsthand"))
            .arg("--db")
            .arg(&db)
            .args(["story", &id.to_string(), "--json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "story {id}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let got: BTreeSet<String> = v["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["url"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(&got, urls, "story {id} resolves to its articles");
    }
}

#[test]
fn articles_leave_the_indexes_when_they_leave_the_window() {
    // A third of the feeds read 40 days ago: their articles' rows are taken out one by one.
    leave_the_window(|i| i % 3 == 0);
}

#[test]
fn when_most_of_the_window_leaves_at_once_the_rest_is_indexed_afresh() {
    // Two thirds read 40 days ago (polling resumed after weeks): the indexes are emptied
    // and the articles that stay are indexed again.
    leave_the_window(|i| i % 3 != 0);
}

/// Stores the sample world's feeds, those for which `old` holds read 40 days ago and the
/// others now, then keeps the indexes to the window: the old articles' rows are gone, the
/// statistics count the window only, and `check` finds nothing.
fn leave_the_window(old: fn(usize) -> bool) {
    use firsthand::store::Store;
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("w.db")).unwrap();
    let world = sample_world();
    let day = 86_400;
    let t0 = 1_700_000_000;
    for (i, f) in world.feeds.iter().enumerate() {
        let url = format!("https://w.example{}", f.path);
        let now = if old(i) { t0 - 40 * day } else { t0 };
        let (_, articles) = firsthand::pipeline::articles(&f.body, &url, &url).unwrap();
        let (feed, _) = store
            .add_feed(&url, None, firsthand::store::time(now))
            .unwrap();
        firsthand::pipeline::store_document(&mut store, feed, &url, &articles, None, now).unwrap();
    }
    // Stored articles wait for their index rows until placement (or pruning) writes them.
    firsthand::pipeline::index_pending(&mut store).unwrap();
    let count = |store: &mut Store, sql: &str| -> i64 {
        store
            .write(|tx| tx.query_row(sql, [], |r| r.get(0)))
            .unwrap()
    };
    let old = format!(
        "SELECT id FROM articles WHERE first_seen < {}",
        t0 - 30 * day
    );
    assert!(
        count(
            &mut store,
            &format!(
                "SELECT COUNT(*) FROM (SELECT article_id FROM lsh UNION ALL SELECT article_id FROM lsh_young)
                 WHERE article_id IN ({old})"
            )
        ) > 0
    );
    let cfg = firsthand::cluster::Config::default();
    let pruned = firsthand::pipeline::prune_window(&mut store, &cfg, t0).unwrap();
    let old_articles = count(&mut store, &format!("SELECT COUNT(*) FROM ({old})"));
    assert!(old_articles > 0);
    assert_eq!(i64::try_from(pruned).unwrap(), old_articles);
    for table in ["lsh", "anchor_index", "lsh_young", "anchor_index_young"] {
        let left = count(
            &mut store,
            &format!("SELECT COUNT(*) FROM {table} WHERE article_id IN ({old})"),
        );
        assert_eq!(left, 0, "{table}");
    }
    // Statistics now count only the window: each anchor's df equals its index rows.
    let drift = count(
        &mut store,
        "SELECT COUNT(*) FROM (SELECT anchor, SUM(df) AS df FROM
           (SELECT anchor, df FROM anchor_stats UNION ALL SELECT anchor, df FROM anchor_stats_young)
           GROUP BY anchor) s
         WHERE s.df != (SELECT COUNT(*) FROM anchor_index i WHERE i.anchor = s.anchor)
                     + (SELECT COUNT(*) FROM anchor_index_young i WHERE i.anchor = s.anchor)",
    );
    assert_eq!(drift, 0);
    // The articles that stay keep all their rows.
    let kept = count(
        &mut store,
        &format!(
            "SELECT COUNT(DISTINCT article_id) FROM
               (SELECT article_id FROM lsh UNION ALL SELECT article_id FROM lsh_young)
             WHERE article_id NOT IN ({old})"
        ),
    );
    let staying = count(
        &mut store,
        &format!("SELECT COUNT(*) FROM articles WHERE id NOT IN ({old})"),
    );
    assert!(staying > 0);
    assert_eq!(kept, staying, "articles in the window with LSH rows");
    // (The articles were stored and never placed: only `Pending` is expected.)
    let problems: Vec<_> = store
        .check()
        .unwrap()
        .into_iter()
        .filter(|p| !matches!(p, firsthand::store::check::Problem::Pending { .. }))
        .collect();
    assert!(problems.is_empty(), "check after pruning: {problems:?}");
    // Nothing more to do the second time; the articles themselves stay.
    assert_eq!(
        firsthand::pipeline::prune_window(&mut store, &cfg, t0).unwrap(),
        0
    );
    assert_eq!(
        count(&mut store, "SELECT COUNT(*) FROM articles"),
        i64::try_from(world.articles.len()).unwrap()
    );
}
