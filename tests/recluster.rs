//! `recluster` runs matching again from stored articles: on unchanged thresholds it gives
//! the same stories under the same ids; the CLI reports what it did.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

fn partition(db: &std::path::Path) -> BTreeMap<i64, BTreeSet<String>> {
    let out = Command::new(env!("CARGO_BIN_EXE_firsthand"))
        .args(["--db"])
        .arg(db)
        .args(["stories", "--all", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let urls = s["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["url"].as_str().unwrap().to_string())
                .collect();
            (s["id"].as_i64().unwrap(), urls)
        })
        .collect()
}

#[test]
fn recluster_keeps_the_stories_and_their_ids() {
    let sample = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/sample.jsonl"
    ))
    .unwrap();
    let docs: Vec<firsthand::eval::Doc> = sample
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let world = firsthand::world::build(&docs, &firsthand::world::Options::default());
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (i, f) in world.feeds.iter().enumerate() {
        let p = dir.path().join(format!("{i}.feed"));
        std::fs::write(&p, &f.body).unwrap();
        files.push(p);
    }
    let db = dir.path().join("r.db");
    let st = Command::new(env!("CARGO_BIN_EXE_firsthand"))
        .arg("--db")
        .arg(&db)
        .arg("ingest")
        .args(&files)
        .status()
        .unwrap();
    assert!(st.success());
    let before = partition(&db);
    assert!(before.values().any(|m| m.len() > 2), "{before:?}");
    let out = Command::new(env!("CARGO_BIN_EXE_firsthand"))
        .arg("--db")
        .arg(&db)
        .arg("recluster")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains(&format!("reclustered {} article(s)", world.articles.len()))
    );
    assert_eq!(partition(&db), before);
}
