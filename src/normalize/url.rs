//! URL canonicalisation: the same article reached by different links gets one key.
//!
//! Lowercase scheme and host, no fragment, no default port, tracking parameters
//! (utm_*, fbclid, gclid, mc_*, …) removed, remaining query parameters sorted, `www.`
//! kept (some sites serve different content there) but a trailing `/` on paths dropped.

use url::Url;

const TRACKING_PREFIXES: &[&str] = &["utm_", "mc_", "pk_", "piwik_", "matomo_", "hsa_", "_hs"];
const TRACKING_PARAMS: &[&str] = &[
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "yclid",
    "igshid",
    "mkt_tok",
    "_ga",
    "_gl",
    "ref_src",
    "ref_url",
    "cmpid",
    "ncid",
    "ocid",
    "spm",
    "share",
    "from",
    "feature",
    "__twitter_impression",
    "rss",
    "rss_source",
    "mbid",
    "oly_enc_id",
    "oly_anon_id",
    "vero_id",
    "wt_mc",
    "wt.mc_id",
    "at_medium",
    "at_campaign",
    "sr_share",
    "s_cid",
    "campaign",
];

/// Canonical form of `raw`, resolved against `base` when relative; `None` when it is not
/// an http(s) URL.
#[must_use]
pub fn canonical(raw: &str, base: Option<&Url>) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let mut url = match Url::parse(raw) {
        Ok(u) => u,
        Err(url::ParseError::RelativeUrlWithoutBase) => base?.join(raw).ok()?,
        Err(_) => return None,
    };
    if url.scheme() != "http" && url.scheme() != "https" {
        return None;
    }
    url.set_fragment(None);
    // `url` already lowercases the host and drops default ports.
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !is_tracking(k))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        let mut kept = kept;
        kept.sort();
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    let _ = url.set_username("");
    let _ = url.set_password(None);
    // Every trailing '/' goes (not just one), so that the result is canonical again.
    if url.query().is_none() && url.path().len() > 1 && url.path().ends_with('/') {
        let path = url.path().trim_end_matches('/').to_string();
        url.set_path(&path);
    }
    Some(url.to_string())
}

fn is_tracking(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    TRACKING_PARAMS.contains(&k.as_str()) || TRACKING_PREFIXES.iter().any(|p| k.starts_with(p))
}

/// The site of a URL: its host without `www.`, lowercase.
#[must_use]
pub fn site(url: &str) -> Option<String> {
    let u = Url::parse(url).ok()?;
    let host = u.host_str()?.to_ascii_lowercase();
    Some(host.strip_prefix("www.").unwrap_or(&host).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_cases() {
        let base = Url::parse("https://example.com/news/").ok();
        let cases: &[(&str, Option<&str>)] = &[
            (
                "https://Example.COM/a?utm_source=x&b=2&a=1#frag",
                Some("https://example.com/a?a=1&b=2"),
            ),
            ("http://example.com:80/a/", Some("http://example.com/a")),
            ("https://example.com:443/", Some("https://example.com/")),
            (
                "https://example.com:8443/x",
                Some("https://example.com:8443/x"),
            ),
            ("/story/1?fbclid=abc", Some("https://example.com/story/1")),
            ("story/2", Some("https://example.com/news/story/2")),
            (
                "https://x.com/?gclid=1&mc_cid=2&mc_eid=3",
                Some("https://x.com/"),
            ),
            (
                "https://x.com/p?id=5&utm_medium=rss",
                Some("https://x.com/p?id=5"),
            ),
            ("ftp://x.com/a", None),
            ("javascript:alert(1)", None),
            ("mailto:a@b.c", None),
            ("", None),
            ("https://user:pw@x.com/a", Some("https://x.com/a")),
        ];
        for (input, want) in cases {
            assert_eq!(canonical(input, base.as_ref()).as_deref(), *want, "{input}");
        }
    }

    #[test]
    fn canonical_is_idempotent() {
        for s in [
            "https://Example.com/a/?utm_x=1&z=2&a=1#x",
            "http://b.org:80/",
        ] {
            let once = canonical(s, None);
            assert!(once.is_some());
            assert_eq!(once.as_deref().and_then(|o| canonical(o, None)), once);
        }
    }

    #[test]
    fn site_drops_www() {
        assert_eq!(
            site("https://www.ifanr.com/123").as_deref(),
            Some("ifanr.com")
        );
    }
}
