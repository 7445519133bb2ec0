//! Name keys across scripts: [`to_latin`] romanises Cyrillic (ru, uk, be, sr), Greek and
//! Devanagari and folds Latin diacritics; [`skeleton`] reduces that to a short phonetic
//! consonant key so that "Маск", "Musk" and "Μασκ" meet, as do "Зеленский", "Zelensky"
//! and "Selenskyj".
//!
//! Pure and total: any input gives a string (empty when nothing Latin-like is left).

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// Letters a skeleton keeps (the first letter counts even when it is a vowel).
pub const SKELETON_LEN: usize = 4;

/// `word` in lowercase Latin: Cyrillic, Greek and Devanagari transliterated, Latin
/// diacritics folded (č→c, ß→ss, ø→o, þ→th, ð→d, æ→ae). Digits, other scripts and
/// punctuation pass through unchanged (lowercased), so "GPT-4" gives "gpt-4".
#[must_use]
pub fn to_latin(word: &str) -> String {
    if word.is_ascii() {
        // Nothing to transliterate or fold: lowercase is all the rest would do.
        return word.to_ascii_lowercase();
    }
    let chars = decomposed(word);
    let mut out = String::with_capacity(word.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let at_start = i == 0 || !chars[i - 1].is_alphabetic();
        i += if let Some(s) = cyrillic(c) {
            out.push_str(s);
            1
        } else if is_greek(c) {
            greek(c, next, at_start, &mut out)
        } else if is_devanagari(c) {
            devanagari(c, next, chars.get(i + 2).copied(), &mut out)
        } else if is_katakana(c) {
            katakana(c, next, &mut out)
        } else if is_combining_mark(c) {
            1 // diacritics fold away: č → c
        } else {
            match latin_special(c) {
                Some(s) => out.push_str(s),
                None => out.push(c),
            }
            1
        };
    }
    out
}

