//! `object_store`-backed sources and the URL → store registry.
//!
//! One `ObjectStore` is built per scheme + host (or bucket) and reused, so connection pools and
//! credentials are shared between datasets. HTTP URLs that carry a query string get a store of
//! their own, because object_store's HTTP store appends object paths to its base URL and the
//! query (signed URLs, cache busters) must reach the server.

use std::collections::HashMap;
use std::fmt::Debug;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use bytes::Bytes;
use futures::future::BoxFuture;
use object_store::path::Path;
use object_store::{GetOptions, GetRange, ObjectStore};

use super::{ByteSource, Error, IoConfig, UrlRules};

/// A [`ByteSource`] reading one object of an `ObjectStore` with ranged GETs (never a HEAD).
pub struct ObjectSource {
    url: String,
    store: Arc<dyn ObjectStore>,
    path: Path,
    /// Object size learned from the first answer; `u64::MAX` = unknown.
    size: AtomicU64,
}

impl Debug for ObjectSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectSource")
            .field("url", &self.url)
            .field("path", &self.path)
            .finish()
    }
}

impl ObjectSource {
    pub fn new(url: impl Into<String>, store: Arc<dyn ObjectStore>, path: Path) -> ObjectSource {
        ObjectSource {
            url: url.into(),
            store,
            path,
            size: AtomicU64::new(u64::MAX),
        }
    }
}

impl ByteSource for ObjectSource {
    fn id(&self) -> &str {
        &self.url
    }

    fn read(&self, range: Range<u64>) -> BoxFuture<'_, Result<Bytes, Error>> {
        Box::pin(async move {
            if range.end <= range.start {
                return Ok(Bytes::new());
            }
            if let Some(size) = self.size() {
                if range.start >= size {
                    return Ok(Bytes::new());
                }
            }
            let opts = GetOptions {
                range: Some(GetRange::Bounded(range.clone())),
                ..Default::default()
            };
            let res = match self.store.get_opts(&self.path, opts).await {
                Ok(r) => r,
                Err(e) => {
                    let err = Error::from_store(&self.url, e);
                    // A range past the end of a tiny (or empty) object: object_store reports
                    // it as an error; for us it is simply "no bytes there".
                    if range.start > 0 && matches!(err, Error::RangeNotSupported { .. }) {
                        return Ok(Bytes::new());
                    }
                    return Err(err);
                }
            };
            self.size.store(res.meta.size, Ordering::Relaxed);
            let got = res.range.clone();
            let bytes = res
                .bytes()
                .await
                .map_err(|e| Error::from_store(&self.url, e))?;
            if got.start != range.start {
                return Err(Error::RangeNotSupported {
                    url: self.url.clone(),
                });
            }
            // Never hand out more than asked for.
            let want = (range.end - range.start).min(bytes.len() as u64) as usize;
            Ok(bytes.slice(..want))
        })
    }

    fn size(&self) -> Option<u64> {
        match self.size.load(Ordering::Relaxed) {
            u64::MAX => None,
            s => Some(s),
        }
    }
}

fn registry() -> &'static Mutex<HashMap<String, Arc<dyn ObjectStore>>> {
    static REG: OnceLock<Mutex<HashMap<String, Arc<dyn ObjectStore>>>> = OnceLock::new();
    REG.get_or_init(|| Mutex::new(HashMap::new()))
}

fn cached_store(
    key: &str,
    build: impl FnOnce() -> Result<Arc<dyn ObjectStore>, Error>,
) -> Result<Arc<dyn ObjectStore>, Error> {
    if let Ok(reg) = registry().lock() {
        if let Some(s) = reg.get(key) {
            return Ok(s.clone());
        }
    }
    let store = build()?;
    if let Ok(mut reg) = registry().lock() {
        reg.insert(key.to_string(), store.clone());
    }
    Ok(store)
}

