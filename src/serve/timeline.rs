//! The timeline of a story as an SVG drawn on the server: when each copy appeared after
//! the original (its claimed publication time, else when firsthand first saw it), one
//! lane per language, and credit links as arrows from the crediting copy to the one it
//! credits. Time runs on a symmetric log scale, so minutes and days both stay readable
//! and copies whose clock claims they came first sit left of zero.

use super::html::{delay, esc};
use crate::output::json::{languages_of, original_of};
use crate::store::stories::{MemberView, StoryView};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

const WIDTH: f64 = 800.0;
const LEFT: f64 = 58.0;
const RIGHT: f64 = 26.0;
const TOP: f64 = 30.0;
const LANE: f64 = 40.0;
const BOTTOM: f64 = 8.0;
/// Vertical offsets tried, in order, for dots that would overlap in a lane.
const SLOTS: [f64; 5] = [0.0, -9.0, 9.0, -4.5, 4.5];
/// Dots in one slot closer than this (in px) overlap.
const CLOSE: f64 = 9.0;
/// Tick marks: seconds after the original, and their label.
const TICKS: [(i64, &str); 13] = [
    (0, "0"),
    (60, "1m"),
    (600, "10m"),
    (3600, "1h"),
    (3 * 3600, "3h"),
    (6 * 3600, "6h"),
    (12 * 3600, "12h"),
    (86_400, "1d"),
    (3 * 86_400, "3d"),
    (7 * 86_400, "1w"),
    (30 * 86_400, "30d"),
    (182 * 86_400, "6mo"),
    (365 * 86_400, "1y"),
];
/// Ticks closer than this (in px) are not both labelled.
const TICK_GAP: f64 = 34.0;

/// The time a member is placed at.
fn when(m: &MemberView) -> DateTime<Utc> {
    m.published.unwrap_or(m.first_seen)
}

/// Symmetric log of a delay in seconds (linear-ish below a minute).
#[allow(clippy::cast_precision_loss)] // delays of years still fit an f64 well enough
fn symlog(secs: i64) -> f64 {
    let d = secs as f64;
    d.signum() * (1.0 + d.abs() / 60.0).ln()
}

/// Maps delays to x positions.
struct Scale {
    lo: f64,
    hi: f64,
}

impl Scale {
    fn new(delays: &[i64]) -> Self {
        let lo = delays.iter().map(|&d| symlog(d)).fold(0.0, f64::min);
        let hi = delays
            .iter()
            .map(|&d| symlog(d))
            .fold(symlog(3600), f64::max);
        Self { lo, hi }
    }

    fn x(&self, secs: i64) -> f64 {
        LEFT + (symlog(secs) - self.lo) / (self.hi - self.lo) * (WIDTH - LEFT - RIGHT)
    }

    fn contains(&self, secs: i64) -> bool {
        (self.lo..=self.hi).contains(&symlog(secs))
    }
}

/// The members of a story by link (as given and canonical), to resolve what a member
/// credits in one look-up instead of a pass over the members.
#[derive(Debug, Default)]
pub struct Credits(BTreeMap<String, Vec<usize>>);

impl Credits {
    /// Indexes the members of `v`.
    #[must_use]
    pub fn of(v: &StoryView) -> Self {
        let mut map: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, m) in v.members.iter().enumerate() {
            let Some(u) = m.url.as_deref() else { continue };
            let canonical = crate::normalize::url::canonical(u, None);
            for key in std::iter::once(u).chain(canonical.as_deref().filter(|c| *c != u)) {
                map.entry(key.to_string()).or_default().push(i);
            }
        }
        Self(map)
    }

    /// The members other than member `by` that `credit` (a URL a member credits) names.
    pub fn named(&self, credit: &str, by: usize) -> impl Iterator<Item = usize> + '_ {
        self.0
            .get(credit)
            .into_iter()
            .flatten()
            .copied()
            .filter(move |&j| j != by)
    }

    /// Credit arrows as (from, to) member indexes, each pair once, in member order.
    #[must_use]
    pub fn edges(&self, v: &StoryView) -> Vec<(usize, usize)> {
        let mut out = BTreeSet::new();
        for (i, m) in v.members.iter().enumerate() {
            for c in &m.credits {
                out.extend(self.named(c, i).map(|j| (i, j)));
            }
        }
        out.into_iter().collect()
    }
}