/// A phonetic key of `word` in Latin letters, at most [`SKELETON_LEN`] long: the first
/// letter (even a vowel), then consonants with vowels and `h` dropped and repeats
/// collapsed, after folding spellings that translations swap: w→v, c→k (s before e/i/y),
/// q/ck→k, qu→kv, x→ks, y/j→i, ph→f, z/ts/tz→s, th→t, sh/sch/shch→s, ch→c, chr→kr,
/// zh/dzh→i (as j), kh→h, -tio-→-sio-, initial eu/au→ev/av, gh silent after a vowel.
/// Empty when `word` has no Latin-like letters (Chinese, Japanese).
#[must_use]
pub fn skeleton(word: &str) -> String {
    let latin: Vec<u8> = to_latin(word)
        .bytes()
        .filter(u8::is_ascii_lowercase)
        .collect();
    let mut folded: Vec<u8> = Vec::with_capacity(latin.len());
    let mut i = 0;
    while i < latin.len() {
        let rest = &latin[i..];
        let (out, used): (&[u8], usize) = match rest {
            [b't', b's', b'c', b'h', ..] => (b"c", 4),
            [b's', b'h', b'c', b'h', ..] => (b"s", 4),
            [b'd', b'z', b'h', ..] => (b"i", 3),
            [b's', b'c', b'h', ..] => (b"s", 3),
            [b'z', b'h', ..] => (b"i", 2), // ж = zh = j = i
            [b's', b'h', ..] => (b"s", 2),
            [b'k', b'h', ..] => (b"h", 2),
            [b'c', b'h', b'r' | b'l', ..] => (b"k", 2), // Christopher = Кристофер
            [b'c', b'h', ..] => (b"c", 2),
            [b'c', b'k', ..] => (b"k", 2),
            [b'p', b'h', ..] => (b"f", 2),
            [b't', b'h', ..] => (b"t", 2),
            [b't', b'i', b'a' | b'o' | b'u', ..] if i > 0 => (b"si", 2),
            // silent after a vowel (Hughes = Хьюз), else g (Afghanistan = Афганистан)
            [b'g', b'h', ..] if i > 0 && is_vowel(latin[i - 1]) => (b"", 2),
            [b'g', b'h', ..] => (b"g", 2),
            // Europe = Европа, Australia = Австралия
            [v @ (b'e' | b'a'), b'u', ..] if i == 0 => (if *v == b'e' { b"ev" } else { b"av" }, 2),
            [b't' | b'd', b's' | b'z', ..] => (b"s", 2),
            [b'q', b'u', ..] => (b"kv", 2), // Queensland = Квинсленд
            [b'c', b'e' | b'i' | b'y', ..] => (b"s", 1),
            [b'c' | b'q', ..] => (b"k", 1),
            [b'x', ..] => (b"ks", 1),
            [b'w', ..] => (b"v", 1),
            [b'y' | b'j', ..] => (b"i", 1),
            [b'z', ..] => (b"s", 1),
            [c, ..] => (std::slice::from_ref(c), 1),
            [] => break,
        };
        folded.extend_from_slice(out);
        i += used;
    }
    let mut key = String::with_capacity(SKELETON_LEN);
    let mut last = None;
    for (k, &c) in folded.iter().enumerate() {
        if k > 0 && c == b'h' {
            continue; // silent or swapped in transliteration: "Johnson" = "Джонсон"
        }
        if k > 0 && is_vowel(c) {
            last = None; // "Tata" keeps two t's; "Twitter" collapses "tt"
            continue;
        }
        if last == Some(c) {
            continue;
        }
        last = Some(c);
        key.push(char::from(c));
        if key.len() == SKELETON_LEN {
            break;
        }
    }
    key
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// Lowercase and canonically decomposed, except Cyrillic letters (й, ё, ї are letters
/// of their own). Marks stay so that Greek "άι" (two vowels) differs from "αι" (one).
fn decomposed(word: &str) -> Vec<char> {
    let mut out = Vec::with_capacity(word.len());
    for c in word.chars().flat_map(char::to_lowercase) {
        if cyrillic(c).is_some() || is_katakana(c) {
            out.push(c);
        } else {
            decompose_canonical(c, |d| out.push(d));
        }
    }
    out
}

fn cyrillic(c: char) -> Option<&'static str> {
    Some(match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' | 'ґ' | 'ѓ' => "g",
        'д' => "d",
        'е' | 'ё' | 'э' => "e",
        'є' => "ye",
        'ж' => "zh",
        'з' => "z",
        'и' | 'і' => "i",
        'ї' => "yi",
        'й' | 'ы' => "y",
        'ј' => "j",
        'к' | 'ќ' => "k",
        'л' => "l",
        'љ' => "lj",
        'м' => "m",
        'н' => "n",
        'њ' => "nj",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' | 'ў' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' | 'ћ' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' | 'ь' => "",
        'ю' => "yu",
        'я' => "ya",
        'ђ' => "dj",
        'џ' => "dzh",
        _ => return None,
    })
}

fn latin_special(c: char) -> Option<&'static str> {
    Some(match c {
        'ß' => "ss",
        'ø' => "o",
        'þ' => "th",
        'ð' | 'đ' => "d",
        'æ' => "ae",
        'œ' => "oe",
        'ł' => "l",
        'ı' => "i",
        'ħ' => "h",
        'ŧ' => "t",
        'ŋ' => "ng",
        'ſ' => "s",
        _ => return None,
    })
}

fn is_greek(c: char) -> bool {
    ('\u{0370}'..='\u{03FF}').contains(&c)
}

