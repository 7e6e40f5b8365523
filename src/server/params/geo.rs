//! Coordinates in paths and bodies: `/point/{lon},{lat}`, `/bbox/{minx},{miny},{maxx},{maxy}`,
//! `{width}x{height}`, CRS parameters, the OGC Maps query and GeoJSON request bodies.
//!
//! CRS values stay strings here: `crs::Crs::parse` (which knows the EPSG table) turns them
//! into a CRS in the handler, and [`crs_validation_error`] reports failures as a 422.

use serde_json::{json, Value};

use super::render::{format_from_query, ImageFormat};
use super::tile::positive_u32;
use crate::server::error::ApiError;
use crate::server::query::Query;
use crate::server::validation::{parse_float, Errors, Source, ValidationError};

/// `/cog/point/{lon},{lat}` + `coord_crs`.
#[derive(Clone, Debug, PartialEq)]
pub struct PointParams {
    pub lon: f64,
    pub lat: f64,
    /// CRS of the coordinates (default `EPSG:4326`).
    pub coord_crs: Option<String>,
}

impl PointParams {
    pub fn parse(lon: &str, lat: &str, q: &Query, errs: &mut Errors) -> Option<PointParams> {
        let lon = errs.float(Source::Path, "lon", &[], lon);
        let lat = errs.float(Source::Path, "lat", &[], lat);
        Some(PointParams {
            lon: lon?,
            lat: lat?,
            coord_crs: q.get("coord_crs").map(str::to_string),
        })
    }
}

/// `/cog/bbox/{minx},{miny},{maxx},{maxy}[/{width}x{height}].{format}` + `coord_crs`, `dst_crs`.
#[derive(Clone, Debug, PartialEq)]
pub struct BboxParams {
    pub bbox: [f64; 4],
    /// Size from the path (`/{width}x{height}.fmt`), overriding the query's.
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub coord_crs: Option<String>,
    pub dst_crs: Option<String>,
}

impl BboxParams {
    pub fn parse(
        coords: [&str; 4],
        size: Option<(&str, &str)>,
        q: &Query,
        errs: &mut Errors,
    ) -> Option<BboxParams> {
        let names = ["minx", "miny", "maxx", "maxy"];
        let vals: Vec<Option<f64>> = coords
            .iter()
            .zip(names)
            .map(|(s, n)| errs.float(Source::Path, n, &[], s))
            .collect();
        let (width, height) = match size {
            None => (Some(None), Some(None)),
            Some((w, h)) => (path_size(w, "width", errs), path_size(h, "height", errs)),
        };
        let bbox = [vals[0]?, vals[1]?, vals[2]?, vals[3]?];
        Some(BboxParams {
            bbox,
            width: width?,
            height: height?,
            coord_crs: q.get("coord_crs").map(str::to_string),
            dst_crs: q.get("dst_crs").map(str::to_string),
        })
    }
}

/// A `{width}` / `{height}` path segment (int, `gt=0`).
pub fn path_size(s: &str, name: &str, errs: &mut Errors) -> Option<Option<u32>> {
    let v = errs.int(Source::Path, name, &[], s)?;
    if !errs.check_gt(Source::Path, name, s, v as f64, 0)
        || !errs.check_le(Source::Path, name, s, v as f64, u32::MAX as i64)
    {
        return None;
    }
    Some(Some(v as u32))
}

/// A 422 for a CRS string `crs::Crs::parse` rejected (`name` is the query parameter).
pub fn crs_validation_error(name: &str, input: &str, reason: &str) -> ApiError {
    let mut errs = Errors::new();
    errs.value_error(
        Source::Query,
        name,
        &format!("invalid CRS {input:?}: {reason}"),
        json!(input),
    );
    ApiError::validation(errs.into_vec())
}