/// The SVG of a story's timeline (an empty figure when it has no members).
#[must_use]
pub fn svg(v: &StoryView) -> String {
    let langs = languages_of(v);
    let t0 = original_of(v)
        .map(when)
        .or_else(|| v.members.iter().map(when).min())
        .unwrap_or(v.updated);
    let delays: Vec<i64> = v
        .members
        .iter()
        .map(|m| (when(m) - t0).num_seconds())
        .collect();
    let scale = Scale::new(&delays);
    #[allow(clippy::cast_precision_loss)] // a handful of languages
    let height = TOP + LANE * langs.len().max(1) as f64 + BOTTOM;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg class=\"tl\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" \
         width=\"{WIDTH}\" height=\"{height}\" role=\"img\" aria-labelledby=\"tl-title\">\
         <title id=\"tl-title\">When each of {} copies appeared after the original, by language</title>\
         <defs><marker id=\"fh-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" \
         markerHeight=\"7\" orient=\"auto-start-reverse\"><path class=\"arrowhead\" fill=\"#7c3aed\" \
         d=\"M0 0L10 5L0 10z\"/></marker></defs>",
        v.members.len()
    );
    draw_ticks(&mut s, &scale, height);
    for (i, l) in langs.iter().enumerate() {
        let y = lane_y(i);
        let _ = write!(
            s,
            "<line class=\"lane\" x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\"/>\
             <text class=\"lang\" x=\"8\" y=\"{:.1}\">{}</text>",
            WIDTH - RIGHT,
            y + 4.0,
            esc(l)
        );
    }
    if v.members.is_empty() {
        let _ = write!(
            s,
            "<text x=\"{LEFT}\" y=\"{:.1}\">no copies</text>",
            lane_y(0) + 4.0
        );
    }
    let pos = place(v, &langs, &scale, &delays);
    for (i, j) in Credits::of(v).edges(v) {
        draw_arrow(&mut s, v, pos[i], pos[j], i, j);
    }
    for (k, m) in v.members.iter().enumerate() {
        let (x, y) = pos[k];
        let r = if Some(m.id) == v.original { 7.5 } else { 5.5 };
        let _ = write!(
            s,
            "<a href=\"#m{}\"><circle class=\"dot {}\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r}\">\
             <title>{} · {} · {} · {}</title></circle></a>",
            m.id.0,
            m.relation.as_str(),
            esc(m.relation.as_str()),
            esc(&m.lang),
            esc(m.site.as_deref().unwrap_or(&m.feed)),
            esc(&format!("{}: {}", delay(delays[k]), m.title)),
        );
    }
    s.push_str("</svg>");
    s
}

fn lane_y(i: usize) -> f64 {
    #[allow(clippy::cast_precision_loss)] // a handful of languages
    let i = i as f64;
    TOP + LANE * i + LANE / 2.0
}

/// Grid lines and labels of the ticks that fall inside the scale.
fn draw_ticks(s: &mut String, scale: &Scale, height: f64) {
    let mut ticks: Vec<(i64, String)> = TICKS
        .iter()
        .flat_map(|&(t, l)| {
            let neg = (t != 0).then(|| (-t, format!("−{l}")));
            std::iter::once((t, l.to_string())).chain(neg)
        })
        .filter(|(t, _)| scale.contains(*t))
        .collect();
    ticks.sort_by_key(|t| t.0);
    let zero = scale.x(0);
    let mut last: Option<f64> = None;
    for (t, label) in ticks {
        let x = scale.x(t);
        let clear_of_zero = t == 0 || (x - zero).abs() >= TICK_GAP;
        if last.is_some_and(|l| x - l < TICK_GAP) || !clear_of_zero {
            continue;
        }
        last = Some(x);
        let _ = write!(
            s,
            "<line class=\"grid\" x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            TOP - 6.0,
            height - BOTTOM,
            TOP - 10.0,
            esc(&label)
        );
    }
}

/// Where each member's dot goes: its lane and time, nudged up or down when it would
/// cover another dot.
fn place(v: &StoryView, langs: &[String], scale: &Scale, delays: &[i64]) -> Vec<(f64, f64)> {
    let mut taken: Vec<Vec<(f64, usize)>> = vec![Vec::new(); langs.len().max(1)];
    let mut pos = Vec::with_capacity(v.members.len());
    for (k, m) in v.members.iter().enumerate() {
        let lane = langs.iter().position(|l| *l == m.lang).unwrap_or(0);
        let x = scale.x(delays[k]);
        let slot = (0..SLOTS.len())
            .find(|&s| {
                !taken[lane]
                    .iter()
                    .any(|&(px, ps)| ps == s && (px - x).abs() < CLOSE)
            })
            .unwrap_or(0);
        taken[lane].push((x, slot));
        pos.push((x, lane_y(lane) + SLOTS[slot]));
    }
    pos
}

