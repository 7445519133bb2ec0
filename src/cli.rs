//! Command-line arguments (clap derive only; no logic here).

use clap::{Args, Parser, Subcommand, ValueEnum};
use firsthand::config::parse_duration;
use std::path::PathBuf;

/// firsthand: recognises copies and translations of one article across feeds, keeps each
/// story once, and names its original with the evidence.
#[derive(Debug, Parser)]
#[command(name = "firsthand", version, about, long_about = None, arg_required_else_help = true)]
pub struct Cli {
    /// Database file, or a PostgreSQL database as postgresql://user@host:port/dbname
    /// [default: $FIRSTHAND_DB, else firsthand/firsthand.db in the platform data dir] (the
    /// binary's --help shows the path)
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Optional multilingual model directory (config.json, tokenizer.json,
    /// model.safetensors; `scripts/model-dir` builds one): finds translations across
    /// scripts. Loaded by poll, run, ingest, recluster and eval
    #[arg(long, global = true, value_name = "DIR", env = "FIRSTHAND_MODEL")]
    pub model: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Manage subscriptions
    #[command(subcommand)]
    Feeds(FeedsCommand),
    /// One pass over the feeds that are due (exit 1 when some failed, 2 on a fatal error)
    Poll(PollArgs),
    /// Poll forever on schedule; stops cleanly on Ctrl-C / SIGTERM
    Run(RunArgs),
    /// Read local feed files as if polled
    Ingest {
        /// Feed files (RSS, Atom, JSON Feed)
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// List stories with copies (copies and languages of each), newest first; all of them
    /// unless --since or --limit
    Stories(StoriesArgs),
    /// Show one story: every copy with its relation to the original
    Story {
        /// Story id (merged ids resolve to the story they joined)
        id: i64,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Trace an article URL to its story's original, with the evidence
    Origin {
        /// Article URL (any copy)
        url: String,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Write a deduplicated feed: one entry per story, linking the original
    Export {
        /// Output format
        #[arg(long, value_enum, default_value_t = ExportFormat::Atom)]
        format: ExportFormat,
        /// Only stories updated within this duration (e.g. 24h, 7d)
        #[arg(long, value_parser = parse_duration)]
        since: Option<std::time::Duration>,
        /// At most this many stories, newest first [default: every story]
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
    },
    /// Run matching again over stored articles (after thresholds change)
    Recluster {
        /// Only articles first seen within this duration
        #[arg(long, value_parser = parse_duration)]
        since: Option<std::time::Duration>,
    },
    /// Score matching against a labelled JSONL set (pairwise and B-cubed P/R/F1)
    Eval {
        /// Labelled set: one JSON object a line with id, cluster, lang, text, is_original
        dataset: PathBuf,
        /// Print JSON
        #[arg(long)]
        json: bool,
        /// Use at most this many clusters (sampled in file order)
        #[arg(long)]
        limit: Option<usize>,
        /// Use only the stories of fold K of N (K/N, e.g. 0/5: the stories whose id hashes
        /// to K modulo N), to score weights fitted without them (see --anchor-weights)
        #[arg(long, value_name = "K/N")]
        fold: Option<firsthand::dataset::Fold>,
        /// Score with these anchor-model weights instead of the built-in ones: a JSON
        /// object with one number per anchor feature and `intercept`, and under `cjk`
        /// the same for pairs with one side in Chinese or Japanese, as
        /// `scripts/fit-anchor-model.py --pairs other --json` writes (for cross-validation)
        #[arg(long, value_name = "FILE")]
        anchor_weights: Option<PathBuf>,
        /// Serve the set as a world of feeds on 127.0.0.1 (outlets, copy sites, credits,
        /// wrong clocks, summaries) and poll it, instead of loading it directly
        #[arg(long)]
        world: bool,
        /// Seed of the generated world
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Shape of the generated world (with --world): mixed (translations and reposts),
        /// syndication (aggregator reposts: trimmed, re-titled, snippets, near-empty items,
        /// link posts; outlet footers and promo lines), large (every version reposted
        /// twice: stories of up to ~225 copies)
        #[arg(long, value_enum, default_value = "mixed", requires = "world")]
        shape: firsthand_world::Shape,
        /// Write each article's gold and predicted story (and the URL of the article that
        /// story names its original) to this JSONL file
        #[arg(long, value_name = "PATH")]
        dump: Option<PathBuf>,
    },
    /// Verify the store's invariants, like `git fsck` (exit 0 sound, 1 problems found)
    ///
    /// Checks SQLite's integrity and foreign keys, that every article is in exactly one
    /// live story (or pending), that merges end at live stories, that originals are members,
    /// that the index rows and statistics match the stored fingerprints, and that model
    /// vectors belong to the database's model.
    Check {
        /// Mend what can be mended without losing an article (re-place orphans, follow or
        /// undo broken merges, rebuild the index from fingerprints), then check again
        #[arg(long)]
        repair: bool,
        /// Print the report as JSON
        #[arg(long)]
        json: bool,
    },
    /// Read-only web view and JSON API
    Serve {
        /// Address to listen on
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
    },
    /// Run the whole pipeline on bundled sample feeds, served over HTTP on 127.0.0.1, in a
    /// temporary database of its own
    Demo {
        /// Keep serving the demo's stories in the web view afterwards
        #[arg(long)]
        serve: bool,
        /// Address the web view listens on with --serve (127.0.0.1:0: any free port)
        #[arg(long, default_value = "127.0.0.1:8080", requires = "serve")]
        listen: String,
    },
    /// Measure throughput of the ingest path on generated corpora
    Bench(BenchArgs),
}

/// `feeds` subcommands.
#[derive(Debug, Subcommand)]
pub enum FeedsCommand {
    /// Subscribe to feeds (a page URL is resolved to its feed by discovery)
    Add {
        /// Feed or page URLs
        #[arg(required = true)]
        urls: Vec<String>,
    },
    /// List subscriptions with their status
    List {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Unsubscribe (its articles go too)
    Remove {
        /// Feed URL or id
        feed: String,
    },
    /// Import subscriptions from OPML (does not fetch)
    Import {
        /// OPML 1.0/2.0 file
        file: PathBuf,
    },
    /// Print subscriptions as OPML 2.0
    Export,
}

/// `poll` options.
#[derive(Debug, Args)]
pub struct PollArgs {
    /// Poll every active feed, not only those due
    #[arg(long)]
    pub all: bool,
    /// Fetches in flight at once
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// Fetches in flight per host
    #[arg(long, default_value_t = 2)]
    pub per_host: usize,
}

/// Shortest `run --interval`: a pass more often than this only finds nothing due (each
/// feed is fetched on its own schedule, at most every 5 minutes).
pub const MIN_RUN_INTERVAL: std::time::Duration = std::time::Duration::from_secs(30);

/// `run` options.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// How often to look for due feeds (at least 30s); each feed is still fetched on its
    /// own schedule (every 5m to 24h, from its caching headers and how often it publishes)
    #[arg(long, value_parser = parse_interval, default_value = "5m")]
    pub interval: std::time::Duration,
    /// Fetches in flight at once
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// Fetches in flight per host
    #[arg(long, default_value_t = 2)]
    pub per_host: usize,
}

/// `stories` options.
#[derive(Debug, Args)]
pub struct StoriesArgs {
    /// Only stories updated within this duration (e.g. 24h, 7d)
    #[arg(long, value_parser = parse_duration)]
    pub since: Option<std::time::Duration>,
    /// At most this many stories
    #[arg(long)]
    pub limit: Option<i64>,
    /// Include single-article stories
    #[arg(long)]
    pub all: bool,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// `bench` options.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Stored sizes (articles) at which one batch is measured: the store grows with
    /// variants of the set's stories, and the measured batch holds the same stories at
    /// every size
    #[arg(long, value_delimiter = ',', default_value = "10000")]
    pub sizes: Vec<usize>,
    /// Labelled JSONL the corpus is generated from
    #[arg(long, default_value = "../shared/data/wmt-dev/dev-small.jsonl")]
    pub dataset: PathBuf,
    /// Only the ingest of the labelled set's world as local feed files (and the
    /// datasketch comparison): no generated corpora, no polling
    #[arg(long)]
    pub ingest_only: bool,
    /// Write the world's feed files (and texts.jsonl) into DIR and keep them
    #[arg(long, value_name = "DIR")]
    pub feeds_dir: Option<PathBuf>,
    /// Stories of the labelled set used for the world (default: all)
    #[arg(long, value_name = "N")]
    pub stories: Option<usize>,
    /// Shape of the worlds built from the set: mixed (translations and reposts),
    /// syndication (aggregator reposts, near-empty items, footers), large (every version
    /// reposted twice: stories of up to ~225 copies)
    #[arg(long, value_enum, default_value = "mixed")]
    pub shape: firsthand_world::Shape,
    /// Instead, sizes of one story (copies of one text of the set on 20 sites) at which a
    /// run of its own places 40 more copies: how the cost per article grows with the
    /// story (e.g. 500,5000,20000)
    #[arg(long, value_delimiter = ',', value_name = "COPIES")]
    pub story_sizes: Vec<usize>,
}

/// `export` formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    /// Atom 1.0
    Atom,
    /// JSON Feed 1.1
    Json,
}

/// Parses a `run --interval`: a duration of at least [`MIN_RUN_INTERVAL`].
///
/// # Errors
/// A message naming the bad value or the floor.
pub fn parse_interval(s: &str) -> Result<std::time::Duration, String> {
    let d = parse_duration(s)?;
    if d < MIN_RUN_INTERVAL {
        return Err(format!(
            "interval {s:?} is below the floor of {}s: a pass that often finds no feed due \
             (each feed keeps its own schedule)",
            MIN_RUN_INTERVAL.as_secs()
        ));
    }
    Ok(d)
}
