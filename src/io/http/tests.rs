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
    QuickAckService::new(&options, Default::default()).expect("client builds")
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
            format!("HTTP/1.1 303 See Other\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n")
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
    let (base, _) =
        raw_server(|_| Some(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b".to_vec()))
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
    let loc =
        |l: &'static str| HeaderMap::from_iter([(header::LOCATION, HeaderValue::from_static(l))]);
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

#[path = "checked_tests.rs"]
mod address_checks;
