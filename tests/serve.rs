//! `firsthand serve` over real HTTP on 127.0.0.1 and a real temp-file database built by
//! polling the sample world: every route's status and content type, the index and story
//! pages, the API against the command line's JSON, the Prometheus text, and feed text
//! that tries to inject markup.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod web;

use firsthand::output::json;
use firsthand::output::views::{origin_json, views};
use firsthand::store::Store;
use firsthand::store::stories::StoryView;
use rusqlite::OptionalExtension;
use std::collections::BTreeMap;
use web::{Got, HOSTILE_TITLE};

const HTML: &str = "text/html; charset=utf-8";

fn largest(store: &Store) -> StoryView {
    views(store, None, false, None)
        .unwrap()
        .into_iter()
        .max_by_key(|v| (v.members.len(), -v.id.0))
        .unwrap()
}

fn hostile_story(store: &Store) -> StoryView {
    views(store, None, true, None)
        .unwrap()
        .into_iter()
        .find(|v| v.members.iter().any(|m| m.title == HOSTILE_TITLE))
        .expect("the hostile item is stored with its title as text")
}

fn assert_page(g: &Got, status: u16) {
    assert_eq!(g.status, status, "{}", g.body);
    assert_eq!(g.content_type, HTML);
    assert!(g.body.starts_with("<!doctype html>"));
    assert!(g.body.contains("name=\"viewport\""));
    assert!(
        g.csp
            .as_deref()
            .unwrap_or("")
            .contains("default-src 'none'")
    );
}

#[test]
fn every_route_answers_with_its_status_and_type() {
    let w = web::start();
    let store = w.store();
    let v = largest(&store);
    let url = v.members[0].url.clone().unwrap();
    for path in ["/", "/?all=1&page=1", "/origin"] {
        assert_page(&w.get(path), 200);
    }
    assert_page(&w.get(&format!("/story/{}", v.id.0)), 200);
    assert_page(&w.get(&format!("/origin?url={}", urlencode(&url))), 200);
    let unknown = w.get("/origin?url=https%3A%2F%2Fnowhere.example%2Fx");
    assert_page(&unknown, 404);
    assert!(
        unknown
            .body
            .contains("no article with url https://nowhere.example/x")
    );
    assert_page(&w.get("/story/999999"), 404);
    assert_page(&w.get("/story/abc"), 404);
    assert_page(&w.get("/no/such/page"), 404);
    assert_page(&w.get("/?since=soon"), 400);
    assert_page(&w.get("/?page=0"), 400);

    let atom = w.get("/feed.atom");
    assert_eq!(atom.status, 200);
    assert_eq!(atom.content_type, "application/atom+xml; charset=utf-8");
    assert!(
        atom.body.starts_with("<?xml")
            && atom
                .body
                .contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">")
    );
    let feed = w.get("/feed.json");
    assert_eq!(feed.status, 200);
    assert_eq!(feed.content_type, "application/feed+json; charset=utf-8");
    let doc: serde_json::Value = serde_json::from_str(&feed.body).unwrap();
    assert_eq!(doc["version"], "https://jsonfeed.org/version/1.1");
    assert!(!doc["items"].as_array().unwrap().is_empty());

    for path in ["/api/stories", "/api/stories?all=1&limit=2&since=30d"] {
        let g = w.get(path);
        assert_eq!(
            (g.status, g.content_type.as_str()),
            (200, "application/json"),
            "{path}"
        );
    }
    let g = w.get(&format!("/api/story/{}", v.id.0));
    assert_eq!(
        (g.status, g.content_type.as_str()),
        (200, "application/json")
    );
    let g = w.get("/api/story/999999");
    assert_eq!(
        (g.status, g.content_type.as_str()),
        (404, "application/json")
    );
    let e: serde_json::Value = serde_json::from_str(&g.body).unwrap();
    assert_eq!(e["error"], "no story with id 999999");
    assert_eq!(w.get("/api/stories?limit=x").status, 400);

    let m = w.get("/metrics");
    assert_eq!(m.status, 200);
    assert_eq!(m.content_type, "text/plain; version=0.0.4; charset=utf-8");
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn html_text(s: &str) -> String {
    firsthand::serve::html::esc(s)
}

