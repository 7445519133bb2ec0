//! Concurrent runs on one database, as real processes over a world of feeds served on
//! 127.0.0.1: two `poll --all` at once serialise on `<db>.poll-lock` (the second says it
//! waits) with no error, no "database is locked" and no duplicate article; and
//! `stories --json` run again and again while a poll writes always exits 0 with valid JSON.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::OnceLock;
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

/// Reads `child`'s stderr on a thread: each line goes out on the channel as it comes,
/// and the thread returns the whole text.
fn stderr_lines(
    child: &mut Child,
) -> (
    std::sync::mpsc::Receiver<String>,
    std::thread::JoinHandle<String>,
) {
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(stderr).lines() {
            let line = line.unwrap();
            all.push_str(&line);
            all.push('\n');
            let _ = tx.send(line);
        }
        all
    });
    (rx, reader)
}

const WAITS: &str = "another firsthand poll is running";

#[test]
fn two_polls_at_once_serialise() {
    let served = served();
    let gate = support::Gate::new();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("two.db");
    served.subscribe(&db);
    gate.subscribe(&db);

    // The first poll is under way (it asked for the held feed) and cannot end until the
    // second has said it waits.
    gate.hold();
    let first = spawn_poll(&db);
    gate.wait_for_request();
    let mut second = spawn_poll(&db);
    let (lines, reader) = stderr_lines(&mut second);
    let said = lines
        .iter()
        .find(|l| l.contains(WAITS))
        .expect("the second poll never said it waits");
    gate.release();
    let a = finish(first);
    let code = second.wait().unwrap().code().unwrap_or(-1);
    let b = Run {
        code,
        stdout: String::new(),
        stderr: reader.join().unwrap(),
    };
    assert!(b.stderr.contains(&said));
    for (r, which) in [(&a, "first poll"), (&b, "second poll")] {
        r.code(0, which);
        assert!(!r.stderr.contains("locked"), "{which}: {}", r.stderr);
        assert!(!r.stderr.contains("error"), "{which}: {}", r.stderr);
    }
    assert!(
        !a.stderr.contains(WAITS),
        "the first poll had nobody to wait for: {}",
        a.stderr
    );

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
    let gate = support::Gate::new();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("readers.db");
    served.subscribe(&db);
    gate.subscribe(&db);

    let read = |what: &str| -> bool {
        let r = cli(&db, &["stories", "--json", "--all"]);
        r.code(0, what);
        let v: serde_json::Value = serde_json::from_str(&r.stdout)
            .unwrap_or_else(|e| panic!("{what}: invalid JSON ({e}): {}", r.stdout));
        assert!(!r.stderr.contains("locked"), "{what}: {}", r.stderr);
        !v.as_array().expect("one JSON array").is_empty()
    };

    // While one feed is held the poll stores the others: read until it has stored half
    // the world, and a few times more.
    gate.hold();
    let mut poll = spawn_poll(&db);
    gate.wait_for_request();
    let n = i64::try_from(served.world.articles.len()).unwrap();
    let mut reads = 0;
    while count(&db, "articles") < n / 2 || reads < 3 {
        assert!(
            poll.try_wait().unwrap().is_none(),
            "the poll ended while a feed was held"
        );
        read("stories --json while the poll stores");
        reads += 1;
    }
    // Then while it places (and after).
    gate.release();
    let mut saw_stories = false;
    while poll.try_wait().unwrap().is_none() {
        saw_stories |= read("stories --json while the poll places");
        reads += 1;
    }
    let r = finish(poll);
    r.code(0, "the poll");
    assert!(read("stories --json after the poll"));
    assert_eq!(count(&db, "members"), n, "each article in one story");
    eprintln!("{reads} reads during the poll; stories seen mid-poll: {saw_stories}");
}
