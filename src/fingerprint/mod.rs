//! Fingerprints: what matching compares instead of whole texts.
//!
//! Input: an article's content paragraphs (boilerplate already removed) and language.
//! Output: a [`Fingerprint`]: exact text hash, 64-bit SimHash, 128-value MinHash over word
//! (or, for unspaced scripts, character) 3-shingles, the numbers for the conflict veto, and
//! language-independent anchors in text order. Pure and deterministic: seeds are consts.

pub mod anchors;
pub mod boilerplate;
pub mod dates;
pub mod minhash;
pub mod numbers;
pub mod simhash;
pub mod title;
pub mod translit;

use crate::normalize::text;
use twox_hash::XxHash3_64;

/// Seed of the shingle hash; changing it invalidates every stored signature.
pub const SHINGLE_SEED: u64 = 0x6669_7273_7468_616e; // "firsthan"
/// Words per shingle.
pub const SHINGLE_WORDS: usize = 3;

/// Everything matching needs to know about one article's text.
#[derive(Debug, Clone, PartialEq)]
pub struct Fingerprint {
    /// Hash of the normalised words of the content: equal for identical texts.
    pub text_hash: u64,
    /// Hash of the words with only site lines removed (set by the caller; equals
    /// `text_hash` when nothing generic was removed).
    pub dup_hash: u64,
    /// SimHash over word shingles.
    pub simhash: u64,
    /// MinHash signature.
    pub minhash: Vec<u32>,
    /// Distinct shingles in the text.
    pub shingles: u32,
    /// Anchors in text order, first occurrence only.
    pub anchors: Vec<String>,
    /// Number keys (for the conflict veto), sorted, distinct.
    pub numbers: Vec<String>,
    /// Content paragraphs.
    pub paragraphs: u32,
    /// Content characters.
    pub chars: u32,
}

/// Fewest shingles of text of its own (boilerplate removed) for an article's body to
/// be evidence: below this (a title and a subscribe line, a link post) only its title,
/// its links and its credits can say which story it belongs to, and it is not the
/// original of a story that holds a text.
pub const THIN_SHINGLES: u32 = 8;

/// Whether a text of `shingles` shingles is (almost) none: see [`THIN_SHINGLES`].
#[must_use]
pub fn thin_text(shingles: u32) -> bool {
    shingles < THIN_SHINGLES
}

impl Fingerprint {
    /// Whether the article has (almost) no text of its own: see [`THIN_SHINGLES`].
    #[must_use]
    pub fn thin(&self) -> bool {
        thin_text(self.shingles)
    }
}

/// Fingerprints `title` and content `paragraphs` in language `lang`.
#[must_use]
pub fn compute(title: &str, paragraphs: &[&str], lang: &str) -> Fingerprint {
    let body = paragraphs.join("\n");
    let (joined, spans) = text::joined_words(&body);
    let shingle_hashes = shingles(&joined, &spans);
    let text_hash = XxHash3_64::oneshot_with_seed(SHINGLE_SEED, joined.as_bytes());
    let body_numbers = numbers::extract(&body, lang);
    let anchors = anchors::extract_with_numbers(title, &body, lang, &body_numbers);
    let mut numbers: Vec<String> = body_numbers
        .into_iter()
        .filter(|n| !n.small)
        .map(|n| n.key)
        .collect();
    numbers.sort();
    numbers.dedup();
    Fingerprint {
        text_hash,
        dup_hash: text_hash,
        simhash: simhash::compute(&shingle_hashes),
        minhash: minhash::signature(&shingle_hashes),
        shingles: u32::try_from(shingle_hashes.len()).unwrap_or(u32::MAX),
        anchors,
        numbers,
        paragraphs: u32::try_from(paragraphs.len()).unwrap_or(u32::MAX),
        chars: u32::try_from(body.chars().count()).unwrap_or(u32::MAX),
    }
}

/// Hash of the words of `paragraphs` (the exact-text key).
#[must_use]
pub fn words_hash(paragraphs: &[&str]) -> u64 {
    let (joined, _) = text::joined_words(&paragraphs.join("\n"));
    XxHash3_64::oneshot_with_seed(SHINGLE_SEED, joined.as_bytes())
}

/// Distinct hashed 3-shingles of the words of `joined` (words joined by single spaces,
/// `spans` their byte ranges; see [`text::joined_words`]); fewer words: one shingle of
/// all of them. A shingle is the text from its first word's start to its last word's end.
#[must_use]
pub fn shingles(joined: &str, spans: &[(usize, usize)]) -> Vec<u64> {
    let mut out: Vec<u64> = if spans.len() < SHINGLE_WORDS {
        if spans.is_empty() {
            Vec::new()
        } else {
            vec![XxHash3_64::oneshot_with_seed(
                SHINGLE_SEED,
                joined.as_bytes(),
            )]
        }
    } else {
        spans
            .windows(SHINGLE_WORDS)
            .map(|w| {
                let text = &joined.as_bytes()[w[0].0..w[SHINGLE_WORDS - 1].1];
                XxHash3_64::oneshot_with_seed(SHINGLE_SEED, text)
            })
            .collect()
    };
    out.sort_unstable();
    out.dedup();
    out
}

/// True for characters of scripts written without spaces (see `normalize::text`).
fn text_script_unspaced(c: char) -> bool {
    text::is_unspaced_script(c)
}

thread_local! {
    /// One character buffer per thread, reused by the number and date scanners: a body
    /// of some thousand characters makes a buffer of tens of kilobytes, and a fresh one
    /// for every article cost the page faults of its memory each time.
    static CHARS: std::cell::RefCell<Vec<(usize, char)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Buffers larger than this (in characters) are not kept for reuse.
const KEEP_CHARS: usize = 1 << 20;

/// The characters of `text` with their byte offsets, each passed through `fold`, in a
/// buffer reused across calls on this thread (give it back with [`recycle_chars`]).
fn folded_chars(text: &str, fold: impl Fn(char) -> char) -> Vec<(usize, char)> {
    let mut v = CHARS
        .try_with(|c| std::mem::take(&mut *c.borrow_mut()))
        .unwrap_or_default();
    v.clear();
    v.extend(text.char_indices().map(|(b, c)| (b, fold(c))));
    v
}

/// Gives a buffer from [`folded_chars`] back for the next call on this thread.
fn recycle_chars(v: Vec<(usize, char)>) {
    if v.capacity() <= KEEP_CHARS {
        // During thread teardown the buffer is simply dropped.
        let _ = CHARS.try_with(|c| *c.borrow_mut() = v);
    }
}
