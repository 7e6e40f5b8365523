//! The vector API's HTML pages (`f=html`, `Accept: text/html`) and the map viewer: status,
//! content type, and that values from the database (a `<script>` property value, a column
//! and a table named with markup) come out escaped.

use super::*;

/// GET with headers; status, content type and body.
async fn get_h(app: &App, uri: &str, headers: &[(&str, &str)]) -> (u16, String, String) {
    let mut req = http::Request::builder().uri(uri).header("host", "test");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = app.handle(req.body(Full::new(Bytes::new())).unwrap()).await;
    let ct = r
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = String::from_utf8_lossy(r.body()).into_owned();
    (r.status().as_u16(), ct, body)
}

const HTML: &str = "text/html; charset=utf-8";
const MARKED: &str = "/collections/cogtiler_test.marked";
/// `cogtiler_test."m<i>x"`, percent-encoded in the path.
const ODD: &str = "/collections/cogtiler_test.m%3Ci%3Ex";

/// No raw markup from the database: the `<script>` value and the `<b>`/`<i>` names appear
/// only escaped.
fn assert_escaped(body: &str) {
    assert!(!body.contains("<script>alert"), "unescaped value: {body}");
    assert!(!body.contains("<b>col</b>"), "unescaped column: {body}");
    assert!(!body.contains("m<i>x"), "unescaped table: {body}");
}

#[tokio::test]
async fn html_pages() {
    let Some(url) = database_url() else { return };
    let _client = setup(&url).await;
    let app = app(&url);
    let pages = [
        "/collections?f=html".to_string(),
        format!("{MARKED}?f=html"),
        format!("{MARKED}/queryables?f=html"),
        format!("{MARKED}/items?f=html"),
        format!("{MARKED}/items/1?f=html"),
        format!("{MARKED}/tiles?f=html"),
        format!("{MARKED}/tiles/WebMercatorQuad?f=html"),
        format!("{ODD}?f=html"),
        format!("{ODD}/items?f=html"),
    ];
    for p in &pages {
        let (s, ct, body) = get_h(&app, p, &[]).await;
        assert_eq!(s, 200, "{p}: {body}");
        assert_eq!(ct, HTML, "{p}");
        assert!(body.starts_with("<!doctype html>"), "{p}: {body}");
        assert_escaped(&body);
    }
    let (_, _, body) = get_h(&app, &format!("{MARKED}/items?f=html"), &[]).await;
    assert!(
        body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{body}"
    );
    assert!(body.contains("&lt;b&gt;col&lt;/b&gt;"), "{body}");
    // the map's GeoJSON sits in a script element: no `<` can close it
    let marker = "id=\"features\">";
    let json_start = body.find(marker).expect("features script") + marker.len();
    let json_end = json_start + body[json_start..].find("</script>").unwrap();
    let fc: Value = serde_json::from_str(&body[json_start..json_end]).unwrap();
    assert_eq!(
        fc["features"][0]["properties"]["<b>col</b>"],
        "<script>alert(1)</script>"
    );
    assert!(!body[json_start..json_end].contains('<'));
    let (_, _, body) = get_h(&app, "/collections?f=html", &[]).await;
    assert!(body.contains("cogtiler_test.m&lt;i&gt;x"), "{body}");

    // a browser's Accept header picks the page when there is no `f`; `f` wins over it
    let browser = [(
        "accept",
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    )];
    let (s, ct, _) = get_h(&app, MARKED, &browser).await;
    assert_eq!((s, ct.as_str()), (200, HTML));
    let (s, ct, _) = get_h(&app, &format!("{MARKED}/items"), &browser).await;
    assert_eq!((s, ct.as_str()), (200, HTML));
    let (s, ct, _) = get_h(&app, &format!("{MARKED}?f=json"), &browser).await;
    assert_eq!((s, ct.as_str()), (200, "application/json"));
    // no Accept header: the JSON documents as before
    let (s, ct, _) = get_h(&app, &format!("{MARKED}/items"), &[]).await;
    assert_eq!((s, ct.as_str()), (200, "application/geo+json"));
    let (s, ct, _) = get_h(&app, &format!("{MARKED}/queryables"), &[]).await;
    assert_eq!((s, ct.as_str()), (200, "application/schema+json"));

    // an item takes TiPg's items formats (the flat ones still come as GeoJSON)
    let (s, ct, _) = get_h(&app, &format!("{MARKED}/items/1?f=csv"), &[]).await;
    assert_eq!((s, ct.as_str()), (200, "application/geo+json"));
    let (s, _, _) = get_h(&app, &format!("{MARKED}/items/1?f=xml"), &[]).await;
    assert_eq!(s, 422);

    // errors stay JSON
    let (s, ct, body) = get_h(&app, "/collections?f=xml", &[]).await;
    assert_eq!((s, ct.as_str()), (422, "application/json"), "{body}");
    let (s, ct, body) = get_h(&app, "/collections/cogtiler_test.nope?f=html", &[]).await;
    assert_eq!((s, ct.as_str()), (404, "application/json"), "{body}");
    assert!(json(&Bytes::from(body))["detail"].is_string());
}

