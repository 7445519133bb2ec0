//! Normalisation: a parsed feed entry becomes an [`Article`](crate::domain::Article) with
//! plain-text paragraphs, canonical links, credit links, images and a detected language.

pub mod credit;
pub mod html;
pub mod lang;
pub mod mojibake;
pub mod text;
pub mod url;

use crate::domain::Article;
use crate::parse::Entry;
use std::collections::HashSet;
use twox_hash::XxHash3_64;

/// What normalisation needs to know about the feed an entry came from.
#[derive(Debug, Clone, Copy, Default)]
pub struct FeedContext<'a> {
    /// The feed's URL (resolves relative links when the entry has no base).
    pub feed_url: Option<&'a str>,
    /// The feed's declared language (a hint only).
    pub language: Option<&'a str>,
}

/// Normalises one parsed entry.
#[must_use]
pub fn entry(e: &Entry, ctx: FeedContext<'_>) -> Article {
    let inner = &e.inner;
    let link = inner
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or_else(|| inner.links.first())
        .map(|l| l.href.trim().to_string())
        .filter(|s| !s.is_empty());
    let title = inner
        .title
        .as_ref()
        .map(|t| title_text(&t.content, is_plain(t.content_type.as_str())))
        .unwrap_or_default();
    let (html, plain) = inner
        .content
        .as_ref()
        .and_then(|c| Some((c.body.clone()?, is_plain(c.content_type.as_str()))))
        .filter(|(b, _)| !b.trim().is_empty())
        .or_else(|| {
            let s = inner.summary.as_ref()?;
            Some((s.content.clone(), is_plain(s.content_type.as_str())))
        })
        .unwrap_or_default();
    let published = inner.published.or(inner.updated);
    let base_str = link.as_deref().or(ctx.feed_url);
    let guid = (!inner.id.trim().is_empty()).then(|| inner.id.trim().to_string());
    build(Raw {
        guid,
        link: link.clone(),
        orig_link: e.orig_link.clone(),
        source_url: e.source_url.clone(),
        title,
        html,
        plain,
        published,
        base: base_str,
        lang_hint: inner.language.as_deref().or(ctx.language),
    })
}

/// An entry's fields before normalisation; also how `eval` feeds labelled text in.
#[derive(Debug, Clone, Default)]
pub struct Raw<'a> {
    /// The feed's id for the entry.
    pub guid: Option<String>,
    /// The entry's link.
    pub link: Option<String>,
    /// FeedBurner origLink.
    pub orig_link: Option<String>,
    /// RSS `<source url>`.
    pub source_url: Option<String>,
    /// Plain-text title.
    pub title: String,
    /// Body: HTML, or plain text with one paragraph a line.
    pub html: String,
    /// The feed said the body is plain text (Atom `type="text"`, JSON Feed `content_text`):
    /// kept literally, never read as markup, even where it looks like some.
    pub plain: bool,
    /// Claimed publication time.
    pub published: Option<chrono::DateTime<chrono::Utc>>,
    /// Resolves relative links.
    pub base: Option<&'a str>,
    /// Declared language.
    pub lang_hint: Option<&'a str>,
}

/// Normalises raw entry fields into an [`Article`].
#[must_use]
pub fn build(raw: Raw<'_>) -> Article {
    let base = raw.base.and_then(|b| ::url::Url::parse(b).ok());
    let extracted = if raw.plain {
        html::plain(&raw.html)
    } else {
        html::extract(&raw.html)
    };
    let canon = |s: &str| url::canonical(s, base.as_ref());
    let mut links = Vec::new();
    let mut credits = Vec::new();
    // First occurrences, in order; the sets keep a body of many links linear.
    let (mut seen_links, mut seen_credits) = (HashSet::new(), HashSet::new());
    for l in &extracted.links {
        let Some(c) = canon(&l.href) else { continue };
        let para = extracted
            .paragraphs
            .get(l.paragraph)
            .map_or("", String::as_str);
        if credit::is_credit_line(para) && seen_credits.insert(c.clone()) {
            credits.push(c.clone());
        }
        if seen_links.insert(c.clone()) {
            links.push(c);
        }
    }
    for p in &extracted.paragraphs {
        if let Some(name) = credit::named_source(p) {
            let name = format!("name:{name}");
            if seen_credits.insert(name.clone()) {
                credits.push(name);
            }
        }
    }
    let images = extracted
        .images
        .iter()
        .filter_map(|s| canon(s))
        .collect::<Vec<_>>();
    let canonical_url = raw
        .orig_link
        .as_deref()
        .and_then(canon)
        .or_else(|| raw.link.as_deref().and_then(canon));
    let source_url = raw.source_url.as_deref().and_then(canon);
    let lang = lang::detect_article(&raw.title, &extracted.paragraphs, raw.lang_hint);
    let identity = if let Some(g) = raw.guid.as_deref() {
        format!("guid:{g}")
    } else if let Some(u) = canonical_url.as_deref() {
        format!("url:{u}")
    } else {
        let h = XxHash3_64::oneshot(format!("{}\u{0}{}", raw.title, raw.html).as_bytes());
        format!("hash:{h:016x}")
    };
    Article {
        identity,
        url: raw.link.clone().or_else(|| canonical_url.clone()),
        canonical_url,
        title: raw.title,
        paragraphs: extracted.paragraphs,
        links,
        credits,
        images,
        lang,
        published: raw.published,
        source_url,
    }
}

/// Longest title read, in bytes of the feed's (marked-up) title; the rest is dropped. A
/// title is a line: a hostile feed's 50 MB title would otherwise cost as much to
/// fingerprint as fifty article bodies and be stored and printed whole.
pub const MAX_TITLE_BYTES: usize = 4096;

/// Titles sometimes carry markup or entities; keep the text. A title the feed typed as
/// plain text ("History of the <blink> tag") is kept as written.
fn title_text(s: &str, plain: bool) -> String {
    let mut end = s.len().min(MAX_TITLE_BYTES);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    let e = if plain {
        html::plain(&s[..end])
    } else {
        html::extract(&s[..end])
    };
    e.paragraphs.join(" ")
}

/// Whether a feed typed a text as plain text (feed-rs says `text/plain`; for RSS, whose text
/// says nothing of its type, it does so only when the text does not look like HTML).
fn is_plain(media_type: &str) -> bool {
    media_type.eq_ignore_ascii_case("text/plain")
}
