//! No input panics: property tests over every stage that reads text from the outside —
//! feed parsing + normalisation (arbitrary bytes, generated XML and JSON feeds, mutated
//! real feed files), HTML extraction, number/date/anchor extraction, URL canonicalisation
//! (also idempotent), OPML import and `text::clean` (idempotent). Each harness runs a
//! fixed number of cases from a fixed seed, so CI is deterministic; set PROPTEST_CASES
//! and PROPTEST_RNG_SEED to search further. Every crash found stays below as a plain
//! regression table.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use firsthand::fingerprint::{anchors, dates, numbers};
use firsthand::normalize::{html, text, url as nurl};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use std::path::Path;

/// Cases per harness: PROPTEST_CASES, else `default`.
fn config(default: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(default);
    let seed = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(0x00f1_2574_4a4d);
    Config {
        cases,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(seed),
        ..Config::default()
    }
}

#[rustfmt::skip]
const LANGS: &[&str] = &[
    "en", "de", "fr", "es", "it", "ru", "uk", "cs", "zh", "ja", "hi", "is", "hr", "", "xx",
    "zh-CN", "pt_BR", "ü",
];

fn lang() -> impl Strategy<Value = String> {
    prop::sample::select(LANGS).prop_map(str::to_string)
}

/// Pieces that the extractors treat specially, so that random strings hit their paths.
#[rustfmt::skip]
const PIECES: &[&str] = &[
    "0", "1", "9", "10", "000", "1,5", "6.499", "6 499", "6\u{a0}499", "6\u{202f}499", "1'000",
    "1万", "一万", "三千", "两百", "十", "億", "亿", "тысяч", "млн", "Mrd.", "Mio.", "million", "billion",
    "mld", "lakh", "crore", "%", "٪", "‰", "-", "–", "—", "+", ".", ",", "'", "/", ":", "年",
    "月", "日", "号", "日本", "April", "avril", "апреля", "abril", "dubna", "März", "12th", "1st",
    "2021-04-12", "12.04.2021", "12/4", "०१२३", "１２３", "٣٤٥", "۴۵", "e10", "1e309",
    "99999999999999999999999999", "0.000000000000000000001", "Маск", "Musk", "GPT-4", "A100",
    "iPhone 15", "https://x.example/a?b=1", "@handle", "#tag", " ", "\n", "\t", "\u{200b}",
    "\u{301}", "é", "ß", "İ", "ﬁ", "\u{1b}[31m", "\u{1b}]0;t\u{7}", "\u{0}", "\u{feff}",
    "\u{fffd}", "𝟙𝟚", "Ⅻ", "½", "²", "㊿", "🚀", "&amp;", "&#x1F600;", "&#0;", "&#9999999999;",
    "<", ">", "<p>", "</p>", "<a href=x>", "<br>", "<script>", "<!--",
];

/// Text made of [`PIECES`] and random characters.
fn tricky_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            3 => prop::sample::select(PIECES).prop_map(str::to_string),
            1 => any::<char>().prop_map(String::from),
            1 => "[a-zA-Z ]{1,8}",
        ],
        0..40,
    )
    .prop_map(|v| v.concat())
}

/// Markup-heavy strings: tags, attributes, entities, comments, text.
fn html_like() -> impl Strategy<Value = String> {
    let tag = prop::sample::select(
        &[
            "p", "div", "a", "img", "br", "script", "style", "svg", "b", "li", "table", "td",
            "iframe", "head", "pre", "", "ß", "a1",
        ][..],
    );
    let part = prop_oneof![
        (tag.clone(), "[ a-z=\"'/:.#&;<x]{0,24}").prop_map(|(t, attrs)| format!("<{t} {attrs}>")),
        tag.prop_map(|t| format!("</{t}>")),
        "(href|src)=[\"']?[^\"'>]{0,20}[\"']?".prop_map(|a| format!("<a {a}>")),
        "&[#xa-zA-Z0-9]{0,10};?",
        Just("<!-- c -->".to_string()),
        Just("<!--".to_string()),
        Just("-->".to_string()),
        Just("<".to_string()),
        Just(">".to_string()),
        tricky_text(),
    ];
    prop::collection::vec(part, 0..30).prop_map(|v| v.concat())
}

