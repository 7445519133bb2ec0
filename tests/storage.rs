//! A database firsthand cannot write: read-only (file and directory), written by a newer
//! firsthand, at a path that cannot exist, and a disk that fills up mid-ingest. Each gives
//! one clear line and a non-zero exit (2 for the fatal ones), and the database keeps
//! exactly what it had (byte for byte where nothing may be written; sound and finishing
//! on the next run after a full disk).
//!
//! File permissions do not bind root, so as root the binary runs as `nobody` (from a
//! link or copy in a directory `nobody` can reach).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::{Run, cli, count};

const NOBODY: u32 = 65_534;

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|l| l.split_whitespace().next())
        == Some("0")
}

fn chmod(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The binary as a user that file permissions apply to.
fn unprivileged(dir: &Path) -> Command {
    if !is_root() {
        return support::command();
    }
    let exe = dir.join("firsthand");
    if !exe.exists() {
        std::fs::hard_link(support::bin(), &exe)
            .or_else(|_| std::fs::copy(support::bin(), &exe).map(|_| ()))
            .unwrap();
        chmod(&exe, 0o755);
    }
    let mut c = Command::new(exe);
    c.env_remove("FIRSTHAND_DB")
        .env_remove("RUST_LOG")
        .uid(NOBODY)
        .gid(NOBODY);
    c
}

fn run(mut c: Command, db: &Path, args: &[&str]) -> Run {
    let out = c.arg("--db").arg(db).args(args).output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A database with one ingested file and one HTTP feed that is due, and a second feed
/// file to ingest. Returns (db, feed file to ingest).
fn populated(dir: &Path) -> (PathBuf, PathBuf) {
    let doc = support::rss(
        "first",
        &[(
            "Chip maker ships 10,000 GPUs",
            "https://a.example/1",
            "A body.",
        )],
    );
    let base = support::http_server(vec![(
        "/feed.xml".into(),
        "application/rss+xml".into(),
        support::rss(
            "polled",
            &[(
                "Polled item about 2,500 chips",
                "https://b.example/1",
                "Body.",
            )],
        )
        .into_bytes(),
    )]);
    let db_dir = dir.join("db");
    std::fs::create_dir(&db_dir).unwrap();
    let db = db_dir.join("ro.db");
    let first = dir.join("first.xml");
    std::fs::write(&first, doc).unwrap();
    cli(&db, &["ingest", first.to_str().unwrap()]).code(0, "ingest");
    cli(&db, &["feeds", "add", &format!("{base}/feed.xml")]).code(0, "feeds add");
    let second = dir.join("second.xml");
    std::fs::write(
        &second,
        support::rss("second", &[("Another", "https://c.example/1", "Text.")]),
    )
    .unwrap();
    chmod(&second, 0o644);
    // every connection is closed: no -wal or -shm beside it
    assert!(!db_dir.join("ro.db-wal").exists());
    (db, second)
}

fn snapshot(db: &Path) -> Vec<u8> {
    std::fs::read(db).unwrap()
}

#[test]
fn read_only_database_is_refused_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    chmod(dir.path(), 0o755);
    let (db, second) = populated(dir.path());
    let db_dir = db.parent().unwrap().to_path_buf();
    let before = snapshot(&db);
    let feeds = count(&db, "feeds");

    // (file mode, directory mode): a read-only file in a read-only directory, and in a
    // directory anyone may write (where SQLite can create its -shm file).
    for (file_mode, dir_mode) in [(0o444, 0o555), (0o444, 0o777)] {
        chmod(&db, file_mode);
        chmod(&db_dir, dir_mode);
        let what = format!("file {file_mode:o}, directory {dir_mode:o}");
        for args in [
            vec!["poll"],
            vec!["poll", "--all"],
            vec!["ingest", second.to_str().unwrap()],
        ] {
            let r = run(unprivileged(dir.path()), &db, &args);
            let cmd = format!("{} ({what})", args.join(" "));
            r.code(2, &cmd);
            let line = r.one_line(&cmd);
            assert!(
                line.starts_with("error: ") && line.contains(db.to_str().unwrap()),
                "{cmd}: {line}"
            );
            assert!(
                line.contains("read-only") || line.contains("readonly"),
                "{cmd}: {line}"
            );
            assert!(snapshot(&db) == before, "{cmd}: the database changed");
            eprintln!("{cmd}: {line}");
        }
        for extra in ["ro.db-wal", "ro.db-shm", "ro.db.poll-lock"] {
            let _ = std::fs::remove_file(db_dir.join(extra));
        }
    }
    chmod(&db_dir, 0o755);
    chmod(&db, 0o644);
    assert_eq!(count(&db, "feeds"), feeds);
    assert_eq!(count(&db, "articles"), 1);
}

#[test]
fn newer_database_is_refused_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let (db, second) = populated(dir.path());
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.pragma_update(None, "user_version", 999).unwrap();
    }
    let before = snapshot(&db);
    for args in [
        vec!["poll", "--all"],
        vec!["ingest", second.to_str().unwrap()],
        vec!["stories"],
        vec!["feeds", "list"],
    ] {
        let r = cli(&db, &args);
        let cmd = args.join(" ");
        r.code(2, &cmd);
        let line = r.one_line(&cmd);
        assert!(
            line.contains("newer") && line.contains("999"),
            "{cmd}: {line}"
        );
        assert!(snapshot(&db) == before, "{cmd}: the database changed");
    }
}

