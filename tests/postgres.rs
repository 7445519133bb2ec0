//! The PostgreSQL backend, end to end, against a throwaway server these tests start
//! themselves (`support::PgServer`: Debian's `initdb` and `pg_ctl` on 127.0.0.1). Every
//! command runs as the real binary with `--db postgresql://…`, and its result is compared
//! with the same command on a SQLite file: the same stories (as sets of member URLs), the
//! same output where ids and times cannot differ. Many pollers share one database: each
//! feed is fetched once, a poller killed midway loses nothing, and the stories are those of
//! one SQLite run. The tests fail (never skip) when no server can be started.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;
use std::process::{Child, Stdio};
use support::{PgServer, Run, StorySets, cli, command, story_sets};

/// Runs `firsthand --db DB ARGS…` in `cwd` to completion.
fn run_in(cwd: &Path, db: &str, args: &[&str]) -> Run {
    let out = command()
        .current_dir(cwd)
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("run firsthand");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn spawn_poll(cwd: &Path, db: &str) -> Child {
    command()
        .current_dir(cwd)
        .args(["--db", db, "poll", "--all"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn poll")
}

fn count(pg: &PgServer, db: &str, sql: &str) -> i64 {
    pg.client(db).query_one(sql, &[]).unwrap().get(0)
}

/// Nothing was written in the working directory: the data is in PostgreSQL.
fn assert_nothing_written(cwd: &Path) {
    let left: Vec<_> = std::fs::read_dir(cwd)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(left.is_empty(), "files written beside the run: {left:?}");
}

/// JSON output without the times of each run (when it read the files, when it placed
/// them), else the text. A feed's items are newest first by those times: compared in id
/// order.
fn without_times(out: &str) -> String {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                m.remove("first_seen");
                m.remove("date_modified");
                m.values_mut().for_each(strip);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    match serde_json::from_str::<serde_json::Value>(out) {
        Ok(mut v) => {
            strip(&mut v);
            if let Some(items) = v.get_mut("items").and_then(|i| i.as_array_mut()) {
                items.sort_by_key(|i| i["id"].as_str().unwrap_or_default().to_string());
            }
            v.to_string()
        }
        Err(_) => out.to_string(),
    }
}

fn diff(want: &StorySets, got: &StorySets) -> String {
    support::story_diff(want, got, "on SQLite", "on PostgreSQL")
}

/// The PostgreSQL database at `url` holds exactly the stories `want` of a SQLite run,
/// `check` finds it sound, and nothing was written in `cwd`.
fn assert_same_as_sqlite(want: &StorySets, url: &str, cwd: &Path) {
    let got = story_sets(Path::new(url));
    assert_eq!(want, &got, "{}", diff(want, &got));
    run_in(cwd, url, &["check"]).code(0, "check");
    assert_nothing_written(cwd);
}

#[test]
fn every_command_gives_on_postgresql_what_it_gives_on_sqlite() {
    let pg = PgServer::start();
    let url = pg.database("corpus");
    let dir = tempfile::tempdir().unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let lite = dir.path().join("corpus.db");
    let _lite_s = lite.to_str().unwrap();
    let files: Vec<String> = support::corpus()
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let mut args = vec!["ingest"];
    args.extend(files.iter().map(String::as_str));

    let a = cli(&lite, &args);
    let b = run_in(cwd.path(), &url, &args);
    assert_eq!(a.code, b.code, "ingest: {a:#?} {b:#?}");
    assert!(
        b.stderr.contains(&format!("created database {url}")),
        "{}",
        b.stderr
    );
    assert_eq!(a.stdout, b.stdout, "ingest's report");
    let want = story_sets(&lite);
    let got = story_sets(Path::new(&url));
    assert!(want.len() > 500, "{} stories", want.len());
    assert_eq!(want, got, "{}", diff(&want, &got));

    // The read commands print the same, ids and all.
    let stories = run_in(cwd.path(), &url, &["stories", "--json", "--all"]);
    let v: serde_json::Value = serde_json::from_str(&stories.stdout).unwrap();
    let largest = v
        .as_array()
        .unwrap()
        .iter()
        .max_by_key(|s| s["members"].as_array().unwrap().len())
        .unwrap();
    let id = largest["id"].to_string();
    let member_url = largest["members"][0]["url"].as_str().unwrap().to_string();
    for cmd in [
        vec!["stories", "--limit", "20"],
        vec!["story", &id],
        vec!["story", &id, "--json"],
        vec!["origin", &member_url],
        vec!["feeds", "list"],
        vec!["check"],
        vec!["check", "--json"],
        vec!["check", "--repair"],
        vec!["export", "--format", "json"],
    ] {
        let a = cli(&lite, &cmd);
        let b = run_in(cwd.path(), &url, &cmd);
        assert_eq!(a.code, b.code, "{cmd:?}: {a:#?} {b:#?}");
        assert_eq!(
            without_times(&a.stdout),
            without_times(&b.stdout),
            "{cmd:?}"
        );
    }
    run_in(cwd.path(), &url, &["check"]).code(0, "check on PostgreSQL");

    // Matching again over the stored articles, and removing a feed.
    cli(&lite, &["recluster"]).code(0, "recluster (SQLite)");
    run_in(cwd.path(), &url, &["recluster"]).code(0, "recluster (PostgreSQL)");
    assert_eq!(
        story_sets(&lite),
        story_sets(Path::new(&url)),
        "after recluster"
    );
    let a = cli(&lite, &["feeds", "remove", "1"]);
    a.code(0, "remove (SQLite)");
    let b = run_in(cwd.path(), &url, &["feeds", "remove", "1"]);
    b.code(0, "remove (PostgreSQL)");
    assert_eq!(a.stdout, b.stdout, "feeds remove");
    assert_eq!(
        story_sets(&lite),
        story_sets(Path::new(&url)),
        "after feeds remove"
    );
    run_in(cwd.path(), &url, &["check"]).code(0, "check after remove");

    // The rows are in PostgreSQL, and nothing was written beside the runs.
    assert!(count(&pg, "corpus", "SELECT COUNT(*) FROM articles") > 1000);
    assert_nothing_written(cwd.path());
    // A read command on a database without firsthand's tables refuses, saying so.
    let empty = pg.database("empty");
    let r = run_in(cwd.path(), &empty, &["stories"]);
    r.code(2, "stories on an empty database");
    assert!(r.stderr.contains("no database at"), "{}", r.stderr);
    assert_eq!(
        count(
            &pg,
            "empty",
            "SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'"
        ),
        0
    );
}

#[test]
fn large_stories_decided_among_contenders_come_out_on_postgresql_as_on_sqlite() {
    let pg = PgServer::start();
    let url = pg.database("large");
    let dir = tempfile::tempdir().unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let lite = dir.path().join("large.db");
    let (files, _) = support::world_files(
        "wmt-dev/dev-full-news.jsonl.gz",
        12,
        firsthand_world::Shape::Large,
        dir.path(),
    );
    let copies = support::copies_files(dir.path(), 4, 180);
    // Four runs: large stories are decided again (the copies' story of 720 on its kept
    // contenders), relations set again on the server when their original changes.
    for (i, part) in files.chunks(files.len().div_ceil(4)).enumerate() {
        let mut args = vec!["ingest".to_string()];
        args.extend(part.iter().map(|p| p.display().to_string()));
        args.extend(copies.get(i).map(|p| p.display().to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        cli(&lite, &args).code(0, "ingest (SQLite)");
        run_in(cwd.path(), &url, &args).code(0, "ingest (PostgreSQL)");
    }
    let cmd = ["stories", "--json", "--all"];
    let a = cli(&lite, &cmd);
    let b = run_in(cwd.path(), &url, &cmd);
    assert_eq!(
        without_times(&a.stdout),
        without_times(&b.stdout),
        "stories, originals and relations"
    );
    let flagged = "SELECT COUNT(*) FROM members WHERE contender = 1";
    let on_server = count(&pg, "large", flagged);
    assert!(on_server > 0, "large stories keep contenders");
    let c = rusqlite::Connection::open(&lite).unwrap();
    assert_eq!(
        c.query_row(flagged, [], |r| r.get::<_, i64>(0)).unwrap(),
        on_server
    );
    run_in(cwd.path(), &url, &["check"]).code(0, "check on PostgreSQL");
    assert_nothing_written(cwd.path());
}

#[test]
fn two_pollers_fetch_each_feed_once_and_make_the_stories_of_one_sqlite_run() {
    let served = support::world(60);
    let pg = PgServer::start();
    let url = pg.database("pollers");
    let dir = tempfile::tempdir().unwrap();
    let cwd = tempfile::tempdir().unwrap();

    let lite = dir.path().join("clean.db");
    served.subscribe(&lite);
    cli(&lite, &["poll", "--all"]).code(0, "clean SQLite poll");
    let want = story_sets(&lite);

    served.subscribe(Path::new(&url));
    let feeds = i64::try_from(served.world.feeds.len()).unwrap();
    let mut a = spawn_poll(cwd.path(), &url);
    let mut b = spawn_poll(cwd.path(), &url);
    assert!(a.wait().unwrap().success(), "first poller");
    assert!(b.wait().unwrap().success(), "second poller");
    assert_eq!(
        count(&pg, "pollers", "SELECT COUNT(*) FROM fetches"),
        feeds,
        "each feed fetched once"
    );
    assert_eq!(
        count(
            &pg,
            "pollers",
            "SELECT COUNT(DISTINCT feed_id) FROM fetches"
        ),
        feeds
    );
    assert_same_as_sqlite(&want, &url, cwd.path());
}

#[test]
fn a_poller_killed_midway_loses_nothing_and_the_next_poll_finishes_its_work() {
    let served = support::world(150);
    let gate = support::Gate::new();
    let pg = PgServer::start();
    let url = pg.database("killed");
    let dir = tempfile::tempdir().unwrap();
    let cwd = tempfile::tempdir().unwrap();

    let lite = dir.path().join("clean.db");
    served.subscribe(&lite);
    gate.subscribe(&lite);
    cli(&lite, &["poll", "--all"]).code(0, "clean SQLite poll");
    let want = story_sets(&lite);

    served.subscribe(Path::new(&url));
    gate.subscribe(Path::new(&url));
    // The gate's feed is held: whichever poller takes it is still fetching when the first
    // poller is killed, with articles stored by both.
    gate.hold();
    let mut a = spawn_poll(cwd.path(), &url);
    let b = spawn_poll(cwd.path(), &url);
    gate.wait_for_request();
    a.kill().unwrap();
    a.wait().unwrap();
    gate.release();
    let b_out = b.wait_with_output().unwrap();
    assert!(
        b_out.status.success(),
        "the surviving poller: {}",
        String::from_utf8_lossy(&b_out.stderr)
    );
    run_in(cwd.path(), &url, &["poll", "--all"]).code(0, "the poll after the kill");

    let n = i64::try_from(served.world.articles.len()).unwrap();
    assert_eq!(count(&pg, "killed", "SELECT COUNT(*) FROM articles"), n);
    assert_eq!(count(&pg, "killed", "SELECT COUNT(*) FROM members"), n);
    assert_eq!(count(&pg, "killed", "SELECT COUNT(*) FROM pending"), 0);
    assert_same_as_sqlite(&want, &url, cwd.path());
}

#[test]
fn serve_reads_postgresql_while_a_poller_writes() {
    let served = support::world(40);
    let gate = support::Gate::new();
    let pg = PgServer::start();
    let url = pg.database("served");
    let cwd = tempfile::tempdir().unwrap();
    served.subscribe(Path::new(&url));
    gate.subscribe(Path::new(&url));

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let mut web = command()
        .current_dir(cwd.path())
        .args(["--db", &url, "serve", "--listen", &listen])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let get = |path: &str| -> (u16, String) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let client = reqwest::Client::builder().no_proxy().build().unwrap();
            for _ in 0..600 {
                if let Ok(r) = client.get(format!("http://{listen}{path}")).send().await {
                    let status = r.status().as_u16();
                    return (status, r.text().await.unwrap());
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            panic!("serve never answered on {listen}");
        })
    };
    assert_eq!(get("/").0, 200);

    // While the poller holds the gate's feed, it has stored the rest and waits: the web
    // view answers meanwhile.
    gate.hold();
    let mut poller = spawn_poll(cwd.path(), &url);
    gate.wait_for_request();
    for path in ["/", "/api/stories", "/metrics"] {
        assert_eq!(get(path).0, 200, "{path} while polling");
    }
    gate.release();
    assert!(poller.wait().unwrap().success());

    let (status, body) = get("/api/stories?all=1");
    assert_eq!(status, 200);
    let api: serde_json::Value = serde_json::from_str(&body).unwrap();
    let cli_json = run_in(cwd.path(), &url, &["stories", "--json", "--all"]);
    let cli_v: serde_json::Value = serde_json::from_str(&cli_json.stdout).unwrap();
    let ids = |v: &serde_json::Value| -> Vec<i64> {
        let list = v.get("stories").unwrap_or(v);
        let mut ids: Vec<i64> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_i64().unwrap())
            .collect();
        ids.sort_unstable();
        ids
    };
    assert!(!ids(&cli_v).is_empty());
    assert_eq!(
        ids(&api),
        ids(&cli_v),
        "the API lists what the command line lists"
    );
    web.kill().unwrap();
    web.wait().unwrap();
    assert_nothing_written(cwd.path());
}

#[test]
fn a_server_that_cannot_be_reached_or_a_newer_schema_is_one_line() {
    let cwd = tempfile::tempdir().unwrap();
    // Nothing listens on port 1.
    let r = run_in(
        cwd.path(),
        "postgresql://postgres@127.0.0.1:1/none",
        &["stories"],
    );
    r.code(2, "unreachable server");
    let line = r.one_line("unreachable server");
    assert!(
        line.starts_with("error: cannot open database postgresql://postgres@127.0.0.1:1/none"),
        "{line}"
    );
    // A password is not shown.
    let r = run_in(
        cwd.path(),
        "postgresql://u:secret@127.0.0.1:1/none",
        &["poll"],
    );
    r.code(2, "unreachable server, with a password");
    assert!(!r.stderr.contains("secret"), "{}", r.stderr);
    assert_nothing_written(cwd.path());

    let pg = PgServer::start();
    // A database that does not exist: read commands refuse it, creating nothing; the
    // commands that bring feeds in create it.
    let absent = format!("postgresql://postgres@127.0.0.1:{}/absent", pg.port);
    let r = run_in(cwd.path(), &absent, &["stories"]);
    r.code(2, "stories on a missing database");
    assert!(
        r.one_line("missing database").contains("no database at"),
        "{}",
        r.stderr
    );
    let file = support::shared().join("feeds/rss-parser/test/input/guardian.rss");
    let made = format!("postgresql://postgres@127.0.0.1:{}/made", pg.port);
    let r = run_in(cwd.path(), &made, &["ingest", file.to_str().unwrap()]);
    r.code(0, "ingest into a missing database");
    assert!(
        r.stderr.contains(&format!("created database {made}")),
        "{}",
        r.stderr
    );
    assert_eq!(count(&pg, "made", "SELECT COUNT(*) FROM feeds"), 1);
    assert_eq!(
        count(
            &pg,
            "postgres",
            "SELECT COUNT(*) FROM pg_database WHERE datname = 'absent'"
        ),
        0
    );

    let url = pg.database("newer");
    run_in(cwd.path(), &url, &["ingest", file.to_str().unwrap()]).code(0, "ingest");
    pg.client("newer")
        .batch_execute("UPDATE firsthand_schema SET version = 999")
        .unwrap();
    let r = run_in(cwd.path(), &url, &["stories"]);
    r.code(2, "newer schema");
    assert!(r.one_line("newer schema").contains("newer"), "{}", r.stderr);
    assert_eq!(count(&pg, "newer", "SELECT COUNT(*) FROM feeds"), 1, "kept");
}

#[test]
fn when_the_whole_window_leaves_at_once_the_indexes_empty_on_postgresql_as_on_sqlite() {
    let served = support::world(40);
    let pg = PgServer::start();
    let url = pg.database("pruned");
    let dir = tempfile::tempdir().unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let lite = dir.path().join("w.db");
    for db in [lite.as_path(), Path::new(&url)] {
        served.subscribe(db);
        run_in(cwd.path(), &db.display().to_string(), &["poll", "--all"]).code(0, "poll");
    }
    let want = story_sets(&lite);
    // A day later with a window of nothing: every article leaves at once, and the
    // indexes are emptied rather than taken apart row by row.
    let cfg = firsthand::cluster::Config {
        window_secs: 0,
        ..firsthand::cluster::Config::default()
    };
    let later = chrono::Utc::now().timestamp() + 86_400;
    let mut left = Vec::new();
    for db in [lite.as_path(), Path::new(&url)] {
        let mut store = firsthand::store::Store::open(db).unwrap();
        left.push(firsthand::pipeline::prune_window(&mut store, &cfg, later).unwrap());
    }
    assert!(left[0] > 0);
    assert_eq!(left[0], left[1], "articles that left");
    for table in ["lsh", "lsh_young", "anchor_index", "anchor_index_young"] {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        assert_eq!(count(&pg, "pruned", &sql), 0, "{table}");
    }
    run_in(cwd.path(), &url, &["check"]).code(0, "check on PostgreSQL");
    cli(&lite, &["check"]).code(0, "check on SQLite");
    assert_same_as_sqlite(&want, &url, cwd.path());
}
