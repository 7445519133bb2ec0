//! Bytes → feed entries. feed-rs reads RSS 0.9x/1.0/2.0, Atom and JSON Feed from raw bytes
//! (it honours the XML declaration's encoding); a small scan adds what feed-rs drops:
//! FeedBurner `origLink` and RSS `<source url>`.

mod decode;
mod explain;

use crate::{Error, Result};

/// A parsed feed: its own metadata and its entries in document order.
#[derive(Debug)]
pub struct ParsedFeed {
    /// Feed title.
    pub title: Option<String>,
    /// Declared language.
    pub language: Option<String>,
    /// RSS `<ttl>` in minutes.
    pub ttl_minutes: Option<u32>,
    /// The site the feed belongs to (its alternate link).
    pub site_url: Option<String>,
    /// Entries, each with the extras the scan found.
    pub entries: Vec<Entry>,
}

/// One entry as feed-rs gives it, plus the extras.
#[derive(Debug)]
pub struct Entry {
    /// feed-rs's entry. Its `id` is empty when the feed gave none.
    pub inner: feed_rs::model::Entry,
    /// FeedBurner `<feedburner:origLink>`.
    pub orig_link: Option<String>,
    /// RSS `<source url="…">`.
    pub source_url: Option<String>,
}

/// Largest feed document firsthand parses.
pub const MAX_FEED_BYTES: usize = 64 * 1024 * 1024;

/// Parses `bytes`; `what` names the file or URL in errors; `base` resolves relative links.
///
/// # Errors
/// [`Error::NotAFeed`] when the bytes are not a feed firsthand can read.
pub fn feed(bytes: &[u8], what: &str, base: Option<&str>) -> Result<ParsedFeed> {
    feed_with_charset(bytes, what, base, None)
}

/// [`feed`] with the charset the HTTP `Content-Type` named: it decides when the bytes
/// are not UTF-8 already (a byte-order mark still comes first).
///
/// # Errors
/// [`Error::NotAFeed`] when the bytes are not a feed firsthand can read.
pub fn feed_with_charset(
    bytes: &[u8],
    what: &str,
    base: Option<&str>,
    charset: Option<&str>,
) -> Result<ParsedFeed> {
    if bytes.len() > MAX_FEED_BYTES {
        return Err(Error::NotAFeed {
            what: what.into(),
            reason: format!("larger than {} MiB", MAX_FEED_BYTES / (1024 * 1024)),
        });
    }
    if let Some(reason) = explain::unsupported(bytes) {
        return Err(Error::NotAFeed {
            what: what.into(),
            reason,
        });
    }
    // feed-rs invents ids for entries without one; an empty id tells us it had none.
    let parser = feed_rs::parser::Builder::new()
        .base_uri(base)
        .id_generator(|_, _, _| String::new())
        .build();
    let utf8 = decode::xml_as_utf8(
        bytes,
        charset
            .and_then(|c| encoding_rs::Encoding::for_label(c.trim().trim_matches('"').as_bytes())),
    );
    let bytes = utf8.as_deref().unwrap_or(bytes);
    let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parser.parse(bytes)));
    let parsed = match parsed {
        Ok(Ok(f)) => f,
        Ok(Err(e)) => {
            return Err(Error::NotAFeed {
                what: what.into(),
                reason: explain::refusal(&e, bytes),
            });
        }
        Err(_) => {
            return Err(Error::NotAFeed {
                what: what.into(),
                reason: "the feed parser failed on malformed input".into(),
            });
        }
    };
    if parsed.entries.is_empty()
        && let Some(reason) = explain::unread_entries(bytes)
    {
        return Err(Error::NotAFeed {
            what: what.into(),
            reason,
        });
    }
    let extras = scan_extras(bytes);
    let aligned = extras.len() == parsed.entries.len();
    let site_url = parsed
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .map(|l| l.href.clone());
    let entries = parsed
        .entries
        .into_iter()
        .enumerate()
        .map(|(i, inner)| {
            let (orig_link, source_url) = if aligned {
                extras[i].clone()
            } else {
                (None, None)
            };
            Entry {
                inner,
                orig_link,
                source_url,
            }
        })
        .collect();
    Ok(ParsedFeed {
        title: parsed.title.map(|t| t.content),
        language: parsed.language,
        ttl_minutes: parsed.ttl,
        site_url,
        entries,
    })
}

