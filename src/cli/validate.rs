//! `cogtiler validate URL [--strict]`: is this a valid Cloud Optimized GeoTIFF?
//!
//! Prints rio-cogeo's report as JSON (what TiTiler's `/cog/validate` answers), lists errors
//! and warnings on stderr, and exits with status 1 when the file is not a valid COG.

use super::CliError;
use cogtiler::cog::{validate, Cog, OpenOptions};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Dataset URL or path.
    pub url: String,
    /// Treat warnings (e.g. no overviews on a large image) as errors.
    #[arg(long)]
    pub strict: bool,
}

pub async fn run(args: Args) -> Result<(), CliError> {
    let cog = Cog::open(&args.url, &OpenOptions::default()).await?;
    let report = validate(cog.header(), args.strict);
    super::print_line(&serde_json::to_string_pretty(&report)?)?;
    for w in report.warnings.iter().flatten() {
        eprintln!("warning: {w}");
    }
    for e in report.errors.iter().flatten() {
        eprintln!("error: {e}");
    }
    if report.cog {
        eprintln!("{} is a valid cloud optimized GeoTIFF", args.url);
        Ok(())
    } else {
        Err(format!("{} is NOT a valid cloud optimized GeoTIFF", args.url).into())
    }
}
