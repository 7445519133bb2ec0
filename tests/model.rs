//! The optional multilingual model, for real: the model directory `scripts/model-dir`
//! builds (from registry packages, cached in ~/.cache/firsthand), run through candle on real
//! text. Translations are nearer than unrelated news; with the model, matching on real
//! dev stories finds at least what anchors alone find, at the same precision; and the
//! CLI takes the directory from FIRSTHAND_MODEL and explains matches with the cosine.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod stories;
mod support;

use firsthand::embed::{Model, cosine};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// The model directory: FIRSTHAND_MODEL when set, else what `scripts/model-dir` prints.
fn model_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("FIRSTHAND_MODEL").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    let out = std::process::Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/model-dir"))
        .output()
        .expect("run scripts/model-dir");
    assert!(
        out.status.success(),
        "scripts/model-dir failed (it needs python3 and the package registry): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

fn model() -> Arc<Model> {
    static MODEL: OnceLock<Arc<Model>> = OnceLock::new();
    Arc::clone(MODEL.get_or_init(|| Arc::new(Model::load(&model_dir()).expect("load model"))))
}

/// `eval` of `docs` with the model.
fn eval_with_model(docs: &[firsthand::dataset::Doc]) -> firsthand::eval::Scores {
    firsthand::eval::run(
        docs,
        firsthand::cluster::Config {
            model: Some(model()),
            ..firsthand::cluster::Config::default()
        },
        None,
    )
    .unwrap()
}

#[test]
fn translations_are_nearer_than_other_news() {
    let m = model();
    let texts: Vec<String> = [
        "Musk buys 10,000 GPUs for a generative AI project at Twitter",
        "马斯克为推特的生成式人工智能项目购买了一万块GPU",
        "Musk acquista 10.000 GPU per un progetto di intelligenza artificiale generativa su Twitter",
        "Heavy rain flooded the streets of Prague on Tuesday evening",
        "Am Dienstagabend überschwemmte Starkregen die Straßen von Prag",
    ]
    .iter()
    .map(|t| format!("passage: {t}"))
    .collect();
    let v = m.embed(&texts).expect("embed");
    assert_eq!(v.len(), 5);
    assert_eq!(v[0].len(), m.dim());
    for x in &v {
        let norm: f32 = x.iter().map(|a| a * a).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-3, "vectors are normalised: {norm}");
    }
    let (en_zh, en_it, de_cs) = (
        cosine(&v[0], &v[1]),
        cosine(&v[0], &v[2]),
        cosine(&v[3], &v[4]),
    );
    for other in [
        cosine(&v[0], &v[3]),
        cosine(&v[1], &v[4]),
        cosine(&v[2], &v[3]),
    ] {
        assert!(
            en_zh > other && en_it > other && de_cs > other,
            "{en_zh} {en_it} {de_cs} vs {other}"
        );
    }
    // A batch gives what single texts give (padding is masked).
    let one = m.embed(&texts[1..2]).expect("embed one");
    assert!(cosine(&one[0], &v[1]) > 0.9999);
}

#[test]
fn with_the_model_matching_finds_at_least_as_much_at_the_same_precision() {
    let mut docs =
        firsthand::dataset::load(&support::shared().join("wmt-dev/dev-small.jsonl")).unwrap();
    firsthand::dataset::keep_stories(&mut docs, 25);
    let without = firsthand::eval::run(&docs, firsthand::cluster::Config::default(), None).unwrap();
    let with = eval_with_model(&docs);
    eprintln!(
        "without: P {:.3} R {:.3}; with: P {:.3} R {:.3}",
        without.pairwise.precision,
        without.pairwise.recall,
        with.pairwise.precision,
        with.pairwise.recall
    );
    assert!(with.pairwise.recall >= without.pairwise.recall);
    assert!(with.pairwise.precision >= 0.97, "{:?}", with.pairwise);
    assert!(with.pairwise.f1 >= 0.9, "{:?}", with.pairwise);
}

