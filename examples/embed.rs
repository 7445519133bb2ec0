//! Developer tool: embeds lines of text with a model directory and prints their cosine
//! matrix and the time per text.
//!
//! `cargo run --release --example embed -- "$(scripts/model-dir)" "first text" "second text"`

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((dir, texts)) = args.split_first() else {
        anyhow::bail!("usage: embed MODEL_DIR TEXT…");
    };
    let model = firsthand::embed::Model::load(std::path::Path::new(dir))?;
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
