//! Deciding a story: its original (through `origin`), each member's relation to it, and
//! why each member is there, written once per story per transaction.

use super::Matcher;
use super::intmap::{IntMap, IntSet};
use super::pairs::Matrix;
use super::score::{self, Match};
use crate::Result;
use crate::domain::{ArticleId, Relation, StoryId};
use crate::origin;
use crate::store::db::Tx;
use crate::store::{Store, articles::Sig};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// The store's history as origin asks for it, cached for the run.
struct History<'a, 't> {
    tx: &'a Tx<'t>,
    sites: &'a mut HashMap<String, (i64, i64)>,
    reads: &'a mut IntMap<(i64, i64), Option<i64>>,
}

impl Matcher {
    /// The decisions of every pair of `sigs`, by position. Each member's row of known
    /// decisions is walked beside the others in id order; only unknown pairs are decided.
    pub(super) fn matrix(&mut self, sigs: &[Arc<Sig>]) -> Matrix {
        let n = sigs.len();
        let mut matrix = Matrix::new(n);
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&i| sigs[i].id);
        let mut unknown: Vec<(usize, usize)> = Vec::new();
        for (x, &i) in order.iter().enumerate() {
            let row = self.pairs.row(sigs[i].id);
            let mut at = 0;
            for &j in &order[x + 1..] {
                let id = sigs[j].id;
                while at < row.len() && row[at].0 < id {
                    at += 1;
                }
                match row.get(at) {
                    Some((b, d)) if *b == id => matrix.set(i, j, d.clone()),
                    _ => unknown.push((i, j)),
                }
            }
        }
        for (i, j) in unknown {
            let d = self.decide_pair(&sigs[i], &sigs[j]);
            matrix.set(i, j, d);
        }
        matrix
    }

    /// Decides the original of `stories` again and writes their members' relations and
    /// reasons (after a repair or a feed removal changed their members without placing
    /// anything).
    ///
    /// # Errors
    /// Database failures.
    pub fn decide_again(&mut self, tx: &Tx<'_>, stories: &[StoryId], now: i64) -> Result<()> {
        for &story in stories {
            // A removed member may be what the others matched best: every reason (and
            // relation) again, and a large story's contenders chosen again among all its
            // members.
            self.fresh.extend(Store::story_members(tx, story)?);
            self.undecided.insert(story);
        }
        self.finish(tx, now)
    }

    /// Decides the original of every story changed since the last call and writes each
    /// member's relation and reason. [`Matcher::place`] leaves that to this, once per story
    /// per transaction instead of once per article placed: call it before committing.
    ///
    /// A story of at most [`PANEL`] members is decided on all of them. A larger one is
    /// decided among its contenders (see [`panel`]), chosen from all its members up to
    /// [`ALL_READ`] of them; past that, from those kept at its last decision (a flag on
    /// their membership) and the members come since, and only those are read. Only the
    /// members placed since get their reason written; the others' relations are set again
    /// (in the database) only when the original changed or another story's members came
    /// in. So the work per article placed does not grow with its story past a bound.
    ///
    /// # Errors
    /// Database failures.
    pub fn finish(&mut self, tx: &Tx<'_>, now: i64) -> Result<()> {
        let merged = std::mem::take(&mut self.merged);
        let fresh = std::mem::take(&mut self.fresh);
        let mut joined = self.by_story(tx, fresh)?;
        let arrived = std::mem::take(&mut self.arrived);
        let mut arrived = self.by_story(tx, arrived)?;
        for story in std::mem::take(&mut self.undecided) {
            let size = Store::story_size_upto(tx, story, ALL_READ + 1)?;
            if size <= PANEL {
                let ids = Store::story_members(tx, story)?;
                self.decide_whole(tx, story, &ids, now)?;
                Store::clear_contenders(tx, story)?;
            } else {
                let mut joined = joined.remove(&story).unwrap_or_default();
                joined.sort_unstable();
                let arrived = arrived.remove(&story).unwrap_or_default();
                let merged = merged.contains(&story);
                let among = if size <= ALL_READ {
                    Among::All
                } else {
                    Among::Kept
                };
                let came = Came {
                    joined: &joined,
                    arrived: &arrived,
                    merged,
                };
                self.decide_by_panel(tx, story, among, &came, now)?;
            }
        }
        Ok(())
    }

    /// `ids` by the story each is in now (those in none left out).
    fn by_story(
        &mut self,
        tx: &Tx<'_>,
        ids: IntSet<ArticleId>,
    ) -> Result<IntMap<StoryId, Vec<ArticleId>>> {
        let mut out: IntMap<StoryId, Vec<ArticleId>> = IntMap::default();
        for id in ids {
            if let Some(story) = self.story_of(tx, id)? {
                out.entry(story).or_default().push(id);
            }
        }
        Ok(out)
    }

    /// Decides a story on all its members: every pair compared, every reason written.
    fn decide_whole(
        &mut self,
        tx: &Tx<'_>,
        story: StoryId,
        ids: &[ArticleId],
        now: i64,
    ) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let sigs = self.weighed_sigs(tx, ids)?;
        let refs: Vec<&Sig> = sigs.iter().map(AsRef::as_ref).collect();
        let (matrix, decision) = self.decide_among(tx, &sigs)?;
        let all: Vec<usize> = (0..sigs.len()).collect();
        let original = decision
            .original
            .and_then(|o| refs.iter().copied().find(|x| x.id == o));
        for (i, s) in refs.iter().enumerate() {
            let relation = relation(s, original);
            let best = best_match(i, &all, &refs, &matrix);
            let row = (story, relation, best.map(|(j, _)| refs[j].id));
            if self.written.get(&s.id) != Some(&row) {
                let reason = self.reason(s, best, &refs);
                Store::set_member(tx, s.id, story, relation, &reason)?;
                self.written.insert(s.id, row);
            }
        }
        Store::set_original(tx, story, decision.original, &decision.evidence, now)?;
        Ok(())
    }

    /// The pair matrix of `sigs` and the original origin names among them.
    fn decide_among(
        &mut self,
        tx: &Tx<'_>,
        sigs: &[Arc<Sig>],
    ) -> Result<(Matrix, origin::Decision)> {
        let matrix = self.matrix(sigs);
        let refs: Vec<&Sig> = sigs.iter().map(AsRef::as_ref).collect();
        let all: Vec<usize> = (0..sigs.len()).collect();
        let decision = origin::decide(
            &refs,
            &matrix_for(&all, &matrix),
            &mut History {
                tx,
                sites: &mut self.sites,
                reads: &mut self.reads,
            },
        )?;
        Ok((matrix, decision))
    }

    /// Decides a large story among its contenders, chosen from all its members
    /// ([`Among::All`], or when none is flagged yet) or from those flagged at its last
    /// decision, `arrived` (moved in from a story without contenders) and `joined`, the
    /// members placed since, which get their reason from their best match among the
    /// chosen. With [`Among::Kept`] the chosen and those next in line are flagged for the
    /// next decision. The other members keep their reason; their relations are set again
    /// when the original changed or when `merged` (members of another story came in with
    /// relations to its original).
    fn decide_by_panel(
        &mut self,
        tx: &Tx<'_>,
        story: StoryId,
        among: Among,
        came: &Came<'_>,
        now: i64,
    ) -> Result<()> {
        let Came {
            joined,
            arrived,
            merged,
        } = *came;
        // The recorded original counts only while it is a member.
        let current = match Store::story_original(tx, story)? {
            Some(o) if self.story_of(tx, o)? == Some(story) => Some(o),
            _ => None,
        };
        let flagged = Store::contenders(tx, story)?;
        let mut ids: Vec<ArticleId> = if among == Among::All || flagged.is_empty() {
            Store::story_members(tx, story)?
        } else {
            let mut ids = flagged.clone();
            ids.extend_from_slice(joined);
            ids.extend_from_slice(arrived);
            ids.extend(current);
            ids
        };
        ids.sort_unstable();
        ids.dedup();
        let sigs = self.weighed_sigs(tx, &ids)?;
        // Credit links among the members read (at most ALL_READ, or the kept ones and the
        // newcomers), built per decision; past ALL_READ the panel's creditors of each
        // credited contender are kept, so what was credited stays in view.
        let mut graph = origin::CreditGraph::default();
        for s in &sigs {
            graph.add(s);
        }
        let kept = panel(&sigs, current, &graph);
        let mut chosen: Vec<Arc<Sig>> = kept
            .iter()
            .take(PANEL)
            .map(|&k| Arc::clone(&sigs[k]))
            .collect();
        chosen.sort_by_key(|s| s.id);
        let refs: Vec<&Sig> = chosen.iter().map(AsRef::as_ref).collect();
        let (_, decision) = self.decide_among(tx, &chosen)?;
        let original = decision
            .original
            .and_then(|o| chosen.iter().find(|x| x.id == o))
            .map(Arc::clone);
        for s in sigs.iter().filter(|s| joined.binary_search(&s.id).is_ok()) {
            let relation = relation(s, original.as_deref());
            let best = self.best_in(s, &chosen);
            let reason = self.reason(s, best.as_ref().map(|(j, m)| (*j, m.as_ref())), &refs);
            Store::set_member(tx, s.id, story, relation, &reason)?;
            self.written
                .insert(s.id, (story, relation, best.map(|(j, _)| refs[j].id)));
        }
        Store::set_original(tx, story, decision.original, &decision.evidence, now)?;
        if merged || decision.original != current {
            for id in Store::relate_members(tx, story)? {
                self.written.remove(&id);
            }
        }
        // Contenders are kept only where the next decision will read them.
        let keep: IntSet<ArticleId> = match among {
            Among::All => IntSet::default(),
            Among::Kept => kept.iter().map(|&k| sigs[k].id).collect(),
        };
        for &id in &flagged {
            if !keep.contains(&id) {
                Store::set_contender(tx, id, false)?;
            }
        }
        for &id in &keep {
            if flagged.binary_search(&id).is_err() {
                Store::set_contender(tx, id, true)?;
            }
        }
        Ok(())
    }

    /// Why `s` is in its story: its best match, with the shared anchors the run's cache
    /// leaves out computed again (the decision is the same: the weights do not change
    /// during a run).
    fn reason(&self, s: &Sig, best: Option<(usize, &Match)>, sigs: &[&Sig]) -> String {
        let Some((j, cached)) = best else {
            return reason_json(None, sigs);
        };
        if !cached.shared.is_empty() {
            // Decided just now, not read from the cache: already whole.
            return reason_json(best, sigs);
        }
        let (x, y) = super::by_id(s, sigs[j]);
        match score::pair(x, y, &self.weights) {
            Some(full) => reason_json(Some((j, &full)), sigs),
            None => reason_json(Some((j, cached)), sigs),
        }
    }

    /// `s`'s strongest match among `others` (ties by article key), by position.
    fn best_in(&mut self, s: &Sig, others: &[Arc<Sig>]) -> Option<(usize, Arc<Match>)> {
        let mut best: Option<(usize, Arc<Match>)> = None;
        for (j, o) in others.iter().enumerate() {
            if o.id == s.id {
                continue;
            }
            let Some(m) = self.decide_pair(s, o) else {
                continue;
            };
            let better = best.as_ref().is_none_or(|(k, b)| {
                m.score
                    .total_cmp(&b.score)
                    .then(others[*k].ukey.cmp(&o.ukey))
                    .is_gt()
            });
            if better {
                best = Some((j, m));
            }
        }
        best
    }
}

