//! TiPg's OGC API Features and Tiles over PostGIS: `/collections/...`.
//!
//! The handlers parse and validate the query string, pick the collection from the catalog and
//! hand an [`ItemsQuery`] to [`VectorBackend`]; the JSON documents (collections, features,
//! tilesets, TileJSON, MapLibre style) are shaped here like TiPg 1.6's.

use std::sync::Arc;

use http::StatusCode;
use serde_json::{json, Map, Value};

use super::Ctx;
use crate::server::error::ApiError;
use crate::server::response::{self, Resp};
use crate::server::router::Endpoint;
use crate::server::validation::{Errors, Source};
use crate::vector::filter::{self, Lang};
use crate::vector::{Catalog, Collection, Datetime, ItemsQuery, Kind, VectorBackend, MAX_FEATURES};

/// Runs one `/collections` request.
pub(super) async fn dispatch(ctx: &Ctx<'_>, endpoint: Endpoint) -> Result<Resp, ApiError> {
    use Endpoint as E;
    match endpoint {
        E::Collections => collections(ctx).await,
        E::Collection => collection_document(ctx).await,
        E::Queryables => queryables(ctx).await,
        E::Items => items(ctx).await,
        E::Item => item(ctx).await,
        E::VectorTilesets => tilesets(ctx).await,
        E::VectorTileset => tileset(ctx).await,
        E::VectorTile => tile(ctx).await,
        E::VectorTileJson => tilejson(ctx).await,
        E::VectorStyleJson => stylejson(ctx).await,
        E::VectorMap => map_html(ctx).await,
        _ => Err(ApiError::not_found()),
    }
}

const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
const GEOJSON: &str = "application/geo+json";
const MVT: &str = "application/vnd.mapbox-vector-tile";
/// TiPg's default zoom range for TileJSON and styles.
const MINZOOM: i32 = 0;
const MAXZOOM: i32 = 22;

/// Query parameters that are not column-equality filters on items.
const RESERVED: &[&str] = &[
    "f",
    "ids",
    "bbox",
    "datetime",
    "properties",
    "filter",
    "filter-lang",
    "sortby",
    "limit",
    "offset",
    "geom-column",
    "datetime-column",
    "bbox-only",
    "simplify",
    "access_token",
    "tilematrixsetid",
    "minzoom",
    "maxzoom",
];

fn backend(ctx: &Ctx) -> Result<Arc<VectorBackend>, ApiError> {
    ctx.app.vector.clone().ok_or_else(ApiError::not_found)
}

async fn catalog(ctx: &Ctx<'_>) -> Result<(Arc<VectorBackend>, Arc<Catalog>), ApiError> {
    let b = backend(ctx)?;
    let c = b.catalog().await?;
    Ok((b, c))
}

fn collection<'c>(ctx: &Ctx, cat: &'c Catalog) -> Result<&'c Collection, ApiError> {
    Ok(cat.get(ctx.captures.get("collectionId"))?)
}

fn link(href: String, rel: &str, typ: &str, title: Option<&str>) -> Value {
    let mut l = json!({"href": href, "rel": rel, "type": typ});
    if let Some(t) = title {
        l["title"] = json!(t);
    }
    l
}

fn templated(mut l: Value) -> Value {
    l["templated"] = json!(true);
    l
}

/// `extent` of a collection: the union bbox first, then each geometry column's when there
/// are several; the same for datetime columns.
fn extent(c: &Collection) -> Option<Value> {
    let mut out = Map::new();
    let bboxes: Vec<[f64; 4]> = c.geometry_columns().filter_map(|g| g.bounds).collect();
    if let Some(all) = c.bounds() {
        let mut list = vec![json!(all)];
        if bboxes.len() > 1 {
            list.extend(bboxes.iter().map(|b| json!(b)));
        }
        out.insert("spatial".into(), json!({"bbox": list, "crs": CRS84}));
    }
    let dts: Vec<(Option<&String>, Option<&String>)> = c
        .datetime_columns()
        .filter(|d| d.mindt.is_some() || d.maxdt.is_some())
        .map(|d| (d.mindt.as_ref(), d.maxdt.as_ref()))
        .collect();
    if let Some(first) = dts.first() {
        let mut list = Vec::new();
        if dts.len() == 1 {
            list.push(json!([first.0, first.1]));
        } else {
            let min = dts.iter().filter_map(|d| d.0).min();
            let max = dts.iter().filter_map(|d| d.1).max();
            list.push(json!([min, max]));
            list.extend(dts.iter().map(|d| json!([d.0, d.1])));
        }
        out.insert(
            "temporal".into(),
            json!({"interval": list, "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"}),
        );
    }
    (!out.is_empty()).then_some(Value::Object(out))
}

