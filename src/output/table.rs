//! Human output: tables that fit in 100 columns, feed text cleaned for the terminal.

use super::json::{languages_of, original_of, title_of};
use crate::normalize::text::for_terminal;
use crate::store::feeds::Feed;
use crate::store::stories::StoryView;
use std::fmt::Write;

/// Cuts `s` to `width` characters (with an ellipsis), on one line.
#[must_use]
pub fn fit(s: &str, width: usize) -> String {
    let clean: String = for_terminal(s).replace(['\n', '\t'], " ");
    if clean.chars().count() <= width {
        return clean;
    }
    let mut out: String = clean.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn pad(s: &str, width: usize) -> String {
    let s = fit(s, width);
    let n = s.chars().count();
    format!("{s}{}", " ".repeat(width.saturating_sub(n)))
}

/// The `stories` table.
#[must_use]
pub fn stories(views: &[StoryView]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:>6}  {:>6}  {}  {}  TITLE",
        "ID",
        "COPIES",
        pad("LANGS", 14),
        pad("ORIGINAL", 22)
    );
    for v in views {
        let original = original_of(v).map_or_else(
            || "unknown".to_string(),
            |o| {
                format!(
                    "{} ({})",
                    o.site.clone().unwrap_or_else(|| o.feed.clone()),
                    o.lang
                )
            },
        );
        let _ = writeln!(
            out,
            "{:>6}  {:>6}  {}  {}  {}",
            v.id.0,
            v.members.len(),
            pad(&languages_of(v).join(","), 14),
            pad(&original, 22),
            fit(&title_of(v), 42)
        );
    }
    if views.is_empty() {
        out.push_str(
            "(no stories yet: ingest or poll some feeds; --all shows single-article stories)\n",
        );
    }
    out
}

/// The `story ID` view.
#[must_use]
pub fn story(v: &StoryView) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "story {}: {}", v.id.0, fit(&title_of(v), 80));
    match original_of(v) {
        Some(o) => {
            let _ = writeln!(
                out,
                "original: {} [{}] {}",
                o.site.clone().unwrap_or_else(|| o.feed.clone()),
                o.lang,
                fit(o.url.as_deref().unwrap_or(""), 70)
            );
        }
        None => out.push_str("original: unknown\n"),
    }
    for e in &v.evidence {
        let _ = writeln!(out, "  because {}", fit(e, 88));
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "{}  {}  {}  {}  URL",
        pad("RELATION", 11),
        pad("LANG", 4),
        pad("PUBLISHED", 16),
        pad("SITE", 20)
    );
    for m in &v.members {
        let published = m
            .published
            .map_or_else(|| "-".into(), |p| p.format("%Y-%m-%d %H:%M").to_string());
        let _ = writeln!(
            out,
            "{}  {}  {}  {}  {}",
            pad(m.relation.as_str(), 11),
            pad(&m.lang, 4),
            pad(&published, 16),
            pad(m.site.as_deref().unwrap_or(&m.feed), 20),
            fit(m.url.as_deref().unwrap_or("-"), 40)
        );
        if let Some(why) = why_line(&m.reason) {
            let _ = writeln!(out, "{}  {}", " ".repeat(11), fit(&why, 86));
        }
    }
    out
}

/// One line saying why a member joined.
#[must_use]
pub fn why_line(reason: &serde_json::Value) -> Option<String> {
    let kind = reason.get("kind")?.as_str()?;
    let score = reason
        .get("score")
        .and_then(serde_json::Value::as_f64)
        .unwrap_or(0.0);
    let shared: Vec<&str> = reason
        .get("shared_anchors")
        .and_then(|s| s.as_array())
        .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
        .unwrap_or_default();
    let mut s = format!("joined: {} (score {score:.2})", kind.replace('_', " "));
    if kind == "copy" {
        let j = reason
            .get("jaccard")
            .and_then(serde_json::Value::as_f64)
            .unwrap_or(0.0);
        let c = reason
            .get("containment")
            .and_then(serde_json::Value::as_f64)
            .unwrap_or(0.0);
        let _ = write!(s, ", jaccard {j:.2}, containment {c:.2}");
    }
    if let Some(c) = reason.get("cosine").and_then(serde_json::Value::as_f64) {
        let _ = write!(s, ", model cosine {c:.3}");
    }
    if !shared.is_empty() {
        let _ = write!(s, ", shared: {}", shared.join(" "));
    }
    Some(s)
}

/// The `feeds list` table.
#[must_use]
pub fn feeds(list: &[Feed]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:>4}  {}  {}  {}  URL",
        "ID",
        pad("STATUS", 8),
        pad("NEXT POLL", 16),
        pad("ERRORS", 6)
    );
    for f in list {
        let next = f
            .next_poll
            .map_or_else(|| "now".into(), |t| t.format("%Y-%m-%d %H:%M").to_string());
        let _ = writeln!(
            out,
            "{:>4}  {}  {}  {:>6}  {}",
            f.id.0,
            pad(&f.status, 8),
            pad(&next, 16),
            f.error_count,
            fit(&f.url, 56)
        );
        if let Some(e) = &f.last_error {
            let _ = writeln!(out, "{:>4}  last error: {}", "", fit(e, 80));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::why_line;

    #[test]
    fn the_why_line_names_the_evidence() {
        let anchors = serde_json::json!({
            "kind": "anchors", "score": 0.9, "shared_anchors": ["n27", "wmusk"], "cosine": 0.912
        });
        assert_eq!(
            why_line(&anchors).as_deref(),
            Some("joined: anchors (score 0.90), model cosine 0.912, shared: n27 wmusk")
        );
        let copy =
            serde_json::json!({"kind": "copy", "score": 0.97, "jaccard": 0.9, "containment": 0.95});
        assert_eq!(
            why_line(&copy).as_deref(),
            Some("joined: copy (score 0.97), jaccard 0.90, containment 0.95")
        );
        assert_eq!(why_line(&serde_json::json!({})), None);
    }
}
