//! `/metrics` in the Prometheus text format (0.0.4). Exported, all read from the database
//! at scrape time:
//!
//! | metric | type | what |
//! |---|---|---|
//! | `firsthand_feeds{status}` | gauge | feeds by status (`active`, `disabled`) |
//! | `firsthand_feeds_failing` | gauge | feeds whose last fetch failed |
//! | `firsthand_feed_errors` | gauge | sum of the feeds' consecutive error counts |
//! | `firsthand_fetches_total{result}` | counter | fetches recorded, by `ok`, `not_modified`, `error` |
//! | `firsthand_articles` | gauge | articles stored |
//! | `firsthand_articles_pending` | gauge | articles stored, not yet placed in a story |
//! | `firsthand_stories` | gauge | stories holding at least one article |
//! | `firsthand_stories_with_copies` | gauge | stories with two members or more |
//! | `firsthand_copies{relation}` | gauge | story members by relation to the original |
//! | `firsthand_last_poll_timestamp_seconds` | gauge | time of the last fetch (absent before any) |
//! | `firsthand_last_poll_duration_seconds` | gauge | the last poll pass: recorded start to end when a run wrote it, else the span of the newest run of fetches with no gap over a minute (absent before any) |

use super::{App, Failure, mime, typed_response, with_store};
use crate::store::web::Counts;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use std::fmt::Write;

/// `GET /metrics`.
pub async fn get(State(app): State<App>) -> Response {
    match with_store(&app.db, |s| s.counts().map_err(Failure::from)).await {
        Ok(c) => typed_response(StatusCode::OK, mime::PROMETHEUS, render(&c)),
        Err(f) => typed_response(f.status(), mime::TEXT, format!("{}\n", f.message())),
    }
}

/// Escapes a label value (backslash, double quote, newline).
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn head(s: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(s, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

fn family(s: &mut String, name: &str, kind: &str, help: &str, key: &str, rows: &[(String, i64)]) {
    head(s, name, kind, help);
    for (k, v) in rows {
        let _ = writeln!(s, "{name}{{{key}=\"{}\"}} {v}", label(k));
    }
}

fn single(s: &mut String, name: &str, kind: &str, help: &str, v: impl std::fmt::Display) {
    head(s, name, kind, help);
    let _ = writeln!(s, "{name} {v}");
}

/// Every label value of `known` appears (0 when absent), then any other value stored.
fn with_zeros(known: &[&str], rows: &[(String, i64)]) -> Vec<(String, i64)> {
    let mut out: Vec<(String, i64)> = known
        .iter()
        .map(|k| {
            let n = rows.iter().find(|r| r.0 == *k).map_or(0, |r| r.1);
            ((*k).to_string(), n)
        })
        .collect();
    out.extend(
        rows.iter()
            .filter(|r| !known.contains(&r.0.as_str()))
            .cloned(),
    );
    out
}

/// The exposition text.
#[must_use]
pub fn render(c: &Counts) -> String {
    let mut s = String::new();
    family(
        &mut s,
        "firsthand_feeds",
        "gauge",
        "Feeds by status.",
        "status",
        &with_zeros(&["active", "disabled"], &c.feeds),
    );
    single(
        &mut s,
        "firsthand_feeds_failing",
        "gauge",
        "Feeds whose last fetch failed.",
        c.feeds_failing,
    );
    single(
        &mut s,
        "firsthand_feed_errors",
        "gauge",
        "Sum of the feeds' consecutive fetch error counts.",
        c.feed_errors,
    );
    family(
        &mut s,
        "firsthand_fetches_total",
        "counter",
        "Feed fetches recorded, by result.",
        "result",
        &with_zeros(&["ok", "not_modified", "error"], &c.fetches),
    );
    single(
        &mut s,
        "firsthand_articles",
        "gauge",
        "Articles stored.",
        c.articles,
    );
    single(
        &mut s,
        "firsthand_articles_pending",
        "gauge",
        "Articles stored but not yet placed in a story.",
        c.pending,
    );
    single(
        &mut s,
        "firsthand_stories",
        "gauge",
        "Stories holding at least one article.",
        c.stories,
    );
    single(
        &mut s,
        "firsthand_stories_with_copies",
        "gauge",
        "Stories with two members or more.",
        c.stories_with_copies,
    );
    family(
        &mut s,
        "firsthand_copies",
        "gauge",
        "Story members by relation to the story's original.",
        "relation",
        &with_zeros(
            &["original", "duplicate", "syndicated", "translation"],
            &c.members,
        ),
    );
    if let Some(t) = c.last_poll {
        single(
            &mut s,
            "firsthand_last_poll_timestamp_seconds",
            "gauge",
            "Unix time of the last feed fetch.",
            t,
        );
    }
    if let Some(d) = c.last_pass_secs {
        single(
            &mut s,
            "firsthand_last_poll_duration_seconds",
            "gauge",
            "Duration of the last poll pass.",
            d,
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_family_with_help_and_type() {
        let c = Counts {
            feeds: vec![("active".into(), 3)],
            fetches: vec![("error".into(), 1), ("ok".into(), 5)],
            members: vec![("odd\"value".into(), 1)],
            last_poll: Some(1_700_000_000),
            last_pass_secs: Some(2.5),
            ..Counts::default()
        };
        let t = render(&c);
        assert!(t.contains("firsthand_feeds{status=\"active\"} 3\n"));
        assert!(t.contains("firsthand_feeds{status=\"disabled\"} 0\n"));
        assert!(t.contains("firsthand_fetches_total{result=\"not_modified\"} 0\n"));
        assert!(t.contains("firsthand_copies{relation=\"odd\\\"value\"} 1\n"));
        assert!(t.contains("firsthand_last_poll_duration_seconds 2.5\n"));
        for line in t.lines().filter(|l| !l.starts_with('#')) {
            let name = line.split(['{', ' ']).next().unwrap();
            assert!(t.contains(&format!("# TYPE {name} ")), "{line}");
        }
        assert!(!render(&Counts::default()).contains("last_poll"));
    }
}