fn dt_bounds(c: &Collection) -> Option<(String, String)> {
    let min = c.datetime_columns().filter_map(|d| d.mindt.clone()).min()?;
    let max = c.datetime_columns().filter_map(|d| d.maxdt.clone()).max()?;
    Some((min, max))
}

fn collection_links(base: &str, c: &Collection, single: bool) -> Vec<Value> {
    let u = format!("{base}/collections/{}", c.id);
    let mut links = if single {
        vec![
            link(u.clone(), "self", "application/json", Some("Collection")),
            link(format!("{u}/items"), "items", GEOJSON, Some("Items")),
            link(
                format!("{u}/items?f=csv"),
                "alternate",
                "text/csv",
                Some("Items (CSV)"),
            ),
            link(
                format!("{u}/items?f=geojsonseq"),
                "alternate",
                "application/geo+json-seq",
                Some("Items (GeoJSONSeq)"),
            ),
        ]
    } else {
        vec![
            link(u.clone(), "collection", "application/json", None),
            link(format!("{u}/items"), "items", GEOJSON, None),
        ]
    };
    links.push(link(
        format!("{u}/queryables"),
        "queryables",
        "application/schema+json",
        None,
    ));
    if c.geometry_columns().next().is_some() {
        links.push(link(
            format!("{u}/tiles"),
            "data",
            "application/json",
            Some("Collection TileSets"),
        ));
        links.push(templated(link(
            format!("{u}/tiles/{{tileMatrixSetId}}"),
            "data",
            "application/json",
            Some("Collection TileSet (Template URL)"),
        )));
        links.push(templated(link(
            format!("{u}/tiles/{{tileMatrixSetId}}/map.html"),
            "data",
            "text/html",
            Some("Collection Map viewer (Template URL)"),
        )));
    }
    links
}

fn collection_doc(base: &str, c: &Collection, single: bool) -> Value {
    let mut d = json!({
        "id": c.id,
        "links": collection_links(base, c, single),
        "itemType": "feature",
        "crs": [CRS84],
    });
    if !single {
        d["title"] = json!(c.id);
    }
    if let Some(desc) = &c.description {
        d["description"] = json!(desc);
    }
    if let Some(e) = extent(c) {
        d["extent"] = e;
    }
    d
}

/// `limit` (0..=10000, FastAPI's 422s) and `offset` (≥ 0).
fn limit_offset(ctx: &Ctx, errs: &mut Errors, default: u32) -> (u32, u64) {
    let mut limit = default;
    if let Some(raw) = ctx.query.get("limit") {
        if let Some(v) = errs.int(Source::Query, "limit", &[], raw) {
            if errs.check_ge(Source::Query, "limit", raw, v as f64, 0)
                && errs.check_le(Source::Query, "limit", raw, v as f64, MAX_FEATURES as i64)
            {
                limit = if v == 0 { default } else { v as u32 };
            }
        }
    }
    let mut offset = 0;
    if let Some(raw) = ctx.query.get("offset") {
        if let Some(v) = errs.int(Source::Query, "offset", &[], raw) {
            if errs.check_ge(Source::Query, "offset", raw, v as f64, 0) {
                offset = v as u64;
            }
        }
    }
    (limit, offset)
}

