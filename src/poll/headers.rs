//! Pure parsers for the response headers that steer scheduling: Retry-After,
//! Cache-Control max-age, Expires, and the three HTTP date formats (RFC 9110 §5.6.7).
//! `now` is passed in so every result is deterministic.

use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};

/// What the server said about how long its response stays fresh.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheHints {
    /// `Cache-Control: max-age`, when present and valid.
    pub max_age: Option<Duration>,
    /// `Expires`, when present and a valid HTTP date.
    pub expires: Option<DateTime<Utc>>,
}

/// Parses an HTTP date in any of the three formats servers send: IMF-fixdate
/// (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and
/// asctime (`Sun Nov  6 08:49:37 1994`). `None` for anything else.
pub fn parse_http_date(value: &str) -> Option<DateTime<Utc>> {
    let value = value.trim();
    if let Ok(d) = DateTime::parse_from_rfc2822(value) {
        return Some(d.with_timezone(&Utc));
    }
    const OTHER_FORMATS: [&str; 2] = ["%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"];
    OTHER_FORMATS.iter().find_map(|f| {
        NaiveDateTime::parse_from_str(value, f)
            .ok()
            .map(|n| n.and_utc())
    })
}

/// Parses a `Retry-After` value: delay-seconds (`3600`) or an HTTP date, turned into a
/// delay from `now` (a date in the past gives zero). `None` when it is neither.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return value.parse::<u64>().ok().map(Duration::from_secs);
    }
    let at = parse_http_date(value)?;
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

/// Reads the `Cache-Control` and `Expires` header values into [`CacheHints`].
/// `no-store` and `no-cache` drop max-age (the feed may change at any time); an
/// invalid Expires (`0`, `-1`) is ignored rather than taken as "already expired".
pub fn parse_cache_hints(cache_control: Option<&str>, expires: Option<&str>) -> CacheHints {
    let mut max_age = None;
    let mut uncacheable = false;
    for directive in cache_control.unwrap_or_default().split(',') {
        let (name, arg) = match directive.split_once('=') {
            Some((n, a)) => (n.trim(), Some(a.trim().trim_matches('"'))),
            None => (directive.trim(), None),
        };
        if name.eq_ignore_ascii_case("max-age") {
            max_age = arg
                .and_then(|a| a.parse::<u64>().ok())
                .map(Duration::from_secs);
        } else if name.eq_ignore_ascii_case("no-store") || name.eq_ignore_ascii_case("no-cache") {
            uncacheable = true;
        }
    }
    CacheHints {
        max_age: if uncacheable { None } else { max_age },
        expires: expires.and_then(parse_http_date),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn http_dates_in_all_three_formats() {
        let want = Some(t(1994, 11, 6, 8, 49, 37));
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), want);
        assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), want);
        assert_eq!(parse_http_date("Sun Nov  6 08:49:37 1994"), want);
        assert_eq!(parse_http_date(" Sun, 06 Nov 1994 08:49:37 GMT "), want);
        assert_eq!(parse_http_date("0"), None);
        assert_eq!(parse_http_date("-1"), None);
        assert_eq!(parse_http_date(""), None);
        assert_eq!(parse_http_date("tomorrow"), None);
    }

    #[test]
    fn retry_after_seconds() {
        let now = t(2024, 1, 1, 0, 0, 0);
        assert_eq!(
            parse_retry_after("3600", now),
            Some(Duration::from_secs(3600))
        );
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("-5", now), None);
        assert_eq!(parse_retry_after("1.5", now), None);
        assert_eq!(parse_retry_after("", now), None);
        assert_eq!(parse_retry_after("soon", now), None);
        // more digits than a u64 holds is garbage, not a panic
        assert_eq!(parse_retry_after("99999999999999999999999", now), None);
    }

    #[test]
    fn retry_after_dates() {
        let now = t(2024, 1, 1, 0, 0, 0);
        assert_eq!(
            parse_retry_after("Mon, 01 Jan 2024 02:00:00 GMT", now),
            Some(Duration::from_secs(7200))
        );
        // a date in the past means "now"
        assert_eq!(
            parse_retry_after("Sun, 31 Dec 2023 23:00:00 GMT", now),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn cache_control_and_expires() {
        let h = parse_cache_hints(Some("public, max-age=600"), None);
        assert_eq!(h.max_age, Some(Duration::from_secs(600)));
        assert_eq!(h.expires, None);

        let h = parse_cache_hints(
            Some("Max-Age=\"60\""),
            Some("Sun, 06 Nov 1994 08:49:37 GMT"),
        );
        assert_eq!(h.max_age, Some(Duration::from_secs(60)));
        assert_eq!(h.expires, Some(t(1994, 11, 6, 8, 49, 37)));

        let h = parse_cache_hints(Some("no-cache, max-age=600"), Some("0"));
        assert_eq!(h, CacheHints::default());

        let h = parse_cache_hints(Some("max-age=abc"), None);
        assert_eq!(h.max_age, None);
        assert_eq!(parse_cache_hints(None, None), CacheHints::default());
    }
}
