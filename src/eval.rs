//! Evaluation against gold stories: a labelled JSONL set goes through the normal pipeline
//! into a private database; the stories are scored pairwise and by B-cubed, recall is
//! broken down by language-pair class, and originals are checked.

use crate::cluster::{Config, Matcher};
use crate::domain::{ArticleId, FeedId};
use crate::normalize::{self, Raw};
use crate::store::Store;
use crate::{Error, Result};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::dataset::Doc;

/// Precision, recall, F1.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct Prf {
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// F1.
    pub f1: f64,
}

impl Prf {
    fn new(p: f64, r: f64) -> Self {
        let f1 = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        Self {
            precision: p,
            recall: r,
            f1,
        }
    }
}

/// The scores of one run.
#[derive(Debug, Clone, Serialize)]
pub struct Scores {
    /// Documents scored.
    pub documents: usize,
    /// Gold stories.
    pub gold_stories: usize,
    /// Predicted stories.
    pub predicted_stories: usize,
    /// Pairwise.
    pub pairwise: Prf,
    /// B-cubed.
    pub bcubed: Prf,
    /// Recall of gold pairs by language-pair class, with the pair count.
    pub recall_by_class: BTreeMap<String, (f64, usize)>,
    /// Share of gold stories whose original firsthand names correctly.
    pub originals_found: f64,
    /// Share of copies (articles that are not originals) whose story names their gold
    /// original as its original: what `origin URL` answers right.
    pub copies_traced: f64,
    /// Stories split into more than one predicted story, and the most pieces of one.
    pub split_stories: (usize, usize),
    /// The smallest share of a gold story that its largest predicted piece holds.
    pub largest_piece: f64,
    /// Seconds spent in the pipeline.
    pub seconds: f64,
    /// Per labelled article: (label index, predicted story, the label index of the
    /// article that story names its original), for `--dump`.
    #[serde(skip)]
    pub assignment: Vec<(usize, i64, Option<usize>)>,
    /// The labels scored, in order.
    #[serde(skip)]
    pub labels: Vec<Label>,
}

/// Script class of a language.
fn script(lang: &str) -> &'static str {
    match lang {
        "zh" | "ja" | "ko" => "cjk",
        "ru" | "uk" | "bg" | "sr" | "be" | "mk" => "cyrillic",
        "hi" | "mr" | "ne" => "devanagari",
        _ => "latin",
    }
}

/// The language-pair class of two languages.
#[must_use]
pub fn pair_class(a: &str, b: &str) -> String {
    if a == b {
        return "same-language".into();
    }
    let (x, y) = (script(a), script(b));
    let (x, y) = if x <= y { (x, y) } else { (y, x) };
    format!("{x}-{y}")
}

/// Scores `predicted` labels against `gold` labels (same length, one per document).
#[must_use]
pub fn score(
    gold: &[usize],
    predicted: &[usize],
    langs: &[&str],
) -> (Prf, Prf, BTreeMap<String, (f64, usize)>) {
    let n = gold.len();
    let mut gold_size: HashMap<usize, usize> = HashMap::new();
    let mut pred_size: HashMap<usize, usize> = HashMap::new();
    let mut both: HashMap<(usize, usize), usize> = HashMap::new();
    for (&g, &p) in gold.iter().zip(predicted) {
        *gold_size.entry(g).or_default() += 1;
        *pred_size.entry(p).or_default() += 1;
        *both.entry((g, p)).or_default() += 1;
    }
    let pairs = |k: usize| k * k.saturating_sub(1) / 2;
    let tp: usize = both.values().map(|&k| pairs(k)).sum();
    let gp: usize = gold_size.values().map(|&k| pairs(k)).sum();
    let pp: usize = pred_size.values().map(|&k| pairs(k)).sum();
    #[allow(clippy::cast_precision_loss)]
    let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    let pairwise = Prf::new(ratio(tp, pp), ratio(tp, gp));
    let (mut bp, mut br) = (0.0, 0.0);
    for (&g, &p) in gold.iter().zip(predicted) {
        let inter = both[&(g, p)];
        bp += ratio(inter, pred_size[&p]);
        br += ratio(inter, gold_size[&g]);
    }
    #[allow(clippy::cast_precision_loss)]
    let bcubed = Prf::new(bp / n.max(1) as f64, br / n.max(1) as f64);
    let mut by_class: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut by_gold: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, &g) in gold.iter().enumerate() {
        by_gold.entry(g).or_default().push(i);
    }
    for members in by_gold.values() {
        for (x, &i) in members.iter().enumerate() {
            for &j in &members[x + 1..] {
                let e = by_class.entry(pair_class(langs[i], langs[j])).or_default();
                e.1 += 1;
                if predicted[i] == predicted[j] {
                    e.0 += 1;
                }
            }
        }
    }
    let recall_by_class = by_class
        .into_iter()
        .map(|(k, (hit, all))| (k, (ratio(hit, all), all)))
        .collect();
    (pairwise, bcubed, recall_by_class)
}

