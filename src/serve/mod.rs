//! `firsthand serve`: the read-only web view and JSON API over the story database.
//!
//! axum on its own tokio runtime. Every request reads SQLite on a blocking worker
//! (`spawn_blocking`), through a connection that worker keeps open, inside one read
//! transaction: WAL lets these readers run beside `poll`, and nothing here ever writes or
//! holds a lock that a writer would wait on. Routes:
//!
//! | route | answers |
//! |---|---|
//! | `/` | the stories, with filters (`since`, `lang`, `site`, `all`), title search `q`, `page` |
//! | `/story/{id}` | a story: original, evidence, timeline (SVG), copies; merged ids redirect |
//! | `/origin?url=…` | what `firsthand origin URL` answers, as a page (404 for an unknown URL) |
//! | `/feed.atom`, `/feed.json` | the deduplicated feed of `firsthand export` |
//! | `/api/stories`, `/api/story/{id}` | the JSON of `stories --json` / `story ID --json` |
//! | `/metrics` | Prometheus text (see [`metrics`]) |

pub mod api;
pub mod bench;
pub mod html;
pub mod metrics;
pub mod pages;
mod query;
pub mod timeline;

use crate::Error;
use crate::store::Store;
use anyhow::Context;
use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What every handler shares: where the database is.
#[derive(Debug, Clone)]
pub struct App {
    db: Arc<PathBuf>,
}

/// Builds the router over the database at `db` (tests bind it to 127.0.0.1:0).
pub fn router(db: PathBuf) -> Router {
    Router::new()
        .route("/", get(pages::index))
        .route("/story/{id}", get(pages::story))
        .route("/origin", get(pages::origin))
        .route("/feed.atom", get(api::atom))
        .route("/feed.json", get(api::json_feed))
        .route("/api/stories", get(api::stories))
        .route("/api/story/{id}", get(api::story))
        .route("/metrics", get(metrics::get))
        .fallback(pages::not_found)
        .with_state(App { db: Arc::new(db) })
}

/// Serves the database at `db` on `listen` (e.g. `127.0.0.1:8080`) until Ctrl-C or
/// SIGTERM, on a runtime of its own. Says on stderr where it listens (beside the logs).
///
/// # Errors
/// When the database does not exist or cannot be opened, or the address cannot be bound.
pub fn run(db: &Path, listen: &str) -> anyhow::Result<()> {
    // Fail before listening when the database is unusable (missing, too new, not a
    // database).
    let shown = Store::open_existing(db)?.path;
    let std_listener = bind_check(listen)?;
    std_listener.set_nonblocking(true)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(16)
        .enable_all()
        .build()?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::from_std(std_listener)?;
        let addr = listener.local_addr()?;
        eprintln!("serving {shown} at http://{addr}/ (read-only; Ctrl-C stops)");
        axum::serve(listener, router(db.to_path_buf()))
            .with_graceful_shutdown(stop_signal())
            .await
            .context("web server failed")?;
        eprintln!("stopped serving");
        anyhow::Ok(())
    })
}

/// Binds `listen`, or says plainly why not (a taken port names the way out).
///
/// # Errors
/// When the address cannot be bound.
pub fn bind_check(listen: &str) -> anyhow::Result<std::net::TcpListener> {
    std::net::TcpListener::bind(listen).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            anyhow::anyhow!(
                "cannot listen on {listen}: the address is in use (another server?); \
                 choose another with --listen, e.g. --listen 127.0.0.1:0 for any free port"
            )
        } else {
            anyhow::Error::new(e).context(format!("cannot listen on {listen}"))
        }
    })
}

async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Why a request could not be answered.
#[derive(Debug)]
pub enum Failure {
    /// 404 with a message for the reader.
    NotFound(String),
    /// 400: a query parameter that cannot be used.
    BadRequest(String),
    /// 500: the database failed.
    Internal(String),
}

impl Failure {
    /// The HTTP status.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message.
    #[must_use]
    pub fn message(&self) -> &str {
        match self {
            Self::NotFound(m) | Self::BadRequest(m) | Self::Internal(m) => m,
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        match e {
            Error::NoStory(_) | Error::NoArticle(_) | Error::NoFeed(_) => {
                Self::NotFound(e.to_string())
            }
            other => {
                tracing::error!(error = %other, "web request failed");
                Self::Internal(other.to_string())
            }
        }
    }
}

thread_local! {
    /// The connection this blocking worker keeps open: (database path, store).
    static OPEN: RefCell<Option<(PathBuf, Store)>> = const { RefCell::new(None) };
}

/// Runs `f` on a blocking worker, over that worker's connection to `db`, inside one read
/// transaction.
async fn with_store<T, F>(db: &Arc<PathBuf>, f: F) -> Result<T, Failure>
where
    T: Send + 'static,
    F: FnOnce(&Store) -> Result<T, Failure> + Send + 'static,
{
    let db = Arc::clone(db);
    tokio::task::spawn_blocking(move || read(&db, f))
        .await
        .map_err(|e| Failure::Internal(format!("request worker failed: {e}")))?
}

/// [`with_store`] on the current thread.
fn read<T>(db: &Path, f: impl FnOnce(&Store) -> Result<T, Failure>) -> Result<T, Failure> {
    OPEN.with(|cell| {
        let mut cell = cell.borrow_mut();
        if cell.as_ref().is_none_or(|(p, _)| p != db) {
            *cell = None;
            *cell = Some((db.to_path_buf(), Store::open(db)?));
        }
        let Some((_, store)) = cell.as_ref() else {
            return Err(Failure::Internal("no database connection".into()));
        };
        let out = store.snapshot(f);
        if matches!(out, Err(Failure::Internal(_))) {
            // A connection that failed is not trusted for the next request.
            *cell = None;
        }
        out
    })
}

/// Content types.
pub(crate) mod mime {
    /// HTML pages.
    pub const HTML: &str = "text/html; charset=utf-8";
    /// The JSON API.
    pub const JSON: &str = "application/json";
    /// Atom.
    pub const ATOM: &str = "application/atom+xml; charset=utf-8";
    /// JSON Feed.
    pub const JSON_FEED: &str = "application/feed+json; charset=utf-8";
    /// Prometheus text exposition format 0.0.4.
    pub const PROMETHEUS: &str = "text/plain; version=0.0.4; charset=utf-8";
    /// Plain text (errors of the machine routes).
    pub const TEXT: &str = "text/plain; charset=utf-8";
}

/// A page: HTML with a policy that lets nothing but its own inline style run, so a slip
/// in escaping still could not execute a script.
fn html_response(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime::HTML));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \
             form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    r
}

/// A machine-readable body with its content type.
fn typed_response(status: StatusCode, content_type: &'static str, body: String) -> Response {
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}
