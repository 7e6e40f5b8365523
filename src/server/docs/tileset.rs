//! OGC API Tiles tileset documents: `/cog/tiles` (the list, one entry per TMS) and
//! `/cog/tiles/{tileMatrixSetId}` (one tileset with its `tileMatrixSetLimits`).
//!
//! A *tileset* is the dataset cut along one TileMatrixSet; its limits say, for each zoom level
//! in the dataset's range, which rows and columns of tiles hold data.

use serde_json::{json, Value};

use super::{DatasetFacts, TmsFacts};
use crate::server::params::TilesetParams;
use crate::server::query::Query;

/// The CRS of `boundingBox` in TiTiler's tilesets (WGS84 as EPSG:4326, lon/lat order).
pub const WGS84_URI: &str = "http://www.opengis.net/def/crs/EPSG/0/4326";

fn bounding_box(b: [f64; 4]) -> Value {
    json!({"lowerLeft": [b[0], b[1]], "upperRight": [b[2], b[3]], "crs": WGS84_URI})
}

fn with_query(url: String, qs: &str) -> String {
    if qs.is_empty() {
        url
    } else {
        format!("{url}?{qs}")
    }
}

/// The links both tileset documents give for a TMS: the tileset itself (`self_qs` appended),
/// the tile URL template (`tile_qs`; TiTiler marks it `templated` only in the single-tileset
/// document) and the TileMatrixSet definition.
fn tms_links(
    router_url: &str,
    id: &str,
    self_qs: &str,
    tile_qs: &str,
    templated: bool,
) -> Vec<Value> {
    let mut tile = json!({
        "href": with_query(format!("{router_url}/tiles/{id}/%7Bz%7D/%7Bx%7D/%7By%7D"), tile_qs),
        "rel": "tile",
        "title": "Templated link for retrieving Raster tiles",
    });
    if templated {
        tile["templated"] = json!(true);
    }
    vec![
        json!({
            "href": with_query(format!("{router_url}/tiles/{id}"), self_qs),
            "rel": "self",
            "type": "application/json",
            "title": format!("Tileset tiled using {id} TileMatrixSet"),
        }),
        tile,
        json!({
            "href": format!("{}/tileMatrixSets/{id}", super::root_of(router_url)),
            "rel": "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme",
            "type": "application/json",
            "title": format!("Definition of '{id}' tileMatrixSet"),
        }),
    ]
}

/// `/cog/tiles`: one summary per TMS, links carrying the request's query.
pub fn tileset_list(facts: &DatasetFacts, query: &Query, router_url: &str) -> Value {
    let qs = query.encode_without(&["f", "crs"]);
    let sets: Vec<Value> = facts
        .tms
        .iter()
        .map(|t| {
            json!({
                "title": format!("tileset tiled using {} TileMatrixSet", t.id),
                "dataType": "map",
                "crs": t.crs_uri,
                "links": tms_links(router_url, &t.id, &qs, &qs, false),
                "boundingBox": bounding_box(facts.wgs84_bounds),
                "accessConstraints": "unclassified",
            })
        })
        .collect();
    json!({ "tilesets": sets })
}

/// `/cog/tiles/{tileMatrixSetId}`: the tileset with limits for `minzoom..=maxzoom`.
pub fn tileset(
    facts: &DatasetFacts,
    tms: &TmsFacts,
    params: &TilesetParams,
    query: &Query,
    router_url: &str,
) -> Value {
    let minzoom = params.minzoom.unwrap_or(tms.minzoom);
    let maxzoom = params.maxzoom.unwrap_or(tms.maxzoom);
    let qs = query.encode_without(&["f"]);
    let limits: Vec<Value> = tms
        .limits
        .iter()
        .filter(|l| l.zoom >= minzoom && l.zoom <= maxzoom)
        .map(|l| {
            json!({
                "tileMatrix": l.tile_matrix,
                "minTileRow": l.min_tile_row,
                "maxTileRow": l.max_tile_row,
                "minTileCol": l.min_tile_col,
                "maxTileCol": l.max_tile_col,
            })
        })
        .collect();
    let mut links = tms_links(router_url, &tms.id, "", &qs, true);
    links.push(json!({
        "href": with_query(format!("{router_url}/{}/map.html", tms.id), &qs),
        "rel": "data",
        "type": "text/html",
        "title": format!("Map viewer for '{}' tileMatrixSet", tms.id),
    }));
    json!({
        "title": format!("tileset tiled using {} TileMatrixSet", tms.id),
        "dataType": "map",
        "crs": tms.crs_uri,
        "links": links,
        "tileMatrixSetLimits": limits,
        "boundingBox": bounding_box(facts.wgs84_bounds),
        "accessConstraints": "unclassified",
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::docs::tests::dem_facts;
    use crate::server::params::tests::case_detail;
    use crate::server::validation::Errors;

    /// compare.py-style origin normalisation of our output, for exact comparison.
    fn normalise(v: &Value, base: &str, url: &str) -> Value {
        let enc: String = form_urlencoded::byte_serialize(url.as_bytes()).collect();
        let s = serde_json::to_string(v)
            .unwrap()
            .replace(&enc, "%7Bbase%7D%2Fcorpus%2Fdem_f32_deflate_p3_3857.tif%3Fcase%3Ddem_f32_deflate_p3_3857__tileset_wmq_zooms")
            .replace(base, "{server}");
        serde_json::from_str(&s).unwrap()
    }

    #[test]
    fn matches_recorded_tileset_with_zooms() {
        let base = "http://127.0.0.1:9";
        let url = "{base}/corpus/dem_f32_deflate_p3_3857.tif?case=dem_f32_deflate_p3_3857__tileset_wmq_zooms";
        let q = Query::from_pairs([
            ("url", url),
            ("minzoom", "8"),
            ("maxzoom", "10"),
            ("rescale", "1331,4004"),
        ]);
        let p = TilesetParams::parse(&q, &mut Errors::new()).unwrap();
        let facts = dem_facts();
        let got = tileset(&facts, &facts.tms[0], &p, &q, &format!("{base}/cog"));
        assert_eq!(
            normalise(&got, base, url),
            case_detail("dem_f32_deflate_p3_3857__tileset_wmq_zooms")
        );
    }

    #[test]
    fn list_entries() {
        let facts = dem_facts();
        let q = Query::from_pairs([("url", "a.tif")]);
        let got = tileset_list(&facts, &q, "http://h/cog");
        let want = case_detail("dem_f32_deflate_p3_3857__tileset_list");
        let want_wmq = want["tilesets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["title"] == "tileset tiled using WebMercatorQuad TileMatrixSet")
            .unwrap();
        let s = serde_json::to_string(&got["tilesets"][0]).unwrap().replace("http://h", "{server}").replace(
            "url=a.tif",
            "url=%7Bbase%7D%2Fcorpus%2Fdem_f32_deflate_p3_3857.tif%3Fcase%3Ddem_f32_deflate_p3_3857__tileset_list",
        );
        assert_eq!(&serde_json::from_str::<Value>(&s).unwrap(), want_wmq);
    }
}
