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

/// Parses "90s", "5m", "2h", "7d", "1w" (a bare number is seconds).
///
/// # Errors
/// A message naming the bad value.
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("invalid duration {s:?}: expected e.g. 30s, 5m, 2h, 7d"))?;
    let mult = match unit.trim() {
        "" | "s" | "sec" | "secs" => 1,
        "m" | "min" | "mins" => 60,
        "h" | "hour" | "hours" => 3600,
        "d" | "day" | "days" => 86_400,
        "w" | "week" | "weeks" => 604_800,
        other => {
            return Err(format!(
                "invalid duration unit {other:?} in {s:?}: use s, m, h, d or w"
            ));
        }
    };
    n.checked_mul(mult)
        .map(std::time::Duration::from_secs)
        .ok_or_else(|| format!("duration {s:?} is too large"))
}