// ---- HTML extraction ----------------------------------------------------------------

fn check_extract(s: &str) {
    let e = html::extract(s);
    for p in &e.paragraphs {
        assert!(!p.is_empty(), "empty paragraph from {s:?}");
        assert_eq!(text::clean(p), *p, "paragraph not clean from {s:?}");
    }
    for l in &e.links {
        assert!(
            l.paragraph < e.paragraphs.len(),
            "link index out of range for {s:?}"
        );
    }
}

proptest! {
    #![proptest_config(config(2048))]

    #[test]
    fn html_extract_never_panics(s in html_like()) {
        check_extract(&s);
    }

    #[test]
    fn html_extract_on_any_string(s in any::<String>()) {
        check_extract(&s);
    }
}

// ---- text::clean ----------------------------------------------------------------------

proptest! {
    #![proptest_config(config(4096))]

    #[test]
    fn clean_is_idempotent(s in tricky_text()) {
        let once = text::clean(&s);
        prop_assert_eq!(text::clean(&once), once.clone(), "input {:?}", s);
        prop_assert!(!once.contains('\x1b'), "escape kept");
        prop_assert!(!once.starts_with(' ') && !once.ends_with(' '));
    }

    #[test]
    fn clean_is_idempotent_on_any_string(s in any::<String>()) {
        let once = text::clean(&s);
        prop_assert_eq!(text::clean(&once), once.clone(), "input {:?}", s);
    }
}

// ---- numbers, dates, anchors ---------------------------------------------------------

fn check_spans(text: &str, spans: &[(usize, usize)], what: &str) {
    for &(start, end) in spans {
        assert!(
            start < end && end <= text.len(),
            "{what}: bad span {start}..{end} in {text:?}"
        );
        assert!(
            text.is_char_boundary(start) && text.is_char_boundary(end),
            "{what}: span {start}..{end} not on char boundaries in {text:?}"
        );
    }
    assert!(
        spans.windows(2).all(|w| w[0].0 <= w[1].0),
        "{what}: not in text order in {text:?}: {spans:?}"
    );
}

proptest! {
    #![proptest_config(config(2048))]

    #[test]
    fn numbers_never_panic(s in tricky_text(), lang in lang()) {
        let found = numbers::extract(&s, &lang);
        let spans: Vec<_> = found.iter().map(|n| (n.start, n.end)).collect();
        check_spans(&s, &spans, "numbers");
        for n in &found {
            prop_assert!(!n.key.is_empty());
            prop_assert!(n.key.chars().all(|c| c.is_ascii_digit() || c == '.'), "key {:?}", n.key);
        }
    }

    #[test]
    fn dates_never_panic(s in tricky_text(), lang in lang()) {
        let found = dates::extract(&s, &lang);
        let spans: Vec<_> = found.iter().map(|d| (d.start, d.end)).collect();
        check_spans(&s, &spans, "dates");
        prop_assert!(spans.windows(2).all(|w| w[0].1 <= w[1].0), "overlap in {:?}", s);
    }

    #[test]
    fn anchors_never_panic(title in tricky_text(), body in tricky_text(), lang in lang()) {
        let a = anchors::extract(&title, &body, &lang);
        let unique: std::collections::BTreeSet<_> = a.iter().collect();
        prop_assert_eq!(unique.len(), a.len(), "anchors repeat");
    }

    #[test]
    fn extractors_on_any_string(s in any::<String>(), lang in lang()) {
        let _ = numbers::extract(&s, &lang);
        let _ = dates::extract(&s, &lang);
        let _ = anchors::extract(&s, &s, &lang);
    }
}

// ---- URL canonicalisation ------------------------------------------------------------

