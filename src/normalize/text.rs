//! Plain-text hygiene: Unicode NFKC, control characters (terminal escapes) removed,
//! whitespace collapsed. Idempotent.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// Cleans one line or paragraph: NFKC, no control characters, single spaces, trimmed.
#[must_use]
pub fn clean(s: &str) -> String {
    let stripped;
    let s = if s.contains('\u{1b}') {
        stripped = strip_escapes(s);
        stripped.as_str()
    } else {
        s
    };
    // Control and invisible characters go before NFKC: dropped after it, they could leave
    // a letter next to a combining mark that a second pass would compose (not idempotent).
    let kept = s
        .chars()
        .filter(|&c| c.is_whitespace() || !(c.is_control() || is_invisible(c)));
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    let mut push = |c: char, out: &mut String| {
        if c.is_whitespace() {
            space = true;
            return;
        }
        if c.is_control() || is_invisible(c) {
            return;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(c);
    };
    // Most text is NFKC already: the quick check says so without composing.
    if s.is_ascii() || is_nfkc_quick(kept.clone()) == IsNormalized::Yes {
        for c in kept {
            push(c, &mut out);
        }
    } else {
        for c in kept.nfkc() {
            push(c, &mut out);
        }
    }
    out
}

/// Drops ANSI escape sequences (ESC [ … final byte, ESC ] … BEL/ST, lone ESC x).
fn strip_escapes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('[') => {
                for d in it.by_ref() {
                    if ('\u{40}'..='\u{7e}').contains(&d) {
                        break;
                    }
                }
            }
            Some(']') => {
                while let Some(d) = it.next() {
                    if d == '\u{7}' || (d == '\u{1b}' && it.peek() == Some(&'\\')) {
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Zero-width and formatting characters that only hide text differences.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' | '\u{202A}'
            ..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// The lowercased words (letters and digits) of a text, joined by single spaces in one
/// string, with each word's byte range in it; CJK, kana and Thai characters are
/// single-character words, since those scripts are written without spaces. One string,
/// not a string per word: shingling and the text hash read it as it is.
#[must_use]
pub fn joined_words(s: &str) -> (String, Vec<(usize, usize)>) {
    let mut out = String::with_capacity(s.len());
    let mut spans = Vec::new();
    // Start of the word being read, if any.
    let mut cur: Option<usize> = None;
    let begin = |out: &mut String| {
        if !out.is_empty() {
            out.push(' ');
        }
        out.len()
    };
    for c in s.chars() {
        if is_unspaced_script(c) {
            if let Some(b) = cur.take() {
                spans.push((b, out.len()));
            }
            let b = begin(&mut out);
            out.push(c);
            spans.push((b, out.len()));
        } else if is_alnum(c) {
            if cur.is_none() {
                cur = Some(begin(&mut out));
            }
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else {
                out.extend(c.to_lowercase());
            }
        } else if let Some(b) = cur.take() {
            spans.push((b, out.len()));
        }
    }
    if let Some(b) = cur {
        spans.push((b, out.len()));
    }
    (out, spans)
}

/// [`char::is_alphabetic`], answered without the Unicode table for the scripts most news
/// is written in (Latin-1, Cyrillic, kana, Han, Hangul): the table lookup was a twentieth
/// of preparing an article in those scripts.
#[must_use]
#[inline]
pub fn is_alpha(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    matches!(c as u32,
        0xC0..=0xD6 | 0xD8..=0xF6 | 0xF8..=0x2AF // Latin-1 letters, Latin Extended, IPA
        | 0x0400..=0x0481 | 0x048A..=0x052F // Cyrillic letters
        | 0x3041..=0x3096 | 0x30A1..=0x30FA // hiragana, katakana
        | 0x4E00..=0x9FFF // han
        | 0xAC00..=0xD7A3 // hangul syllables
    ) || c.is_alphabetic()
}

/// [`char::is_alphanumeric`] with [`is_alpha`]'s shortcut.
#[must_use]
#[inline]
pub fn is_alnum(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    is_alpha(c) || c.is_numeric()
}

/// Han, kana, Thai, Lao, Khmer, Myanmar: scripts whose words are not separated by spaces.
#[must_use]
pub fn is_unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF // hiragana, katakana
        | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F // han
        | 0x0E00..=0x0EFF // thai, lao
        | 0x1000..=0x109F // myanmar
        | 0x1780..=0x17FF // khmer
        | 0xFF66..=0xFF9F // half-width katakana
    )
}

/// Removes terminal escape sequences and other control characters from text bound for a
/// terminal, keeping newlines and tabs.
#[must_use]
pub fn for_terminal(s: &str) -> String {
    s.chars()
        .filter(|&c| c == '\n' || c == '\t' || !c.is_control())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_cases() {
        let cases = [
            ("  a \n b\t c ", "a b c"),
            ("ｆｕｌｌ１２３", "full123"),
            ("x\u{1b}[31my", "xy"),
            ("zero\u{200B}width", "zerowidth"),
            ("", ""),
        ];
        for (input, want) in cases {
            assert_eq!(clean(input), want, "{input:?}");
        }
    }

    #[test]
    fn clean_is_idempotent() {
        for s in ["  a  b ", "ｆｕｌｌ", "Ａ\u{00A0}Ｂ", "e\u{301}"] {
            let once = clean(s);
            assert_eq!(clean(&once), once);
        }
    }

    /// The words of `s`, read back through their byte ranges (checked against the string).
    fn words(s: &str) -> Vec<String> {
        let (joined, spans) = joined_words(s);
        let w: Vec<String> = spans
            .iter()
            .map(|&(a, b)| joined[a..b].to_string())
            .collect();
        assert_eq!(joined, w.join(" "), "{s:?}");
        w
    }

    #[test]
    fn words_split_cjk_by_char() {
        assert_eq!(
            words("Musk买了1万 GPU!"),
            vec!["musk", "买", "了", "1", "万", "gpu"]
        );
        assert_eq!(
            words("東京タワー and Köln"),
            vec!["東", "京", "タ", "ワ", "ー", "and", "köln"]
        );
    }

    #[test]
    fn words_are_lowercased_letters_and_digits() {
        assert_eq!(
            words("  Élan, ÇA   va? İstanbul ẞ straße 2,5%  "),
            vec![
                "élan",
                "ça",
                "va",
                "i\u{307}stanbul",
                "ß",
                "straße",
                "2",
                "5"
            ]
        );
        assert!(words("").is_empty());
        assert!(words("... —").is_empty());
    }

    #[test]
    fn the_letter_shortcuts_agree_with_the_standard_library_on_every_char() {
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            assert_eq!(is_alpha(c), c.is_alphabetic(), "{c:?} {:#x}", c as u32);
            assert_eq!(is_alnum(c), c.is_alphanumeric(), "{c:?} {:#x}", c as u32);
        }
    }
}
