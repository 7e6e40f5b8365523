//! `/collections/{id}/tiles...`: Mapbox Vector Tiles, tilesets, TileJSON and the MapLibre style.

use std::sync::Arc;

use http::StatusCode;
use serde_json::{json, Map, Value};

use super::Ctx;
use crate::server::error::ApiError;
use crate::server::params::tile::parse_tms_id;
use crate::server::response::{self, Resp};
use crate::server::validation::{Errors, Source};
use crate::tms::{Tile, TileMatrixSet};
use crate::vector::{Collection, TileTarget, MAX_FEATURES};

// the parent's shared helpers: catalog and collection lookup, links, query parsing
use super::*;

pub(super) fn tms_of(ctx: &Ctx) -> Result<Arc<TileMatrixSet>, ApiError> {
    let mut errs = Errors::new();
    let id = parse_tms_id(
        ctx.captures.get("tileMatrixSetId"),
        &ctx.app.catalog,
        &mut errs,
    );
    let id = Ctx::done(errs, id)?;
    Ok(ctx.app.tms.get(&id)?)
}

fn tileset_doc(base: &str, c: &Collection, tms: &TileMatrixSet, single: bool) -> Value {
    let title = format!("'{}' tileset tiled using {} TileMatrixSet", c.id, tms.id);
    let u = format!("{base}/collections/{}/tiles/{}", c.id, tms.id);
    let mut tile = link(
        format!("{u}/{{z}}/{{x}}/{{y}}"),
        "tile",
        MVT,
        Some("Templated link for retrieving Vector tiles"),
    );
    if single {
        tile = templated(tile);
    }
    let mut links = vec![
        link(u.clone(), "self", "application/json", Some(&title)),
        link(
            format!("{base}/tileMatrixSets/{}", tms.id),
            "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme",
            "application/json",
            Some(&format!("Definition of '{}' tileMatrixSet", tms.id)),
        ),
        tile,
    ];
    if single {
        links.push(link(
            format!("{u}/map.html"),
            "data",
            "text/html",
            Some(&format!("Map viewer for '{}' tileMatrixSet", tms.id)),
        ));
    }
    let mut d = json!({
        "title": title,
        "dataType": "vector",
        "crs": tms.crs_uri,
        "links": links,
    });
    if let Some(b) = c.bounds() {
        if single {
            if let Ok(l) = tms.limits(b, None) {
                d["tileMatrixSetLimits"] = json!(l);
            }
        }
        d["boundingBox"] = json!({
            "lowerLeft": [b[0], b[1]],
            "upperRight": [b[2], b[3]],
            "crs": CRS84,
        });
    }
    d["accessConstraints"] = json!("unclassified");
    d
}

/// `GET /collections/{collectionId}/tiles`.
pub async fn tilesets(ctx: &Ctx<'_>) -> Result<Resp, ApiError> {
    let html = super::html::wants_html(ctx)?;
    let (_, cat) = catalog(ctx).await?;
    let c = collection(ctx, &cat)?;
    let mut sets = Vec::new();
    for id in &ctx.app.catalog.tms_ids {
        let tms = ctx.app.tms.get(id)?;
        sets.push(tileset_doc(&ctx.base_url, c, &tms, false));
    }
    let doc = json!({ "tilesets": sets });
    if html {
        return Ok(super::pages::tilesets(ctx, &c.id, &doc));
    }
    Ok(response::json(&doc))
}

/// `GET /collections/{collectionId}/tiles/{tileMatrixSetId}`.
pub async fn tileset(ctx: &Ctx<'_>) -> Result<Resp, ApiError> {
    let tms = tms_of(ctx)?;
    let html = super::html::wants_html(ctx)?;
    let (_, cat) = catalog(ctx).await?;
    let c = collection(ctx, &cat)?;
    let doc = tileset_doc(&ctx.base_url, c, &tms, true);
    if html {
        return Ok(super::pages::tileset(ctx, &doc));
    }
    Ok(response::json(&doc))
}

/// `GET /collections/{collectionId}/tiles/{tileMatrixSetId}/{z}/{x}/{y}`: a Mapbox Vector
/// Tile. A tile outside the TileMatrixSet's matrix is a 404 (TiPg answers an empty 200).
pub async fn tile(ctx: &Ctx<'_>) -> Result<Resp, ApiError> {
    let tms = tms_of(ctx)?;
    let mut errs = Errors::new();
    let z = errs.int(Source::Path, "z", &[], ctx.captures.get("z"));
    let x = errs.int(Source::Path, "x", &[], ctx.captures.get("x"));
    let y = errs.int(Source::Path, "y", &[], ctx.captures.get("y"));
    let (z, x, y) = Ctx::done(errs, z.zip(x).zip(y).map(|((z, x), y)| (z, x, y)))?;
    let t = Tile::new(x, y, i32::try_from(z).unwrap_or(i32::MAX));
    if !tms.is_valid(t) {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("{t} is outside the {} TileMatrixSet", tms.id),
        ));
    }
    let (b, cat) = catalog(ctx).await?;
    let c = collection(ctx, &cat)?;
    let q = items_query(ctx, c, MAX_FEATURES)?;
    let bounds = tms.xy_bounds(t)?;
    let target = TileTarget {
        bounds: bounds.to_array(),
        srid: tms.crs.epsg(),
        proj: tms.crs.proj_string().to_string(),
    };
    let body = b.tile(c, &q, &target).await?;
    Ok(response::with_type(StatusCode::OK, MVT, body))
}

