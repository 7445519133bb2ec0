//! Deciding a story: its original (through `origin`), each member's relation to it, and
//! why each member is there, written once per story per transaction.

use super::Matcher;
use super::intmap::IntMap;
use super::pairs::Matrix;
use super::score::Match;
use crate::Result;
use crate::model::{Relation, StoryId};
use crate::origin;
use crate::store::{Store, articles::Sig};
use rusqlite::Transaction;
use std::collections::HashMap;
use std::sync::Arc;

/// The store's history as origin asks for it, cached for the run.
struct History<'a, 't> {
    tx: &'a Transaction<'t>,
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

    /// Decides the original of `stories` again and writes their members' relations
    /// (after a repair or a feed removal changed their members without placing anything).
    ///
    /// # Errors
    /// SQLite failures.
    pub fn decide_again(
        &mut self,
        tx: &Transaction<'_>,
        stories: &[StoryId],
        now: i64,
    ) -> Result<()> {
        self.undecided.extend(stories.iter().copied());
        self.finish(tx, now)
    }

    /// Decides the original of every story changed since the last call and writes each
    /// member's relation and reason. [`Matcher::place`] leaves that to this, once per story
    /// per transaction instead of once per article placed: call it before committing.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn finish(&mut self, tx: &Transaction<'_>, now: i64) -> Result<()> {
        for story in std::mem::take(&mut self.undecided) {
            // Every member, whatever placement compared.
            let ids = Store::story_members(tx, story)?;
            if ids.is_empty() {
                continue;
            }
            let sigs = self.weighed_sigs(tx, &ids)?;
            let refs: Vec<&Sig> = sigs.iter().map(AsRef::as_ref).collect();
            let matrix = self.matrix(&sigs);
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
            let original = decision
                .original
                .and_then(|o| refs.iter().copied().find(|x| x.id == o));
            for (i, s) in refs.iter().enumerate() {
                let relation = relation(s, original);
                let best = best_match(i, &all, &refs, &matrix);
                let row = (story, relation, best.map(|(j, _)| refs[j].id));
                if self.written.get(&s.id) != Some(&row) {
                    Store::set_member(tx, s.id, story, relation, &reason_json(best, &refs))?;
                    self.written.insert(s.id, row);
                }
            }
            Store::set_original(tx, story, decision.original, &decision.evidence, now)?;
        }
        Ok(())
    }
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