/// Synthetic site of a labelled document: one per language, role and system.
fn site_of(d: &Doc) -> String {
    let raw = format!(
        "{}-{}-{}",
        d.lang,
        d.role.as_deref().unwrap_or("doc"),
        d.system.as_deref().unwrap_or("x")
    );
    let clean: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("{clean}.example")
}

/// A labelled article as the scorer sees it: where it lives and what it is.
#[derive(Debug, Clone, Serialize)]
pub struct Label {
    /// Link of the article (how it is found in the store).
    pub url: String,
    /// Gold story.
    pub cluster: String,
    /// Whether it is the gold original.
    pub is_original: bool,
    /// Language.
    pub lang: String,
}

fn link_of(d: &Doc) -> String {
    d.url
        .clone()
        .unwrap_or_else(|| format!("https://{}/{}", site_of(d), urlencode(&d.id)))
}

/// Runs the set through the pipeline (directly, no HTTP) and scores it, in `db` when
/// given (kept for inspection), else in memory.
///
/// # Errors
/// Database failures.
pub fn run(docs: &[Doc], cfg: Config, db: Option<&Path>) -> Result<Scores> {
    let started = std::time::Instant::now();
    let mut store = match db {
        Some(p) => Store::open(p)?,
        None => Store::memory()?,
    };
    let now = chrono::Utc::now().timestamp();
    // Arrival order: a fixed shuffle, so originals do not always come first.
    let mut order: Vec<usize> = (0..docs.len()).collect();
    order.sort_by_key(|&i| twox_hash::XxHash3_64::oneshot(docs[i].id.as_bytes()));
    // Documents: up to 25 arrivals at a time, grouped by site (feed).
    let mut batches: Vec<(String, Vec<usize>)> = Vec::new();
    for chunk in order.chunks(25) {
        let mut by_feed: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for &i in chunk {
            by_feed.entry(site_of(&docs[i])).or_default().push(i);
        }
        batches.extend(by_feed);
    }
    let to_article = |d: &Doc| {
        let first = d.text.lines().next().unwrap_or_default().to_string();
        normalize::build(Raw {
            guid: Some(d.id.clone()),
            link: Some(link_of(d)),
            title: d.title.clone().unwrap_or(first),
            html: d.text.clone(),
            published: d
                .published
                .as_deref()
                .and_then(|p| chrono::DateTime::parse_from_rfc3339(p).ok())
                .map(|p| p.with_timezone(&chrono::Utc)),
            lang_hint: Some(&d.lang),
            ..Raw::default()
        })
    };
    let prepared = crate::pipeline::prepare_all(
        batches
            .iter()
            .map(|(_, list)| list.iter().map(|&i| to_article(&docs[i])).collect())
            .collect(),
    );
    let mut feeds: BTreeMap<String, FeedId> = BTreeMap::new();
    for ((site, _), items) in batches.iter().zip(prepared) {
        let feed_url = format!("https://{site}/feed.xml");
        let feed_id = match feeds.get(site) {
            Some(f) => *f,
            None => {
                let (f, _) = store.add_feed(&feed_url, Some(site), crate::store::time(now))?;
                feeds.insert(site.clone(), f);
                f
            }
        };
        store.write(|tx| crate::pipeline::store_articles(tx, feed_id, &feed_url, &items, now))?;
    }
    let mut matcher = Matcher::new(cfg);
    crate::pipeline::place_pending(&mut store, &mut matcher, now, &mut |_| {})?;
    let seconds = started.elapsed().as_secs_f64();
    let labels: Vec<Label> = docs
        .iter()
        .map(|d| Label {
            url: link_of(d),
            cluster: d.cluster.clone(),
            is_original: d.is_original,
            lang: d.lang.clone(),
        })
        .collect();
    scores(&store, &labels, seconds)
}

