//! One function per subcommand: short glue between the CLI, the library and the output.

pub mod check;
pub mod demo;
pub mod eval;
pub mod feeds;
pub mod ingest;
pub mod poll;
pub mod read;
pub mod recluster;
pub mod serve;

use crate::cli::{Cli, Command};
use firsthand::store::Store;
use std::process::ExitCode;

/// Exit code: some feeds or files failed, the rest went through.
pub const PARTIAL: u8 = 1;
/// Exit code: nothing could be done.
pub const FATAL: u8 = 2;

/// Runs the parsed command line.
///
/// # Errors
/// Fatal errors (the caller prints them and exits 2).
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let db = firsthand::config::db_path(cli.db.clone());
    let model_dir = cli.model.clone().filter(|p| !p.as_os_str().is_empty());
    // The model is loaded only by the commands that match articles.
    let matching = || -> anyhow::Result<firsthand::cluster::Config> {
        let mut cfg = firsthand::cluster::Config::default();
        if let Some(dir) = &model_dir {
            let t = std::time::Instant::now();
            let model = firsthand::embed::Model::load(dir)?;
            tracing::info!(dir = %dir.display(), secs = t.elapsed().as_secs_f64(), "model loaded");
            cfg.model = Some(std::sync::Arc::new(model));
        }
        Ok(cfg)
    };
    // Commands that read (or change what is there) refuse a database that does not
    // exist; commands that bring articles or feeds in create it, and say where.
    let existing = || -> anyhow::Result<Store> { Ok(Store::open_existing(&db)?) };
    let create = || -> anyhow::Result<Store> {
        let store = Store::open(&db)?;
        store.writable()?;
        if store.created {
            eprintln!("created database {}", store.path);
        }
        Ok(store)
    };
    match cli.command {
        Command::Feeds(cmd) => {
            if feeds::creates(&cmd) {
                feeds::run(cmd, create)
            } else {
                feeds::run(cmd, existing)
            }
        }
        Command::Poll(args) => poll::poll(&mut create()?, &args, &matching()?),
        Command::Run(args) => poll::run_forever(&mut create()?, &args, &matching()?),
        Command::Ingest { paths } => ingest::run(&mut create()?, &paths, &matching()?),
        Command::Stories(args) => read::stories(&existing()?, &args),
        Command::Story { id, json } => read::story(&existing()?, id, json),
        Command::Origin { url, json } => read::origin(&existing()?, &url, json),
        Command::Export {
            format,
            since,
            limit,
        } => read::export(&existing()?, format, since, limit),
        Command::Recluster { since } => {
            let mut store = existing()?;
            store.writable()?;
            recluster::run(&mut store, since, &matching()?)
        }
        Command::Eval {
            dataset,
            json,
            limit,
            fold,
            anchor_weights,
            world,
            seed,
            shape,
            dump,
        } => eval::run(
            &dataset,
            json,
            eval::Scoring {
                limit,
                fold,
                anchor_weights: anchor_weights.as_deref(),
            },
            world.then_some(firsthand_world::Options {
                seed,
                shape,
                ..firsthand_world::Options::default()
            }),
            dump.as_deref(),
            cli.db.as_deref(),
            &matching()?,
        ),
        Command::Check { repair, json } => {
            let mut store = existing()?;
            if repair {
                store.writable()?;
                check::run(&mut store, true, json, &matching()?)
            } else {
                check::run(
                    &mut store,
                    false,
                    json,
                    &firsthand::cluster::Config::default(),
                )
            }
        }
        Command::Serve { listen } => {
            drop(existing()?);
            serve::run(&db, &listen)
        }
        Command::Demo { serve, listen } => {
            if let Some(given) = &cli.db {
                anyhow::bail!(
                    "demo runs on a temporary database of its own and does not use --db {}; \
                     to browse a database of yours, run `firsthand serve`",
                    given.display()
                );
            }
            demo::run(serve.then_some(listen.as_str()))
        }
        Command::Bench(args) => crate::bench::run(&args),
    }
}

/// Prints what [`firsthand::pipeline::ingest::files`] and [`firsthand::pipeline::pass::run`]
/// report on stderr: a refused file always, progress lines on a terminal.
pub fn progress(tty: bool) -> impl FnMut(firsthand::pipeline::Event<'_>) {
    use firsthand::pipeline::{Event, Progress};
    move |e| match e {
        Event::Refused(e) => eprintln!("error: {e}"),
        _ if !tty => {}
        Event::Read { done, of } => eprint!("\r{done} of {of} files read   "),
        Event::Fetched {
            done,
            of,
            new,
            failed,
        } => eprint!("\r[{done}/{of}] feeds, {new} new articles, {failed} errors   "),
        Event::Stored | Event::Placed => eprintln!(),
        Event::Placing(Progress::Indexed(_), _) => {}
        Event::Placing(Progress::Vectors(n), total) => eprint!("\rmodel vectors {n}/{total}   "),
        Event::Placing(Progress::Placed(n), total) => {
            eprint!("\rmatching {n}/{total} new articles   ");
        }
    }
}