#[test]
fn index_lists_stories_and_story_page_shows_copies_and_timeline() {
    let w = web::start();
    let store = w.store();
    let listed = views(&store, None, false, None).unwrap();
    assert!(listed.len() >= 2, "the sample forms stories with copies");
    let index = w.get("/");
    assert_page(&index, 200);
    for v in listed.iter().take(50) {
        assert!(index.body.contains(&format!("href=\"/story/{}\"", v.id.0)));
        assert!(index.body.contains(&html_text(&json::title_of(v))));
    }
    // Single-article stories only with all=1; filters narrow the list.
    assert!(!index.body.contains(&html_text(HOSTILE_TITLE)));
    assert!(w.get("/?all=1").body.contains(&html_text(HOSTILE_TITLE)));
    let v = largest(&store);
    let lang = v.members.last().unwrap().lang.clone();
    let by_lang = w.get(&format!("/?lang={lang}"));
    assert!(
        by_lang
            .body
            .contains(&format!("href=\"/story/{}\"", v.id.0))
    );
    let none = w.get("/?lang=xx");
    assert!(none.body.contains("No stories match"));
    let q = json::title_of(&v)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let searched = w.get(&format!("/?q={}", urlencode(&q)));
    assert!(
        searched
            .body
            .contains(&format!("href=\"/story/{}\"", v.id.0))
    );

    let page = w.get(&format!("/story/{}", v.id.0));
    assert_page(&page, 200);
    let b = &page.body;
    assert!(b.contains(&format!("<h1>{}</h1>", html_text(&json::title_of(&v)))));
    for m in &v.members {
        assert!(
            b.contains(&format!("<tr id=\"m{}\">", m.id.0)),
            "row of {m:?}"
        );
        assert!(b.contains(&html_text(m.site.as_deref().unwrap())));
        assert!(b.contains(m.relation.as_str()));
    }
    let svg = &b[b.find("<svg").expect("timeline")..b.find("</svg>").unwrap()];
    assert_eq!(svg.matches("<circle").count(), v.members.len());
    assert!(b.contains("Because:"));
    for e in &v.evidence {
        assert!(b.contains(&html_text(e)));
    }
}

#[test]
fn merged_story_ids_redirect_and_resolve_in_the_api() {
    let w = web::start();
    let mut store = w.store();
    let v = largest(&store);
    let gone = store
        .write(|tx| {
            let s = Store::create_story(tx, 0)?;
            Store::merge_story(tx, s, v.id, "test", 0)?;
            Ok(s)
        })
        .unwrap();
    let g = w.get(&format!("/story/{}", gone.0));
    assert_eq!(g.status, 308);
    assert_eq!(
        g.location.as_deref(),
        Some(format!("/story/{}", v.id.0).as_str())
    );
    let api: serde_json::Value =
        serde_json::from_str(&w.get(&format!("/api/story/{}", gone.0)).body).unwrap();
    let mut v = v;
    firsthand::output::views::readable_anchors(&store, &mut v).unwrap();
    assert_eq!(api, serde_json::to_value(json::story(&v)).unwrap());
}

#[test]
fn api_json_equals_the_command_line() {
    let w = web::start();
    let store = w.store();
    let cli = |list: Vec<StoryView>| {
        serde_json::to_value(list.iter().map(json::story).collect::<Vec<_>>()).unwrap()
    };
    let body =
        |path: &str| -> serde_json::Value { serde_json::from_str(&w.get(path).body).unwrap() };
    assert_eq!(
        body("/api/stories"),
        cli(views(&store, None, false, None).unwrap())
    );
    assert_eq!(
        body("/api/stories?all=1&limit=3"),
        cli(views(&store, None, true, Some(3)).unwrap())
    );
    for mut v in views(&store, None, true, None).unwrap() {
        let api = w.get(&format!("/api/story/{}", v.id.0));
        // Byte for byte what `story ID --json` prints (anchors as the texts write them).
        firsthand::output::views::readable_anchors(&store, &mut v).unwrap();
        let printed = serde_json::to_string_pretty(&json::story(&v)).unwrap() + "\n";
        assert_eq!(api.body, printed);
    }
}

