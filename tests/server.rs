//! The HTTP server end to end: a real listener on 127.0.0.1:0, real HTTP requests.
//!
//! Static and validation answers are compared with the recorded TiTiler cases in
//! `../shared/conformance/cases`. Data endpoints run against a test backend that returns
//! dataset facts for the documents and can be told to panic or stall, to check the server's
//! own guarantees (500 JSON on panic, 504 on deadline, headers, compression, ranges).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use cogtiler::server::backend::{BoxFut, FactsRequest, Image, TileRequest};
use cogtiler::server::docs::facts::tms_facts;
use cogtiler::server::docs::DatasetFacts;
use cogtiler::server::params::DatasetParams;
use cogtiler::server::{self, ApiError, App, Backend, ServerConfig};
use cogtiler::tms::{default_registry, TmsRegistry};
use serde_json::Value;

#[path = "support/conformance.rs"]
mod conformance;
use conformance::case;

/// The dem_f32_deflate_p3_3857 dataset as the documents see it (bounds and zoom range as
/// TiTiler reported them in its recorded TileJSON).
struct DemBackend;

impl Backend for DemBackend {
    fn dataset_facts<'a>(&'a self, req: &'a FactsRequest) -> BoxFut<'a, DatasetFacts> {
        Box::pin(async move {
            let b = [
                6.692448866690435,
                45.71283723539017,
                7.037401935792331,
                45.95318340819353,
            ];
            let tms = req
                .tms_ids
                .iter()
                .map(|id| {
                    let t = default_registry()
                        .get(id)
                        .map_err(|e| ApiError::bad_request(e.to_string()))?;
                    Ok(tms_facts(&t, b, 10, 12))
                })
                .collect::<Result<Vec<_>, ApiError>>()?;
            Ok(DatasetFacts {
                wgs84_bounds: b,
                band_descriptions: Some(vec![("b1".into(), "b1".into())]),
                dtype: Some("float32".into()),
                tms,
            })
        })
    }

    fn info<'a>(&'a self, ds: &'a DatasetParams) -> BoxFut<'a, Value> {
        Box::pin(async move {
            match ds.url.as_str() {
                "panic" => panic!("backend bug"),
                "slow" => {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    Ok(Value::Null)
                }
                _ => Ok(serde_json::json!({"url": ds.url, "bidx": ds.bidx})),
            }
        })
    }

    fn tile<'a>(&'a self, req: &'a TileRequest) -> BoxFut<'a, Image> {
        Box::pin(async move {
            Ok(Image {
                bytes: bytes::Bytes::from(format!(
                    "{}/{}/{}/{} size={:?} scale={:?}",
                    req.tile.tms,
                    req.tile.z,
                    req.tile.x,
                    req.tile.y,
                    req.tile_params.tilesize,
                    req.tile.scale
                )),
                format: req.image.format.unwrap_or(server::params::ImageFormat::Png),
                bounds: Some([0.0, -1.5, 2.25, 3.0]),
                crs_uri: Some("http://www.opengis.net/def/crs/EPSG/0/3857".into()),
            })
        })
    }
}

struct Server {
    origin: String,
    client: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    async fn start(config: ServerConfig) -> Server {
        Server::start_with(config, Arc::new(DemBackend)).await
    }

    async fn start_with(config: ServerConfig, backend: Arc<dyn Backend>) -> Server {
        #[cfg(feature = "ring")]
        let _ = rustls::crypto::ring::default_provider().install_default();
        #[cfg(not(feature = "ring"))]
        let _ = rustls_graviola::default_provider().install_default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let app = Arc::new(App::new(config, Arc::new(TmsRegistry::defaults()), backend));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(server::serve(listener, app, async {
            let _ = rx.await;
        }));
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap();
        Server {
            origin,
            client,
            stop: Some(tx),
            task,
        }
    }

    async fn get(&self, path_and_query: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{}", self.origin, path_and_query))
            .send()
            .await
            .unwrap()
    }

