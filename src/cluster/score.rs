//! The decision for one pair of articles: are they copies of one text?
//!
//! Cascade, cheapest first: identical text; near-identical (SimHash); same-language copy
//! (MinHash Jaccard or containment, with the number-conflict veto); then anchors
//! (rarity-weighted containment with a smoothed denominator), the only path across
//! languages. Every match says why.

use crate::fingerprint::anchors::AnchorKind;
use crate::fingerprint::{minhash, simhash};
use crate::store::articles::Sig;
use crate::store::index::AnchorStat;
use serde::Serialize;

/// Jaccard at or above which two same-language texts are copies.
pub const COPY_JACCARD: f64 = 0.3;
/// Containment (of the smaller in the larger) at or above which a trimmed copy matches.
pub const COPY_CONTAINMENT: f64 = 0.6;
/// Fewest shingles of the smaller text for containment to count.
pub const MIN_CONTAINED_SHINGLES: u32 = 15;
/// Fewest MinHash values a shorter text must share with one of the same distinctive
/// title to be its lead-only repost: unrelated texts share none or one by a common phrase.
pub const MIN_LEAD_VALUES: f64 = 2.0;
/// Fewest of the MinHash values two texts must share for their containment to count:
/// containment is estimated from the Jaccard, and a Jaccard of two or three values in
/// 128 is what any short text and a long one share by chance (a podcast episode's two
/// lines "contained" in a year's retrospective at 0.95).
pub const MIN_CONTAINED_VALUES: f64 = 4.0;
/// Probability from the anchor model at or above which two texts match.
pub const ANCHOR_MATCH: f64 = 0.6;
/// The anchor model: a logistic regression on the [`Features`] of a pair. Fitted on
/// pairs of ../shared/data/wmt-dev/dev-small.jsonl that share at least two anchors
/// (455,620 pairs, 10,385 copies) with `scripts/fit-anchor-model.py` (features from
/// `examples/pair_features.rs`). Refitting on the current anchors gives close weights
/// and, 5-fold cross-validated, pairwise P 0.979 R 0.916 at 0.6 (in-sample P 0.973
/// R 0.942): the same-story guard then lifts story precision to 0.99.
pub const ANCHOR_REGRESSION: AnchorRegression = AnchorRegression {
    weights: Features {
        containment: -7.193,
        coverage: 10.7488,
        log_shared: 6.5806,
        log_shared_hard: 0.8624,
        order: 0.501,
        same_lang: -3.1052,
        jaccard: 6.4835,
        one_cjk: -0.2048,
        paragraph_ratio: 0.385,
        containment_in_order: 9.1195,
        log_fewer_anchors: -7.0823,
    },
    intercept: 0.7656,
};
/// The anchor model for pairs with exactly one side in Chinese or Japanese
/// ([`Features::one_cjk`]): fitted as [`ANCHOR_REGRESSION`] is, on those pairs alone
/// (`scripts/fit-anchor-model.py --pairs cjk`), since katakana
/// words became anchors. Such pairs share no wording and names in two spellings, and a
/// Japanese text's katakana loanwords are anchors the other side writes as plain words
/// (they count only when shared): the balance of their features is their own. 5-fold
/// cross-validated by pair, P 0.992 R 0.919 at 0.6, P 0.997 R 0.908 at 0.7.
pub const CJK_ANCHOR_REGRESSION: AnchorRegression = AnchorRegression {
    weights: Features {
        containment: -1.9553,
        coverage: 12.8948,
        log_shared: 1.8406,
        log_shared_hard: 2.3891,
        order: -5.0324,
        same_lang: 0.0,
        jaccard: 0.0303,
        one_cjk: -1.5192,
        paragraph_ratio: -0.3043,
        containment_in_order: 12.3701,
        log_fewer_anchors: -2.3051,
    },
    intercept: -3.1571,
};
/// Added to the anchor denominator so that texts with few anchors are not "contained"
/// in everything.
pub const ANCHOR_SMOOTHING: f64 = 5.0;
/// Order of the shared anchors below which a pair across languages that shares names,
/// dates and small numbers and at most one harder anchor is weak evidence: a translation
/// names its people and places in its original's order, two reports of one event do not.
/// Such a pair, or with the model one that shares a single date or small number and
/// nothing else, matches only when the model's vectors are close
/// ([`WEAK_ANCHORS_COSINE`]); without the model it does not match. On dev-small's
/// cross-language pairs that matched before: with the model, 12 of the 47 false ones go
/// and 56 of the 7,078 true ones (0.8%); without it, 14 of 45 and 129 of 6,775 (1.9%).
pub const OUT_OF_ORDER: f64 = 0.7;
/// Cosine at or above which the model vouches for weak anchor evidence ([`OUT_OF_ORDER`]).
pub const WEAK_ANCHORS_COSINE: f64 = 0.85;
/// Fewest shared anchors for an anchor match.
pub const MIN_SHARED_ANCHORS: usize = 3;
/// Jaccard at or above which two texts in one language that share an anchor and no
/// conflicting number match, however few anchors they share: two translations of one
/// article by different translators or systems share this much wording.
pub const SAME_LANG_WORDING: f64 = 0.12;
/// Fewest shared names for two texts in different languages that share nothing else
/// (no number, date, model number or link) to match; see [`NAMES_ONLY_ORDER`].
pub const NAMES_ONLY_SHARED: usize = 5;
/// Share of the shared names that two such texts must name in the same order, with or
/// without the model: a translation keeps its original's order, two reports of one event
/// each have their own. With the model, in dev-small's pairs, it keeps 223 of 267 true
/// names-only matches across languages and 4 of 34 false ones.
pub const NAMES_ONLY_ORDER: f64 = 0.9;
/// Shared anchors from which a match across languages is evidence of a translation
/// whatever its probability (see [`Match::corroborated`]). In dev-small's pairs across
/// languages with a probability from 0.6 to 0.9, those sharing this many anchors are
/// 225 true and 3 false (0–2 in each fold of five by story); those sharing fewer, 317 true
/// and 56 false. (Names alone in order are not enough: two football reports name one
/// club's players in the same order.)
pub const CORROBORATING_SHARED: usize = 8;
/// Fewest shared anchors for a match when the model's cosine is known: the model helps
/// decide, but never alone.
pub const MIN_SHARED_ANCHORS_MODEL: usize = 1;
/// Probability from the model-assisted decision at or above which two texts match.
pub const MODEL_MATCH: f64 = 0.6;
/// Probability from the model-assisted decision at or above which two texts in different
/// languages match when all they share are dates, years and numbers below 100
/// ([`AnchorKind::commonplace`]): unrelated articles of one day share those, and their
/// vectors are close when their subjects are. In dev-small's pairs, by story fold, 28 of
/// 31 such false matches fall below it, and a third of the true ones (which mostly share
/// more with other versions of their story).
pub const MODEL_COMMONPLACE_MATCH: f64 = 0.9;
/// The model-assisted decision: a logistic regression on the [`Features`] of a pair, the
/// cosine and the cosine across languages. See [`ANCHOR_REGRESSION`] for how it is fitted
/// (with the model directory given to `examples/pair_features.rs`).
/// Fitted on 459,156 pairs of dev-small (10,527 copies; vectors of multilingual-e5-small
/// on 64 tokens of title + lead): 5-fold cross-validated P 0.983 R 0.956 at 0.6.
pub const MODEL_DECISION: ModelDecision = ModelDecision {
    anchors: Features {
        containment: -4.0727,
        coverage: 11.5142,
        log_shared: 6.3557,
        log_shared_hard: 0.7126,
        order: 2.3707,
        same_lang: 2.3614,
        jaccard: 8.5361,
        one_cjk: 0.4215,
        paragraph_ratio: 0.1438,
        containment_in_order: 4.4595,
        log_fewer_anchors: -6.0384,
    },
    cosine: 16.183,
    cross_cosine: 8.9348,
    intercept: -23.5101,
};

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
    /// Anchors that are all names, in one language: texts that share people and places
    /// but no wording (two translations of one article, or two reports of one event).
    Names,
    /// An article with no text of its own links to the other (a link post, a credit).
    Link,
    /// An article with no text of its own has the other's title.
    Title,
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
    /// Cosine of the model's vectors, when a model took part.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cosine: Option<f64>,
    /// A match across languages by anchors that rests on many of them
    /// ([`CORROBORATING_SHARED`]): evidence of a translation even when its probability is
    /// under the bar of a strong match (see `assign::weak`).
    #[serde(skip)]
    pub corroborated: bool,
}

