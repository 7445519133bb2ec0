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

/// Adds `shared_text` beside `shared_anchors` in each member's reason: every shared
/// anchor as the member's text writes it, followed by the matched article's words in
/// parentheses when they differ ("1万 (10,000)", "Маск (Musk)"). Anchor keys are
/// normalised for matching (`n10000`, a name's consonant skeleton) and mean little to a
/// reader; the words are found again in the stored texts.
///
/// # Errors
/// Database failures.
pub fn readable_anchors(store: &Store, v: &mut StoryView) -> crate::Result<()> {
    let mut texts: std::collections::HashMap<i64, Vec<(String, String)>> =
        std::collections::HashMap::new();
    let mut words_of = |id: i64| -> crate::Result<Vec<(String, String)>> {
        if let Some(w) = texts.get(&id) {
            return Ok(w.clone());
        }
        let (title, paragraphs, lang, _) =
            Store::article_text(store.conn(), crate::domain::ArticleId(id))?;
        let w = crate::fingerprint::anchors::with_text(&title, &paragraphs.join("\n"), &lang);
        texts.insert(id, w.clone());
        Ok(w)
    };
    for m in &mut v.members {
        let keys: Vec<String> = m
            .reason
            .get("shared_anchors")
            .and_then(|a| a.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|k| k.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        if keys.is_empty() {
            continue;
        }
        let mine = words_of(m.id.0)?;
        let theirs = match m
            .reason
            .get("matched_id")
            .and_then(serde_json::Value::as_i64)
        {
            // The matched article may have left the store since (feeds remove).
            Some(id) => words_of(id).unwrap_or_default(),
            None => Vec::new(),
        };
        let find = |list: &[(String, String)], k: &str| {
            list.iter()
                .find(|(key, _)| key == k)
                .map(|(_, t)| table::fit(t, None))
        };
        let shown: Vec<String> = keys
            .iter()
            .map(|k| match (find(&mine, k), find(&theirs, k)) {
                (Some(a), Some(b)) if a != b => format!("{a} ({b})"),
                (Some(a), _) | (None, Some(a)) => a,
                (None, None) => key_text(k),
            })
            .collect();
        if let Some(obj) = m.reason.as_object_mut() {
            obj.insert("shared_text".into(), serde_json::json!(shown));
        }
    }
    Ok(())
}

/// An anchor key without its one-letter kind, for when no text has it any more.
fn key_text(key: &str) -> String {
    crate::fingerprint::anchors::AnchorKind::split(key)
        .map_or(key, |(_, text)| text)
        .to_string()
}

/// What `origin URL` answers (shared with the web view).
///
/// # Errors
/// Unknown URL, database failures.
pub fn origin_json(store: &Store, url: &str) -> crate::Result<serde_json::Value> {
    let article = store.article_by_url(url)?;
    let sid = Store::story_of(store.conn(), article)?
        .ok_or_else(|| crate::Error::NoArticle(url.into()))?;
    let mut v = store.story_view(sid)?;
    readable_anchors(store, &mut v)?;
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
fn credit_chain(v: &StoryView, start: crate::domain::ArticleId) -> Vec<String> {
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
            .collect::<crate::Result<Vec<_>>>()?;
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
