//! Concurrent runs on one database, as real processes over a world of feeds served on
//! 127.0.0.1: two `poll --all` at once serialise on `<db>.poll-lock` (the second says it
//! waits) with no error, no "database is locked" and no duplicate article; and
//! `stories --json` run again and again while a poll writes always exits 0 with valid JSON.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::process::{Child, Stdio};
use std::sync::OnceLock;
use std::time::Duration;
use support::{Run, cli, count};

fn served() -> &'static support::Served {
    static WORLD: OnceLock<support::Served> = OnceLock::new();
    WORLD.get_or_init(|| support::world(150))
}

fn spawn_poll(db: &std::path::Path) -> Child {
    support::command()
        .arg("--db")
        .arg(db)
        .args(["poll", "--all"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn finish(child: Child) -> Run {
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn two_polls_at_once_serialise() {
    let served = served();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("two.db");
    served.subscribe(&db);

    let first = spawn_poll(&db);
    std::thread::sleep(Duration::from_millis(100));
    let second = spawn_poll(&db);
    let (a, b) = (finish(first), finish(second));
    for (r, which) in [(&a, "first poll"), (&b, "second poll")] {
        r.code(0, which);
        assert!(!r.stderr.contains("locked"), "{which}: {}", r.stderr);
        assert!(!r.stderr.contains("error"), "{which}: {}", r.stderr);
    }
    let waited = [&a, &b]
        .iter()
        .filter(|r| r.stderr.contains("another firsthand poll is running"))
        .count();
    assert_eq!(waited, 1, "one poll waits for the other:\n{a:#?}\n{b:#?}");

    let n = i64::try_from(served.world.articles.len()).unwrap();
    assert_eq!(count(&db, "articles"), n, "one row per item");
    assert_eq!(count(&db, "members"), n, "each in one story");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let urls: i64 = conn
        .query_row("SELECT count(DISTINCT url) FROM articles", [], |r| r.get(0))
        .unwrap();
    assert_eq!(urls, n, "no item stored twice");
}

#[test]
fn stories_read_while_a_poll_writes() {
    let served = served();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("readers.db");
    served.subscribe(&db);

    let mut poll = spawn_poll(&db);
    let mut reads = 0;
    let mut saw_stories = false;
    while poll.try_wait().unwrap().is_none() {
        let r = cli(&db, &["stories", "--json", "--all"]);
        r.code(0, "stories --json during a poll");
        let v: serde_json::Value = serde_json::from_str(&r.stdout)
            .unwrap_or_else(|e| panic!("invalid JSON during a poll ({e}): {}", r.stdout));
        let list = v.as_array().expect("one JSON array");
        saw_stories |= !list.is_empty();
        assert!(!r.stderr.contains("locked"), "{}", r.stderr);
        reads += 1;
    }
    let r = finish(poll);
    r.code(0, "the poll");
    let v: serde_json::Value =
        serde_json::from_str(&cli(&db, &["stories", "--json", "--all"]).stdout).unwrap();
    assert!(!v.as_array().unwrap().is_empty());
    assert!(reads >= 3, "only {reads} reads while the poll ran");
    eprintln!("{reads} reads during the poll; stories seen mid-poll: {saw_stories}");
}
