//! The poller against real HTTP on 127.0.0.1: axum servers (and raw TCP for the
//! misbehaving ones) started inside each test. Never the network. Tests assert
//! outcomes, not how fast they came.

use std::error::Error;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{TimeDelta, Utc};
use firsthand::poll::{
    FetchOutcome, FetchRequest, Fetcher, PollConfig, PollError, discover, retry_at,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

type TestResult = Result<(), Box<dyn Error>>;

const RSS: &str =
    "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title></channel></rss>";
const MIB: usize = 1024 * 1024;

/// Limits small enough that the misbehaving servers hit them quickly.
fn config() -> PollConfig {
    PollConfig {
        connect_timeout: Duration::from_secs(2),
        total_timeout: Duration::from_secs(2),
        max_body: MIB,
        ..PollConfig::default()
    }
}

fn fetcher() -> Result<Fetcher, PollError> {
    Fetcher::new(&config())
}

fn request(url: impl Into<String>) -> FetchRequest {
    FetchRequest {
        feed_id: 1,
        url: url.into(),
        etag: None,
        last_modified: None,
    }
}

/// Serves `router` on an ephemeral port; returns `http://127.0.0.1:PORT`.
async fn serve(router: Router) -> Result<String, Box<dyn Error>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok(format!("http://{addr}"))
}

struct Fetched {
    body: Vec<u8>,
    content_type: Option<String>,
    etag: Option<String>,
    last_modified: Option<String>,
    final_url: String,
    permanent_redirect: Option<String>,
    max_age: Option<Duration>,
}

fn fetched(out: FetchOutcome) -> Result<Fetched, Box<dyn Error>> {
    match out {
        FetchOutcome::Fetched {
            body,
            content_type,
            etag,
            last_modified,
            final_url,
            permanent_redirect,
            cache,
        } => Ok(Fetched {
            body,
            content_type,
            etag,
            last_modified,
            final_url,
            permanent_redirect,
            max_age: cache.max_age,
        }),
        other => Err(format!("expected fetched, got {other:?}").into()),
    }
}

struct Failed {
    error: String,
    status: Option<u16>,
    retry_after: Option<Duration>,
    gone: bool,
}

fn failed(out: FetchOutcome) -> Result<Failed, Box<dyn Error>> {
    match out {
        FetchOutcome::Failed {
            error,
            status,
            retry_after,
            gone,
        } => Ok(Failed {
            error,
            status,
            retry_after,
            gone,
        }),
        other => Err(format!("expected failed, got {other:?}").into()),
    }
}

fn header_is(headers: &HeaderMap, name: header::HeaderName, want: &str) -> bool {
    headers.get(name).and_then(|v| v.to_str().ok()) == Some(want)
}

#[tokio::test]
async fn etag_then_not_modified() -> TestResult {
    let base = serve(Router::new().route(
        "/feed",
        get(|headers: HeaderMap| async move {
            if header_is(&headers, header::IF_NONE_MATCH, "\"v1\"") {
                StatusCode::NOT_MODIFIED.into_response()
            } else {
                (
                    [
                        (header::ETAG, "\"v1\""),
                        (header::CONTENT_TYPE, "application/rss+xml"),
                        (header::CACHE_CONTROL, "public, max-age=600"),
                    ],
                    RSS,
                )
                    .into_response()
            }
        }),
    ))
    .await?;
    let f = fetcher()?;
    let mut req = request(format!("{base}/feed"));
    let first = fetched(f.fetch(&req).await)?;
    assert_eq!(first.body, RSS.as_bytes());
    assert_eq!(first.etag.as_deref(), Some("\"v1\""));
    assert_eq!(first.content_type.as_deref(), Some("application/rss+xml"));
    assert_eq!(first.max_age, Some(Duration::from_secs(600)));
    assert_eq!(first.final_url, format!("{base}/feed"));
    assert_eq!(first.permanent_redirect, None);

    req.etag = first.etag;
    let second = f.fetch(&req).await;
    assert!(
        matches!(
            second,
            FetchOutcome::NotModified { cache, permanent_redirect: None }
                if cache.max_age.is_none()
        ),
        "{second:?}"
    );
    Ok(())
}