fn parse_bbox(raw: &str) -> Result<[f64; 4], ApiError> {
    let v: Vec<f64> = raw
        .split(',')
        .map(|s| s.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("Invalid bbox: {raw}"),
            )
        })?;
    match v.as_slice() {
        [w, s, e, n] | [w, s, _, e, n, _] if v.iter().all(|x| x.is_finite()) => {
            Ok([*w, *s, *e, *n])
        }
        _ => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "Invalid bbox: [{}]",
                v.iter()
                    .map(|x| format!("{x:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

fn is_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
}

/// `datetime`: one instant or `start/end` with `..` (or empty) for an open end.
fn parse_datetime(raw: &str) -> Result<Datetime, ApiError> {
    let bad = |m: &str| ApiError::bad_request(format!("Invalid datetime {raw:?}: {m}"));
    let check = |s: &str| -> Result<Option<String>, ApiError> {
        if s.is_empty() || s == ".." {
            Ok(None)
        } else if is_datetime(s) {
            Ok(Some(s.to_string()))
        } else {
            Err(bad("not an RFC 3339 date-time"))
        }
    };
    match raw.split_once('/') {
        None => check(raw)?
            .map(Datetime::Instant)
            .ok_or_else(|| bad("empty")),
        Some((a, b)) => {
            let (a, b) = (check(a)?, check(b)?);
            if a.is_none() && b.is_none() {
                return Err(bad("Double open-ended datetime intervals are not allowed."));
            }
            if let (Some(x), Some(y)) = (&a, &b) {
                if x > y {
                    return Err(bad("Start datetime cannot be before end datetime."));
                }
            }
            Ok(Datetime::Interval(a, b))
        }
    }
}

fn list(raw: Option<&str>) -> Option<Vec<String>> {
    raw.map(|s| {
        s.split(',')
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect()
    })
}

/// The query parameters every items and tile request shares.
fn items_query(ctx: &Ctx, c: &Collection, default_limit: u32) -> Result<ItemsQuery, ApiError> {
    let q = &ctx.query;
    let mut errs = Errors::new();
    let (limit, offset) = limit_offset(ctx, &mut errs, default_limit);
    let simplify = q
        .get("simplify")
        .and_then(|s| errs.float(Source::Query, "simplify", &[], s));
    let bbox_only = q
        .get("bbox-only")
        .and_then(|s| errs.bool(Source::Query, "bbox-only", s))
        .unwrap_or(false);
    Ctx::done(errs, Some(()))?;
    let bbox = q.get("bbox").map(parse_bbox).transpose()?;
    let datetime = q.get("datetime").map(parse_datetime).transpose()?;
    let lang = match q.get("filter-lang") {
        None | Some("cql2-text") => Lang::Text,
        Some("cql2-json") => Lang::Json,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "Unsupported filter-lang: {other}"
            )))
        }
    };
    let filter = q
        .get("filter")
        .filter(|f| !f.is_empty())
        .map(|f| filter::parse(f, lang))
        .transpose()?;
    let ids = list(q.get("ids")).unwrap_or_default();
    if ids.len() > MAX_FEATURES as usize {
        return Err(ApiError::bad_request("too many ids"));
    }
    // Other parameters: function arguments, then column equality filters (TiPg ignores names
    // that are neither).
    let mut function_params = Vec::new();
    let mut equals = Vec::new();
    for (k, v) in q.pairs() {
        if RESERVED.contains(&k.as_str()) {
            continue;
        }
        if c.kind == Kind::Function && c.parameters.iter().any(|p| &p.name == k) {
            function_params.push((k.clone(), v.clone()));
        } else if c.column(k).is_some() {
            equals.push((k.clone(), v.clone()));
        }
    }
    Ok(ItemsQuery {
        ids,
        bbox,
        datetime,
        equals,
        filter,
        sortby: q.get("sortby").map(str::to_string),
        properties: list(q.get("properties")),
        geom_column: q.get("geom-column").map(str::to_string),
        datetime_column: q.get("datetime-column").map(str::to_string),
        limit,
        offset,
        bbox_only,
        simplify,
        function_params,
    })
}

/// `GET /collections`.
pub async fn collections(ctx: &Ctx<'_>) -> Result<Resp, ApiError> {
    let html = html::wants_html(ctx)?;
    let (_, cat) = catalog(ctx).await?;
    let mut errs = Errors::new();
    let (limit, offset) = limit_offset(ctx, &mut errs, 0);
    Ctx::done(errs, Some(()))?;
    let bbox = ctx.query.get("bbox").map(parse_bbox).transpose()?;
    let datetime = ctx.query.get("datetime").map(parse_datetime).transpose()?;
    let typ = ctx.query.get("type");
    let matching: Vec<&Collection> = cat
        .collections
        .iter()
        .filter(|c| typ.is_none_or(|t| c.kind.name() == t))
        .filter(|c| {
            bbox.is_none_or(|b| {
                c.bounds().is_some_and(|cb| {
                    cb[0] <= b[2] && b[0] <= cb[2] && cb[1] <= b[3] && b[1] <= cb[3]
                })
            })
        })
        .filter(|c| {
            datetime.as_ref().is_none_or(|d| {
                let Some((min, max)) = dt_bounds(c) else {
                    return false;
                };
                let cut = |s: &str| s.chars().take(19).collect::<String>();
                let (min, max) = (cut(&min), cut(&max));
                match d {
                    Datetime::Instant(t) => cut(t) >= min && cut(t) <= max,
                    Datetime::Interval(a, b) => {
                        a.as_ref().is_none_or(|a| cut(a) <= max)
                            && b.as_ref().is_none_or(|b| cut(b) >= min)
                    }
                }
            })
        })
        .collect();
    let matched = matching.len() as u64;
    let page: Vec<&Collection> = matching
        .into_iter()
        .skip(offset as usize)
        .take(if limit == 0 {
            usize::MAX
        } else {
            limit as usize
        })
        .collect();
    let returned = page.len() as u64;
    let base = &ctx.base_url;
    let mut links = vec![link(
        format!("{base}/collections"),
        "self",
        "application/json",
        None,
    )];
    links.extend(page_links(
        ctx,
        &format!("{base}/collections"),
        "application/json",
        (matched, returned, limit, offset),
    ));
    let docs: Vec<Value> = page
        .iter()
        .map(|c| collection_doc(base, c, false))
        .collect();
    let doc = json!({
        "links": links,
        "numberMatched": matched,
        "numberReturned": returned,
        "collections": docs,
    });
    if html {
        return Ok(pages::collections(ctx, &doc));
    }
    Ok(response::json(&doc))
}

