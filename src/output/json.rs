//! The JSON of DESIGN.md: `stories --json`, `story ID --json`, `origin URL --json`.

use crate::store::stories::{MemberView, StoryView};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// The original as shown in JSON.
#[derive(Debug, Serialize)]
pub struct OriginalJson {
    /// Link.
    pub url: Option<String>,
    /// Feed URL.
    pub feed: String,
    /// Language.
    pub lang: String,
    /// Claimed publication time.
    pub published: Option<DateTime<Utc>>,
}

/// One story as shown in JSON.
#[derive(Debug, Serialize)]
pub struct StoryJson {
    /// Story id.
    pub id: i64,
    /// Title (the original's, else the first member's).
    pub title: String,
    /// Languages of the members, the original's first.
    pub languages: Vec<String>,
    /// The original, or null.
    pub original: Option<OriginalJson>,
    /// Why that original (or why none).
    pub original_evidence: Vec<String>,
    /// Every member, the original included.
    pub members: Vec<MemberJson>,
}

/// A member with why it joined.
#[derive(Debug, Serialize)]
pub struct MemberJson {
    /// The contract fields.
    #[serde(flatten)]
    pub member: MemberView,
    /// Why it joined (not in the minimal contract; extra fields are allowed).
    pub why: serde_json::Value,
}

/// The original member of a story view.
#[must_use]
pub fn original_of(v: &StoryView) -> Option<&MemberView> {
    v.original
        .and_then(|o| v.members.iter().find(|m| m.id == o))
}

/// Title of a story.
#[must_use]
pub fn title_of(v: &StoryView) -> String {
    original_of(v)
        .or_else(|| v.members.first())
        .map(|m| m.title.clone())
        .unwrap_or_default()
}

/// Distinct languages, the original's first.
#[must_use]
pub fn languages_of(v: &StoryView) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in original_of(v).into_iter().chain(v.members.iter()) {
        if !out.contains(&m.lang) {
            out.push(m.lang.clone());
        }
    }
    out
}

/// Builds the JSON object of a story.
#[must_use]
pub fn story(v: &StoryView) -> StoryJson {
    StoryJson {
        id: v.id.0,
        title: title_of(v),
        languages: languages_of(v),
        original: original_of(v).map(|o| OriginalJson {
            url: o.url.clone(),
            feed: o.feed.clone(),
            lang: o.lang.clone(),
            published: o.published,
        }),
        original_evidence: if v.original.is_none() && v.evidence.is_empty() {
            vec!["no evidence names an original".into()]
        } else {
            v.evidence.clone()
        },
        members: v
            .members
            .iter()
            .map(|m| MemberJson {
                why: m.reason.clone(),
                member: m.clone(),
            })
            .collect(),
    }
}
