//! The original of a story, with its evidence, strongest first:
//! 1. explicit credit: a member links to another member (its URL, or its site in a credit
//!    line), names it in a credit line, or carries RSS `<source>` / origLink;
//! 2. publication time, trusted with care (claims in the future of when firsthand saw the
//!    article are ignored; an item with no text of its own does not win by its clock);
//! 3. a per-site record of how often each site was the original or a copy;
//! 4. completeness (copies trim; the original is the fullest text).

use crate::Result;
use crate::domain::ArticleId;
use crate::normalize::url::site;
use crate::store::articles::Sig;
use chrono::DateTime;
use std::collections::HashMap;

/// Slack for clocks that run a little ahead (seconds).
const FUTURE_SLACK: i64 = 3600;
/// Slack between a feed being read and an entry appearing in it (caches, clocks).
const READ_SLACK: i64 = 600;

/// What origin needs to know beyond the story: history kept by the store.
pub trait Records {
    /// How often a site was the original and a copy in earlier stories.
    ///
    /// # Errors
    /// Storage failures.
    fn site_record(&mut self, site: &str) -> Result<(i64, i64)>;
    /// The last successful read of a feed before `t` (unix seconds).
    ///
    /// # Errors
    /// Storage failures.
    fn read_before(&mut self, feed: i64, t: i64) -> Result<Option<i64>>;
}

/// The original and why.
#[derive(Debug, Clone, Default)]
pub struct Decision {
    /// The original, or `None` when firsthand cannot tell.
    pub original: Option<ArticleId>,
    /// One line per piece of evidence.
    pub evidence: Vec<String>,
}

fn name(s: &Sig) -> String {
    s.site.clone().unwrap_or_else(|| s.feed_url.clone())
}

fn when(t: i64) -> String {
    DateTime::from_timestamp(t, 0).map_or_else(
        || t.to_string(),
        |d| d.format("%Y-%m-%d %H:%M UTC").to_string(),
    )
}

/// Letters and digits, lowercase.
fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// True when `short` is a subsequence of `long` (Ai Faner ⊇ ifanr).
fn subsequence(short: &str, long: &str) -> bool {
    let mut it = long.chars();
    short.chars().all(|c| it.any(|d| d == c))
}

/// A credit claim of a member, read once per decision.
struct Claim<'a> {
    /// As written: a URL or `name:…`.
    raw: &'a str,
    /// Where it came from: "credit line", "RSS source" or "link".
    from: &'static str,
    /// For `name:` credits, the name squashed (`None`: too short to tell).
    name: Option<String>,
    /// For a link to a site's front page, that site.
    front: Option<String>,
}

impl<'a> Claim<'a> {
    fn new(raw: &'a str, from: &'static str) -> Self {
        let (name, front) = match raw.strip_prefix("name:") {
            Some(n) => {
                let n = squash(n);
                ((n.chars().count() >= 3).then_some(n), None)
            }
            None => {
                // A link to the front page of a site credits that site (parsed only when
                // it can be one: members carry dozens of links each).
                let front = looks_like_front_page(raw)
                    .then(|| url::Url::parse(raw).ok())
                    .flatten()
                    .filter(|u| u.path() == "/" || u.path().is_empty())
                    .and_then(|_| site(raw));
                (None, front)
            }
        };
        Self {
            raw,
            from,
            name,
            front,
        }
    }
}

/// Whether a URL has no path beyond `/` (before its query), by its text.
fn looks_like_front_page(raw: &str) -> bool {
    let rest = raw.split_once("://").map_or(raw, |x| x.1);
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    rest.find('/').is_none_or(|i| &rest[i..] == "/")
}

/// What a credit is compared with in a member, read once per decision.
struct Target<'a> {
    sig: &'a Sig,
    /// The first label of its site, squashed.
    label: Option<String>,
    /// Its feed title, squashed.
    title: Option<String>,
}