/// `next`/`prev` links: the request's query with `offset` replaced.
fn page_links(ctx: &Ctx, url: &str, typ: &str, page: (u64, u64, u32, u64)) -> Vec<Value> {
    let (matched, returned, limit, offset) = page;
    let with_offset = |o: u64| {
        let mut qs = ctx.query.encode_without(&["offset"]);
        if !qs.is_empty() {
            qs.push('&');
        }
        qs.push_str(&format!("offset={o}"));
        format!("{url}?{qs}")
    };
    let mut out = Vec::new();
    if matched.saturating_sub(returned) > offset {
        out.push(link(
            with_offset(offset + returned),
            "next",
            typ,
            Some("Next page"),
        ));
    }
    if offset > 0 {
        out.push(link(
            with_offset(offset.saturating_sub(u64::from(limit))),
            "prev",
            typ,
            Some("Previous page"),
        ));
    }
    out
}

/// `GET /collections/{collectionId}`.
pub async fn collection_document(ctx: &Ctx<'_>) -> Result<Resp, ApiError> {
    let html = html::wants_html(ctx)?;
    let (_, cat) = catalog(ctx).await?;
    let c = collection(ctx, &cat)?;
    let doc = collection_doc(&ctx.base_url, c, true);
    if html {
        return Ok(pages::collection(ctx, &doc));
    }
    Ok(response::json(&doc))
}

fn geojson_schema(geometry_type: Option<&str>) -> String {
    let t = match geometry_type.map(str::to_ascii_uppercase).as_deref() {
        Some("POINT") => "Point",
        Some("MULTIPOINT") => "MultiPoint",
        Some("LINESTRING") => "LineString",
        Some("MULTILINESTRING") => "MultiLineString",
        Some("POLYGON") => "Polygon",
        Some("MULTIPOLYGON") => "MultiPolygon",
        Some("GEOMETRYCOLLECTION") => "GeometryCollection",
        _ => "Geometry",
    };
    format!("https://geojson.org/schema/{t}.json")
}

/// `GET /collections/{collectionId}/queryables`.
pub async fn queryables(ctx: &Ctx<'_>) -> Result<Resp, ApiError> {
    let html = html::negotiate(
        ctx,
        &[
            ("schemajson", "application/schema+json"),
            ("html", "text/html"),
        ],
        false,
    )? == 1;
    let (_, cat) = catalog(ctx).await?;
    let c = collection(ctx, &cat)?;
    let mut props = Map::new();
    for col in &c.columns {
        let v = if col.is_geometry() {
            json!({"$ref": geojson_schema(col.geometry_type.as_deref())})
        } else {
            json!({"name": col.name, "type": col.json_type()})
        };
        props.insert(col.name.clone(), v);
    }
    let doc = json!({
        "title": c.id,
        "properties": props,
        "type": "object",
        "$schema": "https://json-schema.org/draft/2019-09/schema",
        "$id": format!("{}/collections/{}/queryables", ctx.base_url, c.id),
    });
    if html {
        return Ok(pages::queryables(ctx, &doc));
    }
    Ok(response::json_typed(&doc, "application/schema+json"))
}

mod html;
mod items;
mod meta;
mod pages;
mod tiles;
mod viewer;

pub use items::{item, items};
pub use meta::*;
pub use tiles::{stylejson, tile, tilejson, tileset, tilesets};
pub use viewer::map_html;
