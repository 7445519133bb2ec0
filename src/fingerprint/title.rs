//! Titles as evidence for articles with (almost) no text of their own: an aggregator's
//! near-empty item or a link post can only be matched by its title or its links. A title
//! counts when it is long enough to be distinctive; a trailing site name (" - Site",
//! " | Site", " (Site)") is ignored.

use crate::normalize::text;
use twox_hash::XxHash3_64;

/// Fewest words (characters in scripts written without spaces count one each, and
/// [`MIN_UNSPACED`] of them are needed) for a title to say which article it is.
pub const MIN_WORDS: usize = 5;
/// Fewest characters of a title in a script written without spaces.
pub const MIN_UNSPACED: usize = 10;
/// Longest trailing part after a separator that is taken for a site name.
const MAX_SUFFIX_WORDS: usize = 5;
/// Seed of title keys: they share the key space of the LSH bands.
const TITLE_SEED: u64 = 0x7469_746c_655f_6b79; // "title_ky"

/// The forms of a title that are compared: its lowercase words, and the same without a
/// trailing site name; only forms long enough to be distinctive.
#[must_use]
pub fn forms(title: &str) -> Vec<String> {
    let mut out = Vec::new();
    push_form(&mut out, title);
    // The head before the last separator, when the tail is short (a site name).
    let cut = [" - ", " | ", " – ", " — ", " :: ", " · "]
        .iter()
        .filter_map(|sep| title.rfind(sep))
        .max();
    let paren = title
        .trim_end()
        .strip_suffix(')')
        .and_then(|t| t.rfind(" (").map(|i| (i, t)));
    // A site name is a few words without digits ("Part 2", "Day 3" tell articles apart).
    let site_like = |tail: &str| {
        text::joined_words(tail).1.len() <= MAX_SUFFIX_WORDS && !tail.chars().any(char::is_numeric)
    };
    if let Some(at) = cut.filter(|&at| site_like(&title[at..])) {
        push_form(&mut out, &title[..at]);
    }
    if let Some((at, t)) = paren.filter(|&(at, t)| site_like(&t[at..])) {
        push_form(&mut out, &t[..at]);
    }
    out.dedup();
    out
}

fn push_form(out: &mut Vec<String>, title: &str) {
    let (joined, spans) = text::joined_words(title);
    let unspaced = joined
        .chars()
        .filter(|&c| text::is_unspaced_script(c))
        .count();
    let long = if unspaced * 2 >= joined.chars().filter(|c| *c != ' ').count().max(1) {
        unspaced >= MIN_UNSPACED
    } else {
        spans.len() >= MIN_WORDS
    };
    if long && !out.contains(&joined) {
        out.push(joined);
    }
}

/// Retrieval keys of a title's forms.
#[must_use]
pub fn keys(title: &str) -> Vec<i64> {
    form_keys(&forms(title))
}

/// A title read once for comparing: its words and its distinctive [`forms`]. Matching
/// compares an article's title with many others; reading it once per article instead of
/// once per pair was a twentieth of the matching time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Title {
    /// The lowercase words, joined by single spaces.
    words: String,
    /// The distinctive forms.
    forms: Vec<String>,
}

impl Title {
    /// Reads a title.
    #[must_use]
    pub fn new(title: &str) -> Self {
        Self {
            words: text::joined_words(title).0,
            forms: forms(title),
        }
    }

    /// Whether the two name the same article: a distinctive form in common.
    #[must_use]
    pub fn same(&self, other: &Self) -> bool {
        !self.forms.is_empty() && other.forms.iter().any(|f| self.forms.contains(f))
    }

    /// Whether the two are the same words, however short, or [`Title::same`].
    #[must_use]
    pub fn same_or_equal(&self, other: &Self) -> bool {
        (!self.words.is_empty() && self.words == other.words) || self.same(other)
    }

    /// Retrieval keys of the forms.
    #[must_use]
    pub fn keys(&self) -> Vec<i64> {
        form_keys(&self.forms)
    }
}

fn form_keys(forms: &[String]) -> Vec<i64> {
    forms
        .iter()
        .map(|f| super::minhash::to_key(XxHash3_64::oneshot_with_seed(TITLE_SEED, f.as_bytes())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: &str, b: &str) -> bool {
        Title::new(a).same(&Title::new(b))
    }

    #[test]
    fn site_names_are_ignored_and_short_titles_do_not_count() {
        assert!(same(
            "Musk buys ten thousand GPUs for Twitter",
            "Musk buys ten thousand GPUs for Twitter - Example News"
        ));
        assert!(same(
            "Musk buys ten thousand GPUs for Twitter (agg-en)",
            "musk buys ten thousand GPUs for twitter"
        ));
        assert!(!same(
            "Taverncast Special: Lost Shows of 2007 - Part 1",
            "Taverncast Special: Lost Shows of 2007 - Part 2"
        ));
        assert!(!same("Live updates", "Live updates"));
        assert!(!same(
            "Giant Bombcast 2019 episode 12 is here",
            "Giant Bombcast 2019 episode 13 is here"
        ));
        assert!(same(
            "马斯克为推特购买一万块GPU芯片",
            "马斯克为推特购买一万块GPU芯片"
        ));
        assert!(!same("马斯克购买", "马斯克购买"));
    }

    #[test]
    fn a_long_tail_is_not_a_site_name() {
        let f = forms("Apple unveils a phone - and it folds in half twice over again");
        assert_eq!(f.len(), 1, "{f:?}");
    }

    #[test]
    fn keys_follow_forms() {
        assert_eq!(keys("Short").len(), 0);
        assert_eq!(keys("One two three four - Site").len(), 1);
        assert_eq!(keys("One two three four five six - The Site").len(), 2);
    }
}