impl<'a> Target<'a> {
    fn new(sig: &'a Sig) -> Self {
        Self {
            sig,
            label: sig
                .site
                .as_deref()
                .map(|s| squash(s.split('.').next().unwrap_or(s))),
            title: sig.feed_title.as_deref().map(squash),
        }
    }
}

/// Does the claim point at member `t`?
fn credits(c: &Claim<'_>, t: &Target<'_>) -> bool {
    if c.raw.starts_with("name:") {
        return names_target(c.name.as_deref(), t.label.as_deref(), t.title.as_deref());
    }
    let s = t.sig;
    if s.canonical_url.as_deref() == Some(c.raw) || s.url.as_deref() == Some(c.raw) {
        return true;
    }
    c.front.is_some() && c.front == s.site
}

/// A member's claims in the order they are taken: credit lines, RSS source, links.
fn claims_of(m: &Sig) -> Vec<Claim<'_>> {
    let mut claims: Vec<Claim<'_>> = m
        .credits
        .iter()
        .map(|c| Claim::new(c, "credit line"))
        .collect();
    if let Some(s) = &m.source_url {
        claims.push(Claim::new(s, "RSS source"));
    }
    claims.extend(m.links.iter().map(|l| Claim::new(l, "link")));
    claims
}

/// The URLs a member is named by: its canonical URL and its link.
fn urls_of(m: &Sig) -> Vec<&str> {
    let mut urls: Vec<&str> = m
        .canonical_url
        .iter()
        .chain(&m.url)
        .map(String::as_str)
        .collect();
    urls.dedup();
    urls
}

/// Who in `members` credits whom: (from, to, how), by `from` then `to`; `how` comes from
/// the first of `from`'s claims (credit lines, RSS source, links) that names `to`.
fn credit_edges(members: &[&Sig]) -> Vec<(usize, usize, String)> {
    // Names are compared with members' site labels and feed titles, squashed once per
    // call, and only when some member credits by name.
    let by_name = members
        .iter()
        .any(|m| m.credits.iter().any(|c| c.starts_with("name:")));
    let targets: Vec<Target<'_>> = if by_name {
        members.iter().map(|m| Target::new(m)).collect()
    } else {
        Vec::new()
    };
    // Link claims are looked up by URL and by site, not compared with every member: a
    // story's members carry dozens of links each.
    let mut by_url: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut by_site: HashMap<&str, Vec<usize>> = HashMap::new();
    for (j, m) in members.iter().enumerate() {
        for u in urls_of(m) {
            by_url.entry(u).or_default().push(j);
        }
        if let Some(site) = &m.site {
            by_site.entry(site.as_str()).or_default().push(j);
        }
    }
    let mut out = Vec::new();
    let mut first: Vec<Option<usize>> = vec![None; members.len()];
    // The members some claim of the current member names (their `first` is set).
    let mut named: Vec<usize> = Vec::new();
    for (i, m) in members.iter().enumerate() {
        let claims = claims_of(m);
        // The first claim that names each member.
        for j in named.drain(..) {
            first[j] = None;
        }
        for (k, c) in claims.iter().enumerate() {
            // Claims are taken in order: the first to name a member stays.
            let mut mark = |j: usize| {
                if first[j].is_none() {
                    first[j] = Some(k);
                    named.push(j);
                }
            };
            if c.raw.starts_with("name:") {
                for (j, t) in targets.iter().enumerate() {
                    if credits(c, t) {
                        mark(j);
                    }
                }
                continue;
            }
            for &j in by_url.get(c.raw).into_iter().flatten() {
                mark(j);
            }
            if let Some(front) = &c.front {
                for &j in by_site.get(front.as_str()).into_iter().flatten() {
                    mark(j);
                }
            }
        }
        named.sort_unstable();
        for &j in &named {
            let to = members[j];
            if i == j || to.site.is_some() && to.site == m.site {
                continue;
            }
            if let Some(c) = first[j].map(|k| &claims[k]) {
                let how = if c.raw.starts_with("name:") {
                    "names it in a credit line"
                } else if c.from == "link" {
                    "links to it"
                } else if c.from == "RSS source" {
                    "gives it as RSS <source>"
                } else {
                    "credits it in a credit line"
                };
                out.push((i, j, how.to_string()));
            }
        }
    }
    out
}

