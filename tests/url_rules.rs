//! URL rules end to end (issue #13 part 1): a real `CogBackend` behind the in-process server,
//! upstream HTTP servers on loopback only. Protected mode must refuse local paths, `file://`,
//! loopback URLs (literal or by name) and redirects leaving the allowed prefixes, with a 403
//! whose JSON detail names the rule and holds no file bytes; an allowed prefix must still work.

use std::sync::Arc;
use std::time::Duration;

use cogtiler::cog::OpenOptions;
use cogtiler::io::{IoConfig, UrlRules};
use cogtiler::server::{self, App, CogBackend, ServerConfig};
use cogtiler::tms::TmsRegistry;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[path = "support/kit_dir.rs"]
mod kit_dir;

const FILE: &str = "corpus/alice_u16_sparse_3857.tif";

/// The server, under `rules`; it stops when the test's runtime ends.
async fn start(rules: UrlRules) -> String {
    #[cfg(feature = "ring")]
    let _ = rustls::crypto::ring::default_provider().install_default();
    #[cfg(not(feature = "ring"))]
    let _ = rustls_graviola::default_provider().install_default();
    let opts = OpenOptions {
        io: IoConfig {
            url_rules: Arc::new(rules),
            max_retries: 0,
            ..IoConfig::default()
        },
        ..OpenOptions::uncached()
    };
    let tms = Arc::new(TmsRegistry::defaults());
    let backend = CogBackend::new(opts, tms.clone());
    let app = Arc::new(App::new(ServerConfig::default(), tms, Arc::new(backend)));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(server::serve(listener, app, std::future::pending::<()>()));
    origin
}

/// An upstream on loopback: serves the corpus file at `/corpus/...` with ranges, and answers
/// `/redirect?to=URL` with a 302 to URL.
async fn upstream() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let disk = Arc::new(std::fs::read(kit_dir::conformance_dir().join(FILE)).unwrap());
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let disk = disk.clone();
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
                        if sock.write_all(&answer(&head, &disk)).await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    base
}

fn answer(head: &str, disk: &[u8]) -> Vec<u8> {
    let target = head.split(' ').nth(1).unwrap_or("");
    if let Some(to) = target.strip_prefix("/redirect?to=") {
        return format!("HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\n\r\n")
            .into_bytes();
    }
    let item;
    let disk = if target == "/docs/item.json" {
        // a STAC item whose asset points at a local file
        item = serde_json::json!({
            "type": "Feature", "stac_version": "1.0.0", "id": "x",
            "geometry": {"type": "Point", "coordinates": [0.0, 0.0]},
            "bbox": [0.0, 0.0, 1.0, 1.0],
            "properties": {"datetime": "2020-01-01T00:00:00Z"},
            "links": [],
            "assets": {"data": {"href": "file:///etc/passwd", "type": "image/tiff; application=geotiff"}}
        })
        .to_string();
        item.as_bytes()
    } else if target == format!("/{FILE}") {
        disk
    } else {
        return b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_vec();
    };
    let range = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("range: bytes=")
                .map(str::to_string)
        })
        .and_then(|r| {
            let (a, b) = r.split_once('-')?;
            Some((a.parse::<usize>().ok()?, b.parse::<usize>().ok()?))
        });
    let (a, b) = range.unwrap_or((0, disk.len() - 1));
    let b = b.min(disk.len() - 1);
    let mut out = format!(
        "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {a}-{b}/{}\r\nContent-Length: {}\r\n\r\n",
        disk.len(),
        b + 1 - a
    )
    .into_bytes();
    out.extend_from_slice(&disk[a..=b]);
    out
}

