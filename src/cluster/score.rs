//! The decision for one pair of articles: are they copies of one text?
//!
//! Cascade, cheapest first: identical text; near-identical (SimHash); same-language copy
//! (MinHash Jaccard or containment, with the number-conflict veto); then anchors
//! (rarity-weighted containment with a smoothed denominator), the only path across
//! languages. Every match says why.

use crate::fingerprint::{minhash, simhash};
use crate::store::articles::Sig;
use crate::store::index::AnchorStat;
use serde::Serialize;
use std::collections::HashMap;

/// Jaccard at or above which two same-language texts are copies.
pub const COPY_JACCARD: f64 = 0.3;
/// Containment (of the smaller in the larger) at or above which a trimmed copy matches.
pub const COPY_CONTAINMENT: f64 = 0.6;
/// Fewest shingles of the smaller text for containment to count.
pub const MIN_CONTAINED_SHINGLES: u32 = 15;
/// Anchor score at or above which two texts in different languages match.
pub const CROSS_ANCHOR: f64 = 0.5;
/// Anchor score for two texts in the same language (different translations of one text).
pub const SAME_ANCHOR: f64 = 0.5;
/// Added to the anchor denominator so that texts with few anchors are not "contained"
/// in everything.
pub const ANCHOR_SMOOTHING: f64 = 5.0;
/// Fewest shared anchors for an anchor match.
pub const MIN_SHARED_ANCHORS: usize = 3;

/// How a pair matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The same words.
    Identical,
    /// SimHash within a few bits.
    NearIdentical,
    /// Same-language copy by shingles.
    Copy,
    /// Anchors (numbers, names, dates…) shared in order.
    Anchors,
}

/// A match and its evidence.
#[derive(Debug, Clone, Serialize)]
pub struct Match {
    /// Confidence in [0, 1].
    pub score: f64,
    /// Which test decided.
    pub kind: Kind,
    /// Estimated Jaccard of shingles.
    pub jaccard: f64,
    /// Estimated containment of the smaller text.
    pub containment: f64,
    /// Anchor score.
    pub anchors: f64,
    /// Shared anchors (the rarest first, at most 8).
    pub shared: Vec<String>,
}

/// Anchor statistics for weighting: document frequency and languages.
#[derive(Debug, Default)]
pub struct Weights {
    /// Per anchor.
    pub stats: HashMap<String, AnchorStat>,
    /// Documents in the collection.
    pub docs: f64,
}

impl Weights {
    /// idf of an anchor; 0 for anchors seen in only one document (they cannot be shared)
    /// are kept at full weight since the other side may be new.
    #[must_use]
    pub fn idf(&self, anchor: &str) -> f64 {
        let df = self.stats.get(anchor).map_or(1, |s| s.df.max(1));
        #[allow(clippy::cast_precision_loss)]
        let df = df as f64;
        ((self.docs + 1.0) / df).ln().max(0.0)
    }

    /// Whether an anchor has been seen in two or more languages.
    #[must_use]
    pub fn multilingual(&self, anchor: &str) -> bool {
        self.stats
            .get(anchor)
            .is_some_and(|s| s.langs.count_ones() >= 2)
    }
}

/// Numbers of the smaller text missing from the larger: the conflict veto fires when
/// several are missing (template posts, prices, scores).
fn number_conflict(small: &[String], large: &[String]) -> bool {
    if small.is_empty() {
        return false;
    }
    let missing = small
        .iter()
        .filter(|n| large.binary_search(n).is_err())
        .count();
    #[allow(clippy::cast_precision_loss)]
    let share = missing as f64 / small.len() as f64;
    missing >= 2 && share > 0.25 || missing >= 1 && small.len() <= 2 && share >= 0.5
}

/// Anchor score of a pair and the shared anchors (rarest first).
#[must_use]
pub fn anchor_score(a: &Sig, b: &Sig, w: &Weights) -> (f64, Vec<String>) {
    let cross = a.lang != b.lang;
    let bset: std::collections::HashSet<&str> = b.fp.anchors.iter().map(String::as_str).collect();
    let eligible = |x: &str| !cross || w.multilingual(x);
    let mut shared: Vec<(f64, &str)> = Vec::new();
    let mut wa = 0.0;
    for x in &a.fp.anchors {
        let idf = w.idf(x);
        if bset.contains(x.as_str()) {
            shared.push((idf, x));
            wa += idf;
        } else if eligible(x) {
            wa += idf;
        }
    }
    let aset: std::collections::HashSet<&str> = a.fp.anchors.iter().map(String::as_str).collect();
    let wb: f64 =
        b.fp.anchors
            .iter()
            .filter(|x| aset.contains(x.as_str()) || eligible(x))
            .map(|x| w.idf(x))
            .sum();
    let sw: f64 = shared.iter().map(|s| s.0).sum();
    if shared.len() < MIN_SHARED_ANCHORS {
        return (0.0, Vec::new());
    }
    shared.sort_by(|x, y| y.0.total_cmp(&x.0).then_with(|| x.1.cmp(y.1)));
    let score = sw / (wa.min(wb) + ANCHOR_SMOOTHING);
    (
        score,
        shared.iter().take(8).map(|s| s.1.to_string()).collect(),
    )
}

/// Decides whether `a` and `b` are copies of one text.
#[must_use]
pub fn pair(a: &Sig, b: &Sig, w: &Weights) -> Option<Match> {
    let same_lang = a.lang == b.lang;
    let j = minhash::jaccard(&a.fp.minhash, &b.fp.minhash);
    let c = minhash::containment(j, a.fp.shingles, b.fp.shingles);
    let base = |score, kind| Match {
        score,
        kind,
        jaccard: j,
        containment: c,
        anchors: 0.0,
        shared: Vec::new(),
    };
    if a.fp.shingles > 0 && a.fp.text_hash == b.fp.text_hash {
        return Some(base(1.0, Kind::Identical));
    }
    let (small, large) = if a.fp.shingles <= b.fp.shingles {
        (a, b)
    } else {
        (b, a)
    };
    let conflict = number_conflict(&small.fp.numbers, &large.fp.numbers);
    if same_lang
        && a.fp.shingles >= 8
        && b.fp.shingles >= 8
        && simhash::distance(a.fp.simhash, b.fp.simhash) <= simhash::NEAR
        && !conflict
    {
        return Some(base(0.98, Kind::NearIdentical));
    }
    if same_lang && !conflict {
        let contained = c >= COPY_CONTAINMENT && small.fp.shingles >= MIN_CONTAINED_SHINGLES;
        if j >= COPY_JACCARD || contained {
            return Some(base((0.6 + 0.4 * j.max(c * 0.9)).min(0.97), Kind::Copy));
        }
    }
    if conflict && same_lang {
        return None;
    }
    let (s, shared) = anchor_score(a, b, w);
    let threshold = if same_lang { SAME_ANCHOR } else { CROSS_ANCHOR };
    if s >= threshold {
        let mut m = base((0.4 + 0.5 * s).min(0.95), Kind::Anchors);
        m.anchors = s;
        m.shared = shared;
        return Some(m);
    }
    None
}
