//! Pair decisions: the run's cache of them, kept as one sorted row per article (its
//! pairs with larger ids), and the dense matrix of one group being clustered.
//!
//! Clustering a group again asks for every pair of it; one hash probe per pair into a
//! map of a million pairs missed the CPU caches every time and was a fifth of placement.
//! A row is read once per member and walked beside the group, which is in id order too.

use super::intmap::IntMap;
use super::score::Match;
use crate::domain::ArticleId;
use std::sync::Arc;

/// A decision: the match, or `None` when the pair does not match.
pub type Decision = Option<Arc<Match>>;

/// Pair decisions by the pair's smaller id; each row sorted by the larger id.
#[derive(Debug, Default)]
pub struct Pairs {
    rows: IntMap<ArticleId, Vec<(ArticleId, Decision)>>,
    len: usize,
}

impl Pairs {
    /// Decisions held.
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether none is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Forgets every decision.
    pub fn clear(&mut self) {
        self.rows.clear();
        self.len = 0;
    }

    /// The decision for `(a, b)`, `a < b`, when known.
    #[must_use]
    pub fn get(&self, a: ArticleId, b: ArticleId) -> Option<&Decision> {
        let row = self.rows.get(&a)?;
        row.binary_search_by_key(&b, |e| e.0)
            .ok()
            .map(|i| &row[i].1)
    }

    /// The known decisions of `a` with larger ids, sorted by them.
    #[must_use]
    pub fn row(&self, a: ArticleId) -> &[(ArticleId, Decision)] {
        self.rows.get(&a).map_or(&[], Vec::as_slice)
    }

    /// Records the decision for `(a, b)`, `a < b`, without its shared anchors' names
    /// (most of a match's memory; the one a reason shows is computed again).
    pub fn insert(&mut self, a: ArticleId, b: ArticleId, d: Decision) {
        let d = d.map(slim);
        let row = self.rows.entry(a).or_default();
        match row.binary_search_by_key(&b, |e| e.0) {
            Ok(i) => row[i].1 = d,
            Err(i) => {
                row.insert(i, (b, d));
                self.len += 1;
            }
        }
    }
}

/// A match without the names of its shared anchors.
fn slim(m: Arc<Match>) -> Arc<Match> {
    if m.shared.is_empty() {
        return m;
    }
    Arc::new(Match {
        score: m.score,
        kind: m.kind,
        jaccard: m.jaccard,
        containment: m.containment,
        anchors: m.anchors,
        shared: Vec::new(),
        cosine: m.cosine,
        corroborated: m.corroborated,
    })
}

/// The matches within one group of `n` articles, by position.
#[derive(Debug)]
pub struct Matrix {
    n: usize,
    cells: Vec<Decision>,
}

impl Matrix {
    /// No matches among `n` articles.
    #[must_use]
    pub fn new(n: usize) -> Self {
        Self {
            n,
            cells: vec![None; n * n],
        }
    }

    /// The match of `i` and `j` (either order).
    #[must_use]
    pub fn get(&self, i: usize, j: usize) -> Option<&Arc<Match>> {
        self.cells[i.min(j) * self.n + i.max(j)].as_ref()
    }

    /// Whether `i` and `j` match.
    #[must_use]
    pub fn linked(&self, i: usize, j: usize) -> bool {
        self.get(i, j).is_some()
    }

    /// Sets the decision of `i` and `j` (either order).
    pub fn set(&mut self, i: usize, j: usize, d: Decision) {
        self.cells[i.min(j) * self.n + i.max(j)] = d;
    }

    /// Every match as `(i, j, match)`, `i < j`.
    pub fn edges(&self) -> impl Iterator<Item = (usize, usize, &Arc<Match>)> {
        (0..self.n).flat_map(move |i| {
            (i + 1..self.n).filter_map(move |j| self.get(i, j).map(|m| (i, j, m)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(score: f64) -> Decision {
        Some(Arc::new(Match {
            score,
            kind: super::super::score::Kind::Copy,
            jaccard: 0.0,
            containment: 0.0,
            anchors: 0.0,
            shared: Vec::new(),
            cosine: None,
            corroborated: false,
        }))
    }

    #[test]
    fn rows_stay_sorted_and_hold_one_decision_per_pair() {
        let mut p = Pairs::default();
        p.insert(ArticleId(1), ArticleId(9), m(0.9));
        p.insert(ArticleId(1), ArticleId(3), None);
        p.insert(ArticleId(1), ArticleId(5), m(0.5));
        let ids: Vec<i64> = p.row(ArticleId(1)).iter().map(|e| e.0.0).collect();
        assert_eq!(ids, [3, 5, 9]);
        assert!(
            p.get(ArticleId(1), ArticleId(3))
                .is_some_and(Option::is_none)
        );
        assert!(p.get(ArticleId(1), ArticleId(4)).is_none());
        p.insert(ArticleId(1), ArticleId(5), None);
        assert_eq!(p.len(), 3);
        assert!(
            p.get(ArticleId(1), ArticleId(5))
                .is_some_and(Option::is_none)
        );
    }

    #[test]
    fn matrix_is_symmetric_and_lists_each_edge_once() {
        let mut x = Matrix::new(4);
        x.set(2, 0, m(0.4));
        x.set(1, 3, m(0.6));
        assert!(x.linked(0, 2) && x.linked(2, 0) && !x.linked(0, 1));
        let edges: Vec<(usize, usize)> = x.edges().map(|(i, j, _)| (i, j)).collect();
        assert_eq!(edges, [(0, 2), (1, 3)]);
    }
}