/// Who in `members` credits whom, as (from, to) positions: the credit links
/// [`decide`] follows.
#[must_use]
pub fn credit_links(members: &[&Sig]) -> Vec<(usize, usize)> {
    credit_edges(members)
        .into_iter()
        .map(|(from, to, _)| (from, to))
        .collect()
}

/// The credit links among a growing set of members, kept as members are added, so that a
/// large story's contenders are found without reading every member's claims again each
/// time it gains a few. Whether one member credits another depends on those two alone,
/// so the links among a set stay when members are added: adding a member only adds the
/// links from and to it. Equals [`credit_links`] over the same members.
#[derive(Debug, Default)]
pub struct CreditGraph {
    /// Members added, each with its site and what names it.
    members: crate::cluster::intmap::IntMap<ArticleId, Named>,
    /// Members by their URL and canonical URL.
    by_url: HashMap<String, Vec<ArticleId>>,
    /// Members by site.
    by_site: HashMap<String, Vec<ArticleId>>,
    /// Members by the URLs their claims name.
    claims_url: HashMap<String, Vec<ArticleId>>,
    /// Members by the sites whose front pages their claims name.
    claims_front: HashMap<String, Vec<ArticleId>>,
    /// `name:` claims (squashed), by member.
    names: Vec<(ArticleId, String)>,
    /// (from, to), each once.
    links: std::collections::BTreeSet<(ArticleId, ArticleId)>,
}

/// A member's site, and its site label and feed title squashed (what `name:` claims are
/// compared with).
#[derive(Debug)]
struct Named {
    site: Option<String>,
    label: Option<String>,
    title: Option<String>,
}

impl CreditGraph {
    /// Whether `id` was added.
    #[must_use]
    pub fn holds(&self, id: ArticleId) -> bool {
        self.members.contains_key(&id)
    }

    /// Members added.
    #[must_use]
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// No member added.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The links, as (from, to) ids.
    pub fn links(&self) -> impl Iterator<Item = (ArticleId, ArticleId)> + '_ {
        self.links.iter().copied()
    }

    /// Adds a member (once; adding it again changes nothing).
    pub fn add(&mut self, m: &Sig) {
        if self.holds(m.id) {
            return;
        }
        let target = Target::new(m);
        let (label, title) = (target.label.clone(), target.title.clone());
        let urls = urls_of(m);
        self.members.insert(
            m.id,
            Named {
                site: m.site.clone(),
                label,
                title,
            },
        );
        for u in &urls {
            self.by_url.entry((*u).to_string()).or_default().push(m.id);
        }
        if let Some(site) = &m.site {
            self.by_site.entry(site.clone()).or_default().push(m.id);
        }
        // Its claims, against every member (itself included, as credit_edges does).
        let claims = claims_of(m);
        let mut named: Vec<ArticleId> = Vec::new();
        for c in &claims {
            if c.raw.starts_with("name:") {
                if let Some(n) = &c.name {
                    self.names.push((m.id, n.clone()));
                }
                for (&j, t) in &self.members {
                    if names_target(c.name.as_deref(), t.label.as_deref(), t.title.as_deref()) {
                        named.push(j);
                    }
                }
                continue;
            }
            self.claims_url
                .entry(c.raw.to_string())
                .or_default()
                .push(m.id);
            named.extend(self.by_url.get(c.raw).into_iter().flatten().copied());
            if let Some(front) = &c.front {
                self.claims_front
                    .entry(front.clone())
                    .or_default()
                    .push(m.id);
                named.extend(
                    self.by_site
                        .get(front.as_str())
                        .into_iter()
                        .flatten()
                        .copied(),
                );
            }
        }
        for j in named {
            self.link(m.id, j);
        }
        // The others' claims that name it.
        let mut naming: Vec<ArticleId> = Vec::new();
        for u in &urls {
            naming.extend(self.claims_url.get(*u).into_iter().flatten().copied());
        }
        if let Some(site) = &m.site {
            naming.extend(
                self.claims_front
                    .get(site.as_str())
                    .into_iter()
                    .flatten()
                    .copied(),
            );
        }
        for (i, n) in &self.names {
            if names_target(Some(n), target.label.as_deref(), target.title.as_deref()) {
                naming.push(*i);
            }
        }
        for i in naming {
            self.link(i, m.id);
        }
    }

    /// Records `from` crediting `to`, unless they are one member or share a site.
    fn link(&mut self, from: ArticleId, to: ArticleId) {
        if from == to {
            return;
        }
        let site = |id: ArticleId| self.members.get(&id).and_then(|m| m.site.as_deref());
        if site(to).is_some() && site(to) == site(from) {
            return;
        }
        self.links.insert((from, to));
    }
}