/// Members of a story decided on all of them; a larger story is decided among at most
/// this many contenders.
pub const PANEL: usize = 32;
/// Members of a story its contenders are chosen from all of (read from the run's cache,
/// a bounded cost); a larger story's are chosen among those kept at its last decision
/// and the members come since.
pub const ALL_READ: usize = 512;

/// What changed in a story since its last decision.
#[derive(Debug, Clone, Copy)]
struct Came<'a> {
    /// Members placed since (their reasons are written), by id.
    joined: &'a [ArticleId],
    /// Members moved in from a story without contenders.
    arrived: &'a [ArticleId],
    /// Whether another story's members came in (every relation is set again).
    merged: bool,
}

/// Which members a large story's contenders are chosen from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Among {
    /// All of them (at most [`ALL_READ`]).
    All,
    /// Those kept at the last decision and the members come since.
    Kept,
}
/// Contenders kept between decisions: the panel and those next in line, so that each
/// choice below (the earliest, the earliest of each language, the fullest) survives
/// the panel's cap and the next decision can pick among all that ever qualified.
const KEPT: usize = 64;
/// Credited members taken as contenders (with up to [`CREDITORS`] of those crediting each).
const CREDITED: usize = 6;
/// Members crediting a credited contender taken with it (credit needs both ends).
const CREDITORS: usize = 2;
/// Members with the earliest claimed publication times taken as contenders.
const EARLIEST: usize = 10;
/// Members with the fullest texts taken as contenders.
const FULLEST: usize = 4;

