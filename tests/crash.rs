//! A killed `poll` loses nothing. A world of feeds (150 gold stories of the dev set) is
//! served on 127.0.0.1; `firsthand poll --all` runs as a real child process and is
//! SIGKILLed at points it is known to have reached: the pass recorded, a fetch under way,
//! half the articles stored, all stored, placement starting and under way (a held feed, the
//! [`support::Gate`], keeps the poll from ending before the first four; the database's row
//! counts say when it got there); the database must pass `PRAGMA integrity_check`, and a second
//! `poll --all` must end with exactly the stories of an uninterrupted run on a fresh
//! database (compared as sets of member URLs: ids and times may differ).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use firsthand::store::Store;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use support::{StorySets, cli, count, story_sets};

fn fresh_db(
    served: &support::Served,
    gate: &support::Gate,
    dir: &Path,
    name: &str,
) -> std::path::PathBuf {
    let db = dir.join(name);
    served.subscribe(&db);
    gate.subscribe(&db);
    db
}

/// Every article of the world is stored once and placed in exactly one story.
fn assert_complete(db: &Path, served: &support::Served, what: &str) {
    let n = i64::try_from(served.world.articles.len()).unwrap();
    assert_eq!(count(db, "articles"), n, "{what}: articles");
    assert_eq!(count(db, "members"), n, "{what}: members");
    assert_eq!(count(db, "pending"), 0, "{what}: pending");
}

/// When to kill the poll: once `ready` holds, with one feed held (so the poll is still
/// under way, storing the others) or with nothing held.
struct Kill {
    what: &'static str,
    held: bool,
    ready: Ready,
}

enum Ready {
    /// The held feed is being fetched.
    Fetching,
    /// The database shows it.
    Rows(Box<dyn Fn(&Path) -> bool>),
}

impl std::fmt::Debug for Kill {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let held = if self.held { ", a feed held" } else { "" };
        write!(f, "when {}{held}", self.what)
    }
}

fn diff(want: &StorySets, got: &StorySets) -> String {
    support::story_diff(want, got, "in the clean run", "after the kill")
}

#[test]
fn a_killed_poll_loses_nothing() {
    let served = support::world(150);
    let gate = support::Gate::new();
    let dir = tempfile::tempdir().unwrap();

    let clean = fresh_db(&served, &gate, dir.path(), "clean.db");
    cli(&clean, &["poll", "--all"]).code(0, "clean poll");
    assert_complete(&clean, &served, "clean run");
    let want = story_sets(&clean);
    assert!(want.len() > 100, "{} stories", want.len());

    // Early (the pass started, fetching), mid-store, all stored, and while placing
    // articles in stories.
    let n = count(&clean, "articles");
    let kills = [
        Kill {
            what: "the pass is recorded",
            held: true,
            ready: Ready::Rows(Box::new(|db| count(db, "polls") >= 1)),
        },
        Kill {
            what: "a fetch is under way",
            held: true,
            ready: Ready::Fetching,
        },
        Kill {
            what: "half the articles are stored",
            held: true,
            ready: Ready::Rows(Box::new(move |db| count(db, "articles") >= n / 2)),
        },
        Kill {
            what: "every article is stored",
            held: true,
            ready: Ready::Rows(Box::new(move |db| count(db, "articles") == n)),
        },
        // placement runs in transactions of AHEAD_CHUNK articles: these kills land in
        // the first one, and in a later one
        Kill {
            what: "every article is stored and none placed",
            held: false,
            ready: Ready::Rows(Box::new(move |db| {
                count(db, "articles") == n && count(db, "members") == 0
            })),
        },
        Kill {
            what: "some articles are placed, not all",
            held: false,
            ready: Ready::Rows(Box::new(move |db| (1..n).contains(&count(db, "members")))),
        },
    ];
    let mut interrupted = Vec::new();
    for (i, kill) in kills.iter().enumerate() {
        let db = fresh_db(&served, &gate, dir.path(), &format!("killed-{i}.db"));
        if kill.held {
            gate.hold();
        }
        let mut child = support::command()
            .arg("--db")
            .arg(&db)
            .args(["poll", "--all"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        match &kill.ready {
            Ready::Fetching => gate.wait_for_request(),
            // the database is the event: polled, as nothing else tells when rows land
            Ready::Rows(ready) => {
                while child.try_wait().unwrap().is_none() && !ready(&db) {
                    std::thread::sleep(Duration::from_millis(2));
                }
            }
        }
        if child.try_wait().unwrap().is_none() {
            interrupted.push(format!("{kill:?}"));
        }
        child.kill().unwrap(); // SIGKILL on unix
        child.wait().unwrap();
        gate.release();
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
    // The held kills land in a running poll by construction; the last two only if
    // placement outlasts a look at the database.
    assert!(
        interrupted.len() == kills.len(),
        "only these polls were still running when killed: {interrupted:#?}"
    );
}