/// Hands every HTTP store the same client (one per set of client options), and picks which.
///
/// A signed or cache-busted URL (`...tif?X-Amz-Signature=...`) needs a store of its own, and
/// object_store builds a fresh client per store: a new connection pool, a new TLS setup and
/// the system root certificates read from disk again, on every cold request. The clients are
/// keyed by the options that shape them, so sharing changes nothing but speed.
///
/// The client is cogtiler's own [`QuickAckService`](super::http::QuickAckService) (it sets
/// TCP_QUICKACK, see `src/io/http.rs`) unless a proxy is configured in the environment or the
/// options ask for something only reqwest implements; then it is reqwest. Under URL rules
/// that check addresses the client checks every address it connects to, so there is no
/// reqwest fallback then (a proxy would hide the addresses).
#[derive(Debug, Default)]
struct SharedConnector {
    rules: Arc<UrlRules>,
}

impl object_store::client::HttpConnector for SharedConnector {
    fn connect(
        &self,
        options: &object_store::ClientOptions,
    ) -> object_store::Result<object_store::client::HttpClient> {
        static CLIENTS: OnceLock<Mutex<HashMap<String, object_store::client::HttpClient>>> =
            OnceLock::new();
        let key = format!("{options:?}{}", self.rules.key());
        let clients = CLIENTS.get_or_init(|| Mutex::new(HashMap::new()));
        if let Some(c) = clients.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(c);
        }
        let plain = env_proxy() || !super::http::supports(options);
        if plain && self.rules.checks_addresses() {
            return Err(object_store::Error::Generic {
                store: "HTTP",
                source: format!(
                    "{}the address check needs cogtiler's own HTTP client, which does not \
                     support proxies (HTTP_PROXY/HTTPS_PROXY/ALL_PROXY are set); unset them or \
                     pass --allow-private-hosts",
                    super::error::REFUSED_MARK
                )
                .into(),
            });
        }
        let client =
            if plain {
                object_store::client::HttpConnector::connect(
                    &object_store::client::ReqwestConnector::default(),
                    options,
                )?
            } else {
                let service = super::http::QuickAckService::new(options, self.rules.clone())
                    .map_err(|e| object_store::Error::Generic {
                        store: "HTTP",
                        source: Box::new(e),
                    })?;
                object_store::client::HttpClient::new(service)
            };
        if let Ok(mut m) = clients.lock() {
            m.insert(key, client.clone());
        }
        Ok(client)
    }
}

/// Whether the environment names a proxy (reqwest's variables); our own client has no proxy
/// support, reqwest does.
fn env_proxy() -> bool {
    ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"].iter().any(|v| {
        [v.to_string(), v.to_ascii_lowercase()]
            .iter()
            .any(|name| std::env::var_os(name).is_some_and(|x| !x.is_empty()))
    })
}

fn client_options(cfg: &IoConfig) -> object_store::ClientOptions {
    object_store::ClientOptions::new()
        .with_timeout(cfg.timeout)
        .with_connect_timeout(cfg.connect_timeout)
        .with_allow_http(cfg.allow_http)
}

fn retry_config(cfg: &IoConfig) -> object_store::RetryConfig {
    object_store::RetryConfig {
        max_retries: cfg.max_retries,
        retry_timeout: cfg.retry_timeout,
        backoff: object_store::BackoffConfig {
            init_backoff: std::time::Duration::from_millis(100),
            max_backoff: std::time::Duration::from_secs(2),
            base: 2.0,
        },
    }
}

fn env_flag(name: &str) -> bool {
    std::env::var(name)
        .map(|v| matches!(v.to_ascii_lowercase().as_str(), "yes" | "true" | "1"))
        .unwrap_or(false)
}