/// Modern Greek, with the digraphs names use (Μπάιντεν = Biden). Returns chars used.
fn greek(c: char, next: Option<char>, at_start: bool, out: &mut String) -> usize {
    let pair = match (c, next) {
        ('ο', Some('υ')) => Some("u"),
        ('α', Some('ι')) => Some("e"),
        ('ε' | 'ο', Some('ι')) => Some("i"),
        ('α', Some('υ')) => Some("av"),
        ('ε', Some('υ')) => Some("ev"),
        ('μ', Some('π')) => Some(if at_start { "b" } else { "mp" }),
        ('ν', Some('τ')) => Some(if at_start { "d" } else { "nt" }),
        ('γ', Some('κ')) => Some(if at_start { "g" } else { "ng" }),
        ('γ', Some('γ')) => Some("ng"),
        _ => None,
    };
    if let Some(s) = pair {
        out.push_str(s);
        return 2;
    }
    out.push_str(match c {
        'α' => "a",
        'β' => "v",
        'γ' => "g",
        'δ' => "d",
        'ε' => "e",
        'ζ' => "z",
        'η' | 'ι' => "i",
        'θ' => "th",
        'κ' => "k",
        'λ' => "l",
        'μ' => "m",
        'ν' => "n",
        'ξ' => "x",
        'ο' | 'ω' => "o",
        'π' => "p",
        'ρ' => "r",
        'σ' | 'ς' => "s",
        'τ' => "t",
        'υ' => "y",
        'φ' => "f",
        'χ' => "kh",
        'ψ' => "ps",
        _ => "",
    });
    1
}

/// Katakana, the script Japanese writes foreign names in (マスク = Musk), and its
/// prolonged sound mark.
#[must_use]
pub fn is_katakana(c: char) -> bool {
    ('\u{30A1}'..='\u{30FA}').contains(&c) || c == 'ー'
}

/// Katakana in Hepburn-like romaji: a syllable's consonant then its vowel, which the
/// skeleton drops. The small tsu (a doubled consonant) and the prolonged sound mark give
/// nothing; ウ before a small vowel is w (ウィ = wi). Returns chars used.
fn katakana(c: char, next: Option<char>, out: &mut String) -> usize {
    const TABLE: [&str; 90] = [
        "a", "a", "i", "i", "u", "u", "e", "e", "o", "o", // ァ..オ
        "ka", "ga", "ki", "gi", "ku", "gu", "ke", "ge", "ko", "go", // カ..ゴ
        "sa", "za", "shi", "ji", "su", "zu", "se", "ze", "so", "zo", // サ..ゾ
        "ta", "da", "chi", "ji", "", "tsu", "zu", "te", "de", "to", "do", // タ..ド
        "na", "ni", "nu", "ne", "no", // ナ..ノ
        "ha", "ba", "pa", "hi", "bi", "pi", "fu", "bu", "pu", "he", "be", "pe", "ho", "bo",
        "po", // ハ..ポ
        "ma", "mi", "mu", "me", "mo", // マ..モ
        "ya", "ya", "yu", "yu", "yo", "yo", // ャ..ヨ
        "ra", "ri", "ru", "re", "ro", // ラ..ロ
        "wa", "wa", "wi", "we", "wo", "n", "vu", "ka", "ke", "va", "vi", "ve",
        "vo", // ヮ..ヺ
    ];
    if c == 'ウ' && matches!(next, Some('ィ' | 'ェ' | 'ォ')) {
        out.push('w');
        return 1;
    }
    let k = u32::from(c).wrapping_sub(0x30A1);
    if let Some(s) = usize::try_from(k).ok().and_then(|k| TABLE.get(k)) {
        out.push_str(s);
    }
    1
}

fn is_devanagari(c: char) -> bool {
    ('\u{0900}'..='\u{097F}').contains(&c)
}

const VIRAMA: char = '\u{094D}';
const NUKTA: char = '\u{093C}';