pub(super) fn zoom_range(ctx: &Ctx) -> Result<(i32, i32), ApiError> {
    let mut errs = Errors::new();
    let minzoom = ctx
        .query
        .get("minzoom")
        .and_then(|s| errs.int(Source::Query, "minzoom", &[], s))
        .unwrap_or(MINZOOM as i64);
    let maxzoom = ctx
        .query
        .get("maxzoom")
        .and_then(|s| errs.int(Source::Query, "maxzoom", &[], s))
        .unwrap_or(MAXZOOM as i64);
    Ctx::done(errs, Some((minzoom as i32, maxzoom as i32)))
}

/// The tile URL template for TileJSON and styles: the request's query minus the document's own.
fn tile_template(ctx: &Ctx, c: &Collection, tms: &TileMatrixSet) -> String {
    let qs = ctx.query.encode_without(&["minzoom", "maxzoom", "f"]);
    let mut u = format!(
        "{}/collections/{}/tiles/{}/{{z}}/{{x}}/{{y}}",
        ctx.base_url, c.id, tms.id
    );
    if !qs.is_empty() {
        u.push('?');
        u.push_str(&qs);
    }
    u
}

fn center(b: [f64; 4]) -> [f64; 2] {
    [(b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0]
}

/// `GET /collections/{collectionId}/tiles/{tileMatrixSetId}/tilejson.json`.
pub async fn tilejson(ctx: &Ctx<'_>) -> Result<Resp, ApiError> {
    let tms = tms_of(ctx)?;
    let (minzoom, maxzoom) = zoom_range(ctx)?;
    let (_, cat) = catalog(ctx).await?;
    let c = collection(ctx, &cat)?;
    let fields: Map<String, Value> = c
        .property_columns(None)
        .iter()
        .map(|col| (col.name.clone(), json!(col.json_type())))
        .collect();
    let mut d = json!({
        "tilejson": "3.0.0",
        "name": c.id,
        "version": "1.0.0",
        "scheme": "xyz",
        "tiles": [tile_template(ctx, c, &tms)],
        "vector_layers": [{"id": "default", "fields": fields, "minzoom": minzoom, "maxzoom": maxzoom}],
        "minzoom": minzoom,
        "maxzoom": maxzoom,
    });
    if let Some(b) = c.bounds() {
        let ctr = center(b);
        d["bounds"] = json!(b);
        d["center"] = json!([ctr[0], ctr[1], minzoom]);
    }
    Ok(response::json(&d))
}

/// `GET /collections/{collectionId}/tiles/{tileMatrixSetId}/style.json`: a MapLibre style
/// drawing polygons, lines and points of the collection.
pub async fn stylejson(ctx: &Ctx<'_>) -> Result<Resp, ApiError> {
    let tms = tms_of(ctx)?;
    let (minzoom, maxzoom) = zoom_range(ctx)?;
    let (_, cat) = catalog(ctx).await?;
    let c = collection(ctx, &cat)?;
    let id = &c.id;
    let layer = |suffix: &str, typ: &str, geom: &str, paint: Value| {
        json!({
            "id": format!("{id}_{suffix}"),
            "source": id,
            "source-layer": "default",
            "type": typ,
            "filter": ["==", ["geometry-type"], geom],
            "paint": paint,
        })
    };
    let mut source = json!({
        "type": "vector",
        "scheme": "xyz",
        "tiles": [tile_template(ctx, c, &tms)],
        "minzoom": minzoom,
        "maxzoom": maxzoom,
    });
    let mut d = json!({
        "version": 8,
        "name": "TiPg",
        "layers": [
            layer("fill", "fill", "Polygon", json!({"fill-color": "rgba(200, 100, 240, 0.4)", "fill-outline-color": "#000"})),
            layer("stroke", "line", "LineString", json!({"line-color": "#000", "line-width": 1, "line-opacity": 0.75})),
            layer("point", "circle", "Point", json!({"circle-color": "#000", "circle-radius": 2.5, "circle-opacity": 0.75})),
        ],
        "zoom": minzoom,
    });
    if let Some(b) = c.bounds() {
        source["bounds"] = json!(b);
        d["center"] = json!(center(b));
    }
    d["sources"] = json!({ id.clone(): source });
    Ok(response::json(&d))
}
