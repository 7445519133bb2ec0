//! `firsthand demo`: the whole path on bundled sample text. The sample (examples/,
//! real news from the WMT test sets) becomes a world of feeds served over HTTP on
//! 127.0.0.1; firsthand subscribes, polls twice (the second pass is answered 304), and
//! prints the stories with their originals.

use crate::cli::PollArgs;
use firsthand::output::table;
use firsthand::pipeline::pass;
use firsthand::store::Store;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

/// The bundled sample, compiled in so the demo runs from any directory.
const SAMPLE: &str = include_str!("../../examples/sample.jsonl");

/// Runs the demo; with `serve`, then serves its stories on that address until Ctrl-C.
///
/// # Errors
/// Fatal errors (temporary directory, server, database), an address that is taken
/// (found before the demo starts).
pub fn run(serve: Option<&str>) -> anyhow::Result<ExitCode> {
    if let Some(listen) = serve {
        // Find out now, not after the demo, that the web view cannot listen there.
        drop(firsthand::serve::bind_check(listen)?);
    }
    let docs: Vec<firsthand::dataset::Doc> = SAMPLE
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    let world = firsthand_world::build(&docs, &firsthand_world::Options::default());
    let rt = firsthand::poll::runtime(1)?;
    let base = firsthand_world::serve(&rt, world.feeds.clone())?;
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("demo.db");
    let mut store = Store::open(&db)?;
    println!(
        "demo: {} sample articles on {} feeds served at {base}",
        world.articles.len(),
        world.feeds.len()
    );
    println!("demo: database {}\n", db.display());
    for f in &world.feeds {
        store.add_feed(&format!("{base}{}", f.path), None, firsthand::store::now())?;
    }
    let args = PollArgs {
        all: true,
        concurrency: 8,
        per_host: 4,
    };
    let cfg = firsthand::poll::PollConfig {
        concurrency: args.concurrency,
        per_host: args.per_host,
        ..firsthand::poll::PollConfig::default()
    };
    let stop = AtomicBool::new(false);
    let matching = firsthand::cluster::Config::default();
    let mut progress = super::progress(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    let first = pass::run(&mut store, &cfg, &matching, true, &stop, &mut progress)?;
    println!(
        "first poll:  {} feeds, {} new articles, {} failed",
        first.feeds,
        first.new_articles,
        first.failed.len()
    );
    let second = pass::run(&mut store, &cfg, &matching, true, &stop, &mut progress)?;
    println!(
        "second poll: {} feeds, {} answered 304 (not modified)\n",
        second.feeds, second.not_modified
    );
    let views = firsthand::output::views::views(&store, None, false, None)?;
    let width = table::stdout_width();
    print!("{}", table::stories(&views, width));
    // The story with the most copies shows the most: print it whole.
    if let Some(v) = views
        .iter()
        .max_by_key(|v| (v.members.len(), std::cmp::Reverse(v.id)))
    {
        println!();
        let mut v = v.clone();
        firsthand::output::views::readable_anchors(&store, &mut v)?;
        print!("{}", table::story(&v, width));
    }
    let named = views.iter().filter(|v| v.original.is_some()).count();
    println!(
        "\n{} stories with copies, originals named for {named}.",
        views.len()
    );
    if let Some(listen) = serve {
        drop(store);
        super::serve::run(&db, listen)?;
    } else {
        // Keep nothing behind: the database lives in a temporary directory.
        println!(
            "(the demo database is removed on exit; use `firsthand demo --serve` to browse it)"
        );
    }
    Ok(ExitCode::SUCCESS)
}
