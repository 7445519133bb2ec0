//! Query parameters of every route, read as text and checked here, so that a bad value
//! gets a 400 that says which parameter and why.

use super::Failure;
use serde::Deserialize;
use std::time::Duration;

/// The query string (unknown parameters are ignored).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Params {
    /// `since=24h`: only stories updated within this duration.
    pub since: Option<String>,
    /// `limit=N` (API): at most N stories.
    pub limit: Option<String>,
    /// `all=1`: single-article stories too.
    pub all: Option<String>,
    /// `lang=de`: stories with a member in this language.
    pub lang: Option<String>,
    /// `site=example.com`: stories with a member from this site.
    pub site: Option<String>,
    /// `q=…`: title search.
    pub q: Option<String>,
    /// `page=N`: the page of the index, from 1.
    pub page: Option<String>,
    /// `url=…`: the article URL to trace (origin).
    pub url: Option<String>,
}

fn text(v: Option<&String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

impl Params {
    /// `since` as a duration.
    ///
    /// # Errors
    /// 400 when it is not a duration such as `30m`, `24h`, `7d`.
    pub fn since(&self) -> Result<Option<Duration>, Failure> {
        text(self.since.as_ref())
            .map(|s| {
                crate::config::parse_duration(&s)
                    .map_err(|e| Failure::BadRequest(format!("since: {e}")))
            })
            .transpose()
    }

    /// `limit` as a count.
    ///
    /// # Errors
    /// 400 when it is not a non-negative integer.
    pub fn limit(&self) -> Result<Option<i64>, Failure> {
        text(self.limit.as_ref())
            .map(|s| {
                s.parse::<u32>().map(i64::from).map_err(|_| {
                    Failure::BadRequest(format!("limit: expected a number of stories, got {s:?}"))
                })
            })
            .transpose()
    }

    /// `all` as a flag (`all`, `all=1`, `all=true`, `all=on` …).
    ///
    /// # Errors
    /// 400 for a value that is neither yes nor no.
    pub fn all(&self) -> Result<bool, Failure> {
        match self.all.as_deref().map(|s| s.trim().to_ascii_lowercase()) {
            None => Ok(false),
            Some(v) => match v.as_str() {
                "" | "1" | "true" | "yes" | "on" => Ok(true),
                "0" | "false" | "no" | "off" => Ok(false),
                _ => Err(Failure::BadRequest(format!(
                    "all: expected 1 or 0, got {v:?}"
                ))),
            },
        }
    }

    /// `page`, from 1.
    ///
    /// # Errors
    /// 400 when it is not a positive integer.
    pub fn page(&self) -> Result<u32, Failure> {
        match text(self.page.as_ref()) {
            None => Ok(1),
            Some(s) => s.parse::<u32>().ok().filter(|p| *p >= 1).ok_or_else(|| {
                Failure::BadRequest(format!("page: expected a page number from 1, got {s:?}"))
            }),
        }
    }

    /// `lang`, trimmed and lowercased, when given.
    #[must_use]
    pub fn lang(&self) -> Option<String> {
        text(self.lang.as_ref()).map(|s| s.to_lowercase())
    }

    /// `site`, trimmed, when given.
    #[must_use]
    pub fn site(&self) -> Option<String> {
        text(self.site.as_ref())
    }

    /// `q`, trimmed, when given.
    #[must_use]
    pub fn q(&self) -> Option<String> {
        text(self.q.as_ref())
    }

    /// `url`, trimmed, when given.
    #[must_use]
    pub fn url(&self) -> Option<String> {
        text(self.url.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_refuses_values() {
        let p = Params {
            since: Some("24h".into()),
            limit: Some("5".into()),
            all: Some(String::new()),
            page: Some("2".into()),
            lang: Some(" DE ".into()),
            ..Params::default()
        };
        assert_eq!(p.since().unwrap(), Some(Duration::from_secs(86_400)));
        assert_eq!(p.limit().unwrap(), Some(5));
        assert!(p.all().unwrap());
        assert_eq!(p.page().unwrap(), 2);
        assert_eq!(p.lang().as_deref(), Some("de"));
        let bad = Params {
            since: Some("soon".into()),
            limit: Some("-1".into()),
            all: Some("maybe".into()),
            page: Some("0".into()),
            ..Params::default()
        };
        assert!(matches!(bad.since(), Err(Failure::BadRequest(_))));
        assert!(matches!(bad.limit(), Err(Failure::BadRequest(_))));
        assert!(matches!(bad.all(), Err(Failure::BadRequest(_))));
        assert!(matches!(bad.page(), Err(Failure::BadRequest(_))));
        assert_eq!(Params::default().since().unwrap(), None);
        assert!(!Params::default().all().unwrap());
    }
}