    /// Replays a recorded case (path + query, `{base}` left as is) and returns the response.
    async fn replay(&self, c: &Value) -> reqwest::Response {
        let mut url =
            reqwest::Url::parse(&format!("{}{}", self.origin, c["path"].as_str().unwrap()))
                .unwrap();
        for pair in c["query"].as_array().unwrap() {
            url.query_pairs_mut()
                .append_pair(pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
        }
        let method = reqwest::Method::from_bytes(c["method"].as_str().unwrap().as_bytes()).unwrap();
        let mut rb = self.client.request(method, url);
        if !c["body"].is_null() {
            rb = rb
                .header("content-type", "application/json")
                .body(serde_json::to_vec(&c["body"]).unwrap());
        }
        rb.send().await.unwrap()
    }

    async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .expect("graceful shutdown finished")
            .unwrap()
            .unwrap();
    }
}

/// The response body as JSON (reqwest is built without its `json` feature).
async fn json(r: reqwest::Response) -> Value {
    serde_json::from_slice(&r.bytes().await.unwrap()).unwrap()
}

/// Replaces our origin by compare.py's `{server}` token in a JSON value.
fn tokenise(v: &Value, origin: &str) -> Value {
    serde_json::from_str(
        &serde_json::to_string(v)
            .unwrap()
            .replace(origin, "{server}"),
    )
    .unwrap()
}

#[tokio::test]
async fn static_documents_match_recorded_cases() {
    let s = Server::start(ServerConfig::default()).await;
    let mut ids: Vec<String> = [
        "landing",
        "landing_json",
        "conformance",
        "conformance_json",
        "tilematrixsets",
        "algorithms",
        "algorithm_hillshade",
        "algorithm_contours",
        "algorithm_normalizedindex",
        "algorithm_terrainrgb",
        "colormaps",
        "colormap_viridis",
        "colormap_cfastie",
        "colormap_cfastie_json",
        "colormap_rdylgn",
        "colormap_schwarzwald",
        "colormap_terrain",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    ids.extend(
        conformance::cases_where(|n| {
            n.starts_with("tilematrixset_") && n != "tilematrixset_unknown"
        })
        .into_iter()
        .map(|c| c.id),
    );
    assert!(ids.len() >= 30, "{ids:?}");
    for id in ids {
        let c = case(&id);
        let r = s.replay(&c).await;
        assert_eq!(r.status().as_u16() as u64, c["expect"]["status"], "{id}");
        let ct = r.headers()["content-type"].to_str().unwrap().to_string();
        assert_eq!(ct, c["expect"]["content_type"].as_str().unwrap(), "{id}");
        let got: Value = json(r).await;
        let mut want = c["expect"]["json"].clone();
        if id.starts_with("landing") {
            // the identity divergence (tests/conformance-divergences.txt): TiTiler's shape and
            // links, cogtiler's name
            assert_eq!(want["title"], "TiTiler");
            assert_eq!(got["title"], "cogtiler");
            assert!(!got["description"].as_str().unwrap().contains("FastAPI"));
            want["title"] = got["title"].clone();
            want["description"] = got["description"].clone();
        }
        assert_eq!(tokenise(&got, &s.origin), want, "{id}");
    }
    // colormap legends are PNGs (their pixels are checked by render's tests)
    for id in ["colormap_viridis_png", "colormap_terrain_png_h"] {
        let c = case(id);
        let r = s.replay(&c).await;
        assert_eq!(r.status(), 200, "{id}");
        assert_eq!(r.headers()["content-type"], "image/png", "{id}");
        assert!(r.headers().get("content-encoding").is_none(), "{id}");
        let body = r.bytes().await.unwrap();
        let want = conformance::body(&format!("{id}.png"));
        assert_eq!(&body[..8], &want[..8], "{id}");
    }
    // healthz: the versions are ignored by the conformance kit; the shape is not
    let r = s.get("/healthz").await;
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("cache-control").is_none());
    let v: Value = json(r).await;
    assert!(v["versions"].is_object());
    assert!(v["versions"]["cogtiler"].is_string());
    assert!(v["versions"].get("titiler").is_none(), "{v}");
    s.stop().await;
}

