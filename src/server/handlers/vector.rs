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
use crate::server::params::tile::parse_tms_id;
use crate::server::response::{self, Resp};
use crate::server::validation::{Errors, Source};
use crate::tms::{Tile, TileMatrixSet};
use crate::vector::filter::{self, Lang};
use crate::vector::{
    Catalog, Collection, Datetime, Feature, GeomFormat, ItemsQuery, Kind, TileTarget,
    VectorBackend, DEFAULT_LIMIT, MAX_FEATURES,
};

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
    Ok(response::json(&json!({
        "links": links,
        "numberMatched": matched,
        "numberReturned": returned,
        "collections": docs,
    })))
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
    let (_, cat) = catalog(ctx).await?;
    let c = collection(ctx, &cat)?;
    Ok(response::json(&collection_doc(&ctx.base_url, c, true)))
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
    Ok(response::json_typed(&doc, "application/schema+json"))
}

/// The output format of items: `f`, else the `Accept` header, else GeoJSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    GeoJson,
    Json,
    Csv,
    GeoJsonSeq,
    NdJson,
    Html,
}

fn items_format(ctx: &Ctx) -> Result<Format, ApiError> {
    Ok(match ctx.query.get("f") {
        None => Format::GeoJson,
        Some("geojson") => Format::GeoJson,
        Some("json") => Format::Json,
        Some("csv") => Format::Csv,
        Some("geojsonseq") => Format::GeoJsonSeq,
        Some("ndjson") => Format::NdJson,
        Some("html") => Format::Html,
        Some(other) => {
            let mut errs = Errors::new();
            errs.literal(
                Source::Query,
                "f",
                other,
                &["geojson", "json", "csv", "geojsonseq", "ndjson", "html"],
                true,
            );
            return Err(ApiError::validation(errs.into_vec()));
        }
    })
}

fn feature_json(base: &str, c: &Collection, f: &Feature, in_list: bool) -> Value {
    let geometry = f
        .geometry
        .as_deref()
        .and_then(|g| serde_json::from_str::<Value>(g).ok())
        .unwrap_or(Value::Null);
    let id_s = match &f.id {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let coll_url = format!("{base}/collections/{}", c.id);
    let links = if in_list {
        vec![
            link(
                coll_url.clone(),
                "collection",
                "application/json",
                Some("Collection"),
            ),
            link(
                format!("{coll_url}/items/{id_s}"),
                "item",
                GEOJSON,
                Some("Item"),
            ),
        ]
    } else {
        vec![
            link(coll_url.clone(), "collection", "application/json", None),
            link(format!("{coll_url}/items/{id_s}"), "self", GEOJSON, None),
        ]
    };
    json!({
        "type": "Feature",
        "geometry": geometry,
        "id": f.id,
        "properties": f.properties,
        "links": links,
    })
}

/// One row of TiPg's flat outputs (`f=json`, `ndjson`, `csv`).
fn flat(c: &Collection, f: &Feature) -> Vec<(String, Value)> {
    let mut row = vec![
        ("collectionId".to_string(), json!(c.id)),
        ("itemId".to_string(), f.id.clone()),
    ];
    // properties in catalog order
    for col in &c.columns {
        if let Some(v) = f.properties.get(&col.name) {
            row.push((col.name.clone(), v.clone()));
        }
    }
    row.push((
        "geometry".to_string(),
        f.geometry.clone().map(Value::String).unwrap_or(Value::Null),
    ));
    row
}

/// A JSON object with keys in the given order (serde_json's map sorts them); values are
/// JSON text already.
fn raw_object(pairs: &[(&str, String)]) -> String {
    let members: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}:{v}", Value::String((*k).to_string())))
        .collect();
    format!("{{{}}}", members.join(","))
}

fn ordered_object(pairs: &[(String, Value)]) -> String {
    let raw: Vec<(&str, String)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.to_string()))
        .collect();
    raw_object(&raw)
}

/// One GeoJSONSeq line in TiPg's key order (the format is compared as text).
fn feature_seq_line(v: &Value) -> String {
    let links: Vec<String> = v["links"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| {
            let pairs: Vec<(&str, String)> = ["title", "href", "rel", "type"]
                .iter()
                .map(|k| (*k, l[*k].to_string()))
                .collect();
            raw_object(&pairs)
        })
        .collect();
    let mut pairs: Vec<(&str, String)> = ["type", "geometry", "id", "properties"]
        .iter()
        .map(|k| (*k, v[*k].to_string()))
        .collect();
    pairs.push(("links", format!("[{}]", links.join(","))));
    raw_object(&pairs)
}