/// Builds a world of feeds from the set ([`firsthand_world`]), serves it on 127.0.0.1,
/// polls it into a private database (or `db`, kept for inspection) like a user would,
/// and scores the stories.
///
/// # Errors
/// Server, runtime or database failures.
pub fn run_world(
    docs: &[Doc],
    opt: &firsthand_world::Options,
    db: Option<&Path>,
    matching: &Config,
) -> Result<Scores> {
    let world = firsthand_world::build(docs, opt);
    let rt = crate::poll::runtime(1)?;
    let base = firsthand_world::serve(&rt, world.feeds.clone()).map_err(|e| Error::Io {
        context: "cannot serve the world".into(),
        source: e,
    })?;
    let dir = tempfile::tempdir().map_err(|e| Error::Io {
        context: "cannot create a temporary directory".into(),
        source: e,
    })?;
    let path = db.map_or_else(|| dir.path().join("world.db"), Path::to_path_buf);
    let mut store = Store::open(&path)?;
    for f in &world.feeds {
        store.add_feed(&format!("{base}{}", f.path), None, chrono::Utc::now())?;
    }
    let started = std::time::Instant::now();
    let cfg = crate::poll::PollConfig {
        concurrency: 16,
        per_host: 16,
        ..crate::poll::PollConfig::default()
    };
    crate::pipeline::pass::run(
        &mut store,
        &cfg,
        matching,
        true,
        &std::sync::atomic::AtomicBool::new(false),
        &mut |_| {},
    )?;
    let seconds = started.elapsed().as_secs_f64();
    let labels: Vec<Label> = world
        .articles
        .iter()
        .map(|a| Label {
            url: a.url.clone(),
            cluster: a.cluster.clone(),
            is_original: a.is_original,
            lang: a.lang.clone(),
        })
        .collect();
    scores(&store, &labels, seconds)
}

