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
