//! Feed bytes → UTF-8 for the XML parser: the encoding from a byte-order mark, the first
//! bytes, the HTTP charset or the XML declaration (in feedparser's order), with the repairs
//! real feeds need: UTF-32, and windows-1252 bytes inside UTF-8.

/// An XML document as UTF-8 with its XML declarations removed; `None` for JSON.
///
/// quick-xml (under feed-rs) switches decoders when it meets a declaration, and panics or
/// loses the document when that happens past its 64-byte look-ahead: UTF-16 with a
/// byte-order mark, a declaration longer than that, a second declaration. Decoding here
/// and dropping the declarations means it never switches. The encoding: UTF-32 by its
/// byte-order mark or first bytes, else a byte-order mark, else UTF-16 by its first bytes,
/// else UTF-8 when the bytes are valid UTF-8 (a prolog naming another is wrong then), else
/// the HTTP charset, else the declared one, else UTF-8 with stray bytes read as windows-1252.
pub(super) fn xml_as_utf8(
    bytes: &[u8],
    http: Option<&'static encoding_rs::Encoding>,
) -> Option<Vec<u8>> {
    let first = bytes.iter().position(|&b| b == b'<' || b == b'{')?;
    if bytes[first] == b'{' {
        return None;
    }
    if let Some(text) = utf32(bytes) {
        return Some(without_declarations(&text).into_bytes());
    }
    let (encoding, bom) = encoding_rs::Encoding::for_bom(bytes).unwrap_or_else(|| {
        let sniffed = match bytes {
            [b'<', 0, ..] => Some(encoding_rs::UTF_16LE),
            [0, b'<', ..] => Some(encoding_rs::UTF_16BE),
            _ if std::str::from_utf8(bytes).is_ok() => Some(encoding_rs::UTF_8),
            // Not UTF-8: the server's charset, when it named one, then the declaration.
            _ => http.map(encoding_rs::Encoding::output_encoding),
        };
        // A declared UTF-16 in bytes read as ASCII is a lie: `output_encoding` makes it UTF-8.
        let declared = || declared_encoding(bytes).map(encoding_rs::Encoding::output_encoding);
        (sniffed.or_else(declared).unwrap_or(encoding_rs::UTF_8), 0)
    });
    let body = &bytes[bom..];
    let text = if encoding == encoding_rs::UTF_8 {
        utf8_or_1252(body)
    } else {
        encoding.decode_without_bom_handling(body).0
    };
    Some(without_declarations(&text).into_bytes())
}

/// UTF-8, with each byte that is not part of a valid UTF-8 sequence read as windows-1252
/// (which is Latin-1 for letters): a document said or assumed to be UTF-8 that is not holds
/// legacy bytes — a whole Latin-1 file without a declaration, or one `don\x92t` pasted from a
/// word processor. feedparser falls back the same way; U+FFFD would lose the character.
fn utf8_or_1252(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    if let Ok(s) = std::str::from_utf8(bytes) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 8);
    let mut rest = bytes;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(s);
                break;
            }
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(good).unwrap_or_default());
                let n = e.error_len().unwrap_or(bad.len()).max(1);
                let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&bad[..n]);
                out.push_str(&text);
                rest = &bad[n..];
            }
        }
    }
    std::borrow::Cow::Owned(out)
}

/// UTF-32 text, by its byte-order mark or its first character (`<` as four bytes); encoding_rs
/// does not decode UTF-32 (the Encoding Standard leaves it out), so it is decoded here.
fn utf32(bytes: &[u8]) -> Option<String> {
    let (big_endian, skip) = match bytes {
        [0, 0, 0xFE, 0xFF, ..] => (true, 4),
        [0xFF, 0xFE, 0, 0, ..] => (false, 4),
        [0, 0, 0, b'<', ..] => (true, 0),
        [b'<', 0, 0, 0, ..] => (false, 0),
        _ => return None,
    };
    Some(
        bytes[skip..]
            .chunks(4)
            .map(|c| {
                let mut word = [0u8; 4];
                word[..c.len()].copy_from_slice(c);
                let n = if big_endian {
                    u32::from_be_bytes(word)
                } else {
                    u32::from_le_bytes(word)
                };
                char::from_u32(n).unwrap_or(char::REPLACEMENT_CHARACTER)
            })
            .collect(),
    )
}

/// The encoding named by a leading `<?xml … encoding="…"?>`.
fn declared_encoding(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    let head = bytes.get(start..)?.strip_prefix(b"<?xml")?;
    let end = head.windows(2).take(1024).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(&head[..end]).ok()?;
    let rest = decl[decl.find("encoding")? + "encoding".len()..].trim_start();
    let rest = rest.strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|q| *q == '"' || *q == '\'')?;
    let label = rest[1..].split(quote).next()?;
    encoding_rs::Encoding::for_label(label.trim().as_bytes())
}

/// `text` without `<?xml …?>` declarations (outside comments and CDATA sections).
fn without_declarations(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(p) = rest.find('<') {
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        let skip_to = |open: &str, close: &str| {
            rest.strip_prefix(open).map(|r| {
                r.find(close)
                    .map_or(rest.len(), |e| open.len() + e + close.len())
            })
        };
        if let Some(n) = skip_to("<!--", "-->").or_else(|| skip_to("<![CDATA[", "]]>")) {
            out.push_str(&rest[..n]);
            rest = &rest[n..];
        } else if rest.starts_with("<?xml")
            && rest[5..].starts_with(|c: char| c == '?' || c.is_ascii_whitespace())
        {
            let n = rest.find("?>").map_or(rest.len(), |e| e + 2);
            rest = &rest[n..];
        } else {
            out.push('<');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
}
