//! Storage: the only module that runs SQL. Two backends behind one `Store`: a SQLite file
//! (the default: WAL mode, foreign keys on, a busy timeout so that a reader never fails
//! while `poll` writes) and a PostgreSQL server (`--db postgresql://…`, for many pollers
//! on many hosts). Statements are written once (see [`db`]); `schema.sql` and
//! `schema.pg.sql` are the sources of truth, applied in `-- migration N` blocks and
//! versioned with `PRAGMA user_version` and the table `firsthand_schema`.

pub mod articles;
pub mod check;
pub mod db;
pub mod embeddings;
pub mod feeds;
pub mod filter;
pub mod index;
pub mod keys;
pub mod locks;
pub mod stories;
pub mod web;
pub mod young;

pub use db::{Db, Tx};

use crate::{Error, Result};
use rusqlite::Connection;
use std::path::Path;
use std::time::Duration;

const SCHEMA: &str = include_str!("../../schema.sql");
const SCHEMA_PG: &str = include_str!("../../schema.pg.sql");

/// How long a statement waits for another process's write lock before failing.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(120);
/// Prepared statements kept per connection (rusqlite keeps 16 by default).
const STATEMENT_CACHE: usize = 256;

/// An open database.
pub struct Store {
    /// The connection. Only `store` modules run SQL on it.
    pub(crate) conn: Db,
    /// Where it lives (for messages): a file path, or a PostgreSQL URL without its
    /// password.
    pub path: String,
    /// The PostgreSQL URL as given (readers open their own connections with it).
    url: Option<String>,
    /// Whether opening it created the schema (a new database).
    pub created: bool,
}

