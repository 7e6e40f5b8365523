//! cogtiler's own HTTP client for `object_store`: hyper over rustls, with `TCP_QUICKACK`.
//!
//! **Why not reqwest.** Many simple HTTP servers (Python's `http.server`, our benchmark's
//! `rangeserver.py`, ...) write a response's headers and its body with two `send()` calls and
//! leave Nagle's algorithm on. On a kept-alive connection Linux puts the receiving socket in
//! "pingpong" (interactive) mode and delays the ACK of the header segment by up to ~40 ms; the
//! server's Nagle holds the body back until that ACK arrives. Every request after the first on
//! a pooled connection then costs ~40 ms of nothing, and a cold tile (header GET + chunk GET)
//! 45–90 ms. Setting `TCP_QUICKACK` after every read that returned bytes leaves pingpong mode
//! and sends a pending ACK at once, so the body follows the headers immediately. reqwest offers
//! no hook on its sockets, hence this small connector: hyper-util's pooled legacy client over
//! hyper-rustls over a TCP stream ([`QuickAckStream`]) that sets the option.
//!
//! What reqwest did for us and is kept here: whole-request timeout (headers and body), connect
//! timeout, `allow_http`, TCP_NODELAY, redirects (reqwest's default policy), a User-Agent, the
//! platform certificate verifier, and error kinds object_store's retry logic understands.
//! Everything else (proxies, custom roots, invalid certificates, HTTP/2 prior knowledge, read
//! timeouts, custom DNS) stays with reqwest: see [`supports`].
//!
//! It also enforces the URL rules ([`crate::io::UrlRules`]): every hop, redirects included,
//! is checked against them, and the connector checks every address it connects to
//! (`checked.rs`), which reqwest gives no hook for.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::{self, HeaderMap, HeaderValue};
use http::{Method, Request, StatusCode, Uri};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use object_store::client::{
    HttpError, HttpErrorKind, HttpRequest, HttpRequestBody, HttpResponse, HttpResponseBody,
    HttpService,
};
use object_store::{ClientConfigKey, ClientOptions};

use crate::io::UrlRules;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep};

pub(super) mod checked;
mod quickack;
use checked::{check_addr, literal_ip};
use checked::{is_refusal, rules_check, system_lookup, AddrCheck, CheckedResolver, Lookup};
pub(crate) use quickack::supports;
use quickack::QuickAckConnector;

/// reqwest's default redirect limit.
const MAX_REDIRECTS: usize = 10;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// An [`HttpService`] on hyper with TCP_QUICKACK; see the module documentation.
pub(crate) struct QuickAckService {
    client: Client<HttpsConnector<QuickAckConnector>, HttpRequestBody>,
    /// Whole-request deadline (response head and body), like reqwest's `timeout`.
    timeout: Option<Duration>,
    allow_http: bool,
    /// Headers added to every request that does not set them (User-Agent, default headers).
    defaults: HeaderMap,
    /// Checked on every hop (redirects too); addresses are checked by the connector.
    rules: Arc<UrlRules>,
}

impl std::fmt::Debug for QuickAckService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QuickAckService")
            .field("timeout", &self.timeout)
            .field("allow_http", &self.allow_http)
            .finish()
    }
}