/// Hindi: consonants carry an inherent "a" unless a vowel sign or virama follows or the
/// word ends; a nukta turns क ज फ into q z f. Returns chars used.
fn devanagari(c: char, next: Option<char>, after: Option<char>, out: &mut String) -> usize {
    if let Some(base) = devanagari_consonant(c) {
        let (latin, used, follow) = if next == Some(NUKTA) {
            let l = match c {
                'क' => "q",
                'ख' => "kh",
                'ग' => "g",
                'ज' => "z",
                'ड' | 'ढ' => "r",
                'फ' => "f",
                _ => base,
            };
            (l, 2, after)
        } else {
            (base, 1, next)
        };
        out.push_str(latin);
        let inherent = follow.is_some_and(|f| {
            f != VIRAMA && devanagari_sign(f).is_none() && devanagari_consonant(f).is_some()
        });
        if inherent {
            out.push('a');
        }
        return used;
    }
    if let Some(s) = devanagari_vowel(c).or_else(|| devanagari_sign(c)) {
        out.push_str(s);
    }
    1
}

fn devanagari_consonant(c: char) -> Option<&'static str> {
    const TABLE: [&str; 37] = [
        "k", "kh", "g", "gh", "n", "ch", "chh", "j", "jh", "n", "t", "th", "d", "dh", "n", "t",
        "th", "d", "dh", "n", "n", "p", "ph", "b", "bh", "m", "y", "r", "r", "l", "l", "l", "v",
        "sh", "sh", "s", "h",
    ];
    let k = u32::from(c).checked_sub(0x0915)?;
    TABLE.get(usize::try_from(k).ok()?).copied()
}

fn devanagari_vowel(c: char) -> Option<&'static str> {
    Some(match c {
        'अ' | 'आ' => "a",
        'इ' | 'ई' => "i",
        'उ' | 'ऊ' => "u",
        'ऋ' => "ri",
        'ए' | 'ऍ' | 'ऎ' => "e",
        'ऐ' => "ai",
        'ओ' | 'ऑ' | 'ऒ' => "o",
        'औ' => "au",
        _ => return None,
    })
}

