//! Content sniffing for discovery: is this body a feed, and which feeds does this HTML
//! page advertise? A small tolerant scanner, not an HTML parser: it reads `<link>` and
//! `<base>` tags anywhere, skips comments, scripts and styles, and never fails.

use serde::Deserialize;

/// Feed media types a `<link rel=alternate>` may carry, best first. Plain JSON comes last
/// because sites also use it for API documents.
const FEED_TYPES: [(&str, u8); 5] = [
    ("application/rss+xml", 0),
    ("application/atom+xml", 0),
    ("application/feed+json", 0),
    ("application/rdf+xml", 0),
    ("application/json", 1),
];

/// True when `body` is an RSS, RDF, Atom or JSON Feed document, judged by its first
/// element (after any XML declaration, comments and doctype) or its JSON `version`.
pub fn looks_like_feed(body: &[u8]) -> bool {
    let body = sniff_bytes(body);
    let text = String::from_utf8_lossy(&body);
    let text = text.trim_start();
    if text.starts_with('{') {
        return is_json_feed(text);
    }
    matches!(
        root_element(text).as_deref(),
        Some("rss" | "feed" | "rdf" | "rdf:rdf")
    )
}

/// The `href` of every `<link rel="alternate">` with a feed type, raw (not resolved),
/// in page order with feed types before plain JSON.
pub fn feed_links(html: &str) -> Vec<String> {
    let mut found: Vec<(u8, String)> = Vec::new();
    for (name, attrs) in tags(html) {
        if name != "link" {
            continue;
        }
        let get = |key: &str| {
            attrs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        let rel_ok = get("rel").is_some_and(|rel| {
            rel.split_ascii_whitespace()
                .any(|r| r.eq_ignore_ascii_case("alternate") || r.eq_ignore_ascii_case("feed"))
        });
        let media = get("type")
            .map(|t| {
                t.split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            })
            .unwrap_or_default();
        let rank = FEED_TYPES
            .iter()
            .find(|(t, _)| *t == media)
            .map(|(_, rank)| *rank);
        let (Some(rank), Some(href)) = (rank, get("href")) else {
            continue;
        };
        let href = href.trim();
        // WordPress advertises its REST API as rel=alternate application/json
        if !rel_ok || href.is_empty() || (rank > 0 && href.contains("/wp-json/")) {
            continue;
        }
        found.push((rank, href.to_string()));
    }
    // stable: page order kept within a rank
    found.sort_by_key(|(rank, _)| *rank);
    found.into_iter().map(|(_, href)| href).collect()
}

/// The first `<base href>`, which relative links resolve against.
pub fn base_href(html: &str) -> Option<String> {
    tags(html).into_iter().find_map(|(name, attrs)| {
        (name == "base")
            .then(|| attrs.into_iter().find(|(k, _)| k == "href").map(|(_, v)| v))
            .flatten()
    })
}

/// Drops a UTF-8 byte-order mark; squeezes UTF-16 into bytes good enough to sniff ASCII.
fn sniff_bytes(body: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    match body {
        [0xEF, 0xBB, 0xBF, rest @ ..] => rest.into(),
        [0xFE, 0xFF, rest @ ..] | [0xFF, 0xFE, rest @ ..] => rest
            .iter()
            .take(8192)
            .copied()
            .filter(|b| *b != 0)
            .collect::<Vec<u8>>()
            .into(),
        _ => body.into(),
    }
}

/// A JSON object whose `version` names the JSON Feed spec.
fn is_json_feed(text: &str) -> bool {
    #[derive(Deserialize)]
    struct Probe {
        version: Option<serde_json::Value>,
    }
    serde_json::from_str::<Probe>(text)
        .ok()
        .and_then(|p| p.version)
        .and_then(|v| v.as_str().map(|s| s.contains("jsonfeed.org/version")))
        .unwrap_or(false)
}

/// The lowercased name of the first element, skipping the prolog.
fn root_element(text: &str) -> Option<String> {
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("<?") {
            rest = after.split_once("?>")?.1;
        } else if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.split_once("-->")?.1;
        } else if let Some(after) = rest.strip_prefix("<!") {
            rest = skip_declaration(after)?;
        } else {
            let after = rest.strip_prefix('<')?;
            let name: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || matches!(c, ':' | '-' | '_' | '.'))
                .collect();
            return (!name.is_empty()).then(|| name.to_lowercase());
        }
    }
}

/// Skips a `<!DOCTYPE …>` body, including an internal subset in brackets.
fn skip_declaration(text: &str) -> Option<&str> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '>' if depth == 0 => return text.get(i + 1..),
            _ => {}
        }
    }
    None
}

/// Every start tag named `link` or `base` with its attributes (names lowercased, values
/// entity-decoded). Other tags are skipped; `<script>` and `<style>` bodies and comments
/// are jumped over so a link inside them is not taken.
fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(offset) = bytes
        .get(i..)
        .and_then(|b| b.iter().position(|&c| c == b'<'))
    {
        i += offset + 1;
        let rest = html.get(i..).unwrap_or_default();
        if rest.starts_with("!--") {
            i += rest.find("-->").map_or(rest.len(), |end| end + 3);
            continue;
        }
        let name_len = rest.bytes().take_while(u8::is_ascii_alphanumeric).count();
        let name = rest
            .get(..name_len)
            .unwrap_or_default()
            .to_ascii_lowercase();
        i += name_len;
        match name.as_str() {
            "link" | "base" => {
                let (attrs, used) = attributes(html.get(i..).unwrap_or_default());
                i += used;
                out.push((name, attrs));
            }
            "script" | "style" => {
                let close = format!("</{name}");
                let rest = html.get(i..).unwrap_or_default();
                i += find_ignore_case(rest, &close).unwrap_or(rest.len());
            }
            _ => {}
        }
    }
    out
}

