//! Language-independent anchors: what survives translation. Numbers (normalised across
//! locales and scripts), dates, names and model numbers (as Latin skeleton keys, so
//! "Маск" meets "Musk"), Latin words inside non-Latin text, URLs, @handles, #hashtags.
//!
//! Keys carry a one-letter kind ([`AnchorKind`]): `n` number, `d` date, `w` name,
//! `m` model number, `u` URL, `h` handle or hashtag. Order is text order, first
//! occurrence only.

use super::{dates, numbers, translit};

/// What an anchor is, written as the first letter of its key (`n10000`, `wmsk`): the
/// stored anchors are these keys, so the letters never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AnchorKind {
    /// A number, keyed by value (`n10000`).
    Number,
    /// A calendar day or month (`dm04d12`).
    Date,
    /// A name or a capitalised word, keyed by its Latin skeleton (`w` then the skeleton).
    Name,
    /// A model number: letters and digits (`mgpt4`).
    Model,
    /// A URL or a bare domain, without its scheme (`uifanr.com/123`).
    Url,
    /// An @handle or a #hashtag, lowercased (`h@elonmusk`).
    Handle,
    /// A word of a script without Latin letters read as a name's sound, keyed by its Latin
    /// skeleton (`k` then the skeleton): a katakana word, a foreign name (マスク, Musk) or
    /// a loanword (ステッカー, sticker); or a Chinese given name read as its pinyin (效良,
    /// Xiaoliang). It meets the [`Name`] of the same skeleton (see
    /// [`AnchorKind::meeting`]); across languages it counts only when shared, since most
    /// such readings name nobody (the other language writes loanwords as plain lowercase
    /// words, and most characters after a surname's are not a given name).
    ///
    /// [`Name`]: AnchorKind::Name
    Reading,
}

impl AnchorKind {
    /// The letter that starts the keys of this kind.
    #[must_use]
    pub const fn letter(self) -> char {
        match self {
            Self::Number => 'n',
            Self::Date => 'd',
            Self::Name => 'w',
            Self::Model => 'm',
            Self::Url => 'u',
            Self::Handle => 'h',
            Self::Reading => 'k',
        }
    }

    /// Whether anchors of this kind are words (names, readings), as opposed to the hard
    /// kinds: numbers, dates, model numbers, URLs and handles.
    #[must_use]
    pub const fn is_word(self) -> bool {
        matches!(self, Self::Name | Self::Reading)
    }

    /// The key an anchor meets other anchors by: its own, except that a reading meets the
    /// name of the same skeleton (`kmsk` meets `wmsk`).
    #[must_use]
    pub fn meeting(key: &str) -> std::borrow::Cow<'_, str> {
        match key.strip_prefix(Self::Reading.letter()) {
            Some(rest) => std::borrow::Cow::Owned(Self::Name.key(rest)),
            None => std::borrow::Cow::Borrowed(key),
        }
    }

    /// The kind of an anchor key, `None` for a string that is not one.
    #[must_use]
    pub fn of(key: &str) -> Option<Self> {
        Self::split(key).map(|(kind, _)| kind)
    }

    /// An anchor key's kind and the rest of the key, `None` for a string that is not one.
    #[must_use]
    pub fn split(key: &str) -> Option<(Self, &str)> {
        let mut chars = key.chars();
        let kind = match chars.next()? {
            'n' => Self::Number,
            'd' => Self::Date,
            'w' => Self::Name,
            'm' => Self::Model,
            'u' => Self::Url,
            'h' => Self::Handle,
            'k' => Self::Reading,
            _ => return None,
        };
        Some((kind, chars.as_str()))
    }

    /// Whether an anchor key is one that unrelated articles of one day share: a date, a
    /// year (1900–2099) or a whole number below 100.
    #[must_use]
    pub fn commonplace(key: &str) -> bool {
        match Self::split(key) {
            Some((Self::Date, _)) => true,
            Some((Self::Number, n)) => n
                .parse::<u32>()
                .is_ok_and(|v| v < 100 || (1900..=2099).contains(&v)),
            _ => false,
        }
    }

    /// The key of an anchor of this kind: its letter, then `text`.
    #[must_use]
    pub fn key(self, text: impl std::fmt::Display) -> String {
        format!("{}{text}", self.letter())
    }
}