/// Vowel signs, anusvara and visarga; the virama gives "".
fn devanagari_sign(c: char) -> Option<&'static str> {
    Some(match c {
        'ा' => "a",
        'ि' | 'ी' => "i",
        'ु' | 'ू' => "u",
        'ृ' => "ri",
        'े' | 'ॅ' | 'ॆ' => "e",
        'ै' => "ai",
        'ो' | 'ॉ' | 'ॊ' => "o",
        'ौ' => "au",
        'ं' | 'ँ' => "n",
        'ः' => "h",
        VIRAMA => "",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_table() {
        let cases = [
            ("Маск", "mask"),
            ("Зеленский", "zelenskiy"),
            ("Зеленський", "zelenskiy"),
            ("Київ", "kiyiv"),
            ("Євген", "yevgen"),
            ("Ґудзик", "gudzik"),
            ("Щукин", "shchukin"),
            ("Μασκ", "mask"),
            ("Μπάιντεν", "bainten"),
            ("Αθήνα", "athina"),
            ("Čapek", "capek"),
            ("Straße", "strasse"),
            ("Øresund", "oresund"),
            ("Þór", "thor"),
            ("Guðmundsdóttir", "gudmundsdottir"),
            ("Ærø", "aero"),
            ("Łódź", "lodz"),
            ("Đoković", "dokovic"),
            ("GPT-4", "gpt-4"),
            ("मस्क", "mask"),
            ("फ़्रांस", "frans"),
            ("马斯克", "马斯克"),
        ];
        let failures: Vec<String> = cases
            .iter()
            .filter(|(w, want)| to_latin(w) != *want)
            .map(|(w, want)| format!("{w}: got {}, want {want}", to_latin(w)))
            .collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn skeletons_meet() {
        let groups: &[&[&str]] = &[
            &["Musk", "Маск", "Μασκ", "मस्क"],
            &["Twitter", "Твиттер", "Твіттер"],
            &[
                "Zelensky",
                "Zelenskyy",
                "Zelenskyj",
                "Selenskyj",
                "Зеленский",
                "Зеленський",
                "Zelenski",
            ],
            &["Microsoft", "Майкрософт"],
            &["Johnson", "Джонсон"],
            &["Harris", "Харрис"],
            &["Schulz", "Шульц", "Schultz"],
            &["Putin", "Путин", "Poutine", "Πούτιν"],
            &["Merkel", "Меркель"],
            &["Hamilton", "Хэмилтон"],
            &["Verstappen", "Верстаппен"],
            &["Kyiv", "Київ", "Kijiv"],
            &["Trump", "Трамп", "Τραμπ"],
            &["Philip", "Филип", "Filip"],
            &["Thomas", "Томас", "Tomáš"],
            &["Navalny", "Навальный", "Nawalny"],
            &["Shoigu", "Шойгу", "Schoigu"],
        ];
        let mut failures = Vec::new();
        for group in groups {
            let first = skeleton(group[0]);
            for w in &group[1..] {
                if skeleton(w) != first {
                    failures.push(format!("{w}: {} vs {}: {first}", skeleton(w), group[0]));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn skeleton_table() {
        let cases = [
            ("Musk", "msk"),
            ("Twitter", "tvtr"),
            ("Zelensky", "slns"),
            ("Elon", "eln"),
            ("Apple", "apl"),
            ("Tata", "tt"),
            ("马斯克", ""),
            ("", ""),
            ("X", "ks"),
        ];
        for (w, want) in cases {
            assert_eq!(skeleton(w), want, "{w}");
        }
        assert!(skeleton("Constantinople").len() <= SKELETON_LEN);
    }

    #[test]
    fn odd_characters() {
        // (input, skeleton, to_latin of the input three times)
        let cases = [
            ("\u{0301}", "", ""), // a lone combining accent is dropped
            ("ं", "n", "nnn"),     // anusvara
            ("क़", "k", "qaqaq"),  // ka with nukta: q, inherent vowel between
            ("्", "", ""),         // a lone virama
            ("ς", "s", "sss"),    // final sigma
            ("İ", "i", "iii"),    // dotted capital I, no stray combining dot
            ("क्", "k", "kkk"),    // virama: no inherent vowel
            ("ऽ", "", ""),        // avagraha
            ("\u{10FFFF}", "", "\u{10FFFF}\u{10FFFF}\u{10FFFF}"), // passes through
        ];
        let failures: Vec<String> = cases
            .iter()
            .filter(|(w, sk, lat)| skeleton(w) != *sk || to_latin(&w.repeat(3)) != *lat)
            .map(|(w, sk, lat)| {
                format!(
                    "{w:?}: skeleton {:?} (want {sk:?}), to_latin {:?} (want {lat:?})",
                    skeleton(w),
                    to_latin(&w.repeat(3))
                )
            })
            .collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        // Compatibility forms (a title-case digraph letter, a ligature) are not
        // decomposed: they pass through lowercased, as other scripts do.
        for w in ["ǅ", "ﬁ"] {
            assert_eq!(to_latin(w), w.to_lowercase(), "{w}");
        }
    }

    #[test]
    fn skeletons_are_short_ascii_keys() {
        for w in [
            "\u{0301}",
            "ं",
            "क़",
            "्",
            "ς",
            "\u{10FFFF}",
            "İ",
            "ǅ",
            "ﬁ",
            "क्",
            "ऽ",
            "Зеленский",
            "Constantinople",
            "GPT-4",
            "马斯克",
        ] {
            let sk = skeleton(w);
            assert!(sk.len() <= SKELETON_LEN, "{w}: {sk}");
            assert!(sk.bytes().all(|b| b.is_ascii_lowercase()), "{w}: {sk:?}");
            assert_eq!(
                skeleton(&to_latin(w)),
                sk,
                "{w}: the skeleton of its Latin form"
            );
        }
    }
}
