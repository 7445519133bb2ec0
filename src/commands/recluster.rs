//! `firsthand recluster [--since D]`: fingerprint and match stored articles again, in a
//! fixed order, so that the same articles give the same stories whatever order they came in.

use super::now;
use crate::cluster::{Config, Matcher};
use crate::store::Store;
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
    let n = recluster(store, since, now().timestamp(), matching)?;
    eprintln!("reclustered {n} article(s)");
    Ok(ExitCode::SUCCESS)
}

/// Fingerprints the articles first seen since `since` again (boilerplate known now, new
/// thresholds) and places each again in order of (publication time, key); every placement
/// regroups the article's story, so stories keep their ids while their members are
/// re-decided. Returns how many.
///
/// # Errors
/// Database failures.
pub fn recluster(
    store: &mut Store,
    since: i64,
    now: i64,
    matching: &Config,
) -> crate::Result<usize> {
    let ids = store.article_ids_since(since)?;
    if let Some(model) = &matching.model {
        crate::pipeline::embed_missing(store, model, &ids, &mut |_| {})?;
    }
    let mut matcher = Matcher::new(matching.clone());
    store.write(|tx| {
        let mut order = Vec::with_capacity(ids.len());
        for &id in &ids {
            let (title, paragraphs, lang, site) = Store::article_text(tx, id)?;
            let fp = crate::pipeline::fingerprint_text(
                tx,
                &title,
                &paragraphs,
                &lang,
                site.as_deref().unwrap_or(""),
            )?;
            Store::unindex_article(tx, id)?;
            Store::update_fingerprint(tx, id, &fp)?;
            Store::index_article(tx, id, &fp, &lang)?;
            order.push((Store::order_key(tx, id)?, id));
        }
        order.sort();
        for (_, id) in order {
            matcher.place(tx, id, now)?;
            Store::remove_pending(tx, id)?;
        }
        matcher.finish(tx, now)
    })?;
    Ok(ids.len())
}