/// The migrations in a schema file, in order: (version, SQL).
fn migrations_of(schema: &str) -> Vec<(i64, String)> {
    let mut out: Vec<(i64, String)> = Vec::new();
    for line in schema.lines() {
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

fn migrations() -> Vec<(i64, String)> {
    migrations_of(SCHEMA)
}

/// The schema version this build writes.
#[must_use]
pub fn supported_version() -> i64 {
    migrations().last().map_or(0, |m| m.0)
}

/// The PostgreSQL URL in a `--db` value (`postgresql://…` or `postgres://…`), if it is one.
#[must_use]
pub fn postgres_url(db: &Path) -> Option<&str> {
    db.to_str()
        .filter(|s| s.starts_with("postgresql://") || s.starts_with("postgres://"))
}

/// A URL as shown in messages: the password replaced by `***`.
fn shown_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((auth, host)) = rest.rsplit_once('@') else {
        return url.to_string();
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    /// A `postgresql://` URL opens that PostgreSQL database (which must exist; its tables
    /// are created).
    ///
    /// # Errors
    /// [`Error::DbOpen`] when the file cannot be opened or created or the server not
    /// reached, [`Error::DbTooNew`] when a newer firsthand wrote it.
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(url) = postgres_url(path) {
            return Self::open_pg(url, true);
        }
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
            source: e.into(),
        })?;
        Self::setup(conn, shown)
    }

    /// Opens the database at `path` like [`Store::open`], but only when it exists: commands
    /// that read refuse a mistyped path instead of creating an empty database there.
    ///
    /// # Errors
    /// [`Error::NoDatabase`] when there is no file at `path` (nothing is created) or no
    /// firsthand tables in the PostgreSQL database, else those of [`Store::open`].
    pub fn open_existing(path: &Path) -> Result<Self> {
        if let Some(url) = postgres_url(path) {
            return Self::open_pg(url, false);
        }
        if !path.exists() {
            return Err(Error::NoDatabase {
                path: path.display().to_string(),
            });
        }
        Self::open(path)
    }

    fn open_pg(url: &str, create: bool) -> Result<Self> {
        let shown = shown_url(url);
        let open_err = |e: postgres::Error| Error::DbOpen {
            path: shown.clone(),
            source: e.into(),
        };
        let missing = |e: &postgres::Error| {
            e.code() == Some(&postgres::error::SqlState::INVALID_CATALOG_NAME)
        };
        let pg = match db::Pg::connect(url) {
            Ok(pg) => pg,
            // A command that brings feeds in creates the database too, as it would a file.
            Err(e) if missing(&e) && create => {
                db::Pg::create_database(url).map_err(open_err)?;
                db::Pg::connect(url).map_err(open_err)?
            }
            Err(e) if missing(&e) => return Err(Error::NoDatabase { path: shown }),
            Err(e) => return Err(open_err(e)),
        };
        let mut store = Self {
            conn: Db::Pg(Box::new(pg)),
            path: shown,
            url: Some(url.to_string()),
            created: false,
        };
        let exists: bool = store.conn.query_row(
            "SELECT to_regclass('firsthand_schema') IS NOT NULL",
            (),
            |r| r.get(0),
        )?;
        if !exists && !create {
            return Err(Error::NoDatabase { path: store.path });
        }
        let current: Option<i64> = if exists {
            store
                .conn
                .query_row("SELECT MAX(version) FROM firsthand_schema", (), |r| {
                    r.get(0)
                })?
        } else {
            None
        };
        // Up to date (every open but the first): no write lock taken.
        if current != Some(supported_version()) {
            store.migrate_pg()?;
        }
        Ok(store)
    }

    fn migrate_pg(&mut self) -> Result<()> {
        let supported = supported_version();
        let tx = Tx::begin(&self.conn)?;
        tx.execute_batch("CREATE TABLE IF NOT EXISTS firsthand_schema (version BIGINT NOT NULL)")?;
        let current: i64 = tx
            .query_row("SELECT MAX(version) FROM firsthand_schema", (), |r| {
                r.get::<_, Option<i64>>(0)
            })?
            .unwrap_or(0);
        if current > supported {
            return Err(Error::DbTooNew {
                path: self.path.clone(),
                found: current,
                supported,
            });
        }
        self.created = current == 0;
        for (v, sql) in migrations_of(SCHEMA_PG)
            .into_iter()
            .filter(|m| m.0 > current)
        {
            tx.execute_batch(&sql)?;
            tx.execute("DELETE FROM firsthand_schema", ())?;
            tx.execute("INSERT INTO firsthand_schema (version) VALUES (?1)", [v])?;
        }
        tx.commit()
    }

    /// A connection of its own to the database of `self` (for workers that read while
    /// this one writes later); `None` for an in-memory database.
    ///
    /// # Errors
    /// When the database cannot be opened.
    pub fn reader(&self) -> Result<Option<Db>> {
        if let Some(url) = &self.url {
            let pg = db::Pg::connect(url).map_err(|e| Error::DbOpen {
                path: self.path.clone(),
                source: e.into(),
            })?;
            return Ok(Some(Db::Pg(Box::new(pg))));
        }
        if self.path == ":memory:" {
            return Ok(None);
        }
        let conn = Connection::open_with_flags(
            &self.path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| Error::DbOpen {
            path: self.path.clone(),
            source: e.into(),
        })?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        plan_once(&conn)?;
        // Half the writer's cache: in WAL mode a reader drops its whole cache when it next
        // reads after another connection committed, and the placing connection commits
        // every chunk, so a reader's cache never holds more than a chunk's reading.
        conn.pragma_update(None, "cache_size", -32_768)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(Some(Db::Lite(conn)))
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
            source: e.into(),
        };
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        plan_once(&conn).map_err(open_err)?;
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
        let mut store = Self {
            conn: Db::Lite(conn),
            path,
            url: None,
            created: version == 0,
        };
        store.migrate(version)?;
        Ok(store)
    }

    fn migrate(&mut self, from: i64) -> Result<()> {
        let pending: Vec<(i64, String)> = migrations().into_iter().filter(|m| m.0 > from).collect();
        if pending.is_empty() {
            return Ok(());
        }
        // IMMEDIATE: two processes opening a fresh database do not both migrate.
        let tx = Tx::begin(&self.conn)?;
        let current: i64 = tx.query_row("PRAGMA user_version", (), |r| r.get(0))?;
        for (v, sql) in pending.into_iter().filter(|m| m.0 > current) {
            tx.execute_batch(&sql)?;
            tx.execute_batch(&format!("PRAGMA user_version = {v}"))?;
        }
        tx.commit()
    }

    /// Runs `f` in one write transaction (the write lock is taken up front, so a
    /// concurrent writer waits instead of failing); commits when `f` returns Ok.
    ///
    /// # Errors
    /// What `f` or the database returns; nothing is written then.
    pub fn write<T>(&mut self, f: impl FnOnce(&Tx<'_>) -> Result<T>) -> Result<T> {
        let tx = Tx::begin(&self.conn)?;
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
        if let Db::Lite(c) = &self.conn
            && c.is_readonly(rusqlite::MAIN_DB)?
        {
            return Err(Error::DbReadOnly {
                path: self.path.clone(),
            });
        }
        Ok(())
    }

    /// Whether the database is PostgreSQL.
    #[must_use]
    pub fn is_postgres(&self) -> bool {
        self.conn.is_postgres()
    }

    /// SQLite's `PRAGMA integrity_check` result ("ok" when sound); PostgreSQL checks its
    /// own pages, so "ok" when the server answers.
    ///
    /// # Errors
    /// When the database cannot run the check.
    pub fn integrity_check(&self) -> Result<String> {
        match &self.conn {
            Db::Lite(c) => Ok(c.query_row("PRAGMA integrity_check", [], |r| r.get(0))?),
            Db::Pg(_) => {
                self.conn
                    .query_row("SELECT 1", (), |r| r.get::<_, i64>(0))?;
                Ok("ok".into())
            }
        }
    }

    /// The underlying connection, for read-only helpers in this module tree.
    pub(crate) fn conn(&self) -> &Db {
        &self.conn
    }
}

