//! `firsthand poll` (one pass) and `firsthand run` (passes until SIGINT/SIGTERM).
//!
//! A pass is [`firsthand::pipeline::pass::run`]; here its progress and report are printed,
//! and `run` repeats it on an interval until a signal.

use super::PARTIAL;
use crate::cli::{PollArgs, RunArgs};
use firsthand::cluster::Config;
use firsthand::pipeline::pass::{self, PassReport, lock};
use firsthand::poll::PollConfig;
use firsthand::store::Store;
use firsthand::store::feeds::Schedule;
use firsthand::store::now;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

fn config(concurrency: usize, per_host: usize) -> PollConfig {
    PollConfig {
        concurrency: concurrency.max(1),
        per_host: per_host.max(1),
        ..PollConfig::default()
    }
}

/// `firsthand poll [--all]`.
///
/// # Errors
/// Fatal errors (database, runtime).
pub fn poll(store: &mut Store, args: &PollArgs, matching: &Config) -> anyhow::Result<ExitCode> {
    let _lock = lock(store)?;
    let cfg = config(args.concurrency, args.per_host);
    let stop = Arc::new(AtomicBool::new(false));
    let report = pass::run(store, &cfg, matching, args.all, &stop, &mut progress())?;
    print_report(&report, &store.schedule(now())?);
    Ok(if report.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(PARTIAL)
    })
}

fn progress() -> impl FnMut(firsthand::pipeline::Event<'_>) {
    super::progress(std::io::stderr().is_terminal())
}

fn print_report(r: &PassReport, schedule: &Schedule) {
    for (url, why) in &r.failed {
        eprintln!("error: {url}: {why}");
    }
    eprintln!("{}", pass_line(r, schedule, now()));
}

/// The line that ends a pass: what was fetched, and when the feeds that were not due
/// will be (each feed keeps its own schedule, whatever `run --interval` says).
fn pass_line(r: &PassReport, schedule: &Schedule, now: chrono::DateTime<chrono::Utc>) -> String {
    let mut line = format!(
        "polled {} feed(s): {} new article(s), {} not modified, {} failed",
        r.feeds,
        r.new_articles,
        r.not_modified,
        r.failed.len()
    );
    if schedule.polled == 0 {
        line.push_str("; no feeds to poll (add some with `firsthand feeds add URL`)");
        return line;
    }
    let waiting = schedule.polled.saturating_sub(schedule.due);
    match schedule.next_due {
        Some(next) if waiting > 0 => {
            let wait = u64::try_from((next - now).num_seconds()).unwrap_or(0);
            line.push_str(&format!(
                "; {waiting} of {} feed(s) not due yet, the next at {} (in {})",
                schedule.polled,
                next.format("%Y-%m-%d %H:%M UTC"),
                short_duration(wait)
            ));
        }
        _ => {}
    }
    line
}

/// `firsthand run`: a pass every `interval` until SIGINT/SIGTERM.
///
/// # Errors
/// Fatal errors.
pub fn run_forever(
    store: &mut Store,
    args: &RunArgs,
    matching: &Config,
) -> anyhow::Result<ExitCode> {
    let cfg = config(args.concurrency, args.per_host);
    let stop = Arc::new(AtomicBool::new(false));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            rt.block_on(async {
                wait_for_signal().await;
                stop.store(true, Ordering::SeqCst);
            });
        });
    }
    eprintln!(
        "looking for due feeds every {}; each feed is fetched on its own schedule \
         (5m to 24h); Ctrl-C or SIGTERM stops",
        short_duration(args.interval.as_secs())
    );
    while !stop.load(Ordering::SeqCst) {
        {
            let _lock = lock(store)?;
            let report = pass::run(store, &cfg, matching, false, &stop, &mut progress())?;
            print_report(&report, &store.schedule(now())?);
        }
        let until = Instant::now() + args.interval;
        while Instant::now() < until && !stop.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    eprintln!("stopped");
    Ok(ExitCode::SUCCESS)
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// "45s", "54m", "2h 5m", "1d 3h": a wait, to the minute past the first minute.
fn short_duration(secs: u64) -> String {
    let (d, h, m) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{secs}s"),
        (0, 0, m) => format!("{m}m"),
        (0, h, 0) => format!("{h}h"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, 0, _) => format!("{d}d"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pass_line_says_when_the_next_feed_is_due() {
        let now = firsthand::store::time(1_700_000_000);
        let r = PassReport {
            feeds: 2,
            new_articles: 5,
            ..PassReport::default()
        };
        let s = Schedule {
            polled: 10,
            due: 2,
            next_due: Some(now + chrono::Duration::minutes(54)),
        };
        assert_eq!(
            pass_line(&r, &s, now),
            "polled 2 feed(s): 5 new article(s), 0 not modified, 0 failed; \
             8 of 10 feed(s) not due yet, the next at 2023-11-14 23:07 UTC (in 54m)"
        );
        let none = Schedule {
            polled: 0,
            due: 0,
            next_due: None,
        };
        assert!(pass_line(&PassReport::default(), &none, now).contains("no feeds to poll"));
        assert_eq!(short_duration(45), "45s");
        assert_eq!(short_duration(3600 + 300), "1h 5m");
        assert_eq!(short_duration(86_400 * 2 + 3600 * 3 + 59), "2d 3h");
    }
}
