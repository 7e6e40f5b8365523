//! `/collections/{id}/tiles/{tms}/map.html`: a MapLibre GL map of a collection's vector tiles.
//!
//! The page is cogtiler's own (TiPg 1.6's draws with Leaflet + protomaps from CDNs). MapLibre
//! is served from `/static/maplibre/` so the page works offline; the script
//! (`assets/vector_viewer.js`) loads the collection's `tilejson.json` with the request's query
//! (filters, `geom-column`, `minzoom`/`maxzoom` reach the tile URLs as in TiPg) and fits the
//! collection's bounds. MapLibre draws Web Mercator only: for another TileMatrixSet the page
//! says so and links that tileset's documents and the WebMercatorQuad viewer instead.

use serde_json::json;

use super::html::{esc, page, path_segment, script_json};
use super::Ctx;
use crate::server::error::ApiError;
use crate::server::response::{self, Resp};

// the parent's shared helpers: catalog and collection lookup
use super::*;

/// The TileMatrixSet MapLibre can draw.
const WEB_MERCATOR: &str = "WebMercatorQuad";

/// `GET /collections/{collectionId}/tiles/{tileMatrixSetId}/map.html`.
pub async fn map_html(ctx: &Ctx<'_>) -> Result<Resp, ApiError> {
    let tms = super::tiles::tms_of(ctx)?;
    // validated like TiPg's (422 on a bad zoom), then passed on to tilejson.json as they are
    super::tiles::zoom_range(ctx)?;
    let (_, cat) = catalog(ctx).await?;
    let c = collection(ctx, &cat)?;
    let base = &ctx.base_url;
    let coll_url = format!("{base}/collections/{}", path_segment(&c.id));
    if tms.id != WEB_MERCATOR {
        let tileset = format!("{coll_url}/tiles/{}", tms.id);
        let qs = ctx.query.encode_without(&[]);
        let mercator = if qs.is_empty() {
            format!("{coll_url}/tiles/{WEB_MERCATOR}/map.html")
        } else {
            format!("{coll_url}/tiles/{WEB_MERCATOR}/map.html?{qs}")
        };
        let body = format!(
            "<p id=\"notice\">This viewer uses MapLibre GL, which draws Web Mercator maps only; \
it cannot show tiles of the {t} TileMatrixSet. The tiles themselves are served: see \
<a href=\"{ts}\">the {t} tileset</a> and <a href=\"{ts}/tilejson.json\">its TileJSON</a>, or \
<a id=\"mercator-viewer\" href=\"{m}\">view this collection in {WEB_MERCATOR}</a>.</p>\n",
            t = esc(&tms.id),
            ts = esc(&tileset),
            m = esc(&mercator),
        );
        return Ok(page(ctx, &format!("{} viewer", c.id), &body, ""));
    }
    let qs = ctx.query.encode_without(&[]);
    let mut tilejson = format!("{coll_url}/tiles/{}/tilejson.json", tms.id);
    if !qs.is_empty() {
        tilejson.push('?');
        tilejson.push_str(&qs);
    }
    let config = json!({"collection": c.id, "tilejson": tilejson});
    Ok(response::html(format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title}</title>\n\
<link rel=\"stylesheet\" href=\"{b}/static/maplibre/maplibre-gl.css\">\n\
<script src=\"{b}/static/maplibre/maplibre-gl.js\"></script>\n\
<style>html,body{{margin:0;height:100%;font-family:sans-serif}}\
#map{{position:absolute;top:0;bottom:0;width:100%}}\
#status{{position:absolute;z-index:2;left:.5em;bottom:.5em;background:#fffd;padding:.2em .5em;\
font-size:12px}}</style>\n</head>\n<body>\n<div id=\"map\"></div>\n\
<div id=\"status\" data-state=\"loading\">loading</div>\n\
<script type=\"application/json\" id=\"viewer-config\">{config}</script>\n\
<script src=\"{b}/static/vector_viewer.js\"></script>\n</body></html>\n",
        title = esc(&format!("{} viewer", c.id)),
        b = esc(base),
        config = script_json(&config),
    )))
}
