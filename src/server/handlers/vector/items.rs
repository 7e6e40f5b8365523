//! `/collections/{id}/items[/{itemId}]`: features as GeoJSON, JSON, CSV, GeoJSONSeq or NDJSON.

use http::StatusCode;
use serde_json::{json, Value};

use super::Ctx;
use crate::server::error::ApiError;
use crate::server::response::{self, Resp};
use crate::vector::{Collection, Feature, GeomFormat, DEFAULT_LIMIT};

// the parent's shared helpers: catalog and collection lookup, links, query parsing
use super::*;

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

/// The formats of `/items`, `f` name and media type, in TiPg's order (the first is the default).
const ITEMS_FORMATS: &[(&str, &str)] = &[
    ("geojson", "application/geo+json"),
    ("html", "text/html"),
    ("json", "application/json"),
    ("csv", "text/csv"),
    ("geojsonseq", "application/geo+json-seq"),
    ("ndjson", "application/ndjson"),
];

fn items_format(ctx: &Ctx) -> Result<Format, ApiError> {
    let i = super::html::negotiate(ctx, ITEMS_FORMATS, false)?;
    Ok([
        Format::GeoJson,
        Format::Html,
        Format::Json,
        Format::Csv,
        Format::GeoJsonSeq,
        Format::NdJson,
    ][i])
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
            if fmt == Format::Html {
                return Ok(super::pages::items(ctx, &doc));
            }
            Ok(response::json_typed(&doc, GEOJSON))
        }
    }
}

/// `GET /collections/{collectionId}/items/{itemId}`.
pub async fn item(ctx: &Ctx<'_>) -> Result<Resp, ApiError> {
    // TiPg 1.6 validates an item's `f` against the items formats; only the page differs
    // here: the flat formats (`json`, `csv`, `ndjson`) are still answered as GeoJSON
    let html = items_format(ctx)? == Format::Html;
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
    let doc = feature_json(&ctx.base_url, c, f, false);
    if html {
        return Ok(super::pages::item(ctx, &c.id, &doc));
    }
    Ok(response::json_typed(&doc, GEOJSON))
}