fn url_like() -> impl Strategy<Value = String> {
    let scheme = prop::sample::select(
        &[
            "http://",
            "https://",
            "HTTPS://",
            "ftp://",
            "file://",
            "data:",
            "javascript:",
            "",
            "//",
            "mailto:",
        ][..],
    );
    let host = prop::sample::select(
        &[
            "example.com",
            "EXAMPLE.com",
            "www.example.com",
            "xn--bcher-kva.example",
            "bücher.example",
            "例え.jp",
            "127.0.0.1",
            "[::1]",
            "[::ffff:1.2.3.4]",
            "user:pw@h.example",
            "h.example:80",
            "h.example:443",
            "h.example:8080",
            "h.example:99999",
            "h.example.",
            "",
            "%41.example",
            "a..b",
            "-x-.example",
        ][..],
    );
    let path = "(/[a-zA-Z0-9%._~!$&'()*+,;=:@ é-]{0,8}){0,4}/?";
    let key = prop::sample::select(
        &[
            "utm_source",
            "UTM_Medium",
            "fbclid",
            "a",
            "b",
            "id",
            "",
            "x y",
            "%75tm_source",
            "mc_cid",
            "rss",
            "ref",
        ][..],
    );
    let query = prop::collection::vec((key, "[a-z0-9%+=&]{0,5}"), 0..4).prop_map(|kv| {
        if kv.is_empty() {
            String::new()
        } else {
            let pairs: Vec<String> = kv.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("?{}", pairs.join("&"))
        }
    });
    let frag = prop::option::of("#[a-z/?]{0,6}").prop_map(Option::unwrap_or_default);
    (scheme, host, path, query, frag).prop_map(|(s, h, p, q, f)| format!("{s}{h}{p}{q}{f}"))
}

fn check_canonical(raw: &str, base: Option<&str>) {
    let base = base.and_then(|b| url::Url::parse(b).ok());
    let Some(once) = nurl::canonical(raw, base.as_ref()) else {
        // Refused only when the input, resolved as a browser would, is no http(s) URL.
        let resolved = match url::Url::parse(raw.trim()) {
            Err(url::ParseError::RelativeUrlWithoutBase) => {
                base.as_ref().and_then(|b| b.join(raw.trim()).ok())
            }
            other => other.ok(),
        };
        assert!(
            raw.trim().is_empty()
                || resolved.is_none_or(|u| u.scheme() != "http" && u.scheme() != "https"),
            "{raw:?} (base {base:?}) is an http(s) URL, refused"
        );
        return;
    };
    assert!(
        once.starts_with("http://") || once.starts_with("https://"),
        "{raw:?} -> {once:?}"
    );
    assert!(!once.contains('#'), "{raw:?} -> {once:?} keeps a fragment");
    let twice = nurl::canonical(&once, None);
    assert_eq!(
        twice.as_deref(),
        Some(once.as_str()),
        "not idempotent for {raw:?}"
    );
    // Resolving again against the same base changes nothing either.
    let again = nurl::canonical(&once, base.as_ref());
    assert_eq!(
        again.as_deref(),
        Some(once.as_str()),
        "base changes {raw:?}"
    );
    let _ = nurl::site(&once);
}

proptest! {
    #![proptest_config(config(4096))]

    #[test]
    fn canonical_is_total_and_idempotent(
        raw in url_like(),
        base in prop::option::of(prop::sample::select(&[
            "https://example.com/news/", "http://h.example:8080/a/b?c=d", "https://例え.jp/x",
            "file:///etc/", "data:text/plain,x", "not a url",
        ][..])),
    ) {
        check_canonical(&raw, base);
    }

    #[test]
    fn canonical_on_any_string(raw in any::<String>()) {
        check_canonical(&raw, Some("https://example.com/a/"));
        let _ = nurl::site(&raw);
    }
}

// ---- OPML ----------------------------------------------------------------------------

fn opml_like() -> impl Strategy<Value = String> {
    let attr = prop_oneof![
        url_like().prop_map(|u| format!("xmlUrl=\"{u}\"")),
        url_like().prop_map(|u| format!("XMLURL='{u}'")),
        tricky_text().prop_map(|t| format!("title=\"{t}\"")),
        tricky_text().prop_map(|t| format!("text='{t}'")),
        Just("xmlUrl=".to_string()),
        Just("xmlUrl=\"".to_string()),
        Just("type=\"rss\"".to_string()),
        "[a-zA-Z=\"' ]{0,12}",
    ];
    let outline = (
        prop::collection::vec(attr, 0..4),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(attrs, close, nest)| {
            let a = attrs.join(" ");
            match (close, nest) {
                (true, _) => format!("<outline {a}/>"),
                (false, true) => format!("<outline {a}><outline {a}/></outline>"),
                (false, false) => format!("<outline {a}"),
            }
        });
    (
        prop::sample::select(&["<opml version=\"2.0\">", "<OPML>", "<opml", "", "<html>"][..]),
        prop::collection::vec(outline, 0..8),
        prop::sample::select(&["</body></opml>", "", "</opml", ">"][..]),
    )
        .prop_map(|(head, outlines, tail)| format!("{head}<body>{}{tail}", outlines.concat()))
}

