//! A newcomer's first hour, through the real binary: read-only commands refuse a database
//! that does not exist and create nothing; the first command that creates one says where;
//! `--db` naming a directory, `run --interval 0s`, `feeds add example.com`, `https://` to
//! a plain-HTTP port and a taken `--listen` port each get one clear message; tables cut
//! nothing through a pipe and fit a terminal's width in display columns; `export` holds
//! every story; ingested files are local feeds, and a URL that arrives from a file and from
//! a polled feed is one article; explanations show anchors as the texts write them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use support::{cli, command, count};

fn json(run: &support::Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", run.stdout))
}

/// The texts of the bundled sample.
fn sample_docs() -> Vec<String> {
    firsthand::dataset::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sample.jsonl"))
        .unwrap()
        .into_iter()
        .map(|d| d.text)
        .collect()
}

/// Every document of the bundled sample as its own one-item feed file (its own site),
/// as the demo's world has them: originals and their translations into other languages.
fn sample_feeds(dir: &Path) -> Vec<PathBuf> {
    let docs = firsthand::dataset::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sample.jsonl"),
    )
    .unwrap();
    docs.iter()
        .enumerate()
        .map(|(i, d)| {
            let mut lines = d.text.lines().filter(|l| !l.trim().is_empty());
            let title = lines.next().unwrap();
            let body: String = lines
                .map(|l| format!("<p>{}</p>", support::esc(l)))
                .collect();
            let p = dir.join(format!("sample-{i}.xml"));
            let link = format!("https://site{i}.example/{}", d.id.replace([':', '.'], "-"));
            std::fs::write(
                &p,
                support::rss(
                    &format!("Site {i}"),
                    &[(&support::esc(title), &link, &support::esc(&body))],
                ),
            )
            .unwrap();
            p
        })
        .collect()
}

fn paths(files: &[PathBuf]) -> Vec<&str> {
    files.iter().map(|p| p.to_str().unwrap()).collect()
}

#[test]
fn read_only_commands_refuse_a_missing_database_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no/such/dir/x.db");
    for args in [
        vec!["stories"],
        vec!["stories", "--json"],
        vec!["story", "1"],
        vec!["origin", "https://example.com/a"],
        vec!["export", "--format", "json"],
        vec!["serve", "--listen", "127.0.0.1:0"],
        vec!["feeds", "list"],
        vec!["feeds", "export"],
        vec!["feeds", "remove", "1"],
        vec!["recluster"],
        vec!["check"],
        vec!["check", "--repair"],
    ] {
        let what = args.join(" ");
        let r = cli(&missing, &args);
        r.code(2, &what);
        let line = r.one_line(&what);
        assert!(
            line.contains(missing.to_str().unwrap()) && line.contains("no database"),
            "{what}: {line}"
        );
        assert!(r.stdout.is_empty(), "{what}: {}", r.stdout);
        assert!(!dir.path().join("no").exists(), "{what} created something");
    }
    // The same through FIRSTHAND_DB.
    let r = support::cli_env(&missing, &["stories"]);
    r.code(2, "stories via FIRSTHAND_DB");
    assert!(!dir.path().join("no").exists());
}

