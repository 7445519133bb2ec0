//! Storage: the only module that runs SQL. `schema.sql` is the source of truth, applied
//! in `-- migration N` blocks and versioned with `PRAGMA user_version`. WAL mode, foreign
//! keys on, a busy timeout so that a reader never fails while `poll` writes.

pub mod articles;
pub mod check;
pub mod embeddings;
pub mod feeds;
pub mod index;
pub mod stories;
pub mod web;

use crate::{Error, Result};
use rusqlite::Connection;
use std::path::Path;
use std::time::Duration;

const SCHEMA: &str = include_str!("../../schema.sql");

/// How long a statement waits for another process's write lock before failing.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(120);
/// Prepared statements kept per connection (rusqlite keeps 16 by default).
const STATEMENT_CACHE: usize = 256;

/// An open database.
pub struct Store {
    /// The connection. Only `store` modules run SQL on it.
    pub(crate) conn: Connection,
    /// Where it lives (for messages).
    pub path: String,
}

/// The migrations in `schema.sql`, in order: (version, SQL).
fn migrations() -> Vec<(i64, String)> {
    let mut out: Vec<(i64, String)> = Vec::new();
    for line in SCHEMA.lines() {
        if let Some(v) = line
            .strip_prefix("-- migration ")
            .and_then(|n| n.trim().parse::<i64>().ok())
        {
            out.push((v, String::new()));
            continue;
        }
        if let Some(last) = out.last_mut() {
            last.1.push_str(line);
            last.1.push('\n');
        }
    }
    out
}

/// The schema version this build writes.
#[must_use]
pub fn supported_version() -> i64 {
    migrations().last().map_or(0, |m| m.0)
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    ///
    /// # Errors
    /// [`Error::DbOpen`] when the file cannot be opened or created, [`Error::DbTooNew`]
    /// when a newer firsthand wrote it.
    pub fn open(path: &Path) -> Result<Self> {
        let shown = path.display().to_string();
        if path.is_dir() {
            return Err(Error::DbIsDirectory {
                path: shown,
                suggestion: path.join("firsthand.db").display().to_string(),
            });
        }
        if let Some(dir) = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty() && !d.exists())
        {
            {
                std::fs::create_dir_all(dir).map_err(|e| Error::Io {
                    context: format!("cannot create directory {}", dir.display()),
                    source: e,
                })?;
            }
        }
        let conn = Connection::open(path).map_err(|e| Error::DbOpen {
            path: shown.clone(),
            source: e,
        })?;
        Self::setup(conn, shown)
    }

    /// Opens the database at `path` like [`Store::open`], but only when it exists: commands
    /// that read refuse a mistyped path instead of creating an empty database there.
    ///
    /// # Errors
    /// [`Error::NoDatabase`] when there is no file at `path` (nothing is created), else
    /// those of [`Store::open`].
    pub fn open_existing(path: &Path) -> Result<Self> {
        if !path.exists() {
            return Err(Error::NoDatabase {
                path: path.display().to_string(),
            });
        }
        Self::open(path)
    }

    /// A read-only connection to the database file of `self` (for workers that read
    /// while this one writes later); `None` for an in-memory database.
    ///
    /// # Errors
    /// When SQLite cannot open the file.
    pub fn reader(&self) -> Result<Option<Connection>> {
        if self.path == ":memory:" {
            return Ok(None);
        }
        let conn = Connection::open_with_flags(
            &self.path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| Error::DbOpen {
            path: self.path.clone(),
            source: e,
        })?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "cache_size", -65_536)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(Some(conn))
    }

    /// A private in-memory database (tests, eval).
    ///
    /// # Errors
    /// When SQLite cannot allocate it.
    pub fn memory() -> Result<Self> {
        let conn = Connection::open_in_memory()?;
        Self::setup(conn, ":memory:".into())
    }

    fn setup(conn: Connection, path: String) -> Result<Self> {
        let open_err = |e: rusqlite::Error| Error::DbOpen {
            path: path.clone(),
            source: e,
        };
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        // Reading the header also tells whether this is a database at all.
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(open_err)?;
        let supported = supported_version();
        if version > supported {
            return Err(Error::DbTooNew {
                path,
                found: version,
                supported,
            });
        }
        if version == 0 {
            // Larger pages for a fresh database: the indexes are wide and inserted at random.
            conn.pragma_update(None, "page_size", 8192)
                .map_err(open_err)?;
        }
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_err)?;
        // A bigger page cache than the 2 MiB default: matching reads index pages at random.
        conn.pragma_update(None, "cache_size", -65_536)
            .map_err(open_err)?;
        conn.pragma_update(None, "temp_store", "MEMORY")
            .map_err(open_err)?;
        // Checkpoint the WAL every ~40 MiB rather than every 4 MiB: fewer stalls in a poll.
        conn.pragma_update(None, "wal_autocheckpoint", 10_000)
            .map_err(open_err)?;
        // Multi-row and IN-list statements come in many lengths: keep them all prepared.
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        let mut store = Self { conn, path };
        store.migrate(version)?;
        Ok(store)
    }

    fn migrate(&mut self, from: i64) -> Result<()> {
        let pending: Vec<(i64, String)> = migrations().into_iter().filter(|m| m.0 > from).collect();
        if pending.is_empty() {
            return Ok(());
        }
        // IMMEDIATE: two processes opening a fresh database do not both migrate.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        for (v, sql) in pending.into_iter().filter(|m| m.0 > current) {
            tx.execute_batch(&sql)?;
            tx.pragma_update(None, "user_version", v)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Runs `f` in one IMMEDIATE transaction (the write lock is taken up front, so a
    /// concurrent writer waits instead of failing); commits when `f` returns Ok.
    ///
    /// # Errors
    /// What `f` or SQLite returns; nothing is written then.
    pub fn write<T>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Fails unless the database can be written: commands that write find out before they
    /// fetch anything, with the file named.
    ///
    /// # Errors
    /// [`Error::DbReadOnly`] when SQLite opened the file read-only.
    pub fn writable(&self) -> Result<()> {
        if self.conn.is_readonly(rusqlite::MAIN_DB)? {
            return Err(Error::DbReadOnly {
                path: self.path.clone(),
            });
        }
        Ok(())
    }

    /// `PRAGMA integrity_check` result ("ok" when sound).
    ///
    /// # Errors
    /// When SQLite cannot run the check.
    pub fn integrity_check(&self) -> Result<String> {
        Ok(self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }

    /// The underlying connection, for read-only helpers in this module tree.
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
}

/// Unix seconds of a time.
#[must_use]
pub fn secs(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp()
}

/// Time of unix seconds (the epoch for out-of-range values).
#[must_use]
pub fn time(s: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(s, 0).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_ordered_and_apply() {
        let m = migrations();
        assert!(!m.is_empty());
        assert!(m.windows(2).all(|w| w[0].0 < w[1].0));
        let s = Store::memory().unwrap();
        let v: i64 = s
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, supported_version());
    }

    #[test]
    fn newer_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.db");
        {
            let c = Connection::open(&p).unwrap();
            c.pragma_update(None, "user_version", 999).unwrap();
        }
        let e = Store::open(&p).err().unwrap();
        assert!(e.to_string().contains("newer"), "{e}");
    }
}