/// Does a `name:` claim (squashed; `None` when too short to tell) point at a member with
/// this site label and feed title (squashed)?
fn names_target(name: Option<&str>, label: Option<&str>, title: Option<&str>) -> bool {
    let Some(n) = name else {
        return false;
    };
    label.is_some_and(|l| l.chars().count() >= 4 && (subsequence(l, n) || subsequence(n, l)))
        || title.is_some_and(|ti| !ti.is_empty() && (ti.contains(n) || n.contains(ti)))
}

/// Largest error of a publication clock that the direction of translation may overrule
/// (a site's clock off by its time zone): beyond it, the earlier claim stands.
pub const CLOCK_ERROR: i64 = 12 * 3600;

fn minutes(secs: i64) -> String {
    if secs >= 3600 {
        format!("{} h {} min", secs / 3600, secs % 3600 / 60)
    } else {
        format!("{} min", secs / 60)
    }
}

/// Decides the original of a story: explicit credit first, then the earliest plausible
/// publication time (overruled only by the direction of translation within a clock's
/// error, or by a long site record), then without times the text the others were
/// translated from, the site record and the fullest text. `pairs` are the matches among
/// members (indexes into `members`) with their scores.
///
/// # Errors
/// Database failures (the per-site record).
pub fn decide(
    members: &[&Sig],
    pairs: &[(usize, usize, f64)],
    records: &mut dyn Records,
) -> Result<Decision> {
    if members.len() == 1 {
        return Ok(Decision {
            original: Some(members[0].id),
            evidence: vec!["the only article of this story".into()],
        });
    }
    let hub = Hub::new(members, pairs);
    if let Some(d) = by_credit(members, &hub) {
        return Ok(d);
    }
    let mut facts = Facts::gather(members, hub, records)?;
    if let Some(d) = facts.by_time() {
        return Ok(d);
    }
    Ok(facts.without_times())
}

/// Fewest earlier stories for a site's record to count.
const RECORD_MIN: i64 = 3;
/// A site whose record gives it at most this share of originals is "usually a copy".
const USUALLY_COPY: f64 = 0.25;
/// A site whose record gives it at least this share of originals is "usually the original".
const USUALLY_ORIGINAL: f64 = 0.75;
/// The share of originals a site is given when its record is too short to count.
const NO_RECORD: f64 = 0.5;

/// What the strategies after credit decide on: each member's plausible publication time,
/// its site's record, the translation hub, and the evidence gathered so far.
struct Facts<'a> {
    members: &'a [&'a Sig],
    hub: Hub,
    /// Plausible claimed time per member.
    plausible: Vec<Option<i64>>,
    /// (original, copy) counts of each member's site.
    records: Vec<(i64, i64)>,
    /// Members with a plausible time, earliest first (ties by key).
    dated: Vec<(i64, usize)>,
    evidence: Vec<String>,
}