#[tokio::test]
async fn validation_errors_match_recorded_422_shapes() {
    let s = Server::start(ServerConfig::default()).await;
    // Every recorded error TiTiler answers before touching the dataset (4xx from validation
    // and routing); colormap-name messages list a hash-ordered set, so only their shape counts.
    let ids = [
        "err_bad_algorithm",
        "err_bad_algorithm_params",
        "err_bad_colormap_json",
        "err_bad_format",
        "err_bad_nodata",
        "err_bad_resampling",
        "err_bad_rescale",
        "err_bad_scale",
        "err_bbox_bad",
        "err_bidx_nonint",
        "err_cover_scale_zero",
        "err_feature_bad_geojson",
        "err_feature_no_body",
        "err_missing_url",
        "err_missing_url_tile",
        "err_nonint_z",
        "err_ogcmap_bad_width",
        "err_point_bad_coords",
        "err_stats_bad_histogram_range",
        "err_tilesize_zero",
        "err_unknown_path",
        "err_unknown_tms",
        "err_unknown_tms_tilejson",
        "err_wmts_bad_zooms",
        "err_wrong_method",
        "tilematrixset_unknown",
        "algorithm_unknown",
    ];
    for id in ids {
        let c = case(id);
        let r = s.replay(&c).await;
        assert_eq!(r.status().as_u16() as u64, c["expect"]["status"], "{id}");
        assert_eq!(r.headers()["content-type"], "application/json", "{id}");
        let got: Value = json(r).await;
        assert_eq!(got, c["expect"]["json"], "{id}");
    }
    for id in ["err_bad_colormap_name", "colormap_unknown"] {
        let c = case(id);
        let r = s.replay(&c).await;
        assert_eq!(r.status(), 422, "{id}");
        let got: Value = json(r).await;
        let want = &c["expect"]["json"]["detail"][0];
        assert_eq!(got["detail"][0]["type"], want["type"], "{id}");
        assert_eq!(got["detail"][0]["loc"], want["loc"], "{id}");
        assert_eq!(got["detail"][0]["input"], want["input"], "{id}");
    }
    s.stop().await;
}

#[tokio::test]
async fn headers_compression_head_and_methods() {
    let s = Server::start(ServerConfig::default()).await;
    let r = s
        .client
        .get(format!("{}/conformance", s.origin))
        .header("accept-encoding", "gzip")
        .header("origin", "http://example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-encoding"], "gzip");
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    assert_eq!(r.headers()["cache-control"], "public, max-age=3600");
    let z = r.bytes().await.unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&z[..]), &mut text).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v, case("conformance")["expect"]["json"]);

    let r = s
        .client
        .head(format!("{}/conformance", s.origin))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let len: usize = r.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(len > 100);
    assert!(r.bytes().await.unwrap().is_empty());

    let r = s
        .client
        .delete(format!("{}/cog/info", s.origin))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "GET");

    // preflight
    let r = s
        .client
        .request(reqwest::Method::OPTIONS, format!("{}/cog/info", s.origin))
        .header("origin", "http://example.com")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["access-control-allow-methods"], "GET");
    s.stop().await;
}

#[tokio::test]
async fn tiles_get_titiler_headers_and_legacy_paths() {
    let s = Server::start(ServerConfig::default()).await;
    let r = s
        .get("/cog/tiles/WebMercatorQuad/3/4/2.jpg?url=a.tif")
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/jpg");
    assert_eq!(r.headers()["content-bbox"], "0.0,-1.5,2.25,3.0");
    assert_eq!(
        r.headers()["content-crs"],
        "<http://www.opengis.net/def/crs/EPSG/0/3857>"
    );
    assert_eq!(r.headers()["cache-control"], "public, max-age=3600");
    assert!(r.headers().get("content-encoding").is_none());
    assert_eq!(
        r.text().await.unwrap(),
        "WebMercatorQuad/3/4/2 size=None scale=None"
    );
    let r = s
        .get("/cog/tiles/WebMercatorQuad/14/8514/5816@2x.png?url=a.tif")
        .await;
    assert_eq!(
        r.text().await.unwrap(),
        "WebMercatorQuad/14/8514/5816 size=None scale=Some(2)"
    );
    let r = s
        .get("/cog/tiles/14/8514/5816.png?url=a.tif&tilesize=512")
        .await;
    assert_eq!(
        r.text().await.unwrap(),
        "WebMercatorQuad/14/8514/5816 size=Some(512) scale=None"
    );
    s.stop().await;
}

