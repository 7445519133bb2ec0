//! Developer tool: dumps the anchor-model features of every pair of a labelled set that
//! shares at least two anchors (plus every same-story pair), with the gold label, as TSV
//! for `scripts/fit-anchor-model.py`.
//!
//! `cargo run --release --example pair_features -- ../shared/data/wmt-dev/dev-small.jsonl pairs.tsv [MODEL_DIR]`
//!
//! With a model directory, each text also gets the model's vector: the pairs then include
//! each text's nearest neighbours in other languages (as matching retrieves them), and
//! the columns hold the cosine (`-1` without a model). The feature columns are
//! named after the fields of `score::Features`; the last three are the shared anchors that
//! are not words (`hard`), those that are dates, years or small numbers (`common`), and
//! whether `score::pair` matches the two (`matched`).

use firsthand::cluster::score;
use firsthand::domain::ArticleId;
use firsthand::store::Store;
use std::collections::{BTreeSet, HashMap};
use std::io::Write;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(input), Some(output)) = (args.get(1), args.get(2)) else {
        anyhow::bail!("usage: pair_features DATASET.jsonl OUT.tsv [MODEL_DIR]");
    };
    let model = args
        .get(3)
        .map(|d| firsthand::embed::Model::load(std::path::Path::new(d)))
        .transpose()?;
    let docs = firsthand::dataset::load(std::path::Path::new(input))?;
    let mut store = Store::memory()?;
    let now = 1_700_000_000;
    let (feed, _) = store.add_feed("https://x.example/feed", None, firsthand::store::time(now))?;
    let articles: Vec<_> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| {
            // A site of its own: two articles of one site match only on the same title.
            firsthand::normalize::build(firsthand::normalize::Raw {
                guid: Some(d.id.clone()),
                link: Some(format!("https://s{i}.example/{}", d.id.replace(':', "_"))),
                title: d.text.lines().next().unwrap_or_default().into(),
                html: d.text.clone(),
                lang_hint: Some(&d.lang),
                ..Default::default()
            })
        })
        .collect();
    let prepared = firsthand::pipeline::prepare(articles);
    store.write(|tx| {
        firsthand::pipeline::store_articles(tx, feed, "https://x.example/feed", &prepared, now)
    })?;
    firsthand::pipeline::index_pending(&mut store)?;
    let ids: Vec<ArticleId> = (1..=i64::try_from(docs.len())?).map(ArticleId).collect();
    let vectors: Vec<Vec<f32>> = match &model {
        Some(m) => {
            let texts: Vec<String> = prepared
                .iter()
                .map(|p| firsthand::embed::Model::input(&p.article.title, &p.article.paragraphs))
                .collect();
            let t = std::time::Instant::now();
            let v = m.embed(&texts)?;
            #[allow(clippy::cast_precision_loss)]
            let per = t.elapsed().as_secs_f64() * 1e3 / texts.len().max(1) as f64;
            eprintln!("embedded {} texts, {per:.1} ms each", texts.len());
            v
        }
        None => Vec::new(),
    };
    let mut sigs = store.write(|tx| Store::sigs(tx, &ids))?;
    for (s, v) in sigs.iter_mut().zip(&vectors) {
        s.embedding = Some(std::sync::Arc::from(v.as_slice()));
    }
    let keys: Vec<i64> = sigs
        .iter()
        .flat_map(|s| s.keys.iter().map(|k| k.0))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let stats = store.write(|tx| Store::anchor_stats_by_key(tx, &keys))?;
    #[allow(clippy::cast_precision_loss)]
    let w = score::Weights {
        stats: keys.into_iter().zip(stats).collect(),
        docs: docs.len() as f64,
        model: model.is_some(),
        totals: Default::default(),
    };
    let mut inverted: HashMap<i64, Vec<usize>> = HashMap::new();
    for (i, s) in sigs.iter().enumerate() {
        for k in &s.keys {
            inverted.entry(k.0).or_default().push(i);
        }
    }
    let mut out = std::io::BufWriter::new(std::fs::File::create(output)?);
    // The feature columns are named after the fields of `score::Features`, which
    // `scripts/fit-anchor-model.py` prints the weights by.
    let feature_names: Vec<&str> = score::Features::default()
        .columns()
        .iter()
        .map(|c| c.0)
        .collect();
    writeln!(
        out,
        "same\tlang_a\tlang_b\tjaccard\t{}\tcos\tshared\tanchors\tcluster_a\tcluster_b\thard\tcommon\tmatched",
        feature_names.join("\t")
    )?;
    // Nearest in other languages, as `Matcher` retrieves them (pairs kept as (low, high)).
    let mut nn: BTreeSet<(usize, usize)> = BTreeSet::new();
    if !vectors.is_empty() {
        for i in 0..sigs.len() {
            let mut near: Vec<(f32, usize)> = (0..sigs.len())
                .filter(|&j| j != i && sigs[j].lang != sigs[i].lang)
                .map(|j| (firsthand::embed::cosine(&vectors[i], &vectors[j]), j))
                .filter(|c| c.0 >= firsthand::cluster::MODEL_RETRIEVAL_FLOOR)
                .collect();
            near.sort_by(|a, b| b.0.total_cmp(&a.0));
            for &(_, j) in near.iter().take(6) {
                nn.insert((i.min(j), i.max(j)));
            }
        }
    }
    for i in 0..sigs.len() {
        let mut shared: HashMap<usize, usize> = HashMap::new();
        for k in &sigs[i].keys {
            let list = &inverted[&k.0];
            if list.len() < 300 {
                for &j in list.iter().filter(|&&j| j > i) {
                    *shared.entry(j).or_default() += 1;
                }
            }
        }
        let mut pairs: BTreeSet<usize> = shared
            .iter()
            .filter(|(_, n)| **n >= 2)
            .map(|(j, _)| *j)
            .collect();
        pairs.extend((i + 1..sigs.len()).filter(|&j| docs[j].cluster == docs[i].cluster));
        pairs.extend(nn.range((i, 0)..(i + 1, 0)).map(|p| p.1));
        for j in pairs {
            let (a, b) = (&sigs[i], &sigs[j]);
            let e = score::anchor_evidence(a, b, &w);
            let jac = firsthand::fingerprint::minhash::jaccard(&a.fp.minhash, &b.fp.minhash);
            let f = score::anchor_features(a, b, &e, jac);
            let cols: Vec<String> = f.columns().iter().map(|c| format!("{:.5}", c.1)).collect();
            let cos = score::cosine(a, b, &w).unwrap_or(-1.0);
            writeln!(
                out,
                "{}\t{}\t{}\t{jac:.4}\t{}\t{cos:.5}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                u8::from(docs[i].cluster == docs[j].cluster),
                a.lang,
                b.lang,
                cols.join("\t"),
                e.shared_n,
                e.shared.join(" "),
                docs[i].cluster,
                docs[j].cluster,
                e.shared_hard,
                e.shared_common,
                u8::from(score::pair(a, b, &w).is_some()),
            )?;
        }
    }
    Ok(())
}
