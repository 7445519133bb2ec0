//! A killed `poll` loses nothing. A world of feeds (150 gold stories of the dev set) is
//! served on 127.0.0.1; `firsthand poll --all` runs as a real child process and is
//! SIGKILLed after a delay (30, 150, 400 ms) or once the database shows it halfway through
//! storing or about to place; the database must pass `PRAGMA integrity_check`, and a second
//! `poll --all` must end with exactly the stories of an uninterrupted run on a fresh
//! database (compared as sets of member URLs: ids and times may differ).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use firsthand::store::Store;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use support::{StorySets, cli, count, story_sets};

fn fresh_db(served: &support::Served, dir: &Path, name: &str) -> std::path::PathBuf {
    let db = dir.join(name);
    served.subscribe(&db);
    db
}

/// Every article of the world is stored once and placed in exactly one story.
fn assert_complete(db: &Path, served: &support::Served, what: &str) {
    let n = i64::try_from(served.world.articles.len()).unwrap();
    assert_eq!(count(db, "articles"), n, "{what}: articles");
    assert_eq!(count(db, "members"), n, "{what}: members");
    assert_eq!(count(db, "pending"), 0, "{what}: pending");
}

/// When to kill the poll.
enum Kill {
    After(Duration),
    When(&'static str, Box<dyn Fn(&Path) -> bool>),
}

impl std::fmt::Debug for Kill {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::After(d) => write!(f, "after {d:?}"),
            Self::When(what, _) => write!(f, "when {what}"),
        }
    }
}

fn diff(want: &StorySets, got: &StorySets) -> String {
    let missing: Vec<_> = want.difference(got).collect();
    let extra: Vec<_> = got.difference(want).collect();
    format!("only in the clean run: {missing:#?}\nonly after the kill: {extra:#?}")
}

#[test]
fn a_killed_poll_loses_nothing() {
    let served = support::world(150);
    let dir = tempfile::tempdir().unwrap();

    let clean = fresh_db(&served, dir.path(), "clean.db");
    cli(&clean, &["poll", "--all"]).code(0, "clean poll");
    assert_complete(&clean, &served, "clean run");
    let want = story_sets(&clean);
    assert!(want.len() > 100, "{} stories", want.len());

    // Early (before or while fetching), mid-store, and while placing articles in stories.
    let n = count(&clean, "articles");
    let kills = [
        Kill::After(Duration::from_millis(30)),
        Kill::After(Duration::from_millis(150)),
        Kill::After(Duration::from_millis(400)),
        Kill::When(
            "half the articles are stored",
            Box::new(move |db| count(db, "articles") >= n / 2),
        ),
        // placement runs in transactions of AHEAD_CHUNK articles: this kill lands in
        // the first one
        Kill::When(
            "every article is stored and none placed",
            Box::new(move |db| count(db, "articles") == n && count(db, "members") == 0),
        ),
    ];
    let mut interrupted = 0;
    for (i, kill) in kills.iter().enumerate() {
        let db = fresh_db(&served, dir.path(), &format!("killed-{i}.db"));
        let mut child = support::command()
            .arg("--db")
            .arg(&db)
            .args(["poll", "--all"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        match kill {
            Kill::After(d) => std::thread::sleep(*d),
            Kill::When(_, ready) => {
                while child.try_wait().unwrap().is_none() && !ready(&db) {
                    std::thread::sleep(Duration::from_millis(5));
                }
            }
        }
        if child.try_wait().unwrap().is_none() {
            interrupted += 1;
        }
        child.kill().unwrap(); // SIGKILL on unix
        child.wait().unwrap();
        let what = format!("killed {kill:?}");

        let store = Store::open(&db).unwrap();
        assert_eq!(store.integrity_check().unwrap(), "ok", "{what}");
        drop(store);
        eprintln!(
            "{what}: {} articles stored, {} placed",
            count(&db, "articles"),
            count(&db, "members")
        );

        let again = cli(&db, &["poll", "--all"]);
        again.code(0, &format!("{what}: the next poll"));
        assert!(!again.stderr.contains("locked"), "{what}: {}", again.stderr);
        assert_complete(&db, &served, &what);
        let got = story_sets(&db);
        assert!(got == want, "{what}: stories differ\n{}", diff(&want, &got));
    }
    assert!(
        interrupted >= 3,
        "only {interrupted} polls were still running when killed"
    );
}
