//! Many fetches at once under two limits: `concurrency` requests in flight overall and
//! `per_host` to any one host. Results go out on a channel as each fetch ends, so the
//! caller stores them while the rest are still in flight.

use std::collections::BTreeMap;
use std::sync::Arc;

use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;

use super::fetch::{FetchOutcome, FetchRequest, Fetcher};

impl Fetcher {
    /// Fetches every request and sends `(request, outcome)` on `tx` as each one ends, in
    /// completion order. Returns when all are sent, or early when the receiver is dropped
    /// (the fetches still in flight are then cancelled).
    ///
    /// A request waits for its host's slot before it takes a global one, so a slow host
    /// with many feeds never holds the global slots other hosts could use. Hosts are
    /// told apart by host name and port; an unparsable URL fails at once in
    /// [`Fetcher::fetch`].
    pub async fn fetch_all(
        &self,
        reqs: Vec<FetchRequest>,
        tx: mpsc::Sender<(FetchRequest, FetchOutcome)>,
    ) {
        let global = Arc::new(Semaphore::new(self.cfg.concurrency));
        let mut hosts: BTreeMap<String, Arc<Semaphore>> = BTreeMap::new();
        let mut tasks = JoinSet::new();
        for req in reqs {
            let host = Arc::clone(
                hosts
                    .entry(host_key(&req.url))
                    .or_insert_with(|| Arc::new(Semaphore::new(self.cfg.per_host))),
            );
            let global = Arc::clone(&global);
            let fetcher = self.clone();
            let tx = tx.clone();
            tasks.spawn(async move {
                // the semaphores are never closed, so acquiring cannot fail; if it ever
                // did, fetching without the permit is the lesser harm than dropping a feed
                let _host = host.acquire_owned().await.ok();
                let _global = global.acquire_owned().await.ok();
                if tx.is_closed() {
                    return Err(());
                }
                let outcome = fetcher.fetch(&req).await;
                tx.send((req, outcome)).await.map_err(|_| ())
            });
        }
        drop(tx);
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok(Ok(())) => {}
                // the receiver is gone: nobody wants the rest
                Ok(Err(())) => {
                    tasks.abort_all();
                }
                Err(e) if e.is_cancelled() => {}
                Err(e) => tracing::error!(error = %e, "fetch task failed"),
            }
        }
    }
}

/// `host:port` for the per-host limit; the raw string when the URL does not parse.
fn host_key(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => format!(
            "{}:{}",
            u.host_str().unwrap_or_default().to_ascii_lowercase(),
            u.port_or_known_default().unwrap_or(0)
        ),
        Err(_) => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_keys() {
        assert_eq!(host_key("https://Example.com/a"), "example.com:443");
        assert_eq!(host_key("http://example.com/b"), "example.com:80");
        assert_eq!(host_key("http://127.0.0.1:8080/"), "127.0.0.1:8080");
        assert_eq!(host_key("nonsense"), "nonsense");
    }
}