#[tokio::test]
async fn documents_built_from_backend_facts() {
    let s = Server::start(ServerConfig::default()).await;
    // TileJSON: same document as TiTiler's for this dataset (the url is ours, not {base})
    let c = case("dem_f32_deflate_p3_3857__tilejson");
    let r = s.replay(&c).await;
    assert_eq!(r.status(), 200);
    let got = tokenise(&json(r).await, &s.origin);
    let mut want = c["expect"]["json"].clone();
    let url = c["query"][0][1].as_str().unwrap();
    let ours: String = form_urlencoded::byte_serialize(url.as_bytes()).collect();
    want["tiles"][0] = Value::String(
        want["tiles"][0]
            .as_str()
            .unwrap()
            .replace("%7Bbase%7D%2Fcorpus%2Fdem_f32_deflate_p3_3857.tif%3Fcase%3Ddem_f32_deflate_p3_3857__tilejson", &ours),
    );
    assert_eq!(got, want);

    // tileset limits computed by the tms module
    let c = case("dem_f32_deflate_p3_3857__tileset_wmq");
    let r = s.replay(&c).await;
    let got = json(r).await;
    assert_eq!(
        got["tileMatrixSetLimits"],
        c["expect"]["json"]["tileMatrixSetLimits"]
    );

    // WMTS: one layer per TMS, XML
    let r = s
        .get("/cog/WMTSCapabilities.xml?url=a.tif&zooms=*::2,3")
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/xml");
    let xml = r.text().await.unwrap();
    assert_eq!(xml.matches("<Layer>").count(), 13);
    assert!(xml.contains("<ows:Identifier>a.tif_WebMercatorQuad_default</ows:Identifier>"));

    // map.html: offline by default
    let r = s.get("/cog/WebMercatorQuad/map.html?url=a.tif").await;
    assert_eq!(r.headers()["content-type"], "text/html; charset=utf-8");
    let page = r.text().await.unwrap();
    assert!(page.contains("/static/leaflet/leaflet.js") && !page.contains("unpkg.com"));
    s.stop().await;
}

#[tokio::test]
async fn viewer_assets_and_sample_with_ranges() {
    let s = Server::start(ServerConfig::default()).await;
    let r = s.get("/cog/viewer").await;
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains(r#"window.COGTILER_DATASET_URL = "sample";"#));
    for asset in [
        "/static/leaflet/leaflet.js",
        "/static/leaflet/leaflet.css",
        "/static/viewer.js",
    ] {
        assert!(page.contains(asset), "{asset}");
        let r = s.get(asset).await;
        assert_eq!(r.status(), 200, "{asset}");
        assert!(r.bytes().await.unwrap().len() > 500, "{asset}");
    }
    assert_eq!(s.get("/static/nope.js").await.status(), 404);
    // the landing page links to the viewer for browsers
    let r = s
        .client
        .get(format!("{}/", s.origin))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("/cog/viewer?url=sample"));

    let sample =
        std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/sample.tif"))
            .unwrap();
    let r = s
        .client
        .get(format!("{}/sample.tif", s.origin))
        .header("range", "bytes=0-32767")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 206);
    assert!(r.headers().contains_key("etag") && r.headers().contains_key("last-modified"));
    assert_eq!(
        r.headers()["content-range"].to_str().unwrap(),
        format!("bytes 0-32767/{}", sample.len())
    );
    assert_eq!(&r.bytes().await.unwrap()[..], &sample[..32768]);
    let r = s
        .client
        .get(format!("{}/sample.tif", s.origin))
        .header("range", format!("bytes={}-", sample.len()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 416);
    s.stop().await;
}

