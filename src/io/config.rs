//! Knobs for reading remote data; defaults chosen for a tile server (fail fast, few requests).

use std::sync::Arc;
use std::time::Duration;

use super::UrlRules;

/// How byte sources behave. `Default` gives the documented values.
#[derive(Clone, Debug)]
pub struct IoConfig {
    /// Bytes read by the first request of an open (GDAL's `GDAL_INGESTED_BYTES_AT_OPEN`).
    /// 32 KiB holds every IFD and offset array of a typical GDAL COG. Default 32768.
    pub header_bytes: u64,
    /// Ranges separated by at most this many bytes are merged into one request. Reading a
    /// few unneeded KiB costs far less than another round trip. Default 32 KiB.
    pub coalesce_gap: u64,
    /// Whole-request timeout. Default 10 s.
    pub timeout: Duration,
    /// Connection timeout. Default 5 s.
    pub connect_timeout: Duration,
    /// Retries on 5xx / connection errors (object_store's backoff). Default 2.
    pub max_retries: usize,
    /// Give up retrying after this long. Default 10 s.
    pub retry_timeout: Duration,
    /// Allow plain `http://` for S3 endpoints and HTTP stores. Default true.
    pub allow_http: bool,
    /// Which paths and URLs may be opened. Default [`UrlRules::open`]; a server bound to a
    /// public address sets stricter ones.
    pub url_rules: Arc<UrlRules>,
}

impl Default for IoConfig {
    fn default() -> Self {
        IoConfig {
            header_bytes: 32 * 1024,
            coalesce_gap: 32 * 1024,
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            max_retries: 2,
            retry_timeout: Duration::from_secs(10),
            allow_http: true,
            url_rules: Arc::new(UrlRules::open()),
        }
    }
}
