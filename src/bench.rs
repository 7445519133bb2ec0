//! `firsthand bench`: how fast the ingest path is, and how its cost grows with the
//! database.
//!
//! Corpora are generated from a labelled set by realistic edits: story *k* is gold story
//! *k mod n* with every number shifted by an amount derived from *k* and its sentences
//! rotated (so stories about one topic share names but differ in figures, like real news),
//! rendered by [`firsthand_world`] as feeds with same-language reposts, credits, wrong clocks
//! and boilerplate. Batches are read through the whole path (parse, normalise,
//! fingerprint, store, match, origin) into one SQLite file until each size is reached; at
//! each size the marginal cost of the next batch, query times and a cron start are timed.
//! Polling is measured separately against 2,000 feeds served on 127.0.0.1.

use crate::cli::BenchArgs;
use firsthand::cluster::{Config, Matcher};
use firsthand::dataset::Doc;
use firsthand::pipeline;
use firsthand::store::Store;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::OnceLock;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

/// Documents read per batch, before the world's shape adds its copies.
const BATCH: usize = 5_000;

/// The respelling round of the first measured batch (growth batches use rounds from 0 on,
/// far fewer than this).
const PROBE_ROUND: usize = 1_000;

/// The directory the bench's databases and feed files go in (see [`scratch`]).
static SCRATCH: OnceLock<PathBuf> = OnceLock::new();

/// A temporary directory inside the bench's own: removed when the bench ends, and with
/// the rest when it is interrupted. Its databases and feed files take hundreds of
/// megabytes (gigabytes at a million articles); a Ctrl-C must not leave them behind.
fn scratch() -> std::io::Result<tempfile::TempDir> {
    match SCRATCH.get() {
        Some(root) => tempfile::tempdir_in(root),
        None => tempfile::tempdir(),
    }
}

/// Removes `root` and exits with 130 on SIGINT or SIGTERM (watched on a thread of its
/// own, so the measured work is not disturbed).
fn remove_when_interrupted(root: PathBuf) {
    std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        if rt.block_on(interrupted()) {
            let _ = std::fs::remove_dir_all(&root);
            eprintln!("firsthand bench: interrupted; its temporary files are removed");
            std::process::exit(130);
        }
    });
}

