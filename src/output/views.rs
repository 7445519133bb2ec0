//! What the read side shows, shaped from the store for the command line and the web view
//! alike: story listings, stories with readable shared anchors, an article's origin with
//! its credit chain.

use super::{json, table};
use crate::store::stories::StoryView;
use crate::store::{Store, now};
use std::time::Duration;

/// Unix seconds of `since` ago, if given.
#[must_use]
pub fn since_secs(since: Option<Duration>) -> Option<i64> {
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