#[test]
fn help_names_the_default_database_and_its_creation_is_announced() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let run = |args: &[&str]| {
        let out = command()
            .env("XDG_DATA_HOME", &data)
            .env("HOME", dir.path())
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let default = data.join("firsthand/firsthand.db");
    let (code, help, _) = run(&["--help"]);
    assert_eq!(code, Some(0));
    assert!(help.contains(default.to_str().unwrap()), "{help}");
    let (_, sub_help, _) = run(&["stories", "--help"]);
    assert!(sub_help.contains(default.to_str().unwrap()), "{sub_help}");
    assert!(!default.exists(), "help creates nothing");

    let file = sample_feeds(dir.path()).remove(0);
    let (code, _, err) = run(&["ingest", file.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.lines()
            .any(|l| l == format!("created database {}", default.display())),
        "{err}"
    );
    assert!(default.exists());
    let (code, _, err) = run(&["ingest", file.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("created database"), "said twice: {err}");
}

#[test]
fn clear_messages_for_common_mistakes() {
    let dir = tempfile::tempdir().unwrap();
    // --db naming a directory.
    for args in [
        vec!["stories"],
        vec!["poll"],
        vec!["feeds", "add", "https://a.example/"],
    ] {
        let r = cli(dir.path(), &args);
        r.code(2, "--db DIR");
        let line = r.one_line("--db DIR");
        assert!(
            line.contains("is a directory") && line.contains("firsthand.db"),
            "{line}"
        );
    }
    let fresh = dir.path().join("fresh.db");
    // An interval below the floor: exit 2, nothing created.
    for iv in ["0s", "0", "29s"] {
        let r = cli(&fresh, &["run", "--interval", iv]);
        r.code(2, &format!("run --interval {iv}"));
        assert!(r.stderr.contains("30s"), "{}", r.stderr);
    }
    // A URL without its scheme: a hint, nothing fetched, nothing created.
    let r = cli(&fresh, &["feeds", "add", "example.com"]);
    r.code(1, "feeds add example.com");
    assert!(
        r.one_line("feeds add example.com")
            .contains("did you mean https://example.com/"),
        "{}",
        r.stderr
    );
    // demo has a database of its own.
    let r = cli(&fresh, &["demo"]);
    r.code(2, "demo --db");
    assert!(r.one_line("demo --db").contains("--db"), "{}", r.stderr);
    assert!(!fresh.exists(), "a refused command created the database");

    // https:// to a port that speaks plain HTTP: it answers a TLS hello with an HTTP error.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let mut buf = [0u8; 1024];
            let _ = std::io::Read::read(&mut conn, &mut buf);
            let _ = std::io::Write::write_all(
                &mut conn,
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    let https = format!("https://127.0.0.1:{port}/feed.xml");
    let r = cli(&fresh, &["feeds", "add", &https]);
    r.code(1, "https to plain http");
    let line = r
        .stderr
        .lines()
        .find(|l| l.starts_with("error:"))
        .unwrap_or_else(|| panic!("{}", r.stderr));
    assert!(line.contains("http://"), "{line}");
    assert!(!line.contains("invalidcontenttype"), "{line}");
}

#[test]
fn a_taken_port_is_named_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    // demo --serve finds out before it builds its world.
    let out = command()
        .args(["demo", "--serve", "--listen", &addr])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&addr) && err.contains("in use") && err.contains("--listen"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "the demo ran: {out:?}");
    // serve on an existing database.
    let db = dir.path().join("s.db");
    let file = sample_feeds(dir.path()).remove(0);
    cli(&db, &["ingest", file.to_str().unwrap()]).code(0, "ingest");
    let r = cli(&db, &["serve", "--listen", &addr]);
    r.code(2, "serve on a taken port");
    assert!(r.one_line("serve").contains("in use"), "{}", r.stderr);
}

#[test]
fn serve_announces_itself_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let file = sample_feeds(dir.path()).remove(0);
    cli(&db, &["ingest", file.to_str().unwrap()]).code(0, "ingest");
    let mut child = command()
        .arg("--db")
        .arg(&db)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        first.starts_with("serving ") && first.contains("http://127.0.0.1:"),
        "{first}"
    );
    assert!(out.stdout.is_empty(), "stdout: {:?}", out.stdout);
}

