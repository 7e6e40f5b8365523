//! Subcommands. Each lives in its own file; this one only declares them and dispatches.

mod block;
mod info;
mod serve;
mod tile;
mod validate;

use clap::{Parser, Subcommand};

/// A dynamic tile server for Cloud Optimized GeoTIFFs, in Rust, compatible with TiTiler.
#[derive(Parser, Debug)]
#[command(name = "cogtiler", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve TiTiler's HTTP API (the default when no subcommand is given).
    // boxed: the server's many flags make it far larger than the other commands
    Serve(Box<serve::Args>),
    /// Print a dataset's metadata as JSON, like TiTiler's `/cog/info`.
    Info(info::Args),
    /// Decode one internal tile (block) and write it as `.npy`.
    Block(block::Args),
    /// Render one map tile and write it as `.npy` (data bands followed by the mask).
    Tile(tile::Args),
    /// Check whether a file is a valid Cloud Optimized GeoTIFF.
    Validate(validate::Args),
}

impl Cli {
    /// Worker threads requested for the async runtime (`serve --workers` / `COGTILER_WORKERS`).
    pub fn worker_threads(&self) -> Option<usize> {
        match &self.command {
            Some(Command::Serve(a)) => a.workers,
            None => serve::Args::default_from_env().workers,
            _ => None,
        }
        .filter(|n| *n > 0)
    }
}

/// Any failure a subcommand reports; printed as `cogtiler: <message>`.
pub type CliError = Box<dyn std::error::Error + Send + Sync>;

/// Writes `text` and a newline to stdout. Unlike `println!`, which panics when the reader has
/// gone (`cogtiler info x.tif | head -c 300`), the closed pipe comes back as an error that
/// [`is_broken_pipe`] recognises, so `main` can end quietly.
pub fn print_line(text: &str) -> Result<(), CliError> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")?;
    out.flush()?;
    Ok(())
}

/// Whether a subcommand failed only because stdout was closed by its reader: not an error for
/// a command line tool (ripgrep and the coreutils exit quietly too).
pub fn is_broken_pipe(error: &CliError) -> bool {
    error
        .downcast_ref::<std::io::Error>()
        .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}

pub async fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        None => serve::run(serve::Args::default_from_env()).await,
        Some(Command::Serve(a)) => serve::run(*a).await,
        Some(Command::Info(a)) => info::run(a).await,
        Some(Command::Block(a)) => block::run(a).await,
        Some(Command::Tile(a)) => tile::run(a).await,
        Some(Command::Validate(a)) => validate::run(a).await,
    }
}

/// Logs to stderr, filtered by `RUST_LOG` (default `info`).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
