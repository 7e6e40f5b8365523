//! Service metadata: landing page, OGC conformance, health, OpenAPI.

use serde_json::{json, Value};

use super::Ctx;
use crate::server::error::ApiError;
use crate::server::identity;
use crate::server::openapi;
use crate::server::params::DocFormat;
use crate::server::response::{self, Resp};
use crate::server::validation::Errors;

/// The OGC conformance classes TiTiler 2.4 declares (cases/conformance.json).
pub const CONFORMS_TO: &[&str] = &[
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/json",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/landing-page",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/jpeg",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/png",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tiff",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "https://www.opengis.net/spec/ogcapi-maps-1/1.0/conf/core",
    "https://www.opengis.net/spec/ogcapi-maps-1/1.0/conf/crs",
    "https://www.opengis.net/spec/ogcapi-maps-1/1.0/conf/jpeg",
    "https://www.opengis.net/spec/ogcapi-maps-1/1.0/conf/png",
    "https://www.opengis.net/spec/ogcapi-maps-1/1.0/conf/scaling",
    "https://www.opengis.net/spec/ogcapi-maps-1/1.0/conf/scaling/height-definition",
    "https://www.opengis.net/spec/ogcapi-maps-1/1.0/conf/scaling/width-definition",
    "https://www.opengis.net/spec/ogcapi-maps-1/1.0/conf/spatial-subsetting",
    "https://www.opengis.net/spec/ogcapi-maps-1/1.0/conf/spatial-subsetting/bbox-crs",
    "https://www.opengis.net/spec/ogcapi-maps-1/1.0/conf/spatial-subsetting/bbox-definition",
    "https://www.opengis.net/spec/ogcapi-maps-1/1.0/conf/spatial-subsetting/crs-curie",
    "https://www.opengis.net/spec/ogcapi-maps-1/1.0/conf/tiff",
];

/// The landing document: TiTiler's shape and links (clients read them), cogtiler's own name
/// (see [`identity`]).
pub fn landing_json(base: &str) -> Value {
    let link = |href: String, rel: &str, ty: &str, title: &str| json!({"href": href, "rel": rel, "type": ty, "title": title});
    json!({
        "title": identity::NAME,
        "description": identity::DESCRIPTION,
        "links": [
            link(format!("{base}/"), "self", "text/html", "Landing page"),
            link(format!("{base}/api"), "service-desc", "application/vnd.oai.openapi+json;version=3.0", "The API definition (JSON)"),
            link(format!("{base}/api.html"), "service-doc", "text/html", "The API documentation"),
            link(format!("{base}/conformance"), "http://www.opengis.net/def/rel/ogc/1.0/conformance", "text/html", "Conformance Declaration"),
            link(format!("{base}/tileMatrixSets"), "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes", "application/json", "List of Available TileMatrixSets"),
            link(format!("{base}/algorithms"), "data", "application/json", "List of Available Algorithms"),
            link(format!("{base}/colorMaps"), "data", "application/json", "List of Available ColorMaps"),
            link("https://developmentseed.org/titiler/".into(), "doc", "text/html", "TiTiler Documentation (external link)"),
            link("https://github.com/developmentseed/titiler".into(), "doc", "text/html", "TiTiler source code (external link)"),
        ]
    })
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `GET /`: JSON for API clients, an HTML page (with a link to the sample viewer) for browsers.
pub fn landing(ctx: &Ctx) -> Result<Resp, ApiError> {
    #[cfg(feature = "vector")]
    if ctx.app.config.api == crate::server::ApiMode::Vector {
        // TiPg's landing page, as its clients read it
        return super::vector::landing(ctx);
    }
    let mut errs = Errors::new();
    let f = DocFormat::negotiate(&ctx.query, ctx.accept(), &mut errs);
    let f = Ctx::done(errs, f)?;
    let doc = landing_json(&ctx.base_url);
    #[cfg(feature = "vector")]
    let doc = with_vector_links(ctx, doc);
    if f == DocFormat::Json {
        return Ok(response::json(&doc));
    }
    let mut items = String::new();
    for l in doc["links"].as_array().into_iter().flatten() {
        let href = html_escape(l["href"].as_str().unwrap_or(""));
        let title = html_escape(l["title"].as_str().unwrap_or(""));
        items.push_str(&format!("<li><a href=\"{href}\">{title}</a></li>\n"));
    }
    let viewer = format!(
        "{}/cog/viewer?url={}",
        ctx.base_url,
        form_urlencoded::byte_serialize(crate::server::sample::SAMPLE_URL.as_bytes())
            .collect::<String>()
    );
    Ok(response::html(format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>cogtiler</title>\
<style>body{{font-family:sans-serif;max-width:48em;margin:2em auto;padding:0 1em}}</style></head>\n\
<body><h1>cogtiler</h1><p>A dynamic tile server for Cloud Optimized GeoTIFFs, compatible with TiTiler's API.</p>\n\
<p><a id=\"sample-viewer\" href=\"{}\">Open the viewer on the bundled sample COG</a></p>\n<ul>\n{items}</ul></body></html>\n",
        html_escape(&viewer)
    )))
}

