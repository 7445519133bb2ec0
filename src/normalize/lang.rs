//! Language of an article as an ISO 639-1 code, detected from its text; the feed's declared
//! language only breaks ties when the text is too short to tell.

use whatlang::{Lang, Script};

/// Detects the language of `text`; `hint` is the feed's or entry's declared language.
/// Returns "und" when neither tells.
#[must_use]
pub fn detect(text: &str, hint: Option<&str>) -> String {
    let hint = hint.and_then(|h| {
        let h = h.trim().to_ascii_lowercase();
        let two: String = h.chars().take_while(char::is_ascii_alphabetic).collect();
        (two.len() == 2).then_some(two)
    });
    // Bound the work: a few hundred characters tell (whatlang's trigram model saturates).
    let sample = prefix(text, 300);
    // whatlang has no Icelandic; þ and ð are its signature (Faroese has ð but no þ).
    if is_icelandic(prefix(text, 2000)) {
        return "is".into();
    }
    // Scripts that name one language need no statistics (and whatlang's are costly).
    match whatlang::detect_script(sample) {
        Some(Script::Hiragana | Script::Katakana) => return "ja".into(),
        Some(Script::Hangul) => return "ko".into(),
        Some(Script::Mandarin) => return if has_kana(sample) { "ja" } else { "zh" }.into(),
        Some(Script::Greek) => return "el".into(),
        _ => {}
    }
    let Some(info) = whatlang::detect(sample) else {
        return hint.unwrap_or_else(|| "und".into());
    };
    match info.script() {
        Script::Hiragana | Script::Katakana => return "ja".into(),
        Script::Hangul => return "ko".into(),
        Script::Mandarin => {
            if has_kana(sample) {
                return "ja".into();
            }
            return "zh".into();
        }
        Script::Greek => return "el".into(),
        _ => {}
    }
    let code = iso639_1(info.lang());
    if info.is_reliable() || sample.chars().count() > 200 {
        return code.into();
    }
    // Short text: the declared language wins when it uses the detected script.
    match hint {
        Some(h) if same_script(&h, code) => h,
        _ => code.into(),
    }
}

/// Fewest letters of a body for it to take part in telling an article's language.
const SHORT_BODY_LETTERS: usize = 200;
/// Fewest letters of a title for it to tell the language of an article whose body is short.
const MIN_TITLE_LETTERS: usize = 10;

/// Detects the language of an article from its title and body. A short body (a
/// near-empty aggregator item: "***" and a subscribe line in the aggregator's language, a
/// "Comments" link) says nothing of the article's own language, so then its title alone
/// decides, when it has a few letters.
#[must_use]
pub fn detect_article(title: &str, paragraphs: &[String], hint: Option<&str>) -> String {
    let body = paragraphs.iter().flat_map(|p| p.chars());
    if !has_letters(body, SHORT_BODY_LETTERS) && has_letters(title.chars(), MIN_TITLE_LETTERS) {
        return detect(title, hint);
    }
    detect(&format!("{title}\n{}", paragraphs.join("\n")), hint)
}

/// Whether `chars` hold at least `n` letters (read only as far as the `n`th: a long
/// body is not read to its end).
fn has_letters(chars: impl Iterator<Item = char>, n: usize) -> bool {
    chars.filter(|c| c.is_alphabetic()).take(n).count() == n
}

/// The first `chars` characters of `s`.
fn prefix(s: &str, chars: usize) -> &str {
    s.char_indices().nth(chars).map_or(s, |(i, _)| &s[..i])
}

fn is_icelandic(s: &str) -> bool {
    if !s.contains(['þ', 'Þ']) {
        return false;
    }
    let (mut thorn, mut eth, mut letters) = (0usize, 0usize, 0usize);
    for c in s.chars() {
        match c {
            'þ' | 'Þ' => thorn += 1,
            'ð' | 'Ð' => eth += 1,
            _ => {}
        }
        if c.is_alphabetic() {
            letters += 1;
        }
    }
    thorn >= 1 && thorn + eth >= 3 && (thorn + eth) * 150 >= letters
}

fn has_kana(s: &str) -> bool {
    s.chars()
        .filter(|c| matches!(*c as u32, 0x3040..=0x30FF))
        .take(3)
        .count()
        >= 3
}

fn same_script(a: &str, b: &str) -> bool {
    const CYRILLIC: &[&str] = &["ru", "uk", "be", "bg", "sr", "mk", "kk"];
    const CJK: &[&str] = &["zh", "ja"];
    let class = |l: &str| {
        if CYRILLIC.contains(&l) {
            1
        } else if CJK.contains(&l) {
            2
        } else {
            0
        }
    };
    class(a) == class(b)
}

