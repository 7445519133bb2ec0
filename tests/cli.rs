//! The command-line contract through the real binary on temporary databases (selected with
//! `--db` and with `FIRSTHAND_DB`): help for every subcommand, OPML import (good and broken
//! entries) and export round trip, `feeds list --json` shape, `feeds remove` by id and url,
//! `ingest` of good and bad files, the `stories --json` shape of DESIGN.md, and unknown
//! story ids and URLs. Bad input leaves the database as it was.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use support::{cli, cli_env, count, shared};

fn newsboat(name: &str) -> PathBuf {
    shared().join("feeds/newsboat/test/data").join(name)
}

fn json(run: &support::Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", run.stdout))
}

fn feed_urls(db: &Path) -> BTreeSet<String> {
    json(cli(db, &["feeds", "list", "--json"]).code(0, "feeds list --json"))
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["url"].as_str().unwrap().to_string())
        .collect()
}

fn keys(v: &Value) -> BTreeSet<&str> {
    v.as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .map(String::as_str)
        .collect()
}

fn assert_has_keys(v: &Value, want: &[&str], what: &str) {
    let have = keys(v);
    for k in want {
        assert!(have.contains(k), "{what}: no {k:?} in {v}");
    }
}

fn subcommands() -> Vec<String> {
    let r = cli(Path::new("unused.db"), &["--help"]);
    r.code(0, "--help");
    let section = r.stdout.split("Commands:").nth(1).unwrap();
    let section = section.split("Options:").next().unwrap();
    section
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

#[test]
fn every_subcommand_has_help() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("help.db");
    let cmds = subcommands();
    for want in [
        "feeds", "poll", "run", "ingest", "stories", "story", "origin", "export",
    ] {
        assert!(
            cmds.iter().any(|c| c == want),
            "{want} missing from {cmds:?}"
        );
    }
    for c in &cmds {
        let r = cli(&db, &[c, "--help"]);
        r.code(0, &format!("{c} --help"));
        assert!(r.stdout.contains("Usage:"), "{c}: {}", r.stdout);
    }
    for sub in ["add", "list", "remove", "import", "export"] {
        cli(&db, &["feeds", sub, "--help"]).code(0, &format!("feeds {sub} --help"));
    }
    assert!(!db.exists(), "help does not create a database");
}