/// The contenders for a large story's original, as positions into `sigs` in order of
/// priority, at most [`KEPT`] (the first [`PANEL`] are the panel it is decided among):
/// the recorded original, the most credited members with some of those crediting them,
/// the earliest claimed times, the earliest member of each language (the direction of
/// translation is read among them) and the fullest texts. Chosen from fields every
/// member carries and from `credit` (the credit links among them), without comparing
/// members, so the choice costs one pass.
fn panel(
    sigs: &[Arc<Sig>],
    current: Option<ArticleId>,
    credit: &origin::CreditGraph,
) -> Vec<usize> {
    let refs: Vec<&Sig> = sigs.iter().map(AsRef::as_ref).collect();
    let mut pick: Vec<usize> = Vec::new();
    let add = |k: usize, pick: &mut Vec<usize>| {
        if pick.len() < KEPT && !pick.contains(&k) {
            pick.push(k);
        }
    };
    if let Some(k) = current.and_then(|c| refs.iter().position(|s| s.id == c)) {
        add(k, &mut pick);
    }
    let at: IntMap<ArticleId, usize> = refs.iter().enumerate().map(|(k, s)| (s.id, k)).collect();
    let mut creditors: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (from, to) in credit.links() {
        if let (Some(&from), Some(&to)) = (at.get(&from), at.get(&to)) {
            creditors.entry(to).or_default().push(from);
        }
    }
    let mut credited: Vec<(usize, Vec<usize>)> = creditors.into_iter().collect();
    credited.sort_by(|a, b| {
        b.1.len()
            .cmp(&a.1.len())
            .then(refs[a.0].ukey.cmp(&refs[b.0].ukey))
    });
    for (to, mut from) in credited.into_iter().take(CREDITED) {
        add(to, &mut pick);
        from.sort_by_key(|&k| refs[k].ukey);
        for k in from.into_iter().take(CREDITORS) {
            add(k, &mut pick);
        }
    }
    let mut by_time: Vec<usize> = (0..refs.len()).collect();
    by_time.sort_by_key(|&k| {
        let s = refs[k];
        (s.published.unwrap_or(i64::MAX), s.first_seen, s.ukey)
    });
    for &k in by_time.iter().take(EARLIEST) {
        add(k, &mut pick);
    }
    let mut langs: Vec<&str> = Vec::new();
    for &k in &by_time {
        if !langs.contains(&refs[k].lang.as_str()) {
            langs.push(&refs[k].lang);
            add(k, &mut pick);
        }
    }
    let mut fullest: Vec<usize> = (0..refs.len()).collect();
    fullest.sort_by_key(|&k| (std::cmp::Reverse(refs[k].fp.chars), refs[k].ukey));
    for k in fullest.into_iter().take(FULLEST) {
        add(k, &mut pick);
    }
    pick
}

