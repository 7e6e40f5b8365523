//! Static files (Leaflet and friends, embedded), the `/cog/viewer` page and `/sample.tif`.

use http::header::{HeaderValue, ACCEPT_RANGES, CACHE_CONTROL, CONTENT_RANGE};
use http::StatusCode;

use super::Ctx;
use crate::server::error::ApiError;
use crate::server::response::{self, Resp};
use crate::server::router::Family;
use crate::server::sample::{parse_range, SAMPLE_COG, SAMPLE_URL};

/// Files served under `/static/`: path, media type, bytes. The JS/CSS are the npm packages'
/// distribution files, unmodified (their licences sit beside them in `assets/`).
static FILES: &[(&str, &str, &[u8])] = &[
    (
        "leaflet/leaflet.js",
        "application/javascript",
        include_bytes!("../../../assets/leaflet/leaflet.js"),
    ),
    (
        "leaflet/leaflet.css",
        "text/css",
        include_bytes!("../../../assets/leaflet/leaflet.css"),
    ),
    (
        "leaflet/images/layers.png",
        "image/png",
        include_bytes!("../../../assets/leaflet/images/layers.png"),
    ),
    (
        "leaflet/images/layers-2x.png",
        "image/png",
        include_bytes!("../../../assets/leaflet/images/layers-2x.png"),
    ),
    (
        "leaflet/images/marker-icon.png",
        "image/png",
        include_bytes!("../../../assets/leaflet/images/marker-icon.png"),
    ),
    (
        "leaflet/images/marker-icon-2x.png",
        "image/png",
        include_bytes!("../../../assets/leaflet/images/marker-icon-2x.png"),
    ),
    (
        "leaflet/images/marker-shadow.png",
        "image/png",
        include_bytes!("../../../assets/leaflet/images/marker-shadow.png"),
    ),
    (
        "proj4/proj4.js",
        "application/javascript",
        include_bytes!("../../../assets/proj4/proj4.js"),
    ),
    (
        "proj4leaflet/proj4leaflet.js",
        "application/javascript",
        include_bytes!("../../../assets/proj4leaflet/proj4leaflet.js"),
    ),
    (
        "maplibre/maplibre-gl.js",
        "application/javascript",
        include_bytes!("../../../assets/maplibre/maplibre-gl.js"),
    ),
    (
        "maplibre/maplibre-gl.css",
        "text/css",
        include_bytes!("../../../assets/maplibre/maplibre-gl.css"),
    ),
    (
        "vector_viewer.js",
        "application/javascript",
        include_bytes!("../../../assets/vector_viewer.js"),
    ),
    (
        "viewer.js",
        "application/javascript",
        include_bytes!("../../../assets/viewer.js"),
    ),
    (
        "stac_viewer.js",
        "application/javascript",
        include_bytes!("../../../assets/stac_viewer.js"),
    ),
    (
        "viewer.css",
        "text/css",
        include_bytes!("../../../assets/viewer.css"),
    ),
];

const VIEWER_HTML: &str = include_str!("../../../assets/viewer.html");
const STAC_VIEWER_HTML: &str = include_str!("../../../assets/stac_viewer.html");

/// `GET /static/...`.
pub fn static_file(ctx: &Ctx) -> Result<Resp, ApiError> {
    let c = &ctx.captures;
    let path = [c.get("dir"), c.get("sub"), c.get("file")]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("/");
    let (_, ty, bytes) = FILES
        .iter()
        .find(|(p, _, _)| *p == path)
        .ok_or_else(ApiError::not_found)?;
    let mut r = response::with_type(StatusCode::OK, ty, *bytes);
    r.headers_mut().insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    Ok(r)
}

/// `GET /cog/viewer`: a Leaflet page that asks for a dataset URL (default: the sample) and
/// shows its tiles; everything it loads comes from this server.
///
/// `GET /stac/viewer`: the same for a STAC item, with a picker for the assets to show.
pub fn viewer(ctx: &Ctx) -> Resp {
    let (page, default) = match ctx.captures.family {
        Family::Stac => (STAC_VIEWER_HTML, ""),
        Family::Cog | Family::Mosaic => (VIEWER_HTML, SAMPLE_URL),
    };
    let url = ctx.query.get("url").unwrap_or(default);
    let json_url = serde_json::to_string(url).unwrap_or_else(|_| "\"\"".into());
    // A JSON string literal is a valid JS literal; escape `<` so it cannot close the script.
    let page = page.replace("@@DATASET_URL@@", &json_url.replace('<', "\\u003c"));
    response::html(page)
}

/// `GET /sample.tif`: the embedded sample with `Range` support (206 / 416).
pub fn sample_tif(ctx: &Ctx) -> Resp {
    let len = SAMPLE_COG.len() as u64;
    let range = ctx
        .headers
        .get(http::header::RANGE)
        .and_then(|v| v.to_str().ok());
    let mut r = match parse_range(range, len) {
        Ok(None) => response::with_type(StatusCode::OK, "image/tiff", SAMPLE_COG),
        Ok(Some((a, b))) => {
            // both bounds are < len, checked by parse_range
            let body = bytes::Bytes::from_static(SAMPLE_COG).slice(a as usize..=b as usize);
            let mut r = response::with_type(StatusCode::PARTIAL_CONTENT, "image/tiff", body);
            if let Ok(v) = HeaderValue::from_str(&format!("bytes {a}-{b}/{len}")) {
                r.headers_mut().insert(CONTENT_RANGE, v);
            }
            r
        }
        Err(()) => {
            let mut r = response::with_type(StatusCode::RANGE_NOT_SATISFIABLE, "text/plain", "");
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                r.headers_mut().insert(CONTENT_RANGE, v);
            }
            r
        }
    };
    let h = r.headers_mut();
    h.insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    // Object-store clients read these to build object metadata and detect changes; the
    // embedded file never changes within a build, so both are constants of the binary.
    if let Ok(v) = HeaderValue::from_str(&format!("\"sample-{}-{len}\"", env!("CARGO_PKG_VERSION")))
    {
        h.insert(http::header::ETAG, v);
    }
    h.insert(
        http::header::LAST_MODIFIED,
        HeaderValue::from_static("Thu, 01 Jan 2026 00:00:00 GMT"),
    );
    r
}