impl<'a> Facts<'a> {
    /// A claimed time is impossible when it lies in the future of when the article was
    /// first seen, or when its feed was read after that time without it.
    fn gather(members: &'a [&'a Sig], hub: Hub, records: &mut dyn Records) -> Result<Self> {
        let mut evidence = Vec::new();
        let mut plausible = Vec::with_capacity(members.len());
        let mut future = Vec::new();
        let mut site_records = Vec::with_capacity(members.len());
        for m in members {
            let read = match m.published {
                Some(p) if p + READ_SLACK < m.first_seen => {
                    records.read_before(m.feed_id.0, m.first_seen)?
                }
                _ => None,
            };
            let contradicted = read.filter(|&q| m.published.is_some_and(|p| q > p + READ_SLACK));
            if let (Some(q), Some(p)) = (contradicted, m.published) {
                evidence.push(format!(
                    "{} claims {}, but its feed was read at {} without it: its clock is wrong",
                    name(m),
                    when(p),
                    when(q)
                ));
            }
            let ok = m
                .published
                .filter(|&p| p <= m.first_seen + FUTURE_SLACK)
                .filter(|_| contradicted.is_none());
            if m.published.is_some() && ok.is_none() {
                future.push(name(m));
            }
            plausible.push(ok);
            site_records.push(match &m.site {
                Some(s) => records.site_record(s)?,
                None => (0, 0),
            });
        }
        if !future.is_empty() {
            evidence.push(format!(
                "ignored publication times in the future of when they were seen: {}",
                future.join(", ")
            ));
        }
        let mut dated: Vec<(i64, usize)> = plausible
            .iter()
            .enumerate()
            .filter_map(|(k, p)| p.map(|p| (p, k)))
            .collect();
        dated.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then(members[a.1].ukey.cmp(&members[b.1].ukey))
        });
        // An item with no text of its own (a title and a subscribe line, a link post)
        // reposts an article: its clock does not make it the original of a story that
        // holds the text.
        if members.iter().any(|m| !m.fp.thin()) {
            if let Some(&(_, k)) = dated.first().filter(|&&(_, k)| members[k].fp.thin()) {
                evidence.push(format!(
                    "{} claims the earliest time but has no text of its own (a title and boilerplate): not taken as the original",
                    name(members[k])
                ));
            }
            dated.retain(|&(_, k)| !members[k].fp.thin());
        }
        Ok(Self {
            members,
            hub,
            plausible,
            records: site_records,
            dated,
            evidence,
        })
    }

    /// The share of originals in a member's site record (smoothed), and its length.
    fn ratio(&self, k: usize) -> (f64, i64) {
        let (o, c) = self.records[k];
        #[allow(clippy::cast_precision_loss)]
        let r = (o as f64 + 1.0) / ((o + c) as f64 + 2.0);
        (r, o + c)
    }

    fn decision(&mut self, k: usize) -> Decision {
        Decision {
            original: Some(self.members[k].id),
            evidence: std::mem::take(&mut self.evidence),
        }
    }

    /// The earliest plausible time, unless the direction of translation (within a clock's
    /// error) or a long site record says that clock is wrong.
    fn by_time(&mut self) -> Option<Decision> {
        let members = self.members;
        let &(t0, k0) = self.dated.first()?;
        // A translation is never the original of its source: when the earliest claim is
        // in another language than the text all the others were translated from, and
        // that text's own claim is within a clock's error of it, the earliest clock is
        // wrong, not the direction (clocks are off by whole hours, rarely more).
        if let Some(h) = self
            .hub
            .clear
            .filter(|&h| members[k0].lang != members[h].lang)
        {
            let same_lang = self
                .dated
                .iter()
                .find(|&&(_, k)| members[k].lang == members[h].lang)
                .copied();
            if let Some((t, pick)) = same_lang.filter(|&(t, _)| t - t0 <= CLOCK_ERROR) {
                self.evidence.insert(
                    0,
                    format!(
                        "{} [{}] claims the earliest time ({}), but it is a translation: every other language matches the {} text of {} best, published {} later",
                        name(members[k0]),
                        members[k0].lang,
                        when(t0),
                        members[h].lang,
                        name(members[h]),
                        minutes(t - t0),
                    ),
                );
                self.evidence
                    .push(format!("{} published {}", name(members[pick]), when(t)));
                return Some(self.decision(pick));
            }
        }
        // A site that is almost always a copy does not become the original by its clock
        // alone when a site that is usually the original is in the story.
        let (r0, n0) = self.ratio(k0);
        if n0 >= RECORD_MIN && r0 < USUALLY_COPY {
            let alt = self.dated.iter().copied().find(|&(_, k)| {
                let (r, n) = self.ratio(k);
                n >= RECORD_MIN && r > USUALLY_ORIGINAL
            });
            if let Some((t, k)) = alt {
                let line = format!(
                    "{} is usually the original ({} of {} stories), {} usually a copy; {}'s earlier time ({}) is not trusted",
                    name(members[k]),
                    self.records[k].0,
                    self.records[k].0 + self.records[k].1,
                    name(members[k0]),
                    name(members[k0]),
                    when(t0)
                );
                self.evidence.insert(0, line);
                self.evidence.push(format!("published {}", when(t)));
                return Some(self.decision(k));
            }
        }
        let mut line = format!(
            "earliest publication time: {} at {}",
            name(members[k0]),
            when(t0)
        );
        if let Some(n) = self.dated.get(1).map(|d| d.0) {
            line.push_str(&format!(", {} min before the next copy", (n - t0) / 60));
        }
        self.evidence.insert(0, line);
        let undated = self.plausible.iter().filter(|p| p.is_none()).count();
        if undated > 0 {
            self.evidence.push(format!(
                "{undated} member(s) give no usable publication time"
            ));
        }
        Some(self.decision(k0))
    }

    /// No usable times: the text all translations were made from (when one clearly
    /// leads), then the site record, then the fullest text, then first seen.
    fn without_times(&mut self) -> Decision {
        let members = self.members;
        let lead = |k: usize| self.hub.clear == Some(k);
        let record = |k: usize| {
            let (r, n) = self.ratio(k);
            if n >= RECORD_MIN { r } else { NO_RECORD }
        };
        let best = (0..members.len()).max_by(|&a, &b| {
            lead(a)
                .cmp(&lead(b))
                .then(record(a).total_cmp(&record(b)))
                .then(self.hub.score[a].total_cmp(&self.hub.score[b]))
                .then(members[a].fp.chars.cmp(&members[b].fp.chars))
                .then(members[b].first_seen.cmp(&members[a].first_seen))
                .then(members[b].ukey.cmp(&members[a].ukey))
        });
        let Some(b) = best else {
            return Decision::default();
        };
        let (r, n) = self.ratio(b);
        self.evidence
            .insert(0, "no member gives a usable publication time".into());
        if n >= RECORD_MIN && r > NO_RECORD {
            self.evidence.push(format!(
                "{} was the original in {} of {} earlier stories",
                name(members[b]),
                self.records[b].0,
                n
            ));
        }
        if self.hub.clear == Some(b) {
            self.evidence.push(format!(
                "the other languages were translated from its {} text: they match it best",
                members[b].lang
            ));
        }
        let longest = members.iter().map(|m| m.fp.chars).max().unwrap_or(1).max(1);
        self.evidence.push(format!(
            "fullest text: {} characters ({}% of the longest)",
            members[b].fp.chars,
            u64::from(members[b].fp.chars) * 100 / u64::from(longest)
        ));
        self.decision(b)
    }
}