/// Anchors of `title` then `body`, in order, deduplicated.
#[must_use]
pub fn extract(title: &str, body: &str, lang: &str) -> Vec<String> {
    extract_with_numbers(title, body, lang, &numbers::extract(body, lang))
}

/// [`extract`] given the numbers of `body` (`numbers::extract(body, lang)`), which the
/// caller needs too.
#[must_use]
pub fn extract_with_numbers(
    title: &str,
    body: &str,
    lang: &str,
    body_numbers: &[numbers::Number],
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    spans(title, body, lang, body_numbers, |k, _| out.push(k));
    out
}

/// The anchors of [`extract`], each with the words of the text it was read from (its
/// first occurrence): "1万" for `n10000`, "Маск" for the key of Musk. What a person
/// reading an explanation can recognise.
#[must_use]
pub fn with_text(title: &str, body: &str, lang: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    spans(title, body, lang, &numbers::extract(body, lang), |k, t| {
        out.push((k, t.trim().to_string()));
    });
    out
}

/// Calls `found` with each anchor key of `title` then `body`, in text order, first
/// occurrence only, and the text it was read from.
fn spans(
    title: &str,
    body: &str,
    lang: &str,
    body_numbers: &[numbers::Number],
    mut found_one: impl FnMut(String, &str),
) {
    let mut seen = std::collections::HashSet::new();
    let title_numbers = numbers::extract(title, lang);
    for (text, nums) in [(title, &title_numbers[..]), (body, body_numbers)] {
        let mut found: Vec<(usize, usize, String)> = Vec::new();
        let dates = dates::extract(text, lang);
        // The day of a date is the date's, not a number of its own: "11 December" is one
        // anchor, or one date would count as two shared anchors.
        let in_date =
            |n: &numbers::Number| dates.iter().any(|d| n.start >= d.start && n.end <= d.end);
        for n in nums {
            if !n.small && !in_date(n) {
                found.push((n.start, n.end, AnchorKind::Number.key(&n.key)));
            }
        }
        for d in dates {
            found.push((d.start, d.end, AnchorKind::Date.key(&d.key)));
        }
        names(text, lang, &mut found);
        if lang == "zh" {
            chinese_given_names(text, &mut found);
        }
        found.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.2.cmp(&b.2)));
        for (start, end, k) in found {
            if seen.insert(k.clone()) {
                found_one(k, text.get(start..end).unwrap_or_default());
            }
        }
    }
}

/// The hundred commonest Chinese surnames: a person's name is one of them and a given
/// name of one or two characters.
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤习";

/// Whether `c` is one of [`SURNAMES`]: a search of them sorted, once per character of a
/// Chinese text.
fn is_surname(c: char) -> bool {
    static SORTED: std::sync::LazyLock<Vec<char>> = std::sync::LazyLock::new(|| {
        let mut v: Vec<char> = SURNAMES.chars().collect();
        v.sort_unstable();
        v.dedup();
        v
    });
    SORTED.binary_search(&c).is_ok()
}

