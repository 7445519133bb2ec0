//! The read-only web view (issue: story pages). Not built yet.

use std::path::Path;

/// Serves the web view.
///
/// # Errors
/// Always, for now: the web view is not built yet.
pub fn run(_db: &Path, _listen: &str) -> anyhow::Result<()> {
    anyhow::bail!("the web view is not built yet")
}
