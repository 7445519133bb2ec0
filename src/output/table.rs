//! Human output: tables that fit the terminal's width, measured in display columns (a
//! Chinese or Japanese character takes two), feed text cleaned for the terminal. When
//! stdout is not a terminal nothing is cut: a pipe or a file gets every title and reason
//! whole.

use super::json::{languages_of, original_of, title_of};
use crate::normalize::text::for_terminal;
use crate::store::feeds::Feed;
use crate::store::stories::StoryView;
use std::fmt::Write;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// How many columns human output may use; `None`: no limit (nothing is cut).
pub type Width = Option<usize>;

/// Width used on a terminal whose size cannot be read.
const FALLBACK_COLUMNS: usize = 100;
/// Narrowest layout: below this, columns would be cut to nothing.
const MIN_COLUMNS: usize = 60;
/// Narrowest a table's last (free) column is cut to.
const MIN_LAST: usize = 20;

/// The width of standard output: unlimited when it is not a terminal; on a terminal,
/// `$COLUMNS` when set, else the terminal's own width, else 100 columns.
#[must_use]
pub fn stdout_width() -> Width {
    let out = std::io::stdout();
    if !std::io::IsTerminal::is_terminal(&out) {
        return None;
    }
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|c| *c > 0)
        .or_else(|| {
            rustix::termios::tcgetwinsize(&out)
                .ok()
                .map(|w| usize::from(w.ws_col))
                .filter(|c| *c > 0)
        })
        .unwrap_or(FALLBACK_COLUMNS);
    Some(columns.max(MIN_COLUMNS))
}

/// What is left of `width` after `used` columns, at least [`MIN_LAST`].
#[must_use]
pub fn rest(width: Width, used: usize) -> Width {
    width.map(|w| w.saturating_sub(used).max(MIN_LAST))
}

/// Columns `s` takes on a terminal.
#[must_use]
pub fn columns(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `s` on one line, cut to `width` display columns (with an ellipsis); whole when the
/// width is unlimited.
#[must_use]
pub fn fit(s: &str, width: Width) -> String {
    let clean: String = for_terminal(s).replace(['\n', '\t'], " ");
    let Some(width) = width else { return clean };
    if columns(&clean) <= width {
        return clean;
    }
    let mut out = String::new();
    let mut used = 0;
    for c in clean.chars() {
        let w = UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// How wide a column is: as wide as its widest cell (or header), and at most `cap` when
/// the output is limited.
fn column<'a>(
    header: &str,
    cells: impl Iterator<Item = &'a str>,
    cap: usize,
    limit: Width,
) -> usize {
    let natural = cells
        .map(columns)
        .chain([columns(header)])
        .max()
        .unwrap_or(0);
    if limit.is_some() {
        natural.min(cap)
    } else {
        natural
    }
}

/// `s` cut to `width` columns when the output is limited, then padded to `width`.
fn pad(s: &str, width: usize, limit: Width) -> String {
    let s = fit(s, limit.map(|_| width));
    let n = columns(&s);
    format!("{s}{}", " ".repeat(width.saturating_sub(n)))
}

/// The `stories` table, `width` columns wide at most.
#[must_use]
pub fn stories(views: &[StoryView], width: Width) -> String {
    let rows: Vec<(String, String)> = views
        .iter()
        .map(|v| {
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
            (languages_of(v).join(","), original)
        })
        .collect();
    let langs = column("LANGS", rows.iter().map(|r| r.0.as_str()), 14, width);
    let original = column("ORIGINAL", rows.iter().map(|r| r.1.as_str()), 28, width);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:>6}  {:>6}  {}  {}  TITLE",
        "ID",
        "COPIES",
        pad("LANGS", langs, width),
        pad("ORIGINAL", original, width)
    );
    let title_width = rest(width, 6 + 2 + 6 + 2 + langs + 2 + original + 2);
    for (v, (l, o)) in views.iter().zip(&rows) {
        let _ = writeln!(
            out,
            "{:>6}  {:>6}  {}  {}  {}",
            v.id.0,
            v.members.len(),
            pad(l, langs, width),
            pad(o, original, width),
            fit(&title_of(v), title_width)
        );
    }
    if views.is_empty() {
        out.push_str(
            "(no stories yet: ingest or poll some feeds; --all shows single-article stories)\n",
        );
    }
    out
}