#[tokio::test]
async fn last_modified_then_not_modified() -> TestResult {
    const LM: &str = "Wed, 21 Oct 2015 07:28:00 GMT";
    let base = serve(Router::new().route(
        "/feed",
        get(|headers: HeaderMap| async move {
            if header_is(&headers, header::IF_MODIFIED_SINCE, LM) {
                StatusCode::NOT_MODIFIED.into_response()
            } else {
                ([(header::LAST_MODIFIED, LM)], RSS).into_response()
            }
        }),
    ))
    .await?;
    let f = fetcher()?;
    let mut req = request(format!("{base}/feed"));
    let first = fetched(f.fetch(&req).await)?;
    assert_eq!(first.last_modified.as_deref(), Some(LM));
    assert_eq!(first.etag, None);
    req.last_modified = first.last_modified;
    let second = f.fetch(&req).await;
    assert!(
        matches!(second, FetchOutcome::NotModified { .. }),
        "{second:?}"
    );
    Ok(())
}

#[tokio::test]
async fn user_agent_names_firsthand() -> TestResult {
    let base = serve(Router::new().route(
        "/ua",
        get(|headers: HeaderMap| async move {
            headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        }),
    ))
    .await?;
    let got = fetched(fetcher()?.fetch(&request(format!("{base}/ua"))).await)?;
    let ua = String::from_utf8(got.body)?;
    assert!(ua.starts_with("firsthand/"), "{ua}");
    assert!(ua.ends_with("(+feed deduplicator)"), "{ua}");
    Ok(())
}

#[tokio::test]
async fn error_statuses() -> TestResult {
    let base = serve(
        Router::new()
            .route("/404", get(|| async { StatusCode::NOT_FOUND }))
            .route("/410", get(|| async { StatusCode::GONE }))
            .route("/500", get(|| async { StatusCode::INTERNAL_SERVER_ERROR })),
    )
    .await?;
    let f = fetcher()?;

    let e = failed(f.fetch(&request(format!("{base}/404"))).await)?;
    assert_eq!(e.error, "http 404 not found");
    assert_eq!(e.status, Some(404));
    assert!(!e.gone);
    assert_eq!(e.retry_after, None);

    let e = failed(f.fetch(&request(format!("{base}/410"))).await)?;
    assert_eq!(e.error, "http 410 gone");
    assert_eq!(e.status, Some(410));
    assert!(e.gone);

    let e = failed(f.fetch(&request(format!("{base}/500"))).await)?;
    assert_eq!(e.error, "http 500 internal server error");
    assert_eq!(e.status, Some(500));
    assert!(!e.gone);
    Ok(())
}

#[tokio::test]
async fn too_many_requests_with_retry_after() -> TestResult {
    let in_two_hours = (Utc::now() + TimeDelta::hours(2))
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    let base = serve(
        Router::new()
            .route(
                "/429",
                get(|| async {
                    (
                        StatusCode::TOO_MANY_REQUESTS,
                        [(header::RETRY_AFTER, "3600")],
                    )
                }),
            )
            .route(
                "/503",
                get(move || async move {
                    (
                        StatusCode::SERVICE_UNAVAILABLE,
                        [(header::RETRY_AFTER, in_two_hours)],
                    )
                }),
            ),
    )
    .await?;
    let f = fetcher()?;

    let e = failed(f.fetch(&request(format!("{base}/429"))).await)?;
    assert_eq!(e.error, "http 429 too many requests");
    assert_eq!(e.status, Some(429));
    assert_eq!(e.retry_after, Some(Duration::from_secs(3600)));
    let now = Utc::now();
    let cfg = PollConfig {
        max_interval: Duration::from_secs(30 * 60),
        ..config()
    };
    let at = retry_at(now, &cfg, 1, e.retry_after, 42);
    assert!(at >= now + TimeDelta::hours(1), "{at} is before {now} + 1h");

    let e = failed(f.fetch(&request(format!("{base}/503"))).await)?;
    assert_eq!(e.status, Some(503));
    let wait = e
        .retry_after
        .ok_or("no retry-after parsed from an http date")?;
    assert!(
        wait > Duration::from_secs(100 * 60) && wait <= Duration::from_secs(7200),
        "{wait:?}"
    );
    Ok(())
}