fn check_opml(doc: &str) {
    let (outlines, skipped) = match firsthand::opml::parse(doc, "fuzz.opml") {
        Ok(r) => r,
        Err(e) => {
            // A refusal is one line that names the file.
            let msg = e.to_string();
            assert!(msg.contains("fuzz.opml"), "{msg}");
            assert!(!msg.contains('\n'), "one line: {msg:?}");
            return;
        }
    };
    for o in &outlines {
        assert!(
            o.url.starts_with("http://") || o.url.starts_with("https://"),
            "{doc:?} gave {o:?}"
        );
    }
    for s in &skipped {
        assert!(!s.contains('\n') || s.contains("xmlUrl"), "one line: {s:?}");
    }
    // What was read writes back and reads again to the same list.
    let list: Vec<(String, Option<String>)> = outlines
        .iter()
        .map(|o| (o.url.clone(), o.title.clone()))
        .collect();
    let (again, _) = firsthand::opml::parse(&firsthand::opml::write(&list), "w.opml").unwrap();
    assert_eq!(
        again.iter().map(|o| &o.url).collect::<Vec<_>>(),
        outlines.iter().map(|o| &o.url).collect::<Vec<_>>(),
        "round trip of {doc:?}"
    );
}

proptest! {
    #![proptest_config(config(2048))]

    #[test]
    fn opml_never_panics(doc in opml_like()) {
        check_opml(&doc);
    }

    #[test]
    fn opml_on_any_string(doc in any::<String>()) {
        check_opml(&doc);
        check_opml(&format!("<opml>{doc}"));
    }
}

// ---- feed parsing + normalisation ----------------------------------------------------

/// Parses and normalises, then fingerprints what came out: the whole synchronous path a
/// polled document takes before SQL.
fn check_feed(bytes: &[u8]) {
    match firsthand::pipeline::articles(bytes, "fuzz.xml", "https://feeds.example/feed.xml") {
        Ok((_, articles)) => {
            for a in &articles {
                assert!(!a.identity.is_empty());
                assert!(!a.lang.is_empty());
                assert!(a.paragraphs.iter().all(|p| !p.is_empty()));
                let paras: Vec<&str> = a.paragraphs.iter().map(String::as_str).collect();
                let fp = firsthand::fingerprint::compute(&a.title, &paras, &a.lang);
                let _ = fp;
                for u in a.links.iter().chain(&a.images).chain(&a.credits) {
                    assert!(!u.is_empty());
                }
            }
        }
        Err(firsthand::Error::NotAFeed { what, reason }) => {
            assert_eq!(what, "fuzz.xml");
            assert!(!reason.contains('\n'), "one line: {reason:?}");
        }
        Err(e) => panic!("unexpected error kind: {e}"),
    }
}

#[rustfmt::skip]
const ELEMENTS: &[&str] = &[
    "rss", "channel", "item", "title", "link", "description", "guid", "pubDate", "feed",
    "entry", "content", "summary", "id", "updated", "published", "author", "name", "source",
    "feedburner:origLink", "enclosure", "media:content", "media:group", "dc:date", "dc:creator",
    "content:encoded", "rdf:RDF", "language", "ttl", "category", "image", "url",
    "itunes:duration", "div", "p",
];

const ATTRS: &[&str] = &[
    "href=\"https://a.example/x\"",
    "href=\"/rel\"",
    "href=\"\"",
    "rel=\"alternate\"",
    "rel=\"self\"",
    "type=\"html\"",
    "type=\"xhtml\"",
    "type=\"text\"",
    "url=\"https://orig.example/feed\"",
    "xml:base=\"https://b.example/dir/\"",
    "xml:base=\"::\"",
    "xml:lang=\"de\"",
    "xmlns=\"http://www.w3.org/2005/Atom\"",
    "xmlns=\"http://www.w3.org/1999/xhtml\"",
    "version=\"2.0\"",
    "isPermaLink=\"false\"",
    "length=\"-1\"",
];