/// The `story ID` view, `width` columns wide at most.
#[must_use]
pub fn story(v: &StoryView, width: Width) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "story {}: {}",
        v.id.0,
        fit(&title_of(v), rest(width, 8 + v.id.0.to_string().len()))
    );
    match original_of(v) {
        Some(o) => {
            let site = o.site.clone().unwrap_or_else(|| o.feed.clone());
            let _ = writeln!(
                out,
                "original: {site} [{}] {}",
                o.lang,
                fit(
                    o.url.as_deref().unwrap_or(""),
                    rest(width, 14 + columns(&site) + columns(&o.lang))
                )
            );
        }
        None => out.push_str("original: unknown\n"),
    }
    for e in &v.evidence {
        let _ = writeln!(out, "  because {}", fit(e, rest(width, 10)));
    }
    out.push('\n');
    let site_of =
        |m: &crate::store::stories::MemberView| m.site.clone().unwrap_or_else(|| m.feed.clone());
    let sites: Vec<String> = v.members.iter().map(site_of).collect();
    let site = column("SITE", sites.iter().map(String::as_str), 24, width);
    let _ = writeln!(
        out,
        "{}  {}  {}  {}  URL",
        pad("RELATION", 11, width),
        pad("LANG", 4, width),
        pad("PUBLISHED", 16, width),
        pad("SITE", site, width)
    );
    let url_width = rest(width, 11 + 2 + 4 + 2 + 16 + 2 + site + 2);
    for m in &v.members {
        let published = m
            .published
            .map_or_else(|| "-".into(), |p| p.format("%Y-%m-%d %H:%M").to_string());
        let _ = writeln!(
            out,
            "{}  {}  {}  {}  {}",
            pad(m.relation.as_str(), 11, width),
            pad(&m.lang, 4, width),
            pad(&published, 16, width),
            pad(&site_of(m), site, width),
            fit(m.url.as_deref().unwrap_or("-"), url_width)
        );
        if let Some(why) = why_line(&m.reason) {
            let _ = writeln!(out, "{}  {}", " ".repeat(11), fit(&why, rest(width, 13)));
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
    // The anchors as the texts write them when the caller added them (see
    // `output::views::readable_anchors`), else their keys.
    let shared: Vec<&str> = reason
        .get("shared_text")
        .or_else(|| reason.get("shared_anchors"))
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
        let _ = write!(s, ", shared: {}", shared.join(", "));
    }
    Some(s)
}

/// The `feeds list` table, `width` columns wide at most. Local files read by `ingest`
/// are never polled: their next poll says so.
#[must_use]
pub fn feeds(list: &[Feed], width: Width) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:>4}  {}  {}  {}  URL",
        "ID",
        pad("STATUS", 8, width),
        pad("NEXT POLL", 16, width),
        pad("ERRORS", 6, width)
    );
    let url_width = rest(width, 4 + 2 + 8 + 2 + 16 + 2 + 6 + 2);
    for f in list {
        let next = if f.is_local() {
            "never (a file)".into()
        } else {
            f.next_poll
                .map_or_else(|| "now".into(), |t| t.format("%Y-%m-%d %H:%M").to_string())
        };
        let _ = writeln!(
            out,
            "{:>4}  {}  {}  {:>6}  {}",
            f.id.0,
            pad(&f.status, 8, width),
            pad(&next, 16, width),
            f.error_count,
            fit(&f.url, url_width)
        );
        if let Some(e) = &f.last_error {
            let _ = writeln!(out, "{:>4}  last error: {}", "", fit(e, rest(width, 18)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{columns, fit, why_line};

    #[test]
    fn the_why_line_names_the_evidence() {
        let anchors = serde_json::json!({
            "kind": "anchors", "score": 0.9, "shared_anchors": ["n27", "wmusk"], "cosine": 0.912
        });
        assert_eq!(
            why_line(&anchors).as_deref(),
            Some("joined: anchors (score 0.90), model cosine 0.912, shared: n27, wmusk")
        );
        let readable = serde_json::json!({
            "kind": "anchors", "score": 0.9, "shared_anchors": ["n27", "wmusk"],
            "shared_text": ["27", "Маск (Musk)"]
        });
        assert_eq!(
            why_line(&readable).as_deref(),
            Some("joined: anchors (score 0.90), shared: 27, Маск (Musk)")
        );
        let copy =
            serde_json::json!({"kind": "copy", "score": 0.97, "jaccard": 0.9, "containment": 0.95});
        assert_eq!(
            why_line(&copy).as_deref(),
            Some("joined: copy (score 0.97), jaccard 0.90, containment 0.95")
        );
        assert_eq!(why_line(&serde_json::json!({})), None);
    }

    #[test]
    fn fit_counts_display_columns() {
        // Each of these characters takes two columns.
        let zh = "马斯克为推特购买了一万块显卡";
        assert_eq!(columns(zh), 28);
        let cut = fit(zh, Some(11));
        assert_eq!(cut, "马斯克为推…");
        assert!(columns(&cut) <= 11);
        assert_eq!(fit("Musk buys GPUs", Some(9)), "Musk buy…");
        assert_eq!(fit("short", Some(9)), "short");
        // Unlimited: whole, on one line, without terminal escapes.
        let long = "a\tvery long title\nwith a second line \u{1b}[31mand colour";
        assert_eq!(
            fit(long, None),
            "a very long title with a second line [31mand colour"
        );
    }

    #[test]
    fn tables_fit_the_width_or_cut_nothing() {
        let feed = |url: &str| crate::store::feeds::Feed {
            id: crate::domain::FeedId(1),
            url: url.into(),
            title: None,
            status: "active".into(),
            last_error: Some("x".repeat(300)),
            error_count: 3,
            next_poll: None,
            etag: None,
            last_modified: None,
            last_polled: None,
            ttl_minutes: None,
        };
        let long = format!("https://example.com/{}", "path/".repeat(30));
        let list = [feed(&long), feed("file:///tmp/feed.xml")];
        for w in [70, 100, 250] {
            let t = super::feeds(&list, Some(w));
            for line in t.lines() {
                assert!(columns(line) <= w, "{w}: {line:?}");
            }
            assert_eq!(w == 250, t.contains(&long), "{w}: {t}");
        }
        let whole = super::feeds(&list, None);
        assert!(whole.contains(&long) && whole.contains(&"x".repeat(300)));
        assert!(whole.contains("never (a file)"), "{whole}");
    }
}