/// Parses attributes up to the closing `>`; returns them and the bytes consumed.
fn attributes(text: &str) -> (Vec<(String, String)>, usize) {
    let bytes = text.as_bytes();
    let at = |i: usize| bytes.get(i).copied();
    let mut attrs = Vec::new();
    let mut i = 0;
    loop {
        while at(i).is_some_and(|c| c.is_ascii_whitespace() || c == b'/') {
            i += 1;
        }
        match at(i) {
            None => return (attrs, i),
            Some(b'>') => return (attrs, i + 1),
            Some(_) => {}
        }
        let start = i;
        while at(i).is_some_and(|c| !c.is_ascii_whitespace() && c != b'=' && c != b'>') {
            i += 1;
        }
        let name = text.get(start..i).unwrap_or_default().to_ascii_lowercase();
        while at(i).is_some_and(|c| c.is_ascii_whitespace()) {
            i += 1;
        }
        let mut value = String::new();
        if at(i) == Some(b'=') {
            i += 1;
            while at(i).is_some_and(|c| c.is_ascii_whitespace()) {
                i += 1;
            }
            let (v_start, v_end) = match at(i) {
                Some(q @ (b'"' | b'\'')) => {
                    let v_start = i + 1;
                    let len = bytes
                        .get(v_start..)
                        .and_then(|b| b.iter().position(|&c| c == q))
                        .unwrap_or(bytes.len().saturating_sub(v_start));
                    i = v_start + len + 1;
                    (v_start, v_start + len)
                }
                _ => {
                    let v_start = i;
                    while at(i).is_some_and(|c| !c.is_ascii_whitespace() && c != b'>') {
                        i += 1;
                    }
                    (v_start, i)
                }
            };
            value = html_escape::decode_html_entities(text.get(v_start..v_end).unwrap_or_default())
                .into_owned();
        }
        if !name.is_empty() {
            attrs.push((name, value));
        }
    }
}

/// Byte offset of `needle` (ASCII) in `hay`, ignoring ASCII case.
fn find_ignore_case(hay: &str, needle: &str) -> Option<usize> {
    let (hay, needle) = (hay.as_bytes(), needle.as_bytes());
    hay.windows(needle.len().max(1))
        .position(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feeds_are_recognised() {
        for body in [
            "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel/></rss>",
            "\u{feff}<?xml version='1.0' encoding='utf-8'?><!-- hi --><feed xmlns='http://www.w3.org/2005/Atom'/>",
            "  <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"></rdf:RDF>",
            "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY x \"y\">]><rss/>",
            "<?xml-stylesheet href=\"a.xsl\"?><rss/>",
            "{\"version\": \"https://jsonfeed.org/version/1.1\", \"title\": \"x\", \"items\": []}",
        ] {
            assert!(looks_like_feed(body.as_bytes()), "{body}");
        }
    }

    #[test]
    fn non_feeds_are_not() {
        for body in [
            "<!DOCTYPE html><html><head></head></html>",
            "<?xml version=\"1.0\"?><!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" \"x\"><html/>",
            "{\"version\": 2, \"items\": []}",
            "{\"name\": \"jsonfeed.org/version\"}",
            "{ not json",
            "<?xml never closed",
            "plain text",
            "",
        ] {
            assert!(!looks_like_feed(body.as_bytes()), "{body}");
        }
        assert!(!looks_like_feed(&[0xff, 0x00, 0x9c, 0x3c, 0x72]));
    }

    #[test]
    fn utf16_feed_is_sniffed() {
        let mut body = vec![0xFF, 0xFE];
        for c in "<rss version=\"2.0\"/>".bytes() {
            body.extend([c, 0]);
        }
        assert!(looks_like_feed(&body));
    }

    #[test]
    fn links_are_found_tolerantly() {
        let html = r#"<html><head>
            <!-- <link rel="alternate" type="application/rss+xml" href="/commented"> -->
            <script>var s = '<link rel="alternate" type="application/rss+xml" href="/scripted">';</script>
            <LINK REL="Alternate" TYPE="application/json" href="/feed.json">
            <link rel=alternate type=application/atom+xml href=/atom.xml>
            <link type='application/rss+xml; charset=utf-8' rel='alternate home' href='/rss?a=1&amp;b=2' />
            <link rel="alternate" type="application/json" href="https://x.test/wp-json/wp/v2/pages/2">
            <link rel="stylesheet" type="text/css" href="/s.css">
            <link rel="alternate" hreflang="fr" href="/fr/">
            <link rel="alternate" type="application/feed+json" href="">
            <link rel="alternate" type="application/feed+json" href="feed.json"
        "#;
        assert_eq!(
            feed_links(html),
            vec!["/atom.xml", "/rss?a=1&b=2", "feed.json", "/feed.json"]
        );
    }

    #[test]
    fn base_is_found() {
        let html = "<head><base href=\"https://cdn.test/blog/\"><link rel=alternate></head>";
        assert_eq!(base_href(html).as_deref(), Some("https://cdn.test/blog/"));
        assert_eq!(base_href("<html></html>"), None);
    }

    #[test]
    fn garbage_never_panics() {
        for html in [
            "<",
            "<link",
            "<link rel=\"",
            "<link rel='x' href",
            "<script>",
            "<!--",
            "é<lînk>ü",
        ] {
            let _ = feed_links(html);
            let _ = base_href(html);
            let _ = looks_like_feed(html.as_bytes());
        }
    }
}