impl origin::Records for History<'_, '_> {
    fn site_record(&mut self, site: &str) -> Result<(i64, i64)> {
        if let Some(r) = self.sites.get(site) {
            return Ok(*r);
        }
        let r = Store::site_record(self.tx, site)?;
        self.sites.insert(site.to_string(), r);
        Ok(r)
    }

    fn read_before(&mut self, feed: i64, t: i64) -> Result<Option<i64>> {
        if let Some(r) = self.reads.get(&(feed, t)) {
            return Ok(*r);
        }
        let r = Store::read_before(self.tx, feed, t)?;
        self.reads.insert((feed, t), r);
        Ok(r)
    }
}

/// Pairwise matches within one cluster (sorted positions into the group), by position in
/// the cluster (for origin).
fn matrix_for(c: &[usize], matrix: &Matrix) -> Vec<(usize, usize, f64)> {
    let mut out = Vec::new();
    for (x, &i) in c.iter().enumerate() {
        for (y, &j) in c.iter().enumerate().skip(x + 1) {
            if let Some(m) = matrix.get(i, j) {
                out.push((x, y, m.score));
            }
        }
    }
    out
}

/// The relation of a member to the original.
fn relation(s: &Sig, original: Option<&Sig>) -> Relation {
    let Some(o) = original else {
        return Relation::Syndicated;
    };
    if o.id == s.id {
        Relation::Original
    } else if o.lang != s.lang {
        Relation::Translation
    } else if o.fp.dup_hash == s.fp.dup_hash {
        Relation::Duplicate
    } else {
        Relation::Syndicated
    }
}

/// Member `i`'s strongest match in its cluster (ties by article key).
fn best_match<'m>(
    i: usize,
    c: &[usize],
    sigs: &[&Sig],
    matrix: &'m Matrix,
) -> Option<(usize, &'m Match)> {
    c.iter()
        .filter(|&&j| j != i)
        .filter_map(|&j| matrix.get(i, j).map(|m| (j, m.as_ref())))
        .max_by(|a, b| {
            a.1.score
                .total_cmp(&b.1.score)
                .then(sigs[b.0].ukey.cmp(&sigs[a.0].ukey))
        })
}

/// Why a member is in its cluster: its strongest match there, as JSON.
fn reason_json(best: Option<(usize, &Match)>, sigs: &[&Sig]) -> String {
    match best {
        None => "{}".into(),
        Some((j, m)) => serde_json::json!({
            "matched": sigs[j].url.clone().unwrap_or_default(),
            "matched_id": sigs[j].id.0,
            "kind": m.kind,
            "score": (m.score * 1000.0).round() / 1000.0,
            "jaccard": (m.jaccard * 1000.0).round() / 1000.0,
            "containment": (m.containment * 1000.0).round() / 1000.0,
            "anchor_score": (m.anchors * 1000.0).round() / 1000.0,
            "shared_anchors": m.shared,
            "cosine": m.cosine,
        })
        .to_string(),
    }
}