/// Chinese given names read as their pinyin: the one or two characters after a common
/// surname (李效良 → xiaoliang), as [`AnchorKind::Reading`] keys that meet a Latin name of the
/// same skeleton (Xiaoliang). Chinese writes no spaces, so every such position gives keys
/// and most name nothing; like katakana words they count only when the other text shares
/// them. Skeletons under three letters (Jun, Li) are left out: they meet too many names.
fn chinese_given_names(text: &str, out: &mut Vec<(usize, usize, String)>) {
    use pinyin::ToPinyin;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (i, &(_, c)) in chars.iter().enumerate() {
        if !is_surname(c) {
            continue;
        }
        for n in 1..=2 {
            let Some(given) = chars.get(i + 1..i + 1 + n) else {
                break;
            };
            let mut sound = String::new();
            for &(_, g) in given {
                match g.to_pinyin() {
                    Some(p) => sound.push_str(p.plain()),
                    None => {
                        sound.clear();
                        break;
                    }
                }
            }
            if sound.is_empty() {
                break;
            }
            let sk = translit::skeleton(&sound);
            if sk.len() >= 3 {
                let start = given[0].0;
                let end = given[n - 1].0 + given[n - 1].1.len_utf8();
                out.push((start, end, AnchorKind::Reading.key(sk)));
            }
        }
    }
}

/// Languages written mainly in Latin script: there a capitalised word is a name only
/// when it does not start a sentence, and lowercase words are never anchors.
fn latin_language(lang: &str) -> bool {
    !matches!(
        lang,
        "zh" | "ja"
            | "ko"
            | "ru"
            | "uk"
            | "be"
            | "bg"
            | "sr"
            | "mk"
            | "kk"
            | "el"
            | "hi"
            | "mr"
            | "ne"
            | "ar"
            | "fa"
            | "he"
            | "th"
            | "ka"
            | "hy"
            | "bn"
            | "ta"
            | "te"
            | "ur"
    )
}

fn is_word_char(c: char) -> bool {
    crate::normalize::text::is_alnum(c) && !super::text_script_unspaced(c)
        || c == '-'
        || c == '\''
        || c == '’'
}