#[test]
fn opml_import_export_list_and_remove() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("feeds.db");

    // A real OPML file: seven feeds, folders ignored.
    let r = cli_env(
        &db,
        &[
            "feeds",
            "import",
            newsboat("example.opml").to_str().unwrap(),
        ],
    );
    r.code(0, "import example.opml");
    let urls = feed_urls(&db);
    assert_eq!(urls.len(), 7, "{urls:?}");
    assert!(urls.contains("https://fred.example.com/writing/index.php?type=rss"));

    // Broken entries: exit 1, the good ones imported, each skipped one named.
    let broken = dir.path().join("broken.opml");
    std::fs::write(
        &broken,
        r#"<?xml version="1.0"?><opml version="2.0"><head/><body>
        <outline text="Good one" xmlUrl="https://good.example/feed.xml"/>
        <outline text="Local file" xmlUrl="file:///etc/passwd"/>
        <outline text="Old protocol" xmlUrl="ftp://old.example/feed"/>
        <outline text="A folder"><outline text="Nested good" xmlUrl="http://nested.example/rss"/></outline>
        <outline text="Script" xmlUrl="javascript:alert(1)"/>
        <outline title="Q&amp;A > news" xmlUrl="https://gt.example/feed"/>
        <outline text="Unquoted" xmlUrl=https://unquoted.example/feed />
        <outline text="Unterminated" xmlUrl="https://cut.example/feed
        </body></opml>"#,
    )
    .unwrap();
    let r = cli(&db, &["feeds", "import", broken.to_str().unwrap()]);
    r.code(1, "import broken.opml");
    for name in [
        "Local file",
        "Old protocol",
        "Script",
        "Unquoted",
        "Unterminated",
    ] {
        let line = r
            .stderr
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{name} not named: {}", r.stderr));
        assert!(line.contains("broken.opml"), "{line}");
    }
    let urls = feed_urls(&db);
    assert!(
        urls.contains("https://good.example/feed.xml")
            && urls.contains("http://nested.example/rss")
    );
    assert!(
        urls.contains("https://gt.example/feed"),
        "a '>' in a title: {urls:?}"
    );
    assert!(
        urls.iter()
            .all(|u| u.starts_with("http") && !u.contains(char::is_whitespace)),
        "{urls:?}"
    );

    // Newsboat's piped feed is skipped, by name.
    let r = cli(
        &db,
        &["feeds", "import", newsboat("piped.opml").to_str().unwrap()],
    );
    r.code(1, "import piped.opml");
    assert!(r.stderr.contains("Birdsite search"), "{}", r.stderr);

    // Not OPML at all: exit 2, one line naming the file; nothing changes.
    let before = feed_urls(&db);
    let not = newsboat("opml-element-missing.opml");
    let r = cli(&db, &["feeds", "import", not.to_str().unwrap()]);
    r.code(2, "import of a non-OPML file");
    let line = r.one_line("import of a non-OPML file");
    assert!(line.contains("opml-element-missing.opml"), "{line}");
    let r = cli(&db, &["feeds", "import", "/no/such/file.opml"]);
    r.code(2, "import of a missing file");
    r.one_line("import of a missing file");
    assert_eq!(feed_urls(&db), before);

    // feeds list --json: the documented fields.
    let list = json(&cli(&db, &["feeds", "list", "--json"]));
    for f in list.as_array().unwrap() {
        assert_has_keys(
            f,
            &[
                "url",
                "title",
                "status",
                "last_error",
                "error_count",
                "next_poll",
                "etag",
                "last_modified",
            ],
            "feeds list --json",
        );
        assert_eq!(f["status"], "active");
        assert_eq!(f["error_count"], 0);
    }

    // export → import into a fresh database: the same feeds and titles.
    let exported = cli(&db, &["feeds", "export"]);
    exported.code(0, "feeds export");
    let opml = dir.path().join("exported.opml");
    std::fs::write(&opml, &exported.stdout).unwrap();
    let copy = dir.path().join("copy.db");
    cli_env(&copy, &["feeds", "import", opml.to_str().unwrap()]).code(0, "import the export");
    assert_eq!(feed_urls(&copy), feed_urls(&db));
    let titles = |db: &Path| -> BTreeSet<(String, String)> {
        json(&cli(db, &["feeds", "list", "--json"]))
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["url"].to_string(), f["title"].to_string()))
            .collect()
    };
    assert_eq!(titles(&copy), titles(&db));

    // remove by id and by url; an unknown one is one line, exit 2.
    let first = &list.as_array().unwrap()[0];
    let id = first["id"].to_string();
    let r = cli(&db, &["feeds", "remove", &id]);
    r.code(0, "remove by id");
    assert!(!feed_urls(&db).contains(first["url"].as_str().unwrap()));
    let r = cli_env(&db, &["feeds", "remove", "https://good.example/feed.xml"]);
    r.code(0, "remove by url");
    assert!(!feed_urls(&db).contains("https://good.example/feed.xml"));
    let n = feed_urls(&db).len();
    for bad in ["999999", "https://never.example/feed"] {
        let r = cli(&db, &["feeds", "remove", bad]);
        r.code(2, "remove of an unknown feed");
        assert!(r.one_line(bad).contains(bad));
    }
    assert_eq!(feed_urls(&db).len(), n);
}