/// OGC API Maps `/cog/map`: `bbox` (4 or 6 numbers), `bbox-crs`, `crs`, `width`, `height`, `f`.
#[derive(Clone, Debug, PartialEq)]
pub struct OgcMapParams {
    /// `minx,miny,maxx,maxy` (a 6-number 3D bbox keeps its horizontal part).
    pub bbox: Option<[f64; 4]>,
    pub bbox_crs: Option<String>,
    pub crs: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// `f=`; `None` = negotiate with `Accept`, else PNG.
    pub format: Option<ImageFormat>,
}

impl OgcMapParams {
    pub fn parse(q: &Query, errs: &mut Errors) -> Option<OgcMapParams> {
        let bbox = match q.get("bbox") {
            None => Some(None),
            Some(s) => {
                let nums: Option<Vec<f64>> = s.split(',').map(parse_float).collect();
                match nums.as_deref() {
                    Some([a, b, c, d]) => Some(Some([*a, *b, *c, *d])),
                    Some([a, b, _, d, e, _]) => Some(Some([*a, *b, *d, *e])),
                    _ => {
                        errs.value_error(
                            Source::Query,
                            "bbox",
                            "bbox must be 4 or 6 comma-separated numbers",
                            json!(s),
                        );
                        None
                    }
                }
            }
        };
        let width = positive_u32(q, "width", errs);
        let height = positive_u32(q, "height", errs);
        let format = match q.get("f") {
            None => Some(None),
            Some(s) => format_from_query("f", s, errs).map(Some),
        };
        Some(OgcMapParams {
            bbox: bbox?,
            bbox_crs: q.get("bbox-crs").map(str::to_string),
            crs: q.get("crs").map(str::to_string),
            width: width?,
            height: height?,
            format: format?,
        })
    }
}