fn redirect(status: StatusCode, to: &str) -> Response {
    (status, [(header::LOCATION, to.to_string())]).into_response()
}

#[tokio::test]
async fn redirects_permanent_and_temporary() -> TestResult {
    let base = serve(
        Router::new()
            .route("/new", get(|| async { RSS }))
            .route(
                "/moved",
                get(|| async { redirect(StatusCode::MOVED_PERMANENTLY, "/new") }),
            )
            .route(
                "/moved308",
                get(|| async { redirect(StatusCode::PERMANENT_REDIRECT, "new") }),
            )
            .route(
                "/found",
                get(|| async { redirect(StatusCode::FOUND, "/new") }),
            )
            .route(
                "/temp307",
                get(|| async { redirect(StatusCode::TEMPORARY_REDIRECT, "/new") }),
            )
            // 301 to a 302: the feed moved to /found, which is only temporarily elsewhere
            .route(
                "/chain",
                get(|| async { redirect(StatusCode::MOVED_PERMANENTLY, "/found") }),
            )
            // 302 to a 301: the move behind a temporary redirect is not ours to record
            .route(
                "/temp-then-moved",
                get(|| async { redirect(StatusCode::FOUND, "/moved") }),
            ),
    )
    .await?;
    let f = fetcher()?;
    let new = format!("{base}/new");

    for (path, permanent) in [
        ("/moved", Some(new.clone())),
        ("/moved308", Some(new.clone())),
        ("/found", None),
        ("/temp307", None),
        ("/chain", Some(format!("{base}/found"))),
        ("/temp-then-moved", None),
    ] {
        let got = fetched(f.fetch(&request(format!("{base}{path}"))).await)?;
        assert_eq!(got.body, RSS.as_bytes(), "{path}");
        assert_eq!(got.final_url, new, "{path}");
        assert_eq!(got.permanent_redirect, permanent, "{path}");
    }
    Ok(())
}

#[tokio::test]
async fn permanent_redirect_reported_with_not_modified() -> TestResult {
    let base = serve(
        Router::new()
            .route(
                "/old",
                get(|| async { redirect(StatusCode::MOVED_PERMANENTLY, "/new") }),
            )
            .route("/new", get(|| async { StatusCode::NOT_MODIFIED })),
    )
    .await?;
    let mut req = request(format!("{base}/old"));
    req.etag = Some("\"x\"".to_string());
    let out = fetcher()?.fetch(&req).await;
    let want = Some(format!("{base}/new"));
    assert!(
        matches!(&out, FetchOutcome::NotModified { permanent_redirect, .. } if *permanent_redirect == want),
        "{out:?}"
    );
    Ok(())
}

