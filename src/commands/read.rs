//! The read side: `stories`, `story ID`, `origin URL`, `export`.

use super::now;
use crate::cli::{ExportFormat, StoriesArgs};
use crate::output::{export, json, table};
use crate::store::Store;
use crate::store::stories::StoryView;
use std::fmt::Write;
use std::process::ExitCode;
use std::time::Duration;

fn since_secs(since: Option<Duration>) -> Option<i64> {
    since.map(|d| now().timestamp() - i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2))
}

/// Story views for a listing.
///
/// # Errors
/// Database failures.
pub fn views(
    store: &Store,
    since: Option<Duration>,
    all: bool,
    limit: Option<i64>,
) -> crate::Result<Vec<StoryView>> {
    let ids = store.story_ids(since_secs(since), if all { 1 } else { 2 }, limit)?;
    ids.into_iter().map(|id| store.story_view(id)).collect()
}

/// `firsthand stories`.
///
/// # Errors
/// Database failures.
pub fn stories(store: &Store, args: &StoriesArgs) -> anyhow::Result<ExitCode> {
    let list = views(store, args.since, args.all, args.limit)?;
    if args.json {
        let out: Vec<json::StoryJson> = list.iter().map(json::story).collect();
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        print!("{}", table::stories(&list));
    }
    Ok(ExitCode::SUCCESS)
}

/// `firsthand story ID`.
///
/// # Errors
/// Unknown id, database failures.
pub fn story(store: &Store, id: i64, as_json: bool) -> anyhow::Result<ExitCode> {
    let resolved = store.resolve_story(id)?;
    let v = store.story_view(resolved)?;
    if resolved.0 != id && !as_json {
        println!("(story {id} was merged into story {})", resolved.0);
    }
    if as_json {
        println!("{}", serde_json::to_string_pretty(&json::story(&v))?);
    } else {
        print!("{}", table::story(&v));
    }
    Ok(ExitCode::SUCCESS)
}

/// What `origin URL` answers (shared with the web view).
///
/// # Errors
/// Unknown URL, database failures.
pub fn origin_json(store: &Store, url: &str) -> crate::Result<serde_json::Value> {
    let article = store.article_by_url(url)?;
    let sid = Store::story_of(store.conn(), article)?
        .ok_or_else(|| crate::Error::NoArticle(url.into()))?;
    let v = store.story_view(sid)?;
    let me = v.members.iter().find(|m| m.id == article);
    let original = json::original_of(&v);
    let chain = credit_chain(&v, article);
    Ok(serde_json::json!({
        "url": url,
        "story": v.id.0,
        "relation": me.map(|m| m.relation),
        "lang": me.map(|m| m.lang.clone()),
        "why_in_story": me.map(|m| m.reason.clone()),
        "original": original.map(|o| serde_json::json!({
            "url": o.url, "feed": o.feed, "lang": o.lang, "published": o.published, "site": o.site,
        })),
        "original_evidence": v.evidence,
        "chain": chain,
        "story_languages": json::languages_of(&v),
        "copies": v.members.len(),
    }))
}

/// The credit chain from `start`: each member it credits, in turn (URLs).
fn credit_chain(v: &StoryView, start: crate::model::ArticleId) -> Vec<String> {
    let mut chain = Vec::new();
    let mut cur = v.members.iter().find(|m| m.id == start);
    while let Some(m) = cur {
        chain.push(m.url.clone().unwrap_or_default());
        let next = v.members.iter().find(|t| {
            t.id != m.id
                && !chain.contains(&t.url.clone().unwrap_or_default())
                && m.credits.iter().any(|c| {
                    t.url.as_deref() == Some(c.as_str())
                        || crate::normalize::url::canonical(t.url.as_deref().unwrap_or(""), None)
                            .as_deref()
                            == Some(c.as_str())
                })
        });
        cur = next;
        if chain.len() > v.members.len() {
            break;
        }
    }
    if chain.len() < 2 { Vec::new() } else { chain }
}

/// `firsthand origin URL`.
///
/// # Errors
/// Unknown URL, database failures.
pub fn origin(store: &Store, url: &str, as_json: bool) -> anyhow::Result<ExitCode> {
    let j = origin_json(store, url)?;
    if as_json {
        println!("{}", serde_json::to_string_pretty(&j)?);
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = String::new();
    let rel = j["relation"].as_str().unwrap_or("member");
    let _ = writeln!(
        out,
        "{} is the {rel} in story {}",
        table::fit(url, 70),
        j["story"]
    );
    match j["original"].as_object() {
        Some(o) => {
            let _ = writeln!(
                out,
                "original: {} [{}] {}",
                o.get("site").and_then(|s| s.as_str()).unwrap_or(""),
                o.get("lang").and_then(|s| s.as_str()).unwrap_or(""),
                table::fit(o.get("url").and_then(|s| s.as_str()).unwrap_or(""), 70)
            );
        }
        None => out.push_str("original: unknown\n"),
    }
    for e in j["original_evidence"].as_array().into_iter().flatten() {
        let _ = writeln!(
            out,
            "  because {}",
            table::fit(e.as_str().unwrap_or(""), 88)
        );
    }
    if let Some(chain) = j["chain"].as_array().filter(|c| !c.is_empty()) {
        let _ = writeln!(
            out,
            "credit chain: {}",
            chain
                .iter()
                .filter_map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(" → ")
        );
    }
    if let Some(w) = table::why_line(&j["why_in_story"]) {
        let _ = writeln!(out, "this copy {w}");
    }
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

/// `firsthand export`.
///
/// # Errors
/// Database failures.
pub fn export(
    store: &Store,
    format: ExportFormat,
    since: Option<Duration>,
) -> anyhow::Result<ExitCode> {
    let list = views(store, since, true, Some(500))?;
    match format {
        ExportFormat::Atom => print!("{}", export::atom(&list, now())),
        ExportFormat::Json => println!("{}", export::json_feed(&list)),
    }
    Ok(ExitCode::SUCCESS)
}
