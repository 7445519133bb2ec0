//! The `firsthand` binary: parse the command line, run, print errors with their causes.
//! The command line (`cli`), the subcommands' glue (`commands`) and the benchmarks
//! (`bench`) live here; the library is the pipeline they call.

mod bench;
mod cli;
mod commands;

use clap::{CommandFactory, FromArgMatches};
use std::process::ExitCode;

/// mimalloc instead of the system allocator: preparing and matching make millions of
/// small strings and vectors, and glibc's malloc and free took an eighth of an ingest's
/// CPU time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // --help names the database the command would use by default.
    let db_help = format!(
        "Database file, or postgresql://user@host:port/dbname for a PostgreSQL database \
         [default: $FIRSTHAND_DB, else {}]",
        firsthand::config::default_db_path().display()
    );
    let matches = cli::Cli::command()
        .mut_arg("db", |a| a.help(db_help))
        .get_matches();
    let cli = match cli::Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match commands::run(cli) {
        Ok(code) => code,
        Err(e) => {
            let mut msg = format!("error: {e}");
            for cause in e.chain().skip(1) {
                let c = cause.to_string();
                if !msg.contains(&c) {
                    msg.push_str(&format!(": {c}"));
                }
            }
            eprintln!("{msg}");
            ExitCode::from(commands::FATAL)
        }
    }
}
