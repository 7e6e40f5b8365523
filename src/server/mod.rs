//! TiTiler's HTTP API on hyper.
//!
//! A TiTiler client speaks a small, fixed contract: URL templates such as
//! `/cog/tiles/{tileMatrixSetId}/{z}/{x}/{y}.png?url=...&rescale=0,255`, FastAPI-shaped errors
//! (`{"detail": ...}`), and a handful of headers. This module reproduces that contract without
//! a web framework, in layers a request passes through in order:
//!
//! 1. [`router`]: the path template table, Starlette's matching rules (404/405 here).
//! 2. [`query`] + [`params`]: the query string as an ordered multimap, parsed into one typed
//!    struct per concern; every bad value becomes a FastAPI 422 entry ([`validation`]).
//! 3. [`handlers`]: one function per endpoint; data endpoints call the [`backend::Backend`]
//!    (the reader and renderer), documents are built by the pure functions in [`docs`].
//! 4. [`error`]: every failure is an [`ApiError`] mapped from the library's error kinds.
//! 5. [`middleware`]: CORS, `Cache-Control`, gzip and HEAD on the way out; around it all,
//!    a concurrency limit, a request deadline and a panic guard (a panic is a 500 JSON, never
//!    a dropped connection).
//!
//! [`serve`] runs the accept loop with graceful shutdown; [`App::handle`] is the whole
//! pipeline for one request and is what tests drive.

pub mod backend;
pub(crate) mod cog_backend;
pub mod config;
pub mod docs;
pub mod error;
pub(crate) mod error_map;
pub(crate) mod handlers;
pub(crate) mod identity;
pub(crate) mod middleware;
pub(crate) mod openapi;
pub mod params;
pub(crate) mod query;
pub(crate) mod response;
pub(crate) mod router;
pub(crate) mod sample;
pub(crate) mod validation;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use futures::FutureExt;
use http::{Method, Request, Response};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

pub use backend::Backend;
pub use cog_backend::{AssetOptions, CogBackend};
pub use config::{ApiMode, ServerConfig};
pub use error::{ApiError, Classify, ErrorKind};
pub use params::Catalog;

use crate::tms::TmsRegistry;
use handlers::Ctx;
use middleware::ReqInfo;
use router::{Endpoint, Matched};

/// Everything a request handler can reach: settings, valid names, the data backend.
pub struct App {
    pub config: ServerConfig,
    pub catalog: Catalog,
    pub backend: Arc<dyn Backend>,
    /// The TileMatrixSets served (morecantile's defaults plus `TILEMATRIXSET_DIRECTORY`).
    pub tms: Arc<TmsRegistry>,
    /// TiPg's vector API (`/collections`), when a database is configured.
    #[cfg(feature = "vector")]
    pub vector: Option<Arc<crate::vector::VectorBackend>>,
    permits: Arc<Semaphore>,
}

impl App {
    /// An app over `tms`; the catalog's TMS ids are the registry's.
    pub fn new(config: ServerConfig, tms: Arc<TmsRegistry>, backend: Arc<dyn Backend>) -> App {
        let permits = Arc::new(Semaphore::new(config.max_concurrency.max(1)));
        App {
            config,
            catalog: Catalog::with_tms(&tms),
            backend,
            tms,
            #[cfg(feature = "vector")]
            vector: None,
            permits,
        }
    }

    /// Whether `endpoint` belongs to an API this server runs (`--api`): the vector routes need
    /// a database, the raster ones are off with `--api vector`.
    fn serves(&self, endpoint: Endpoint) -> bool {
        use Endpoint as E;
        let shared = matches!(
            endpoint,
            E::Landing
                | E::Conformance
                | E::Healthz
                | E::Api
                | E::ApiHtml
                | E::TmsList
                | E::Tms
                | E::Static
        );
        if shared {
            return true;
        }
        if endpoint.is_vector() {
            #[cfg(feature = "vector")]
            return self.config.api.vector() && self.vector.is_some();
            #[cfg(not(feature = "vector"))]
            return false;
        } else {
            self.config.api.raster()
        }
    }

    /// Serves the vector API from `vector`.
    #[cfg(feature = "vector")]
    pub fn with_vector(mut self, vector: Arc<crate::vector::VectorBackend>) -> App {
        self.vector = Some(vector);
        self
    }