/// Scores the stories in `store` against the labels.
///
/// # Errors
/// Database failures.
pub fn scores(store: &Store, labels: &[Label], seconds: f64) -> Result<Scores> {
    let mut ids: HashMap<ArticleId, usize> = HashMap::new();
    for (i, l) in labels.iter().enumerate() {
        if let Ok(a) = store.article_by_url(&l.url) {
            ids.insert(a, i);
        }
    }
    let members = store.all_members()?;
    let mut predicted = vec![usize::MAX; labels.len()];
    let mut assignment = Vec::new();
    let mut original_of_story: HashMap<usize, Option<usize>> = HashMap::new();
    for (a, s, o) in &members {
        if let Some(&i) = ids.get(a) {
            predicted[i] = usize::try_from(s.0).unwrap_or(0);
            let named = o.and_then(|o| ids.get(&o).copied());
            assignment.push((i, s.0, named));
            original_of_story.insert(predicted[i], named);
        }
    }
    // Documents the pipeline dropped count as singletons.
    let mut next = usize::MAX / 2;
    for p in &mut predicted {
        if *p == usize::MAX {
            *p = next;
            next += 1;
        }
    }
    let mut gold_ids: BTreeMap<&str, usize> = BTreeMap::new();
    let gold: Vec<usize> = labels
        .iter()
        .map(|d| {
            let n = gold_ids.len();
            *gold_ids.entry(d.cluster.as_str()).or_insert(n)
        })
        .collect();
    let langs: Vec<&str> = labels.iter().map(|d| d.lang.as_str()).collect();
    let (pairwise, bcubed, recall_by_class) = score(&gold, &predicted, &langs);
    let (mut found, mut total) = (0u32, 0u32);
    for (i, d) in labels.iter().enumerate() {
        if d.is_original {
            total += 1;
            if original_of_story.get(&predicted[i]).copied().flatten() == Some(i) {
                found += 1;
            }
        }
    }
    // Copies traced: the copy's story names the gold original of the copy's gold story.
    let mut gold_original: HashMap<usize, usize> = HashMap::new();
    for (i, d) in labels.iter().enumerate() {
        if d.is_original {
            gold_original.insert(gold[i], i);
        }
    }
    let (mut traced, mut copies) = (0u32, 0u32);
    for (i, d) in labels.iter().enumerate() {
        if d.is_original {
            continue;
        }
        copies += 1;
        let named = original_of_story.get(&predicted[i]).copied().flatten();
        if named.is_some() && named == gold_original.get(&gold[i]).copied() {
            traced += 1;
        }
    }
    let mut pieces: HashMap<usize, std::collections::HashSet<usize>> = HashMap::new();
    for (i, &g) in gold.iter().enumerate() {
        pieces.entry(g).or_default().insert(predicted[i]);
    }
    let split = pieces.values().filter(|p| p.len() > 1).count();
    let mut piece_sizes: HashMap<(usize, usize), usize> = HashMap::new();
    for (i, &g) in gold.iter().enumerate() {
        *piece_sizes.entry((g, predicted[i])).or_default() += 1;
    }
    let mut gold_count: HashMap<usize, usize> = HashMap::new();
    for &g in &gold {
        *gold_count.entry(g).or_default() += 1;
    }
    let mut largest: HashMap<usize, usize> = HashMap::new();
    for (&(g, _), &n) in &piece_sizes {
        let e = largest.entry(g).or_default();
        *e = (*e).max(n);
    }
    #[allow(clippy::cast_precision_loss)]
    let largest_piece = largest
        .iter()
        .map(|(g, &n)| n as f64 / gold_count.get(g).copied().unwrap_or(1).max(1) as f64)
        .fold(1.0, f64::min);
    let most = pieces
        .values()
        .map(std::collections::HashSet::len)
        .max()
        .unwrap_or(0);
    let distinct: std::collections::HashSet<usize> = predicted.iter().copied().collect();
    Ok(Scores {
        documents: labels.len(),
        gold_stories: gold_ids.len(),
        predicted_stories: distinct.len(),
        pairwise,
        bcubed,
        recall_by_class,
        originals_found: if total == 0 {
            0.0
        } else {
            f64::from(found) / f64::from(total)
        },
        copies_traced: if copies == 0 {
            0.0
        } else {
            f64::from(traced) / f64::from(copies)
        },
        split_stories: (split, most),
        largest_piece,
        seconds,
        assignment,
        labels: labels.to_vec(),
    })
}

fn urlencode(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_and_all_in_one() {
        let gold = [0, 0, 1, 1];
        let langs = ["en", "de", "en", "zh"];
        let (p, b, _) = score(&gold, &gold, &langs);
        assert!((p.f1 - 1.0).abs() < 1e-9 && (b.f1 - 1.0).abs() < 1e-9);
        let (p, b, by) = score(&gold, &[0, 0, 0, 0], &langs);
        assert!((p.precision - 2.0 / 6.0).abs() < 1e-9);
        assert!((p.recall - 1.0).abs() < 1e-9);
        assert!((b.precision - 0.5).abs() < 1e-9);
        assert_eq!(by["cjk-latin"], (1.0, 1));
    }

    #[test]
    fn singletons_have_zero_pairwise_recall() {
        let (p, _, _) = score(&[0, 0], &[0, 1], &["en", "en"]);
        assert!(p.recall.abs() < 1e-9);
    }
}
