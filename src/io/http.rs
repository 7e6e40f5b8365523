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
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep};

/// reqwest's default redirect limit.
const MAX_REDIRECTS: usize = 10;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A TCP stream that sets `TCP_QUICKACK` after every read that returned bytes (Linux; a no-op
/// elsewhere). The option is not sticky: the kernel re-enters delayed-ACK mode on its own, so
/// it is set again on each read.
pub(crate) struct QuickAckStream {
    tcp: TcpStream,
}

impl QuickAckStream {
    fn quickack(&self) {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            // Best effort: a failure only means the old (slow) behaviour.
            let _ = socket2::SockRef::from(&self.tcp).set_tcp_quickack(true);
        }
    }
}

impl AsyncRead for QuickAckStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let res = Pin::new(&mut self.tcp).poll_read(cx, buf);
        if matches!(res, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.quickack();
        }
        res
    }
}

impl AsyncWrite for QuickAckStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_shutdown(cx)
    }
}

impl Connection for QuickAckStream {
    fn connected(&self) -> Connected {
        self.tcp.connected()
    }
}

/// hyper-util's TCP connector (DNS, happy eyeballs, connect timeout, TCP_NODELAY) whose
/// streams come out as [`QuickAckStream`]s.
#[derive(Clone)]
struct QuickAckConnector {
    http: HttpConnector,
}

impl tower_service::Service<Uri> for QuickAckConnector {
    type Response = TokioIo<QuickAckStream>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.http.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let connecting = self.http.call(dst);
        Box::pin(async move {
            let tcp = connecting.await?.into_inner();
            Ok(TokioIo::new(QuickAckStream { tcp }))
        })
    }
}

/// Whether [`QuickAckService`] honours everything `options` asks for; when not, the caller
/// keeps reqwest. Durations come back from `ClientOptions` as humantime strings.
pub(crate) fn supports(options: &ClientOptions) -> bool {
    let flag = |k: ClientConfigKey| options.get_config_value(&k).as_deref() == Some("true");
    let set = |k: ClientConfigKey| options.get_config_value(&k).is_some();
    let duration_ok = |k: ClientConfigKey| {
        options
            .get_config_value(&k)
            .is_none_or(|v| humantime::parse_duration(&v).is_ok())
    };
    // Custom root certificates have no getter; their Debug form is the only trace. Should that
    // form ever change, this reads as "custom roots" and reqwest is kept: the safe side.
    let custom_roots = !format!("{options:?}").contains("root_certificates: []");
    !flag(ClientConfigKey::AllowInvalidCertificates)
        && !flag(ClientConfigKey::NoSystemCertificates)
        && !flag(ClientConfigKey::Http2Only)
        && !set(ClientConfigKey::ProxyUrl)
        && !set(ClientConfigKey::ReadTimeout)
        && options.dns_resolver().is_none()
        && !custom_roots
        && duration_ok(ClientConfigKey::Timeout)
        && duration_ok(ClientConfigKey::ConnectTimeout)
        && duration_ok(ClientConfigKey::PoolIdleTimeout)
}

