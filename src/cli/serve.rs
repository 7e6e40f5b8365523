//! `cogtiler serve`: run the TiTiler-compatible HTTP server.
//!
//! Every flag has a `COGTILER_*` environment variable; TiTiler's own `TITILER_API_CORS_ORIGINS`
//! and `TITILER_API_CACHECONTROL` names are honoured as fallbacks so existing deployments keep
//! their settings. With no arguments the server listens on 127.0.0.1:8000 and `/` links to a
//! viewer on the bundled sample COG.

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use cogtiler::cog::{global_fetch_budget, DecodedCache, OpenOptions};
use cogtiler::io::{ChunkCache, DocumentOptions, FetchBudget, IoConfig, UrlRules};
use cogtiler::server::{self, ApiMode, App, AssetOptions, CogBackend, ServerConfig};
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
    /// Only open URLs under this prefix (repeatable, or comma separated in the env variable),
    /// e.g. `s3://bucket/` or `https://data.example.com/cogs/`; matched on the parsed URL
    /// (scheme and host case-insensitive, whole path segments). Any rule given applies
    /// whatever the bind address; see "Exposing cogtiler" in the README.
    #[arg(long, env = "COGTILER_ALLOWED_URL_PREFIXES", value_delimiter = ',')]
    pub allow_url_prefix: Vec<String>,
    /// Allow local paths and `file://` URLs under this directory (repeatable, or comma
    /// separated in the env variable); checked on the canonical path, so `..` and symlinks
    /// out of it are refused.
    #[arg(long, env = "COGTILER_ALLOWED_LOCAL_ROOTS", value_delimiter = ',')]
    pub allow_local_root: Vec<PathBuf>,
    /// Let http(s) URLs reach loopback, private, link-local, unique-local and multicast
    /// addresses (refused by default unless bound to loopback).
    #[arg(long, env = "COGTILER_ALLOW_PRIVATE_HOSTS", default_value_t = false)]
    pub allow_private_hosts: bool,
    /// Largest STAC item or mosaic document read, in MiB.
    #[arg(long, env = "COGTILER_MAX_DOCUMENT_SIZE", default_value_t = 16)]
    pub max_document_size: u64,
    /// Which APIs to serve: `raster` (TiTiler), `vector` (TiPg's `/collections`, needs a
    /// database) or `all` (default: `all` with a database, else `raster`).
    #[arg(long, env = "COGTILER_API")]
    pub api: Option<String>,
    /// PostgreSQL/PostGIS database serving TiPg's vector API (`/collections`); none: raster only.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Schemas whose tables and functions are served (comma separated or a JSON list, like
    /// TiPg's `TIPG_DB_SCHEMAS`).
    #[arg(long, env = "TIPG_DB_SCHEMAS", default_value = "public")]
    pub db_schemas: String,
    /// Only these `schema.table` (TiPg's `TIPG_DB_TABLES`).
    #[arg(long, env = "TIPG_DB_TABLES")]
    pub db_tables: Option<String>,
    #[arg(long, env = "TIPG_DB_EXCLUDE_TABLES")]
    pub db_exclude_tables: Option<String>,
    #[arg(long, env = "TIPG_DB_EXCLUDE_TABLE_SCHEMAS")]
    pub db_exclude_table_schemas: Option<String>,
    /// Only these `schema.function` (TiPg's `TIPG_DB_FUNCTIONS`).
    #[arg(long, env = "TIPG_DB_FUNCTIONS")]
    pub db_functions: Option<String>,
    #[arg(long, env = "TIPG_DB_EXCLUDE_FUNCTIONS")]
    pub db_exclude_functions: Option<String>,
    #[arg(long, env = "TIPG_DB_EXCLUDE_FUNCTION_SCHEMAS")]
    pub db_exclude_function_schemas: Option<String>,
    /// Serve tables without a geometry column too.
    #[arg(long, env = "TIPG_DB_ONLY_SPATIAL_TABLES", default_value_t = true, action = clap::ArgAction::Set)]
    pub db_only_spatial_tables: bool,
    /// Database connections open at once.
    #[arg(long, env = "COGTILER_DB_POOL_SIZE", default_value_t = 16)]
    pub db_pool_size: usize,
    /// Server-side `statement_timeout` of every vector query, in seconds.
    #[arg(long, env = "COGTILER_DB_STATEMENT_TIMEOUT", default_value_t = 20.0)]
    pub db_statement_timeout: f64,
    /// How long the collection catalog is reused before it is read again, in seconds.
    #[arg(long, env = "TIPG_CATALOG_TTL", default_value_t = 300.0)]
    pub catalog_ttl: f64,
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
        if self.database_url.is_some() && !cfg!(feature = "vector") {
            return Err(
                "--database-url (or DATABASE_URL) is set, but this cogtiler was built \
                        without the vector API (the `vector` cargo feature)"
                    .into(),
            );
        }
        cfg.api = match self.api.as_deref() {
            None => {
                if self.database_url.is_some() {
                    ApiMode::All
                } else {
                    ApiMode::Raster
                }
            }
            Some(s) => ApiMode::parse(s)
                .ok_or_else(|| format!("--api must be raster, vector or all, got {s:?}"))?,
        };
        if cfg.api.vector() && self.database_url.is_none() {
            return Err("--api vector/all needs --database-url (or DATABASE_URL)".into());
        }
        Ok(cfg)
    }
}