type Extras = (Option<String>, Option<String>);

/// Per `<item>`/`<entry>` in document order: FeedBurner origLink and RSS source url.
fn scan_extras(bytes: &[u8]) -> Vec<Extras> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Vec::new();
    };
    if !text.contains("origLink") && !text.contains("<source") {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = find_item_start(rest) {
        let body = &rest[start..];
        let end = find_first(body, &["</item>", "</entry>"]).unwrap_or(body.len());
        let item = &body[..end];
        let orig = between(item, "origLink>", "</")
            .map(|s| html_escape::decode_html_entities(s.trim()).into_owned());
        let source = item.find("<source").and_then(|p| {
            let tag = &item[p..];
            let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
            between(tag, "url=\"", "\"")
                .map(|s| html_escape::decode_html_entities(s.trim()).into_owned())
        });
        out.push((orig, source));
        rest = &body[end.min(body.len())..];
        if end == body.len() {
            break;
        }
    }
    out
}

fn find_item_start(s: &str) -> Option<usize> {
    find_first(s, &["<item>", "<item ", "<entry>", "<entry "])
}

/// Where the first of `tags` (each starting with '<') occurs. One pass: searching the
/// whole rest for each tag, once per item, made a long feed quadratic.
fn find_first(s: &str, tags: &[&str]) -> Option<usize> {
    s.match_indices('<')
        .map(|(i, _)| i)
        .find(|&i| tags.iter().any(|t| s[i..].starts_with(t)))
}

fn between<'a>(s: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let a = s.find(open)? + open.len();
    let b = s[a..].find(close)? + a;
    Some(&s[a..b])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rss_with_source_and_origlink() {
        let xml = br#"<?xml version="1.0"?><rss version="2.0" xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0"><channel><title>T</title>
        <item><title>A</title><link>http://feeds.example/x</link><feedburner:origLink>https://site.example/a</feedburner:origLink></item>
        <item><title>B</title><source url="https://orig.example/feed">Orig</source></item></channel></rss>"#;
        let f = feed(xml, "t.xml", None).map_err(|e| e.to_string());
        let f = f.as_ref().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(f.entries.len(), 2);
        assert_eq!(
            f.entries[0].orig_link.as_deref(),
            Some("https://site.example/a")
        );
        assert_eq!(
            f.entries[1].source_url.as_deref(),
            Some("https://orig.example/feed")
        );
        assert!(f.entries[1].inner.id.is_empty());
    }

    #[test]
    fn http_charset_decodes_undeclared_legacy_bytes() {
        // "café" in windows-1251-free Latin-1 bytes, no encoding in the prolog.
        let mut xml = b"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><item><title>caf".to_vec();
        xml.push(0xE9);
        xml.extend_from_slice(b"</title></item></channel></rss>");
        let f = feed_with_charset(&xml, "t", None, Some("iso-8859-1"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            f.entries[0]
                .inner
                .title
                .as_ref()
                .map(|t| t.content.as_str()),
            Some("café")
        );
        // UTF-8 bytes served with a wrong Latin-1 header stay UTF-8.
        let utf8 = "<rss version=\"2.0\"><channel><title>t</title><item><title>café</title></item></channel></rss>";
        let f = feed_with_charset(utf8.as_bytes(), "t", None, Some("iso-8859-1"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            f.entries[0]
                .inner
                .title
                .as_ref()
                .map(|t| t.content.as_str()),
            Some("café")
        );
    }

    #[test]
    fn garbage_is_refused_with_the_name() {
        let e = feed(b"\x00\x01garbage", "junk.bin", None);
        assert!(matches!(e, Err(Error::NotAFeed { ref what, .. }) if what == "junk.bin"));
    }
}
