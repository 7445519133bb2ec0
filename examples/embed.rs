//! Developer tool: embeds lines of text with a model directory and prints their cosine
//! matrix and the time per text.
//!
//! `cargo run --release --example embed -- "$(scripts/model-dir)" "first text" "second text"`
//!
//! With `--json FILE` (one text a line) it prints `[{"ids": […], "emb": […]}]` for
//! `scripts/check-model-dir.py --ref` to compare with its numpy forward pass.

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((dir, texts)) = args.split_first() else {
        anyhow::bail!("usage: embed MODEL_DIR TEXT…");
    };
    let model = firsthand::embed::Model::load(std::path::Path::new(dir))?;
    if texts.first().map(String::as_str) == Some("--json") {
        let Some(file) = texts.get(1) else {
            anyhow::bail!("usage: embed MODEL_DIR --json FILE");
        };
        let inputs: Vec<String> = std::fs::read_to_string(file)?
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|t| format!("passage: {t}"))
            .collect();
        let vecs = model.embed(&inputs)?;
        let mut out = Vec::new();
        for (t, v) in inputs.iter().zip(vecs) {
            out.push(serde_json::json!({"ids": model.token_ids(t)?, "emb": v}));
        }
        println!("{}", serde_json::Value::Array(out));
        return Ok(());
    }
    let inputs: Vec<String> = texts.iter().map(|t| format!("passage: {t}")).collect();
    let t = std::time::Instant::now();
    let v = model.embed(&inputs)?;
    let took = t.elapsed();
    for (i, a) in v.iter().enumerate() {
        let row: Vec<String> = v
            .iter()
            .map(|b| format!("{:.3}", firsthand::embed::cosine(a, b)))
            .collect();
        println!("{i}: {}", row.join(" "));
    }
    #[allow(clippy::cast_precision_loss)]
    let per = took.as_secs_f64() * 1e3 / texts.len().max(1) as f64;
    println!("{} texts, {per:.1} ms per text", texts.len());
    Ok(())
}
