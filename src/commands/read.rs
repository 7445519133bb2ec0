//! The read side: `stories`, `story ID`, `origin URL`, `export`.

use crate::cli::{ExportFormat, StoriesArgs};
use firsthand::output::views::{origin_json, readable_anchors, since_secs, views};
use firsthand::output::{export, json, table};
use firsthand::store::Store;
use firsthand::store::now;
use std::fmt::Write;
use std::process::ExitCode;
use std::time::Duration;

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
        print!("{}", table::stories(&list, table::stdout_width()));
    }
    Ok(ExitCode::SUCCESS)
}

/// `firsthand story ID`.
///
/// # Errors
/// Unknown id, database failures.
pub fn story(store: &Store, id: i64, as_json: bool) -> anyhow::Result<ExitCode> {
    let resolved = store.resolve_story(id)?;
    let mut v = store.story_view(resolved)?;
    readable_anchors(store, &mut v)?;
    if resolved.0 != id && !as_json {
        println!("(story {id} was merged into story {})", resolved.0);
    }
    if as_json {
        println!("{}", serde_json::to_string_pretty(&json::story(&v))?);
    } else {
        print!("{}", table::story(&v, table::stdout_width()));
    }
    Ok(ExitCode::SUCCESS)
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
    let width = table::stdout_width();
    let mut out = String::new();
    let rel = j["relation"].as_str().unwrap_or("member");
    let _ = writeln!(
        out,
        "{} is the {rel} in story {}",
        table::fit(url, table::rest(width, 30)),
        j["story"]
    );
    match j["original"].as_object() {
        Some(o) => {
            let site = o.get("site").and_then(|s| s.as_str()).unwrap_or("");
            let lang = o.get("lang").and_then(|s| s.as_str()).unwrap_or("");
            let _ = writeln!(
                out,
                "original: {site} [{lang}] {}",
                table::fit(
                    o.get("url").and_then(|s| s.as_str()).unwrap_or(""),
                    table::rest(width, 14 + table::columns(site) + table::columns(lang))
                )
            );
        }
        None => out.push_str("original: unknown\n"),
    }
    for e in j["original_evidence"].as_array().into_iter().flatten() {
        let _ = writeln!(
            out,
            "  because {}",
            table::fit(e.as_str().unwrap_or(""), table::rest(width, 10))
        );
    }
    if let Some(chain) = j["chain"].as_array().filter(|c| !c.is_empty()) {
        let chain = chain
            .iter()
            .filter_map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(" → ");
        let _ = writeln!(
            out,
            "credit chain: {}",
            table::fit(&chain, table::rest(width, 14))
        );
    }
    if let Some(w) = table::why_line(&j["why_in_story"]) {
        let _ = writeln!(out, "this copy {}", table::fit(&w, table::rest(width, 10)));
    }
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

/// Stories read from the database at a time by `export`.
const EXPORT_CHUNK: usize = 256;

/// `firsthand export`: every story (the newest `limit` with a limit), written as it is
/// read, a chunk of stories at a time.
///
/// # Errors
/// Database failures, a closed stdout.
pub fn export(
    store: &Store,
    format: ExportFormat,
    since: Option<Duration>,
    limit: Option<usize>,
) -> anyhow::Result<ExitCode> {
    use std::io::Write as _;
    let limit = limit.map(|n| i64::try_from(n).unwrap_or(i64::MAX));
    let ids = store.story_ids(since_secs(since), 1, limit)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut first = true;
    for chunk in ids.chunks(EXPORT_CHUNK) {
        let list = chunk
            .iter()
            .map(|id| store.story_view(*id))
            .collect::<firsthand::Result<Vec<_>>>()?;
        for v in &list {
            if first {
                // Stories come newest first: the first one's time is the feed's.
                match format {
                    ExportFormat::Atom => out.write_all(export::atom_head(v.updated).as_bytes())?,
                    ExportFormat::Json => out.write_all(export::JSON_FEED_HEAD.as_bytes())?,
                }
            }
            match format {
                ExportFormat::Atom => out.write_all(export::atom_entry(v).as_bytes())?,
                ExportFormat::Json => out.write_all(export::json_feed_item(v, first).as_bytes())?,
            }
            first = false;
        }
    }
    match format {
        ExportFormat::Atom => {
            if first {
                out.write_all(export::atom_head(now()).as_bytes())?;
            }
            out.write_all(export::ATOM_TAIL.as_bytes())?;
        }
        ExportFormat::Json => {
            if first {
                out.write_all(export::JSON_FEED_HEAD.as_bytes())?;
            }
            out.write_all(export::JSON_FEED_TAIL.as_bytes())?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