/// A `meta` value, when set.
pub(crate) fn meta(conn: &Db, key: &str) -> Result<Option<i64>> {
    use db::OptionalExtension;
    conn.prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()
}

/// Sets a `meta` value.
pub(crate) fn set_meta(tx: &Tx<'_>, key: &str, value: i64) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    )?
    .execute(db::params![key, value])?;
    Ok(())
}

/// Now, truncated to seconds (what the store records).
#[must_use]
pub fn now() -> chrono::DateTime<chrono::Utc> {
    time(chrono::Utc::now().timestamp())
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

/// Makes SQLite plan each statement once, whatever values are bound to it (its query
/// planner stability guarantee). Without it, a statement whose plan may depend on a bound
/// value (a range, a `LIMIT ?`) is prepared again on every use of the statement cache:
/// the cache clears a statement's bindings when it is put back, and that marks it stale.
/// Half the cost of reading an anchor's rows went there at 100k articles.
fn plan_once(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )
    .map(|_| ())
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
            .query_row("PRAGMA user_version", (), |r| r.get(0))
            .unwrap();
        assert_eq!(v, supported_version());
        // PostgreSQL's schema file ends at the same version.
        let pg = migrations_of(SCHEMA_PG);
        assert!(pg.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(pg.last().map(|m| m.0), Some(supported_version()));
    }

    #[test]
    fn a_postgres_url_is_told_apart_from_a_file_and_shown_without_its_password() {
        assert_eq!(
            postgres_url(Path::new("postgresql://u@127.0.0.1:5432/db")),
            Some("postgresql://u@127.0.0.1:5432/db")
        );
        assert_eq!(postgres_url(Path::new("postgresql.db")), None);
        assert_eq!(
            shown_url("postgres://u:secret@h:1/db"),
            "postgres://u:***@h:1/db"
        );
        assert_eq!(shown_url("postgres://u@h/db"), "postgres://u@h/db");
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