/// Two sites carrying one article (the second crediting the first), from the sample set.
fn copies(dir: &Path) -> (PathBuf, PathBuf) {
    let docs = firsthand::dataset::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sample.jsonl"),
    )
    .unwrap();
    let orig = docs
        .iter()
        .find(|d| d.is_original && d.lang == "en")
        .unwrap();
    let mut lines = orig.text.lines();
    let title = lines.next().unwrap();
    let body: String = lines
        .map(|l| format!("<p>{}</p>", support::esc(l)))
        .collect();
    let a = dir.join("outlet.xml");
    std::fs::write(
        &a,
        support::rss(
            "Outlet",
            &[(
                &support::esc(title),
                "https://outlet.example/story",
                &support::esc(&body),
            )],
        ),
    )
    .unwrap();
    let credit =
        format!("{body}<p>Source: <a href=\"https://outlet.example/story\">outlet</a></p>");
    let b = dir.join("copy.xml");
    std::fs::write(
        &b,
        support::rss(
            "Copy",
            &[(
                &support::esc(title),
                "https://copy.example/reposted",
                &support::esc(&credit),
            )],
        )
        .replace(
            "Tue, 14 Nov 2023 22:13:20 GMT",
            "Wed, 15 Nov 2023 09:00:00 GMT",
        ),
    )
    .unwrap();
    (a, b)
}

#[test]
fn ingest_stories_story_and_origin() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("read.db");
    let (a, b) = copies(dir.path());
    let bbc = shared().join("feeds/feed-rs/feed-rs/fixture/rss2/rss_2.0_bbc.xml");
    cli(&db, &["ingest", a.to_str().unwrap(), b.to_str().unwrap()]).code(0, "ingest the copies");
    cli_env(&db, &["ingest", bbc.to_str().unwrap()]).code(0, "ingest via FIRSTHAND_DB");

    // Not a feed: exit 1, one error line naming the file, the good file still ingested.
    let junk = dir.path().join("notes.txt");
    std::fs::write(&junk, "just some notes, not a feed\n").unwrap();
    let other = shared().join("feeds/feed-rs/feed-rs/fixture/atom/atom_example_reddit.xml");
    let articles = count(&db, "articles");
    let r = cli(
        &db,
        &["ingest", junk.to_str().unwrap(), other.to_str().unwrap()],
    );
    r.code(1, "ingest of a non-feed");
    let errors: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("error:"))
        .collect();
    assert_eq!(errors.len(), 1, "{}", r.stderr);
    assert!(errors[0].contains(junk.to_str().unwrap()), "{}", errors[0]);
    assert!(count(&db, "articles") > articles, "the good file went in");
    let r = cli(&db, &["ingest", "/no/such/feed.xml"]);
    r.code(1, "ingest of a missing file");
    assert!(
        r.stderr
            .lines()
            .any(|l| l.starts_with("error:") && l.contains("/no/such/feed.xml"))
    );

    // stories --json --all: one array, DESIGN.md's keys.
    let stories = json(cli(&db, &["stories", "--json", "--all"]).code(0, "stories --json --all"));
    let list = stories.as_array().expect("one JSON array");
    assert!(list.len() >= 3, "{stories}");
    for s in list {
        assert_has_keys(
            s,
            &[
                "id",
                "title",
                "languages",
                "original",
                "original_evidence",
                "members",
            ],
            "story",
        );
        assert!(s["id"].is_i64() && s["title"].is_string() && s["languages"].is_array());
        assert!(s["original_evidence"].is_array());
        match &s["original"] {
            Value::Null => {}
            o => assert_has_keys(o, &["url", "feed", "lang", "published"], "original"),
        }
        let members = s["members"].as_array().unwrap();
        assert!(!members.is_empty());
        for m in members {
            assert_has_keys(
                m,
                &[
                    "url",
                    "feed",
                    "lang",
                    "title",
                    "relation",
                    "published",
                    "first_seen",
                ],
                "member",
            );
            let rel = m["relation"].as_str().unwrap();
            assert!(
                ["original", "duplicate", "syndicated", "translation"].contains(&rel),
                "{rel}"
            );
        }
    }
    // The two copies are one story, the outlet its original.
    let both = list
        .iter()
        .find(|s| s["members"].as_array().unwrap().len() == 2)
        .unwrap_or_else(|| panic!("the copies are not one story: {stories}"));
    assert_eq!(both["original"]["url"], "https://outlet.example/story");
    let without_all = json(&cli(&db, &["stories", "--json"]));
    assert_eq!(
        without_all.as_array().unwrap().len(),
        1,
        "only multi-copy stories"
    );

    // story ID and origin URL, in text and JSON.
    let id = both["id"].to_string();
    let r = cli(&db, &["story", &id]);
    r.code(0, "story");
    assert!(r.stdout.contains("outlet.example"), "{}", r.stdout);
    let one = json(cli(&db, &["story", &id, "--json"]).code(0, "story --json"));
    assert_eq!(one["id"], both["id"]);
    let r = cli_env(&db, &["origin", "https://copy.example/reposted"]);
    r.code(0, "origin");
    assert!(r.stdout.contains("outlet.example"), "{}", r.stdout);
    let o = json(
        cli(&db, &["origin", "https://copy.example/reposted", "--json"]).code(0, "origin --json"),
    );
    assert_eq!(o["original"]["url"], "https://outlet.example/story");

    // Unknown id and URL: exit 2, one line, the database untouched.
    let before = std::fs::read(&db).unwrap();
    for args in [
        vec!["story", "999999"],
        vec!["story", "999999", "--json"],
        vec!["origin", "https://unknown.example/x"],
        vec!["origin", "https://unknown.example/x", "--json"],
    ] {
        let what = args.join(" ");
        let r = cli(&db, &args);
        r.code(2, &what);
        let line = r.one_line(&what);
        assert!(line.starts_with("error: "), "{what}: {line}");
        assert!(r.stdout.is_empty(), "{what}: {}", r.stdout);
    }
    assert!(
        std::fs::read(&db).unwrap() == before,
        "a bad lookup changed the database"
    );
    let r = cli(&db, &["story", "not-a-number"]);
    r.code(2, "story with a bad id");
    assert!(std::fs::read(&db).unwrap() == before);
}

