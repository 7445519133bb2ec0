//! The fixture of the web view tests (tests/serve.rs, tests/browser.rs): the bundled
//! sample as a world of feeds served on 127.0.0.1, polled into a temp-file database, a
//! hostile feed file ingested beside it, and `firsthand serve`'s router on 127.0.0.1:0.

// Each test crate that includes this module uses a different part of it.
#![allow(dead_code)]

use firsthand::cluster::{Config, Matcher};
use firsthand::dataset::Doc;
use firsthand::pipeline;
use firsthand::pipeline::{ingest, pass};
use firsthand::store::Store;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

/// A feed file whose items try to inject markup: a title that is a script tag (the
/// double escape survives the feed's own decoding as literal text), a `javascript:` link,
/// an attribute injection, and a URL whose query closes a tag.
pub const HOSTILE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Evil &lt;b&gt;feed</title><link>https://evil.example/</link><description>hostile</description>
<item><title>&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt; " onmouseover="x</title><link>javascript:alert(1)</link><guid isPermaLink="false">evil-1</guid><pubDate>Tue, 14 Nov 2023 22:13:20 GMT</pubDate><description>&lt;p&gt;The council met on Tuesday to discuss the harbour plan &lt;script&gt;alert(2)&lt;/script&gt; and voted 7 to 2 for it.&lt;/p&gt;</description></item>
<item><title>Quote " onmouseover="x</title><link>https://evil.example/a?q="&gt;&lt;script&gt;alert(4)&lt;/script&gt;</link><guid isPermaLink="false">evil-2</guid><description>&lt;p&gt;Another text about something else entirely, with numbers 12 and 345.&lt;/p&gt;</description></item>
</channel></rss>
"#;

/// The hostile title as stored (plain text).
pub const HOSTILE_TITLE: &str = "<script>alert(1)</script> \" onmouseover=\"x";

/// The fixture; the servers run until it is dropped.
pub struct Web {
    /// Runs the feed server, the web server and the test's HTTP calls.
    pub rt: tokio::runtime::Runtime,
    /// Holds the database.
    pub dir: tempfile::TempDir,
    /// The database.
    pub db: PathBuf,
    /// `http://127.0.0.1:PORT` of the web view.
    pub base: String,
    /// Feeds served by the world (the hostile file's feed not included).
    pub feeds: usize,
}

/// Builds the database and starts the web view.
pub fn start() -> Web {
    let docs: Vec<Doc> = include_str!("../../examples/sample.jsonl")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let world = firsthand_world::build(&docs, &firsthand_world::Options::default());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let feeds_base = firsthand_world::serve(&rt, world.feeds.clone()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("web.db");
    let mut store = Store::open(&db).unwrap();
    for f in &world.feeds {
        store
            .add_feed(&format!("{feeds_base}{}", f.path), None, chrono::Utc::now())
            .unwrap();
    }
    let cfg = firsthand::poll::PollConfig::default();
    let report = pass::run(
        &mut store,
        &cfg,
        &Config::default(),
        true,
        &AtomicBool::new(false),
        &mut |_| {},
    )
    .unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert!(report.new_articles > 0);
    let hostile = dir.path().join("hostile.xml");
    std::fs::write(&hostile, HOSTILE).unwrap();
    ingest::file(&mut store, &hostile).unwrap();
    let mut matcher = Matcher::new(Config::default());
    pipeline::place_pending(
        &mut store,
        &mut matcher,
        chrono::Utc::now().timestamp(),
        &mut |_| {},
    )
    .unwrap();
    drop(store);
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let router = firsthand::serve::router(db.clone());
    rt.spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Web {
        rt,
        dir,
        db,
        base: format!("http://{addr}"),
        feeds: world.feeds.len(),
    }
}

/// A response as the tests look at it.
#[derive(Debug)]
pub struct Got {
    /// Status code.
    pub status: u16,
    /// Content-Type header.
    pub content_type: String,
    /// Location header (redirects).
    pub location: Option<String>,
    /// Content-Security-Policy header.
    pub csp: Option<String>,
    /// Body.
    pub body: String,
}

impl Web {
    /// GETs `path` (redirects are not followed).
    pub fn get(&self, path: &str) -> Got {
        let url = format!("{}{path}", self.base);
        self.rt.block_on(async {
            let client = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .build()
                .unwrap();
            let r = client.get(&url).send().await.unwrap();
            let header = |name: &str| {
                r.headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            let (content_type, location, csp) = (
                header("content-type").unwrap_or_default(),
                header("location"),
                header("content-security-policy"),
            );
            Got {
                status: r.status().as_u16(),
                content_type,
                location,
                csp,
                body: r.text().await.unwrap(),
            }
        })
    }

    /// Opens the database (to compute what the pages should show).
    pub fn store(&self) -> Store {
        Store::open(&self.db).unwrap()
    }
}