/// Opens `url` as a byte source: a local path, `file://`, `http(s)://` or `s3://bucket/key`.
///
/// S3 settings come from the environment like the AWS CLI: `AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION`/`AWS_DEFAULT_REGION`,
/// `AWS_ENDPOINT_URL` (custom S3-compatible endpoint), `AWS_NO_SIGN_REQUEST=YES` (anonymous),
/// `AWS_REQUEST_PAYER=requester` (requester-pays buckets). Nothing is fetched here.
pub fn open_source(url: &str, cfg: &IoConfig) -> Result<Arc<dyn ByteSource>, Error> {
    let invalid = |reason: &str| Error::InvalidUrl {
        url: url.to_string(),
        reason: reason.to_string(),
    };
    if url.is_empty() {
        return Err(invalid("empty url"));
    }
    let parsed = match url::Url::parse(url) {
        Ok(u) if u.scheme().len() > 1 => Some(u),
        // "C:\..." parses with a one-letter scheme; no scheme at all means a local path.
        _ => None,
    };
    let Some(parsed) = parsed else {
        let canonical = cfg.url_rules.check_local(url, std::path::Path::new(url))?;
        return open_local(url, &canonical);
    };
    match parsed.scheme() {
        "file" => {
            let p = parsed
                .to_file_path()
                .map_err(|_| invalid("not a local file path"))?;
            open_local(url, &cfg.url_rules.check_local(url, &p)?)
        }
        "http" | "https" => {
            cfg.url_rules.check_remote(&parsed)?;
            super::crypto::install_tls_provider();
            let host = parsed.host_str().ok_or_else(|| invalid("missing host"))?;
            let origin = match parsed.port() {
                Some(p) => format!("{}://{}:{}", parsed.scheme(), host, p),
                None => format!("{}://{}", parsed.scheme(), host),
            };
            let build = |base: &str| -> Result<Arc<dyn ObjectStore>, Error> {
                object_store::http::HttpBuilder::new()
                    .with_url(base)
                    .with_client_options(client_options(cfg))
                    .with_retry(retry_config(cfg))
                    .with_http_connector(SharedConnector {
                        rules: cfg.url_rules.clone(),
                    })
                    .build()
                    .map(|s| Arc::new(s) as Arc<dyn ObjectStore>)
                    .map_err(|e| Error::from_build(url, &e.to_string()))
            };
            if parsed.query().is_some() {
                // The whole URL is the base; the object path is empty so the query survives.
                let store = build(url)?;
                return Ok(Arc::new(ObjectSource::new(url, store, Path::default())));
            }
            // Stores of different rules must not share a client.
            let key = format!("{origin}{}", cfg.url_rules.key());
            let store = cached_store(&key, || build(&origin))?;
            let path = Path::from_url_path(parsed.path()).map_err(|e| invalid(&e.to_string()))?;
            Ok(Arc::new(ObjectSource::new(url, store, path)))
        }
        "s3" | "s3a" => {
            cfg.url_rules.check_remote(&parsed)?;
            super::crypto::install_tls_provider();
            let bucket = parsed
                .host_str()
                .filter(|b| !b.is_empty())
                .ok_or_else(|| invalid("missing bucket"))?
                .to_string();
            let key = parsed.path().trim_start_matches('/');
            if key.is_empty() {
                return Err(invalid("missing object key"));
            }
            let store = cached_store(&format!("s3://{bucket}"), || {
                let mut b = object_store::aws::AmazonS3Builder::from_env()
                    .with_bucket_name(&bucket)
                    .with_client_options(client_options(cfg))
                    .with_retry(retry_config(cfg));
                if std::env::var("AWS_REGION").is_err() {
                    if let Ok(r) = std::env::var("AWS_DEFAULT_REGION") {
                        b = b.with_region(r);
                    }
                }
                if env_flag("AWS_NO_SIGN_REQUEST") {
                    b = b.with_skip_signature(true);
                }
                if std::env::var("AWS_REQUEST_PAYER")
                    .map(|v| v.eq_ignore_ascii_case("requester") || v == "true")
                    .unwrap_or(false)
                {
                    b = b.with_request_payer(true);
                }
                if let Ok(ep) = std::env::var("AWS_ENDPOINT_URL") {
                    b = b
                        .with_endpoint(&ep)
                        .with_allow_http(ep.starts_with("http://"));
                }
                if let Some(crypto) = super::crypto::signing_provider() {
                    b = b.with_crypto_provider(crypto);
                }
                b.build()
                    .map(|s| Arc::new(s) as Arc<dyn ObjectStore>)
                    .map_err(|e| invalid(&e.to_string()))
            })?;
            let path = Path::from_url_path(key).map_err(|e| invalid(&e.to_string()))?;
            Ok(Arc::new(ObjectSource::new(url, store, path)))
        }
        other => Err(invalid(&format!(
            "unsupported scheme '{other}' (expected a path, file://, http(s):// or s3://)"
        ))),
    }
}

