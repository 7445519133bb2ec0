//! `firsthand feeds add|list|remove|import|export`.

use super::{PARTIAL, now};
use crate::cli::FeedsCommand;
use crate::output::table;
use crate::store::Store;
use anyhow::Context;
use std::process::ExitCode;

/// Runs a `feeds` subcommand.
///
/// # Errors
/// Fatal errors (database, unreadable file).
pub fn run(store: &mut Store, cmd: FeedsCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        FeedsCommand::Add { urls } => add(store, &urls),
        FeedsCommand::List { json } => {
            let list = store.feeds()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                print!("{}", table::feeds(&list));
            }
            Ok(ExitCode::SUCCESS)
        }
        FeedsCommand::Remove { feed } => {
            let f = crate::pipeline::remove_feed(store, &feed, now().timestamp())?;
            println!("removed feed {} ({})", f.id, f.url);
            Ok(ExitCode::SUCCESS)
        }
        FeedsCommand::Import { file } => {
            let text =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let text = String::from_utf8_lossy(&text);
            let (outlines, skipped) = crate::opml::parse(&text, &file.display().to_string())?;
            for s in &skipped {
                eprintln!("{}: {s}", file.display());
            }
            let mut added = 0;
            for o in &outlines {
                if store.add_feed(&o.url, o.title.as_deref(), now())?.1 {
                    added += 1;
                }
            }
            println!(
                "imported {added} new feed(s) of {} in {}",
                outlines.len(),
                file.display()
            );
            Ok(if skipped.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(PARTIAL)
            })
        }
        FeedsCommand::Export => {
            let list: Vec<(String, Option<String>)> = store
                .feeds()?
                .into_iter()
                .filter(|f| !f.url.starts_with("file:"))
                .map(|f| (f.url, f.title))
                .collect();
            print!("{}", crate::opml::write(&list));
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn add(store: &mut Store, urls: &[String]) -> anyhow::Result<ExitCode> {
    let mut failed = 0;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let fetcher = crate::poll::Fetcher::new(&crate::poll::PollConfig::default())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    for url in urls {
        if let Err(e) = crate::poll::only_http(url) {
            eprintln!("error: {e}");
            failed += 1;
            continue;
        }
        match rt.block_on(crate::poll::discover(&fetcher, url)) {
            Ok(found) if !found.is_empty() => {
                let feed = &found[0];
                let (id, new) = store.add_feed(feed, None, now())?;
                if feed == url {
                    println!(
                        "{} feed {id}: {feed}",
                        if new { "added" } else { "already have" }
                    );
                } else {
                    println!(
                        "{} feed {id}: {feed} (found on {url})",
                        if new { "added" } else { "already have" }
                    );
                }
            }
            Ok(_) => {
                eprintln!("error: no feed found at {url}");
                failed += 1;
            }
            Err(e) => {
                eprintln!("error: {e}");
                failed += 1;
            }
        }
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(PARTIAL)
    })
}
