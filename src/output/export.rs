//! The deduplicated feed: one entry per story, linking the original, listing the other
//! copies and languages. Atom 1.0 and JSON Feed 1.1; feed text is escaped, never trusted.

use super::json::{languages_of, original_of, title_of};
use crate::store::stories::StoryView;
use chrono::{DateTime, Utc};
use std::fmt::Write;

/// Escapes text for XML element content and attribute values (one function with the
/// world kit's feeds).
pub use firsthand_world::xml_escape;

/// Only http(s) URLs become links: anything else (javascript:, data:) is dropped.
#[must_use]
pub fn linkable(url: &str) -> Option<&str> {
    let lower = url.trim_start().to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://")).then_some(url)
}

fn summary_html(v: &StoryView) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "<p>{} copies in {}.</p><ul>",
        v.members.len(),
        xml_escape(&languages_of(v).join(", "))
    );
    for m in &v.members {
        let url = m.url.as_deref().and_then(linkable).unwrap_or("");
        let _ = write!(
            s,
            "<li>{} [{}]: <a href=\"{}\">{}</a></li>",
            xml_escape(m.relation.as_str()),
            xml_escape(&m.lang),
            xml_escape(url),
            xml_escape(&m.title)
        );
    }
    s.push_str("</ul>");
    for e in &v.evidence {
        let _ = write!(s, "<p>Original: {}</p>", xml_escape(e));
    }
    s
}

fn link_of(v: &StoryView) -> String {
    original_of(v)
        .or_else(|| v.members.first())
        .and_then(|m| m.url.as_deref().and_then(linkable).map(str::to_string))
        .unwrap_or_default()
}

/// Atom 1.0 document.
#[must_use]
pub fn atom(views: &[StoryView], now: DateTime<Utc>) -> String {
    let updated = views.iter().map(|v| v.updated).max().unwrap_or(now);
    let mut s = atom_head(updated);
    for v in views {
        s.push_str(&atom_entry(v));
    }
    s.push_str(ATOM_TAIL);
    s
}

/// The start of an Atom document whose newest entry was updated at `updated`: the
/// entries ([`atom_entry`]) and [`ATOM_TAIL`] follow, so a long feed can be written as it
/// is read.
#[must_use]
pub fn atom_head(updated: DateTime<Utc>) -> String {
    let mut s = String::new();
    s.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    s.push_str(
        "  <title>firsthand: deduplicated stories</title>\n  <id>urn:firsthand:stories</id>\n",
    );
    let _ = writeln!(
        s,
        "  <updated>{}</updated>\n  <generator version=\"{}\">firsthand</generator>",
        updated.to_rfc3339(),
        env!("CARGO_PKG_VERSION")
    );
    s
}

/// The end of an Atom document.
pub const ATOM_TAIL: &str = "</feed>\n";

/// One story as an Atom entry.
#[must_use]
pub fn atom_entry(v: &StoryView) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "  <entry>\n    <id>urn:firsthand:story:{}</id>", v.id.0);
    let _ = writeln!(s, "    <title>{}</title>", xml_escape(&title_of(v)));
    let _ = writeln!(s, "    <updated>{}</updated>", v.updated.to_rfc3339());
    let link = link_of(v);
    if !link.is_empty() {
        let _ = writeln!(
            s,
            "    <link rel=\"alternate\" href=\"{}\"/>",
            xml_escape(&link)
        );
    }
    if let Some(o) = original_of(v) {
        let _ = writeln!(
            s,
            "    <author><name>{}</name></author>",
            xml_escape(o.site.as_deref().unwrap_or(&o.feed))
        );
        if let Some(p) = o.published {
            let _ = writeln!(s, "    <published>{}</published>", p.to_rfc3339());
        }
    } else {
        s.push_str("    <author><name>unknown</name></author>\n");
    }
    let _ = writeln!(
        s,
        "    <content type=\"html\">{}</content>\n  </entry>",
        xml_escape(&summary_html(v))
    );
    s
}

/// JSON Feed 1.1 document.
#[must_use]
pub fn json_feed(views: &[StoryView]) -> String {
    let mut s = JSON_FEED_HEAD.to_string();
    for (i, v) in views.iter().enumerate() {
        s.push_str(&json_feed_item(v, i == 0));
    }
    s.push_str(JSON_FEED_TAIL);
    s
}

/// The start of a JSON Feed document: items ([`json_feed_item`]) and [`JSON_FEED_TAIL`]
/// follow, so a long feed can be written as it is read.
pub const JSON_FEED_HEAD: &str = "{\n  \"version\": \"https://jsonfeed.org/version/1.1\",\n  \"title\": \"firsthand: deduplicated stories\",\n  \"items\": [";

/// The end of a JSON Feed document.
pub const JSON_FEED_TAIL: &str = "\n  ]\n}\n";

/// One story as a JSON Feed item, with the comma that separates it from the one before
/// unless it is the `first`.
#[must_use]
pub fn json_feed_item(v: &StoryView, first: bool) -> String {
    let o = original_of(v);
    let item = serde_json::json!({
        "id": format!("urn:firsthand:story:{}", v.id.0),
        "url": link_of(v),
        "title": title_of(v),
        "content_html": summary_html(v),
        "date_modified": v.updated.to_rfc3339(),
        "date_published": o.and_then(|o| o.published).map(|p| p.to_rfc3339()),
        "authors": [{"name": o.map_or("unknown".to_string(), |o| o.site.clone().unwrap_or_else(|| o.feed.clone()))}],
        "language": o.map(|o| o.lang.clone()),
        "_firsthand": {
            "languages": languages_of(v),
            "copies": v.members.len(),
            "original_evidence": v.evidence,
            "members": v.members.iter().map(|m| serde_json::json!({"url": m.url.as_deref().and_then(linkable), "lang": m.lang, "relation": m.relation})).collect::<Vec<_>>(),
        }
    });
    format!(
        "{}\n    {}",
        if first { "" } else { "," },
        serde_json::to_string(&item).unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_json_feed_is_json() {
        let v: serde_json::Value = serde_json::from_str(&json_feed(&[])).unwrap();
        assert_eq!(v["items"], serde_json::json!([]));
        assert_eq!(v["version"], "https://jsonfeed.org/version/1.1");
    }
}
