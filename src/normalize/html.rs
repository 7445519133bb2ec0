//! HTML (or plain text) → plain-text paragraphs, outbound links and images.
//!
//! A small tolerant scanner, not a browser: feeds carry fragments, often broken. Scripts,
//! styles and comments are dropped; block elements and `<br>` end paragraphs; entities are
//! decoded. Never panics, whatever the input.

use super::{mojibake, text};

/// A link found in the body, with the paragraph it sits in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// `href` as written (resolved by the caller).
    pub href: String,
    /// Index into `Extracted::paragraphs` of the paragraph holding the link.
    pub paragraph: usize,
}

/// What the scanner found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extracted {
    /// Plain-text paragraphs, whitespace collapsed, none empty.
    pub paragraphs: Vec<String>,
    /// Links in document order.
    pub links: Vec<Link>,
    /// `src` of images in document order.
    pub images: Vec<String>,
}

const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "tr",
    "table",
    "section",
    "article",
    "figure",
    "figcaption",
    "pre",
    "hr",
    "header",
    "footer",
    "aside",
    "dd",
    "dt",
    "dl",
    "main",
    "nav",
    "td",
    "th",
];
const SKIP_TAGS: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "iframe", "head",
];

/// True when `s` looks like markup rather than plain text.
#[must_use]
pub fn looks_like_html(s: &str) -> bool {
    let b = s.as_bytes();
    b.windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'))
        || s.contains("&lt;")
        || s.contains("&amp;")
        || s.contains("&#")
}

/// Plain text as paragraphs, one a line, kept literally: no tag is stripped and no entity
/// decoded.
#[must_use]
pub fn plain(input: &str) -> Extracted {
    Extracted {
        paragraphs: input
            .lines()
            .map(|l| text::clean(&mojibake::repair(l)))
            .filter(|p| !p.is_empty())
            .collect(),
        ..Extracted::default()
    }
}

/// Extracts paragraphs, links and images from `input`; plain text is split on newlines.
#[must_use]
pub fn extract(input: &str) -> Extracted {
    if !looks_like_html(input) {
        return plain(input);
    }
    let mut out = Extracted::default();
    let mut current = String::new();
    let mut pending_links: Vec<String> = Vec::new();
    let mut i = 0;
    let bytes = input.as_bytes();
    let flush = |current: &mut String, pending: &mut Vec<String>, out: &mut Extracted| {
        let p = text::clean(&mojibake::repair(&html_escape::decode_html_entities(
            current,
        )));
        current.clear();
        if p.is_empty() {
            // Links in an empty paragraph (an image link, say) belong to the next one.
            return;
        }
        let idx = out.paragraphs.len();
        out.paragraphs.push(p);
        for href in pending.drain(..) {
            out.links.push(Link {
                href,
                paragraph: idx,
            });
        }
    };
    while i < bytes.len() {
        if bytes[i] != b'<' {
            let next = memchr(b'<', &bytes[i..]).map_or(bytes.len(), |n| i + n);
            current.push_str(slice(input, i, next));
            i = next;
            continue;
        }
        // Comment.
        if bytes[i..].starts_with(b"<!--") {
            i = find(bytes, i + 4, b"-->").map_or(bytes.len(), |n| n + 3);
            continue;
        }
        let end = match memchr(b'>', &bytes[i..]) {
            Some(n) => i + n,
            None => {
                // No '>' follows. A tag cut off by the end of the input (a truncated
                // description) is dropped, as a browser drops it; any other '<' starts
                // text, and so does the rest. (Looking for a '>' again after every later
                // '<' made a body of '<'s quadratic.)
                let opens_tag = bytes
                    .get(i + 1)
                    .is_some_and(|&b| b.is_ascii_alphabetic() || b == b'/');
                if !opens_tag {
                    current.push_str(slice(input, i, bytes.len()));
                }
                i = bytes.len();
                continue;
            }
        };
        let tag = slice(input, i + 1, end);
        i = end + 1;
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if name.is_empty() {
            continue;
        }
        if !closing && SKIP_TAGS.contains(&name.as_str()) && !tag.ends_with('/') {
            let close = format!("</{name}");
            i = find_ci(bytes, i, close.as_bytes()).map_or(bytes.len(), |n| {
                memchr(b'>', &bytes[n..]).map_or(bytes.len(), |m| n + m + 1)
            });
            continue;
        }
        if BLOCK_TAGS.contains(&name.as_str()) {
            flush(&mut current, &mut pending_links, &mut out);
        } else {
            // Inline tags separate words only when the source had whitespace.
        }
        if closing {
            continue;
        }
        match name.as_str() {
            "a" => {
                if let Some(href) = attr(tag, "href") {
                    pending_links.push(href);
                }
            }
            "img" => {
                if let Some(src) = attr(tag, "src") {
                    out.images.push(src);
                }
            }
            _ => {}
        }
    }
    flush(&mut current, &mut pending_links, &mut out);
    // Links after the last paragraph belong to it.
    if !pending_links.is_empty() && !out.paragraphs.is_empty() {
        let idx = out.paragraphs.len() - 1;
        for href in pending_links {
            out.links.push(Link {
                href,
                paragraph: idx,
            });
        }
    }
    out
}