#[tokio::test]
async fn panics_and_deadlines_become_json_errors() {
    let s = Server::start(ServerConfig {
        request_timeout: Duration::from_millis(300),
        ..ServerConfig::default()
    })
    .await;
    let r = s.get("/cog/info?url=panic").await;
    assert_eq!(r.status(), 500);
    assert!(r.headers().get("cache-control").is_none());
    let v: Value = json(r).await;
    assert_eq!(v["detail"], "internal server error");
    let r = s.get("/cog/info?url=slow").await;
    assert_eq!(r.status(), 504);
    assert!(json(r).await["detail"]
        .as_str()
        .unwrap()
        .contains("timed out"));
    // the server still answers after both
    let r = s.get("/cog/info?url=x&bidx=2&bidx=1").await;
    assert_eq!(
        json(r).await,
        serde_json::json!({"url": "x", "bidx": [2, 1]})
    );
    s.stop().await;
}

#[tokio::test]
async fn saturated_server_answers_503_instead_of_queueing_forever() {
    let s = Server::start(ServerConfig {
        max_concurrency: 1,
        queue_timeout: Duration::from_millis(100),
        request_timeout: Duration::from_secs(2),
        ..ServerConfig::default()
    })
    .await;
    let slow = {
        let (client, origin) = (s.client.clone(), s.origin.clone());
        tokio::spawn(async move {
            client
                .get(format!("{origin}/cog/info?url=slow"))
                .send()
                .await
                .unwrap()
                .status()
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let r = s.get("/cog/info?url=x").await;
    assert_eq!(r.status(), 503);
    // light endpoints bypass the limit
    assert_eq!(s.get("/healthz").await.status(), 200);
    assert_eq!(slow.await.unwrap(), 504);
    s.stop().await;
}

#[tokio::test]
async fn a_trickling_request_body_hits_the_deadline() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let s = Server::start(ServerConfig {
        request_timeout: Duration::from_millis(300),
        ..ServerConfig::default()
    })
    .await;
    let addr = s.origin.trim_start_matches("http://").to_string();
    let mut sock = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /cog/statistics?url=x HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"type\":"
    );
    sock.write_all(head.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(5), sock.read(&mut buf))
        .await
        .expect("the server answers before the client finishes")
        .unwrap();
    let text = String::from_utf8_lossy(&buf[..n]);
    assert!(text.starts_with("HTTP/1.1 504"), "{text}");
    assert!(text.contains("timed out"), "{text}");
    s.stop().await;
}

/// Leaf elements of an XML document in order, as `(tag, text)` with whitespace trimmed
/// (enough structure to compare two WMTS documents written by different templates).
fn xml_leaves(xml: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let Some(end) = rest.find('>') else { break };
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if tag.starts_with('/') || tag.ends_with('/') || tag.starts_with('?') {
            continue;
        }
        let name = tag.split_whitespace().next().unwrap_or("").to_string();
        let text_end = rest.find('<').unwrap_or(rest.len());
        let close = format!("</{name}>");
        if rest[text_end..].starts_with(&close) {
            out.push((name, rest[..text_end].trim().to_string()));
        }
    }
    out
}