/// Weight of a match within one language in the hub score: versions in one language say
/// little about the direction of translation.
const SAME_LANGUAGE_WEIGHT: f64 = 0.1;
/// How far the hub must lead the best member of another language to be clear.
const HUB_LEAD: f64 = 1.2;
/// Fewest members for a clear hub.
const HUB_MIN_MEMBERS: usize = 3;

/// How well each member matches the other languages: every translation was made from
/// the original, so the original matches the other languages best, while versions in one
/// language match each other well and say little about direction.
struct Hub {
    score: Vec<f64>,
    /// The member that clearly leads (by 20% over the best member of another language),
    /// in a story with two or more languages and three or more members.
    clear: Option<usize>,
}

impl Hub {
    fn new(members: &[&Sig], pairs: &[(usize, usize, f64)]) -> Self {
        let mut score = vec![0.0f64; members.len()];
        for &(i, j, s) in pairs {
            if i < members.len() && j < members.len() {
                let w = if members[i].lang == members[j].lang {
                    SAME_LANGUAGE_WEIGHT
                } else {
                    1.0
                };
                score[i] += w * s;
                score[j] += w * s;
            }
        }
        let best = (0..members.len()).max_by(|&a, &b| {
            score[a]
                .total_cmp(&score[b])
                .then(members[a].fp.chars.cmp(&members[b].fp.chars))
                .then(members[b].ukey.cmp(&members[a].ukey))
        });
        let langs: std::collections::BTreeSet<&str> =
            members.iter().map(|m| m.lang.as_str()).collect();
        let clear = best.filter(|&b| {
            let rival = (0..members.len())
                .filter(|&k| members[k].lang != members[b].lang)
                .map(|k| score[k])
                .fold(0.0f64, f64::max);
            members.len() >= HUB_MIN_MEMBERS && langs.len() >= 2 && score[b] > HUB_LEAD * rival
        });
        Self { score, clear }
    }
}

