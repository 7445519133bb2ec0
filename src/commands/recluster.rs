//! `firsthand recluster [--since D]`: fingerprint and match stored articles again, in a
//! fixed order, so that the same articles give the same stories whatever order they came in.

use firsthand::cluster::{Config, Matcher};
use firsthand::domain::{ArticleId, StoryId};
use firsthand::store::Store;
use firsthand::store::now;
use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Duration;

/// Runs recluster.
///
/// # Errors
/// Database failures.
pub fn run(
    store: &mut Store,
    since: Option<Duration>,
    matching: &Config,
) -> anyhow::Result<ExitCode> {
    let since = since.map_or(i64::MIN, |d| {
        now().timestamp() - i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2)
    });
    // PostgreSQL: no poller places (or stores) meanwhile.
    store.lock_placement()?;
    let n = recluster(store, since, now().timestamp(), matching);
    store.unlock_placement()?;
    let n = n?;
    eprintln!("reclustered {n} article(s)");
    Ok(ExitCode::SUCCESS)
}

/// Fingerprints the articles first seen since `since` again (boilerplate known now, new
/// thresholds) and places them again from scratch in order of (publication time, key):
/// the stories are those a first placement in that order makes. A story id of before
/// resolves to the story that holds most of its articles now. Returns how many.
///
/// # Errors
/// Database failures.
pub fn recluster(
    store: &mut Store,
    since: i64,
    now: i64,
    matching: &Config,
) -> firsthand::Result<usize> {
    let ids = store.article_ids_since(since)?;
    if let Some(model) = &matching.model {
        firsthand::pipeline::embed_missing(store, model, &ids, &mut |_| {})?;
    }
    let mut matcher = Matcher::new(matching.clone());
    store.write(|tx| {
        let mut order = Vec::with_capacity(ids.len());
        for &id in &ids {
            let (title, paragraphs, lang, site) = Store::article_text(tx, id)?;
            let fp = firsthand::pipeline::fingerprint_text(
                tx,
                &title,
                &paragraphs,
                &lang,
                site.as_deref().unwrap_or(""),
            )?;
            Store::unindex_article(tx, id)?;
            Store::update_fingerprint(tx, id, &fp)?;
            Store::index_article(tx, id, &fp, &lang, &title)?;
            let (published, ukey) = Store::order_key(tx, id)?;
            // The order of `pending`: dated articles by time, then the undated, then by key.
            order.push(((published.is_none(), published, ukey), id));
        }
        order.sort();
        // Placed again from scratch, as a first placement in this order would place them:
        // the result does not depend on the stories they were in.
        let mut was: Vec<(ArticleId, Option<StoryId>)> = Vec::with_capacity(order.len());
        for &(_, id) in &order {
            was.push((id, Store::story_of(tx, id)?));
            Store::remove_member(tx, id)?;
        }
        for &(_, id) in &order {
            matcher.place(tx, id, now)?;
            Store::remove_pending(tx, id)?;
        }
        matcher.second_look(tx, now)?;
        // An old story id keeps resolving: to the story that holds most of its articles.
        let mut went: BTreeMap<StoryId, BTreeMap<StoryId, usize>> = BTreeMap::new();
        for (id, old) in was {
            if let (Some(old), Some(new)) = (old, Store::story_of(tx, id)?) {
                *went.entry(old).or_default().entry(new).or_default() += 1;
            }
        }
        let mut decide = Vec::new();
        for (old, to) in went {
            let Some((&into, _)) = to.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))) else {
                continue;
            };
            if into != old && Store::story_size_upto(tx, old, 1)? == 0 {
                Store::merge_story(tx, old, into, "reclustered", now)?;
            } else {
                decide.push(old);
            }
        }
        let live = Store::live_stories(tx, &decide.iter().map(|s| s.0).collect::<Vec<_>>())?;
        matcher.decide_again(tx, &live, now)
    })?;
    Ok(ids.len())
}