/// Fewest articles a store counts as when weighing anchors by rarity (see [`Weights::idf`]).
pub const IDF_MIN_DOCS: f64 = 1000.0;

/// Anchor statistics for weighting: document frequency and languages.
#[derive(Debug, Default)]
pub struct Weights {
    /// Per anchor key.
    pub stats: super::intmap::IntMap<i64, AnchorStat>,
    /// Documents in the collection.
    pub docs: f64,
    /// Whether the model's cosine takes part in decisions.
    pub model: bool,
    /// Per article weighed ([`Weights::remember_totals`]): the idf sum of its anchors,
    /// and of those seen in two or more languages. A pair's anchor evidence divides by
    /// them; summing them again for every pair was most of its cost.
    pub totals: super::intmap::IntMap<crate::domain::ArticleId, (f64, f64)>,
}

impl Weights {
    /// The weights a set of stored articles' pairs are decided with: the statistics of
    /// their anchors and the store's article count (what a placement run reads), with the
    /// model's cosine taking part when `model`.
    ///
    /// # Errors
    /// Database failures.
    pub fn for_sigs(conn: &crate::store::db::Db, sigs: &[Sig], model: bool) -> crate::Result<Self> {
        let mut keys: Vec<i64> = sigs
            .iter()
            .flat_map(|s| s.keys.iter().map(|k| k.0))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        let stats = crate::store::Store::anchor_stats_by_key(conn, &keys)?;
        #[allow(clippy::cast_precision_loss)]
        let docs = crate::store::Store::article_count(conn)? as f64;
        Ok(Self {
            stats: keys.into_iter().zip(stats).collect(),
            docs,
            model,
            totals: super::intmap::IntMap::default(),
        })
    }

