//! Settings resolved from the command line and the environment, passed down explicitly.

use std::path::PathBuf;

/// Where the database lives: `--db`, else `$FIRSTHAND_DB`, else [`default_db_path`].
#[must_use]
pub fn db_path(flag: Option<PathBuf>) -> PathBuf {
    if let Some(p) = flag {
        return p;
    }
    if let Some(p) = std::env::var_os("FIRSTHAND_DB").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    default_db_path()
}

/// The database without `--db` or `$FIRSTHAND_DB`: `firsthand/firsthand.db` in the
/// platform data dir (`~/.local/share` on Linux).
#[must_use]
pub fn default_db_path() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("firsthand")
        .join("firsthand.db")
}

/// Where caches go (the model directory of `scripts/model-dir`, Python packages for the
/// benchmark's baseline): `$FIRSTHAND_CACHE`, else `firsthand` in the platform cache dir
/// (`~/.cache` on Linux). `scripts/model-dir` resolves it the same way.
#[must_use]
pub fn cache_dir() -> PathBuf {
    if let Some(p) = std::env::var_os("FIRSTHAND_CACHE").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    dirs::cache_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("firsthand")
}