/// A curved arrow from the crediting dot to the credited one, stopping at its edge.
fn draw_arrow(s: &mut String, v: &StoryView, from: (f64, f64), to: (f64, f64), i: usize, j: usize) {
    let (dx, dy) = (to.0 - from.0, to.1 - from.1);
    let len = dx.hypot(dy);
    if len < 1.0 {
        return;
    }
    let (ux, uy) = (dx / len, dy / len);
    let end_gap = if Some(v.members[j].id) == v.original {
        10.0
    } else {
        8.0
    };
    let (x1, y1) = (from.0 + ux * 6.0, from.1 + uy * 6.0);
    let (x2, y2) = (to.0 - ux * end_gap, to.1 - uy * end_gap);
    // Bend to the left of the direction of travel, so arrows within a lane arc above it.
    let bend = (len * 0.25).min(28.0);
    let (cx, cy) = ((x1 + x2) / 2.0 + uy * bend, (y1 + y2) / 2.0 - ux * bend);
    let name = |k: usize| {
        let m = &v.members[k];
        esc(m.site.as_deref().unwrap_or(&m.feed))
    };
    let _ = write!(
        s,
        "<path class=\"credit\" stroke=\"#7c3aed\" fill=\"none\" marker-end=\"url(#fh-arrow)\" \
         d=\"M{x1:.1} {y1:.1}Q{cx:.1} {cy:.1} {x2:.1} {y2:.1}\"><title>{} credits {}</title></path>",
        name(i),
        name(j)
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ArticleId, Relation, StoryId};

    fn member(id: i64, lang: &str, url: &str, after_min: i64, credits: &[&str]) -> MemberView {
        let t0 = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        MemberView {
            id: ArticleId(id),
            url: Some(url.into()),
            feed: "http://127.0.0.1:1/feed.xml".into(),
            lang: lang.into(),
            title: format!("<b>title {id}</b>"),
            relation: if id == 1 {
                Relation::Original
            } else if lang == "en" {
                Relation::Syndicated
            } else {
                Relation::Translation
            },
            published: Some(t0 + chrono::Duration::minutes(after_min)),
            first_seen: t0,
            reason: serde_json::Value::Null,
            site: Some(format!("site{id}.example")),
            credits: credits.iter().map(|c| (*c).to_string()).collect(),
        }
    }

    fn story() -> StoryView {
        StoryView {
            id: StoryId(3),
            original: Some(ArticleId(1)),
            evidence: vec![],
            members: vec![
                member(1, "en", "https://a.example/x", 0, &[]),
                member(2, "de", "https://b.example/y", 90, &["https://a.example/x"]),
                member(
                    3,
                    "en",
                    "https://c.example/z",
                    -120,
                    &["https://b.example/y"],
                ),
                member(
                    4,
                    "de",
                    "https://d.example/w",
                    3 * 24 * 60,
                    &["https://nowhere.example/"],
                ),
            ],
            updated: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
        }
    }

    #[test]
    fn draws_lanes_dots_and_credit_arrows() {
        let v = story();
        assert_eq!(Credits::of(&v).edges(&v), vec![(1, 0), (2, 1)]);
        let svg = svg(&v);
        assert!(svg.starts_with("<svg"));
        assert!(svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<circle").count(), 4);
        assert_eq!(svg.matches("class=\"credit\"").count(), 2);
        assert_eq!(svg.matches("class=\"lang\"").count(), 2);
        assert!(svg.contains("&lt;b&gt;title 2&lt;/b&gt;"));
        assert!(!svg.contains("<b>"));
        assert!(svg.contains(">−1h<") || svg.contains(">−10m<"), "{svg}");
        assert!(svg.contains(">1d<"));
    }

    #[test]
    fn later_copies_sit_further_right() {
        let s = Scale::new(&[-7200, 0, 60, 86_400]);
        assert!(s.x(-7200) < s.x(0));
        assert!(s.x(0) < s.x(60));
        assert!(s.x(60) < s.x(86_400));
        assert!((s.x(-7200) - LEFT).abs() < 1e-9);
        assert!((s.x(86_400) - (WIDTH - RIGHT)).abs() < 1e-9);
    }

    #[test]
    fn an_empty_story_still_draws() {
        let mut v = story();
        v.members.clear();
        v.original = None;
        let svg = svg(&v);
        assert!(svg.contains("no copies"));
    }
}