/// With every TMS's zoom range overridden (`zooms=*::2,6`), the capabilities depend only on
/// the dataset bounds and the TMS module: ours must list the same matrices and limits as
/// TiTiler's recorded document.
#[tokio::test]
async fn wmts_matches_recorded_capabilities() {
    let s = Server::start(ServerConfig::default()).await;
    let c = case("dem_f32_deflate_p3_3857__wmts_zooms_all");
    let r = s.replay(&c).await;
    assert_eq!(r.status(), 200);
    let ours = xml_leaves(&r.text().await.unwrap());
    let want_text = String::from_utf8(conformance::body(
        "dem_f32_deflate_p3_3857__wmts_zooms_all.xml",
    ))
    .unwrap();
    let want = xml_leaves(&want_text);
    assert_eq!(ours.len(), want.len());
    let mut compared = 0;
    for ((ta, a), (tb, b)) in ours.iter().zip(&want) {
        assert_eq!(ta, tb);
        if b.contains("TiTiler") {
            // the identity divergence (tests/conformance-divergences.txt): service title and
            // provider name
            assert!(
                a.contains("cogtiler") && !a.contains("TiTiler"),
                "{ta}: {a} / {b}"
            );
            continue;
        }
        if a.contains("{base}") || b.contains("{base}") || a.contains("http") {
            continue; // URLs and layer titles carry the (case-dependent) dataset URL
        }
        let na: Vec<f64> = a
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        let nb: Vec<f64> = b
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        if !na.is_empty() && na.len() == nb.len() {
            for (x, y) in na.iter().zip(&nb) {
                assert!((x - y).abs() <= 1e-6 * y.abs().max(1.0), "{ta}: {a} != {b}");
            }
        } else {
            assert_eq!(a, b, "{ta}");
        }
        compared += 1;
    }
    assert!(compared > 1000, "{compared}");
    s.stop().await;
}

/// The embedded sample is readable by object_store's HTTP client (what `io` builds on), so
/// `url=http://<this server>/sample.tif` works as well as `url=sample`.
#[tokio::test]
async fn sample_tif_is_readable_through_object_store_http() {
    use object_store::{path::Path, ClientOptions, GetOptions, GetRange, ObjectStore};
    let s = Server::start(ServerConfig::default()).await;
    let store = object_store::http::HttpBuilder::new()
        .with_url(s.origin.clone())
        .with_client_options(ClientOptions::new().with_allow_http(true))
        .build()
        .unwrap();
    let opts = GetOptions {
        range: Some(GetRange::Bounded(0..32768)),
        ..GetOptions::default()
    };
    let got = store
        .get_opts(&Path::from("sample.tif"), opts)
        .await
        .unwrap();
    let size = got.meta.size;
    let bytes = got.bytes().await.unwrap();
    let sample =
        std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/sample.tif"))
            .unwrap();
    assert_eq!(size as usize, sample.len());
    assert_eq!(&bytes[..], &sample[..32768]);
    s.stop().await;
}

#[tokio::test]
async fn global_access_token() {
    let s = Server::start(ServerConfig {
        access_token: Some("s3cret".into()),
        ..ServerConfig::default()
    })
    .await;
    let r = s.get("/conformance").await;
    assert_eq!(r.status(), 401);
    assert_eq!(json(r).await["detail"], "Missing `access_token`");
    let r = s.get("/conformance?access_token=nope").await;
    assert_eq!(json(r).await["detail"], "Invalid `access_token`");
    assert_eq!(
        s.get("/conformance?access_token=s3cret").await.status(),
        200
    );
    assert_eq!(s.get("/api").await.status(), 200);
    assert_eq!(s.get("/static/viewer.js").await.status(), 200);
    s.stop().await;
}

/// Recorded case `id` with `{base}` pointing at the local corpus directory's parent.
fn local_case(id: &str) -> Value {
    let text = serde_json::to_string(&case(id)).unwrap();
    serde_json::from_str(&conformance::local_url(&text)).unwrap()
}

