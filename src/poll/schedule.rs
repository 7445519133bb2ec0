//! When to poll a feed next: pure and deterministic, with `now` and a jitter seed
//! passed in. Healthy feeds follow the server's cache hints, the feed's own TTL or its
//! publishing rhythm, inside `[min_interval, max_interval]`; failing feeds back off
//! exponentially, and Retry-After is always honoured. A ±10% jitter drawn from the seed
//! keeps feeds added together from being polled together forever.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use twox_hash::XxHash3_64;

use super::PollConfig;
use super::headers::CacheHints;

/// Seed for the jitter hashes; fixed so a schedule can be replayed.
const JITTER_HASH_SEED: u64 = 0x6669_7273_7468_616e; // "firsthan"

/// Interval used when nothing tells how often the feed changes.
const DEFAULT_INTERVAL: Duration = Duration::from_secs(60 * 60);

/// Share of the median gap between items to wait: polling twice per gap finds a new item
/// half a gap after it appears, on average, without polling a daily feed hourly.
const PUBLISH_FRACTION_NUM: u32 = 1;
const PUBLISH_FRACTION_DEN: u32 = 2;

/// Jitter amplitude in thousandths (100 = ±10%).
const JITTER_PERMILLE: i128 = 100;

/// A seed for [`next_poll`] and [`retry_at`] that differs per feed and per poll, so two
/// feeds never share a jitter and one feed's jitter changes from poll to poll.
pub fn jitter_seed(feed_id: i64, now: DateTime<Utc>) -> u64 {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&feed_id.to_le_bytes());
    bytes[8..].copy_from_slice(&now.timestamp().to_le_bytes());
    XxHash3_64::oneshot_with_seed(JITTER_HASH_SEED, &bytes)
}

/// When to poll a healthy feed next.
///
/// The interval is the largest of the server's `max-age`, its `Expires` and the feed's
/// own TTL when any is given; else a half of `publish_interval` (the median gap between
/// recent items); else one hour. It is clamped to `[min_interval, max_interval]` and
/// jittered by up to ±10% without leaving that range.
pub fn next_poll(
    now: DateTime<Utc>,
    cfg: &PollConfig,
    hints: &CacheHints,
    rss_ttl: Option<Duration>,
    publish_interval: Option<Duration>,
    jitter_seed: u64,
) -> DateTime<Utc> {
    let expires_in = hints
        .expires
        .map(|at| (at - now).to_std().unwrap_or(Duration::ZERO));
    let hinted = [hints.max_age, expires_in, rss_ttl]
        .into_iter()
        .flatten()
        .max();
    let base = hinted
        .or_else(|| publish_interval.map(|gap| gap * PUBLISH_FRACTION_NUM / PUBLISH_FRACTION_DEN))
        .unwrap_or(DEFAULT_INTERVAL);
    let delay = jitter_within(base, cfg.min_interval, cfg.max_interval, jitter_seed);
    add(now, delay)
}

/// When to retry a failing feed. `error_count` counts consecutive failures including
/// this one: `min_interval` after the first, doubling with each further one up to
/// `max_interval`, jittered by ±10% inside that range. Never
/// earlier than `now + retry_after`, even when that is beyond `max_interval`: the
/// server asked, and hammering it would only prolong the failure.
pub fn retry_at(
    now: DateTime<Utc>,
    cfg: &PollConfig,
    error_count: u32,
    retry_after: Option<Duration>,
    jitter_seed: u64,
) -> DateTime<Utc> {
    let doublings = error_count.saturating_sub(1).min(64);
    let min_ms = cfg.min_interval.as_millis();
    let backoff_ms = min_ms.saturating_mul(1u128 << doublings);
    let base = from_millis(backoff_ms.min(cfg.max_interval.as_millis()));
    let mut delay = jitter_within(base, cfg.min_interval, cfg.max_interval, jitter_seed);
    if let Some(wait) = retry_after
        && wait > delay
    {
        // upwards only: feeds told the same Retry-After by one host come back spread out
        let spread = (jitter(jitter_seed) + JITTER_PERMILLE) / 2;
        delay = wait.saturating_add(scale(wait, spread));
    }
    add(now, delay)
}

/// `base` moved by the seed's jitter, kept in `[min, max]` by reflecting at the edges so
/// feeds pinned at a bound still spread out.
fn jitter_within(base: Duration, min: Duration, max: Duration, seed: u64) -> Duration {
    let (min, max) = (
        min.as_millis() as i128,
        max.as_millis().max(min.as_millis()) as i128,
    );
    let base = (base.as_millis() as i128).clamp(min, max);
    let mut ms = base + base * jitter(seed) / 1000;
    if ms < min {
        ms = min + (min - ms);
    }
    if ms > max {
        ms = max - (ms - max);
    }
    from_millis(ms.clamp(min, max).unsigned_abs())
}

/// A jitter in thousandths, uniform in `[-JITTER_PERMILLE, JITTER_PERMILLE]`.
fn jitter(seed: u64) -> i128 {
    let h = XxHash3_64::oneshot_with_seed(JITTER_HASH_SEED, &seed.to_le_bytes());
    i128::from(h % (2 * JITTER_PERMILLE as u64 + 1)) - JITTER_PERMILLE
}

/// `d * permille / 1000` for a non-negative `permille`.
fn scale(d: Duration, permille: i128) -> Duration {
    from_millis((d.as_millis() as i128 * permille.max(0) / 1000).unsigned_abs())
}

fn from_millis(ms: u128) -> Duration {
    Duration::from_millis(u64::try_from(ms).unwrap_or(u64::MAX))
}