/// With both APIs (`--api all`): TiPg's landing links after TiTiler's, the shared ones once.
#[cfg(feature = "vector")]
fn with_vector_links(ctx: &Ctx, mut doc: Value) -> Value {
    if ctx.app.config.api != crate::server::ApiMode::All {
        return doc;
    }
    let vector = super::vector::landing_json(&ctx.base_url);
    if let (Some(links), Some(more)) = (doc["links"].as_array_mut(), vector["links"].as_array()) {
        for l in more {
            if !links.iter().any(|x| x["href"] == l["href"]) {
                links.push(l.clone());
            }
        }
    }
    doc
}

/// `GET /conformance`.
pub fn conformance(ctx: &Ctx) -> Result<Resp, ApiError> {
    #[cfg(feature = "vector")]
    if ctx.app.config.api == crate::server::ApiMode::Vector {
        // TiPg's classes and format negotiation
        return super::vector::conformance(ctx);
    }
    let mut errs = Errors::new();
    let f = DocFormat::negotiate(&ctx.query, ctx.accept(), &mut errs);
    let f = Ctx::done(errs, f)?;
    use crate::server::ApiMode;
    #[cfg(feature = "vector")]
    let vector = super::vector::CONFORMS_TO;
    #[cfg(not(feature = "vector"))]
    let vector: &[&str] = &[];
    let classes: Vec<&str> = match ctx.app.config.api {
        ApiMode::Raster => CONFORMS_TO.to_vec(),
        ApiMode::Vector => vector.to_vec(),
        ApiMode::All => {
            let mut all = CONFORMS_TO.to_vec();
            all.extend(vector.iter().filter(|c| !CONFORMS_TO.contains(c)));
            all
        }
    };
    let doc = json!({ "conformsTo": classes });
    if f == DocFormat::Json {
        return Ok(response::json(&doc));
    }
    let items: String = classes
        .iter()
        .map(|c| format!("<li><a href=\"{c}\">{c}</a></li>\n"))
        .collect();
    Ok(response::html(format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Conformance</title></head>\n<body><h1>Conformance</h1><ul>\n{items}</ul></body></html>\n"
    )))
}

/// `GET /healthz`: versions of what answers (TiTiler lists its Python stack; compare.py ignores
/// them). cogtiler's own, and the TiTiler API version it follows (not a TiTiler that runs).
pub fn healthz() -> Resp {
    response::json(&json!({
        "versions": {
            "cogtiler": env!("CARGO_PKG_VERSION"),
            "titiler_api": identity::TITILER_API_VERSION,
        }
    }))
}

/// `GET /api`: the OpenAPI 3 document.
pub fn openapi_json(ctx: &Ctx) -> Resp {
    response::json(&openapi::document(&ctx.app.catalog))
}

/// `GET /api.html`: a readable rendering of the OpenAPI document (no CDN Swagger UI).
pub fn openapi_html(ctx: &Ctx) -> Resp {
    response::html(openapi::html(&openapi::document(&ctx.app.catalog)))
}
