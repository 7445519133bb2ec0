//! The store's invariants hold after any sequence of what users and cron do to it:
//! ingests of any part of a world, polls of it over HTTP, reclusters, feed removals,
//! the matching window moving past everything, and ingests killed at random moments.
//! `firsthand check` runs after every step; after a kill the only problem allowed is
//! articles still pending, until the next ingest, poll or recluster places them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;
use support::cli;

/// The world's feed files (written once) and the same world served on 127.0.0.1.
struct Fixture {
    files: Vec<PathBuf>,
    served: support::Served,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let served = support::world(40);
        // A static is never dropped, so a temporary directory here would outlive every
        // run: the files go in the directory cargo keeps for integration tests.
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("invariants-world");
        std::fs::create_dir_all(&dir).unwrap();
        let files = served
            .world
            .feeds
            .iter()
            .map(|f| {
                let p = dir.join(f.path.trim_start_matches('/').replace('/', "-"));
                std::fs::write(&p, &f.body).unwrap();
                p
            })
            .collect();
        Fixture { files, served }
    })
}

#[derive(Debug, Clone)]
enum Op {
    /// Ingest the files whose bit is set in the mask.
    Ingest(u64),
    /// Subscribe to every feed of the world and poll them all.
    Poll,
    Recluster,
    /// Remove the n-th feed (modulo the feeds there are).
    Remove(usize),
    /// Move the matching window past every article.
    Prune,
    /// Ingest the masked files, killed after this many milliseconds.
    Kill(u64, u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => any::<u64>().prop_map(Op::Ingest),
        1 => Just(Op::Poll),
        1 => Just(Op::Recluster),
        1 => any::<usize>().prop_map(Op::Remove),
        1 => Just(Op::Prune),
        2 => (any::<u64>(), 0u64..400).prop_map(|(m, ms)| Op::Kill(m, ms)),
    ]
}

fn chosen(mask: u64) -> Vec<String> {
    let f = fixture();
    let mut out: Vec<String> = f
        .files
        .iter()
        .enumerate()
        .filter(|(i, _)| mask >> (i % 64) & 1 == 1)
        .map(|(_, p)| p.display().to_string())
        .collect();
    if out.is_empty() {
        out.push(f.files[0].display().to_string());
    }
    out
}

fn run(db: &Path, op: &Op) {
    match op {
        Op::Ingest(mask) => {
            let files = chosen(*mask);
            let mut args = vec!["ingest"];
            args.extend(files.iter().map(String::as_str));
            cli(db, &args).code(0, "ingest");
        }
        Op::Poll => {
            fixture().served.subscribe(db);
            cli(db, &["poll", "--all"]).code(0, "poll --all");
        }
        Op::Recluster => {
            cli(db, &["recluster"]).code(0, "recluster");
        }
        Op::Remove(n) => {
            let r = cli(db, &["feeds", "list", "--json"]);
            let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
            let feeds = v.as_array().unwrap();
            if !feeds.is_empty() {
                let url = feeds[n % feeds.len()]["url"].as_str().unwrap().to_string();
                cli(db, &["feeds", "remove", &url]).code(0, "feeds remove");
            }
        }
        Op::Prune => {
            let mut store = firsthand::store::Store::open(db).unwrap();
            let cfg = firsthand::cluster::Config {
                window_secs: 0,
                ..firsthand::cluster::Config::default()
            };
            firsthand::pipeline::prune_window(&mut store, &cfg, chrono::Utc::now().timestamp() + 1)
                .unwrap();
        }
        Op::Kill(mask, ms) => {
            let files = chosen(*mask);
            let mut child = support::command()
                .arg("--db")
                .arg(db)
                .arg("ingest")
                .args(&files)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(Duration::from_millis(*ms));
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The kinds of problem `check --json` reports.
fn problems(db: &Path) -> Vec<String> {
    let r = cli(db, &["check", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn recluster_after_the_window_moved_keeps_the_index_to_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    drop(firsthand::store::Store::open(&db).unwrap());
    for op in [
        Op::Ingest(u64::MAX),
        Op::Prune,
        Op::Recluster,
        Op::Ingest(1),
    ] {
        run(&db, &op);
        let found = problems(&db);
        assert!(found.is_empty(), "after {op:?}: {found:#?}");
    }
}

proptest! {
    #![proptest_config(Config {
        cases: 24,
        rng_seed: RngSeed::Fixed(16),
        failure_persistence: None,
        ..Config::default()
    })]

    #[test]
    fn check_holds_after_any_sequence_of_steps(ops in prop::collection::vec(op(), 1..6)) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("p.db");
        drop(firsthand::store::Store::open(&db).unwrap());
        // A killed ingest leaves articles pending until a step that places them (an
        // ingest, a poll, a recluster) completes.
        let mut killed = false;
        for (k, op) in ops.iter().enumerate() {
            run(&db, op);
            match op {
                Op::Kill(..) => killed = true,
                Op::Ingest(_) | Op::Poll | Op::Recluster => killed = false,
                Op::Remove(_) | Op::Prune => {}
            }
            let found = problems(&db);
            let allowed = |p: &String| killed && p.contains("\"kind\":\"pending\"");
            let bad: Vec<&String> = found.iter().filter(|p| !allowed(p)).collect();
            prop_assert!(bad.is_empty(), "after step {k} {op:?} of {ops:?}: {bad:#?}");
        }
        // Whatever happened, one more ingest leaves the store sound with nothing pending.
        run(&db, &Op::Ingest(1));
        let found = problems(&db);
        prop_assert!(found.is_empty(), "after the last ingest: {found:#?}");
    }
}