/// Waits for SIGINT or SIGTERM; false when they cannot be watched.
async fn interrupted() -> bool {
    #[cfg(unix)]
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    #[cfg(unix)]
    let terminated = async {
        match term.as_mut() {
            Some(t) => t.recv().await.is_some(),
            None => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminated = std::future::pending::<bool>();
    tokio::select! {
        r = tokio::signal::ctrl_c() => r.is_ok(),
        t = terminated => t,
    }
}

/// Peak resident memory of this process so far (Linux; 0 elsewhere).
#[must_use]
pub fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Shifts every ASCII number in `text` by `delta` (keeps the digits' count roughly).
fn shift_numbers(text: &str, delta: u64) -> String {
    let mut out = String::with_capacity(text.len());
    let mut num = String::new();
    let flush = |num: &mut String, out: &mut String| {
        if !num.is_empty() {
            let v: u64 = num.parse().unwrap_or(0);
            out.push_str(&(v + delta).to_string());
            num.clear();
        }
    };
    for c in text.chars() {
        if c.is_ascii_digit() && num.len() < 15 {
            num.push(c);
        } else {
            flush(&mut num, &mut out);
            out.push(c);
        }
    }
    flush(&mut num, &mut out);
    out
}

/// Odd multipliers coprime to 26 (the affine maps of the Latin alphabet).
const COPRIME_26: [u32; 12] = [1, 3, 5, 7, 9, 11, 15, 17, 19, 21, 23, 25];

/// Re-spells every letter by an affine map chosen by `round`, within its own script and
/// case (Latin, Cyrillic, CJK, kana), so that each round's texts share no words or
/// shingles with another round's while keeping their length, script and structure; the
/// versions of one story in one round stay consistent (names still meet across them).
fn respell(text: &str, round: usize) -> String {
    let r = u32::try_from(round).unwrap_or(0);
    let affine = |c: u32, base: u32, n: u32, a: u32, b: u32| base + (a * (c - base) + b) % n;
    let (la, lb) = (COPRIME_26[(r as usize) % 12], (r / 12) % 26 + 1);
    let (ca, cb) = (2 * (r % 16) + 1, r / 16 % 32 + 1);
    text.chars()
        .map(|ch| {
            let c = ch as u32;
            let mapped = match c {
                0x61..=0x7A => affine(c, 0x61, 26, la, lb),
                0x41..=0x5A => affine(c, 0x41, 26, la, lb),
                0x430..=0x44F => affine(c, 0x430, 32, ca, cb),
                0x410..=0x42F => affine(c, 0x410, 32, ca, cb),
                0x4E00..=0x9FFF => affine(c, 0x4E00, 20_992, 2 * r + 1, r * 97),
                0x30A1..=0x30F6 => affine(c, 0x30A1, 86, 1, r % 85 + 1),
                0x3041..=0x3096 => affine(c, 0x3041, 86, 1, r % 85 + 1),
                _ => c,
            };
            char::from_u32(mapped).unwrap_or(ch)
        })
        .collect()
}

/// Story variants `from..to` of the labelled set: `(cluster id, its documents)`; story
/// `k` in round `k / stories`, or in `round` when given.
fn variants(clusters: &[Vec<&Doc>], from: usize, to: usize, round: Option<usize>) -> Vec<Doc> {
    let mut out = Vec::new();
    for k in from..to {
        let base = &clusters[k % clusters.len()];
        let round = round.unwrap_or(k / clusters.len());
        let delta = (round as u64) * 7;
        for d in base {
            let text = if round == 0 {
                d.text.clone()
            } else {
                respell(&shift_numbers(&d.text, delta), round)
            };
            out.push(Doc {
                id: format!("{}#{round}", d.id),
                cluster: format!("{}#{round}", d.cluster),
                text,
                ..(*d).clone()
            });
        }
    }
    out
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// Times of the stages of one batch.
#[derive(Debug, Default, Clone, Copy)]
struct Stages {
    articles: usize,
    /// Reading the feeds: parsed and prepared on every core while what is ready is stored
    /// (and indexed while the next is not ready), as `ingest` reads files.
    read: Duration,
    /// Writing the retrieval index rows (and reading the newest articles into memory).
    index: Duration,
    /// Matching after that: retrieval, decisions, stories, origins.
    place: Duration,
}

impl Stages {
    fn total(&self) -> Duration {
        self.read + self.index + self.place
    }

    fn rate(&self) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let n = self.articles as f64;
        n / secs(self.total()).max(1e-9)
    }
}

/// Reads one batch of generated feeds through the whole path.
fn read_batch(
    store: &mut Store,
    docs: &[Doc],
    shape: firsthand_world::Shape,
    seed: u64,
    start: chrono::DateTime<chrono::Utc>,
    now: i64,
) -> firsthand::Result<Stages> {
    let world = firsthand_world::build(
        docs,
        &firsthand_world::Options {
            shape,
            seed,
            start,
            ..firsthand_world::Options::default()
        },
    );
    let feeds: Vec<(String, Vec<u8>)> = world
        .feeds
        .into_iter()
        .map(|f| (format!("https://bench.example{}", f.path), f.body))
        .collect();
    read_feeds(store, &feeds, world.articles.len(), now)
}

/// Reads feeds (`articles` articles in all) through the whole path, as a run of its own.
fn read_feeds(
    store: &mut Store,
    feeds: &[(String, Vec<u8>)],
    articles: usize,
    now: i64,
) -> firsthand::Result<Stages> {
    let mut st = Stages {
        articles,
        ..Stages::default()
    };
    // Read as `ingest` reads files: parsed and prepared on every core while the main
    // thread stores what is ready and indexes while it waits.
    let t = Instant::now();
    let stored_at = chrono::DateTime::from_timestamp(now, 0).unwrap_or_default();
    let mut failed = None;
    pipeline::ingest::documents(store, feeds, stored_at, &mut |e| {
        if let pipeline::Event::Refused(err) = e {
            failed.get_or_insert_with(|| err.to_string());
        }
    })?;
    if let Some(err) = failed {
        return Err(firsthand::Error::Internal(format!(
            "a generated feed was refused: {err}"
        )));
    }
    st.read = t.elapsed();
    let t = Instant::now();
    let mut matcher = Matcher::new(Config::default());
    let mut indexed = None;
    pipeline::place_pending(store, &mut matcher, now, &mut |p| {
        if let pipeline::Progress::Indexed(_) = p {
            indexed.get_or_insert_with(|| t.elapsed());
        }
    })?;
    let all = t.elapsed();
    st.index = indexed.unwrap_or_default();
    st.place = all.saturating_sub(st.index);
    Ok(st)
}

/// Runs the benchmark and prints its figures.
///
/// # Errors
/// Unreadable dataset, database or server failures.
pub fn run(args: &BenchArgs) -> anyhow::Result<ExitCode> {
    let root = tempfile::Builder::new()
        .prefix("firsthand-bench-")
        .tempdir()?;
    let _ = SCRATCH.set(root.path().to_path_buf());
    remove_when_interrupted(root.path().to_path_buf());
    let mut docs = firsthand::dataset::load(&args.dataset)?;
    if let Some(n) = args.stories {
        firsthand::dataset::keep_stories(&mut docs, n);
    }
    if args.ingest_only {
        ingest_bench(&docs, args.shape, args.feeds_dir.as_deref())?;
        return Ok(ExitCode::SUCCESS);
    }
    if !args.story_sizes.is_empty() {
        story_bench(&docs, &args.story_sizes)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut by_cluster: BTreeMap<&str, Vec<&Doc>> = BTreeMap::new();
    for d in &docs {
        by_cluster.entry(d.cluster.as_str()).or_default().push(d);
    }
    let clusters: Vec<Vec<&Doc>> = by_cluster.into_values().collect();
    let per_story = docs.len() as f64 / clusters.len().max(1) as f64;
    println!(
        "firsthand bench: corpus from {} ({} documents, {} stories), {} cores",
        args.dataset.display(),
        docs.len(),
        clusters.len(),
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
    );
    let dir = scratch()?;
    let db = dir.path().join("bench.db");
    let mut sizes = args.sizes.clone();
    sizes.sort_unstable();
    let mut next_story = 0usize;
    let mut run = Growing {
        store: Store::open(&db)?,
        shape: args.shape,
        start: chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default(),
        batch_no: 0,
        total: Stages::default(),
    };
    // Articles per document of the world's shape (reposts, copies), learnt from each
    // growing batch: batches stay near BATCH articles whatever the shape.
    let mut expand = 1.3f64;
    let stories_per_batch =
        |expand: f64| (BATCH as f64 / per_story / expand).ceil().max(1.0) as usize;
    println!(
        "\n{:>9}  {:>10}  {:>10}  {:>9}  {:>9}  {:>9}  {:>8}  {:>8}  {:>8}  {:>8}  {:>8}",
        "articles",
        "batch a/s",
        "read+store",
        "index",
        "match",
        "per art",
        "stories",
        "story",
        "origin",
        "cron",
        "peak MiB"
    );
    // The batch measured at every size: the same stories each time, in a round of their
    // own per size (new articles, respelled like every later round), so that sizes differ
    // in what is stored and not in the texts placed (stories differ in length and copies).
    let mut probe_stories = None;
    for (probe_no, &size) in sizes.iter().enumerate() {
        while run.total.articles < size {
            let want = stories_per_batch(expand);
            let batch = variants(&clusters, next_story, next_story + want, None);
            next_story += want;
            let st = run.read(&batch)?;
            expand = (st.articles as f64 / batch.len().max(1) as f64).max(0.1);
        }
        let want = *probe_stories.get_or_insert_with(|| stories_per_batch(expand));
        let batch = variants(&clusters, 0, want, Some(PROBE_ROUND + probe_no));
        let before = run.total.articles;
        let st = run.read(&batch)?;
        let (q_stories, q_story, q_origin, cron) = query_times(&run.store, &db)?;
        #[allow(clippy::cast_precision_loss)]
        let per_art_us = secs(st.total()) * 1e6 / st.articles.max(1) as f64;
        println!(
            "{before:>9}  {:>10.0}  {:>9.2}s  {:>8.2}s  {:>8.2}s  {:>7.0}µs  {:>6.1}ms  {:>6.1}ms  {:>6.1}ms  {:>6.1}ms  {:>8.0}",
            st.rate(),
            secs(st.read),
            secs(st.index),
            secs(st.place),
            per_art_us,
            secs(q_stories) * 1e3 / 1.0,
            secs(q_story) * 1e3,
            secs(q_origin) * 1e3,
            secs(cron) * 1e3,
            peak_rss_mib(),
        );
    }
    let total = run.total;
    println!(
        "\nall batches: {} articles in {:.1}s = {:.0} articles/s end to end (read and stored {:.1}s, prepared on all cores meanwhile; index {:.1}s, match {:.1}s); peak memory {:.0} MiB",
        total.articles,
        secs(total.total()),
        total.rate(),
        secs(total.read),
        secs(total.index),
        secs(total.place),
        peak_rss_mib()
    );
    ingest_bench(&docs, args.shape, args.feeds_dir.as_deref())?;
    poll_bench()?;
    Ok(ExitCode::SUCCESS)
}

/// Copies placed into the story at each size, in a run of their own.
const LATE_COPIES: usize = 40;
/// Sites the story's copies are spread over.
const STORY_SITES: usize = 20;

/// One story of each size (copies of one text of the set), then [`LATE_COPIES`] more in
/// a run of their own, timed: the cost of placing an article as its story grows.
fn story_bench(docs: &[Doc], sizes: &[usize]) -> anyhow::Result<()> {
    // A full article: the longest of the set's first hundred with a few paragraphs.
    let doc = docs
        .iter()
        .take(100)
        .filter(|d| d.text.lines().count() >= 4)
        .max_by_key(|d| (d.text.len(), std::cmp::Reverse(d.id.as_str())))
        .or_else(|| docs.first())
        .ok_or_else(|| anyhow::anyhow!("the labelled set is empty"))?;
    println!(
        "firsthand bench: one story of copies of {} ({} characters), then {LATE_COPIES} more in a run of their own\n",
        doc.id,
        doc.text.len()
    );
    println!(
        "{:>8}  {:>10}  {:>10}  {:>9}  {:>9}  {:>9}  {:>9}  {:>8}",
        "copies", "story a/s", "late a/s", "read", "index", "match", "per art", "peak MiB"
    );
    for &size in sizes {
        let dir = scratch()?;
        let mut store = Store::open(&dir.path().join("story.db"))?;
        let now = 1_700_000_000;
        let t = Instant::now();
        let story = read_feeds(
            &mut store,
            &copies(doc, "copy", size, STORY_SITES),
            size,
            now,
        )?;
        let build = t.elapsed();
        let late = copies(doc, "late", LATE_COPIES, LATE_COPIES);
        let st = read_feeds(&mut store, &late, LATE_COPIES, now + 3600)?;
        #[allow(clippy::cast_precision_loss)]
        let per_art_us = secs(st.total()) * 1e6 / LATE_COPIES as f64;
        #[allow(clippy::cast_precision_loss)]
        let story_rate = story.articles as f64 / secs(build).max(1e-9);
        println!(
            "{size:>8}  {story_rate:>10.0}  {:>10.0}  {:>8.3}s  {:>8.3}s  {:>8.3}s  {:>7.0}µs  {:>8.0}",
            st.rate(),
            secs(st.read),
            secs(st.index),
            secs(st.place),
            per_art_us,
            peak_rss_mib()
        );
    }
    Ok(())
}

/// `count` copies of `doc` as RSS items spread over `sites` feeds (each on its own
/// site, `tag` in its host), a minute apart: `(feed URL, body)`.
fn copies(doc: &Doc, tag: &str, count: usize, sites: usize) -> Vec<(String, Vec<u8>)> {
    let esc = |s: &str| html_escape::encode_text(s).into_owned();
    let mut lines = doc.text.lines();
    let title = esc(doc.title.as_deref().or(lines.next()).unwrap_or_default());
    let body: String = lines.map(|p| format!("<p>{}</p>", esc(p))).collect();
    let body = esc(&body);
    let start = chrono::DateTime::from_timestamp(1_699_990_000, 0).unwrap_or_default();
    (0..sites.max(1))
        .map(|site| {
            let host = format!("{tag}{site}.example");
            let mut xml = format!(
                "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>{host}</title><link>https://{host}/</link><description>copies</description>"
            );
            for i in (site..count).step_by(sites.max(1)) {
                let url = format!("https://{host}/story/{i}");
                let when = start + chrono::Duration::minutes(i64::try_from(i).unwrap_or(0));
                xml.push_str(&format!(
                    "<item><title>{title}</title><link>{url}</link><guid>{url}</guid><pubDate>{}</pubDate><description>{body}</description></item>",
                    when.to_rfc2822()
                ));
            }
            xml.push_str("</channel></rss>");
            (format!("https://{host}/feed.xml"), xml.into_bytes())
        })
        .collect()
}

/// The growing benchmark store: each batch is read one hour after the last.
struct Growing {
    store: Store,
    shape: firsthand_world::Shape,
    start: chrono::DateTime<chrono::Utc>,
    batch_no: u64,
    /// Every batch so far (its articles are the store's).
    total: Stages,
}

impl Growing {
    /// Reads `docs` as the next batch and counts it in.
    fn read(&mut self, docs: &[Doc]) -> firsthand::Result<Stages> {
        let hours = i64::try_from(self.batch_no).unwrap_or(0);
        let now = 1_700_000_000 + hours * 3600;
        let when = self.start + chrono::Duration::hours(hours);
        let st = read_batch(&mut self.store, docs, self.shape, self.batch_no, when, now)?;
        self.batch_no += 1;
        self.total.articles += st.articles;
        self.total.read += st.read;
        self.total.index += st.index;
        self.total.place += st.place;
        Ok(st)
    }
}

/// Query times at the current size: the story list, one story, one origin, and a cron
/// start (open the database and find the due feeds).
fn query_times(
    store: &Store,
    db: &Path,
) -> anyhow::Result<(Duration, Duration, Duration, Duration)> {
    let t = Instant::now();
    let views = firsthand::output::views::views(store, None, false, Some(50))?;
    let q_stories = t.elapsed();
    let t = Instant::now();
    let probe = views
        .first()
        .and_then(|v| v.members.last())
        .and_then(|m| m.url.clone());
    let q_story = if let Some(v) = views.first() {
        let t2 = Instant::now();
        let _ = store.story_view(v.id)?;
        t2.elapsed()
    } else {
        Duration::ZERO
    };
    let t = if probe.is_some() { Instant::now() } else { t };
    if let Some(u) = &probe {
        let _ = firsthand::output::views::origin_json(store, u)?;
    }
    let q_origin = t.elapsed();
    let t = Instant::now();
    let s2 = Store::open(db)?;
    let _ = s2.due_feeds(chrono::Utc::now(), false)?;
    let cron = t.elapsed();
    Ok((q_stories, q_story, q_origin, cron))
}

/// `firsthand ingest` over the labelled set's world written to local feed files, on a
/// fresh database: the whole path as a user runs it, and the quality of what it built.
fn ingest_bench(
    docs: &[Doc],
    shape: firsthand_world::Shape,
    keep: Option<&Path>,
) -> anyhow::Result<()> {
    let world = firsthand_world::build(
        docs,
        &firsthand_world::Options {
            shape,
            ..firsthand_world::Options::default()
        },
    );
    let tmp = scratch()?;
    let dir = match keep {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            d.to_path_buf()
        }
        None => tmp.path().to_path_buf(),
    };
    let mut paths = Vec::new();
    for (i, f) in world.feeds.iter().enumerate() {
        let p = dir.join(format!(
            "{i:05}.{}",
            if f.content_type.contains("json") {
                "json"
            } else {
                "xml"
            }
        ));
        std::fs::write(&p, &f.body)?;
        paths.push(p);
    }
    let db = dir.join("ingest.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let mut store = Store::open(&db)?;
    let t = Instant::now();
    crate::commands::ingest::run(&mut store, &paths, &Config::default())?;
    let d = t.elapsed();
    let labels: Vec<firsthand::eval::Label> = world
        .articles
        .iter()
        .map(|a| firsthand::eval::Label {
            url: a.url.clone(),
            cluster: a.cluster.clone(),
            is_original: a.is_original,
            lang: a.lang.clone(),
        })
        .collect();
    let s = firsthand::eval::scores(&store, &labels, secs(d))?;
    #[allow(clippy::cast_precision_loss)]
    let rate = world.articles.len() as f64 / secs(d).max(1e-9);
    println!(
        "ingest: {} articles in {} local feed files: {:.2}s = {rate:.0} articles/s end to end; pairwise P {:.3} R {:.3} F1 {:.3}; originals found {:.3}; peak memory {:.0} MiB",
        world.articles.len(),
        paths.len(),
        secs(d),
        s.pairwise.precision,
        s.pairwise.recall,
        s.pairwise.f1,
        s.originals_found,
        peak_rss_mib()
    );
    datasketch_bench(&paths, &dir, secs(d));
    Ok(())
}

/// The datasketch baseline (MinHash + LSH only, in Python) on the texts of the same feed
/// files, in the same run; skipped with a note when Python or datasketch is missing.
fn datasketch_bench(paths: &[PathBuf], dir: &Path, ours: f64) {
    let texts = dir.join("texts.jsonl");
    let mut out = String::new();
    for p in paths {
        let Ok(bytes) = std::fs::read(p) else {
            continue;
        };
        let Ok((_, list)) = pipeline::articles(&bytes, &p.display().to_string(), "") else {
            continue;
        };
        for a in list {
            let text = format!("{}\n{}", a.title, a.paragraphs.join("\n"));
            out.push_str(&serde_json::json!({ "text": text }).to_string());
            out.push('\n');
        }
    }
    let script = dir.join("datasketch-bench.py");
    if std::fs::write(&texts, out).is_err()
        || std::fs::write(&script, include_str!("../scripts/datasketch-bench.py")).is_err()
    {
        println!("datasketch: skipped (could not write its input)");
        return;
    }
    let run = std::process::Command::new("python3")
        .arg(&script)
        .arg(&texts)
        .env("FIRSTHAND_CACHE", firsthand::config::cache_dir())
        .stderr(std::process::Stdio::inherit())
        .output();
    let parsed = run
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| serde_json::from_slice::<serde_json::Value>(&o.stdout).ok());
    let Some(v) = parsed else {
        println!("datasketch: skipped (python3 with datasketch is not available)");
        return;
    };
    let theirs = v["seconds"].as_f64().unwrap_or(f64::NAN);
    let n = v["texts"].as_u64().unwrap_or(0);
    println!(
        "datasketch MinHashLSH (MinHash + LSH only, 128 permutations, word 3-shingles) on the same {n} texts: {theirs:.2}s = {:.0} texts/s; firsthand's whole ingest is {:.2}x its speed",
        v["per_second"].as_f64().unwrap_or(0.0),
        theirs / ours.max(1e-9)
    );
}

/// Polls 2,000 small feeds from a local server twice (200, then 304).
fn poll_bench() -> anyhow::Result<()> {
    let feeds: Vec<firsthand_world::FeedFile> = (0..2000)
        .map(|i| firsthand_world::FeedFile {
            path: format!("/f{i}/feed.xml"),
            content_type: "application/rss+xml",
            body: format!(
                "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>f{i}</title><item><title>Item {i}</title><link>https://f{i}.example/1</link><description>Feed {i} says hello with number {i}.</description></item></channel></rss>"
            )
            .into_bytes(),
        })
        .collect();
    let rt = firsthand::poll::runtime(1)?;
    let base = firsthand_world::serve(&rt, feeds.clone())?;
    let dir = scratch()?;
    let mut store = Store::open(&dir.path().join("poll.db"))?;
    for f in &feeds {
        store.add_feed(&format!("{base}{}", f.path), None, chrono::Utc::now())?;
    }
    // One host serves them all here: lift the per-host limit to the global one.
    let cfg = firsthand::poll::PollConfig {
        concurrency: 32,
        per_host: 32,
        ..firsthand::poll::PollConfig::default()
    };
    let stop = AtomicBool::new(false);
    let mut timed_pass = || -> anyhow::Result<_> {
        let t = Instant::now();
        let report = pipeline::pass::run(
            &mut store,
            &cfg,
            &Config::default(),
            true,
            &stop,
            &mut |_| {},
        )?;
        Ok((report, t.elapsed()))
    };
    let (first, d1) = timed_pass()?;
    let (second, d2) = timed_pass()?;
    #[allow(clippy::cast_precision_loss)]
    let rate = |n: usize, d: Duration| n as f64 / secs(d).max(1e-9);
    println!(
        "poll: 2000 feeds from 127.0.0.1: first pass (200) {:.0} feeds/s, second pass ({} of {} answered 304) {:.0} feeds/s; peak memory {:.0} MiB",
        rate(first.feeds, d1),
        second.not_modified,
        second.feeds,
        rate(second.feeds, d2),
        peak_rss_mib()
    );
    Ok(())
}
