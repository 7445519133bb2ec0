//! `firsthand eval DATASET.jsonl [--json]`.

use anyhow::Context;
use firsthand::cluster::Config;
use std::path::Path;
use std::process::ExitCode;

/// Which stories of the set to score, and with which anchor weights.
pub struct Scoring<'a> {
    /// At most this many stories, in file order.
    pub limit: Option<usize>,
    /// Only the stories of this fold.
    pub fold: Option<firsthand::dataset::Fold>,
    /// Anchor-model weights to use instead of the built-in ones (a JSON file).
    pub anchor_weights: Option<&'a Path>,
}

/// Loads, runs and prints the scores.
///
/// # Errors
/// Unreadable dataset or weights file, database failures.
pub fn run(
    path: &Path,
    json: bool,
    scoring: Scoring<'_>,
    world: Option<firsthand_world::Options>,
    dump: Option<&Path>,
    db: Option<&Path>,
    matching: &Config,
) -> anyhow::Result<ExitCode> {
    if let Some(w) = scoring.anchor_weights {
        let text = std::fs::read_to_string(w)
            .with_context(|| format!("cannot read anchor weights {}", w.display()))?;
        let (other, cjk) = firsthand::cluster::score::AnchorRegression::pair_from_json(&text)
            .map_err(|e| anyhow::anyhow!("{} holds no anchor weights: {e}", w.display()))?;
        firsthand::cluster::score::use_anchor_regression(other, cjk);
    }
    let mut docs = firsthand::dataset::load(path)?;
    if let Some(fold) = scoring.fold {
        firsthand::dataset::keep_fold(&mut docs, fold);
    }
    if let Some(limit) = scoring.limit {
        firsthand::dataset::keep_stories(&mut docs, limit);
    }
    eprintln!(
        "evaluating {} documents from {}…",
        docs.len(),
        path.display()
    );
    let s = match world {
        Some(opt) => firsthand::eval::run_world(&docs, &opt, db, matching)?,
        None => firsthand::eval::run(&docs, matching.clone(), db)?,
    };
    if let Some(d) = dump {
        let mut out = String::new();
        for (i, story, named) in &s.assignment {
            let mut v = serde_json::to_value(&s.labels[*i])?;
            v["story"] = serde_json::json!(story);
            v["named_original"] = serde_json::json!(named.map(|n| &s.labels[n].url));
            out.push_str(&v.to_string());
            out.push('\n');
        }
        std::fs::write(d, out)?;
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&s)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "documents {}  gold stories {}  predicted stories {}  ({:.1}s, {:.0} docs/s)",
        s.documents,
        s.gold_stories,
        s.predicted_stories,
        s.seconds,
        s.documents as f64 / s.seconds.max(1e-9)
    );
    println!("            precision  recall     f1");
    println!(
        "pairwise    {:>9.3}  {:>6.3}  {:>5.3}",
        s.pairwise.precision, s.pairwise.recall, s.pairwise.f1
    );
    println!(
        "b-cubed     {:>9.3}  {:>6.3}  {:>5.3}",
        s.bcubed.precision, s.bcubed.recall, s.bcubed.f1
    );
    println!("recall by language pair:");
    for (k, (r, n)) in &s.recall_by_class {
        println!("  {k:<22} {r:>6.3}  ({n} pairs)");
    }
    println!("originals found: {:.3}", s.originals_found);
    println!(
        "copies whose story names their original: {:.3}",
        s.copies_traced
    );
    println!(
        "gold stories split: {} (at most {} pieces; the largest piece of each holds at least {:.0}% of it)",
        s.split_stories.0,
        s.split_stories.1,
        s.largest_piece * 100.0
    );
    Ok(ExitCode::SUCCESS)
}