fn xml_text() -> impl Strategy<Value = String> {
    prop_oneof![
        tricky_text().prop_map(|t| firsthand::output::export::xml_escape(&t)),
        html_like().prop_map(|t| format!("<![CDATA[{t}]]>")),
        html_like().prop_map(|t| firsthand::output::export::xml_escape(&t)),
        prop::sample::select(
            &[
                "Tue, 14 Nov 2023 22:13:20 GMT",
                "2023-11-14T22:13:20Z",
                "2023-13-45T99:99:99+25:00",
                "Mon, 32 Foo 99999 00:00:00 XYZ",
                "-1",
                "99999999999999999999",
                "&unknown;",
                "&#xD800;",
                "&#1114112;",
                "]]>",
            ][..]
        )
        .prop_map(str::to_string),
    ]
}

fn xml_node() -> impl Strategy<Value = String> {
    let leaf = xml_text();
    leaf.prop_recursive(6, 64, 8, |inner| {
        (
            prop::sample::select(ELEMENTS),
            prop::collection::vec(prop::sample::select(ATTRS), 0..3),
            prop::collection::vec(inner, 0..8),
        )
            .prop_map(|(name, attrs, kids)| {
                let a = if attrs.is_empty() {
                    String::new()
                } else {
                    format!(" {}", attrs.join(" "))
                };
                format!("<{name}{a}>{}</{name}>", kids.concat())
            })
    })
}

/// One field of an item: mostly a known element with text, sometimes a deeper tree.
fn xml_field() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (
            prop::sample::select(ELEMENTS),
            prop::collection::vec(prop::sample::select(ATTRS), 0..3),
            xml_text(),
        )
            .prop_map(|(name, attrs, text)| {
                let a: String = attrs.iter().map(|a| format!(" {a}")).collect();
                format!("<{name}{a}>{text}</{name}>")
            }),
        1 => xml_node(),
    ]
}

fn xml_feed() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(
            &[
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>",
                "<?xml version=\"1.0\" encoding=\"windows-1252\"?>",
                "<?xml version=\"1.0\" encoding=\"UTF-16\"?>",
                "<?xml version=\"1.0\" encoding=\"bogus\"?>",
                "\u{feff}<?xml version=\"1.0\"?>",
                "",
            ][..],
        ),
        prop::sample::select(
            &[
                ("<rss version=\"2.0\"><channel><title>t</title>", "</channel></rss>"),
                ("<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title>", "</feed>"),
                (
                    "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\"><channel><title>t</title></channel>",
                    "</rdf:RDF>",
                ),
                ("<rss version=\"0.91\"><channel>", "</channel></rss>"),
            ][..],
        ),
        prop::collection::vec(prop::collection::vec(xml_field(), 0..8), 0..6),
        prop::sample::select(&["item", "entry"][..]),
    )
        .prop_map(|(prolog, (open, close), entries, item)| {
            let items: String = entries
                .iter()
                .map(|fields| format!("<{item}>{}</{item}>", fields.concat()))
                .collect();
            format!("{prolog}{open}{items}{close}").into_bytes()
        })
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|n| serde_json::json!(n)),
        any::<f64>().prop_map(|n| serde_json::json!(n)),
        tricky_text().prop_map(serde_json::Value::String),
        html_like().prop_map(serde_json::Value::String),
        Just(serde_json::json!("https://a.example/x")),
        Just(serde_json::json!("2023-11-14T22:13:20Z")),
    ];
    let keys = prop::sample::select(
        &[
            "version",
            "title",
            "items",
            "id",
            "url",
            "external_url",
            "content_html",
            "content_text",
            "summary",
            "date_published",
            "date_modified",
            "authors",
            "author",
            "name",
            "language",
            "home_page_url",
            "feed_url",
            "attachments",
            "tags",
            "image",
        ][..],
    );
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::btree_map(keys.clone(), inner, 0..8).prop_map(|m| {
                serde_json::Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    })
}

