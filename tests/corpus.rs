//! Every file under ../shared/data/feeds (real feeds from other projects' test suites)
//! either ingests or is refused with one line naming the file — never a panic. Goldens for
//! a few well-known feeds pin what normalisation makes of them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use firsthand::Error;
use firsthand::store::Store;
use std::path::{Path, PathBuf};

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/feeds")
}

#[test]
fn every_shared_feed_file_ingests_or_is_refused_by_name() {
    let all = support::corpus();
    assert!(
        all.len() > 500,
        "expected the shared feed corpus, found {} files",
        all.len()
    );
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("corpus.db")).unwrap();
    let (mut ok, mut refused, mut articles) = (0, 0, 0);
    for p in &all {
        match firsthand::pipeline::ingest::file(&mut store, p) {
            Ok(r) => {
                ok += 1;
                articles += r.new;
            }
            Err(e @ Error::NotAFeed { .. }) => {
                let msg = e.to_string();
                assert!(msg.contains(&p.display().to_string()), "{msg}");
                assert!(!msg.contains('\n'), "one line: {msg}");
                refused += 1;
            }
            Err(e) => panic!("{}: unexpected error {e}", p.display()),
        }
    }
    let mut matcher = firsthand::cluster::Matcher::new(firsthand::cluster::Config::default());
    firsthand::pipeline::place_pending(
        &mut store,
        &mut matcher,
        chrono::Utc::now().timestamp(),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    // Most of the corpus is real feeds; the JSON expectations and HTML pages are refused.
    assert!(ok > 250, "ingested {ok}, refused {refused}");
    assert!(articles > 1000, "{articles} articles");
    assert_eq!(store.pending_count().unwrap(), 0);
}

/// Goldens: what normalisation makes of known feeds (fixture in, JSON out). Set
/// FIRSTHAND_BLESS=1 to rewrite them after a deliberate change, then review the diff.
#[test]
fn golden_normalisation_of_known_feeds() {
    let cases = [
        ("feed-rs/feed-rs/fixture/rss2/rss_2.0_bbc.xml", "rss2-bbc"),
        (
            "feed-rs/feed-rs/fixture/atom/atom_example_reddit.xml",
            "atom-reddit",
        ),
        (
            "feed-rs/feed-rs/fixture/atom/atom_relative.xml",
            "atom-relative",
        ),
    ];
    let golden_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/golden");
    let bless = std::env::var_os("FIRSTHAND_BLESS").is_some();
    for (fixture, name) in cases {
        let bytes = std::fs::read(shared().join(fixture)).unwrap();
        let (parsed, articles) =
            firsthand::pipeline::articles(&bytes, name, "https://example.com/feed.xml").unwrap();
        let got = serde_json::json!({
            "title": parsed.title,
            "articles": articles.iter().map(|a| serde_json::json!({
                "identity": a.identity,
                "url": a.url,
                "canonical_url": a.canonical_url,
                "title": a.title,
                "lang": a.lang,
                "published": a.published.map(|p| p.to_rfc3339()),
                "paragraphs": a.paragraphs.len(),
                "first_paragraph": a.paragraphs.first(),
                "links": a.links.len(),
                "images": a.images.len(),
            })).collect::<Vec<_>>(),
        });
        let path = golden_dir.join(format!("{name}.json"));
        let pretty = serde_json::to_string_pretty(&got).unwrap() + "\n";
        if bless {
            std::fs::create_dir_all(&golden_dir).unwrap();
            std::fs::write(&path, &pretty).unwrap();
        }
        let want = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("missing golden {}", path.display()));
        assert_eq!(
            pretty, want,
            "{name}: normalisation changed; FIRSTHAND_BLESS=1 rewrites goldens"
        );
    }
}