fn names(text: &str, lang: &str, out: &mut Vec<(usize, usize, String)>) {
    let latin_text = latin_language(lang);
    let mut sentence_start = true;
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c == '@' || c == '#' {
            let mut end = start + c.len_utf8();
            while let Some(&(i, d)) = chars.peek() {
                if crate::normalize::text::is_alnum(d) || d == '_' {
                    end = i + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let tag = &text[start..end];
            if tag.chars().count() > 2 {
                out.push((start, end, AnchorKind::Handle.key(tag.to_lowercase())));
            }
            sentence_start = false;
            continue;
        }
        if translit::is_katakana(c) && c != 'ー' {
            // A run of katakana is a foreign word: in news, mostly names (マスク = Musk).
            let mut end = start + c.len_utf8();
            while let Some(&(i, d)) = chars.peek() {
                if !translit::is_katakana(d) {
                    break;
                }
                end = i + d.len_utf8();
                chars.next();
            }
            let sk = translit::skeleton(&text[start..end]);
            if sk.len() >= 2 {
                out.push((start, end, AnchorKind::Reading.key(sk)));
            }
            sentence_start = false;
            continue;
        }
        if !crate::normalize::text::is_alnum(c) || super::text_script_unspaced(c) {
            if matches!(
                c,
                '.' | '!'
                    | '?'
                    | ':'
                    | ';'
                    | '"'
                    | '“'
                    | '”'
                    | '„'
                    | '«'
                    | '»'
                    | '\n'
                    | '。'
                    | '！'
                    | '？'
                    | '「'
                    | '('
                    | '（'
                    | '—'
                    | '–'
            ) {
                sentence_start = true;
            }
            continue;
        }
        let mut end = start + c.len_utf8();
        while let Some(&(i, d)) = chars.peek() {
            if is_word_char(d)
                || (d == '.'
                    && text[i + 1..].starts_with(|x: char| x.is_ascii_alphanumeric())
                    && !text[i + 1..].starts_with(' '))
            {
                end = i + d.len_utf8();
                chars.next();
            } else {
                break;
            }
        }
        let word = text[start..end].trim_end_matches(['-', '\'', '’', '.']);
        let at_start = sentence_start;
        sentence_start = false;
        if let Some((url, url_end)) = url_like(text, start, end) {
            out.push((start, url_end, AnchorKind::Url.key(url)));
            continue;
        }
        if let Some(key) = name_key(word, latin_text, at_start) {
            out.push((start, start + word.len(), key));
        }
    }
}

/// The key of a word that is an anchor, else `None`.
fn name_key(word: &str, latin_text: bool, at_sentence_start: bool) -> Option<String> {
    let first = word.chars().next()?;
    let is_latin = first.is_ascii_alphabetic() || ('\u{00C0}'..='\u{024F}').contains(&first);
    // Most words: lowercase, without digits, in their text's own script. They are never
    // anchors (see below), and most of a text's words are such words.
    let foreign_latin = is_latin && !latin_text;
    if first.is_lowercase() && !foreign_latin && !word.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let letters = word
        .chars()
        .filter(|&c| crate::normalize::text::is_alpha(c))
        .count();
    let digits = word.chars().filter(char::is_ascii_digit).count();
    if letters == 0 {
        return None; // numbers are the number extractor's job
    }
    let is_cyr_greek = ('\u{0370}'..='\u{052F}').contains(&first);
    if !is_latin && !is_cyr_greek {
        return None;
    }
    if digits > 0 {
        // Model numbers: GPT-4, A100, M2, RTX4090.
        let k: String = word
            .chars()
            .filter(|&c| crate::normalize::text::is_alnum(c))
            .flat_map(char::to_lowercase)
            .collect();
        return Some(AnchorKind::Model.key(translit::to_latin(&k)));
    }
    let upper = first.is_uppercase();
    let all_caps = letters >= 2
        && word
            .chars()
            .filter(|&c| crate::normalize::text::is_alpha(c))
            .all(char::is_uppercase);
    // Inside Chinese, Japanese or Russian text a Latin word is a brand or a name when it
    // is capitalised (Twitter, iPhone), even at the start of a sentence there; a whole
    // English sentence embedded in such a text (a site's boilerplate) gives only its
    // capitalised words, like English text does.
    let inner_upper = word.chars().skip(1).any(char::is_uppercase);
    let anchor = if foreign_latin {
        letters >= 2
            && (upper && !at_sentence_start
                || inner_upper
                || all_caps
                || upper && letters >= 3 && !is_common_english(word))
    } else {
        (upper && !at_sentence_start && letters >= 2) || all_caps
    };
    if !anchor {
        return None;
    }
    let sk = translit::skeleton(word);
    (sk.chars().count() >= 2).then(|| AnchorKind::Name.key(sk))
}

/// Function words that start English sentences embedded in other scripts.
fn is_common_english(word: &str) -> bool {
    const WORDS: &[&str] = &[
        "the",
        "this",
        "that",
        "these",
        "those",
        "a",
        "an",
        "and",
        "or",
        "but",
        "in",
        "on",
        "at",
        "for",
        "from",
        "with",
        "by",
        "of",
        "to",
        "it",
        "its",
        "we",
        "you",
        "they",
        "he",
        "she",
        "our",
        "your",
        "their",
        "read",
        "follow",
        "share",
        "more",
        "all",
        "copyright",
        "opinions",
        "subscribe",
        "click",
        "see",
        "also",
        "related",
        "source",
        "via",
        "photo",
        "image",
    ];
    let lower = word.to_lowercase();
    WORDS.contains(&lower.as_str())
}

/// `host/path` when the word at `start..end` begins a URL or a bare domain, with where
/// the URL ends in `text`.
fn url_like(text: &str, start: usize, end: usize) -> Option<(String, usize)> {
    let rest = &text[start..];
    if rest.starts_with("http://") || rest.starts_with("https://") {
        let url: String = rest
            .chars()
            .take_while(|c| !c.is_whitespace() && !matches!(c, '"' | '<' | '>' | ')' | '）'))
            .collect();
        return crate::normalize::url::canonical(&url, None).map(|u| {
            (
                u.trim_start_matches("https://")
                    .trim_start_matches("http://")
                    .trim_start_matches("www.")
                    .to_string(),
                start + url.len(),
            )
        });
    }
    let word = &text[start..end];
    if !word.contains('.') || !word.is_ascii() {
        return None;
    }
    let lower = word.to_ascii_lowercase();
    const TLDS: &[&str] = &[
        ".com", ".org", ".net", ".io", ".ai", ".co", ".de", ".cn", ".ru", ".jp", ".uk", ".cz",
        ".is", ".es", ".in", ".gov", ".edu",
    ];
    TLDS.iter()
        .any(|t| lower.ends_with(t))
        .then(|| (lower.trim_start_matches("www.").to_string(), end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_surname_is_found_exactly_when_it_is_in_the_list() {
        for c in SURNAMES.chars() {
            assert!(is_surname(c), "{c}");
        }
        for c in "的是了不在人有我他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坐集编宝谈府拉黑且随格尽剑讲布杀微怕母调局根曾准团段终乐切级克精哪官示冷域".chars() {
            assert_eq!(is_surname(c), SURNAMES.contains(c), "{c}");
        }
        assert!(!is_surname('a'));
    }

    #[test]
    fn english_names_skip_sentence_starts() {
        let a = extract(
            "",
            "The company said Musk bought 10,000 GPUs for Twitter.",
            "en",
        );
        assert!(a.contains(&"n10000".to_string()), "{a:?}");
        assert!(
            a.iter()
                .any(|k| AnchorKind::of(k) == Some(AnchorKind::Name)),
            "{a:?}"
        );
        assert!(
            !a.contains(&AnchorKind::Name.key(translit::skeleton("The"))),
            "{a:?}"
        );
    }

    #[test]
    fn chinese_latin_words_and_numbers() {
        let a = extract("", "马斯克为Twitter购买了1万块GPU，用于GPT-4竞争。", "zh");
        assert!(a.contains(&"n10000".to_string()), "{a:?}");
        assert!(
            a.contains(&AnchorKind::Name.key(translit::skeleton("Twitter"))),
            "{a:?}"
        );
        assert!(a.contains(&"mgpt4".to_string()), "{a:?}");
    }

    #[test]
    fn cyrillic_name_meets_latin() {
        let ru = extract("", "Компания сообщила, что Маск купил видеокарты.", "ru");
        let en = extract(
            "",
            "The company said that Musk bought graphics cards.",
            "en",
        );
        assert!(ru.iter().any(|k| en.contains(k)), "{ru:?} {en:?}");
    }

    /// Each of `names` is a reading among `keys` that meets a name among `latin`.
    fn assert_readings_meet(keys: &[String], latin: &[String], names: &[&str]) {
        for name in names {
            let key = AnchorKind::Reading.key(translit::skeleton(name));
            let meets = latin
                .iter()
                .any(|e| AnchorKind::meeting(&key) == e.as_str());
            assert!(keys.contains(&key) && meets, "{name}: {keys:?} {latin:?}");
        }
    }

    #[test]
    fn katakana_names_meet_latin() {
        // Japanese writes foreign names in katakana, words apart at the middle dot.
        let ja = extract(
            "",
            "ブライアン・メイは妻アニタ・ドブソンとアダム・ランバートに会った。",
            "ja",
        );
        let en = extract(
            "",
            "On stage, Brian May met his wife Anita Dobson and Adam Lambert.",
            "en",
        );
        // Katakana words meet names by their skeleton.
        assert_readings_meet(&ja, &en, &["Brian", "Anita", "Dobson", "Adam"]);
        // Hiragana and kanji are not names; a katakana run of one sound gives no key.
        assert_eq!(
            extract("", "今日はメと会った。", "ja"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn chinese_given_names_meet_their_pinyin() {
        let zh = extract(
            "",
            "孙艺风宣读李效良赞辞时表示，陈凯先教授从事药物研发40余载。",
            "zh",
        );
        let en = extract(
            "",
            "When reading the praise, Sun Yifeng said that Professor Chen Kaixian and Li Xiaoliang",
            "en",
        );
        assert_readings_meet(&zh, &en, &["Yifeng", "Xiaoliang", "Kaixian"]);
        // Only in Chinese text: Japanese reads its kanji otherwise.
        assert!(
            !extract("", "李効良が述べた。", "ja")
                .iter()
                .any(|k| AnchorKind::of(k) == Some(AnchorKind::Reading)),
        );
    }

    #[test]
    fn katakana_romanised() {
        let cases = [
            ("マスク", "masuku"),
            ("ガガーリン", "gagarin"),
            ("ウィリアム", "wiriamu"),
            ("ジャガー", "jiyaga"),
            ("ヴォルフ", "vuorufu"),
            ("ミック", "miku"),
        ];
        for (w, want) in cases {
            assert_eq!(translit::to_latin(w), want, "{w}");
        }
        assert_eq!(translit::skeleton("マスク"), translit::skeleton("Musk"));
        assert_eq!(translit::skeleton("ドブソン"), translit::skeleton("Dobson"));
    }

    #[test]
    fn anchors_keep_the_words_they_were_read_from() {
        let title = "Маск купил 10 000 видеокарт";
        let body = "12 апреля Маск сказал @elonmusk, что GPT-4 стоит 1,5 млрд долларов.";
        let with = with_text(title, body, "ru");
        let keys: Vec<&str> = with.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, extract(title, body, "ru"));
        let text = |k: &str| {
            with.iter()
                .find(|(key, _)| key == k)
                .map(|(_, t)| t.as_str())
        };
        assert_eq!(text("n10000"), Some("10 000"));
        assert_eq!(text("mgpt4"), Some("GPT-4"));
        assert_eq!(text("h@elonmusk"), Some("@elonmusk"));
        let musk = AnchorKind::Name.key(translit::skeleton("Маск"));
        assert_eq!(text(&musk), Some("Маск"), "{with:?}");
        assert!(
            with.iter()
                .any(|(k, t)| AnchorKind::of(k) == Some(AnchorKind::Date) && t.contains("апреля")),
            "{with:?}"
        );
    }

    #[test]
    fn handles_and_urls() {
        let a = extract(
            "",
            "Follow @elonmusk and see https://ifanr.com/123?utm_source=x #AI2023",
            "en",
        );
        assert!(a.contains(&"h@elonmusk".to_string()), "{a:?}");
        assert!(a.contains(&"uifanr.com/123".to_string()), "{a:?}");
    }

    #[test]
    fn kinds_read_back_from_keys() {
        for kind in [
            AnchorKind::Number,
            AnchorKind::Date,
            AnchorKind::Name,
            AnchorKind::Model,
            AnchorKind::Url,
            AnchorKind::Handle,
            AnchorKind::Reading,
        ] {
            let key = kind.key("x1");
            assert_eq!(AnchorKind::split(&key), Some((kind, "x1")), "{key}");
        }
        assert_eq!(AnchorKind::of("n10000"), Some(AnchorKind::Number));
        for common in ["n7", "n99", "n2021", "dm03d15"] {
            assert!(AnchorKind::commonplace(common), "{common}");
        }
        for rare in ["n100", "n10363.18", "n2.5", "n3000", "wmusk", "mgpt4"] {
            assert!(!AnchorKind::commonplace(rare), "{rare}");
        }
        assert_eq!(AnchorKind::of("wmsk"), Some(AnchorKind::Name));
        assert_eq!(AnchorKind::meeting("kmsk"), "wmsk");
        assert_eq!(AnchorKind::meeting("n10000"), "n10000");
        assert_eq!(AnchorKind::of(""), None);
        assert_eq!(AnchorKind::of("x1"), None);
    }
}
