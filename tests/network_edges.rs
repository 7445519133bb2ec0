//! Network edges as `firsthand poll` records them: DNS failure, connection refused, a TLS
//! handshake with a plain-HTTP server, an HTTP/1.0 server that closes instead of sending
//! Content-Length (a success), a chunked body that stops early, and a Content-Length that
//! claims more than is sent. Failures are named on stderr, `poll` exits 1, and each
//! failing feed shows `last_error` and `error_count` 1 in `feeds list --json`; the rest
//! of the pass is done. Servers are raw TCP on 127.0.0.1; never the network.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::Write;
use std::net::TcpListener;
use support::{cli, count};

fn feed_doc() -> String {
    support::rss(
        "edge",
        &[(
            "An item from an HTTP/1.0 server",
            "https://old.example/1",
            "Body text.",
        )],
    )
}

/// A server that answers every connection at once, without reading the request (so a
/// TLS client gets plain HTTP back straight away).
fn eager_server(answer: &'static [u8]) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let _ = conn.write_all(answer);
        }
    });
    port
}

fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
    // dropped: nothing listens there any more
}

/// (name, url, fails)
fn edges() -> Vec<(&'static str, String, bool)> {
    let doc = feed_doc();
    let http10 = support::raw_server(move |_| {
        format!("HTTP/1.0 200 OK\r\nContent-Type: application/rss+xml\r\n\r\n{doc}").into_bytes()
    });
    let doc = feed_doc();
    let chunked = support::raw_server(move |_| {
        let half = &doc[..doc.len() / 2];
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{}",
            doc.len(),
            half
        )
        .into_bytes()
    });
    let doc = feed_doc();
    let liar = support::raw_server(move |_| {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: {}\r\n\r\n{doc}",
            doc.len() * 4
        )
        .into_bytes()
    });
    let plain = eager_server(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    vec![
        (
            "dns",
            "http://nonexistent.invalid/feed.xml".to_string(),
            true,
        ),
        (
            "refused",
            format!("http://127.0.0.1:{}/feed.xml", closed_port()),
            true,
        ),
        ("tls", format!("https://127.0.0.1:{plain}/feed.xml"), true),
        (
            "http/1.0",
            format!("http://127.0.0.1:{http10}/feed.xml"),
            false,
        ),
        (
            "chunked cut",
            format!("http://127.0.0.1:{chunked}/feed.xml"),
            true,
        ),
        (
            "content-length lies",
            format!("http://127.0.0.1:{liar}/feed.xml"),
            true,
        ),
    ]
}

/// Subscribes without fetching (OPML import).
fn subscribe(db: &std::path::Path, urls: &[&str]) {
    let list: Vec<(String, Option<String>)> =
        urls.iter().map(|u| ((*u).to_string(), None)).collect();
    let opml = db.with_extension("opml");
    std::fs::write(&opml, firsthand::opml::write(&list)).unwrap();
    cli(db, &["feeds", "import", opml.to_str().unwrap()]).code(0, "feeds import");
}

#[test]
fn network_failures_are_recorded_on_their_feeds() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("edges.db");
    let edges = edges();
    let urls: Vec<&str> = edges.iter().map(|e| e.1.as_str()).collect();
    subscribe(&db, &urls);

    let r = cli(&db, &["poll", "--all"]);
    r.code(1, "poll over the edges");
    let feeds: serde_json::Value =
        serde_json::from_str(&cli(&db, &["feeds", "list", "--json"]).stdout).unwrap();
    for (name, url, fails) in &edges {
        let f = feeds
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["url"] == url.as_str())
            .unwrap_or_else(|| panic!("{name}: {url} not listed"));
        if *fails {
            let err = f["last_error"]
                .as_str()
                .unwrap_or_else(|| panic!("{name}: no last_error: {f}"));
            assert!(!err.is_empty() && !err.contains('\n'), "{name}: {err:?}");
            assert_eq!(f["error_count"], 1, "{name}: {f}");
            let line = r
                .stderr
                .lines()
                .find(|l| l.contains(url.as_str()))
                .unwrap_or_else(|| panic!("{name}: not named on stderr:\n{}", r.stderr));
            assert!(line.starts_with("error: "), "{name}: {line}");
            eprintln!("{name}: {err}");
        } else {
            assert!(f["last_error"].is_null(), "{name}: {f}");
            assert_eq!(f["error_count"], 0, "{name}: {f}");
        }
    }
    assert!(r.stderr.contains("5 failed"), "{}", r.stderr);
    // The HTTP/1.0 feed's item was stored and placed; nothing from the broken bodies was.
    assert_eq!(count(&db, "articles"), 1);
    assert_eq!(count(&db, "members"), 1);
}

#[test]
fn an_http_1_0_server_without_length_is_a_success() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("old.db");
    let (_, url, _) = edges().into_iter().find(|e| e.0 == "http/1.0").unwrap();
    subscribe(&db, &[&url]);
    let r = cli(&db, &["poll", "--all"]);
    r.code(0, "poll of an HTTP/1.0 server");
    assert_eq!(count(&db, "articles"), 1);
    let story = support::story_sets(&db);
    assert!(
        story.iter().any(|s| s.contains("https://old.example/1")),
        "{story:?}"
    );
}
