//! The fast placement path (the newest articles held in memory, reading ahead on every
//! core beside placement) builds the same stories, with the same originals, as placing
//! the articles on one thread with every lookup in SQLite, in the same transactions, on
//! real dev text from ../shared.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use firsthand::cluster::{Config, Matcher};
use firsthand::domain::ArticleId;
use firsthand::store::Store;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const DEV: &str = "../shared/data/wmt-dev/dev-small.jsonl";

/// Stories as sets of member ids, each with its original.
fn stories(store: &Store) -> BTreeSet<(Vec<i64>, Option<i64>)> {
    let mut by: BTreeMap<i64, (Vec<i64>, Option<i64>)> = BTreeMap::new();
    for (a, s, o) in store.all_members().unwrap() {
        let e = by.entry(s.0).or_default();
        e.0.push(a.0);
        e.1 = o.map(|x| x.0);
    }
    by.into_values().collect()
}

#[test]
fn the_fast_path_builds_the_stories_placement_through_sqlite_builds() {
    let mut docs = firsthand::dataset::load(Path::new(DEV)).unwrap();
    firsthand::dataset::keep_stories(&mut docs, 200);
    let world = firsthand_world::build(&docs, &firsthand_world::Options::default());
    let dir = tempfile::tempdir().unwrap();
    let fast_db = dir.path().join("fast.db");
    let now = chrono::Utc::now();
    {
        let mut store = Store::open(&fast_db).unwrap();
        for f in &world.feeds {
            let url = format!("http://world.invalid{}", f.path);
            let (parsed, articles) = firsthand::pipeline::articles(&f.body, &url, &url).unwrap();
            let (feed, _) = store.add_feed(&url, parsed.title.as_deref(), now).unwrap();
            firsthand::pipeline::store_document(
                &mut store,
                feed,
                &url,
                &articles,
                None,
                now.timestamp(),
            )
            .unwrap();
        }
        firsthand::pipeline::index_pending(&mut store).unwrap();
    }
    let slow_db = dir.path().join("slow.db");
    std::fs::copy(&fast_db, &slow_db).unwrap();

    let mut fast = Store::open(&fast_db).unwrap();
    let pending = fast.pending(usize::MAX).unwrap();
    assert!(pending.len() > 500, "{} articles", pending.len());
    let placed = firsthand::pipeline::place_pending(
        &mut fast,
        &mut Matcher::new(Config::default()),
        now.timestamp(),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(placed, pending.len());

    let mut slow = Store::open(&slow_db).unwrap();
    let order: Vec<ArticleId> = slow.pending(usize::MAX).unwrap();
    assert_eq!(order, pending);
    let mut matcher = Matcher::new(Config::default());
    for chunk in order.chunks(firsthand::cluster::AHEAD_CHUNK) {
        slow.write(|tx| {
            for &id in chunk {
                matcher.place(tx, id, now.timestamp())?;
                Store::remove_pending(tx, id)?;
            }
            matcher.finish(tx, now.timestamp())
        })
        .unwrap();
    }

    let (a, b) = (stories(&fast), stories(&slow));
    assert!(a.len() > 40, "{} stories", a.len());
    assert!(a.iter().any(|s| s.0.len() >= 5), "no story of five");
    let only_fast: Vec<_> = a.difference(&b).take(3).collect();
    let only_slow: Vec<_> = b.difference(&a).take(3).collect();
    assert!(
        only_fast.is_empty() && only_slow.is_empty(),
        "fast path only: {only_fast:?}\nthrough SQLite only: {only_slow:?}"
    );
}