/// GET `path` (query already encoded) → status and the body as text.
async fn get(origin: &str, path: &str) -> (u16, String) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let r = client.get(format!("{origin}{path}")).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn enc(url: &str) -> String {
    percent_encoding::utf8_percent_encode(url, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// A 403 whose JSON detail contains `rule`.
fn assert_refused((status, body): &(u16, String), rule: &str, what: &str) {
    assert_eq!(*status, 403, "{what}: {body}");
    let v: Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("{what}: {body}"));
    let detail = v["detail"].as_str().unwrap_or_default();
    assert!(detail.contains(rule), "{what}: {detail}");
    println!("{what}: {detail}");
}

#[tokio::test]
async fn protected_mode_refuses_local_and_loopback_urls() {
    let up = upstream().await;
    let port = up.rsplit(':').next().unwrap().to_string();
    let s = start(UrlRules::protected()).await;

    let r = get(&s, "/cog/info?url=/etc/passwd").await;
    assert_refused(&r, "local paths are not allowed", "a local path");
    assert!(!r.1.contains("root:") && !r.1.contains("72, 6f"), "{}", r.1);
    // a missing file is refused the same way: existence does not leak
    let missing = get(&s, "/cog/info?url=/nonexistent/nope.tif").await;
    assert_refused(&missing, "local paths are not allowed", "a missing path");
    let local = kit_dir::conformance_dir().join(FILE);
    let r = get(
        &s,
        &format!(
            "/cog/info?url={}",
            enc(&format!("file://{}", local.display()))
        ),
    )
    .await;
    assert_refused(&r, "local paths are not allowed", "file://");

    let r = get(
        &s,
        &format!("/cog/info?url={}", enc(&format!("{up}/{FILE}"))),
    )
    .await;
    assert_refused(&r, "loopback", "http://127.0.0.1");
    let r = get(
        &s,
        &format!(
            "/cog/info?url={}",
            enc(&format!("http://[::1]:{port}/{FILE}"))
        ),
    )
    .await;
    assert_refused(&r, "loopback", "http://[::1]");
    // a name that resolves to loopback is caught at connection time
    let r = get(
        &s,
        &format!(
            "/cog/info?url={}",
            enc(&format!("http://localhost:{port}/{FILE}"))
        ),
    )
    .await;
    assert_refused(&r, "loopback", "http://localhost");
    // documents go through the same rules
    let r = get(&s, "/stac/assets?url=/etc/passwd").await;
    assert_refused(&r, "local paths are not allowed", "a STAC item");
    let r = get(
        &s,
        &format!(
            "/mosaicjson/info?url={}",
            enc("http://169.254.169.254/latest/meta-data")
        ),
    )
    .await;
    assert_refused(&r, "link-local", "a mosaic document");
}

#[tokio::test]
async fn allowed_prefixes_work_and_redirects_out_of_them_are_refused() {
    let up = upstream().await;
    let port = up.rsplit(':').next().unwrap().to_string();
    let rules = UrlRules::explicit(
        &[
            format!("{up}/corpus/"),
            format!("{up}/redirect"),
            format!("{up}/docs/"),
        ],
        &[],
        true,
    )
    .unwrap();
    let s = start(rules).await;

    let (status, body) = get(
        &s,
        &format!("/cog/info?url={}", enc(&format!("{up}/{FILE}"))),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // a redirect that stays under an allowed prefix is followed
    let ok = format!("{up}/redirect?to={up}/{FILE}");
    let (status, body) = get(&s, &format!("/cog/info?url={}", enc(&ok))).await;
    assert_eq!(status, 200, "{body}");
    // one that leaves them is refused, before anything is fetched from its target
    let out = format!("{up}/redirect?to=http://localhost:{port}/{FILE}");
    let r = get(&s, &format!("/cog/info?url={}", enc(&out))).await;
    assert_refused(&r, "--allow-url-prefix", "a redirect out of the prefixes");
    let r = get(
        &s,
        &format!(
            "/cog/info?url={}",
            enc(&format!("http://localhost:{port}/{FILE}"))
        ),
    )
    .await;
    assert_refused(&r, "--allow-url-prefix", "another host");
    let r = get(&s, "/cog/info?url=/etc/passwd").await;
    assert_refused(&r, "--allow-local-root", "a local path");
    // an allowed STAC item cannot smuggle in a local asset
    let item = enc(&format!("{up}/docs/item.json"));
    let r = get(&s, &format!("/stac/info?url={item}&assets=data")).await;
    assert_refused(&r, "--allow-local-root", "a STAC asset href");
}

#[tokio::test]
async fn open_mode_reads_local_files_and_never_echoes_their_bytes() {
    let s = start(UrlRules::open()).await;
    let local = kit_dir::conformance_dir().join(FILE);
    let (status, body) = get(
        &s,
        &format!("/cog/info?url={}", enc(&local.display().to_string())),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("secret.txt");
    std::fs::write(&text, b"root:x:0:0:secret").unwrap();
    let (status, body) = get(
        &s,
        &format!("/cog/info?url={}", enc(&text.display().to_string())),
    )
    .await;
    assert_eq!(status, 500, "{body}");
    assert!(body.contains("not a tiff file"), "{body}");
    for leak in ["root:", "72, 6f", "[114"] {
        assert!(!body.contains(leak), "{body}");
    }
}

#[tokio::test]
async fn a_local_root_allows_its_files_only() {
    let kit = kit_dir::conformance_dir();
    let rules = UrlRules::explicit(&[], &[kit.join("corpus")], false).unwrap();
    let s = start(rules).await;
    let inside = kit.join(FILE).display().to_string();
    let (status, body) = get(&s, &format!("/cog/info?url={}", enc(&inside))).await;
    assert_eq!(status, 200, "{body}");
    let escape = format!("{}/corpus/../rangeserver.py", kit.display());
    let r = get(&s, &format!("/cog/info?url={}", enc(&escape))).await;
    assert_refused(&r, "not under an --allow-local-root", "a `..` escape");
    let r = get(
        &s,
        &format!("/cog/info?url={}", enc(&format!("file://{inside}"))),
    )
    .await;
    assert_eq!(r.0, 200, "{}", r.1);
}
