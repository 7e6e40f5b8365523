//! `cogtiler serve` (STUB: to be written).

use super::CliError;

#[derive(clap::Parser, Debug)]
pub struct Args {
    /// Address to bind.
    #[arg(long, env = "COGTILER_HOST", default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on.
    #[arg(long, env = "COGTILER_PORT", default_value_t = 8000)]
    pub port: u16,
}

impl Args {
    /// The arguments `cogtiler` with no subcommand runs with (flags' defaults, env overrides).
    pub fn default_from_env() -> Args {
        <Args as clap::Parser>::parse_from(["serve"])
    }
}

pub async fn run(args: Args) -> Result<(), CliError> {
    Err(format!(
        "'serve' is not implemented yet ({}:{})",
        args.host, args.port
    )
    .into())
}
