//! Text whose encoding went wrong upstream, mended before it is cleaned: UTF-8 that was read
//! as Latin-1 or windows-1252 and encoded again (`donâ€™t`, `â¦`), and windows-1252
//! punctuation carried as C1 control characters (`don\u{92}t`, from `&#146;` or bytes
//! labelled Latin-1). feedparser makes the same repairs; without them the text cleaner drops
//! the control characters (`dont`) and mojibake defeats matching.

use std::borrow::Cow;

/// `s` with double-encoded UTF-8 decoded and C1 controls read as windows-1252.
///
/// A run of characters that all have a windows-1252 byte (Latin-1 letters and symbols, the
/// C1 range, windows-1252's punctuation) is replaced by the UTF-8 those bytes spell, when
/// the bytes are valid UTF-8 and hold a multi-byte character: real text rarely has such runs
/// (`Ã©`), and `café` or `NÃO` do not spell UTF-8. Repeated until nothing changes, so text
/// encoded twice over is mended too.
#[must_use]
pub fn repair(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        return Cow::Borrowed(s);
    }
    let mut text = Cow::Borrowed(s);
    // Each pass that changes the text shortens it; three passes mend triple encoding.
    for _ in 0..3 {
        match redecode_runs(&text) {
            Some(mended) => text = Cow::Owned(mended),
            None => break,
        }
    }
    if text.chars().any(is_c1) {
        text = Cow::Owned(text.chars().map(c1_as_1252).collect());
    }
    text
}

/// One pass of run re-decoding; `None` when no run changed.
fn redecode_runs(s: &str) -> Option<String> {
    let mut out = String::new();
    let mut changed = false;
    let mut copied = 0;
    let mut run_start = None;
    let mut bytes = Vec::new();
    let chars = s.char_indices().chain(std::iter::once((s.len(), '\0')));
    for (i, c) in chars {
        let byte = (i < s.len()).then(|| byte_1252(c)).flatten();
        match (byte, run_start) {
            (Some(b), None) => {
                run_start = Some(i);
                bytes.clear();
                bytes.push(b);
            }
            (Some(b), Some(_)) => bytes.push(b),
            (None, Some(start)) => {
                run_start = None;
                if bytes.iter().any(|b| *b >= 0xC0)
                    && let Ok(decoded) = std::str::from_utf8(&bytes)
                {
                    out.push_str(&s[copied..start]);
                    out.push_str(decoded);
                    copied = i;
                    changed = true;
                }
            }
            (None, None) => {}
        }
    }
    changed.then(|| {
        out.push_str(&s[copied..]);
        out
    })
}

/// The windows-1252 byte of a non-ASCII character, if it has one (C1 controls count as their
/// own Latin-1 byte: that is how a mis-decoded `\x81` or `\x9D` comes back).
fn byte_1252(c: char) -> Option<u8> {
    let n = u32::from(c);
    if (0x80..=0xFF).contains(&n) {
        return u8::try_from(n).ok();
    }
    // windows-1252's punctuation lies below U+2200; most other text is spared the search.
    if n >= 0x2200 {
        return None;
    }
    WINDOWS_1252
        .iter()
        .position(|&w| w == c)
        .and_then(|p| u8::try_from(0x80 + p).ok())
}

fn is_c1(c: char) -> bool {
    ('\u{80}'..='\u{9F}').contains(&c)
}

fn c1_as_1252(c: char) -> char {
    if is_c1(c) {
        let w = WINDOWS_1252[(u32::from(c) - 0x80) as usize];
        if w != '\0' {
            return w;
        }
    }
    c
}

/// windows-1252 bytes 0x80–0x9F; '\0' where the byte is unassigned.
const WINDOWS_1252: [char; 32] = [
    '€', '\0', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\0', 'Ž', '\0', '\0', '‘',
    '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\0', 'ž', 'Ÿ',
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn double_encoded_utf8_is_decoded() {
        assert_eq!(repair("donâ€™t"), "don’t");
        assert_eq!(repair("\u{e2}\u{80}\u{a6}"), "…");
        assert_eq!(repair("cafÃ©"), "café");
        // Encoded three times over.
        assert_eq!(repair("cafÃƒÂ©"), "café");
    }

    #[test]
    fn c1_controls_are_windows_1252() {
        assert_eq!(repair("don\u{92}t"), "don’t");
        assert_eq!(repair("\u{93}quoted\u{94}"), "“quoted”");
    }

    #[test]
    fn real_text_is_kept() {
        for s in [
            "café",
            "NÃO",
            "AÇÃO",
            "naïve – “quoted” …",
            "東京",
            "Ünïcödé",
        ] {
            assert_eq!(repair(s), s);
        }
    }
}