    /// The idf sums of `s`'s anchors: all of them, and those that count across languages
    /// (seen in two or more languages, and not readings: [`AnchorKind::Reading`]). With
    /// the model, readings are left out of both.
    #[must_use]
    pub fn totals(&self, s: &Sig) -> (f64, f64) {
        self.totals
            .get(&s.id)
            .copied()
            .unwrap_or_else(|| self.sum_totals(s))
    }

    fn sum_totals(&self, s: &Sig) -> (f64, f64) {
        s.keys.iter().fold((0.0, 0.0), |(all, multi), &(k, pos)| {
            let reading = is_reading(s, pos);
            if self.model && reading {
                return (all, multi);
            }
            let idf = self.idf(k);
            (
                all + idf,
                if self.multilingual(k) && !reading {
                    multi + idf
                } else {
                    multi
                },
            )
        })
    }

    /// Keeps [`Weights::totals`] of `s` for the pairs to come: its anchors' statistics
    /// must be known by now and stay as they are.
    pub fn remember_totals(&mut self, s: &Sig) {
        let t = self.sum_totals(s);
        self.totals.insert(s.id, t);
    }

    /// idf of an anchor; 0 for anchors seen in only one document (they cannot be shared)
    /// are kept at full weight since the other side may be new. A store of a few
    /// articles says little about how rare an anchor is (in a store of one story's
    /// versions, every anchor they share would look common): it counts as
    /// [`IDF_MIN_DOCS`] articles.
    #[must_use]
    pub fn idf(&self, key: i64) -> f64 {
        let df = self.stats.get(&key).map_or(1, |s| s.df.max(1));
        #[allow(clippy::cast_precision_loss)]
        let df = df as f64;
        ((self.docs.max(IDF_MIN_DOCS) + 1.0) / df).ln().max(0.0)
    }