/// Why a client could not be built.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BuildError {
    #[error("invalid client option {key}: {value}")]
    Option { key: &'static str, value: String },
    #[error("TLS setup failed: {0}")]
    Tls(#[from] rustls::Error),
}

impl QuickAckService {
    /// Builds a client from the options object_store hands its connector. Call only when
    /// [`supports`] says yes; anything it rejects is not implemented here. Connections go
    /// only where `rules` allow.
    pub(crate) fn new(
        options: &ClientOptions,
        rules: Arc<UrlRules>,
    ) -> Result<QuickAckService, BuildError> {
        let check = rules_check(rules.clone());
        QuickAckService::with_lookup(options, rules, system_lookup(), check)
    }

    /// [`QuickAckService::new`] resolving names with `lookup` and checking addresses with
    /// `check` (stand-ins in tests).
    pub(crate) fn with_lookup(
        options: &ClientOptions,
        rules: Arc<UrlRules>,
        lookup: Lookup,
        check: AddrCheck,
    ) -> Result<QuickAckService, BuildError> {
        let duration = |k: ClientConfigKey, key: &'static str| match options.get_config_value(&k) {
            None => Ok(None),
            Some(v) => humantime::parse_duration(&v)
                .map(Some)
                .map_err(|_| BuildError::Option { key, value: v }),
        };
        let timeout = duration(ClientConfigKey::Timeout, "timeout")?;
        let connect_timeout = duration(ClientConfigKey::ConnectTimeout, "connect_timeout")?;
        let pool_idle = duration(ClientConfigKey::PoolIdleTimeout, "pool_idle_timeout")?;
        let allow_http = options
            .get_config_value(&ClientConfigKey::AllowHttp)
            .as_deref()
            == Some("true");
        let http1_only = options
            .get_config_value(&ClientConfigKey::Http1Only)
            .as_deref()
            != Some("false");

        let resolver = CheckedResolver {
            check: check.clone(),
            lookup,
        };
        let mut http = HttpConnector::new_with_resolver(resolver);
        http.enforce_http(false); // the TLS layer above handles https
        http.set_nodelay(true);
        http.set_connect_timeout(connect_timeout);
        let tcp = QuickAckConnector { http, check };

        // Like reqwest 0.13: the installed rustls provider (see `crypto::install_tls_provider`)
        // and the platform verifier.
        let provider = rustls::crypto::CryptoProvider::get_default()
            .cloned()
            .unwrap_or_else(|| Arc::new(crate::io::crypto::tls_provider()));
        let verifier = rustls_platform_verifier::Verifier::new(provider.clone())?;
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        let schemes = hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(tls);
        let schemes = if allow_http {
            schemes.https_or_http()
        } else {
            schemes.https_only()
        };
        let https = if http1_only {
            schemes.enable_http1().wrap_connector(tcp)
        } else {
            schemes.enable_all_versions().wrap_connector(tcp)
        };

        let mut builder = Client::builder(TokioExecutor::new());
        builder
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .http1_max_buf_size(64 << 10);
        if let Some(idle) = pool_idle {
            builder.pool_idle_timeout(idle);
        }
        if let Some(max) = options
            .get_config_value(&ClientConfigKey::PoolMaxIdlePerHost)
            .and_then(|v| v.parse().ok())
        {
            builder.pool_max_idle_per_host(max);
        }
        let client = builder.build(https);

        let mut defaults = options.get_default_headers().cloned().unwrap_or_default();
        let agent = options
            .get_config_value(&ClientConfigKey::UserAgent)
            .and_then(|v| HeaderValue::from_str(&v).ok())
            .unwrap_or(HeaderValue::from_static(concat!(
                "cogtiler/",
                env!("CARGO_PKG_VERSION")
            )));
        defaults.insert(header::USER_AGENT, agent);
        defaults.insert(header::ACCEPT, HeaderValue::from_static("*/*"));
        Ok(QuickAckService {
            client,
            timeout,
            allow_http,
            defaults,
            rules,
        })
    }

    /// One request, following redirects, under one deadline.
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, HttpError> {
        let deadline = self.timeout.map(|t| Instant::now() + t);
        let (parts, mut body) = req.into_parts();
        let (mut method, mut uri, mut headers) = (parts.method, parts.uri, parts.headers);
        for (name, value) in &self.defaults {
            if !headers.contains_key(name) {
                headers.insert(name.clone(), value.clone());
            }
        }
        let mut hops = 0;
        loop {
            if uri.scheme() != Some(&http::uri::Scheme::HTTPS) && !self.allow_http {
                return Err(HttpError::new(
                    HttpErrorKind::Unknown,
                    Refused(format!(
                        "{uri}: plain http is not allowed (allow_http is off)"
                    )),
                ));
            }
            if !self.rules.is_open() {
                let checked = match url::Url::parse(&uri.to_string()) {
                    Ok(u) => self.rules.check_remote(&u).map_err(|e| match e {
                        crate::io::Error::Refused { rule, .. } => rule,
                        other => other.to_string(),
                    }),
                    Err(e) => Err(e.to_string()),
                };
                if let Err(why) = checked {
                    return Err(HttpError::new(
                        HttpErrorKind::Unknown,
                        Refused(format!("{}{uri}: {why}", crate::io::error::REFUSED_MARK)),
                    ));
                }
            }
            let mut req = Request::new(body.clone());
            *req.method_mut() = method.clone();
            *req.uri_mut() = uri.clone();
            *req.headers_mut() = headers.clone();
            let pending = self.client.request(req);
            let res = match deadline {
                Some(d) => tokio::time::timeout_at(d, pending)
                    .await
                    .map_err(|_| timed_out())?,
                None => pending.await,
            }
            .map_err(request_error)?;

            let Some(next) = redirect_target(res.status(), res.headers(), &uri) else {
                let (parts, incoming) = res.into_parts();
                let body = DeadlineBody {
                    inner: incoming,
                    deadline: deadline.map(|d| Box::pin(tokio::time::sleep_until(d))),
                };
                return Ok(HttpResponse::from_parts(parts, HttpResponseBody::new(body)));
            };
            hops += 1;
            if hops > MAX_REDIRECTS {
                return Err(HttpError::new(
                    HttpErrorKind::Unknown,
                    Refused(format!("too many redirects (more than {MAX_REDIRECTS})")),
                ));
            }
            // reqwest's rules: 301/302/303 turn a non-GET/HEAD into a body-less GET (the Range
            // header stays); 307/308 repeat the request as it was.
            if matches!(
                res.status(),
                StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND | StatusCode::SEE_OTHER
            ) && method != Method::GET
                && method != Method::HEAD
            {
                method = Method::GET;
                body = HttpRequestBody::empty();
                for h in [
                    header::CONTENT_TYPE,
                    header::CONTENT_LENGTH,
                    header::CONTENT_ENCODING,
                    header::TRANSFER_ENCODING,
                ] {
                    headers.remove(h);
                }
            }
            if origin(&next) != origin(&uri) {
                for h in [
                    header::AUTHORIZATION,
                    header::COOKIE,
                    header::PROXY_AUTHORIZATION,
                    header::WWW_AUTHENTICATE,
                    header::HOST,
                ] {
                    headers.remove(h);
                }
                headers.remove("cookie2");
            }
            uri = next;
        }
    }
}

