//! Settings resolved from the command line and the environment, passed down explicitly.

use std::path::PathBuf;

/// Where the database lives: `--db`, else `$FIRSTHAND_DB`, else the platform data dir.
#[must_use]
pub fn db_path(flag: Option<PathBuf>) -> PathBuf {
    if let Some(p) = flag {
        return p;
    }
    if let Some(p) = std::env::var_os("FIRSTHAND_DB").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("firsthand")
        .join("firsthand.db")
}