    /// Whether an anchor has been seen in two or more languages.
    #[must_use]
    pub fn multilingual(&self, key: i64) -> bool {
        self.stats
            .get(&key)
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

/// Shared anchors an [`AnchorEvidence`] names (the rarest).
const SHARED_SHOWN: usize = 8;

/// What two texts' anchors say about them.
#[derive(Debug, Clone, Default)]
pub struct AnchorEvidence {
    /// Shared weight over the smaller side's weight (+ smoothing): containment.
    pub score: f64,
    /// Shared weight over the larger side's weight (+ smoothing): coverage.
    pub cover: f64,
    /// Shared anchors.
    pub shared_n: usize,
    /// Shared anchors that are not names (numbers, dates, model numbers, URLs, handles).
    pub shared_hard: usize,
    /// Shared anchors that unrelated articles of one day share (dates, years, numbers
    /// below 100: see [`AnchorKind::commonplace`]).
    pub shared_common: usize,
    /// Longest run of shared anchors in the same order on both sides, as a share.
    pub order: f64,
    /// Shared anchors, rarest first (at most 8).
    pub shared: Vec<String>,
    /// Anchors of the side with fewer, of those that count in this pair (see
    /// [`AnchorKind::Reading`]).
    pub fewer_anchors: usize,
}

/// Length of the longest increasing subsequence.
fn lis(xs: &[usize]) -> usize {
    let mut tails: Vec<usize> = Vec::new();
    for &x in xs {
        match tails.binary_search(&x) {
            Ok(_) => {}
            Err(p) if p == tails.len() => tails.push(x),
            Err(p) => tails[p] = x,
        }
    }
    tails.len()
}

/// Compares the anchors of two texts, weighted by rarity. Across languages only anchors
/// seen in two or more languages count against a text (German capitalises nouns; that
/// says nothing about a Japanese version).
#[must_use]
pub fn anchor_evidence(a: &Sig, b: &Sig, w: &Weights) -> AnchorEvidence {
    let cross = a.lang != b.lang;
    // The shared keys (both lists are sorted). A side's weight is the idf of its
    // anchors that count (across languages: those seen in two or more languages) and of
    // every shared one. With the model, readings (katakana words, pinyin) are left to it:
    // they are not anchors (MODEL_DECISION was fitted without them).
    let (mut i, mut j) = (0, 0);
    let mut shared: Vec<(f64, u32, u32)> = Vec::new(); // (idf, pos in a, pos in b)
    // Shared weight that a side's counted total leaves out: anchors seen in one language
    // only (both sides), readings (on their side).
    let (mut not_counted_a, mut not_counted_b) = (0.0, 0.0);
    while let (Some(x), Some(y)) = (a.keys.get(i), b.keys.get(j)) {
        match x.0.cmp(&y.0) {
            std::cmp::Ordering::Equal if w.model && (is_reading(a, x.1) || is_reading(b, y.1)) => {
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                let idf = w.idf(x.0);
                shared.push((idf, x.1, y.1));
                if cross {
                    let one_language = !w.multilingual(x.0);
                    if one_language || is_reading(a, x.1) {
                        not_counted_a += idf;
                    }
                    if one_language || is_reading(b, y.1) {
                        not_counted_b += idf;
                    }
                }
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
        }
    }
    let least = if w.model {
        MIN_SHARED_ANCHORS_MODEL
    } else {
        MIN_SHARED_ANCHORS
    };
    if shared.len() < least {
        return AnchorEvidence {
            shared_n: shared.len(),
            ..AnchorEvidence::default()
        };
    }
    let sw: f64 = shared.iter().map(|s| s.0).sum();
    let counted = |t: (f64, f64), not: f64| if cross { t.1 } else { t.0 } + not;
    let (wa, wb) = (
        counted(w.totals(a), not_counted_a),
        counted(w.totals(b), not_counted_b),
    );
    let name = |s: &(f64, u32, u32)| a.fp.anchors.get(s.1 as usize).map_or("", String::as_str);
    let shared_hard = shared
        .iter()
        .filter(|s| !AnchorKind::of(name(s)).is_some_and(AnchorKind::is_word))
        .count();
    let shared_common = shared
        .iter()
        .filter(|s| AnchorKind::commonplace(name(s)))
        .count();
    // Order: shared anchors in a's text order, their positions in b.
    // (The merge walked the keys in key order; positions are distinct.)
    let mut by_a: Vec<(u32, u32)> = shared.iter().map(|s| (s.1, s.2)).collect();
    by_a.sort_unstable();
    let order_b: Vec<usize> = by_a.iter().map(|s| s.1 as usize).collect();
    #[allow(clippy::cast_precision_loss)]
    let order = lis(&order_b) as f64 / order_b.len() as f64;
    // The rarest eight, rarest first (names are distinct, so the order is total).
    let rarer = |x: &(f64, u32, u32), y: &(f64, u32, u32)| {
        y.0.total_cmp(&x.0).then_with(|| name(x).cmp(name(y)))
    };
    let shared_n = shared.len();
    if shared.len() > SHARED_SHOWN {
        shared.select_nth_unstable_by(SHARED_SHOWN - 1, rarer);
        shared.truncate(SHARED_SHOWN);
    }
    shared.sort_unstable_by(rarer);
    AnchorEvidence {
        score: sw / (wa.min(wb) + ANCHOR_SMOOTHING),
        cover: sw / (wa.max(wb) + ANCHOR_SMOOTHING),
        shared_n,
        shared_hard,
        shared_common,
        order,
        shared: shared.iter().map(|s| name(s).to_string()).collect(),
        fewer_anchors: counting(a, b, w.model).min(counting(b, a, w.model)),
    }
}

/// Whether anchor evidence that reached the count [`pair`] asks for is still too weak
/// to be a copy or a translation: the shapes that articles about one event, or of one
/// day, share. `j` is the pair's Jaccard, `cos` the model's cosine when there is one.
fn too_weak(e: &AnchorEvidence, same_lang: bool, j: f64, cos: Option<f64>) -> bool {
    if !same_lang
        && e.shared_hard == 0
        && (e.order < NAMES_ONLY_ORDER || cos.is_none() && e.shared_n < NAMES_ONLY_SHARED)
    {
        // Names alone are what articles about one event share: a translation also keeps
        // a number, a date, a model number or a link, or, in a text without them, names
        // its people and places in the order its original does (many of them, unless the
        // model's vectors say the texts are close).
        return true;
    }
    if !same_lang
        && cos.is_none_or(|c| c < WEAK_ANCHORS_COSINE)
        && (e.order < OUT_OF_ORDER && e.shared_hard <= e.shared_common + 1
            || e.shared_n == 1 && e.shared_common == 1)
    {
        // Names, dates and at most one harder anchor, half of them out of order, or one
        // date alone, without vectors that are close: two reports of one event (a
        // Guardian and a FAZ report of North Korea's first Covid-19 case: Kim, Kaesong,
        // Covid-19, 19 July, in order 0.5 to 0.67, cosine 0.84; their Japanese and French
        // versions: 19 July alone, cosine 0.83).
        return true;
    }
    if (!same_lang || j < super::assign::WEAK_SAME_LANG_JACCARD)
        && cos.is_none()
        && e.shared_n <= MIN_SHARED_ANCHORS
        && e.shared_common > 1
    {
        // Dates, years and small numbers are what articles of one day share: three
        // anchors across languages (or in one language with almost no wording in
        // common) are a translation's only when at most one of them is so common.
        return true;
    }
    if !same_lang && cos.is_none() && e.shared_n == e.shared_common {
        // However many, dates and small numbers alone are not a translation's evidence
        // without the model: counts of one day's news (87 cases, 23 deaths, 17 hospitals)
        // in two reports of different events.
        return true;
    }
    false
}

/// Whether the anchor at `pos` of `s` is a reading (a katakana word, a Chinese given name
/// in pinyin: [`AnchorKind::Reading`]).
fn is_reading(s: &Sig, pos: u32) -> bool {
    s.fp.anchors
        .get(pos as usize)
        .is_some_and(|a| AnchorKind::of(a) == Some(AnchorKind::Reading))
}

fn is_cjk(lang: &str) -> bool {
    matches!(lang, "zh" | "ja")
}

/// What the anchor model reads of a pair of texts (see [`anchor_features`]). The same
/// struct holds a model's weights, one per feature (see [`AnchorRegression`]).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Features {
    /// Containment: shared anchor weight over the smaller side's
    /// ([`AnchorEvidence::score`]).
    pub containment: f64,
    /// Coverage: shared anchor weight over the larger side's ([`AnchorEvidence::cover`]).
    pub coverage: f64,
    /// `ln(1 + n)` of the number of shared anchors.
    pub log_shared: f64,
    /// `ln(1 + n)` of the number of shared anchors that are not names.
    pub log_shared_hard: f64,
    /// Longest run of shared anchors in the same order on both sides, as a share
    /// ([`AnchorEvidence::order`]).
    pub order: f64,
    /// 1 when both texts are in the same language, else 0.
    pub same_lang: f64,
    /// Estimated Jaccard of shingles.
    pub jaccard: f64,
    /// 1 when exactly one side is Chinese or Japanese, else 0.
    pub one_cjk: f64,
    /// Paragraph count of the side with fewer over that of the side with more.
    pub paragraph_ratio: f64,
    /// Containment × order.
    pub containment_in_order: f64,
    /// `ln(1 + n)` of the anchor count of the side with fewer anchors.
    pub log_fewer_anchors: f64,
}

impl Features {
    /// Each feature's name (as in the source) and value, in the column order of
    /// `examples/pair_features.rs` and `scripts/fit-anchor-model.py`.
    #[must_use]
    pub fn columns(&self) -> [(&'static str, f64); 11] {
        [
            ("containment", self.containment),
            ("coverage", self.coverage),
            ("log_shared", self.log_shared),
            ("log_shared_hard", self.log_shared_hard),
            ("order", self.order),
            ("same_lang", self.same_lang),
            ("jaccard", self.jaccard),
            ("one_cjk", self.one_cjk),
            ("paragraph_ratio", self.paragraph_ratio),
            ("containment_in_order", self.containment_in_order),
            ("log_fewer_anchors", self.log_fewer_anchors),
        ]
    }

    /// The features from their values in the column order of [`Features::columns`].
    #[must_use]
    pub const fn from_columns(v: [f64; 11]) -> Self {
        Self {
            containment: v[0],
            coverage: v[1],
            log_shared: v[2],
            log_shared_hard: v[3],
            order: v[4],
            same_lang: v[5],
            jaccard: v[6],
            one_cjk: v[7],
            paragraph_ratio: v[8],
            containment_in_order: v[9],
            log_fewer_anchors: v[10],
        }
    }

    /// The sum of each feature times its weight in `weights`, in the column order of
    /// [`Features::columns`] (the order fixes the rounding, so decisions do not move).
    #[must_use]
    pub fn weighted_sum(&self, weights: &Features) -> f64 {
        self.containment * weights.containment
            + self.coverage * weights.coverage
            + self.log_shared * weights.log_shared
            + self.log_shared_hard * weights.log_shared_hard
            + self.order * weights.order
            + self.same_lang * weights.same_lang
            + self.jaccard * weights.jaccard
            + self.one_cjk * weights.one_cjk
            + self.paragraph_ratio * weights.paragraph_ratio
            + self.containment_in_order * weights.containment_in_order
            + self.log_fewer_anchors * weights.log_fewer_anchors
    }
}

/// Weights of a logistic regression on the anchor [`Features`] alone.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnchorRegression {
    /// The weight of each feature.
    pub weights: Features,
    /// The constant term.
    pub intercept: f64,
}

impl AnchorRegression {
    /// Probability that a pair with these features are copies.
    #[must_use]
    pub fn probability(&self, features: &Features) -> f64 {
        logistic(features.weighted_sum(&self.weights) + self.intercept)
    }

    /// Weights from a JSON object with one number per feature (named as in
    /// [`Features::columns`]) and `intercept`.
    ///
    /// # Errors
    /// A message naming what is missing or not a number.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let get = |k: &str| {
            v.get(k)
                .and_then(serde_json::Value::as_f64)
                .ok_or_else(|| format!("`{k}` is missing or not a number"))
        };
        let mut values = [0.0; 11];
        for (value, (name, _)) in values.iter_mut().zip(Features::default().columns()) {
            *value = get(name)?;
        }
        Ok(Self {
            weights: Features::from_columns(values),
            intercept: get("intercept")?,
        })
    }
}

