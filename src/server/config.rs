//! Server settings, with TiTiler's defaults.

use std::time::Duration;

/// How the HTTP layer behaves. Built by `cogtiler serve` from flags and `COGTILER_*` env vars.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// CORS allowed origins; `["*"]` (TiTiler's default) allows any.
    pub cors_origins: Vec<String>,
    /// CORS allowed methods advertised on preflight (TiTiler: `GET`).
    pub cors_allow_methods: String,
    /// `Cache-Control` value for successful GET/HEAD answers; `None` disables the header.
    pub cache_control: Option<String>,
    /// Requests handled at once; more wait for a slot (up to `queue_timeout`).
    pub max_concurrency: usize,
    /// How long a request may wait for a slot before a 503.
    pub queue_timeout: Duration,
    /// Deadline for a whole request (a 504 after it).
    pub request_timeout: Duration,
    /// Largest accepted request body (GeoJSON for POST endpoints).
    pub max_body_bytes: usize,
    /// Compress JSON/XML/HTML/text answers when the client accepts gzip.
    pub compress: bool,
    /// Lower-case query keys (`TITILER_API_LOWER_CASE_QUERY_PARAMETERS`).
    pub lower_case_query: bool,
    /// `map.html` loads Leaflet from unpkg.com exactly like TiTiler (byte-identical page)
    /// instead of from this server's `/static/` (which works offline).
    pub cdn_assets: bool,
    /// Attribution put in TileJSON documents (`TITILER_DEFAULT_ATTRIBUTION`).
    pub attribution: Option<String>,
    /// When set, every API request must carry `?access_token=<this>` (TiTiler's
    /// `TITILER_API_GLOBAL_ACCESS_TOKEN`); the API description, static files and the sample
    /// stay open.
    pub access_token: Option<String>,
    /// Which APIs are served: TiTiler's rasters, TiPg's vectors (`/collections`), or both.
    pub api: ApiMode,
}

/// `--api raster|vector|all`: which half of the map server answers. `/`, `/conformance` and
/// `/api` are TiPg's with `vector` and describe both with `all`; `/tileMatrixSets` is shared.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ApiMode {
    #[default]
    Raster,
    Vector,
    All,
}

impl ApiMode {
    pub fn parse(s: &str) -> Option<ApiMode> {
        match s {
            "raster" => Some(ApiMode::Raster),
            "vector" => Some(ApiMode::Vector),
            "all" => Some(ApiMode::All),
            _ => None,
        }
    }

    pub fn raster(self) -> bool {
        self != ApiMode::Vector
    }

    pub fn vector(self) -> bool {
        self != ApiMode::Raster
    }
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            cors_origins: vec!["*".into()],
            cors_allow_methods: "GET".into(),
            cache_control: Some("public, max-age=3600".into()),
            max_concurrency: 256,
            queue_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_body_bytes: 16 * 1024 * 1024,
            compress: true,
            lower_case_query: false,
            cdn_assets: false,
            attribution: None,
            access_token: None,
            api: ApiMode::Raster,
        }
    }
}
