//! Every feed format and text construct feedparser reads, read by firsthand (issue 17): one
//! fixture per case under tests/fixtures/formats (written from the specs: RSS 0.90–2.01,
//! RDF with Dublin Core, DC terms and content, Atom 0.3 and 1.0, JSON Feed 1.0 and 1.1, and
//! the encodings and repairs real feeds need). Each is ingested alone into a fresh database
//! and what is stored (title, link, body text, links, images, publication time) is compared
//! with its golden; a refusal's reason is compared too. The named tests below pin the cases
//! the issue lists, so a regression says which case broke.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use firsthand::Error;
use firsthand::store::Store;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/formats")
}

/// One stored article, as read back from SQLite.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
struct Stored {
    title: String,
    url: Option<String>,
    body: Vec<String>,
    links: Vec<String>,
    images: Vec<String>,
    published: Option<String>,
}

/// Ingests `name` alone into a fresh database; the stored articles in document order, or the
/// refusal's message. file: URLs of the fixture directory read as `file:///fixtures/…`.
fn ingest(name: &str) -> Result<Vec<Stored>, String> {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("f.db");
    let mut store = Store::open(&db).unwrap();
    let path = fixtures().join(name);
    match firsthand::pipeline::ingest::file(&mut store, &path) {
        Ok(_) => {}
        Err(e @ Error::NotAFeed { .. }) => {
            let msg = e.to_string();
            assert!(!msg.contains('\n'), "one line: {msg}");
            return Err(msg.replace(&path.display().to_string(), name));
        }
        Err(e) => panic!("{name}: {e}"),
    }
    drop(store);
    let base = url::Url::from_directory_path(std::fs::canonicalize(fixtures()).unwrap())
        .unwrap()
        .to_string();
    let local = |s: String| s.replace(&base, "file:///fixtures/");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let mut stmt = conn
        .prepare("SELECT title, url, body, links, images, published FROM articles ORDER BY id")
        .unwrap();
    let rows = stmt
        .query_map([], |r| {
            let list = |i: usize| -> rusqlite::Result<Vec<String>> {
                let s: String = r.get(i)?;
                Ok(serde_json::from_str::<Vec<String>>(&s)
                    .unwrap()
                    .into_iter()
                    .map(local)
                    .collect())
            };
            let body: String = r.get(2)?;
            Ok(Stored {
                title: r.get(0)?,
                url: r.get::<_, Option<String>>(1)?.map(local),
                body: body
                    .lines()
                    .filter(|l| !l.is_empty())
                    .map(String::from)
                    .collect(),
                links: list(3)?,
                images: list(4)?,
                published: r.get::<_, Option<i64>>(5)?.map(|t| {
                    chrono::DateTime::from_timestamp(t, 0)
                        .unwrap()
                        .format("%Y-%m-%dT%H:%M:%SZ")
                        .to_string()
                }),
            })
        })
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    Ok(rows)
}

fn stored(name: &str) -> Vec<Stored> {
    ingest(name).unwrap_or_else(|e| panic!("{name} refused: {e}"))
}

/// Goldens: every fixture in, what is stored (or the refusal) out. FIRSTHAND_BLESS=1 rewrites
/// them after a deliberate change; review the diff.
#[test]
fn every_fixture_matches_its_golden() {
    let bless = std::env::var_os("FIRSTHAND_BLESS").is_some();
    let golden_dir = fixtures().join("golden");
    let mut names: Vec<String> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".xml") || n.ends_with(".json"))
        .collect();
    names.sort();
    assert!(names.len() >= 25, "fixtures: {names:?}");
    for name in names {
        let got = match ingest(&name) {
            Ok(articles) => serde_json::json!({ "articles": articles }),
            Err(reason) => serde_json::json!({ "refused": reason }),
        };
        let pretty = serde_json::to_string_pretty(&got).unwrap() + "\n";
        let path = golden_dir.join(format!("{name}.json"));
        if bless {
            std::fs::create_dir_all(&golden_dir).unwrap();
            std::fs::write(&path, &pretty).unwrap();
        }
        let want = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("missing golden {}", path.display()));
        assert_eq!(pretty, want, "{name}: FIRSTHAND_BLESS=1 rewrites goldens");
    }
}

