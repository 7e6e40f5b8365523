//! `cogtiler validate` (STUB: to be written).

use super::CliError;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Dataset URL or path.
    pub url: String,
}

pub async fn run(args: Args) -> Result<(), CliError> {
    Err(format!("'validate' is not implemented yet ({})", args.url).into())
}