impl HttpService for QuickAckService {
    fn call<'s, 'f>(
        &'s self,
        req: HttpRequest,
    ) -> Pin<Box<dyn Future<Output = Result<HttpResponse, HttpError>> + Send + 'f>>
    where
        's: 'f,
        Self: 'f,
    {
        Box::pin(self.send(req))
    }
}

/// Scheme, host and port (the port defaulted by scheme).
fn origin(uri: &Uri) -> (Option<&str>, Option<&str>, Option<u16>) {
    let scheme = uri.scheme_str();
    let port = uri.port_u16().or(match scheme {
        Some("http") => Some(80),
        Some("https") => Some(443),
        _ => None,
    });
    (scheme, uri.host(), port)
}

/// Where a redirect answer points, resolved against the request's URL. `None` when the answer
/// is not a redirect or its Location is missing or unusable: the answer is then returned as
/// is, like reqwest does.
fn redirect_target(status: StatusCode, headers: &HeaderMap, current: &Uri) -> Option<Uri> {
    if !matches!(
        status,
        StatusCode::MOVED_PERMANENTLY
            | StatusCode::FOUND
            | StatusCode::SEE_OTHER
            | StatusCode::TEMPORARY_REDIRECT
            | StatusCode::PERMANENT_REDIRECT
    ) {
        return None;
    }
    let location = headers.get(header::LOCATION)?.to_str().ok()?;
    let base = url::Url::parse(&current.to_string()).ok()?;
    let next = base.join(location).ok()?;
    if !matches!(next.scheme(), "http" | "https") {
        return None;
    }
    next.as_str().parse().ok()
}

/// A request refused before it reached the network (or a redirect loop).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Refused(String);

/// The whole-request deadline passed. The wording contains "timed out", which
/// [`super::Error::from_store`] maps to [`super::Error::Timeout`].
#[derive(Debug, thiserror::Error)]
#[error("request timed out")]
struct TimedOut;

fn timed_out() -> HttpError {
    HttpError::new(HttpErrorKind::Timeout, TimedOut)
}

/// Classifies a failure by the errors in its source chain, `fallback` when nothing is known.
/// A connection that died (reset, closed, cut short) is `closed`: `Request` before a response
/// (nothing was answered, always retried), `Interrupted` inside a body (retried when
/// idempotent), as object_store's reqwest mapping does.
fn classify(err: &(dyn std::error::Error + 'static), closed: HttpErrorKind) -> HttpErrorKind {
    let mut cur = Some(err);
    while let Some(e) = cur {
        if let Some(h) = e.downcast_ref::<hyper::Error>() {
            if h.is_timeout() {
                return HttpErrorKind::Timeout;
            }
            if h.is_incomplete_message() || h.is_closed() || h.is_canceled() {
                return closed;
            }
        }
        if let Some(io) = e.downcast_ref::<io::Error>() {
            match io.kind() {
                io::ErrorKind::TimedOut => return HttpErrorKind::Timeout,
                io::ErrorKind::ConnectionReset
                | io::ErrorKind::ConnectionAborted
                | io::ErrorKind::BrokenPipe
                | io::ErrorKind::UnexpectedEof => return HttpErrorKind::Interrupted,
                _ => {}
            }
        }
        cur = e.source();
    }
    HttpErrorKind::Unknown
}

fn request_error(err: hyper_util::client::legacy::Error) -> HttpError {
    // A refusal is final: retrying cannot change the rules.
    let kind = if is_refusal(&err) {
        HttpErrorKind::Unknown
    } else if err.is_connect() {
        HttpErrorKind::Connect
    } else {
        classify(&err, HttpErrorKind::Request)
    };
    HttpError::new(kind, err)
}

fn body_error(err: hyper::Error) -> HttpError {
    let kind = match classify(&err, HttpErrorKind::Interrupted) {
        // A body that fails for an unknown reason still failed mid-transfer.
        HttpErrorKind::Unknown => HttpErrorKind::Interrupted,
        k => k,
    };
    HttpError::new(kind, err)
}

/// A response body that fails with [`HttpErrorKind::Timeout`] once the request's deadline
/// passes, so a server that stalls mid-body cannot hang a read.
struct DeadlineBody {
    inner: Incoming,
    deadline: Option<Pin<Box<Sleep>>>,
}

impl Body for DeadlineBody {
    type Data = Bytes;
    type Error = HttpError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, HttpError>>> {
        if let Some(sleep) = self.deadline.as_mut() {
            if sleep.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Some(Err(timed_out())));
            }
        }
        Pin::new(&mut self.inner).poll_frame(cx).map_err(body_error)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
pub(crate) mod tests;
