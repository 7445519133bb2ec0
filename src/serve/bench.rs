//! How fast a story page renders on a large database (the goal: under 50 ms on 100,000
//! articles), and a way to build such a database: worlds of feeds generated from a
//! labelled set (`firsthand_world`), each repetition's text disguised so that it forms
//! stories of its own, ingested through the normal pipeline. `examples/serve_bench.rs`
//! runs both.

use super::pages::{StoryPage, story_lookup};
use crate::cluster::{Config, Matcher};
use crate::dataset::Doc;
use crate::pipeline;
use crate::store::Store;
use std::path::Path;
use std::time::{Duration, Instant};

/// Timing of one story's page.
#[derive(Debug, Clone)]
pub struct Timing {
    /// Story id.
    pub story: i64,
    /// Its members.
    pub members: i64,
    /// Page size in bytes.
    pub bytes: usize,
    /// First render on a freshly opened database connection (open included).
    pub cold: Duration,
    /// Median of the warm renders (the server keeps a connection per worker).
    pub median: Duration,
    /// Slowest warm render.
    pub max: Duration,
}

/// Times the page of the largest story and of a story of median size, `rounds` times
/// each: lookup, one read transaction, the queries and the HTML (no HTTP).
///
/// # Errors
/// Database failures; a database without stories.
pub fn story_page(db: &Path, rounds: usize) -> anyhow::Result<Vec<Timing>> {
    let sizes = Store::open(db)?.story_sizes()?;
    let multi: Vec<_> = sizes.iter().filter(|s| s.1 >= 2).collect();
    let picks = [multi.get(multi.len() / 2), sizes.last().as_ref()]
        .into_iter()
        .flatten()
        .map(|s| **s)
        .collect::<Vec<_>>();
    anyhow::ensure!(!picks.is_empty(), "{} holds no stories", db.display());
    let mut out = Vec::new();
    for (id, members) in picks {
        let t = Instant::now();
        let cold_store = Store::open(db)?;
        let bytes = render(&cold_store, id.0)?;
        let cold = t.elapsed();
        drop(cold_store);
        let store = Store::open(db)?;
        let mut times: Vec<Duration> = (0..rounds.max(1))
            .map(|_| {
                let t = Instant::now();
                render(&store, id.0).map(|_| t.elapsed())
            })
            .collect::<anyhow::Result<_>>()?;
        times.sort_unstable();
        out.push(Timing {
            story: id.0,
            members,
            bytes,
            cold,
            median: times[times.len() / 2],
            max: times[times.len() - 1],
        });
    }
    Ok(out)
}

fn render(store: &Store, id: i64) -> anyhow::Result<usize> {
    match store.snapshot(|s| story_lookup(s, id)) {
        Ok(StoryPage::Html(h)) => Ok(h.len()),
        Ok(StoryPage::Redirect(to)) => anyhow::bail!("story {id} redirects to {to}"),
        Err(f) => anyhow::bail!("story {id}: {}", f.message()),
    }
}

/// Builds (or grows) the database at `db` from `worlds` worlds generated from `docs`,
/// each with its own seed and start time; repetitions after the first disguise their
/// text (see [`disguise`]). Calls `progress(world, articles)` after each. Returns the
/// number of articles stored.
///
/// # Errors
/// Database failures.
pub fn build_db(
    db: &Path,
    docs: &[Doc],
    worlds: usize,
    progress: &mut dyn FnMut(usize, i64),
) -> anyhow::Result<i64> {
    let mut store = Store::open(db)?;
    let mut matcher = Matcher::new(Config::default());
    let base = firsthand_world::Options::default();
    let now = crate::store::now();
    for r in 0..worlds {
        let opt = firsthand_world::Options {
            seed: base.seed + r as u64,
            start: base.start + chrono::Duration::days(7 * i64::try_from(r).unwrap_or(0)),
            ..base
        };
        let world = if r == 0 {
            firsthand_world::build(docs, &opt)
        } else {
            let docs: Vec<Doc> = docs.iter().map(|d| disguise(d, r)).collect();
            firsthand_world::build(&docs, &opt)
        };
        for f in &world.feeds {
            // Never fetched: the feeds go straight into the pipeline.
            let url = format!("http://bench.invalid{}", f.path);
            let (parsed, articles) = pipeline::articles(&f.body, &url, &url)?;
            let (feed, _) = store.add_feed(&url, parsed.title.as_deref(), now)?;
            pipeline::store_document(&mut store, feed, &url, &articles, None, now.timestamp())?;
        }
        pipeline::place_pending(&mut store, &mut matcher, now.timestamp(), &mut |_| {})?;
        progress(r + 1, store.counts()?.articles);
    }
    Ok(store.counts()?.articles)
}

const LATIN: [&str; 10] = ["", "qx", "qz", "xq", "zq", "qj", "jq", "xz", "zx", "qk"];
const CYRILLIC: [&str; 10] = ["", "ъщ", "щъ", "ыъ", "ъы", "йъ", "ъй", "ьъ", "ъь", "ыщ"];
const CJK: [char; 10] = ['〇', '甲', '乙', '丙', '丁', '戊', '己', '庚', '辛', '壬'];

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30FF}' | '\u{4E00}'..='\u{9FFF}')
}

/// Repetition `r` of a document: its own id and story, every word suffixed in its own
/// script, CJK text interleaved with a marker, digits shifted. No shingle, number or name
/// of one repetition matches another's, while the copies within a repetition still share
/// theirs, so each repetition forms stories of the same shapes as the first.
#[must_use]
pub fn disguise(d: &Doc, r: usize) -> Doc {
    let k = r % 10;
    let times = r / 10 + 1;
    let (latin, cyrillic) = (LATIN[k].repeat(times), CYRILLIC[k].repeat(times));
    let mut text = String::with_capacity(d.text.len() * 2);
    let mut word_script: Option<bool> = None; // Some(is_cyrillic) inside a word
    for c in d.text.chars() {
        let letter = c.is_alphabetic() && !is_cjk(c);
        if !letter && let Some(cyr) = word_script.take() {
            text.push_str(if cyr { &cyrillic } else { &latin });
        }
        if let Some(digit) = c.to_digit(10).filter(|_| c.is_ascii_digit()) {
            let shifted = (digit + u32::try_from(k).unwrap_or(0)) % 10;
            text.push(char::from_digit(shifted, 10).unwrap_or(c));
            continue;
        }
        text.push(c);
        if letter {
            word_script = Some(('\u{0400}'..='\u{04FF}').contains(&c));
        } else if is_cjk(c) && k > 0 {
            text.push(CJK[k]);
        }
    }
    if let Some(cyr) = word_script {
        text.push_str(if cyr { &cyrillic } else { &latin });
    }
    Doc {
        id: format!("{}~{r}", d.id),
        cluster: format!("{}~{r}", d.cluster),
        text,
        ..d.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Doc {
        Doc {
            id: "a".into(),
            cluster: "c".into(),
            lang: "en".into(),
            text: text.into(),
            is_original: true,
            url: None,
            title: None,
            published: None,
            role: None,
            system: None,
        }
    }

    #[test]
    fn disguise_changes_every_word_and_number_consistently() {
        let d = disguise(&doc("Musk bought 10,000 GPUs.\nМаск 中文"), 1);
        assert_eq!(d.text, "Muskqx boughtqx 21,111 GPUsqx.\nМаскъщ 中甲文甲");
        assert_eq!(d.id, "a~1");
        assert_eq!(d.cluster, "c~1");
        assert_eq!(disguise(&doc("x 1"), 0).text, "x 1");
    }
}