impl AnchorRegression {
    /// The weights for pairs not across CJK and those for pairs across it, from a JSON
    /// object as [`AnchorRegression::from_json`] reads, whose key `cjk` holds the second
    /// (the first serve both when it has none).
    ///
    /// # Errors
    /// A message naming what is missing or not a number.
    pub fn pair_from_json(text: &str) -> Result<(Self, Self), String> {
        let other = Self::from_json(text)?;
        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let cjk = match v.get("cjk") {
            Some(c) => Self::from_json(&c.to_string()).map_err(|e| format!("cjk: {e}"))?,
            None => other,
        };
        Ok((other, cjk))
    }
}

/// Weights that replace [`ANCHOR_REGRESSION`] and [`CJK_ANCHOR_REGRESSION`] for this
/// process (`eval --anchor-weights`).
static ANCHOR_OVERRIDE: std::sync::OnceLock<(AnchorRegression, AnchorRegression)> =
    std::sync::OnceLock::new();

/// Scores every later pair of this process with `other` instead of [`ANCHOR_REGRESSION`]
/// and `cjk` instead of [`CJK_ANCHOR_REGRESSION`]: cross-validation scores weights fitted
/// without the stories it evaluates. The first call wins.
pub fn use_anchor_regression(other: AnchorRegression, cjk: AnchorRegression) {
    let _ = ANCHOR_OVERRIDE.set((other, cjk));
}

