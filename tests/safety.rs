//! Feeds are untrusted: non-HTTP subscriptions are refused; markup from a feed never
//! comes out unescaped in `export` (Atom and JSON Feed); terminal escape sequences in
//! feed text never reach a terminal through `stories`, `story`, `origin`, `feeds list`
//! or an error message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::{cli, count};

#[test]
fn non_http_subscriptions_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    for url in [
        "file:///etc/passwd",
        "data:application/rss+xml,<rss/>",
        "ftp://ftp.example/feed.xml",
        "javascript:alert(1)",
        "gopher://old.example/1",
        "http://",
        "not a url",
    ] {
        let r = cli(&db, &["feeds", "add", url]);
        assert_ne!(r.code, 0, "{url} was accepted: {r:#?}");
        let line = r.one_line(url);
        assert!(
            line.starts_with("error: ") && line.contains(url),
            "{url}: {line}"
        );
    }
    let r = cli(
        &db,
        &["feeds", "add", "file:///etc/passwd", "ftp://x.example/f"],
    );
    r.code(1, "two bad urls");
    assert_eq!(
        r.stderr
            .lines()
            .filter(|l| l.starts_with("error: "))
            .count(),
        2
    );
    // Refused before the database is opened: none was created.
    assert!(!db.exists());
}

/// An RSS item: (title as written in XML, link, description as written in XML).
const HOSTILE_ITEMS: &[(&str, &str, &str)] = &[
    // markup in the title: its text is kept, its tags are not
    (
        "&lt;script&gt;alert(1)&lt;/script&gt;Launch &lt;b onmouseover=alert(2)&gt;day&lt;/b&gt;",
        "https://hostile.example/1",
        "&lt;p&gt;Body &lt;img src=x onerror=alert(3)&gt; &lt;script&gt;alert(4)&lt;/script&gt;text about 10,000 GPUs&lt;/p&gt;",
    ),
    // markup escaped twice: it is text, and must stay text
    (
        "&amp;lt;script&amp;gt;alert(5)&amp;lt;/script&amp;gt; &amp;lt;img src=x onerror=alert(6)&amp;gt; &quot;quoted&quot; &amp;amp; more",
        "https://hostile.example/2",
        "&amp;lt;img src=x onerror=alert(7)&amp;gt; a body about 2,500 chips",
    ),
    (
        "<![CDATA[<img src=x onerror=alert(8)>]]> CDATA title ]]&gt;",
        "https://hostile.example/3?a=1&amp;b=%22%3E%3Cscript%3E",
        "<![CDATA[<iframe src=javascript:alert(9)></iframe><a href=\"javascript:alert(10)\">x</a> third body]]>",
    ),
];