/// One CSV cell as Python's `str()` writes it (TiPg's csv writer): datetimes with a space.
fn csv_field(v: &Value, datetime: bool) -> String {
    let s = match v {
        Value::Null => String::new(),
        Value::String(s) if datetime => s.replacen('T', " ", 1),
        Value::String(s) => s.clone(),
        Value::Bool(b) => if *b { "True" } else { "False" }.to_string(),
        other => other.to_string(),
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// `GET /collections/{collectionId}/items`.
pub async fn items(ctx: &Ctx<'_>) -> Result<Resp, ApiError> {
    let (b, cat) = catalog(ctx).await?;
    let c = collection(ctx, &cat)?;
    let fmt = items_format(ctx)?;
    let q = items_query(ctx, c, DEFAULT_LIMIT)?;
    let geom_fmt = match fmt {
        Format::Json | Format::Csv | Format::NdJson => GeomFormat::Ewkt,
        _ => GeomFormat::GeoJson,
    };
    let (matched, features) = b.items(c, &q, geom_fmt).await?;
    let base = &ctx.base_url;
    match fmt {
        Format::Json => {
            let rows: Vec<String> = features
                .iter()
                .map(|f| ordered_object(&flat(c, f)))
                .collect();
            Ok(response::with_type(
                StatusCode::OK,
                "application/json",
                format!("[{}]", rows.join(",")),
            ))
        }
        Format::NdJson => {
            let mut s = String::new();
            for f in &features {
                s.push_str(&ordered_object(&flat(c, f)));
                s.push('\n');
            }
            Ok(response::with_type(StatusCode::OK, "application/ndjson", s))
        }
        Format::Csv => {
            let mut s = String::new();
            if let Some(f) = features.first() {
                let head: Vec<String> = flat(c, f).into_iter().map(|(k, _)| k).collect();
                s.push_str(&head.join(","));
                s.push_str("\r\n");
            }
            for f in &features {
                let row: Vec<String> = flat(c, f)
                    .iter()
                    .map(|(k, v)| csv_field(v, c.column(k).is_some_and(|col| col.is_datetime())))
                    .collect();
                s.push_str(&row.join(","));
                s.push_str("\r\n");
            }
            Ok(response::with_type(
                StatusCode::OK,
                "text/csv; charset=utf-8",
                s,
            ))
        }
        Format::GeoJsonSeq => {
            let mut s = String::new();
            for f in &features {
                s.push_str(&feature_seq_line(&feature_json(base, c, f, true)));
                s.push('\n');
            }
            Ok(response::with_type(
                StatusCode::OK,
                "application/geo+json-seq",
                s,
            ))
        }
        Format::GeoJson | Format::Html => {
            let url = format!("{base}/collections/{}/items", c.id);
            let qs = ctx.query.encode_without(&[]);
            let self_url = if qs.is_empty() {
                url.clone()
            } else {
                format!("{url}?{qs}")
            };
            let mut links = vec![
                link(
                    format!("{base}/collections/{}", c.id),
                    "collection",
                    "application/json",
                    Some("Collection"),
                ),
                link(self_url, "self", GEOJSON, Some("Items")),
            ];
            let returned = features.len() as u64;
            links.extend(page_links(
                ctx,
                &url,
                GEOJSON,
                (matched, returned, q.limit, q.offset),
            ));
            let feats: Vec<Value> = features
                .iter()
                .map(|f| feature_json(base, c, f, true))
                .collect();
            let doc = json!({
                "type": "FeatureCollection",
                "id": c.id,
                "title": c.id,
                "description": c.description.clone().unwrap_or_else(|| c.id.clone()),
                "numberMatched": matched,
                "numberReturned": returned,
                "links": links,
                "features": feats,
            });
            Ok(response::json_typed(&doc, GEOJSON))
        }
    }
}

/// `GET /collections/{collectionId}/items/{itemId}`.
pub async fn item(ctx: &Ctx<'_>) -> Result<Resp, ApiError> {
    let (b, cat) = catalog(ctx).await?;
    let c = collection(ctx, &cat)?;
    let item_id = ctx.captures.get("itemId").to_string();
    let missing = || {
        ApiError::from(crate::vector::Error::ItemNotFound {
            collection: c.id.clone(),
            item: item_id.clone(),
        })
    };
    let id_col = c
        .id_column
        .as_deref()
        .and_then(|n| c.column(n))
        .ok_or_else(missing)?;
    // an id that cannot be an integer cannot match an integer key
    if id_col.is_integer() && item_id.parse::<i64>().is_err() {
        return Err(missing());
    }
    let mut q = items_query(ctx, c, 1)?;
    q.ids = vec![item_id.clone()];
    q.limit = 1;
    q.offset = 0;
    let (_, features) = b.items(c, &q, GeomFormat::GeoJson).await?;
    let f = features.first().ok_or_else(missing)?;
    Ok(response::json_typed(
        &feature_json(&ctx.base_url, c, f, false),
        GEOJSON,
    ))
}

fn tms_of(ctx: &Ctx) -> Result<Arc<TileMatrixSet>, ApiError> {
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
    let (_, cat) = catalog(ctx).await?;
    let c = collection(ctx, &cat)?;
    let mut sets = Vec::new();
    for id in &ctx.app.catalog.tms_ids {
        let tms = ctx.app.tms.get(id)?;
        sets.push(tileset_doc(&ctx.base_url, c, &tms, false));
    }
    Ok(response::json(&json!({ "tilesets": sets })))
}

/// `GET /collections/{collectionId}/tiles/{tileMatrixSetId}`.
pub async fn tileset(ctx: &Ctx<'_>) -> Result<Resp, ApiError> {
    let tms = tms_of(ctx)?;
    let (_, cat) = catalog(ctx).await?;
    let c = collection(ctx, &cat)?;
    Ok(response::json(&tileset_doc(&ctx.base_url, c, &tms, true)))
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

fn zoom_range(ctx: &Ctx) -> Result<(i32, i32), ApiError> {
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

/// `GET /tileMatrixSets` as TiPg lists them (with `--api vector`).
pub fn tms_list(ctx: &Ctx) -> Resp {
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
    response::json(&json!({ "tileMatrixSets": sets }))
}
