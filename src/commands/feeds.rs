//! `firsthand feeds add|list|remove|import|export`.

use super::PARTIAL;
use crate::cli::FeedsCommand;
use anyhow::Context;
use firsthand::output::table;
use firsthand::store::Store;
use firsthand::store::now;
use std::process::ExitCode;

/// Whether a `feeds` subcommand brings feeds in, and so may create the database; the
/// others need one that exists.
#[must_use]
pub fn creates(cmd: &FeedsCommand) -> bool {
    matches!(cmd, FeedsCommand::Add { .. } | FeedsCommand::Import { .. })
}

/// Runs a `feeds` subcommand; `open` opens the database (after arguments that need no
/// database are checked, so that a command refused for its arguments creates nothing).
///
/// # Errors
/// Fatal errors (database, unreadable file).
pub fn run(
    cmd: FeedsCommand,
    open: impl FnOnce() -> anyhow::Result<Store>,
) -> anyhow::Result<ExitCode> {
    match cmd {
        FeedsCommand::Add { urls } => add(open, &urls),
        FeedsCommand::List { json } => {
            let list = open()?.feeds()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                print!("{}", table::feeds(&list, table::stdout_width()));
            }
            Ok(ExitCode::SUCCESS)
        }
        FeedsCommand::Remove { feed } => {
            let f = firsthand::pipeline::remove_feed(&mut open()?, &feed, now().timestamp())?;
            println!("removed feed {} ({})", f.id, f.url);
            Ok(ExitCode::SUCCESS)
        }
        FeedsCommand::Import { file } => {
            let text =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let text = String::from_utf8_lossy(&text);
            let (outlines, skipped) = firsthand::opml::parse(&text, &file.display().to_string())?;
            for s in &skipped {
                eprintln!("{}: {s}", file.display());
            }
            let store = &mut open()?;
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
            let list: Vec<(String, Option<String>)> = open()?
                .feeds()?
                .into_iter()
                .filter(|f| !f.url.starts_with("file:"))
                .map(|f| (f.url, f.title))
                .collect();
            print!("{}", firsthand::opml::write(&list));
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn add(open: impl FnOnce() -> anyhow::Result<Store>, urls: &[String]) -> anyhow::Result<ExitCode> {
    let mut failed = 0;
    // URLs that cannot be fetched are refused before the database is opened.
    let mut fetchable = Vec::new();
    for url in urls {
        if let Some(hint) = scheme_hint(url) {
            eprintln!("error: {url}: no scheme; did you mean {hint}?");
            failed += 1;
        } else if let Err(e) = firsthand::poll::only_http(url) {
            eprintln!("error: {e}");
            failed += 1;
        } else {
            fetchable.push(url);
        }
    }
    if fetchable.is_empty() {
        return Ok(ExitCode::from(PARTIAL));
    }
    let store = &mut open()?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let fetcher = firsthand::poll::Fetcher::new(&firsthand::poll::PollConfig::default())?;
    for url in fetchable {
        match rt.block_on(firsthand::poll::discover(&fetcher, url)) {
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

/// `https://example.com/` for `example.com/`: what a URL typed without its scheme meant.
/// `None` when `url` has a scheme or is not a host name.
fn scheme_hint(url: &str) -> Option<String> {
    let url = url.trim();
    if url.contains("://") {
        return None;
    }
    // "example.com:8080/feed" parses, with "example.com" as its scheme.
    if url::Url::parse(url).is_ok_and(|u| !u.scheme().contains('.') && u.scheme() != "localhost") {
        return None;
    }
    let guess = url::Url::parse(&format!("https://{url}")).ok()?;
    let host = guess.host_str()?;
    (host.contains('.') || host == "localhost").then(|| guess.to_string())
}

#[cfg(test)]
mod tests {
    use super::scheme_hint;

    #[test]
    fn a_url_without_scheme_gets_a_hint() {
        assert_eq!(
            scheme_hint("example.com").as_deref(),
            Some("https://example.com/")
        );
        assert_eq!(
            scheme_hint("blog.example.com/feed.xml").as_deref(),
            Some("https://blog.example.com/feed.xml")
        );
        assert_eq!(
            scheme_hint("example.com:8080/feed").as_deref(),
            Some("https://example.com:8080/feed")
        );
        assert_eq!(
            scheme_hint("127.0.0.1:8080").as_deref(),
            Some("https://127.0.0.1:8080/")
        );
        assert_eq!(scheme_hint("https://example.com/"), None);
        assert_eq!(scheme_hint("file:///tmp/x.xml"), None);
        assert_eq!(scheme_hint("not a url"), None);
    }
}