/// Weights of a logistic regression on the anchor [`Features`] and the model's cosine.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelDecision {
    /// The weight of each anchor feature.
    pub anchors: Features,
    /// The weight of the cosine of the two texts' vectors.
    pub cosine: f64,
    /// The weight of the cosine again when the texts are in different languages (0 in
    /// the same language).
    pub cross_cosine: f64,
    /// The constant term.
    pub intercept: f64,
}

impl ModelDecision {
    /// Probability that a pair with these features and this cosine are copies; `cross`
    /// when they are in different languages.
    #[must_use]
    pub fn probability(&self, features: &Features, cosine: f64, cross: bool) -> f64 {
        let cross_cosine = if cross { cosine } else { 0.0 };
        logistic(
            features.weighted_sum(&self.anchors)
                + cosine * self.cosine
                + cross_cosine * self.cross_cosine
                + self.intercept,
        )
    }
}

/// The anchor model's features of a pair.
#[must_use]
pub fn anchor_features(a: &Sig, b: &Sig, e: &AnchorEvidence, jaccard: f64) -> Features {
    #[allow(clippy::cast_precision_loss)]
    let f = |n: usize| (n as f64).ln_1p();
    let (pa, pb) = (f64::from(a.fp.paragraphs), f64::from(b.fp.paragraphs));
    Features {
        containment: e.score,
        coverage: e.cover,
        log_shared: f(e.shared_n),
        log_shared_hard: f(e.shared_hard),
        order: e.order,
        same_lang: f64::from(u8::from(a.lang == b.lang)),
        jaccard,
        one_cjk: f64::from(u8::from(is_cjk(&a.lang) != is_cjk(&b.lang))),
        paragraph_ratio: pa.min(pb) / pa.max(pb).max(1.0),
        containment_in_order: e.score * e.order,
        log_fewer_anchors: f(e.fewer_anchors),
    }
}

/// How many of `s`'s anchors count in a pair with `other`: across languages or with the
/// model, its readings do not (see [`AnchorKind::Reading`]).
fn counting(s: &Sig, other: &Sig, model: bool) -> usize {
    if s.lang == other.lang && !model {
        s.fp.anchors.len()
    } else {
        s.fp.anchors.len() - s.readings
    }
}