/// A JSON Feed item: an object of known keys, mostly with plausible values.
fn json_item() -> impl Strategy<Value = serde_json::Value> {
    let keys = prop::sample::select(
        &[
            "id",
            "url",
            "external_url",
            "title",
            "content_html",
            "content_text",
            "summary",
            "date_published",
            "date_modified",
            "language",
            "authors",
            "tags",
            "image",
        ][..],
    );
    let value = prop_oneof![
        3 => tricky_text().prop_map(serde_json::Value::String),
        3 => html_like().prop_map(serde_json::Value::String),
        1 => json_value(),
    ];
    prop::collection::btree_map(keys, value, 0..8).prop_map(|m| {
        serde_json::Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    })
}

fn json_feed() -> impl Strategy<Value = Vec<u8>> {
    (
        json_value(),
        prop::collection::vec(prop_oneof![4 => json_item(), 1 => json_value()], 0..5),
        any::<bool>(),
    )
        .prop_map(
        |(extra, items, spec)| {
            let mut doc = serde_json::json!({
                "version": if spec { "https://jsonfeed.org/version/1.1" } else { "https://jsonfeed.org/version/1" },
                "title": "t",
                "items": items,
            });
            if let (Some(obj), serde_json::Value::Object(more)) = (doc.as_object_mut(), extra) {
                for (k, v) in more {
                    if k != "version" {
                        obj.insert(k, v);
                    }
                }
            }
            serde_json::to_vec(&doc).unwrap()
        },
    )
}

/// Small real feeds of each format, mutated below.
const SEEDS: &[&str] = &[
    "feed-rs/feed-rs/fixture/rss2/rss_2.0_bbc.xml",
    "feed-rs/feed-rs/fixture/atom/atom_example_reddit.xml",
    "feed-rs/feed-rs/fixture/atom/atom_relative.xml",
    "feed-rs/feed-rs/fixture/rss1/rss_1.0_biorxiv.xml",
    "feed-rs/feed-rs/fixture/rss0/rss_0.91_encoding_1.xml",
    "feed-rs/feed-rs/fixture/rss0/rss_0.92_spec_1.xml",
    "feed-rs/feed-rs/fixture/jsonfeed/jsonfeed_elastic_1.1.json",
    "feed-rs/feed-rs/fixture/jsonfeed/jsonfeed_spec_1.json",
];

fn seeds() -> &'static [Vec<u8>] {
    static SEED_BYTES: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    SEED_BYTES.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/feeds");
        SEEDS
            .iter()
            .map(|p| std::fs::read(dir.join(p)).unwrap_or_else(|e| panic!("{p}: {e}")))
            .collect()
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(prop::sample::Index, u8),
    Set(prop::sample::Index, u8),
    Truncate(prop::sample::Index),
    Delete(prop::sample::Index, usize),
    Insert(prop::sample::Index, &'static str),
    Repeat(prop::sample::Index, usize, usize),
}