#[test]
fn every_rss_version_is_read() {
    for (name, n) in [
        ("rss090.xml", 2),
        ("rss091.xml", 1),
        ("rss092.xml", 1),
        ("rss093.xml", 1),
        ("rss094.xml", 2),
        ("rss10.xml", 2),
        ("rss20.xml", 1),
        ("rss201.xml", 1),
        ("rss-bare.xml", 2),
        ("rss-namespaced.xml", 1),
        ("rss-prefixed.xml", 1),
    ] {
        assert_eq!(stored(name).len(), n, "{name}");
    }
    // A prefixed root's items are RSS; an element of the same name in another namespace is not.
    assert_eq!(
        stored("rss-prefixed.xml")[0].title,
        "Item under a prefixed root"
    );
    // RSS 0.93's item date.
    assert_eq!(
        stored("rss093.xml")[0].published.as_deref(),
        Some("2001-04-16T08:30:00Z")
    );
}

#[test]
fn atom_0_3_is_read_with_its_dates_and_content_modes() {
    let a = stored("atom03.xml");
    assert_eq!(a.len(), 3);
    assert_eq!(a[0].published.as_deref(), Some("2003-12-13T12:29:29Z"));
    assert_eq!(a[0].body, ["Escaped HTML content."]);
    assert_eq!(a[1].title, "Base64 title");
    assert_eq!(a[1].body, ["Base64 HTML content."]);
    assert_eq!(a[1].published.as_deref(), Some("2003-12-14T10:00:00Z"));
    assert_eq!(a[2].title, "Inline XML title");
    assert_eq!(
        a[2].links,
        ["http://diveintomark.org/2003/12/15/rel/uri"],
        "inline XHTML links resolve against the content's xml:base"
    );
}

#[test]
fn text_constructs_are_read_by_their_type() {
    let a = stored("atom10.xml");
    // type="html": escaped markup is decoded, then stripped.
    assert_eq!(a[0].title, "Example Atom");
    // type="text": literal, even where it looks like markup.
    assert_eq!(a[1].title, "History of the <blink> tag");
    assert_eq!(a[1].body, ["Use <b> for bold &amp; <i> for italics."]);
    // type="xhtml".
    assert_eq!(a[2].title, "An XHTML title");
    // base64 (application/octet-stream), application/xhtml+xml, type="".
    assert_eq!(a[3].body, ["Base64 content."]);
    assert_eq!(a[4].body, ["XHTML by its media type."]);
    assert_eq!(a[4].title, "An empty type is text");
    assert_eq!(a[5].body, ["Plain <text> content."]);
    // JSON Feed's content_text is text too.
    assert_eq!(
        stored("jsonfeed10.json")[1].body,
        ["Text content: <b> is kept as written.", "A second line."]
    );
}

#[test]
fn links_come_from_guids_ids_and_element_text() {
    let rss = stored("rss094.xml");
    assert_eq!(
        rss[0].url.as_deref(),
        Some("http://example.org/2002/08/22/permalink")
    );
    assert_eq!(
        rss[1].url.as_deref(),
        Some("http://example.org/2002/08/23/linked")
    );
    let atom = stored("atom10.xml");
    assert_eq!(atom[2].url.as_deref(), Some("http://example.org/entries/3"));
    assert_eq!(atom[3].url.as_deref(), Some("http://example.org/entries/4"));
    // An RSS 1.0 item without a link is still stored; a tag: guid is no link.
    let rdf = stored("rss10.xml");
    assert_eq!(rdf[1].url, None);
    assert_eq!(rdf[1].title, "An item without a link");
    assert_eq!(
        stored("rss20.xml")[0]
            .url
            .as_deref()
            .map(|u| u.contains("starcity")),
        Some(true)
    );
}