/// ISO 639-1 code of a whatlang language ("und" for those without one).
#[must_use]
pub fn iso639_1(lang: Lang) -> &'static str {
    match lang {
        Lang::Epo => "eo",
        Lang::Eng => "en",
        Lang::Rus => "ru",
        Lang::Cmn => "zh",
        Lang::Spa => "es",
        Lang::Por => "pt",
        Lang::Ita => "it",
        Lang::Ben => "bn",
        Lang::Fra => "fr",
        Lang::Deu => "de",
        Lang::Ukr => "uk",
        Lang::Kat => "ka",
        Lang::Ara => "ar",
        Lang::Hin => "hi",
        Lang::Jpn => "ja",
        Lang::Heb => "he",
        Lang::Yid => "yi",
        Lang::Pol => "pl",
        Lang::Amh => "am",
        Lang::Jav => "jv",
        Lang::Kor => "ko",
        Lang::Nob => "nb",
        Lang::Dan => "da",
        Lang::Swe => "sv",
        Lang::Fin => "fi",
        Lang::Tur => "tr",
        Lang::Nld => "nl",
        Lang::Hun => "hu",
        Lang::Ces => "cs",
        Lang::Ell => "el",
        Lang::Bul => "bg",
        Lang::Bel => "be",
        Lang::Mar => "mr",
        Lang::Kan => "kn",
        Lang::Ron => "ro",
        Lang::Slv => "sl",
        Lang::Hrv => "hr",
        Lang::Srp => "sr",
        Lang::Mkd => "mk",
        Lang::Lit => "lt",
        Lang::Lav => "lv",
        Lang::Est => "et",
        Lang::Tam => "ta",
        Lang::Vie => "vi",
        Lang::Urd => "ur",
        Lang::Tha => "th",
        Lang::Guj => "gu",
        Lang::Uzb => "uz",
        Lang::Pan => "pa",
        Lang::Aze => "az",
        Lang::Ind => "id",
        Lang::Tel => "te",
        Lang::Pes => "fa",
        Lang::Mal => "ml",
        Lang::Ori => "or",
        Lang::Mya => "my",
        Lang::Nep => "ne",
        Lang::Sin => "si",
        Lang::Khm => "km",
        Lang::Tuk => "tk",
        Lang::Aka => "ak",
        Lang::Zul => "zu",
        Lang::Sna => "sn",
        Lang::Afr => "af",
        Lang::Lat => "la",
        Lang::Slk => "sk",
        Lang::Cat => "ca",
        Lang::Tgl => "tl",
        Lang::Hye => "hy",
        _ => "und",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_common_languages() {
        let cases = [
            (
                "Elon Musk hat zehntausend Grafikprozessoren gekauft, um in den Wettlauf um künstliche Intelligenz einzusteigen.",
                "de",
            ),
            (
                "Musk ha acquistato 10.000 GPU per unirsi alla guerra dell'intelligenza artificiale, dopo aver chiesto di sospendere.",
                "it",
            ),
            (
                "马斯克购买了一万块显卡，加入人工智能大战。此前他曾呼吁暂停训练更强大的模型。",
                "zh",
            ),
            (
                "マスク氏は人工知能の開発競争に参加するために一万個のGPUを購入しました。",
                "ja",
            ),
            (
                "Маск купил десять тысяч графических процессоров, чтобы вступить в гонку искусственного интеллекта.",
                "ru",
            ),
            (
                "Маск придбав десять тисяч графічних процесорів, щоб долучитися до перегонів штучного інтелекту.",
                "uk",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(detect(text, None), want, "{text}");
        }
    }

    #[test]
    fn a_near_empty_item_takes_its_titles_language() {
        let subscribe = vec![
            "***".to_string(),
            "Subscribe to the agg-ja-4 channel so you miss nothing.".to_string(),
        ];
        let title = "全国一斉イベントで色鮮やかに打ち上げられた花火と光に照らされる唐門";
        assert_eq!(detect_article(title, &subscribe, None), "ja");
        let title = "Scharfe Regeln für Schlachthöfe: Heil will andere Branchen prüfen";
        assert_eq!(detect_article(title, &subscribe, Some("de")), "de");
        // A body of its own decides with the title.
        let body = vec![
            "Elon Musk hat zehntausend Grafikprozessoren gekauft, um in den Wettlauf um \
             künstliche Intelligenz einzusteigen, nachdem er eine Pause gefordert hatte. \
             Das berichten mehrere Medien unter Berufung auf Insider aus dem Unternehmen. \
             Eine Stellungnahme des Konzerns lag bis zum Abend nicht vor."
                .to_string(),
        ];
        assert_eq!(detect_article("Musk buys GPUs", &body, None), "de");
    }

    #[test]
    fn empty_text_uses_hint() {
        assert_eq!(detect("", Some("en-US")), "en");
        assert_eq!(detect("", None), "und");
    }
}