/// Parses the Prometheus text format strictly enough to catch a malformed line: every
/// sample belongs to a family declared with `# TYPE` before it; returns name{labels} →
/// value.
fn parse_prometheus(text: &str) -> BTreeMap<String, f64> {
    let mut types: BTreeMap<String, String> = BTreeMap::new();
    let mut samples = BTreeMap::new();
    let name_ok = |n: &str| {
        !n.is_empty()
            && n.chars().enumerate().all(|(i, c)| {
                c.is_ascii_alphabetic() || c == '_' || c == ':' || (i > 0 && c.is_ascii_digit())
            })
    };
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# ") {
            let mut parts = rest.splitn(3, ' ');
            let (kw, name, tail) = (
                parts.next().unwrap(),
                parts.next().unwrap(),
                parts.next().unwrap(),
            );
            assert!(name_ok(name), "{line}");
            match kw {
                "HELP" => assert!(!tail.is_empty()),
                "TYPE" => {
                    assert!(
                        ["counter", "gauge", "histogram", "summary", "untyped"].contains(&tail),
                        "{line}"
                    );
                    assert!(
                        types.insert(name.to_string(), tail.to_string()).is_none(),
                        "{line}"
                    );
                }
                _ => panic!("unknown comment {line}"),
            }
            continue;
        }
        assert!(!line.trim().is_empty(), "blank line in metrics");
        let (series, value) = line.rsplit_once(' ').unwrap();
        let name = series.split('{').next().unwrap();
        assert!(name_ok(name), "{line}");
        assert!(types.contains_key(name), "sample before its TYPE: {line}");
        if let Some(labels) = series.strip_prefix(name).filter(|l| !l.is_empty()) {
            let inner = labels
                .strip_prefix('{')
                .and_then(|l| l.strip_suffix('}'))
                .unwrap();
            for pair in inner.split(',') {
                let (k, v) = pair.split_once('=').unwrap();
                assert!(
                    name_ok(k) && v.starts_with('"') && v.ends_with('"'),
                    "{line}"
                );
            }
        }
        let v: f64 = value
            .parse()
            .unwrap_or_else(|_| panic!("bad value in {line}"));
        samples.insert(series.to_string(), v);
    }
    samples
}