impl Args {
    /// The URL rules for a server bound to `bound`: open on loopback with no rule given
    /// (local use; what the conformance replay needs), protected on any other address, and
    /// the explicit rules whenever one is given.
    pub fn url_rules(&self, bound: IpAddr) -> Result<UrlRules, CliError> {
        let explicit = !self.allow_url_prefix.is_empty()
            || !self.allow_local_root.is_empty()
            || self.allow_private_hosts;
        if explicit {
            return UrlRules::explicit(
                &self.allow_url_prefix,
                &self.allow_local_root,
                self.allow_private_hosts,
            )
            .map_err(|e| e.to_string().into());
        }
        Ok(if bound.to_canonical().is_loopback() {
            UrlRules::open()
        } else {
            UrlRules::protected()
        })
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
    let addr = format!("{}:{}", args.host, args.port);
    // An IP address binds directly; a host name is resolved (on tokio's blocking pool).
    let bound = match args.host.parse::<std::net::IpAddr>() {
        Ok(ip) => tokio::net::TcpListener::bind((ip, args.port)).await,
        Err(_) => tokio::net::TcpListener::bind(&addr).await,
    };
    let listener = bound.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr()?;
    let rules = args.url_rules(local.ip())?;
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
        io: IoConfig {
            url_rules: Arc::new(rules.clone()),
            ..IoConfig::default()
        },
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
    let app = App::new(cfg, tms, Arc::new(backend));
    #[cfg(feature = "vector")]
    let app = match &args.database_url {
        Some(url) => app.with_vector(Arc::new(vector_backend(&args, url)?)),
        None => app,
    };
    let app = Arc::new(app);
    // The first stdout line says where we listen (scripts read it when --port 0).
    super::print_line(&format!("listening on http://{local}"))?;
    tracing::info!(
        addr = %local,
        cache_mib = args.cache_size,
        decoded_cache_mib = args.decoded_cache_size,
        workers = args.workers.unwrap_or(0),
        "cogtiler serving; open http://{local}/ for the sample viewer"
    );
    // Once, at start: which paths and URLs requests may open.
    tracing::info!(url_rules = %rules.describe(), "URL rules");
    server::serve(listener, app, shutdown_signal()).await?;
    Ok(())
}

#[cfg(feature = "vector")]
/// A TiPg list setting: a JSON list (`["a","b"]`) or comma separated names.
fn name_list(raw: &str) -> Vec<String> {
    if let Ok(v) = serde_json::from_str::<Vec<String>>(raw) {
        return v;
    }
    raw.split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(feature = "vector")]
/// The vector backend. It connects lazily, so a database that is down at start only makes
/// `/collections` answer 503 until it is back.
fn vector_backend(args: &Args, url: &str) -> Result<cogtiler::vector::VectorBackend, CliError> {
    use cogtiler::vector::{VectorBackend, VectorConfig};
    let mut vc = VectorConfig::new(url.to_string());
    vc.pool_size = args.db_pool_size.max(1);
    vc.statement_timeout = Duration::from_secs_f64(args.db_statement_timeout.max(0.001));
    vc.catalog_ttl = Duration::from_secs_f64(args.catalog_ttl.max(0.0));
    let c = &mut vc.catalog;
    c.schemas = name_list(&args.db_schemas);
    c.tables = args.db_tables.as_deref().map(name_list);
    c.exclude_tables = args
        .db_exclude_tables
        .as_deref()
        .map(name_list)
        .unwrap_or_default();
    c.exclude_table_schemas = args
        .db_exclude_table_schemas
        .as_deref()
        .map(name_list)
        .unwrap_or_default();
    c.functions = args.db_functions.as_deref().map(name_list);
    c.exclude_functions = args
        .db_exclude_functions
        .as_deref()
        .map(name_list)
        .unwrap_or_default();
    c.exclude_function_schemas = args
        .db_exclude_function_schemas
        .as_deref()
        .map(name_list)
        .unwrap_or_default();
    c.only_spatial_tables = args.db_only_spatial_tables;
    VectorBackend::new(vc).map_err(|e| format!("--database-url: {e}").into())
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

    #[test]
    fn url_rules_follow_the_bind_address_unless_given() {
        let lo: IpAddr = "127.0.0.1".parse().unwrap();
        let any: IpAddr = "0.0.0.0".parse().unwrap();
        let mapped: IpAddr = "::ffff:127.0.0.1".parse().unwrap();
        assert!(args(&[]).url_rules(lo).unwrap().is_open());
        assert!(args(&[]).url_rules(mapped).unwrap().is_open());
        assert_eq!(args(&[]).url_rules(any).unwrap(), UrlRules::protected());
        assert_eq!(
            args(&[]).url_rules("::".parse().unwrap()).unwrap(),
            UrlRules::protected()
        );
        // explicit rules apply on loopback too
        let r = args(&[
            "--allow-url-prefix",
            "s3://b/",
            "--allow-url-prefix",
            "https://h/",
        ])
        .url_rules(lo)
        .unwrap();
        assert!(!r.is_open());
        assert!(r.describe().contains("s3://b/") && r.describe().contains("https://h/"));
        let r = args(&["--allow-private-hosts"]).url_rules(any).unwrap();
        assert!(!r.checks_addresses());
        assert!(args(&["--allow-local-root", "/definitely/not/here"])
            .url_rules(any)
            .is_err());
        assert!(args(&["--allow-url-prefix", "ftp://x/"])
            .url_rules(any)
            .is_err());
    }
}
