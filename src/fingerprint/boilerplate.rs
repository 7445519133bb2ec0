//! Boilerplate: lines that say nothing about the article (promo lines, "Read more", share
//! prompts, credit lines, translated footers) and lines a site repeats under its articles.
//! They are removed before fingerprinting so that two different articles from one site do
//! not look alike, and a copy with other boilerplate still looks like its original.

use crate::normalize::{credit, text};
use std::hash::Hasher;
use twox_hash::XxHash3_64;

/// Longest paragraph that can be boilerplate.
pub const MAX_LINE: usize = 400;
/// Seed of line hashes (stored per site).
pub const LINE_SEED: u64 = 0x626f_696c_6572_706c; // "boilerpl"

/// Phrases of promo, share and navigation lines, lowercase.
const PHRASES: &[&str] = &[
    "read more",
    "read also",
    "read the full",
    "related:",
    "see also",
    "more:",
    "click here",
    "share this",
    "share on",
    "follow us",
    "subscribe",
    "newsletter",
    "sign up",
    "all rights reserved",
    "copyright",
    "©",
    "advertisement",
    "sponsored",
    "view comments",
    "wechat",
    "weiterlesen",
    "mehr zum thema",
    "lesen sie auch",
    "abonnieren",
    "werbung",
    "kommentare",
    "lire aussi",
    "lire la suite",
    "à lire aussi",
    "abonnez",
    "leggi anche",
    "leggi tutto",
    "visualizza i commenti",
    "iscriviti",
    "seguici",
    "lee también",
    "leer más",
    "suscríbete",
    "síguenos",
    "читайте также",
    "подписывайтесь",
    "подробнее",
    "читайте тоже",
    "читайте також",
    "підписуйтесь",
    "čtěte také",
    "přečtěte si",
    "pročitajte",
    "lestu einnig",
    "阅读原文",
    "阅读更多",
    "查看评论",
    "公众号",
    "扫码",
    "相关阅读",
    "延伸阅读",
    "关联記事",
    "関連記事",
    "続きを読む",
    "フォロー",
    "और पढ़ें",
    "यह भी पढ़ें",
];

/// True for a short paragraph that is a promo, share, navigation or credit line.
#[must_use]
pub fn is_generic(paragraph: &str) -> bool {
    if paragraph.chars().count() > 200 {
        return false;
    }
    if credit::is_credit_line(paragraph) {
        return true;
    }
    let lower = paragraph.to_lowercase();
    PHRASES.iter().any(|p| lower.contains(p)) || is_hashtag_promo(paragraph)
}

/// A promo line by its shape: a short sentence opened by a `#` glued to its first word
/// (often closed by another), as sites write "#Follow our account…#" under their
/// articles, in any language.
fn is_hashtag_promo(paragraph: &str) -> bool {
    let t = paragraph.trim();
    let words = t.split_whitespace().count();
    let mut chars = t.chars();
    let opened =
        matches!(chars.next(), Some('#' | '＃')) && chars.next().is_some_and(char::is_alphabetic);
    // A hashtag alone ("#AI") is a tag line; a sentence behind a # is a promo.
    opened && words >= 4 && t.chars().count() <= 200
}

/// Key of a line for the per-site repeat count: its lowercase words.
#[must_use]
pub fn line_hash(paragraph: &str) -> i64 {
    // The lowercase letters and digits, as words separated by single spaces (what
    // `text::joined_words` gives), hashed as they stream by.
    let mut h = XxHash3_64::with_seed(LINE_SEED);
    let mut pending_space = false;
    let mut buf = [0u8; 4];
    for c in paragraph.chars() {
        if c.is_alphanumeric() || text::is_unspaced_script(c) {
            if pending_space {
                h.write(b" ");
                pending_space = false;
            }
            for l in c.to_lowercase() {
                h.write(l.encode_utf8(&mut buf).as_bytes());
            }
        } else {
            pending_space = true;
        }
    }
    super::minhash::to_key(h.finish())
}

/// True when a paragraph is short enough to be a repeated site line.
#[must_use]
pub fn may_repeat(paragraph: &str) -> bool {
    paragraph.chars().count() <= MAX_LINE
}

/// The article's own text is the least-carried `1 / OWN_SHARE_DEN` of its characters.
const OWN_SHARE_DEN: usize = 4;