#[test]
fn metrics_parse_as_prometheus_text() {
    let w = web::start();
    let m = parse_prometheus(&w.get("/metrics").body);
    let store = w.store();
    let all = views(&store, None, true, None).unwrap();
    let articles: usize = all.iter().map(|v| v.members.len()).sum();
    // The world's feeds and the ingested file.
    assert_eq!(
        m["firsthand_feeds{status=\"active\"}"],
        (w.feeds + 1) as f64
    );
    assert_eq!(m["firsthand_feeds{status=\"disabled\"}"], 0.0);
    assert_eq!(m["firsthand_articles"], articles as f64);
    assert_eq!(m["firsthand_articles_pending"], 0.0);
    assert_eq!(m["firsthand_stories"], all.len() as f64);
    // Each world feed was fetched once (an ingested file's read may count too).
    assert!(m["firsthand_fetches_total{result=\"ok\"}"] >= w.feeds as f64);
    assert_eq!(m["firsthand_fetches_total{result=\"error\"}"], 0.0);
    assert_eq!(m["firsthand_feeds_failing"], 0.0);
    let copies: f64 = ["original", "duplicate", "syndicated", "translation"]
        .iter()
        .map(|r| m[&format!("firsthand_copies{{relation=\"{r}\"}}")])
        .sum();
    assert_eq!(copies, articles as f64);
    let last = m["firsthand_last_poll_timestamp_seconds"];
    assert!((last - chrono::Utc::now().timestamp() as f64).abs() < 600.0);
    // The pass's duration: from the `polls` table when the pass recorded itself there,
    // else the span of the fetches (all within one run here) plus the first one's own time.
    let conn = rusqlite::Connection::open(&w.db).unwrap();
    let recorded: Option<(i64, i64)> = conn
        .query_row(
            "SELECT started, finished FROM polls WHERE finished IS NOT NULL
             ORDER BY finished DESC, id DESC LIMIT 1",
            (),
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .unwrap();
    let want = if let Some((started, finished)) = recorded {
        (finished - started) as f64
    } else {
        let (first, last): (i64, i64) = conn
            .query_row("SELECT min(at), max(at) FROM fetches", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert!(last - first < 60, "the fetches form one run");
        let first_ms: i64 = conn
            .query_row(
                "SELECT duration_ms FROM fetches ORDER BY at, id LIMIT 1",
                (),
                |r| r.get(0),
            )
            .unwrap();
        (last - first) as f64 + first_ms as f64 / 1000.0
    };
    let got = m["firsthand_last_poll_duration_seconds"];
    assert!((got - want).abs() < 1e-9, "duration {got}, want {want}");

    // A later pass that took 42 s is the one reported.
    let now = chrono::Utc::now().timestamp();
    conn.execute(
        "INSERT INTO polls (started, finished) VALUES (?1, ?2)",
        [now - 42, now],
    )
    .unwrap();
    let m = parse_prometheus(&w.get("/metrics").body);
    assert_eq!(m["firsthand_last_poll_duration_seconds"], 42.0);
}

/// What must never appear in a page: the markup the hostile item carries, live.
fn assert_inert(what: &str, body: &str) {
    for live in [
        "<script",
        "href=\"javascript:",
        "href='javascript:",
        "\" onmouseover=\"x",
        "<img src=x",
    ] {
        assert!(!body.contains(live), "{what} contains {live:?}");
    }
}

#[test]
fn hostile_feed_text_is_escaped_everywhere() {
    let w = web::start();
    let store = w.store();
    let v = hostile_story(&store);
    let escaped = html_text(HOSTILE_TITLE);
    assert_eq!(
        escaped,
        "&lt;script&gt;alert(1)&lt;/script&gt; &quot; onmouseover=&quot;x"
    );
    let index = w.get("/?all=1");
    let story = w.get(&format!("/story/{}", v.id.0));
    let origin = w.get("/origin?url=javascript%3Aalert(1)");
    assert_eq!(
        origin_json(&store, "javascript:alert(1)").unwrap()["story"],
        v.id.0
    );
    for (what, g) in [
        ("index", &index),
        ("story page", &story),
        ("origin page", &origin),
    ] {
        assert_eq!(g.status, 200, "{what}");
        assert_inert(what, &g.body);
        assert!(g.body.contains(&escaped), "{what} shows the title as text");
    }
    // The link is shown, as text.
    assert!(story.body.contains("<span class=\"nolink\">"));
    assert!(
        origin
            .body
            .contains("<span class=\"nolink\">javascript:alert(1)</span>")
    );
    // A URL that closes a tag stays inside its attribute, percent-encoded.
    let origin_page = |url: &str| w.get(&format!("/origin?url={}", urlencode(url)));
    let quoted = origin_page("https://evil.example/a?q=\"><script>alert(4)</script>");
    assert_eq!(quoted.status, 200);
    assert_inert("origin page of a quoting URL", &quoted.body);
    assert!(
        quoted
            .body
            .contains("href=\"https://evil.example/a?q=%22%3E%3Cscript%3Ealert(4)%3C/script%3E\"")
    );
    // A 404 echoes the asked URL escaped.
    let missing = origin_page("https://x.example/\"><script>");
    assert_eq!(missing.status, 404);
    assert_inert("404 page", &missing.body);

    let atom = w.get("/feed.atom");
    assert_inert("atom", &atom.body);
    assert!(atom.body.contains(
        "<title>&lt;script&gt;alert(1)&lt;/script&gt; &quot; onmouseover=&quot;x</title>"
    ));
    assert!(!atom.body.contains("javascript:"));
    let feed = w.get("/feed.json");
    let doc: serde_json::Value = serde_json::from_str(&feed.body).unwrap();
    let item = doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"] == HOSTILE_TITLE)
        .expect("the hostile story is in the JSON feed, its title as plain text");
    let html = item["content_html"].as_str().unwrap();
    assert_inert("json feed content_html", html);
    assert!(html.contains(&escaped));
    assert!(!feed.body.contains("javascript:"));
}

#[test]
fn pages_answer_while_a_writer_holds_the_lock() {
    let w = web::start();
    let mut store = w.store();
    let before = parse_prometheus(&w.get("/metrics").body)["firsthand_feeds{status=\"active\"}"];
    // A writer in the middle of its transaction, as `poll` is while it stores a feed:
    // readers neither wait for it nor see what it has not committed.
    store
        .write(|tx| {
            tx.execute(
                "INSERT INTO feeds (url, created) VALUES ('http://127.0.0.1:9/new.xml', 0)",
                (),
            )?;
            // These requests are answered while the transaction is open: were a reader to
            // wait for the writer, it would wait on this very thread and fail at the busy
            // timeout instead of answering 200.
            assert_eq!(w.get("/").status, 200);
            let metrics = w.get("/metrics");
            assert_eq!(metrics.status, 200, "{}", metrics.body);
            let during = parse_prometheus(&metrics.body);
            assert_eq!(during["firsthand_feeds{status=\"active\"}"], before);
            Ok(())
        })
        .unwrap();
    let after = parse_prometheus(&w.get("/metrics").body);
    assert_eq!(after["firsthand_feeds{status=\"active\"}"], before + 1.0);
}
