//! `cogtiler info URL`: the dataset's metadata as TiTiler's `/cog/info` JSON.

use super::CliError;
use cogtiler::cog::{Cog, OpenOptions};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Dataset URL or path (path, file://, http(s)://, s3://).
    pub url: String,
}

pub async fn run(args: Args) -> Result<(), CliError> {
    let cog = Cog::open(&args.url, &OpenOptions::default()).await?;
    super::print_line(&serde_json::to_string_pretty(&cog.info())?)?;
    Ok(())
}