#[test]
fn export_never_carries_feed_markup() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let file = dir.path().join("hostile.xml");
    std::fs::write(
        &file,
        support::rss("&lt;script&gt;alert(0)&lt;/script&gt;", HOSTILE_ITEMS),
    )
    .unwrap();
    cli(&db, &["ingest", file.to_str().unwrap()]).code(0, "ingest");
    assert_eq!(count(&db, "articles"), 3);

    // Atom: no element from the feed; after the one decoding a reader does to the
    // html content, still no markup from the feed.
    let atom = cli(&db, &["export", "--format", "atom"]);
    atom.code(0, "export atom");
    let out = &atom.stdout;
    for bad in ["<script", "<img", "<iframe", "<b ", "javascript:"] {
        assert!(!out.contains(bad), "{bad} in the Atom export:\n{out}");
    }
    let mut contents = 0;
    for part in out.split("<content type=\"html\">").skip(1) {
        let html = part.split("</content>").next().unwrap();
        let decoded = html_escape::decode_html_entities(html);
        for bad in [
            "<script",
            "<img",
            "<iframe",
            "<b ",
            "<b>",
            "href=\"javascript:",
        ] {
            assert!(
                !decoded.contains(bad),
                "{bad} in an entry's html: {decoded}"
            );
        }
        // the only tags are firsthand's own
        for tag in decoded.split('<').skip(1) {
            let name: String = tag.chars().take_while(|c| *c != ' ' && *c != '>').collect();
            assert!(
                ["p", "/p", "ul", "/ul", "li", "/li", "a", "/a"].contains(&name.as_str()),
                "<{name} in an entry's html: {decoded}"
            );
        }
        contents += 1;
    }
    assert_eq!(contents, 3);
    // And it is well-formed Atom whose titles read back as the stories' titles.
    let feed = feed_rs::parser::parse(out.as_bytes()).unwrap();
    assert_eq!(feed.entries.len(), 3);
    let titles: Vec<String> = {
        let v: serde_json::Value =
            serde_json::from_str(&cli(&db, &["stories", "--json", "--all"]).stdout).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s["title"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(
        titles
            .iter()
            .any(|t| t.contains("<script>alert(5)</script>")),
        "the twice-escaped title is text: {titles:?}"
    );
    for e in &feed.entries {
        let t = &e.title.as_ref().unwrap().content;
        assert!(titles.contains(t), "{t:?} not in {titles:?}");
    }

    // JSON Feed: content_html holds no markup from the feed either.
    let json = cli(&db, &["export", "--format", "json"]);
    json.code(0, "export json");
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    for item in v["items"].as_array().unwrap() {
        let html = item["content_html"].as_str().unwrap();
        for bad in ["<script", "<img", "<iframe", "<b ", "href=\"javascript:"] {
            assert!(!html.contains(bad), "{bad} in content_html: {html}");
        }
    }
}

const ESCAPES: &[&str] = &["\u{1b}", "\u{7}", "\u{9b}", "\u{8}"];

fn assert_no_escapes(text: &str, what: &str) {
    for e in ESCAPES {
        assert!(!text.contains(e), "{what} carries {e:?}:\n{text:?}");
    }
}

#[test]
fn terminal_escapes_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let title = "Red \u{1b}[31malert\u{1b}[0m and \u{1b}]0;pwned\u{7} title \u{9b}2J\u{8}";
    let json = serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": format!("Feed {title}"),
        "home_page_url": "https://esc.example/",
        "items": [
            {"id": "1", "url": "https://esc.example/1", "title": title,
             "content_text": format!("Body {title} about 10,000 GPUs")},
            {"id": "2", "url": "https://esc.example/2", "title": format!("Second {title}"),
             "content_html": format!("<p>Other {title} text on 2,500 chips</p>")},
        ]
    });
    let file = dir.path().join("esc.json");
    std::fs::write(&file, serde_json::to_vec(&json).unwrap()).unwrap();
    // The same in RSS, control characters written raw.
    let rss = dir.path().join("esc.xml");
    std::fs::write(
        &rss,
        support::rss(title, &[(title, "https://esc.example/3", title)]),
    )
    .unwrap();
    let r = cli(
        &db,
        &["ingest", file.to_str().unwrap(), rss.to_str().unwrap()],
    );
    assert!(r.code == 0 || r.code == 1, "{r:#?}");
    assert!(count(&db, "articles") >= 2);

    let stories = cli(&db, &["stories", "--all"]);
    stories.code(0, "stories");
    assert_no_escapes(&stories.stdout, "stories");
    assert!(stories.stdout.contains("alert"), "{}", stories.stdout);
    let v: serde_json::Value =
        serde_json::from_str(&cli(&db, &["stories", "--json", "--all"]).stdout).unwrap();
    for s in v.as_array().unwrap() {
        let id = s["id"].to_string();
        let story = cli(&db, &["story", &id]);
        story.code(0, "story");
        assert_no_escapes(&story.stdout, "story");
        for m in s["members"].as_array().unwrap() {
            let url = m["url"].as_str().unwrap();
            let origin = cli(&db, &["origin", url]);
            origin.code(0, "origin");
            assert_no_escapes(&origin.stdout, "origin");
        }
    }
    let feeds = cli(&db, &["feeds", "list"]);
    assert_no_escapes(&feeds.stdout, "feeds list");
    let atom = cli(&db, &["export", "--format", "atom"]);
    assert_no_escapes(&atom.stdout, "export");

    // A document that is not a feed, with escapes where a parser may quote it.
    let bad = dir.path().join("bad.xml");
    std::fs::write(
        &bad,
        "<rss version=\"2.0\"><channel><title>x</title><\u{1b}]0;pwned\u{7}></\u{1b}[2J>",
    )
    .unwrap();
    let r = cli(&db, &["ingest", bad.to_str().unwrap()]);
    r.code(1, "ingest of a broken document");
    assert_no_escapes(&r.stderr, "the error message");
}