#[test]
fn piped_tables_cut_nothing_and_a_terminal_gets_its_width() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let files = sample_feeds(dir.path());
    let mut args = vec!["ingest"];
    args.extend(paths(&files));
    cli(&db, &args).code(0, "ingest the sample");

    let all = json(cli(&db, &["stories", "--json"]).code(0, "stories --json"));
    let piped = cli(&db, &["stories"]);
    piped.code(0, "stories");
    assert!(!piped.stdout.contains('…'), "{}", piped.stdout);
    for s in all.as_array().unwrap() {
        let title = s["title"].as_str().unwrap();
        assert!(
            piped.stdout.contains(title),
            "{title} cut: {}",
            piped.stdout
        );
    }
    let longest = all
        .as_array()
        .unwrap()
        .iter()
        .max_by_key(|s| s["members"].as_array().unwrap().len())
        .unwrap();
    let id = longest["id"].to_string();
    let story = cli(&db, &["story", &id]);
    story.code(0, "story");
    assert!(!story.stdout.contains('…'), "{}", story.stdout);
    for m in longest["members"].as_array().unwrap() {
        assert!(story.stdout.contains(m["url"].as_str().unwrap()));
    }

    // On a terminal (script(1) gives one), COLUMNS sets the width, counted in display
    // columns: Japanese titles count two per character.
    for columns in [80usize, 250] {
        let shell = format!(
            "COLUMNS={columns} {} --db {} stories; COLUMNS={columns} {} --db {} story {id}",
            support::bin(),
            db.display(),
            support::bin(),
            db.display()
        );
        let out = std::process::Command::new("script")
            .args(["-qec", &shell, "/dev/null"])
            .stdin(Stdio::null())
            .output()
            .expect("script(1) from util-linux (Debian's bsdutils)");
        assert!(out.status.success(), "{out:?}");
        let text = String::from_utf8_lossy(&out.stdout).replace('\r', "");
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines.len() > 5, "{text}");
        for line in &lines {
            let w = firsthand::output::table::columns(line);
            assert!(w <= columns, "{w} > {columns}: {line:?}");
        }
        let table = text.split("story ").next().unwrap();
        if columns == 80 {
            assert!(text.contains('…'), "{text}");
        } else {
            assert!(
                table
                    .lines()
                    .any(|l| firsthand::output::table::columns(l) > 80)
            );
        }
    }
}

/// A feed file of `n` unrelated one-paragraph items.
fn many_items(path: &Path, n: usize) {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut word = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let syll = ["ka", "lo", "mi", "tu", "re", "sa", "no", "vi", "de", "po"];
        let mut w = String::new();
        let mut x = state;
        for _ in 0..3 {
            w.push_str(syll[usize::try_from(x % 10).unwrap()]);
            x /= 10;
        }
        w
    };
    let items: Vec<(String, String, String)> = (0..n)
        .map(|i| {
            let body: Vec<String> = (0..60).map(|_| word()).collect();
            (
                format!("item {i} {}", word()),
                format!("https://many.example/{i}"),
                body.join(" "),
            )
        })
        .collect();
    let refs: Vec<(&str, &str, &str)> = items
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
        .collect();
    std::fs::write(path, support::rss("Many", &refs)).unwrap();
}

#[test]
fn export_holds_every_story() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.db");
    let file = dir.path().join("many.xml");
    many_items(&file, 620);
    cli(&db, &["ingest", file.to_str().unwrap()]).code(0, "ingest 620 items");
    let stories = count(
        &db,
        "stories WHERE merged_into IS NULL AND id IN (SELECT story_id FROM members)",
    );
    assert!(stories > 500, "{stories} stories");
    let feed = json(cli(&db, &["export", "--format", "json"]).code(0, "export json"));
    assert_eq!(
        i64::try_from(feed["items"].as_array().unwrap().len()).unwrap(),
        stories
    );
    let atom = cli(&db, &["export", "--format", "atom"]);
    atom.code(0, "export atom");
    assert_eq!(
        i64::try_from(atom.stdout.matches("<entry>").count()).unwrap(),
        stories
    );
    assert!(atom.stdout.trim_end().ends_with("</feed>"));
    let ten = json(cli(&db, &["export", "--format", "json", "--limit", "10"]).code(0, "--limit"));
    assert_eq!(ten["items"].as_array().unwrap().len(), 10);
    // An empty database exports an empty, valid feed.
    let empty = dir.path().join("empty.db");
    let none = dir.path().join("none.xml");
    std::fs::write(&none, support::rss("None", &[])).unwrap();
    cli(&empty, &["ingest", none.to_str().unwrap()]).code(0, "ingest an empty feed");
    let feed = json(cli(&empty, &["export", "--format", "json"]).code(0, "empty export"));
    assert_eq!(feed["items"], serde_json::json!([]));
}