/// Value of attribute `name` in the inside of a tag, entities decoded.
fn attr(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = lower[from..].find(name) {
        let at = from + pos;
        from = at + name.len();
        let before_ok = at == 0
            || lower.as_bytes()[at - 1].is_ascii_whitespace()
            || lower.as_bytes()[at - 1] == b'/';
        if !before_ok {
            continue;
        }
        let rest = tag[from..].trim_start();
        let Some(rest) = rest.strip_prefix('=') else {
            continue;
        };
        let rest = rest.trim_start();
        let value = if let Some(r) = rest.strip_prefix('"') {
            r.split('"').next().unwrap_or_default()
        } else if let Some(r) = rest.strip_prefix('\'') {
            r.split('\'').next().unwrap_or_default()
        } else {
            rest.split(|c: char| c.is_whitespace() || c == '>')
                .next()
                .unwrap_or_default()
        };
        let value = html_escape::decode_html_entities(value.trim()).into_owned();
        return (!value.is_empty()).then_some(value);
    }
    None
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&b| b == needle)
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from >= hay.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

fn find_ci(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from >= hay.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
        .map(|p| from + p)
}

/// `s[from..to]`, or "" when the bounds are not char boundaries (they always are here:
/// we only cut at ASCII bytes).
fn slice(s: &str, from: usize, to: usize) -> &str {
    s.get(from..to).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_links_images() {
        let e = extract(
            r#"<p>Hello <b>world</b> &amp; friends</p><script>var x="<p>no</p>";</script>
            <p>Source: <a href="https://ifanr.com/1">ifanr</a></p><img src='a.png'><!-- <p>x</p> -->"#,
        );
        assert_eq!(e.paragraphs, vec!["Hello world & friends", "Source: ifanr"]);
        assert_eq!(
            e.links,
            vec![Link {
                href: "https://ifanr.com/1".into(),
                paragraph: 1
            }]
        );
        assert_eq!(e.images, vec!["a.png"]);
    }

    #[test]
    fn plain_text_splits_on_newlines() {
        let e = extract("Line one\n\n  Line   two \n");
        assert_eq!(e.paragraphs, vec!["Line one", "Line two"]);
    }

    #[test]
    fn broken_markup_gives_text_not_markup() {
        // As HTML5 reads them: a `<` that opens no tag is text; an unclosed script or
        // comment swallows the rest.
        let cases: [(&str, &[&str]); 6] = [
            ("<", &["<"]),
            ("<p>x<", &["x<"]),
            ("<script>", &[]),
            ("<!--", &[]),
            ("a < b > c", &["a < b > c"]),
            ("<ß>", &["<ß>"]),
        ];
        for (input, want) in cases {
            let e = extract(input);
            assert_eq!(e.paragraphs, want, "{input:?}");
            assert!(
                e.links.is_empty() && e.images.is_empty(),
                "{input:?}: {e:?}"
            );
        }
        // A tag cut off by the end of the input is dropped, as a browser drops it: no
        // link, no text; the text before it stays.
        for (input, want) in [
            ("<a href=", &[][..]),
            ("<a href='é", &[][..]),
            (
                "<p>Musk buys GPUs</p><p>More at <a href=\"https://ex",
                &["Musk buys GPUs", "More at"][..],
            ),
        ] {
            let e = extract(input);
            assert!(e.links.is_empty(), "{input:?}: {e:?}");
            assert_eq!(e.paragraphs, want, "{input:?}");
        }
    }

    #[test]
    fn br_breaks_paragraphs() {
        let e = extract("one<br/>two<br>three");
        assert_eq!(e.paragraphs, vec!["one", "two", "three"]);
    }
}
