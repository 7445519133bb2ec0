//! Feed discovery for `feeds add`: from a page URL to the feed URLs to subscribe to.
//!
//! Order: the URL itself when it already serves a feed; else the page's
//! `<link rel="alternate">` feeds; else the first of a few well-known paths on the same
//! origin that serves one. Requests go one at a time, through the caller's [`Fetcher`].

use url::Url;

use super::PollError;
use super::fetch::{FetchOutcome, FetchRequest, Fetcher, only_http};
use super::html::{base_href, feed_links, looks_like_feed};

/// Paths tried on the page's origin when the page names no feed, in this order.
pub const WELL_KNOWN_PATHS: [&str; 5] = ["/feed", "/rss", "/atom.xml", "/feed.xml", "/index.xml"];

/// The feed URLs `page_url` leads to, best first, without duplicates. Links found in the
/// page are returned as advertised (resolved, not fetched); a URL that already serves a
/// feed comes back as given, or as its new URL after a 301/308 (not after 302/307).
pub async fn discover(fetcher: &Fetcher, page_url: &str) -> Result<Vec<String>, PollError> {
    let start = only_http(page_url)?;
    let (body, final_url, permanent) = match fetcher.fetch(&request(&start)).await {
        FetchOutcome::Fetched {
            body,
            final_url,
            permanent_redirect,
            ..
        } => (body, final_url, permanent_redirect),
        FetchOutcome::Failed { error, .. } => {
            return Err(PollError::Fetch {
                url: start.to_string(),
                reason: error,
            });
        }
        // not sent conditionally, so a 304 is the server's confusion
        FetchOutcome::NotModified { .. } => {
            return Err(PollError::Fetch {
                url: start.to_string(),
                reason: "http 304 not modified to an unconditional request".to_string(),
            });
        }
    };
    if looks_like_feed(&body) {
        return Ok(vec![
            permanent.unwrap_or_else(|| page_url.trim().to_string()),
        ]);
    }

    // relative links resolve against the page as served (after redirects) and its <base>
    let page = Url::parse(&final_url).unwrap_or(start);
    let html = String::from_utf8_lossy(&body);
    let base = base_href(&html)
        .and_then(|b| page.join(b.trim()).ok())
        .unwrap_or_else(|| page.clone());
    let mut found: Vec<String> = Vec::new();
    for href in feed_links(&html) {
        if let Ok(url) = base.join(&href)
            && matches!(url.scheme(), "http" | "https")
        {
            let url = String::from(url);
            if !found.contains(&url) {
                found.push(url);
            }
        }
    }
    if !found.is_empty() {
        return Ok(found);
    }

    for path in WELL_KNOWN_PATHS {
        let Ok(probe) = page.join(path) else {
            continue;
        };
        if let FetchOutcome::Fetched {
            body,
            permanent_redirect,
            ..
        } = fetcher.fetch(&request(&probe)).await
            && looks_like_feed(&body)
        {
            return Ok(vec![
                permanent_redirect.unwrap_or_else(|| probe.to_string()),
            ]);
        }
    }
    Err(PollError::NoFeed {
        url: page_url.to_string(),
    })
}

/// An unconditional request for discovery (no feed id yet).
fn request(url: &Url) -> FetchRequest {
    FetchRequest {
        feed_id: 0,
        url: url.to_string(),
        etag: None,
        last_modified: None,
    }
}