#[tokio::test]
async fn redirect_loops_and_chains_fail() -> TestResult {
    let base = serve(
        Router::new()
            .route("/a", get(|| async { redirect(StatusCode::FOUND, "/b") }))
            .route(
                "/b",
                get(|| async { redirect(StatusCode::MOVED_PERMANENTLY, "/a") }),
            )
            .route(
                "/self",
                get(|| async { redirect(StatusCode::FOUND, "/self") }),
            )
            .route(
                "/r/{n}",
                get(|Path(n): Path<u32>| async move {
                    redirect(StatusCode::FOUND, &format!("/r/{}", n + 1))
                }),
            )
            .route("/nowhere", get(|| async { StatusCode::MOVED_PERMANENTLY }))
            .route(
                "/to-file",
                get(|| async { redirect(StatusCode::FOUND, "file:///etc/passwd") }),
            ),
    )
    .await?;
    let f = fetcher()?;

    for path in ["/a", "/self"] {
        let e = failed(f.fetch(&request(format!("{base}{path}"))).await)?;
        assert!(e.error.starts_with("redirect loop"), "{path}: {}", e.error);
    }
    let e = failed(f.fetch(&request(format!("{base}/r/0"))).await)?;
    assert_eq!(e.error, "too many redirects (more than 5)");
    let e = failed(f.fetch(&request(format!("{base}/nowhere"))).await)?;
    assert!(e.error.contains("location"), "{}", e.error);
    let e = failed(f.fetch(&request(format!("{base}/to-file"))).await)?;
    assert!(e.error.contains("only http and https"), "{}", e.error);

    // exactly max_redirects hops are still followed
    let base2 = serve(Router::new().route(
        "/r/{n}",
        get(|Path(n): Path<u32>| async move {
            if n == 5 {
                RSS.into_response()
            } else {
                redirect(StatusCode::FOUND, &format!("/r/{}", n + 1))
            }
        }),
    ))
    .await?;
    let got = fetched(f.fetch(&request(format!("{base2}/r/0"))).await)?;
    assert_eq!(got.final_url, format!("{base2}/r/5"));
    Ok(())
}

/// A raw server that sends headers promising a large body, then one byte at a time.
async fn trickle_server() -> Result<String, Box<dyn Error>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = sock.read(&mut buf).await;
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 100000\r\n\r\n";
                if sock.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                for _ in 0..600 {
                    if sock.write_all(b"x").await.is_err() || sock.flush().await.is_err() {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            });
        }
    });
    Ok(format!("http://{addr}"))
}

#[tokio::test]
async fn trickling_body_times_out() -> TestResult {
    let base = trickle_server().await?;
    let e = failed(fetcher()?.fetch(&request(format!("{base}/feed"))).await)?;
    assert_eq!(e.error, "timed out after 2s");
    assert_eq!(e.status, None);
    Ok(())
}

#[tokio::test]
async fn oversized_body_fails() -> TestResult {
    let base = serve(
        Router::new()
            .route("/big", get(|| async { vec![b'a'; 2 * MIB] }))
            .route("/exact", get(|| async { vec![b'a'; MIB] })),
    )
    .await?;
    let f = fetcher()?;
    let e = failed(f.fetch(&request(format!("{base}/big"))).await)?;
    assert_eq!(e.error, "body larger than 1 MiB");
    let got = fetched(f.fetch(&request(format!("{base}/exact"))).await)?;
    assert_eq!(got.body.len(), MIB);
    Ok(())
}

fn gzip(data: &[u8], times: usize) -> std::io::Result<Vec<u8>> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    for _ in 0..times {
        enc.write_all(data)?;
    }
    enc.finish()
}

#[tokio::test]
async fn gzip_is_decoded_and_a_gzip_bomb_stops_at_the_cap() -> TestResult {
    let small = gzip(RSS.as_bytes(), 1)?;
    // 64 MiB of zeros in about 64 KiB on the wire
    let bomb = gzip(&vec![0u8; MIB], 64)?;
    assert!(bomb.len() < MIB / 4);
    let base = serve(
        Router::new()
            .route(
                "/small",
                get(move || async move { ([(header::CONTENT_ENCODING, "gzip")], small) }),
            )
            .route(
                "/bomb",
                get(move || async move { ([(header::CONTENT_ENCODING, "gzip")], bomb) }),
            ),
    )
    .await?;
    let f = fetcher()?;
    let got = fetched(f.fetch(&request(format!("{base}/small"))).await)?;
    assert_eq!(got.body, RSS.as_bytes());
    let e = failed(f.fetch(&request(format!("{base}/bomb"))).await)?;
    assert_eq!(e.error, "body larger than 1 MiB");
    Ok(())
}

#[tokio::test]
async fn random_bytes_are_fetched_as_is() -> TestResult {
    // a fixed xorshift stream: arbitrary bytes, the same every run
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes: Vec<u8> = (0..4096)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x.to_le_bytes()[0]
        })
        .collect();
    let served = bytes.clone();
    let base = serve(Router::new().route(
        "/noise",
        get(move || async move { ([(header::CONTENT_TYPE, "application/octet-stream")], served) }),
    ))
    .await?;
    let got = fetched(fetcher()?.fetch(&request(format!("{base}/noise"))).await)?;
    assert_eq!(got.body, bytes);
    Ok(())
}

