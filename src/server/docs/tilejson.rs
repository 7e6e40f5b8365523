//! TileJSON 3.0.0 (`/cog/{tileMatrixSetId}/tilejson.json`), TiTiler's flavour.
//!
//! TiTiler's TileJSON points at its own tile endpoint with the request's query echoed (so the
//! rendering parameters travel with the template) and adds `tilesize` (512 unless given).
//! `center` is the middle of the bounds at `minzoom`; `raster_layers`, `band_descriptions` and
//! `data_type` are TiTiler extensions clients use to build legends.

use serde_json::{json, Map, Value};

use super::{DatasetFacts, TmsFacts};
use crate::server::params::docs::DOC_ONLY_PARAMS;
use crate::server::params::TileJsonParams;
use crate::server::query::Query;

/// Default `tilesize` TiTiler 2.x writes into TileJSON templates.
pub const TILEJSON_DEFAULT_TILESIZE: u32 = 512;

/// The tile URL template for a TMS: `{base}/cog/tiles/{tms}/{z}/{x}/{y}[.{fmt}]?{query}`.
///
/// `query` is the request's query minus the document-only parameters, plus `tilesize`.
pub fn tile_template(
    router_url: &str,
    tms_id: &str,
    params: &TileJsonParams,
    query: &Query,
    default_tilesize: u32,
) -> String {
    let ext = params
        .tile_format
        .map(|f| format!(".{}", f.name()))
        .unwrap_or_default();
    let mut qs = query.encode_without(DOC_ONLY_PARAMS);
    let ts = params.tilesize.unwrap_or(default_tilesize);
    if !qs.is_empty() {
        qs.push('&');
    }
    qs.push_str(&format!("tilesize={ts}"));
    format!("{router_url}/tiles/{tms_id}/{{z}}/{{x}}/{{y}}{ext}?{qs}")
}

/// Builds the TileJSON document.
pub fn tilejson(
    facts: &DatasetFacts,
    tms: &TmsFacts,
    params: &TileJsonParams,
    query: &Query,
    router_url: &str,
    attribution: Option<&str>,
) -> Value {
    let minzoom = params.minzoom.unwrap_or(tms.minzoom);
    let maxzoom = params.maxzoom.unwrap_or(tms.maxzoom);
    let b = tms.geographic_bounds;
    let center = json!([(b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0, minzoom]);
    let mut m = Map::new();
    m.insert("tilejson".into(), json!("3.0.0"));
    m.insert("version".into(), json!("1.0.0"));
    if let Some(a) = attribution {
        m.insert("attribution".into(), json!(a));
    }
    m.insert("scheme".into(), json!("xyz"));
    m.insert(
        "tiles".into(),
        json!([tile_template(
            router_url,
            &tms.id,
            params,
            query,
            TILEJSON_DEFAULT_TILESIZE
        )]),
    );
    m.insert("minzoom".into(), json!(minzoom));
    m.insert("maxzoom".into(), json!(maxzoom));
    m.insert("bounds".into(), json!(b));
    m.insert("center".into(), center);
    m.insert("raster_layers".into(), json!({}));
    if let Some(bd) = &facts.band_descriptions {
        let pairs = bd.iter().map(|(k, d)| json!([k, d])).collect();
        m.insert("band_descriptions".into(), Value::Array(pairs));
    }
    if let Some(dtype) = &facts.dtype {
        m.insert("data_type".into(), json!(dtype));
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::docs::tests::dem_facts;
    use crate::server::params::tests::case_detail;
    use crate::server::validation::Errors;

    /// Replays a recorded tilejson case through the builder (facts from the dataset, the
    /// rest from the request) and compares with TiTiler's document.
    #[test]
    fn matches_recorded_tilejson_with_params() {
        let base = "http://127.0.0.1:1";
        let url = "{base}/corpus/dem_f32_deflate_p3_3857.tif?case=dem_f32_deflate_p3_3857__tilejson_params";
        let q = Query::from_pairs([
            ("url", url),
            ("rescale", "1331,4004"),
            ("tile_format", "webp"),
            ("tilesize", "256"),
            ("minzoom", "8"),
            ("maxzoom", "14"),
        ]);
        let params = TileJsonParams::parse(&q, &mut Errors::new()).unwrap();
        let facts = dem_facts();
        let got = tilejson(
            &facts,
            &facts.tms[0],
            &params,
            &q,
            &format!("{base}/cog"),
            None,
        );
        let mut want = case_detail("dem_f32_deflate_p3_3857__tilejson_params");
        // TiTiler echoes the origin percent-encoded; compare.py normalises both sides.
        let tiles = want["tiles"][0].as_str().unwrap().replace("{server}", base).replace(
            "%7Bbase%7D%2Fcorpus%2Fdem_f32_deflate_p3_3857.tif%3Fcase%3Ddem_f32_deflate_p3_3857__tilejson_params",
            &form_urlencoded::byte_serialize(url.as_bytes()).collect::<String>(),
        );
        want["tiles"][0] = json!(tiles);
        assert_eq!(got, want);
    }

    #[test]
    fn default_tilesize_is_512() {
        let facts = dem_facts();
        let q = Query::from_pairs([("url", "a.tif")]);
        let got = tilejson(
            &facts,
            &facts.tms[0],
            &TileJsonParams::default(),
            &q,
            "http://h/cog",
            Some("x"),
        );
        assert_eq!(
            got["tiles"][0],
            "http://h/cog/tiles/WebMercatorQuad/{z}/{x}/{y}?url=a.tif&tilesize=512"
        );
        assert_eq!(
            got["center"],
            json!([6.864925401241383, 45.833010321791846, 10])
        );
        assert_eq!(got["attribution"], "x");
    }
}
