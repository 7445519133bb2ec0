//! Why a document is not read: refusals name the real cause, in one line.

use feed_rs::parser::{ParseErrorKind, ParseFeedError};

/// The reason for a parser's refusal of `text` (the document as given to the parser).
pub(super) fn refusal(e: &ParseFeedError, text: &[u8]) -> String {
    match e {
        ParseFeedError::ParseError(ParseErrorKind::NoFeedRoot) => match root(text) {
            _ if is_binary(text) => "binary data, not XML or JSON".into(),
            Some(root) => format!("its root element {root} is not RSS, Atom or RDF"),
            None => "no XML element or JSON object in it".into(),
        },
        // A document that is neither XML nor JSON is tried as JSON last: say what it is not.
        ParseFeedError::JsonSerde(_)
            if !String::from_utf8_lossy(text)
                .trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
                .starts_with('{') =>
        {
            "no XML element or JSON object in it".into()
        }
        _ => one_line(&e.to_string()),
    }
}

/// The reason a document is not even tried: an encoding no feed reader decodes.
pub(super) fn unsupported(bytes: &[u8]) -> Option<String> {
    // "<?xm" in EBCDIC: found by a byte-order sniff, it would otherwise be refused as
    // JSON (EBCDIC's '{' is ASCII's 0xC0 and its '<' is 0x4C).
    if bytes.starts_with(&[0x4C, 0x6F, 0xA7, 0x94]) {
        return Some("an EBCDIC-encoded document, which firsthand does not decode".into());
    }
    // A compressed file read from disk (over HTTP the client decompresses): its bytes would
    // otherwise be named as a garbled root element.
    if bytes.starts_with(&[0x1F, 0x8B]) {
        return Some("gzip-compressed data: decompress it first".into());
    }
    None
}

/// The reason a document whose parse gave no entries is refused, when it has elements that
/// look like entries (`<item>`, `<entry>`, with or without a prefix): a feed with items that
/// yields nothing is a format the parser misread, never an empty feed.
pub(super) fn unread_entries(text: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(text);
    let text = without_comments(&text);
    let (mut items, mut entries) = (0, 0);
    for (i, _) in text.match_indices('<') {
        let name = tag_name(&text[i + 1..]);
        match name.rsplit(':').next() {
            Some("item") => items += 1,
            Some("entry") => entries += 1,
            _ => {}
        }
    }
    let (n, what) = if items >= entries {
        (items, "<item>")
    } else {
        (entries, "<entry>")
    };
    (n > 0).then(|| {
        let root = root(text.as_bytes()).unwrap_or_else(|| "unknown".into());
        format!("{n} {what} element(s) but no entry could be read (root element {root})")
    })
}

/// The root element as `<name>` or `<name xmlns="…">`.
fn root(text: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(text);
    let text = without_comments(&text);
    let mut rest = text.as_ref();
    loop {
        let i = rest.find('<')?;
        rest = &rest[i + 1..];
        if rest.starts_with('?') || rest.starts_with('!') {
            continue;
        }
        let name = tag_name(rest);
        if name.is_empty() {
            continue;
        }
        let tag = &rest[..rest.find('>').unwrap_or(rest.len())];
        let ns = tag
            .find("xmlns=")
            .and_then(|p| {
                let v = &tag[p + "xmlns=".len()..];
                let q = v.chars().next().filter(|q| *q == '"' || *q == '\'')?;
                v[1..].split(q).next()
            })
            .map(|ns| format!(" xmlns=\"{}\"", one_line(ns)))
            .unwrap_or_default();
        return Some(format!("<{}{ns}>", one_line(name)));
    }
}

/// Control characters (other than line breaks and tabs) or invalid UTF-8 near the start:
/// not text at all.
fn is_binary(text: &[u8]) -> bool {
    let head = &text[..text.len().min(512)];
    String::from_utf8_lossy(head)
        .chars()
        .filter(|c| *c == char::REPLACEMENT_CHARACTER || (c.is_control() && !c.is_whitespace()))
        .count()
        > 2
}

fn tag_name(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || matches!(c, ':' | '_' | '-' | '.')))
        .unwrap_or(s.len());
    &s[..end.min(64)]
}

fn without_comments(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains("<!--") {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find("<!--") {
        out.push_str(&rest[..p]);
        rest = rest[p..].find("-->").map_or("", |e| &rest[p + e + 3..]);
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// The parser's message on one line, without control characters: it may quote the
/// document, and it is printed to terminals.
pub(super) fn one_line(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_root_is_named() {
        let e = ParseFeedError::ParseError(ParseErrorKind::NoFeedRoot);
        assert_eq!(
            refusal(
                &e,
                b"<!-- x --><?xml-stylesheet?><html lang=en><body/></html>"
            ),
            "its root element <html> is not RSS, Atom or RDF"
        );
        assert_eq!(
            refusal(&e, b"plain text"),
            "no XML element or JSON object in it"
        );
        assert_eq!(
            refusal(&e, b"\x01\x02<\x03\xff\xfe>\x00"),
            "binary data, not XML or JSON"
        );
        assert!(unsupported(&[0x1F, 0x8B, 8, 0]).is_some());
    }

    #[test]
    fn unread_entries_are_counted() {
        let doc = b"<feed xmlns=\"http://example.com/unknown\"><entry/><entry></entry><!-- <item> --></feed>";
        assert_eq!(
            unread_entries(doc).as_deref(),
            Some(
                "2 <entry> element(s) but no entry could be read (root element <feed xmlns=\"http://example.com/unknown\">)"
            )
        );
        assert_eq!(
            unread_entries(b"<rss><channel><title>t</title></channel></rss>"),
            None
        );
    }
}