/// The logistic function: the probability of a linear score `z`.
fn logistic(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Probability that two texts are copies, from their anchors ([`ANCHOR_REGRESSION`]).
#[must_use]
pub fn anchor_probability(features: &Features) -> f64 {
    let (other, cjk) = ANCHOR_OVERRIDE
        .get()
        .map_or((&ANCHOR_REGRESSION, &CJK_ANCHOR_REGRESSION), |(o, c)| {
            (o, c)
        });
    if features.one_cjk > 0.5 { cjk } else { other }.probability(features)
}

/// Probability that two texts are copies, from their anchors and the model's cosine
/// ([`MODEL_DECISION`]); `cross` when they are in different languages.
#[must_use]
pub fn model_probability(features: &Features, cosine: f64, cross: bool) -> f64 {
    MODEL_DECISION.probability(features, cosine, cross)
}

/// The model's cosine for a pair, when the model takes part and both have vectors.
#[must_use]
pub fn cosine(a: &Sig, b: &Sig, w: &Weights) -> Option<f64> {
    if !w.model {
        return None;
    }
    match (&a.embedding, &b.embedding) {
        (Some(x), Some(y)) if x.len() == y.len() => Some(f64::from(crate::embed::cosine(x, y))),
        _ => None,
    }
}

/// The URLs an article points at as its subject: its links, credit links and RSS source.
#[must_use]
pub fn claimed_links(s: &Sig) -> Vec<String> {
    let own = [s.url.as_deref(), s.canonical_url.as_deref()];
    let mut out: Vec<String> = s
        .links
        .iter()
        .chain(s.credits.iter().filter(|c| !c.starts_with("name:")))
        .chain(s.source_url.iter())
        .filter(|u| !own.contains(&Some(u.as_str())))
        .take(16)
        .cloned()
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The decision for a pair where one side has no text of its own: it links to the other,
/// or it has the other's title (the same words, so the same language, whatever detection
/// read from a body of a few boilerplate lines). Never its body.
fn thin_pair(a: &Sig, b: &Sig) -> Option<Match> {
    let points_at = |x: &Sig, y: &Sig| {
        x.fp.thin()
            && claimed_links(x).iter().any(|l| {
                y.canonical_url.as_deref() == Some(l.as_str())
                    || y.url.as_deref() == Some(l.as_str())
            })
    };
    let m = |score, kind| Match {
        score,
        kind,
        jaccard: 0.0,
        containment: 0.0,
        anchors: 0.0,
        shared: Vec::new(),
        cosine: None,
        corroborated: false,
    };
    if points_at(a, b) || points_at(b, a) {
        return Some(m(0.9, Kind::Link));
    }
    if a.read_title.same(&b.read_title) {
        return Some(m(0.85, Kind::Title));
    }
    None
}

/// Decides whether `a` and `b` are copies of one text.
#[must_use]
pub fn pair(a: &Sig, b: &Sig, w: &Weights) -> Option<Match> {
    if a.fp.thin() || b.fp.thin() {
        return thin_pair(a, b);
    }
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
        cosine: None,
        corroborated: false,
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
    // Two articles of one site are one article published twice only when they say so
    // with their text and their title: a site's calendars, episodes and follow-ups share
    // its templates and its names, not their text.
    let same_site = a.site.is_some() && a.site == b.site;
    if same_site && !a.read_title.same_or_equal(&b.read_title) {
        return None;
    }
    if same_lang && !conflict {
        #[allow(clippy::cast_precision_loss)]
        let shared_values = j * minhash::PERMUTATIONS as f64;
        let contained = c >= COPY_CONTAINMENT
            && small.fp.shingles >= MIN_CONTAINED_SHINGLES
            && shared_values >= MIN_CONTAINED_VALUES;
        // A lead-only repost (a dozen words of the article under its title) is too short
        // for MinHash to estimate its containment (13 shingles of a text of 304 shared 2
        // of the 128 values, 5.5 expected: containment read as 0.38); the same
        // distinctive title says which article it is, and some of its text must be the
        // other's.
        let lead = small.fp.shingles < MIN_CONTAINED_SHINGLES
            && shared_values >= MIN_LEAD_VALUES
            && a.read_title.same(&b.read_title);
        if j >= COPY_JACCARD || contained || lead {
            return Some(base((0.6 + 0.4 * j.max(c * 0.9)).min(0.97), Kind::Copy));
        }
    }
    if (conflict && same_lang) || same_site {
        return None;
    }
    let cos = cosine(a, b, w);
    let (least, threshold) = match cos {
        Some(_) => (MIN_SHARED_ANCHORS_MODEL, MODEL_MATCH),
        None => (MIN_SHARED_ANCHORS, ANCHOR_MATCH),
    };
    let e = anchor_evidence(a, b, w);
    // (A conflicting number in one language returned above.)
    let wording = same_lang && j >= SAME_LANG_WORDING && e.shared_n >= 1;
    if e.shared_n < least && !wording {
        return None;
    }
    if too_weak(&e, same_lang, j, cos) {
        return None;
    }
    let f = anchor_features(a, b, &e, j);
    let p = match cos {
        Some(c) => model_probability(&f, c, !same_lang),
        None => anchor_probability(&f),
    };
    // With the model, one date or a few small numbers may be all two texts in different
    // languages share; then the model must be sure.
    let threshold = if !same_lang && cos.is_some() && e.shared_n == e.shared_common {
        MODEL_COMMONPLACE_MATCH
    } else {
        threshold
    };
    if p >= threshold || wording {
        let p = p.max(threshold);
        let kind = if same_lang && e.shared_hard == 0 {
            Kind::Names
        } else {
            Kind::Anchors
        };
        let mut m = base((0.3 + 0.6 * p).min(0.95), kind);
        m.anchors = e.score;
        m.shared = e.shared;
        m.cosine = cos.map(|c| (c * 1000.0).round() / 1000.0);
        m.corroborated = !same_lang && e.shared_n >= CORROBORATING_SHARED;
        return Some(m);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cross-language pair's features (one side CJK).
    const PAIR: Features = Features {
        containment: 0.8,
        coverage: 0.5,
        log_shared: 1.6,
        log_shared_hard: 0.7,
        order: 0.9,
        same_lang: 0.0,
        jaccard: 0.05,
        one_cjk: 1.0,
        paragraph_ratio: 0.75,
        containment_in_order: 0.72,
        log_fewer_anchors: 2.3,
    };

    #[test]
    fn probabilities_are_those_of_the_fitted_weights() {
        // Computed with the weights as the fitting script prints them (one list, the
        // intercept last): the same values to the bit, so no decision moves. A pair
        // across CJK is scored by the weights fitted on such pairs.
        assert_eq!(anchor_probability(&PAIR), 0.975_230_529_090_422_7);
        let latin = Features {
            one_cjk: 0.0,
            ..PAIR
        };
        assert_eq!(anchor_probability(&latin), 0.945_772_556_721_883_1);
        assert_eq!(
            model_probability(&PAIR, 0.85, true),
            0.968_299_684_583_688_9
        );
        assert_eq!(
            model_probability(&PAIR, 0.85, false),
            0.015_136_932_429_086_852
        );
    }

    #[test]
    fn weights_read_from_json_by_name() {
        let mut json = serde_json::Map::new();
        for (name, w) in ANCHOR_REGRESSION.weights.columns() {
            json.insert(name.into(), w.into());
        }
        json.insert("intercept".into(), ANCHOR_REGRESSION.intercept.into());
        let text = serde_json::Value::Object(json.clone()).to_string();
        assert_eq!(AnchorRegression::from_json(&text), Ok(ANCHOR_REGRESSION));
        let (full, json_full) = (text.clone(), json.clone());
        let mut cjk_json = serde_json::Map::new();
        for (name, w) in CJK_ANCHOR_REGRESSION.weights.columns() {
            cjk_json.insert(name.into(), w.into());
        }
        cjk_json.insert("intercept".into(), CJK_ANCHOR_REGRESSION.intercept.into());
        json.remove("order");
        let text = serde_json::Value::Object(json).to_string();
        let err = AnchorRegression::from_json(&text).unwrap_err();
        assert!(err.contains("`order`"), "{err}");
        assert!(AnchorRegression::from_json("[1, 2]").is_err());
        // Without `cjk`, one set of weights serves both kinds of pair; with it, its own.
        let (other, cjk) = AnchorRegression::pair_from_json(&full).unwrap();
        assert_eq!((other, cjk), (ANCHOR_REGRESSION, ANCHOR_REGRESSION));
        let mut both = serde_json::Value::Object(json_full);
        both["cjk"] = serde_json::Value::Object(cjk_json);
        let (other, cjk) = AnchorRegression::pair_from_json(&both.to_string()).unwrap();
        assert_eq!((other, cjk), (ANCHOR_REGRESSION, CJK_ANCHOR_REGRESSION));
        both["cjk"] = serde_json::json!({"order": 1});
        let err = AnchorRegression::pair_from_json(&both.to_string()).unwrap_err();
        assert!(err.starts_with("cjk: "), "{err}");
    }

    #[test]
    fn columns_name_every_feature_once() {
        let cols = PAIR.columns();
        let mut names: Vec<&str> = cols.iter().map(|c| c.0).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), cols.len());
        let ones = Features {
            containment: 1.0,
            coverage: 1.0,
            log_shared: 1.0,
            log_shared_hard: 1.0,
            order: 1.0,
            same_lang: 1.0,
            jaccard: 1.0,
            one_cjk: 1.0,
            paragraph_ratio: 1.0,
            containment_in_order: 1.0,
            log_fewer_anchors: 1.0,
        };
        let values: Vec<f64> = cols.iter().map(|c| c.1).collect();
        assert_eq!(Features::from_columns(values.try_into().unwrap()), PAIR);
        // Every field is in the weighted sum: with weights of one it adds the columns.
        let total: f64 = cols.iter().map(|c| c.1).sum();
        assert!((PAIR.weighted_sum(&ones) - total).abs() < 1e-12);
    }
}