#[test]
fn impossible_database_path_is_one_line() {
    let db = Path::new("/proc/nope/x.db");
    for args in [
        vec!["poll", "--all"],
        vec!["stories"],
        vec!["feeds", "list"],
    ] {
        let r = cli(db, &args);
        let cmd = args.join(" ");
        r.code(2, &cmd);
        let line = r.one_line(&cmd);
        assert!(
            line.starts_with("error: ") && line.contains("/proc/nope"),
            "{cmd}: {line}"
        );
    }
    assert!(!db.exists());
}

/// Invariants a half-written ingest would break.
fn assert_whole(db: &Path, what: &str) {
    let c = rusqlite::Connection::open(db).unwrap();
    let q = |sql: &str| -> i64 { c.query_row(sql, [], |r| r.get(0)).unwrap() };
    let check: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok", "{what}");
    let loose = q("SELECT count(*) FROM articles a WHERE
            (SELECT count(*) FROM pending p WHERE p.article_id = a.id)
          + (SELECT count(*) FROM members m WHERE m.article_id = a.id) != 1");
    assert_eq!(
        loose, 0,
        "{what}: articles neither pending nor placed, or both"
    );
    let orphans = q(
        "SELECT count(*) FROM (SELECT article_id FROM lsh UNION ALL SELECT article_id FROM lsh_young)
         WHERE article_id NOT IN (SELECT id FROM articles)",
    );
    assert_eq!(orphans, 0, "{what}: index rows without their article");
}

#[test]
fn a_full_disk_stops_cleanly_and_the_next_run_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let feeds: Vec<PathBuf> = support::corpus()
        .into_iter()
        .filter(|p| p.to_string_lossy().contains("feed-rs/fixture/rss2/"))
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .filter(|p| {
            let bytes = std::fs::read(p).unwrap();
            firsthand::pipeline::articles(&bytes, "f", "file:///f")
                .is_ok_and(|(_, a)| !a.is_empty())
        })
        .collect();
    assert!(feeds.len() > 10, "{feeds:?}");
    let (first, rest) = feeds.split_first().unwrap();
    let db = dir.path().join("full.db");
    cli(&db, &["ingest", first.to_str().unwrap()]).code(0, "first ingest");
    let size = std::fs::metadata(&db).unwrap().len();

    // Files may not grow past the database's size plus 24 KiB: SQLite's writes fail
    // (EFBIG, as with a full disk) instead of the signal killing the process.
    let blocks = size / 512 + 48;
    let script = format!(
        "trap '' XFSZ; ulimit -f {blocks}; bin=\"$0\"; db=\"$1\"; shift; exec \"$bin\" --db \"$db\" ingest \"$@\""
    );
    let out = Command::new("sh")
        .arg("-c")
        .arg(&script)
        .arg(support::bin())
        .arg(&db)
        .args(rest)
        .env_remove("FIRSTHAND_DB")
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    let r = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    r.code(2, "ingest on a full disk");
    let line = r.one_line("ingest on a full disk");
    assert!(
        line.starts_with("error: ") && line.contains("disk"),
        "{line}"
    );
    assert_whole(&db, "after the full disk");
    let stored = count(&db, "articles");
    eprintln!("{line} ({stored} articles stored before it)");

    // Room again: the same ingest finishes, and the stories are those of a clean run.
    let mut args = vec!["ingest".to_string()];
    args.extend(rest.iter().map(|p| p.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    cli(&db, &args).code(0, "ingest with room");
    assert_whole(&db, "after the second ingest");
    assert!(count(&db, "articles") > stored);
    assert_eq!(count(&db, "pending"), 0);

    let clean = dir.path().join("clean.db");
    cli(&clean, &["ingest", first.to_str().unwrap()]).code(0, "clean first");
    cli(&clean, &args).code(0, "clean rest");
    assert_eq!(count(&db, "articles"), count(&clean, "articles"));
    assert_eq!(support::story_sets(&db), support::story_sets(&clean));
}
