use crate::model::{Content, Episode, Link, LinkTarget, Season, Text};
use mediatype::{MediaTypeBuf, names};
use url::Url;
use crate::parser::{ParseFeedResult, Parser};
use crate::xml::Element;
use chrono::{DateTime, Utc};
use std::io::BufRead;

/// Handles <content:encoded>
pub(crate) fn handle_encoded<R: BufRead>(element: Element<R>) -> ParseFeedResult<Option<Text>> {
    // firsthand: markup left unescaped in the element is read too
    Ok(element.child_as_text_sloppy()?.filter(|t| !t.is_empty()).map(|t| Text::html(element.resolve_uris_in(t))))
}

/// firsthand: handles an RSS item's <body> or <xhtml:body>: inline XHTML, the full content
pub(crate) fn handle_xhtml_content<R: BufRead>(element: Element<R>) -> ParseFeedResult<Option<Content>> {
    let body = element.children_as_string()?.map(|b| element.resolve_uris_in(b));
    Ok(body.filter(|b| !b.trim().is_empty()).map(|b| Content {
        body: Some(b),
        content_type: MediaTypeBuf::new(names::APPLICATION, names::XHTML),
        ..Default::default()
    }))
}

/// firsthand: an RSS guid or Atom id as the entry's link (feedparser's "guidislink"), when it
/// is an absolute web address: an id such as "1234" or a tag: URI is no link.
pub(crate) fn guid_as_link(id: &str, base: Option<&Url>) -> Option<Link> {
    let id = id.trim();
    let url = Url::parse(id).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| Link::new(id, base))
}

/// firsthand: whether RSS text that says nothing of its type is HTML, by feedparser's rule:
/// it has a closing tag or an entity or character reference (after XML decoding, so one that
/// was escaped twice). "History of the <blink> tag" is text.
pub(crate) fn looks_like_html(s: &str) -> bool {
    let b = s.as_bytes();
    let close_tag = s.match_indices("</").any(|(i, _)| {
        let name = &b[i + 2..];
        let n = name.iter().take_while(|c| c.is_ascii_alphanumeric()).count();
        n > 0 && name.get(n) == Some(&b'>')
    });
    let reference = s.match_indices('&').any(|(i, _)| {
        let rest = &b[i + 1..];
        let rest = rest.strip_prefix(b"#").unwrap_or(rest);
        let n = rest.iter().take_while(|c| c.is_ascii_alphanumeric()).count();
        n > 0 && rest.get(n) == Some(&b';')
    });
    close_tag || reference
}

// Handles episode elements in the Podcast or iTunes namespace
pub fn handle_episode<R: BufRead>(element: Element<R>) -> Option<Episode> {
    element.child_as_text().and_then(|n| n.parse().ok()).map(|number| Episode {
        display: element.attr_value("display"),
        number,
    })
}

// Handles <link>
pub(crate) fn handle_link<R: BufRead>(target: Option<LinkTarget>, element: Element<R>) -> Option<Link> {
    element.child_as_text().map(|s| {
        let mut link = Link::new(s, element.xml_base.as_ref());
        link.target = target;
        link
    })
}

// Handles season elements in the Podcast or iTunes namespace
pub fn handle_season<R: BufRead>(element: Element<R>) -> Option<Season> {
    element.child_as_text().and_then(|n| n.parse().ok()).map(|number| Season {
        name: element.attr_value("name"),
        number,
    })
}

// Handles <title>, <description> etc
//
// firsthand: typed HTML when it looks like HTML (see `looks_like_html`), so that readers keep
// other text literally.
pub(crate) fn handle_text<R: BufRead>(element: Element<R>) -> Option<Text> {
    match element.child_as_text_or_markup() {
        Ok(Some((t, markup))) if markup || looks_like_html(&t) => Some(Text::html(element.resolve_uris_in(t))),
        Ok(Some((t, _))) if !t.is_empty() => Some(Text::new(t)),
        _ => None,
    }
}

/// Handles date/time
pub(crate) fn handle_timestamp<R: BufRead>(parser: &Parser, element: Element<R>) -> Option<DateTime<Utc>> {
    if let Some(text) = element.child_as_text() {
        parser.parse_timestamp(&text)
    } else {
        None
    }
}