    /// Runs one request through the whole pipeline. Never fails and never panics: errors,
    /// panics and timeouts all become JSON error responses.
    pub async fn handle<B>(&self, req: Request<B>) -> Response<Bytes>
    where
        B: hyper::body::Body + Send,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let start = Instant::now();
        let (parts, body) = req.into_parts();
        let header = |name: http::header::HeaderName| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let raw_path = parts.uri.path().to_string();
        let path = percent_encoding::percent_decode_str(&raw_path)
            .decode_utf8_lossy()
            .into_owned();
        let info = ReqInfo {
            method: parts.method.clone(),
            path: path.clone(),
            origin: header(http::header::ORIGIN),
            accept_encoding: header(http::header::ACCEPT_ENCODING),
            request_headers: header(http::header::ACCESS_CONTROL_REQUEST_HEADERS),
        };
        if let Some(r) = middleware::preflight(&info, &self.config) {
            return r;
        }
        let resp = match router::route(&parts.method, &path) {
            Matched::NotFound => response::error(&ApiError::not_found()),
            Matched::MethodNotAllowed(allowed) => {
                let mut r = response::error(&ApiError::method_not_allowed());
                let allow: Vec<&str> = allowed.iter().map(Method::as_str).collect();
                if let Ok(v) = http::HeaderValue::from_str(&allow.join(", ")) {
                    r.headers_mut().insert(http::header::ALLOW, v);
                }
                r
            }
            Matched::Found(endpoint, _) if !self.serves(endpoint) => {
                response::error(&ApiError::not_found())
            }
            Matched::Found(endpoint, captures) => {
                self.run(endpoint, captures, parts, body, &raw_path).await
            }
        };
        let resp = middleware::finish(&info, resp, &self.config);
        tracing::info!(
            method = %info.method,
            path = %info.path,
            status = resp.status().as_u16(),
            ms = start.elapsed().as_secs_f64() * 1000.0,
            "request"
        );
        resp
    }

    /// TiTiler's global access token: `401 Missing/Invalid `access_token`` when configured.
    fn check_access_token(
        &self,
        endpoint: Endpoint,
        raw_query: Option<&str>,
    ) -> Result<(), ApiError> {
        let Some(want) = &self.config.access_token else {
            return Ok(());
        };
        if matches!(
            endpoint,
            Endpoint::Api | Endpoint::ApiHtml | Endpoint::Static | Endpoint::SampleTif
        ) {
            return Ok(());
        }
        let q = query::Query::parse(raw_query.unwrap_or(""), self.config.lower_case_query);
        match q.get("access_token") {
            None | Some("") => Err(ApiError::new(
                http::StatusCode::UNAUTHORIZED,
                "Missing `access_token`",
            )),
            Some(t) if t != want => Err(ApiError::new(
                http::StatusCode::UNAUTHORIZED,
                "Invalid `access_token`",
            )),
            Some(_) => Ok(()),
        }
    }

    /// Concurrency limit, body, deadline and panic guard around the endpoint handler.
    async fn run<B>(
        &self,
        endpoint: Endpoint,
        captures: router::Captures,
        parts: http::request::Parts,
        body: B,
        raw_path: &str,
    ) -> Response<Bytes>
    where
        B: hyper::body::Body + Send,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        // Static files, the sample and health checks never wait behind data requests
        // (the reader may itself fetch /sample.tif from this server).
        let light = matches!(
            endpoint,
            Endpoint::Static | Endpoint::SampleTif | Endpoint::Healthz
        );
        let _permit = if light {
            None
        } else {
            match tokio::time::timeout(
                self.config.queue_timeout,
                self.permits.clone().acquire_owned(),
            )
            .await
            {
                Ok(Ok(p)) => Some(p),
                _ => {
                    return response::error(&ApiError::of_kind(
                        ErrorKind::Overloaded,
                        "server is busy, retry later",
                    ))
                }
            }
        };
        if let Err(e) = self.check_access_token(endpoint, parts.uri.query()) {
            return response::error(&e);
        }
        let lower = self.config.lower_case_query;
        let max_body = self.config.max_body_bytes;
        let is_post = parts.method == Method::POST;
        // Reading the body is part of the request's deadline: a client trickling bytes must
        // not hold a slot forever.
        // CPU jobs queue by request arrival (see crate::cpu)
        let work = crate::cpu::request(async move {
            let body = if is_post {
                match Limited::new(body, max_body).collect().await {
                    Ok(b) => b.to_bytes(),
                    Err(e) => {
                        return Err(ApiError::new(
                            http::StatusCode::PAYLOAD_TOO_LARGE,
                            format!("request body rejected: {e}"),
                        ))
                    }
                }
            } else {
                Bytes::new()
            };
            let raw_query = parts.uri.query().unwrap_or("");
            let ctx = Ctx {
                app: self,
                query: query::Query::parse(raw_query, lower),
                captures,
                base_url: base_url(&parts.headers),
                path_and_query: if raw_query.is_empty() {
                    raw_path.to_string()
                } else {
                    format!("{raw_path}?{raw_query}")
                },
                headers: parts.headers.clone(),
                body,
            };
            handlers::dispatch(endpoint, ctx).await
        });
        let fut = std::panic::AssertUnwindSafe(work).catch_unwind();
        match tokio::time::timeout(self.config.request_timeout, fut).await {
            Ok(Ok(Ok(r))) => r,
            Ok(Ok(Err(e))) => response::error(&e),
            Ok(Err(panic)) => {
                let msg = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                tracing::error!(panic = %msg, "handler panicked");
                response::error(&ApiError::internal("internal server error"))
            }
            Err(_) => response::error(&ApiError::of_kind(
                ErrorKind::Timeout,
                format!(
                    "request timed out after {} s",
                    self.config.request_timeout.as_secs_f64()
                ),
            )),
        }
    }
}