/// JSON equality with numbers compared to a relative tolerance.
fn json_close(ours: &Value, exp: &Value, path: &str) -> Result<(), String> {
    match (ours, exp) {
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            if (a - b).abs() <= 1e-6 * b.abs().max(1.0) {
                Ok(())
            } else {
                Err(format!("{path}: {a} != {b}"))
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .try_for_each(|(i, (x, y))| json_close(x, y, &format!("{path}[{i}]"))),
        (Value::Object(a), Value::Object(b)) if a.len() == b.len() => {
            b.iter().try_for_each(|(k, y)| {
                let x = a.get(k).ok_or(format!("{path}.{k} missing"))?;
                json_close(x, y, &format!("{path}.{k}"))
            })
        }
        (a, b) if a == b => Ok(()),
        (a, b) => Err(format!("{path}: {a} != {b}")),
    }
}

/// Decodes an 8-bit PNG into its raw samples.
fn png_samples(bytes: &[u8]) -> (png::ColorType, Vec<u8>) {
    let mut r = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .unwrap();
    let mut buf = vec![0; r.output_buffer_size().unwrap()];
    let info = r.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    (info.color_type, buf)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_backend_answers_like_titiler() {
    let backend = server::CogBackend::new(
        cogtiler::cog::OpenOptions::uncached(),
        Arc::new(TmsRegistry::defaults()),
    );
    let s = Server::start_with(ServerConfig::default(), Arc::new(backend)).await;
    for id in [
        "canberra_u16_noovr_32755__info",
        "canberra_u16_noovr_32755__point_center",
        "canberra_u16_noovr_32755__statistics",
    ] {
        let c = local_case(id);
        let r = s.replay(&c).await;
        assert_eq!(r.status().as_u16(), 200, "{id}");
        let ours: Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
        json_close(&ours, &c["expect"]["json"], id).unwrap();
    }
    // a rescaled uint16 tile: every sample within ±1 of TiTiler's PNG
    let c = local_case("canberra_u16_noovr_32755__tile_wmq_z12_mid");
    let r = s.replay(&c).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "image/png");
    let (ct, ours) = png_samples(&r.bytes().await.unwrap());
    let recorded = conformance::body(c["expect"]["body_file"].as_str().unwrap());
    let (ect, exp) = png_samples(&recorded);
    assert_eq!((ct, ours.len()), (ect, exp.len()));
    let close = ours
        .iter()
        .zip(&exp)
        .filter(|(a, b)| a.abs_diff(**b) <= 1)
        .count();
    assert!(
        close as f64 >= 0.99 * exp.len() as f64,
        "{close} of {}",
        exp.len()
    );
    // errors: a tile far from the data, a missing file (404 naming it)
    let r = s
        .get("/cog/tiles/WebMercatorQuad/12/0/0.png?url=sample")
        .await;
    assert_eq!(r.status().as_u16(), 404);
    let r = s.get("/cog/info?url=/nonexistent/nope.tif").await;
    assert_eq!(r.status().as_u16(), 404);
    assert!(r.text().await.unwrap().contains("nope.tif"));
    s.stop().await;
}

/// A raster georeferenced only by ground control points (rio-tiler reads it through a warped
/// VRT): info, info.geojson and statistics equal TiTiler's JSON, and the preview and tiles
/// equal TiTiler's PNGs sample for sample, alpha included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gcp_raster_answers_like_titiler() {
    let backend = server::CogBackend::new(
        cogtiler::cog::OpenOptions::uncached(),
        Arc::new(TmsRegistry::defaults()),
    );
    let s = Server::start_with(ServerConfig::default(), Arc::new(backend)).await;
    for id in [
        "ext_cog_gcps__info",
        "ext_cog_gcps__info_geojson",
        "ext_cog_gcps__statistics",
    ] {
        let c = local_case(id);
        let r = s.replay(&c).await;
        assert_eq!(r.status().as_u16(), 200, "{id}");
        let ours: Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
        json_close(&ours, &c["expect"]["json"], id).unwrap();
    }
    for id in [
        "ext_cog_gcps__preview",
        "ext_cog_gcps__tile_wmq_z8_mid",
        "ext_cog_gcps__tile_wmq_z10_max",
    ] {
        let c = local_case(id);
        let r = s.replay(&c).await;
        assert_eq!(r.status().as_u16(), 200, "{id}");
        let (ct, ours) = png_samples(&r.bytes().await.unwrap());
        let recorded = conformance::body(c["expect"]["body_file"].as_str().unwrap());
        let (ect, exp) = png_samples(&recorded);
        assert_eq!((ct, ours.len()), (ect, exp.len()), "{id}");
        let differ = ours.iter().zip(&exp).filter(|(a, b)| a != b).count();
        assert_eq!(differ, 0, "{id}: {differ} of {} samples differ", exp.len());
    }
    s.stop().await;
}
