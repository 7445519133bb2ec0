//! The library's one error type. Messages are lowercase and name the thing that failed.

use std::path::PathBuf;

/// Everything the library can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// SQLite refused an operation.
    #[error("database error: {0}")]
    Db(#[from] rusqlite::Error),
    /// PostgreSQL refused an operation.
    #[error("database error: {0}")]
    Pg(#[from] postgres::Error),
    /// PostgreSQL refused to prepare a statement (a bug: every statement is written for
    /// both databases).
    #[error("database error: {source} in statement: {sql}")]
    Statement {
        /// The statement as sent.
        sql: String,
        /// What the server said.
        #[source]
        source: postgres::Error,
    },
    /// A query that must find a row found none.
    #[error("database error: query returned no rows")]
    NoRow,
    /// A column's value cannot be read as the type asked for.
    #[error("database error: {0}")]
    Column(String),
    /// The database was written by a newer firsthand.
    #[error(
        "database {path} has schema version {found}, newer than this firsthand understands ({supported}); upgrade firsthand"
    )]
    DbTooNew {
        /// Database file.
        path: String,
        /// Version found in the file.
        found: i64,
        /// Highest version this build knows.
        supported: i64,
    },
    /// The database can be read but not written (file or directory permissions).
    #[error("database {path} is read-only: firsthand needs to write it and create files beside it")]
    DbReadOnly {
        /// Database file.
        path: String,
    },
    /// A command that reads the database was pointed at a file that does not exist.
    #[error(
        "no database at {path}: nothing was ingested or polled into it yet (check --db or FIRSTHAND_DB)"
    )]
    NoDatabase {
        /// Database file.
        path: String,
    },
    /// `--db` (or `FIRSTHAND_DB`) names a directory.
    #[error("database path {path} is a directory: give a file in it, e.g. {suggestion}")]
    DbIsDirectory {
        /// As given.
        path: String,
        /// `<path>/firsthand.db`.
        suggestion: String,
    },
    /// The database file cannot be opened or created.
    #[error("cannot open database {path}: {source}")]
    DbOpen {
        /// Database file.
        path: String,
        /// Why.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A local file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Bytes that are not a feed.
    #[error("{what} is not a feed: {reason}")]
    NotAFeed {
        /// File path or URL.
        what: String,
        /// What the parser said.
        reason: String,
    },
    /// An OPML file that cannot be read as OPML.
    #[error("{path} is not OPML: {reason}")]
    Opml {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// A URL that firsthand will not fetch or cannot parse.
    #[error("bad feed url {url}: {reason}")]
    BadUrl {
        /// As given.
        url: String,
        /// Why.
        reason: String,
    },
    /// No such story.
    #[error("no story with id {0}")]
    NoStory(i64),
    /// No article with this URL.
    #[error("no article with url {0} (ingest or poll the feed that carries it first)")]
    NoArticle(String),
    /// No such feed.
    #[error("no feed {0}")]
    NoFeed(String),
    /// A labelled dataset line that cannot be used.
    #[error("{path} line {line}: {reason}")]
    Dataset {
        /// The file.
        path: String,
        /// 1-based line number.
        line: usize,
        /// Why.
        reason: String,
    },
    /// An HTTP fetch failed (discovery, feeds add).
    #[error("{url}: {reason}")]
    Fetch {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// A multilingual model directory that cannot be loaded or run.
    #[error("model {path}: {reason}")]
    Model {
        /// The model directory.
        path: String,
        /// Why.
        reason: String,
    },
    /// The poller could not start (its HTTP client, its settings).
    #[error(transparent)]
    Poll(#[from] crate::poll::PollError),
    /// A bug: a worker thread stopped without its result.
    #[error("internal error: {0}")]
    Internal(String),
    /// Any other I/O failure.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// Result with the library's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