#[rustfmt::skip]
const SNIPPETS: &[&str] = &[
    "<", ">", "</item>", "<item>", "<entry>", "</entry>", "&", "&amp;", "&#0;", "&#xFFFF;",
    "<![CDATA[", "]]>", "<!--", "-->", "\"", "'", "\u{0}", "\u{1b}[2J", "\u{ff}", "\u{feff}",
    "\u{fffd}", "<title>", "</title>", "<link>", "<guid>", "<description>", "{", "}", "[", "]",
    ",", ":", "\"items\":", "\"id\":", "null", "<!DOCTYPE x [<!ENTITY a \"aaaa\">]>", "&a;",
    "<?xml version=\"1.0\" encoding=\"UTF-16\"?>", "xml:base=\"::\"",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    let idx = any::<prop::sample::Index>();
    prop_oneof![
        (idx.clone(), 1u8..=255).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (idx.clone(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        idx.clone().prop_map(Mutation::Truncate),
        (idx.clone(), 1usize..64).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (idx.clone(), prop::sample::select(SNIPPETS)).prop_map(|(i, s)| Mutation::Insert(i, s)),
        (idx, 1usize..32, 1usize..8).prop_map(|(i, n, k)| Mutation::Repeat(i, n, k)),
    ]
}

fn mutate(mut b: Vec<u8>, muts: &[Mutation]) -> Vec<u8> {
    for m in muts {
        if b.is_empty() {
            break;
        }
        match m {
            Mutation::Flip(i, x) => {
                let i = i.index(b.len());
                b[i] ^= x;
            }
            Mutation::Set(i, x) => {
                let i = i.index(b.len());
                b[i] = *x;
            }
            Mutation::Truncate(i) => {
                let i = i.index(b.len());
                b.truncate(i);
            }
            Mutation::Delete(i, n) => {
                let i = i.index(b.len());
                let end = (i + n).min(b.len());
                b.drain(i..end);
            }
            Mutation::Insert(i, s) => {
                let i = i.index(b.len() + 1);
                b.splice(i..i, s.bytes());
            }
            Mutation::Repeat(i, n, k) => {
                let i = i.index(b.len());
                let end = (i + n).min(b.len());
                let chunk = b[i..end].to_vec();
                for _ in 0..*k {
                    b.splice(end..end, chunk.iter().copied());
                }
            }
        }
    }
    b
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn feed_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        check_feed(&bytes);
    }

    #[test]
    fn generated_xml_feeds_never_panic(doc in xml_feed()) {
        check_feed(&doc);
    }

    #[test]
    fn generated_json_feeds_never_panic(doc in json_feed()) {
        check_feed(&doc);
    }

    #[test]
    fn mutated_real_feeds_never_panic(
        which in any::<prop::sample::Index>(),
        muts in prop::collection::vec(mutation(), 1..5),
    ) {
        let all = seeds();
        let doc = mutate(all[which.index(all.len())].clone(), &muts);
        check_feed(&doc);
    }
}

// ---- regressions: every crash or broken property found above, as a plain table -------

#[test]
fn regressions_clean_is_idempotent() {
    // A control or invisible character between a letter and a combining mark: dropped
    // after NFKC, the second pass composed them.
    let cases = [
        "g\u{7f}\u{301}",
        "e\u{200b}\u{301}",
        "\u{1100}\u{7}\u{1161}",
        "a\u{1b}[31m\u{301}",
        "A\u{feff}\u{30a}",
    ];
    for s in cases {
        let once = text::clean(s);
        assert_eq!(text::clean(&once), once, "{s:?}");
    }
    assert_eq!(text::clean("g\u{7f}\u{301}"), "\u{1f5}");
}

#[test]
fn regressions_canonical_is_idempotent() {
    // Only one trailing '/' was dropped, so a second pass dropped another.
    let cases: &[(&str, Option<&str>, &str)] = &[
        ("http://example.com///", None, "http://example.com/"),
        ("https://x.example/a//", None, "https://x.example/a"),
        (
            "\u{1130f}\\/",
            Some("https://example.com/a/"),
            "https://example.com/a/%F0%91%8C%8F",
        ),
        ("https://x.example/a/?b=1", None, "https://x.example/a/?b=1"),
    ];
    for (raw, base, want) in cases {
        let base = base.and_then(|b| url::Url::parse(b).ok());
        let once = nurl::canonical(raw, base.as_ref());
        assert_eq!(once.as_deref(), Some(*want), "{raw:?}");
        assert_eq!(
            nurl::canonical(want, None).as_deref(),
            Some(*want),
            "{raw:?}"
        );
    }
}

/// (name, document) pairs that each hold one item titled "café".
fn encoded_feeds() -> Vec<(&'static str, Vec<u8>)> {
    let body = "<rss version=\"2.0\"><channel><title>t</title><item><title>caf\u{e9}</title><link>https://a.example/1</link></item></channel></rss>";
    let latin1 = |s: &str| {
        s.chars()
            .map(|c| u8::try_from(u32::from(c)).unwrap())
            .collect::<Vec<u8>>()
    };
    let utf16 = |s: &str, be: bool| {
        let mut out = if be {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for u in s.encode_utf16() {
            out.extend(if be { u.to_be_bytes() } else { u.to_le_bytes() });
        }
        out
    };
    let decl16 = format!("<?xml version=\"1.0\" encoding=\"UTF-16\"?>{body}");
    vec![
        // quick-xml panicked switching decoders past its 64-byte look-ahead
        ("utf-16be with a byte-order mark", utf16(&decl16, true)),
        ("utf-16le with a byte-order mark", utf16(&decl16, false)),
        (
            "a declaration longer than 64 bytes",
            latin1(&format!(
                "<?xml version=\"1.0\" encoding=\"windows-1252\" standalone=\"yes\"       ?>{body}"
            )),
        ),
        (
            "a second declaration",
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><item><title>caf\u{e9}</title></item></channel></rss>"
                .as_bytes()
                .to_vec(),
        ),
        // refused before ("no root element")
        (
            "blank lines before a latin-1 declaration",
            latin1(&format!(
                "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>{body}"
            )),
        ),
        // UTF-8 bytes under a prolog that names Latin-1: the bytes win
        (
            "utf-8 under a latin-1 prolog",
            format!("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>{body}").into_bytes(),
        ),
        (
            "a latin-1 declaration",
            latin1(&format!("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>{body}")),
        ),
        (
            "a declaration inside CDATA stays text",
            "<rss version=\"2.0\"><channel><title>t</title><item><title>caf\u{e9}</title><description><![CDATA[<?xml version=\"1.0\" encoding=\"KOI8-R\"?>]]></description></item></channel></rss>"
                .as_bytes()
                .to_vec(),
        ),
    ]
}

#[test]
fn regressions_declared_encodings() {
    for (name, doc) in encoded_feeds() {
        let (_, articles) = firsthand::pipeline::articles(&doc, name, "https://f.example/")
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let titles: Vec<&str> = articles.iter().map(|a| a.title.as_str()).collect();
        assert_eq!(titles, ["caf\u{e9}"], "{name}");
    }
}

#[test]
fn regressions_linear_in_hostile_input() {
    // Every '<' without a '>' after it looked for one again: 400 KB took minutes.
    let cases = [
        ("a < b", vec!["a < b"]),
        ("<<<x", vec!["<<<x"]),
        // A tag cut off by the end of the input is dropped, as a browser drops it.
        ("<p>one</p>two <three", vec!["one", "two"]),
        ("<p>one</p>two < three", vec!["one", "two < three"]),
    ];
    for (input, want) in cases {
        assert_eq!(html::extract(input).paragraphs, want, "{input:?}");
    }
    let lts = "<".repeat(1 << 20) + " end";
    let e = html::extract(&lts);
    assert_eq!(e.paragraphs.len(), 1);
    assert!(e.paragraphs[0].ends_with("< end"));

    // OPML import lowercased the rest of the document once per outline.
    let outlines: String = (0..20_000)
        .map(|i| format!("<outline text=\"F{i}\" xmlUrl=\"https://s{i}.example/feed\"/>\n"))
        .collect();
    let doc = format!("<opml version=\"2.0\"><body>{outlines}{outlines}</body></opml>");
    let (got, skipped) = firsthand::opml::parse(&doc, "big.opml").unwrap();
    assert_eq!(got.len(), 20_000, "each once");
    assert!(skipped.is_empty());
    assert_eq!(got[19_999].url, "https://s19999.example/feed");
}

#[test]
fn regressions_opml_entries() {
    // A '>' inside a title ended the tag (the feed was lost silently); an unterminated
    // xmlUrl ran on into the rest of the document and was imported as a URL.
    let cases: &[(&str, &[&str], usize)] = &[
        (
            r#"<opml><body><outline title="a > b" xmlUrl="https://x.example/f"/></body></opml>"#,
            &["https://x.example/f"],
            0,
        ),
        (
            "<opml><body><outline text=\"cut\" xmlUrl=\"https://cut.example/feed\n</body></opml>",
            &[],
            1,
        ),
        (
            r#"<opml><outline xmlUrl=https://u.example/f/><outline xmlUrl="https://ok.example/f"/>"#,
            &["https://ok.example/f"],
            1,
        ),
        (
            r#"<opml><outline text="folder"><outline xmlUrl=""/></outline>"#,
            &[],
            1,
        ),
    ];
    for (doc, urls, skipped) in cases {
        let (got, why) = firsthand::opml::parse(doc, "r.opml").unwrap();
        let got: Vec<&str> = got.iter().map(|o| o.url.as_str()).collect();
        assert_eq!(&got, urls, "{doc:?}");
        assert_eq!(why.len(), *skipped, "{doc:?}: {why:?}");
    }
}
