//! A labelled set of news documents (JSONL, optionally gzip): gold stories, languages,
//! originals. `eval` scores matching against it; `world` builds feeds from it.

use crate::{Error, Result};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// One labelled document (defined with the world kit that builds feeds from it).
pub use firsthand_world::Doc;

/// Reads a JSONL (optionally gzip) labelled set.
///
/// # Errors
/// [`Error::Read`] or [`Error::Dataset`] naming the bad line.
pub fn load(path: &Path) -> Result<Vec<Doc>> {
    let file = std::fs::File::open(path).map_err(|e| Error::Read {
        path: path.into(),
        source: e,
    })?;
    let reader: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::GzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let mut out = Vec::new();
    for (i, line) in BufReader::new(reader).lines().enumerate() {
        let line = line.map_err(|e| Error::Read {
            path: path.into(),
            source: e,
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let d: Doc = serde_json::from_str(&line).map_err(|e| Error::Dataset {
            path: path.display().to_string(),
            line: i + 1,
            reason: e.to_string(),
        })?;
        out.push(d);
    }
    Ok(out)
}

/// Keeps the documents of the first `n` stories, in the order the set names them.
pub fn keep_stories(docs: &mut Vec<Doc>, n: usize) {
    let mut keep: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    for d in docs.iter() {
        if keep.len() >= n {
            break;
        }
        keep.insert(d.cluster.clone());
    }
    docs.retain(|d| keep.contains(&d.cluster));
}

/// One of `n` folds of a labelled set's stories: the stories whose id hashes to `k`
/// (FNV-1a 64 of the id's bytes, modulo `n`). `scripts/fit-anchor-model.py` assigns folds
/// the same way, so a weight fitted without fold `k` can be scored on fold `k` alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fold {
    /// Which fold, from 0.
    pub k: u64,
    /// How many folds.
    pub n: u64,
}

impl Fold {
    /// Whether the story `cluster` is in this fold.
    #[must_use]
    pub fn holds(&self, cluster: &str) -> bool {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in cluster.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h % self.n == self.k
    }
}

impl std::str::FromStr for Fold {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let bad = || format!("`{s}` is not a fold: give K/N with 0 <= K < N, e.g. 0/5");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (k, n) = (
            k.trim().parse::<u64>().map_err(|_| bad())?,
            n.trim().parse::<u64>().map_err(|_| bad())?,
        );
        if n == 0 || k >= n {
            return Err(bad());
        }
        Ok(Self { k, n })
    }
}

/// Keeps the documents of the stories in `fold`.
pub fn keep_fold(docs: &mut Vec<Doc>, fold: Fold) {
    docs.retain(|d| fold.holds(&d.cluster));
}

#[cfg(test)]
mod tests {
    use super::Fold;

    #[test]
    fn folds_parse_and_partition() {
        assert_eq!("2/5".parse::<Fold>(), Ok(Fold { k: 2, n: 5 }));
        for bad in ["5/5", "1", "a/5", "1/0", ""] {
            assert!(bad.parse::<Fold>().is_err(), "{bad}");
        }
        // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c, as the fitting script computes it.
        assert!(
            Fold {
                k: 0xaf63_dc4c_8601_ec8c % 7,
                n: 7
            }
            .holds("a")
        );
        let ids: Vec<String> = (0..200).map(|i| format!("story:{i}")).collect();
        for id in &ids {
            let folds = (0..5).filter(|&k| Fold { k, n: 5 }.holds(id)).count();
            assert_eq!(folds, 1, "{id}");
        }
    }
}
