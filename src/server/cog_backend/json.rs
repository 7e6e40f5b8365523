//! JSON bodies TiTiler builds from reader results: statistics, point values, the info Feature.

use serde_json::{json, Map, Value};

use crate::raster::{Raster, Samples};
use crate::reader::statistics::BandStatistics;
use crate::reader::PointData;
use crate::render::expression::Expression;
use crate::server::error::ApiError;

/// A number as JSON: NaN and infinities (no valid pixel) become `null`; integral values of
/// counts stay integers like numpy's `int64` histogram counts.
pub(super) fn num(v: f64) -> Value {
    if v.is_finite() {
        json!(v)
    } else {
        Value::Null
    }
}

fn count(v: f64) -> Value {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e15 {
        json!(v as i64)
    } else {
        num(v)
    }
}

/// rio-tiler's `BandStatistics` model per band, keyed by band name (`b1`, or the expression).
pub fn statistics(stats: &[BandStatistics], names: &[String], descriptions: &[String]) -> Value {
    let mut out = Map::new();
    for (i, s) in stats.iter().enumerate() {
        let name = names
            .get(i)
            .cloned()
            .unwrap_or_else(|| format!("b{}", i + 1));
        let desc = descriptions.get(i).cloned().unwrap_or_else(|| name.clone());
        let mut m = Map::new();
        for (k, v) in [
            ("min", s.min),
            ("max", s.max),
            ("mean", s.mean),
            ("count", s.count),
            ("sum", s.sum),
            ("std", s.std),
            ("median", s.median),
            ("majority", s.majority),
            ("minority", s.minority),
            ("unique", s.unique),
        ] {
            m.insert(k.into(), num(v));
        }
        m.insert(
            "histogram".into(),
            json!([
                s.histogram.0.iter().map(|v| count(*v)).collect::<Vec<_>>(),
                s.histogram.1.iter().map(|v| num(*v)).collect::<Vec<_>>()
            ]),
        );
        m.insert("valid_percent".into(), num(s.valid_percent));
        m.insert("masked_pixels".into(), num(s.masked_pixels));
        m.insert("valid_pixels".into(), num(s.valid_pixels));
        m.insert("description".into(), json!(desc));
        for (p, v) in &s.percentiles {
            m.insert(format!("percentile_{p}"), num(*v));
        }
        out.insert(name, Value::Object(m));
    }
    Value::Object(out)
}

/// `/cog/point` body: masked values are `null`; with an expression, the expression's values
/// over the point's bands (valid where any input band is).
pub fn point(
    pt: PointData,
    coordinates: [f64; 2],
    expression: Option<&Expression>,
) -> Result<Value, ApiError> {
    let pt = match expression {
        None => pt,
        Some(e) => point_expression(pt, e)?,
    };
    let values: Vec<Value> = pt
        .values
        .iter()
        .zip(&pt.valid)
        .map(|(v, ok)| if *ok { num(*v) } else { Value::Null })
        .collect();
    Ok(json!({
        "coordinates": coordinates,
        "values": values,
        "band_names": pt.band_names,
        "band_descriptions": pt.band_descriptions,
    }))
}

/// Band math on a point's values (rio-tiler's `PointData.apply_expression`): the results are
/// valid where any input band is.
pub fn point_expression(pt: PointData, e: &Expression) -> Result<PointData, ApiError> {
    let n = pt.values.len();
    let raster = Raster {
        width: 1,
        height: 1,
        bands: n,
        data: Samples::F64(pt.values.clone()),
        mask: vec![if pt.valid.iter().any(|v| *v) { 255 } else { 0 }],
    };
    let mut img = crate::render::Image::new(raster)?;
    img.band_names = pt.band_names;
    img.band_descriptions = pt.band_descriptions;
    let out = e.apply(&img)?;
    let ok = out.raster.mask.first().is_some_and(|m| *m != 0);
    let values = out.raster.data.to_f64_vec();
    Ok(PointData {
        valid: vec![ok; values.len()],
        values,
        band_names: out.band_names,
        band_descriptions: out.band_descriptions,
        coordinates: pt.coordinates,
    })
}

/// `/cog/info.geojson`: the bounds as a GeoJSON Feature (a MultiPolygon split at the
/// antimeridian when `minx > maxx`, like TiTiler's `bounds_to_geometry`) with the info as
/// properties.
pub fn bounds_feature(b: [f64; 4], properties: Value) -> Value {
    let ring = |w: f64, s: f64, e: f64, n: f64| json!([[[w, s], [e, s], [e, n], [w, n], [w, s]]]);
    let [w, s, e, n] = b;
    let geometry = if w > e {
        json!({
            "type": "MultiPolygon",
            "coordinates": [ring(-180.0, s, e, n), ring(w, s, 180.0, n)],
        })
    } else {
        json!({"type": "Polygon", "coordinates": ring(w, s, e, n)})
    };
    json!({
        "bbox": b,
        "type": "Feature",
        "geometry": geometry,
        "properties": properties,
    })
}