#[test]
fn dublin_core_and_bodies_stand_in_for_rss_elements() {
    let dc = stored("rss-dublin-core.xml");
    assert_eq!(dc[0].title, "Titled by Dublin Core");
    assert_eq!(dc[0].body, ["Described by Dublin Core."]);
    assert_eq!(dc[0].published.as_deref(), Some("2003-12-31T10:14:55Z"));
    assert_eq!(dc[1].published.as_deref(), Some("2004-01-01T08:00:00Z"));
    assert_eq!(dc[2].published.as_deref(), Some("2004-03-01T00:00:00Z"));
    let body = stored("rss-body.xml");
    assert_eq!(body[0].body, ["The whole story.", "Second paragraph."]);
    assert_eq!(body[1].body, ["Inline XHTML body."]);
    assert_eq!(body[2].body, ["Escaped full item."]);
}

#[test]
fn links_in_content_resolve_against_the_xml_base_in_scope() {
    // xml:base="rel/" on the content, inside the feed's xml:base http://example.org/feed/.
    assert_eq!(
        stored("atom10.xml")[0].links,
        ["http://example.org/feed/rel/uri"]
    );
    let rss = stored("rss20.xml");
    assert_eq!(
        rss[0].links,
        ["http://liftoff.msfc.nasa.gov/news/2003/rel/starcity.html"]
    );
    assert_eq!(
        rss[0].images,
        ["http://liftoff.msfc.nasa.gov/images/starcity.jpg"]
    );
}

#[test]
fn local_files_get_a_file_base() {
    let a = stored("rss-relative.xml");
    assert_eq!(a[0].url.as_deref(), Some("file:///fixtures/posts/1.html"));
    // Links in bodies are kept only when they are web links (url::canonical), so the
    // relative link resolved to a file: URL is not among them.
    assert!(a[0].links.is_empty(), "{:?}", a[0].links);
}

#[test]
fn encodings_are_decoded_and_repaired() {
    for (name, title) in [
        ("utf32be-bom.xml", "Zürich in UTF-32"),
        ("utf32le.xml", "Zürich in UTF-32LE"),
        ("utf16le-bom.xml", "Zürich in UTF-16"),
        ("latin1-undeclared.xml", "Café crème"),
        ("utf8-with-1252.xml", "don’t stop"),
    ] {
        assert_eq!(stored(name)[0].title, title, "{name}");
    }
    assert_eq!(
        stored("utf32be-bom.xml")[0].body,
        ["Grüße aus Zürich — 東京"]
    );
    assert_eq!(
        stored("utf8-with-1252.xml")[0].body,
        ["“Quoted” – and more... café"]
    );
    let r = stored("repairs.xml");
    assert_eq!(r[0].title, "don’t panic — it’s double-encoded");
    assert_eq!(r[0].body, ["Ellipsis by references: ..."]);
    assert_eq!(r[1].title, "don’t: windows-1252 by reference");
    assert_eq!(r[1].body, ["“Curly” quotes."]);
    // Entities declared in the internal DTD subset.
    assert_eq!(r[2].title, "About Firsthand Reader");
    assert_eq!(r[2].body, ["Firsthand Reader is free. © 2024 Example"]);
}

#[test]
fn refusals_name_the_real_cause() {
    assert_eq!(
        ingest("unread-items.xml").unwrap_err(),
        "unread-items.xml is not a feed: 2 <entry> element(s) but no entry could be read \
         (root element <feed xmlns=\"http://example.org/not-atom\">)"
    );
    assert_eq!(
        ingest("not-a-feed.xml").unwrap_err(),
        "not-a-feed.xml is not a feed: its root element <html> is not RSS, Atom or RDF"
    );
}
