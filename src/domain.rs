//! The domain: feeds, articles, stories, and how a member relates to its story's original.

use chrono::{DateTime, Utc};
use serde::Serialize;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// Row id of a feed.
    FeedId
);
id_type!(
    /// Row id of an article.
    ArticleId
);
id_type!(
    /// Stable id of a story (merged ids keep resolving).
    StoryId
);

/// How a story member relates to the story's original.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Relation {
    /// The original itself.
    Original,
    /// The same text.
    Duplicate,
    /// Same language, edited, trimmed or with other boilerplate.
    Syndicated,
    /// Another language.
    Translation,
}

impl Relation {
    /// The word used in JSON and tables.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Original => "original",
            Self::Duplicate => "duplicate",
            Self::Syndicated => "syndicated",
            Self::Translation => "translation",
        }
    }

    /// Parses the stored word; unknown words read as `Syndicated`.
    #[must_use]
    pub fn parse(s: &str) -> Self {
        match s {
            "original" => Self::Original,
            "duplicate" => Self::Duplicate,
            "translation" => Self::Translation,
            _ => Self::Syndicated,
        }
    }
}

/// One entry of a feed after normalisation, ready to fingerprint and store.
#[derive(Debug, Clone, Default)]
pub struct Article {
    /// Exact identity within its feed: `guid:…`, `url:…` or `hash:…`.
    pub identity: String,
    /// Link as the feed gives it.
    pub url: Option<String>,
    /// Canonical form of the link (or of FeedBurner's origLink).
    pub canonical_url: Option<String>,
    /// Title as plain text.
    pub title: String,
    /// Plain-text paragraphs of the body (boilerplate not yet removed).
    pub paragraphs: Vec<String>,
    /// Outbound links (absolute, canonical).
    pub links: Vec<String>,
    /// Links that sit in a credit line ("Source:", "Via", "来源", …), canonical.
    pub credits: Vec<String>,
    /// Image URLs.
    pub images: Vec<String>,
    /// ISO 639-1 code, detected from the text.
    pub lang: String,
    /// Publication time claimed by the feed.
    pub published: Option<DateTime<Utc>>,
    /// RSS `<source url>` or FeedBurner origLink: the feed's own claim of where this came from.
    pub source_url: Option<String>,
}

impl Article {
    /// Body paragraphs joined by newlines.
    #[must_use]
    pub fn body(&self) -> String {
        self.paragraphs.join("\n")
    }
}
