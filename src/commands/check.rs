//! `firsthand check [--repair] [--json]`: the store's invariants (see `store::check`),
//! like `git fsck`. Exit 0 when sound, 1 when problems remain.

use super::PARTIAL;
use firsthand::cluster::{Config, Matcher};
use firsthand::domain::StoryId;
use firsthand::store::Store;
use firsthand::store::check::{Problem, Repairs};
use firsthand::store::now;
use serde::Serialize;
use std::process::ExitCode;

/// What `check --json` prints.
#[derive(Debug, Serialize)]
pub struct Report {
    /// No problem found (after the repair, when one ran).
    pub sound: bool,
    /// Problems found (after the repair, when one ran).
    pub problems: Vec<Problem>,
    /// Problems found before the repair.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found: Option<Vec<Problem>>,
    /// What the repair did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repaired: Option<Repaired>,
}

/// What a repair did, as reported.
#[derive(Debug, Serialize)]
pub struct Repaired {
    /// The store's part.
    #[serde(flatten)]
    pub store: Repairs,
    /// Articles placed into stories again.
    pub placed: usize,
}

/// Runs the check (and the repair).
///
/// # Errors
/// Database failures.
pub fn run(
    store: &mut Store,
    repair: bool,
    json: bool,
    matching: &Config,
) -> anyhow::Result<ExitCode> {
    let report = check(store, repair, matching)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(&report);
    }
    Ok(if report.sound {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(PARTIAL)
    })
}

/// Checks the store; with `repair`, mends what it found and checks again.
///
/// # Errors
/// Database failures.
pub fn check(store: &mut Store, repair: bool, matching: &Config) -> firsthand::Result<Report> {
    let found = store.check()?;
    if !repair || found.is_empty() {
        return Ok(Report {
            sound: found.is_empty(),
            problems: found,
            found: None,
            repaired: None,
        });
    }
    let t = now().timestamp();
    let repairs = store.write(|tx| Store::repair(tx, &found))?;
    // Requeued articles are placed as a poll places them; then the stories that lost or
    // gained members, or had a wrong original, are decided again.
    let mut matcher = Matcher::new(matching.clone());
    let placed = firsthand::pipeline::place_pending(store, &mut matcher, t, &mut |_| {})?;
    let mut matcher = Matcher::new(matching.clone());
    store.write(|tx| {
        let live: Vec<StoryId> = Store::live_stories(tx, &repairs.redecide)?;
        matcher.decide_again(tx, &live, t)
    })?;
    let problems = store.check()?;
    Ok(Report {
        sound: problems.is_empty(),
        problems,
        found: Some(found),
        repaired: Some(Repaired {
            store: repairs,
            placed,
        }),
    })
}

fn print_report(r: &Report) {
    if let (Some(found), Some(rep)) = (&r.found, &r.repaired) {
        println!("found {} problem(s):", found.len());
        for p in found {
            println!("  {p}");
        }
        println!(
            "repaired: {} article(s) placed again ({} requeued), {} merge(s) undone, {} story original(s) decided again, {} vector(s) of another model removed{}",
            rep.placed,
            rep.store.requeued,
            rep.store.unmerged,
            rep.store.redecide.len(),
            rep.store.vectors_removed,
            rep.store.reindexed.map_or(String::new(), |n| format!(
                ", index rebuilt from {n} fingerprint(s)"
            )),
        );
    }
    if r.sound {
        println!("ok: every invariant holds");
    } else {
        println!("{} problem(s):", r.problems.len());
        for p in &r.problems {
            println!("  {p}");
        }
    }
}