/// An [`HttpService`] on hyper with TCP_QUICKACK; see the module documentation.
pub(crate) struct QuickAckService {
    client: Client<HttpsConnector<QuickAckConnector>, HttpRequestBody>,
    /// Whole-request deadline (response head and body), like reqwest's `timeout`.
    timeout: Option<Duration>,
    allow_http: bool,
    /// Headers added to every request that does not set them (User-Agent, default headers).
    defaults: HeaderMap,
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
    /// [`supports`] says yes; anything it rejects is not implemented here.
    pub(crate) fn new(options: &ClientOptions) -> Result<QuickAckService, BuildError> {
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

        let mut http = HttpConnector::new();
        http.enforce_http(false); // the TLS layer above handles https
        http.set_nodelay(true);
        http.set_connect_timeout(connect_timeout);
        let tcp = QuickAckConnector { http };

        // Like reqwest 0.13: the installed rustls provider (ring, see `install_tls_provider`)
        // and the platform verifier.
        let provider = rustls::crypto::CryptoProvider::get_default()
            .cloned()
            .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()));
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
    let kind = if err.is_connect() {
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
pub(crate) mod tests {
    use super::*;
    use hyper_util::client::legacy::connect::HttpInfo;
    use std::io::BufRead;
    use std::process::{Child, Command, Stdio};
    use std::sync::Mutex;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// The conformance kit (`rangeserver.py` and the corpus).
    pub(crate) use crate::io::kit_dir::conformance_dir as kit;

    /// `rangeserver.py` (headers and body in separate writes, Nagle on); killed on drop.
    pub(crate) struct RangeServer {
        child: Child,
        pub(crate) base: String,
    }

    impl RangeServer {
        pub(crate) fn start(extra: &[&str]) -> RangeServer {
            let kit = kit();
            let mut child = Command::new("python3")
                .arg(kit.join("rangeserver.py"))
                .arg("--root")
                .arg(&kit)
                .args(["--port", "0"])
                .args(extra)
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("python3 runs the range server");
            let mut line = String::new();
            std::io::BufReader::new(child.stdout.take().expect("piped stdout"))
                .read_line(&mut line)
                .expect("address line");
            let base = line.trim().rsplit(' ').next().unwrap_or("").to_string();
            assert!(base.starts_with("http://"), "{line}");
            RangeServer { child, base }
        }
    }

    impl Drop for RangeServer {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    pub(crate) const FILE: &str = "corpus/alice_u16_sparse_3857.tif";

    fn service(timeout: Duration, allow_http: bool) -> QuickAckService {
        let options = ClientOptions::new()
            .with_timeout(timeout)
            .with_connect_timeout(Duration::from_secs(2))
            .with_allow_http(allow_http);
        assert!(supports(&options));
        QuickAckService::new(&options).expect("client builds")
    }

    fn get(url: &str, range: Option<(u64, u64)>) -> HttpRequest {
        let mut req = Request::new(HttpRequestBody::empty());
        *req.uri_mut() = url.parse().expect("test url");
        req.headers_mut()
            .insert(header::AUTHORIZATION, HeaderValue::from_static("secret"));
        if let Some((a, b)) = range {
            let v = HeaderValue::from_str(&format!("bytes={a}-{}", b - 1)).expect("range");
            req.headers_mut().insert(header::RANGE, v);
        }
        req
    }

    /// Runs `fut`, failing the test instead of hanging if it takes more than 20 s.
    async fn bounded<T>(fut: impl Future<Output = T>) -> T {
        tokio::time::timeout(Duration::from_secs(20), fut)
            .await
            .expect("request hung")
    }

    /// A raw TCP server: for each request head it receives (recorded in the returned list),
    /// writes `answer(head)` and keeps the connection open; `None` means never answer.
    async fn raw_server(
        answer: impl Fn(&str) -> Option<Vec<u8>> + Send + Sync + 'static,
    ) -> (String, Arc<Mutex<Vec<String>>>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let heads = Arc::new(Mutex::new(Vec::new()));
        let (answer, seen) = (Arc::new(answer), heads.clone());
        tokio::spawn(async move {
            while let Ok((mut sock, _)) = listener.accept().await {
                let (answer, seen) = (answer.clone(), seen.clone());
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    loop {
                        let Ok(n) = sock.read(&mut chunk).await else {
                            return;
                        };
                        if n == 0 {
                            return;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                        while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            let head = String::from_utf8_lossy(&buf[..end]).to_string();
                            buf.drain(..end + 4);
                            seen.lock().expect("lock").push(head.clone());
                            if let Some(out) = answer(&head) {
                                if sock.write_all(&out).await.is_err() {
                                    return;
                                }
                            }
                        }
                    }
                });
            }
        });
        (base, heads)
    }

    #[tokio::test]
    async fn ranged_reads_match_disk_on_one_kept_alive_connection() {
        let server = RangeServer::start(&[]);
        let disk = std::fs::read(kit().join(FILE)).expect("corpus file");
        let svc = service(Duration::from_secs(10), true);
        let url = format!("{}/{FILE}", server.base);
        let mut local = None;
        for (i, &(a, b)) in [
            (0, 16384),
            (100_000, 100_500),
            (5, 6),
            (300_000, 400_000),
            (1, 9),
        ]
        .iter()
        .enumerate()
        {
            let t = std::time::Instant::now();
            let res = bounded(svc.call(get(&url, Some((a, b)))))
                .await
                .expect("answer");
            assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT);
            let addr = res.extensions().get::<HttpInfo>().map(|i| i.local_addr());
            let bytes = bounded(res.into_body().bytes()).await.expect("body");
            assert_eq!(&bytes[..], &disk[a as usize..b as usize], "range {a}..{b}");
            println!("read {i} ({a}..{b}): {:?}", t.elapsed());
            // Every read reuses the first connection (same local port).
            assert!(addr.is_some());
            assert_eq!(*local.get_or_insert(addr), addr);
        }
    }

    #[tokio::test]
    async fn redirects_are_followed_keeping_range_and_same_origin_credentials() {
        let server = RangeServer::start(&[]);
        let disk = std::fs::read(kit().join(FILE)).expect("corpus file");
        let target = format!("{}/{FILE}", server.base);
        // 302 → 307 on the same test server (relative Location), then off to the range server.
        let (base, heads) = raw_server(move |head| {
            let (status, location) = if head.starts_with("GET /first ") {
                ("302 Found", "/second".to_string())
            } else {
                ("307 Temporary Redirect", target.clone())
            };
            Some(
                format!("HTTP/1.1 {status}\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n")
                    .into_bytes(),
            )
        })
        .await;
        let svc = service(Duration::from_secs(10), true);
        let res = bounded(svc.call(get(&format!("{base}/first"), Some((1000, 3000)))))
            .await
            .expect("answer");
        assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT);
        let bytes = bounded(res.into_body().bytes()).await.expect("body");
        assert_eq!(&bytes[..], &disk[1000..3000]);
        let heads = heads.lock().expect("lock").clone();
        assert_eq!(heads.len(), 2, "{heads:?}");
        // Same origin: credentials still sent on the second hop.
        assert!(heads[1]
            .to_ascii_lowercase()
            .contains("authorization: secret"));
        assert!(heads[1]
            .to_ascii_lowercase()
            .contains("range: bytes=1000-2999"));
    }

    #[tokio::test]
    async fn cross_origin_redirect_drops_authorization_and_loops_stop() {
        let (target, seen) = raw_server(|_| {
            Some(b"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-1/2\r\nContent-Length: 2\r\n\r\nok".to_vec())
        })
        .await;
        let (base, _) = raw_server(move |head| {
            let location = if head.starts_with("GET /loop ") {
                "/loop".to_string()
            } else {
                format!("{target}/x")
            };
            Some(
                format!(
                    "HTTP/1.1 303 See Other\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n"
                )
                .into_bytes(),
            )
        })
        .await;
        let svc = service(Duration::from_secs(10), true);
        let res = bounded(svc.call(get(&format!("{base}/away"), Some((0, 2)))))
            .await
            .expect("answer");
        assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT);
        assert_eq!(
            &bounded(res.into_body().bytes()).await.expect("body")[..],
            b"ok"
        );
        let head = seen.lock().expect("lock")[0].to_ascii_lowercase();
        assert!(!head.contains("authorization"), "{head}");
        assert!(head.contains("range: bytes=0-1"), "{head}");

        let err = bounded(svc.call(get(&format!("{base}/loop"), None)))
            .await
            .expect_err("redirect loop");
        assert_eq!(err.kind(), HttpErrorKind::Unknown);
        assert!(err.to_string().contains("too many redirects"), "{err}");
    }

    #[tokio::test]
    async fn silent_server_times_out() {
        let (base, _) = raw_server(|_| None).await;
        let svc = service(Duration::from_millis(300), true);
        let err = bounded(svc.call(get(&format!("{base}/x"), None)))
            .await
            .expect_err("no answer");
        assert_eq!(err.kind(), HttpErrorKind::Timeout);
        assert!(err.to_string().contains("timed out"), "{err}");
    }

    #[tokio::test]
    async fn body_stalling_past_the_deadline_times_out() {
        let (base, _) = raw_server(|_| {
            Some(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b".to_vec())
        })
        .await;
        let svc = service(Duration::from_millis(300), true);
        let res = bounded(svc.call(get(&format!("{base}/x"), None)))
            .await
            .expect("headers arrive");
        let err = bounded(res.into_body().bytes())
            .await
            .expect_err("stalled body");
        assert_eq!(err.kind(), HttpErrorKind::Timeout);
    }

    #[tokio::test]
    async fn truncated_body_is_an_interrupted_error() {
        let server = RangeServer::start(&["--truncate-every", "1"]);
        let svc = service(Duration::from_secs(10), true);
        let url = format!("{}/{FILE}", server.base);
        let res = bounded(svc.call(get(&url, Some((0, 200_000)))))
            .await
            .expect("headers arrive");
        let err = bounded(res.into_body().bytes())
            .await
            .expect_err("cut body");
        assert_eq!(err.kind(), HttpErrorKind::Interrupted, "{err}");
    }

    #[tokio::test]
    async fn plain_http_is_refused_unless_allowed() {
        let (base, seen) =
            raw_server(|_| Some(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".to_vec())).await;
        let svc = service(Duration::from_secs(5), false);
        let err = bounded(svc.call(get(&format!("{base}/x"), None)))
            .await
            .expect_err("http refused");
        assert!(err.to_string().contains("allow_http"), "{err}");
        assert!(seen.lock().expect("lock").is_empty());
        // Nor may a redirect from https lead to http: same check on every hop (unit level).
        assert!(redirect_target(
            StatusCode::FOUND,
            &HeaderMap::from_iter([(header::LOCATION, HeaderValue::from_static("ftp://x/y"))]),
            &"https://a/b".parse().expect("uri"),
        )
        .is_none());
    }

    #[tokio::test]
    async fn tls_to_a_plain_server_is_a_connect_error() {
        // No network here and no trusted test certificate: check at least that https goes
        // through rustls and a failed handshake is a typed, retryable error, not a hang.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            while let Ok((mut sock, _)) = listener.accept().await {
                let _ = sock.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
            }
        });
        let svc = service(Duration::from_secs(5), false);
        let err = bounded(svc.call(get(&format!("https://{addr}/x"), None)))
            .await
            .expect_err("not TLS");
        assert_eq!(err.kind(), HttpErrorKind::Connect, "{err}");
    }

    #[test]
    fn unsupported_options_keep_reqwest() {
        assert!(supports(&ClientOptions::new()));
        assert!(!supports(
            &ClientOptions::new().with_proxy_url("http://proxy:3128")
        ));
        assert!(!supports(
            &ClientOptions::new().with_allow_invalid_certificates(true)
        ));
        assert!(!supports(&ClientOptions::new().with_http2_only()));
    }

    #[test]
    fn redirect_targets_resolve_against_the_request() {
        let cur: Uri = "http://h:8080/a/b.tif?x=1".parse().expect("uri");
        let loc = |l: &'static str| {
            HeaderMap::from_iter([(header::LOCATION, HeaderValue::from_static(l))])
        };
        let t = redirect_target(StatusCode::MOVED_PERMANENTLY, &loc("c.tif"), &cur);
        assert_eq!(
            t.map(|u| u.to_string()).as_deref(),
            Some("http://h:8080/a/c.tif")
        );
        let t = redirect_target(StatusCode::PERMANENT_REDIRECT, &loc("https://o/z"), &cur);
        assert_eq!(t.map(|u| u.to_string()).as_deref(), Some("https://o/z"));
        assert!(redirect_target(StatusCode::OK, &loc("/z"), &cur).is_none());
        assert!(redirect_target(StatusCode::FOUND, &HeaderMap::new(), &cur).is_none());
        assert_eq!(
            origin(&"http://h/x".parse().expect("uri")),
            origin(&"http://h:80/y".parse().expect("uri"))
        );
    }
}
