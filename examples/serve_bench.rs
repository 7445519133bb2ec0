//! Times the story page of `firsthand serve` on a large database.
//!
//! `cargo run --release --example serve_bench -- DB [WORLDS]`: when DB does not exist it
//! is built first from WORLDS (default 8) worlds generated from
//! `../shared/data/wmt-dev/dev-full-news.jsonl.gz` (about 13,000 articles each); then the
//! page of a median-sized and of the largest story is rendered 50 times each.

use std::path::PathBuf;
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let db = PathBuf::from(args.next().unwrap_or_else(|| "serve-bench.db".into()));
    let worlds: usize = args.next().map_or(Ok(8), |w| w.parse())?;
    if !db.exists() {
        let data = PathBuf::from("../shared/data/wmt-dev/dev-full-news.jsonl.gz");
        let docs = firsthand::dataset::load(&data)?;
        let t = Instant::now();
        let n = firsthand::serve::bench::build_db(&db, &docs, worlds, &mut |w, n| {
            eprintln!("world {w}/{worlds}: {n} articles ({:.0?})", t.elapsed());
        })?;
        eprintln!(
            "built {} with {n} articles in {:.0?}",
            db.display(),
            t.elapsed()
        );
    }
    for t in firsthand::serve::bench::story_page(&db, 50)? {
        println!(
            "story {} ({} members, {} KiB): cold {:.1?}, warm median {:.1?}, max {:.1?}",
            t.story,
            t.members,
            t.bytes / 1024,
            t.cold,
            t.median,
            t.max
        );
    }
    Ok(())
}
