//! OPML 1.0/2.0 subscription lists: read (tolerating broken entries) and write.

use crate::output::export::xml_escape;
use crate::{Error, Result};

/// One subscription from an OPML file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outline {
    /// `xmlUrl`.
    pub url: String,
    /// `title` or `text`.
    pub title: Option<String>,
}

/// Reads the feed outlines of an OPML document. Outlines without an http(s) `xmlUrl` are
/// returned as skipped lines (one message each).
///
/// # Errors
/// [`Error::Opml`] when the document is not OPML at all.
pub fn parse(text: &str, path: &str) -> Result<(Vec<Outline>, Vec<String>)> {
    let lower = text.to_ascii_lowercase();
    if !lower.contains("<opml") {
        return Err(Error::Opml {
            path: path.into(),
            reason: "no <opml> element".into(),
        });
    }
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut skipped = Vec::new();
    // Offsets in `lower` are offsets in `text`: ASCII lowercasing keeps every byte's place.
    let mut from = 0;
    while let Some(p) = lower[from..].find("<outline") {
        let tail = &text[from + p..];
        let end = tag_end(tail);
        let tag = &tail[..end];
        from += p + end;
        let title = attr(tag, "title").or_else(|| attr(tag, "text"));
        match attr_of(tag, "xmlurl") {
            Some(Some(u)) if u.starts_with("http://") || u.starts_with("https://") => {
                let first = seen.insert(u.clone());
                if first {
                    out.push(Outline { url: u, title });
                }
            }
            Some(Some(u)) => skipped.push(format!(
                "skipped outline {:?}: xmlUrl {u:?} is not an http(s) URL",
                title.unwrap_or_default()
            )),
            Some(None) => skipped.push(format!(
                "skipped outline {:?}: its xmlUrl is empty or not quoted",
                title.unwrap_or_default()
            )),
            None => {
                // Folders have no xmlUrl; that is fine.
            }
        }
        if end == tail.len() {
            break;
        }
    }
    Ok((out, skipped))
}

/// Where the tag at the start of `s` ends: at its '>' outside quotes (a title may hold a
/// '>'), else at the next '<' (a broken tag ends there, not at the end of the document).
fn tag_end(s: &str) -> usize {
    let mut quote = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (_, '<') | (None, '>') => return i,
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
    }
    s.len()
}

fn attr(tag: &str, name: &str) -> Option<String> {
    attr_of(tag, name).flatten()
}

/// Attribute `name` of a tag: `None` when absent, `Some(None)` when present but empty or
/// without its quotes.
fn attr_of(tag: &str, name: &str) -> Option<Option<String>> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(p) = lower[from..].find(name) {
        let at = from + p;
        from = at + name.len();
        if at > 0 && !lower.as_bytes()[at - 1].is_ascii_whitespace() {
            continue;
        }
        let rest = tag[from..].trim_start();
        let Some(rest) = rest.strip_prefix('=') else {
            continue;
        };
        let rest = rest.trim_start();
        let value = rest
            .strip_prefix(['"', '\''])
            .and_then(|v| v.find(&rest[..1]).map(|e| &v[..e]))
            .map(|v| html_escape::decode_html_entities(v.trim()).into_owned())
            .filter(|v| !v.is_empty());
        return Some(value);
    }
    None
}

/// Writes subscriptions as OPML 2.0.
#[must_use]
pub fn write(feeds: &[(String, Option<String>)]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n  <head><title>firsthand subscriptions</title></head>\n  <body>\n",
    );
    for (url, title) in feeds {
        let t = xml_escape(title.as_deref().unwrap_or(url));
        s.push_str(&format!(
            "    <outline type=\"rss\" text=\"{t}\" title=\"{t}\" xmlUrl=\"{}\"/>\n",
            xml_escape(url)
        ));
    }
    s.push_str("  </body>\n</opml>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_outlines_and_skips_broken_ones() {
        let doc = r#"<opml version="1.0"><body><outline text="Tech"><outline text="A &amp; B" xmlUrl="https://a.example/feed"/>
            <outline title="bad" xmlUrl="ftp://x"/><outline text="no url"/></outline></body></opml>"#;
        let (o, skipped) = parse(doc, "x.opml").unwrap();
        assert_eq!(
            o,
            vec![Outline {
                url: "https://a.example/feed".into(),
                title: Some("A & B".into())
            }]
        );
        assert_eq!(skipped.len(), 1);
        assert!(parse("<html/>", "x").is_err());
    }

    #[test]
    fn round_trip() {
        let w = write(&[("https://a.example/f?x=1&y=2".into(), Some("A <b>".into()))]);
        let (o, _) = parse(&w, "w").unwrap();
        assert_eq!(o[0].url, "https://a.example/f?x=1&y=2");
        assert_eq!(o[0].title.as_deref(), Some("A <b>"));
    }
}