#[test]
fn local_files_are_local_feeds_and_one_url_is_one_article() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("l.db");
    let doc = support::rss(
        "Outlet",
        &[
            (
                "Musk buys 10,000 GPUs",
                "https://outlet.example/gpus",
                "Elon Musk bought 10,000 GPUs for Twitter on 12 April 2023, people said.",
            ),
            (
                "A second story",
                "https://outlet.example/second",
                "Something else entirely happened in Reykjavik on Tuesday afternoon.",
            ),
        ],
    );
    let file = dir.path().join("outlet.xml");
    std::fs::write(&file, &doc).unwrap();
    cli(&db, &["ingest", file.to_str().unwrap()]).code(0, "ingest");
    let feeds = json(cli(&db, &["feeds", "list", "--json"]).code(0, "feeds list"));
    let local = &feeds.as_array().unwrap()[0];
    assert_eq!(local["status"], "local", "{feeds}");
    assert_eq!(local["next_poll"], Value::Null);
    let table = cli(&db, &["feeds", "list"]);
    assert!(
        table.stdout.contains("local") && table.stdout.contains("never (a file)"),
        "{}",
        table.stdout
    );
    assert!(!table.stdout.contains(" now "), "{}", table.stdout);

    // The same feed, now polled over HTTP: its entries are the articles already stored.
    let base = support::http_server(vec![(
        "/feed.xml".into(),
        "application/rss+xml".into(),
        doc.into_bytes(),
    )]);
    let url = format!("{base}/feed.xml");
    cli(&db, &["feeds", "add", &url]).code(0, "feeds add");
    let r = cli(&db, &["poll"]);
    r.code(0, "poll");
    assert!(r.stderr.contains("0 new article(s)"), "{}", r.stderr);
    assert_eq!(count(&db, "articles"), 2);
    let stories = json(cli(&db, &["stories", "--json", "--all"]).code(0, "stories"));
    let urls: Vec<&str> = stories
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["members"].as_array().unwrap())
        .map(|m| m["url"].as_str().unwrap())
        .collect();
    assert_eq!(
        urls.iter()
            .filter(|u| **u == "https://outlet.example/gpus")
            .count(),
        1,
        "{stories}"
    );
    // The polled feed is on its schedule, and the pass line says when it is due.
    let r = cli(&db, &["poll"]);
    r.code(0, "second poll");
    assert!(
        r.stderr.contains("1 of 1 feed(s) not due yet, the next at"),
        "{}",
        r.stderr
    );
}

#[test]
fn explanations_show_anchors_as_the_texts_write_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let files = sample_feeds(dir.path());
    // As stored: NFKC, whitespace collapsed (the files hold the text XML-escaped).
    let plain = |s: &str| -> String {
        use unicode_normalization::UnicodeNormalization;
        s.nfkc()
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let texts: String = sample_docs().iter().map(|t| plain(t)).collect();
    let mut args = vec!["ingest"];
    args.extend(paths(&files));
    cli(&db, &args).code(0, "ingest the sample");
    let stories = json(cli(&db, &["stories", "--json"]).code(0, "stories"));
    let mut seen = 0;
    for s in stories.as_array().unwrap() {
        let id = s["id"].to_string();
        let one = json(cli(&db, &["story", &id, "--json"]).code(0, "story --json"));
        let text = cli(&db, &["story", &id]);
        for m in one["members"].as_array().unwrap() {
            let why = &m["why"];
            let Some(keys) = why["shared_anchors"].as_array().filter(|k| !k.is_empty()) else {
                continue;
            };
            let shown = why["shared_text"]
                .as_array()
                .unwrap_or_else(|| panic!("no shared_text: {why}"));
            assert_eq!(shown.len(), keys.len(), "{why}");
            for (k, t) in keys.iter().zip(shown) {
                let t = t.as_str().unwrap();
                assert_ne!(t, k.as_str().unwrap());
                let words = plain(t.split(" (").next().unwrap());
                assert!(
                    texts.contains(&words),
                    "{words:?} is not in the texts ({k})"
                );
            }
            let first = shown[0].as_str().unwrap();
            assert!(
                text.stdout.contains(&format!("shared: {first}")),
                "{}",
                text.stdout
            );
            seen += 1;
        }
    }
    assert!(seen > 0, "no member matched by anchors");
}