#[test]
fn db_flag_wins_over_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let (env_db, flag_db) = (dir.path().join("env.db"), dir.path().join("flag.db"));
    let file = shared().join("feeds/feed-rs/feed-rs/fixture/rss2/rss_2.0_bbc.xml");
    let out = support::command()
        .env("FIRSTHAND_DB", &env_db)
        .arg("--db")
        .arg(&flag_db)
        .args(["ingest", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(flag_db.exists() && !env_db.exists());
    assert_eq!(count(&flag_db, "articles"), 1);
}

#[test]
fn an_interrupted_bench_leaves_no_temporary_files() {
    // A bench writes databases and feed files of hundreds of megabytes into the temporary
    // directory: Ctrl-C (SIGINT) or SIGTERM must remove them.
    for signal in ["INT", "TERM"] {
        let tmp = tempfile::tempdir().unwrap();
        let mut child = support::command()
            .env("TMPDIR", tmp.path())
            .args([
                "bench",
                "--sizes",
                "100000",
                "--dataset",
                shared().join("wmt-dev/dev-small.jsonl").to_str().unwrap(),
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Wait until the bench's database exists: it is at work.
        let has_db = |dir: &Path| {
            walk(dir)
                .iter()
                .any(|p| p.file_name().is_some_and(|n| n == "bench.db"))
        };
        let started = std::time::Instant::now();
        while !has_db(tmp.path()) {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(120),
                "the bench never wrote its database"
            );
            assert!(child.try_wait().unwrap().is_none(), "the bench ended early");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let kill = std::process::Command::new("sh")
            .args(["-c", &format!("kill -{signal} {}", child.id())])
            .status()
            .unwrap();
        assert!(kill.success());
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(130), "SIG{signal}: {out:?}");
        let left = walk(tmp.path());
        assert!(left.is_empty(), "SIG{signal} left {left:?}");
    }
}

/// Every file and directory under `dir`.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        }
        out.push(p);
    }
    out
}
