//! The vector API's landing page, conformance classes and TileMatrixSet list (TiPg's).

use serde_json::{json, Value};

use super::html::wants_html;
use super::pages;
use super::Ctx;
use crate::server::error::ApiError;
use crate::server::response::{self, Resp};

// the parent's shared helpers: catalog and collection lookup, links, query parsing
use super::*;

/// The OGC conformance classes TiPg 1.6 declares (tipg cases/conformance.json).
pub const CONFORMS_TO: &[&str] = &[
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/landingPage",
    "http://www.opengis.net/spec/ogcapi-common-2/1.0/conf/collections",
    "http://www.opengis.net/spec/ogcapi-common-2/1.0/conf/simple-query",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/json",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
];

/// TiPg's landing document.
pub fn landing_json(base: &str) -> Value {
    let mut links = Vec::new();
    for (path, rel, typ, title, tpl) in [
        ("/", "self", "application/json", "Landing Page", false),
        (
            "/api",
            "service-desc",
            "application/vnd.oai.openapi+json;version=3.0",
            "the API definition (JSON)",
            false,
        ),
        (
            "/api.html",
            "service-doc",
            "text/html",
            "the API documentation",
            false,
        ),
        (
            "/conformance",
            "conformance",
            "application/json",
            "Conformance",
            false,
        ),
        (
            "/collections",
            "data",
            "application/json",
            "List of Collections",
            false,
        ),
        (
            "/collections/{collectionId}",
            "data",
            "application/json",
            "Collection metadata (Template URL)",
            true,
        ),
        (
            "/collections/{collectionId}/queryables",
            "queryables",
            "application/schema+json",
            "Collection queryables (Template URL)",
            true,
        ),
        (
            "/collections/{collectionId}/items",
            "data",
            "application/geo+json",
            "Collection Features (Template URL)",
            true,
        ),
        (
            "/collections/{collectionId}/items/{itemId}",
            "data",
            "application/geo+json",
            "Collection Feature (Template URL)",
            true,
        ),
        (
            "/collections/{collectionId}/tiles/{tileMatrixSetId}/{z}/{x}/{y}",
            "data",
            "application/vnd.mapbox-vector-tile",
            "Collection Vector Tiles (Template URL)",
            true,
        ),
        (
            "/collections/{collectionId}/tiles",
            "data",
            "application/json",
            "Collection TileSets (Template URL)",
            true,
        ),
        (
            "/collections/{collectionId}/tiles/{tileMatrixSetId}",
            "data",
            "application/json",
            "Collection TileSet (Template URL)",
            true,
        ),
        (
            "/collections/{collectionId}/tiles/{tileMatrixSetId}/map.html",
            "data",
            "text/html",
            "Collection Map viewer (Template URL)",
            true,
        ),
        (
            "/tileMatrixSets",
            "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes",
            "application/json",
            "TileMatrixSets",
            false,
        ),
        (
            "/tileMatrixSets/{tileMatrixSetId}",
            "data",
            "application/json",
            "TileMatrixSet (Template URL)",
            true,
        ),
    ] {
        let l = link(format!("{base}{path}"), rel, typ, Some(title));
        links.push(if tpl { templated(l) } else { l });
    }
    json!({"title": "TiPg: OGC Features and Tiles API", "links": links})
}

/// `GET /` with `--api vector`: TiPg's landing document, or its page.
pub fn landing(ctx: &Ctx) -> Result<Resp, ApiError> {
    let doc = landing_json(&ctx.base_url);
    if wants_html(ctx)? {
        return Ok(pages::landing(ctx, &doc));
    }
    Ok(response::json(&doc))
}

/// `GET /conformance` with `--api vector`.
pub fn conformance(ctx: &Ctx) -> Result<Resp, ApiError> {
    let doc = json!({ "conformsTo": CONFORMS_TO });
    if wants_html(ctx)? {
        return Ok(pages::conformance(ctx, &doc));
    }
    Ok(response::json(&doc))
}

/// `GET /tileMatrixSets/{id}` with `--api vector`: the page for `f=html` (`None`: the JSON).
pub fn tms_html(ctx: &Ctx, json: &str) -> Result<Option<Resp>, ApiError> {
    if !wants_html(ctx)? {
        return Ok(None);
    }
    let doc: Value = serde_json::from_str(json).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(Some(pages::tms(ctx, &doc)))
}

/// `GET /tileMatrixSets` as TiPg lists them (with `--api vector`).
pub fn tms_list(ctx: &Ctx) -> Result<Resp, ApiError> {
    let base = &ctx.base_url;
    let sets: Vec<Value> = ctx
        .app
        .catalog
        .tms_ids
        .iter()
        .map(|id| {
            json!({
                "id": id,
                "title": format!("Definition of {id} tileMatrixSets"),
                "links": [{
                    "href": format!("{base}/tileMatrixSets/{id}"),
                    "rel": "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme",
                    "type": "application/json",
                }],
            })
        })
        .collect();
    let doc = json!({ "tileMatrixSets": sets });
    if wants_html(ctx)? {
        return Ok(pages::tms_list(ctx, &doc));
    }
    Ok(response::json(&doc))
}