/// `now + d`, saturating at the largest representable time.
fn add(now: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    TimeDelta::from_std(d)
        .ok()
        .and_then(|delta| now.checked_add_signed(delta))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const HOUR: Duration = Duration::from_secs(3600);

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0)
            .single()
            .unwrap_or_default()
    }

    fn delay(at: DateTime<Utc>) -> Duration {
        (at - now()).to_std().unwrap_or_default()
    }

    fn within(d: Duration, center: Duration) -> bool {
        d >= center * 9 / 10 && d <= center * 11 / 10
    }

    #[test]
    fn default_is_an_hour_with_jitter() {
        let cfg = PollConfig::default();
        let h = CacheHints::default();
        for seed in 0..500 {
            let d = delay(next_poll(now(), &cfg, &h, None, None, seed));
            assert!(within(d, HOUR), "seed {seed}: {d:?}");
        }
    }

    #[test]
    fn jitter_spreads_and_is_deterministic() {
        let cfg = PollConfig::default();
        let h = CacheHints::default();
        let a: Vec<_> = (0..100)
            .map(|s| next_poll(now(), &cfg, &h, None, None, s))
            .collect();
        let b: Vec<_> = (0..100)
            .map(|s| next_poll(now(), &cfg, &h, None, None, s))
            .collect();
        assert_eq!(a, b);
        let mut distinct = a.clone();
        distinct.sort();
        distinct.dedup();
        assert!(distinct.len() > 50, "{} distinct", distinct.len());
        assert_ne!(jitter_seed(1, now()), jitter_seed(2, now()));
    }

    #[test]
    fn largest_hint_wins() {
        let cfg = PollConfig::default();
        let hints = CacheHints {
            max_age: Some(Duration::from_secs(600)),
            expires: Some(now() + TimeDelta::hours(3)),
        };
        let d = delay(next_poll(
            now(),
            &cfg,
            &hints,
            Some(2 * HOUR),
            Some(HOUR),
            7,
        ));
        assert!(within(d, 3 * HOUR), "{d:?}");
        let d = delay(next_poll(
            now(),
            &cfg,
            &CacheHints::default(),
            Some(2 * HOUR),
            None,
            7,
        ));
        assert!(within(d, 2 * HOUR), "{d:?}");
    }

    #[test]
    fn publish_interval_used_without_hints() {
        let cfg = PollConfig::default();
        let d = delay(next_poll(
            now(),
            &cfg,
            &CacheHints::default(),
            None,
            Some(6 * HOUR),
            3,
        ));
        assert!(within(d, 3 * HOUR), "{d:?}");
    }

    #[test]
    fn clamped_to_min_and_max() {
        let cfg = PollConfig::default();
        for seed in 0..500 {
            let tiny = CacheHints {
                max_age: Some(Duration::from_secs(1)),
                expires: None,
            };
            let d = delay(next_poll(now(), &cfg, &tiny, None, None, seed));
            assert!(
                d >= cfg.min_interval && d <= cfg.min_interval * 11 / 10,
                "{d:?}"
            );
            let huge = CacheHints {
                max_age: Some(365 * 24 * HOUR),
                expires: Some(DateTime::<Utc>::MAX_UTC),
            };
            let d = delay(next_poll(now(), &cfg, &huge, None, None, seed));
            assert!(
                d <= cfg.max_interval && d >= cfg.max_interval * 9 / 10,
                "{d:?}"
            );
        }
    }

    #[test]
    fn past_expires_means_soon() {
        let cfg = PollConfig::default();
        let hints = CacheHints {
            max_age: None,
            expires: Some(now() - TimeDelta::days(1)),
        };
        let d = delay(next_poll(now(), &cfg, &hints, None, None, 1));
        assert!(d <= cfg.min_interval * 11 / 10, "{d:?}");
    }

    #[test]
    fn backoff_doubles_up_to_max() {
        let cfg = PollConfig::default();
        let min = cfg.min_interval;
        for (errors, center) in [
            (0, min),
            (1, min),
            (2, min * 2),
            (3, min * 4),
            (5, min * 16),
        ] {
            for seed in 0..50 {
                let d = delay(retry_at(now(), &cfg, errors, None, seed));
                assert!(within(d, center), "{errors} errors, seed {seed}: {d:?}");
                assert!(d >= cfg.min_interval);
            }
        }
        for errors in [20, 63, 64, 65, 1000, u32::MAX] {
            let d = delay(retry_at(now(), &cfg, errors, None, 9));
            assert!(
                within(d, cfg.max_interval) && d <= cfg.max_interval,
                "{d:?}"
            );
        }
    }

    #[test]
    fn retry_after_is_honoured_beyond_max() {
        let cfg = PollConfig {
            max_interval: Duration::from_secs(30 * 60),
            ..PollConfig::default()
        };
        for seed in 0..200 {
            let at = retry_at(now(), &cfg, 1, Some(HOUR), seed);
            assert!(at >= now() + TimeDelta::hours(1), "seed {seed}");
            assert!(delay(at) <= HOUR * 11 / 10);
        }
        // a short Retry-After does not shorten the backoff
        let d = delay(retry_at(now(), &cfg, 3, Some(Duration::from_secs(1)), 4));
        assert!(within(d, cfg.min_interval * 4), "{d:?}");
    }

    #[test]
    fn absurd_values_saturate() {
        let cfg = PollConfig::default();
        let at = retry_at(now(), &cfg, 1, Some(Duration::MAX), 1);
        assert_eq!(at, DateTime::<Utc>::MAX_UTC);
    }
}