/// Validates a POSTed GeoJSON body for `/cog/feature` (must be a `Feature`) or
/// `/cog/statistics` (a `Feature` or `FeatureCollection`), reporting FastAPI's 422 shapes
/// (cases/err_feature_no_body.json, err_feature_bad_geojson.json).
pub fn parse_geojson_body(body: &[u8], allow_collection: bool, errs: &mut Errors) -> Option<Value> {
    if body.iter().all(u8::is_ascii_whitespace) {
        // FastAPI's loc for a missing body is just ["body"].
        errs.push(ValidationError {
            kind: "missing".into(),
            loc: vec![json!("body")],
            msg: "Field required".into(),
            input: Value::Null,
            ctx: None,
        });
        return None;
    }
    let v: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            // FastAPI: loc = ["body", <character offset>], input = {}
            errs.push(ValidationError {
                kind: "json_invalid".into(),
                loc: vec![json!("body"), json!(e.column().saturating_sub(1))],
                msg: "JSON decode error".into(),
                input: json!({}),
                ctx: Some(json!({ "error": e.to_string() })),
            });
            return None;
        }
    };
    let ty = v.get("type").and_then(Value::as_str).unwrap_or("");
    let ok_type = ty == "Feature" || (allow_collection && ty == "FeatureCollection");
    let mut ok = true;
    if !ok_type {
        let expected = if allow_collection {
            "'Feature' or 'FeatureCollection'"
        } else {
            "'Feature'"
        };
        errs.add(
            Source::Body,
            "type",
            &[],
            "literal_error",
            format!("Input should be {expected}"),
            v.get("type").cloned().unwrap_or(Value::Null),
            Some(json!({ "expected": expected })),
        );
        ok = false;
    }
    // pydantic's "Field required", reported against the whole body.
    let mut missing = |field: &str| {
        errs.add(
            Source::Body,
            field,
            &[],
            "missing",
            "Field required",
            v.clone(),
            None,
        );
        ok = false;
    };
    if ty != "FeatureCollection" {
        for field in ["geometry", "properties"] {
            if v.get(field).is_none() {
                missing(field);
            }
        }
    } else if !v.get("features").is_some_and(Value::is_array) {
        missing("features");
    }
    ok.then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::params::tests::case_detail;

    #[test]
    fn point_and_bbox() {
        let q = Query::parse("coord_crs=EPSG:3857", false);
        let mut errs = Errors::new();
        let p = PointParams::parse("-3.5", "40", &q, &mut errs).unwrap();
        assert_eq!(
            (p.lon, p.lat, p.coord_crs.as_deref()),
            (-3.5, 40.0, Some("EPSG:3857"))
        );
        assert!(PointParams::parse("abc", "1", &q, &mut errs).is_none());
        assert_eq!(
            ApiError::validation(errs.into_vec()).body_json(),
            case_detail("err_point_bad_coords")
        );
        let mut errs = Errors::new();
        let b =
            BboxParams::parse(["1", "2", "3", "4"], Some(("256", "128")), &q, &mut errs).unwrap();
        assert_eq!(
            (b.bbox, b.width, b.height),
            ([1.0, 2.0, 3.0, 4.0], Some(256), Some(128))
        );
    }

    #[test]
    fn ogc_map() {
        let mut errs = Errors::new();
        let q = Query::parse("width=0", false);
        assert!(OgcMapParams::parse(&q, &mut errs).is_none());
        assert_eq!(
            ApiError::validation(errs.into_vec()).body_json(),
            case_detail("err_ogcmap_bad_width")
        );
        let mut errs = Errors::new();
        let q = Query::parse("bbox=1,2,0,3,4,0&f=tif&bbox-crs=EPSG:4326", false);
        let m = OgcMapParams::parse(&q, &mut errs).unwrap();
        assert_eq!(m.bbox, Some([1.0, 2.0, 3.0, 4.0]));
        assert_eq!(m.format, Some(ImageFormat::Tif));
        assert_eq!(m.bbox_crs.as_deref(), Some("EPSG:4326"));
    }

    #[test]
    fn geojson_bodies() {
        let mut errs = Errors::new();
        assert!(parse_geojson_body(b"{\"type\": \"Point\"}", false, &mut errs).is_none());
        assert_eq!(
            ApiError::validation(errs.into_vec()).body_json(),
            case_detail("err_feature_bad_geojson")
        );
        let mut errs = Errors::new();
        assert!(parse_geojson_body(b"", false, &mut errs).is_none());
        assert_eq!(
            ApiError::validation(errs.into_vec()).body_json(),
            case_detail("err_feature_no_body")
        );
        let mut errs = Errors::new();
        assert!(parse_geojson_body(b"not json", false, &mut errs).is_none());
        let e = &errs.into_vec()[0];
        assert_eq!(
            (e.kind.as_str(), e.loc.clone()),
            ("json_invalid", vec![json!("body"), json!(1)])
        );
        let mut errs = Errors::new();
        let f = br#"{"type":"Feature","geometry":{"type":"Point","coordinates":[0,0]},"properties":{}}"#;
        assert!(parse_geojson_body(f, false, &mut errs).is_some());
        let fc = br#"{"type":"FeatureCollection","features":[]}"#;
        assert!(parse_geojson_body(fc, true, &mut errs).is_some());
        assert!(errs.is_empty());
    }

    #[test]
    fn geojson_body_missing_fields_are_reported_each() {
        let locs = |body: &[u8], allow_collection: bool| {
            let mut errs = Errors::new();
            assert!(parse_geojson_body(body, allow_collection, &mut errs).is_none());
            errs.into_vec()
                .into_iter()
                .map(|e| (e.kind, e.loc))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            locs(br#"{"type":"Feature"}"#, false),
            vec![
                (
                    "missing".to_string(),
                    vec![json!("body"), json!("geometry")]
                ),
                (
                    "missing".to_string(),
                    vec![json!("body"), json!("properties")]
                ),
            ]
        );
        assert_eq!(
            locs(br#"{"type":"FeatureCollection"}"#, true),
            vec![(
                "missing".to_string(),
                vec![json!("body"), json!("features")]
            )]
        );
    }
}