/// The origin clients used to reach us, for absolute links in documents: `Host` (or
/// `X-Forwarded-Host`) with `X-Forwarded-Proto`'s scheme behind a TLS-terminating proxy.
fn base_url(headers: &http::HeaderMap) -> String {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let safe = |h: &&str| {
        h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]_".contains(&b))
    };
    let host = get("x-forwarded-host")
        .filter(safe)
        .or_else(|| get("host").filter(safe))
        .unwrap_or("localhost");
    let scheme = match get("x-forwarded-proto") {
        Some("https") => "https",
        _ => "http",
    };
    format!("{scheme}://{host}")
}

/// Serves `app` on `listener` until `shutdown` resolves, then stops accepting and waits for
/// in-flight requests to finish (graceful shutdown).
pub async fn serve(
    listener: TcpListener,
    app: Arc<App>,
    shutdown: impl std::future::Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, _peer): (_, SocketAddr) = match accepted {
                    Ok(s) => s,
                    Err(e) => {
                        // EMFILE and friends: back off instead of spinning.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let app = app.clone();
                let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                    let app = app.clone();
                    async move {
                        let resp = app.handle(req).await;
                        Ok::<_, Infallible>(resp.map(Full::new))
                    }
                });
                let conn = hyper::server::conn::http1::Builder::new()
                    .timer(hyper_util::rt::TokioTimer::new())
                    .header_read_timeout(std::time::Duration::from_secs(30))
                    .serve_connection(TokioIo::new(stream), service);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    if let Err(e) = conn.await {
                        tracing::debug!(error = %e, "connection closed with error");
                    }
                });
            }
            _ = &mut shutdown => break,
        }
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(std::time::Duration::from_secs(30)) => {
            tracing::warn!("graceful shutdown timed out; closing remaining connections");
        }
    }
    tracing::info!("server stopped");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_from_headers() {
        let mut h = http::HeaderMap::new();
        assert_eq!(base_url(&h), "http://localhost");
        h.insert("host", "127.0.0.1:8000".parse().unwrap());
        assert_eq!(base_url(&h), "http://127.0.0.1:8000");
        h.insert("x-forwarded-proto", "https".parse().unwrap());
        h.insert(
            "x-forwarded-host",
            "tiles.example.com, proxy".parse().unwrap(),
        );
        assert_eq!(base_url(&h), "https://tiles.example.com");
        // a Host that could break out of the links is not trusted
        h.insert("x-forwarded-host", "evil\"><script>".parse().unwrap());
        assert_eq!(base_url(&h), "https://127.0.0.1:8000");
    }
}
