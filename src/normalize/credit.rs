//! Credit lines: "Source: …", "Via …", "Fonte", "Quelle", "来源", "原文链接", "出典",
//! "Источник", and footers that translators carry over ("Link originale").
//!
//! A link inside a short paragraph holding such a phrase credits another article or site;
//! a credit line without a link still names the source ("Source: ifanr").

/// Credit phrases in the languages firsthand meets, lowercase. Latin and Cyrillic ones
/// must stand as whole words.
const PHRASES: &[&str] = &[
    // en
    "source",
    "sources",
    "via",
    "originally published",
    "original article",
    "read the original",
    "first appeared",
    "first published",
    "republished",
    "reprinted",
    "h/t",
    "hat tip",
    "original link",
    "original story",
    "credit",
    // de
    "quelle",
    "ursprünglich",
    "zuerst erschienen",
    "originalartikel",
    "erstveröffentlichung",
    // fr
    "article original",
    "publié initialement",
    "initialement publié",
    "lien original",
    // it
    "fonte",
    "link originale",
    "articolo originale",
    "pubblicato originariamente",
    // es, pt
    "fuente",
    "vía",
    "artículo original",
    "publicado originalmente",
    "enlace original",
    "artigo original",
    // ru, uk
    "источник",
    "оригинал",
    "первоисточник",
    "по материалам",
    "джерело",
    "оригінал",
    "за матеріалами",
    // cs, hr, pl, is, nl, sv, tr, el
    "zdroj",
    "původní článek",
    "originál",
    "izvor",
    "izvorni članak",
    "źródło",
    "heimild",
    "upprunaleg",
    "bron",
    "källa",
    "kaynak",
    "πηγή",
    // zh, ja, ko, hi, ar
    "来源",
    "來源",
    "原文链接",
    "原文連結",
    "原文",
    "出处",
    "出處",
    "转载自",
    "转自",
    "本文来自",
    "出典",
    "元記事",
    "引用元",
    "情報源",
    "ソース",
    "출처",
    "स्रोत",
    "मूल लेख",
    "المصدر",
];

/// Longest paragraph still read as a credit line.
const MAX_CREDIT_LINE: usize = 300;

/// True when `paragraph` reads as a credit line.
#[must_use]
pub fn is_credit_line(paragraph: &str) -> bool {
    if paragraph.chars().count() > MAX_CREDIT_LINE {
        return false;
    }
    let lower = paragraph.to_lowercase();
    // Every phrase in one pass over the paragraph (it is asked of every short paragraph
    // of every article). Overlapping matches are all seen: a phrase that overlaps itself
    // ("sources") is preceded by a letter there, so it fails its word boundary as when
    // each phrase is searched alone.
    match &*PHRASE_FINDER {
        Some(finder) => finder.find_overlapping_iter(&lower).any(|m| {
            PHRASES
                .get(m.pattern().as_usize())
                .is_some_and(|p| stands_alone(&lower, p, m.start(), m.end()))
        }),
        None => PHRASES.iter().any(|p| contains_phrase(&lower, p)),
    }
}

/// [`PHRASES`] as one automaton (`None` only if it could not be built).
static PHRASE_FINDER: std::sync::LazyLock<Option<aho_corasick::AhoCorasick>> =
    std::sync::LazyLock::new(|| aho_corasick::AhoCorasick::new(PHRASES).ok());

/// The source named by a credit line without a link: the text after the phrase and a
/// colon, e.g. "Source: Ai Faner" → "ai faner".
#[must_use]
pub fn named_source(paragraph: &str) -> Option<String> {
    if paragraph.chars().count() > 120 || !is_credit_line(paragraph) {
        return None;
    }
    let lower = paragraph.to_lowercase();
    let after = lower
        .split_once(':')
        .or_else(|| lower.split_once('：'))
        .map(|(_, a)| a)?;
    let name: String = after
        .split(['|', '·', '/', '(', '（'])
        .next()
        .unwrap_or_default()
        .trim()
        .chars()
        .take(60)
        .collect();
    (!name.is_empty()).then_some(name)
}

fn contains_phrase(hay: &str, phrase: &str) -> bool {
    let mut from = 0;
    while let Some(pos) = hay[from..].find(phrase) {
        let start = from + pos;
        let end = start + phrase.len();
        if stands_alone(hay, phrase, start, end) {
            return true;
        }
        from = end;
    }
    false
}

/// Whether `phrase`, found at `start..end` of `hay`, counts there: Latin and Cyrillic
/// phrases only as whole words.
fn stands_alone(hay: &str, phrase: &str, start: usize, end: usize) -> bool {
    let needs_boundary = phrase.chars().next().is_some_and(|c| {
        c.is_ascii_alphabetic()
            || ('\u{0400}'..='\u{04FF}').contains(&c)
            || c.is_alphabetic() && !c.is_ascii() && (c as u32) < 0x2000
    });
    if !needs_boundary {
        return true;
    }
    let before = hay[..start].chars().next_back();
    let after = hay[end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_pass_over_all_phrases_reads_as_each_phrase_searched_alone() {
        let cases = [
            "Source: ifanr",
            "sourcesources: x",
            "Resources and sources",
            "trivia via Reuters",
            "Lien originall, lien original",
            "kaynakkaynak",
            "Источник: ТАСС",
            "Неисточник",
            "来源：爱范儿",
            "原文链接 https://www.ifanr.com/1",
            "Fuente: EFE · vía Twitter",
            "Credits roll",
            "Photo credit: AP",
            "no phrase here at all",
            "",
        ];
        for p in cases {
            let alone = PHRASES
                .iter()
                .any(|ph| contains_phrase(&p.to_lowercase(), ph));
            assert_eq!(is_credit_line(p), alone, "{p}");
        }
    }

    #[test]
    fn credit_lines() {
        let yes = [
            "Source: ifanr",
            "Ai Faner | Link originale · Visualizza i commenti",
            "Quelle: heise online",
            "来源：爱范儿",
            "原文链接",
            "出典：ITmedia",
            "Источник: РБК",
            "Via The Verge",
            "Fonte: Ansa",
        ];
        for s in yes {
            assert!(is_credit_line(s), "{s}");
        }
        let no = [
            "The aviation industry grew.",
            "Resources were scarce.",
            "Musk bought 10,000 GPUs for a new AI project at Twitter, sources familiar with the matter say, and it is a long paragraph that goes on and on about the details of the purchase and what it means for the company, its employees, its investors, its users and everyone else who might care about such things, far longer than any credit line.",
        ];
        for s in no {
            assert!(!is_credit_line(s), "{s}");
        }
    }

    #[test]
    fn named_sources() {
        assert_eq!(
            named_source("Source: Ai Faner | more").as_deref(),
            Some("ai faner")
        );
        assert_eq!(named_source("来源：爱范儿").as_deref(), Some("爱范儿"));
        assert_eq!(named_source("Nothing here: at all"), None);
    }
}