/// Which paragraphs are lines the site repeats, from how often the site (or a feed
/// document) carries each: `counts[i]` for paragraph `i`, `None` for one too long to be
/// boilerplate (content, counted once).
///
/// A line is the site's when the site carries it under two or more articles *and* more
/// often than the article's own text: the count that the least-carried quarter of the
/// article's characters reach. So a footer under every article is the site's, even a
/// standard footer up to three times as long as the text; the text of an article the
/// site carries twice (a repost, an update, two translations that share sentences) is
/// not. Without the second test a second copy of an article on one site lost every line
/// and could match nothing (large stories fell apart into such copies).
#[must_use]
pub fn repeated_lines(paragraphs: &[String], counts: &[Option<i64>]) -> Vec<bool> {
    let mut weighted: Vec<(i64, usize)> = paragraphs
        .iter()
        .zip(counts)
        .map(|(p, c)| (c.unwrap_or(1).max(1), p.len().max(1)))
        .collect();
    weighted.sort_unstable();
    let total: usize = weighted.iter().map(|w| w.1).sum();
    let mut acc = 0;
    let mut own = 1;
    for (c, len) in weighted {
        acc += len;
        own = c;
        if OWN_SHARE_DEN * acc >= total {
            break;
        }
    }
    counts
        .iter()
        .map(|c| c.is_some_and(|c| c >= 2 && c > own))
        .collect()
}

/// The content paragraphs: generic boilerplate and the paragraphs marked in `site_lines`
/// (lines the site repeats, by [`line_hash`]) removed. What is left may be nothing: an
/// aggregator's item of a title and a subscribe line has no text of its own, and two such
/// items must not look alike because their boilerplate does.
#[must_use]
pub fn content<'a>(paragraphs: &'a [String], site_lines: &[bool]) -> Vec<&'a str> {
    paragraphs
        .iter()
        .enumerate()
        .filter(|(i, p)| !(is_generic(p) || site_lines.get(*i).copied().unwrap_or(false)))
        .map(|(_, p)| p.as_str())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_lines() {
        for s in [
            "Ai Faner | Link originale · Visualizza i commenti",
            "#Benvenuti a prestare attenzione all'account pubblico WeChat di Aifaner",
            "Read more: Apple's next iPhone",
            "Source: The Verge",
            "© 2023 Example Media. All rights reserved.",
        ] {
            assert!(is_generic(s), "{s}");
        }
        assert!(!is_generic(
            "Musk bought 10,000 GPUs for Twitter's new AI project."
        ));
        // Promo lines by their shape, in languages no phrase lists.
        assert!(is_generic(
            "#Benvenuti a prestare attenzione all'account pubblico di Aifaner"
        ));
        assert!(is_generic(
            "#Folgen Sie unserem Konto für tägliche Nachrichten#"
        ));
        assert!(!is_generic("#AI"));
        assert!(!is_generic("# 3 things to know"));
    }

    #[test]
    fn a_footer_is_the_sites_but_a_second_copy_keeps_its_text() {
        let paras: Vec<String> = [
            "The first paragraph of the article, long enough to weigh.",
            "The second paragraph of the article, also of some length.",
            "Follow Example News on every platform",
        ]
        .map(String::from)
        .to_vec();
        // A new article under a footer the site has carried before.
        assert_eq!(
            repeated_lines(&paras, &[Some(1), Some(1), Some(7)]),
            [false, false, true]
        );
        // The same article carried a second time: its text is not the site's, the
        // footer (carried more often than the text) still is.
        assert_eq!(
            repeated_lines(&paras, &[Some(2), Some(2), Some(7)]),
            [false, false, true]
        );
        // Two copies, and a footer seen only under them: nothing to tell apart, kept.
        assert_eq!(
            repeated_lines(&paras, &[Some(2), Some(2), Some(2)]),
            [false, false, false]
        );
        // A long paragraph (no count) is content counted once: the short lines the site
        // repeats are its lines even when they are most of the paragraphs.
        let long = vec![
            "x".repeat(500),
            "Subscribe line".into(),
            "Share line".into(),
        ];
        assert_eq!(
            repeated_lines(&long, &[None, Some(3), Some(3)]),
            [false, true, true]
        );
        // A standard footer twice as long as a new article's text is still the site's.
        let short = vec![
            "A short new text.".to_string(),
            "Footer line one of the site, always the same".to_string(),
        ];
        assert_eq!(repeated_lines(&short, &[Some(1), Some(40)]), [false, true]);
        // Lines carried once are never the site's.
        assert_eq!(repeated_lines(&paras[..1], &[Some(1)]), [false]);
    }

    #[test]
    fn content_drops_site_lines_even_when_nothing_is_left() {
        let paras = vec!["Our site line".to_string(), "Real text here".to_string()];
        assert_eq!(content(&paras, &[true, false]), vec!["Real text here"]);
        assert!(content(&paras, &[true, true]).is_empty());
        let promo = vec!["***".to_string(), "Subscribe to our channel".to_string()];
        assert_eq!(content(&promo, &[false, false]), vec!["***"]);
    }
}
