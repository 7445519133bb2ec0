//! `firsthand bench`: throughput of the ingest path on corpora generated from a labelled
//! set. Not built yet.

/// Runs the benchmark.
///
/// # Errors
/// Always, for now.
pub fn run(_args: &crate::cli::BenchArgs) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!("the benchmark is not built yet")
}
