//! `cogtiler serve`: run the TiTiler-compatible HTTP server.
//!
//! Every flag has a `COGTILER_*` environment variable; TiTiler's own `TITILER_API_CORS_ORIGINS`
//! and `TITILER_API_CACHECONTROL` names are honoured as fallbacks so existing deployments keep
//! their settings. With no arguments the server listens on 127.0.0.1:8000 and `/` links to a
//! viewer on the bundled sample COG.

use std::sync::Arc;
use std::time::Duration;

use cogtiler::cog::{global_fetch_budget, DecodedCache, OpenOptions};
use cogtiler::io::{ChunkCache, DocumentOptions, FetchBudget};
use cogtiler::server::{self, App, AssetOptions, CogBackend, ServerConfig};
use cogtiler::tms::TmsRegistry;

use super::CliError;

#[derive(clap::Parser, Debug)]
pub struct Args {
    /// Address to bind.
    #[arg(long, env = "COGTILER_HOST", default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on (0 picks a free port; the address is printed).
    #[arg(long, env = "COGTILER_PORT", default_value_t = 8000)]
    pub port: u16,
    /// Worker threads of the async runtime (default: one per core).
    #[arg(long, env = "COGTILER_WORKERS")]
    pub workers: Option<usize>,
    /// Byte budget of the compressed-chunk cache, in MiB: chunks evicted from the decoded
    /// cache come back from here without a range request.
    #[arg(long, env = "COGTILER_CACHE_SIZE", default_value_t = 4)]
    pub cache_size: u64,
    /// Byte budget of the decoded-chunk cache, in MiB: a hit skips fetching and decoding,
    /// most of a warm tile's work (0 disables it). The load benchmark's 227 tiles need 68 MiB
    /// of chunks; 72 MiB holds them all.
    #[arg(long, env = "COGTILER_DECODED_CACHE_SIZE", default_value_t = 72)]
    pub decoded_cache_size: u64,
    /// Bytes of fetched chunks waiting to be decoded, in MiB, across all requests: a request
    /// about to fetch past it waits (default: 4 MiB per core; raise it for slow storage).
    #[arg(long, env = "COGTILER_FETCH_BUDGET")]
    pub fetch_budget: Option<u64>,
    /// Requests processed at once; more wait in a queue.
    #[arg(long, env = "COGTILER_MAX_CONCURRENCY", default_value_t = 256)]
    pub max_concurrency: usize,
    /// Deadline for one request, in seconds (a 504 after it).
    #[arg(long, env = "COGTILER_REQUEST_TIMEOUT", default_value_t = 30.0)]
    pub request_timeout: f64,
    /// CORS allowed origins, comma separated (`*` = any).
    #[arg(long, env = "COGTILER_CORS_ORIGINS")]
    pub cors_origins: Option<String>,
    /// `Cache-Control` header for successful responses (`none` disables it).
    #[arg(long, env = "COGTILER_CACHE_CONTROL")]
    pub cache_control: Option<String>,
    /// Lower-case query parameter names (TiTiler's LOWER_CASE_QUERY_PARAMETERS).
    #[arg(long, env = "COGTILER_LOWER_CASE_QUERY", default_value_t = false)]
    pub lower_case_query: bool,
    /// Serve `map.html` byte-identical to TiTiler (Leaflet from unpkg.com) instead of with the
    /// bundled scripts.
    #[arg(long, env = "COGTILER_CDN_ASSETS", default_value_t = false)]
    pub cdn_assets: bool,
    /// Require `?access_token=<TOKEN>` on API requests (TiTiler's
    /// `TITILER_API_GLOBAL_ACCESS_TOKEN` is honoured too).
    #[arg(long, env = "COGTILER_ACCESS_TOKEN", hide_env_values = true)]
    pub access_token: Option<String>,
    /// Largest image a request may produce, in pixels per band (width × height; default 5000²).
    /// Larger tiles, parts, previews and feature crops are a 400 naming the size instead of
    /// an allocation: reads hold f64 planes, ~8 bytes per pixel and band.
    #[arg(long, env = "COGTILER_MAX_OUTPUT_PIXELS", default_value_t = cogtiler::reader::DEFAULT_MAX_OUTPUT_PIXELS)]
    pub max_output_pixels: usize,
    /// Disable gzip compression of JSON/XML/HTML responses.
    #[arg(long, env = "COGTILER_NO_COMPRESSION", default_value_t = false)]
    pub no_compression: bool,
    /// Most files one request may read (a STAC request's assets, a mosaic tile's COGs); more
    /// is a 400 before anything is read.
    #[arg(long, env = "COGTILER_MAX_ASSETS", default_value_t = 50)]
    pub max_assets: usize,
    /// Files of one request read at once.
    #[arg(long, env = "COGTILER_ASSET_CONCURRENCY", default_value_t = 16)]
    pub asset_concurrency: usize,
    /// How long a fetched STAC item or mosaic document is reused, in seconds.
    #[arg(long, env = "COGTILER_DOCUMENT_TTL", default_value_t = 300.0)]
    pub document_ttl: f64,
    /// Largest STAC item or mosaic document read, in MiB.
    #[arg(long, env = "COGTILER_MAX_DOCUMENT_SIZE", default_value_t = 16)]
    pub max_document_size: u64,
}

impl Args {
    /// The arguments `cogtiler` with no subcommand runs with (flags' defaults, env overrides).
    pub fn default_from_env() -> Args {
        <Args as clap::Parser>::parse_from(["serve"])
    }

