//! Every matching pair among the members of some stories of a database, with the
//! decision's evidence: what glued a story together (a debugging aid for matching).
//!
//! `cargo run --release --example story_pairs -- DB STORY...`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use firsthand::cluster::score::{self, Weights};
use firsthand::domain::{ArticleId, StoryId};
use firsthand::store::Store;

fn main() -> firsthand::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let store = Store::open(std::path::Path::new(&args[0]))?;
    let reader = store.reader()?.expect("a file database");
    let mut ids: Vec<ArticleId> = Vec::new();
    for s in &args[1..] {
        ids.extend(Store::story_members(
            &reader,
            StoryId(s.parse().expect("story id")),
        )?);
    }
    let sigs = Store::sigs(&reader, &ids)?;
    // A database built with a model holds vectors: decide as the model did.
    let model = sigs.iter().any(|s| s.embedding.is_some());
    let w = Weights::for_sigs(&reader, &sigs, model)?;
    // FIRSTHAND_ALL_PAIRS=1: the pairs that do not match too, with their evidence.
    let all = std::env::var_os("FIRSTHAND_ALL_PAIRS").is_some();
    for (i, a) in sigs.iter().enumerate() {
        for b in &sigs[i + 1..] {
            let m = score::pair(a, b, &w);
            if m.is_none() && !all {
                continue;
            }
            let e = score::anchor_evidence(a, b, &w);
            let decision = match &m {
                Some(m) => format!(
                    "{:?} {:.2} j {:.2} c {:.2}",
                    m.kind, m.score, m.jaccard, m.containment
                ),
                None => {
                    let j = firsthand::fingerprint::minhash::jaccard(&a.fp.minhash, &b.fp.minhash);
                    let c = firsthand::fingerprint::minhash::containment(
                        j,
                        a.fp.shingles,
                        b.fp.shingles,
                    );
                    let p = score::anchor_probability(&score::anchor_features(a, b, &e, j));
                    format!(
                        "no match j {j:.2} c {c:.2} shingles {}/{} shared {} p {p:.2}",
                        a.fp.shingles, b.fp.shingles, e.shared_n
                    )
                }
            };
            let shared = m.as_ref().map_or(&e.shared, |m| &m.shared);
            println!(
                "{} {} ~ {} {}: {decision} anchors {:.2} cover {:.2} hard {} order {:.2} {shared:?}",
                a.id.0,
                a.url.as_deref().unwrap_or(""),
                b.id.0,
                b.url.as_deref().unwrap_or(""),
                e.score,
                e.cover,
                e.shared_hard,
                e.order,
            );
        }
    }
    Ok(())
}