#[tokio::test]
async fn connection_reset_and_refused_fail() -> TestResult {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            drop(sock);
        }
    });
    let e = failed(
        fetcher()?
            .fetch(&request(format!("http://{addr}/feed")))
            .await,
    )?;
    assert_eq!(e.error, "connection reset");
    assert_eq!(e.status, None);

    let closed = TcpListener::bind("127.0.0.1:0").await?;
    let addr = closed.local_addr()?;
    drop(closed);
    let e = failed(
        fetcher()?
            .fetch(&request(format!("http://{addr}/feed")))
            .await,
    )?;
    assert_eq!(e.error, "connection refused");
    Ok(())
}

#[tokio::test]
async fn non_http_urls_are_refused() -> TestResult {
    let e = failed(fetcher()?.fetch(&request("file:///tmp/feed.xml")).await)?;
    assert!(
        e.error.contains("only http and https feeds are fetched"),
        "{}",
        e.error
    );
    assert!(e.error.contains("firsthand ingest"), "{}", e.error);
    Ok(())
}

/// How long a held request waits for the others before the gate gives up (and opens for
/// good, so a fetcher that never reaches the limit fails quickly, not by timing out).
const HOLD: Duration = Duration::from_secs(5);

#[derive(Default)]
struct GateState {
    /// Requests arrived and not yet answered.
    in_flight: usize,
    /// The most ever in flight at once.
    peak: usize,
    /// Requests held, waiting for the current batch to fill.
    waiting: usize,
    /// Times a batch of `size` requests was in flight together.
    full_batches: usize,
    /// Set when a request waited `HOLD` in vain: nothing is held any more.
    open: bool,
}

/// A server-side gate that holds each request until `size` are in flight at once, then
/// answers them all: a fetcher that allows `size` requests at once gets through batch
/// after batch; one that allows fewer leaves the gate waiting, and the test sees it.
struct Gate {
    size: usize,
    state: std::sync::Mutex<GateState>,
    batch: tokio::sync::watch::Sender<u64>,
}

