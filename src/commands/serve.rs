//! `firsthand serve`: the read-only web view and JSON API.

use std::path::Path;
use std::process::ExitCode;

/// Serves the database at `db` on `listen` until Ctrl-C.
///
/// # Errors
/// Bind or database failures.
pub fn run(db: &Path, listen: &str) -> anyhow::Result<ExitCode> {
    firsthand::serve::run(db, listen)?;
    Ok(ExitCode::SUCCESS)
}