/// The original by explicit credit, when credits lead somewhere believable.
fn by_credit(members: &[&Sig], hub: &Hub) -> Option<Decision> {
    let edges = credit_edges(members);
    if edges.is_empty() {
        return None;
    }
    // Follow each credit to a member that credits nobody in the story.
    let mut votes = vec![0usize; members.len()];
    let mut lines = Vec::new();
    for &(from, to, ref how) in &edges {
        let mut cur = to;
        let mut chain = vec![from, to];
        for _ in 0..members.len() {
            match edges.iter().find(|e| e.0 == cur && !chain.contains(&e.1)) {
                Some(e) => {
                    cur = e.1;
                    chain.push(cur);
                }
                None => break,
            }
        }
        votes[cur] += 1;
        let path: Vec<String> = chain.iter().map(|&k| name(members[k])).collect();
        lines.push(format!(
            "{} {how}: {}",
            name(members[from]),
            path.join(" → ")
        ));
    }
    lines.sort();
    lines.dedup();
    let mut roots: Vec<usize> = (0..members.len()).filter(|&k| votes[k] > 0).collect();
    roots.sort_by(|&a, &b| {
        votes[b]
            .cmp(&votes[a])
            .then(
                members[a]
                    .published
                    .unwrap_or(i64::MAX)
                    .cmp(&members[b].published.unwrap_or(i64::MAX)),
            )
            .then(members[a].ukey.cmp(&members[b].ukey))
    });
    // Credits come first: a credited article is the original its copies say it is,
    // unless the credit ends at a translation published after the text every other
    // language was translated from (a copy crediting a copy that credits nobody).
    let b = *roots.first()?;
    let earlier_source = hub
        .clear
        .filter(|&h| members[h].lang != members[b].lang)
        .and_then(|h| {
            members
                .iter()
                .enumerate()
                .filter(|(_, m)| m.lang == members[h].lang)
                .filter_map(|(k, m)| m.published.map(|p| (p, m.ukey, k)))
                .min()
        })
        .filter(|&(p, _, _)| members[b].published.is_none_or(|q| p < q));
    if let Some((p, _, k)) = earlier_source {
        let ev = vec![
            format!(
                "credits lead to {} [{}], a translation published after {} [{}] ({}), whose text every other language matches best",
                name(members[b]),
                members[b].lang,
                name(members[k]),
                members[k].lang,
                when(p)
            ),
            format!(
                "{} is credited, but not taken as the original",
                name(members[b])
            ),
        ];
        return Some(Decision {
            original: Some(members[k].id),
            evidence: ev,
        });
    }
    let mut ev = vec![format!("credited by {} other article(s)", votes[b])];
    ev.extend(lines.into_iter().take(6));
    Some(Decision {
        original: Some(members[b].id),
        evidence: ev,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: i64, site: &str, path: &str, credits: &[&str], links: &[&str]) -> Sig {
        let title = format!("story {id}");
        Sig {
            id: ArticleId(id),
            ukey: id,
            feed_id: crate::domain::FeedId(id),
            feed_url: format!("https://{site}/feed"),
            feed_title: Some(format!("{site} news")),
            site: Some(site.to_string()),
            url: Some(format!("https://{site}{path}")),
            canonical_url: (id % 3 == 0).then(|| format!("https://{site}{path}?c")),
            read_title: crate::fingerprint::title::Title::new(&title),
            title,
            lang: "en".into(),
            published: None,
            first_seen: id,
            links: links.iter().map(ToString::to_string).collect(),
            credits: credits.iter().map(ToString::to_string).collect(),
            source_url: (id % 4 == 1).then(|| "https://wire.example/1".to_string()),
            fp: crate::fingerprint::compute("t", &[], "en"),
            keys: Vec::new(),
            readings: 0,
            embedding: None,
        }
    }

    #[test]
    fn credit_links_kept_as_members_are_added_equal_those_read_from_all_members() {
        let sites = [
            "ifanr.com",
            "wire.example",
            "copy.example",
            "aifaner.example",
            "news.example",
        ];
        let mut members = Vec::new();
        for id in 1..=60_i64 {
            let site = sites[usize::try_from(id).unwrap_or(0) % sites.len()];
            let n = (id * 7) % 60 + 1;
            let m = (id * 13) % 60 + 1;
            let to = |k: i64| {
                let s = sites[usize::try_from(k).unwrap_or(0) % sites.len()];
                format!("https://{s}/a/{k}")
            };
            let to_canonical = format!("{}?c", to(n));
            let link_n = to(n);
            let link_m = to(m);
            let mut credits: Vec<&str> = Vec::new();
            let mut links: Vec<&str> = vec![&link_n];
            match id % 5 {
                0 => credits.push("name:Ai Faner"),
                1 => credits.push("https://ifanr.com/"),
                2 => links.push(&link_m),
                3 => credits.push(&to_canonical),
                _ => credits.push("name:xy"),
            }
            members.push(member(id, site, &format!("/a/{id}"), &credits, &links));
        }
        let whole = |ms: &[Sig]| -> Vec<(ArticleId, ArticleId)> {
            let refs: Vec<&Sig> = ms.iter().collect();
            let mut l: Vec<_> = credit_links(&refs)
                .into_iter()
                .map(|(a, b)| (refs[a].id, refs[b].id))
                .collect();
            l.sort_unstable();
            l
        };
        // Added a few at a time, out of id order, the links equal those of all members.
        let mut graph = CreditGraph::default();
        let mut added: Vec<Sig> = Vec::new();
        let order: Vec<usize> = (0..members.len())
            .map(|k| (k * 37) % members.len())
            .collect();
        for chunk in order.chunks(7) {
            for &k in chunk {
                graph.add(&members[k]);
                added.push(members[k].clone());
            }
            let kept: Vec<_> = graph.links().collect();
            assert_eq!(kept, whole(&added), "after {} members", added.len());
        }
        assert!(whole(&added).len() > 60, "the case has links of every kind");
    }

    #[test]
    fn names_match_sites_loosely() {
        assert!(subsequence("ifanr", "aifaner"));
        assert!(!subsequence("verge", "aifaner"));
    }

    #[test]
    fn front_pages_are_told_by_their_text() {
        for front in [
            "https://ifanr.com",
            "https://ifanr.com/",
            "https://ifanr.com/?utm=x",
            "http://a.example#top",
        ] {
            assert!(looks_like_front_page(front), "{front}");
        }
        for page in [
            "https://ifanr.com/1234",
            "https://ifanr.com/a/",
            "https://ifanr.com/a?b=/",
        ] {
            assert!(!looks_like_front_page(page), "{page}");
        }
    }
}
