//! `firsthand ingest PATH…`: local feed files, as if polled.

use super::PARTIAL;
use firsthand::cluster::{Config, Matcher};
use firsthand::pipeline;
use firsthand::store::Store;
use std::path::PathBuf;
use std::process::ExitCode;

/// Ingests each file ([`pipeline::ingest::files`]); a bad file is named with its reason
/// and the rest go on.
///
/// # Errors
/// Database failures.
pub fn run(store: &mut Store, paths: &[PathBuf], matching: &Config) -> anyhow::Result<ExitCode> {
    let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let mut matcher = Matcher::new(matching.clone());
    let done = pipeline::ingest::files(store, paths, &mut matcher, &mut super::progress(tty))?;
    // The run's caches (millions of small allocations) are not freed one by one: the
    // process ends after this command, and freeing them took half a second.
    std::mem::forget(matcher);
    eprintln!(
        "ingested {} file(s): {} entries, {} new; {} file(s) refused",
        done.files, done.entries, done.new, done.refused
    );
    Ok(if done.refused == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(PARTIAL)
    })
}