    /// The server settings these arguments describe.
    pub fn config(&self) -> Result<ServerConfig, CliError> {
        let mut cfg = ServerConfig::default();
        let origins = self
            .cors_origins
            .clone()
            .or_else(|| std::env::var("TITILER_API_CORS_ORIGINS").ok());
        if let Some(o) = origins {
            cfg.cors_origins = o
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
        }
        let cc = self
            .cache_control
            .clone()
            .or_else(|| std::env::var("TITILER_API_CACHECONTROL").ok());
        if let Some(cc) = cc {
            cfg.cache_control = (!cc.eq_ignore_ascii_case("none") && !cc.is_empty()).then_some(cc);
        }
        if !(self.request_timeout.is_finite() && self.request_timeout > 0.0) {
            return Err(format!(
                "--request-timeout must be a positive number of seconds, got {}",
                self.request_timeout
            )
            .into());
        }
        cfg.request_timeout = Duration::from_secs_f64(self.request_timeout);
        cfg.max_concurrency = self.max_concurrency.max(1);
        cfg.lower_case_query = self.lower_case_query
            || std::env::var("TITILER_API_LOWER_CASE_QUERY_PARAMETERS")
                .is_ok_and(|v| v.eq_ignore_ascii_case("true"));
        cfg.cdn_assets = self.cdn_assets;
        cfg.compress = !self.no_compression;
        cfg.attribution = std::env::var("TITILER_DEFAULT_ATTRIBUTION").ok();
        cfg.access_token = self
            .access_token
            .clone()
            .or_else(|| std::env::var("TITILER_API_GLOBAL_ACCESS_TOKEN").ok())
            .filter(|t| !t.is_empty());
        Ok(cfg)
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutdown signal received, draining connections");
}

pub async fn run(args: Args) -> Result<(), CliError> {
    let cfg = args.config()?;
    let tms = TmsRegistry::from_env().map_err(|e| format!("cannot load TileMatrixSets: {e}"))?;
    let tms = Arc::new(tms);
    // The chunk caches take the `--cache-size` / `--decoded-cache-size` budgets; headers are
    // small and counted apart.
    let decoded = args.decoded_cache_size.saturating_mul(1 << 20);
    let open = OpenOptions {
        chunk_cache: Some(Arc::new(ChunkCache::new(
            args.cache_size.saturating_mul(1 << 20),
        ))),
        decoded_cache: (decoded > 0).then(|| Arc::new(DecodedCache::new(decoded))),
        fetch_budget: Some(match args.fetch_budget {
            Some(mib) => Arc::new(FetchBudget::new(mib.saturating_mul(1 << 20))),
            None => global_fetch_budget(),
        }),
        ..OpenOptions::default()
    };
    if !(args.document_ttl.is_finite() && args.document_ttl >= 0.0) {
        return Err(format!(
            "--document-ttl must be a number of seconds, got {}",
            args.document_ttl
        )
        .into());
    }
    let assets = AssetOptions {
        max_assets: args.max_assets,
        concurrency: args.asset_concurrency.max(1),
        documents: DocumentOptions {
            max_bytes: args.max_document_size.saturating_mul(1 << 20),
            ttl: Duration::from_secs_f64(args.document_ttl),
            ..DocumentOptions::default()
        },
    };
    let backend = CogBackend::new(open, tms.clone())
        .with_max_output_pixels(args.max_output_pixels)
        .with_assets(assets);
    let app = Arc::new(App::new(cfg, tms, Arc::new(backend)));
    let addr = format!("{}:{}", args.host, args.port);
    // An IP address binds directly; a host name is resolved (on tokio's blocking pool).
    let bound = match args.host.parse::<std::net::IpAddr>() {
        Ok(ip) => tokio::net::TcpListener::bind((ip, args.port)).await,
        Err(_) => tokio::net::TcpListener::bind(&addr).await,
    };
    let listener = bound.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr()?;
    // The first stdout line says where we listen (scripts read it when --port 0).
    super::print_line(&format!("listening on http://{local}"))?;
    tracing::info!(
        addr = %local,
        cache_mib = args.cache_size,
        decoded_cache_mib = args.decoded_cache_size,
        workers = args.workers.unwrap_or(0),
        "cogtiler serving; open http://{local}/ for the sample viewer"
    );
    server::serve(listener, app, shutdown_signal()).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn args(flags: &[&str]) -> Args {
        let mut v = vec!["serve"];
        v.extend_from_slice(flags);
        Args::parse_from(v)
    }

    #[test]
    fn flags_become_server_settings() {
        let cfg = args(&[
            "--cors-origins",
            "http://a.example, http://b.example",
            "--cache-control",
            "none",
            "--request-timeout",
            "2.5",
            "--max-concurrency",
            "0",
            "--cdn-assets",
        ])
        .config()
        .unwrap();
        assert_eq!(
            cfg.cors_origins,
            vec!["http://a.example", "http://b.example"]
        );
        assert_eq!(cfg.cache_control, None);
        assert_eq!(cfg.request_timeout, Duration::from_millis(2500));
        assert_eq!(cfg.max_concurrency, 1);
        assert!(cfg.cdn_assets);
        let d = args(&["--cache-control", "public, max-age=60"])
            .config()
            .unwrap();
        assert_eq!(d.cache_control.as_deref(), Some("public, max-age=60"));
        assert!(args(&["--request-timeout", "0"]).config().is_err());
        assert!(args(&["--request-timeout", "nan"]).config().is_err());
    }
}