#[tokio::test]
async fn map_viewer() {
    let Some(url) = database_url() else { return };
    let _client = setup(&url).await;
    let app = app(&url);
    let page = format!("{MARKED}/tiles/WebMercatorQuad/map.html");
    let (s, ct, body) = get_h(&app, &format!("{page}?maxzoom=12&name=x"), &[]).await;
    assert_eq!((s, ct.as_str()), (200, HTML), "{body}");
    assert!(body.contains("/static/maplibre/maplibre-gl.js"), "{body}");
    assert!(
        !body.contains("://unpkg") && !body.contains("cdn"),
        "offline: {body}"
    );
    // the query reaches tilejson.json (and so the tile URLs)
    let marker = "id=\"viewer-config\">";
    let start = body.find(marker).expect("config") + marker.len();
    let end = start + body[start..].find("</script>").unwrap();
    let config: Value = serde_json::from_str(&body[start..end]).unwrap();
    assert_eq!(
        config["tilejson"],
        "http://test/collections/cogtiler_test.marked/tiles/WebMercatorQuad/tilejson.json?maxzoom=12&name=x"
    );
    let (s, _, body) = get_h(&app, &format!("{ODD}/tiles/WebMercatorQuad/map.html"), &[]).await;
    assert_eq!(s, 200, "{body}");
    assert_escaped(&body);
    assert!(
        body.contains("m%3Ci%3Ex/tiles/WebMercatorQuad/tilejson.json"),
        "{body}"
    );

    // MapLibre cannot draw other TileMatrixSets: a page that says so
    let (s, ct, body) = get_h(
        &app,
        &format!("{MARKED}/tiles/WorldCRS84Quad/map.html"),
        &[],
    )
    .await;
    assert_eq!((s, ct.as_str()), (200, HTML));
    assert!(
        body.contains("id=\"notice\"") && body.contains("WorldCRS84Quad"),
        "{body}"
    );
    assert!(!body.contains("maplibre-gl.js"));

    let (s, ct, _) = get_h(&app, &format!("{MARKED}/tiles/NopeQuad/map.html"), &[]).await;
    assert_eq!((s, ct.as_str()), (422, "application/json"));
    let (s, _, _) = get_h(&app, &format!("{page}?minzoom=x"), &[]).await;
    assert_eq!(s, 422);
    let (s, _, _) = get_h(
        &app,
        "/collections/cogtiler_test.nope/tiles/WebMercatorQuad/map.html",
        &[],
    )
    .await;
    assert_eq!(s, 404);

    for asset in [
        "/static/maplibre/maplibre-gl.js",
        "/static/maplibre/maplibre-gl.css",
        "/static/vector_viewer.js",
    ] {
        let (s, _, _) = get_h(&app, asset, &[]).await;
        assert_eq!(s, 200, "{asset}");
    }
}

/// With `--api vector` the landing page, conformance and TileMatrixSets have TiPg's pages too,
/// and the viewer's static files are served.
#[tokio::test]
async fn vector_mode_pages() {
    let v = VectorBackend::new(VectorConfig::new(
        "postgresql://postgres@127.0.0.1:9/none".into(),
    ))
    .unwrap();
    let app = App::new(
        ServerConfig {
            api: ApiMode::Vector,
            ..ServerConfig::default()
        },
        Arc::new(TmsRegistry::defaults()),
        Arc::new(NoRaster),
    )
    .with_vector(Arc::new(v));
    for p in [
        "/?f=html",
        "/conformance?f=html",
        "/tileMatrixSets?f=html",
        "/tileMatrixSets/WebMercatorQuad?f=html",
    ] {
        let (s, ct, body) = get_h(&app, p, &[]).await;
        assert_eq!((s, ct.as_str()), (200, HTML), "{p}: {body}");
    }
    let (s, ct, _) = get_h(&app, "/", &[("accept", "text/html")]).await;
    assert_eq!((s, ct.as_str()), (200, HTML));
    let (s, ct, _) = get_h(&app, "/", &[]).await;
    assert_eq!((s, ct.as_str()), (200, "application/json"));
    let (s, _, _) = get_h(&app, "/static/maplibre/maplibre-gl.js", &[]).await;
    assert_eq!(s, 200);
}