/// Opens `abs`, a canonical path the URL rules accepted.
fn open_local(url: &str, abs: &std::path::Path) -> Result<Arc<dyn ByteSource>, Error> {
    if !abs.is_file() {
        return Err(Error::NotFound {
            url: url.to_string(),
        });
    }
    let store = cached_store("file://", || {
        Ok(Arc::new(object_store::local::LocalFileSystem::new()) as Arc<dyn ObjectStore>)
    })?;
    let path = Path::from_absolute_path(abs).map_err(|e| Error::InvalidUrl {
        url: url.to_string(),
        reason: e.to_string(),
    })?;
    Ok(Arc::new(ObjectSource::new(url, store, path)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn local_file_reads_and_learns_size() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.bin");
        std::fs::write(&p, b"hello world").unwrap();
        let src = open_source(p.to_str().unwrap(), &IoConfig::default()).unwrap();
        assert_eq!(src.size(), None);
        let b = src.read(0..32768).await.unwrap();
        assert_eq!(&b[..], b"hello world");
        assert_eq!(src.size(), Some(11));
        assert!(src.read(20..30).await.unwrap().is_empty());
        let url = format!("file://{}", p.display());
        let src = open_source(&url, &IoConfig::default()).unwrap();
        assert_eq!(&src.read(6..11).await.unwrap()[..], b"world");
    }

    #[tokio::test]
    async fn http_stores_use_the_quickack_client() {
        use super::super::http::tests::{kit, RangeServer, FILE};
        let cfg = IoConfig::default();
        let client = object_store::client::HttpConnector::connect(
            &SharedConnector::default(),
            &client_options(&cfg),
        )
        .unwrap();
        assert!(
            format!("{client:?}").contains("QuickAckService"),
            "{client:?}"
        );

        let server = RangeServer::start(&[]);
        let disk = std::fs::read(kit().join(FILE)).unwrap();
        let url = format!("{}/{FILE}", server.base);
        let src = open_source(&url, &cfg).unwrap();
        for r in [0..32768u64, 200_000..200_100, 1..2] {
            let got = src.read(r.clone()).await.unwrap();
            assert_eq!(&got[..], &disk[r.start as usize..r.end as usize]);
        }
        assert_eq!(src.size(), Some(disk.len() as u64));
        // With a query string the store is per URL; still the shared client.
        let src = open_source(&format!("{url}?v=1"), &cfg).unwrap();
        assert_eq!(&src.read(10..20).await.unwrap()[..], &disk[10..20]);

        let strict = IoConfig {
            allow_http: false,
            ..IoConfig::default()
        };
        let refused = match open_source(&format!("{url}?strict=1"), &strict) {
            Err(_) => true,
            Ok(src) => src.read(0..10).await.is_err(),
        };
        assert!(refused, "http:// must be refused when allow_http is false");
    }

    #[test]
    fn address_checks_never_fall_back_to_reqwest() {
        // a proxy hides the addresses connected to: under address checks that is a refusal
        crate::io::crypto::install_tls_provider();
        let rules = Arc::new(UrlRules::protected());
        let proxied = client_options(&IoConfig::default()).with_proxy_url("http://proxy.test:3128");
        let connector = SharedConnector { rules };
        let err = object_store::client::HttpConnector::connect(&connector, &proxied).unwrap_err();
        let mapped = Error::from_build("http://x/y.tif", &err.to_string());
        assert!(matches!(mapped, Error::Refused { .. }), "{mapped}");
        let open = SharedConnector::default();
        assert!(object_store::client::HttpConnector::connect(&open, &proxied).is_ok());
    }

    #[test]
    fn bad_urls_are_typed() {
        let cfg = IoConfig::default();
        assert!(matches!(
            open_source("/definitely/not/here.tif", &cfg),
            Err(Error::NotFound { .. })
        ));
        assert!(matches!(
            open_source("ftp://x/y.tif", &cfg),
            Err(Error::InvalidUrl { .. })
        ));
        assert!(matches!(
            open_source("s3://bucket", &cfg),
            Err(Error::InvalidUrl { .. })
        ));
    }
}