impl Gate {
    fn new(size: usize) -> Arc<Self> {
        Arc::new(Self {
            size,
            state: std::sync::Mutex::new(GateState::default()),
            batch: tokio::sync::watch::Sender::new(0),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, GateState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    async fn pass(&self) {
        let mut released = self.batch.subscribe();
        let mine = {
            let mut st = self.lock();
            st.in_flight += 1;
            st.peak = st.peak.max(st.in_flight);
            st.waiting += 1;
            let mine = *self.batch.borrow();
            if st.open {
                st.waiting -= 1;
                None
            } else if st.waiting >= self.size {
                st.waiting = 0;
                st.full_batches += 1;
                self.batch.send_modify(|b| *b += 1);
                None
            } else {
                Some(mine)
            }
        };
        if let Some(mine) = mine {
            let waited = tokio::time::timeout(HOLD, released.wait_for(|b| *b > mine)).await;
            if !matches!(waited, Ok(Ok(_))) {
                let mut st = self.lock();
                st.open = true;
                st.waiting = 0;
                self.batch.send_modify(|b| *b += 1);
            }
        }
        self.lock().in_flight -= 1;
    }

    fn router(self: &Arc<Self>) -> Router {
        let gate = Arc::clone(self);
        Router::new().route(
            "/{n}",
            get(move || {
                let gate = Arc::clone(&gate);
                async move {
                    gate.pass().await;
                    RSS
                }
            }),
        )
    }
}

/// `config()` with room for a request to be held by a [`Gate`] without timing out.
fn patient(concurrency: usize, per_host: usize) -> PollConfig {
    PollConfig {
        concurrency,
        per_host,
        total_timeout: HOLD * 2,
        ..config()
    }
}

async fn collect(f: &Fetcher, reqs: Vec<FetchRequest>) -> Vec<(FetchRequest, FetchOutcome)> {
    let (tx, mut rx) = mpsc::channel(4);
    let (_, results) = tokio::join!(f.fetch_all(reqs, tx), async {
        let mut got = Vec::new();
        while let Some(item) = rx.recv().await {
            got.push(item);
        }
        got
    });
    results
}

#[tokio::test]
async fn per_host_limit_is_reached_and_respected() -> TestResult {
    let gate = Gate::new(2);
    let base = serve(gate.router()).await?;
    let f = Fetcher::new(&patient(32, 2))?;
    let reqs: Vec<_> = (0..10)
        .map(|n| FetchRequest {
            feed_id: n,
            ..request(format!("{base}/{n}"))
        })
        .collect();
    let mut results = collect(&f, reqs).await;
    results.sort_by_key(|(req, _)| req.feed_id);
    assert_eq!(results.len(), 10);
    for (n, (req, out)) in results.into_iter().enumerate() {
        assert_eq!(req.feed_id, i64::try_from(n)?);
        assert_eq!(fetched(out)?.body, RSS.as_bytes());
    }
    let st = gate.lock();
    assert_eq!(st.peak, 2, "peak requests in flight to one host");
    assert!(
        !st.open,
        "a request waited {HOLD:?} for a second one to one host"
    );
    assert_eq!(st.full_batches, 5, "ten requests, two at a time");
    Ok(())
}

#[tokio::test]
async fn global_limit_is_reached_and_respected_across_hosts() -> TestResult {
    // three servers on three ports (three hosts) behind one gate: three in flight at once
    // needs two hosts at least, as each host allows two
    let gate = Gate::new(3);
    let mut bases = Vec::new();
    for _ in 0..3 {
        bases.push(serve(gate.router()).await?);
    }
    let f = Fetcher::new(&patient(3, 2))?;
    let reqs: Vec<_> = (0..12)
        .map(|n| request(format!("{}/{n}", bases[n % 3])))
        .collect();
    let results = collect(&f, reqs).await;
    assert_eq!(results.len(), 12);
    for (_, out) in results {
        fetched(out)?;
    }
    let st = gate.lock();
    assert_eq!(st.peak, 3, "peak requests in flight overall");
    // The last requests may all be to one host (two at a time), so the gate may have to
    // give up on the last batch: only the peak and one full batch are required.
    assert!(
        st.full_batches >= 1,
        "never three requests in flight at once"
    );
    Ok(())
}

#[tokio::test]
async fn fetch_all_stops_when_the_receiver_is_gone() -> TestResult {
    const PER_HOST: usize = 2;
    const FEEDS: usize = 40;
    // Counts every request, and those that arrive once the receiver is dropped.
    let dropped = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (total, late) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let router = {
        let (dropped, total, late) = (Arc::clone(&dropped), Arc::clone(&total), Arc::clone(&late));
        Router::new().route(
            "/{n}",
            get(move || {
                let (dropped, total, late) =
                    (Arc::clone(&dropped), Arc::clone(&total), Arc::clone(&late));
                async move {
                    total.fetch_add(1, Ordering::SeqCst);
                    if dropped.load(Ordering::SeqCst) {
                        late.fetch_add(1, Ordering::SeqCst);
                    }
                    RSS
                }
            }),
        )
    };
    let base = serve(router).await?;
    let f = Fetcher::new(&patient(32, PER_HOST))?;
    let reqs: Vec<_> = (0..FEEDS).map(|n| request(format!("{base}/{n}"))).collect();
    let (tx, mut rx) = mpsc::channel(1);
    let consumer = async move {
        // take one result, then go away
        let first = rx.recv().await;
        dropped.store(true, Ordering::SeqCst);
        drop(rx);
        first
    };
    let ((), first) = tokio::time::timeout(Duration::from_secs(20), async {
        tokio::join!(f.fetch_all(reqs, tx), consumer)
    })
    .await
    .map_err(|_| "fetch_all kept going after the receiver was dropped")?;
    fetched(first.ok_or("no first result")?.1)?;
    // Once the receiver is gone, only fetches that already held a slot may still reach
    // the server; before that, one result was taken, one may wait in the channel and the
    // rest are blocked sending while holding their slots.
    let (late, total) = (late.load(Ordering::SeqCst), total.load(Ordering::SeqCst));
    assert!(
        late <= PER_HOST,
        "{late} requests arrived after the receiver was dropped (limit {PER_HOST} per host)"
    );
    assert!(
        total <= 2 + PER_HOST,
        "{total} of {FEEDS} feeds fetched for a receiver that took one result"
    );
    Ok(())
}

#[tokio::test]
async fn discover_finds_link_alternate() -> TestResult {
    let page = r#"<!doctype html><html><head><title>blog</title>
        <link rel="alternate" type="application/rss+xml" title="RSS" href="/posts/rss.xml">
        <link rel='alternate' type='application/atom+xml' href='atom.xml'>
        <link rel="alternate" type="application/feed+json" href="https://elsewhere.test/feed.json">
        <link rel="stylesheet" href="/style.css">
        </head><body>hello</body></html>"#;
    let base = serve(Router::new().route(
        "/blog/",
        get(move || async move { ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page) }),
    ))
    .await?;
    let found = discover(&fetcher()?, &format!("{base}/blog/")).await?;
    assert_eq!(
        found,
        vec![
            format!("{base}/posts/rss.xml"),
            format!("{base}/blog/atom.xml"),
            "https://elsewhere.test/feed.json".to_string(),
        ]
    );
    Ok(())
}

#[tokio::test]
async fn discover_returns_a_feed_url_as_is() -> TestResult {
    let json_feed = r#"{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": []}"#;
    let base = serve(
        Router::new()
            .route("/rss", get(|| async { RSS }))
            .route("/feed.json", get(move || async move { json_feed }))
            .route(
                "/old",
                get(|| async { redirect(StatusCode::MOVED_PERMANENTLY, "/rss") }),
            ),
    )
    .await?;
    let f = fetcher()?;
    assert_eq!(
        discover(&f, &format!("{base}/rss")).await?,
        vec![format!("{base}/rss")]
    );
    assert_eq!(
        discover(&f, &format!("{base}/feed.json")).await?,
        vec![format!("{base}/feed.json")]
    );
    assert_eq!(
        discover(&f, &format!("{base}/old")).await?,
        vec![format!("{base}/rss")]
    );
    Ok(())
}

#[tokio::test]
async fn discover_tries_well_known_paths() -> TestResult {
    let base = serve(
        Router::new()
            .route(
                "/",
                get(|| async { "<html><head><title>no links</title></head></html>" }),
            )
            .route("/rss", get(|| async { "<html>not a feed either</html>" }))
            .route("/feed.xml", get(|| async { RSS })),
    )
    .await?;
    let found = discover(&fetcher()?, &format!("{base}/")).await?;
    assert_eq!(found, vec![format!("{base}/feed.xml")]);
    Ok(())
}

#[tokio::test]
async fn discover_without_feeds_is_a_clear_error() -> TestResult {
    let base = serve(Router::new().route(
        "/page",
        get(|| async { "<html><head><link rel=stylesheet href=/s.css></head></html>" }),
    ))
    .await?;
    let f = fetcher()?;
    let url = format!("{base}/page");
    let err = discover(&f, &url).await.err().ok_or("expected an error")?;
    assert!(matches!(err, PollError::NoFeed { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "no feed found at {url} (no <link rel=alternate> and none of /feed, /rss, /atom.xml, /feed.xml, /index.xml)"
        )
    );

    let err = discover(&f, &format!("{base}/missing"))
        .await
        .err()
        .ok_or("expected an error")?;
    assert_eq!(
        err.to_string(),
        format!("{base}/missing: http 404 not found")
    );

    let err = discover(&f, "file:///tmp/feed.xml")
        .await
        .err()
        .ok_or("expected an error")?;
    assert!(matches!(err, PollError::NotHttp { .. }), "{err:?}");
    Ok(())
}
