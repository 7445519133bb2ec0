//! firsthand: feeds in, stories out.
//!
//! The pipeline, one module a stage:
//! `poll` (bytes over HTTP) → `parse` (bytes → entries) → `normalize` (text, links, language)
//! → `fingerprint` (shingles, MinHash, SimHash, anchors) → `cluster` (candidates, decision,
//! story assignment) → `origin` (original + evidence) → `store` (SQLite) → `output`.
//! `pipeline` ties the synchronous stages together; only `poll` and `serve` are async.

pub mod cluster;
pub mod config;
pub mod dataset;
pub mod domain;
pub mod embed;
pub mod error;
pub mod eval;
pub mod fingerprint;
pub mod normalize;
pub mod opml;
mod ordered;
pub mod origin;
pub mod output;
pub mod parse;
pub mod pipeline;
pub mod poll;
pub mod serve;
pub mod store;

pub use error::{Error, Result};