#[test]
fn with_the_model_a_shared_date_or_names_in_another_order_do_not_make_a_story() {
    // Two Russian papers on one event (the same seven names, each in its own order) and a
    // Guardian and a FAZ article that share one date and nothing else: all their versions
    // (originals and translations into English, German, Japanese…) keep to their stories.
    let all = firsthand::dataset::load(&support::shared().join("wmt-dev/dev-small.jsonl")).unwrap();
    let clusters = [
        "newstest2021:ru:kp.235560",
        "newstest2021:ru:dp.ru.34785",
        "newstest2021:en:guardian.306602",
        "newstest2021:de:faz.79579",
    ];
    let docs: Vec<_> = all
        .into_iter()
        .filter(|d| clusters.contains(&d.cluster.as_str()))
        .collect();
    assert!(docs.len() > 8, "{}", docs.len());
    let with = eval_with_model(&docs);
    assert_eq!(with.pairwise.precision, 1.0, "{:?}", with.pairwise);
    assert!(with.pairwise.recall >= 0.5, "{:?}", with.pairwise);
}

#[test]
fn the_cli_reads_the_model_from_the_environment_and_shows_the_cosine() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let feed = |title: &str, items: &[(&str, &str, &str)]| support::rss(title, items);
    let en = feed(
        "Tech Daily",
        &[(
            "Musk buys 10,000 GPUs for Twitter AI project",
            "https://en.example/musk-gpu",
            "Elon Musk has bought about 10,000 GPUs for a generative AI project at Twitter, Business Insider reported on April 11, 2023. The project uses a large language model.",
        )],
    );
    let zh = feed(
        "爱范儿",
        &[(
            "马斯克为推特AI项目购买一万块GPU",
            "https://zh.example/musk-gpu",
            "据 Business Insider 2023年4月11日报道，埃隆·马斯克已为推特的一个生成式AI项目购买了约10000块GPU。该项目使用大型语言模型。",
        )],
    );
    let en_path = dir.path().join("en.xml");
    let zh_path = dir.path().join("zh.xml");
    std::fs::write(&en_path, en).unwrap();
    std::fs::write(&zh_path, zh).unwrap();
    let out = support::command()
        .env("FIRSTHAND_MODEL", model_dir())
        .args(["--db"])
        .arg(&db)
        .arg("ingest")
        .arg(&en_path)
        .arg(&zh_path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let vectors = support::count(&db, "embeddings");
    assert_eq!(vectors, 2, "each article got a vector");
    let out = support::command()
        .args(["--db"])
        .arg(&db)
        .args(["stories", "--json"])
        .output()
        .unwrap();
    let stories: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = stories.as_array().unwrap();
    assert_eq!(list.len(), 1, "one story across the two scripts: {stories}");
    let members = list[0]["members"].as_array().unwrap();
    assert_eq!(members.len(), 2);
    assert!(
        members
            .iter()
            .any(|m| m["why"]["cosine"].as_f64().is_some()),
        "the match shows the model's cosine: {stories}"
    );
}

#[test]
fn a_bad_model_directory_is_a_clear_fatal_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.json"), "{not json").unwrap();
    let db = dir.path().join("m.db");
    let feed = dir.path().join("f.xml");
    std::fs::write(
        &feed,
        support::rss("t", &[("t", "https://a.example/1", "b")]),
    )
    .unwrap();
    let out = support::command()
        .arg("--model")
        .arg(dir.path())
        .args(["--db"])
        .arg(&db)
        .arg("ingest")
        .arg(&feed)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("config.json"), "{err}");
}

#[test]
fn with_the_model_the_seeds_chinese_original_its_translations_and_repost_are_one_story() {
    stories::the_seed_case(firsthand::cluster::Config {
        model: Some(model()),
        ..firsthand::cluster::Config::default()
    });
}
