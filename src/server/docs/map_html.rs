//! `/cog/{tileMatrixSetId}/map.html`: TiTiler's Leaflet viewer page for one TMS.
//!
//! The page defines the TMS as a Leaflet CRS (proj4 definition, origin, resolutions), fetches
//! the TileJSON and adds its tile layer; right-click queries `/cog/point`. By default the
//! Leaflet/proj4 scripts are served by this server from `/static/` so the page works offline;
//! with `cdn_assets` the page is byte-identical to TiTiler's (scripts from unpkg.com).

use super::py_float;
use crate::server::query::Query;

const TEMPLATE: &str = include_str!("../../../assets/map.html");

/// The CDN asset URLs in TiTiler's page and their copies served from `/static/` (the same
/// files from the npm packages, so the page's `integrity` hashes still hold).
const ASSETS: &[(&str, &str)] = &[
    (
        "https://unpkg.com/leaflet@1.9.3/dist/leaflet.css",
        "/static/leaflet/leaflet.css",
    ),
    (
        "https://unpkg.com/leaflet@1.9.3/dist/leaflet.js",
        "/static/leaflet/leaflet.js",
    ),
    (
        "https://unpkg.com/proj4@2.3.14/dist/proj4.js",
        "/static/proj4/proj4.js",
    ),
    (
        "https://unpkg.com/proj4leaflet@1.0.2/src/proj4leaflet.js",
        "/static/proj4leaflet/proj4leaflet.js",
    ),
];

/// What the page needs to know about the TMS.
#[derive(Clone, Debug, PartialEq)]
pub struct MapTms {
    pub id: String,
    /// CRS URI as TiTiler prints it (`http://www.opengis.net/def/crs/EPSG/0/3857`).
    pub crs_uri: String,
    /// proj4 definition of the CRS, for proj4leaflet.
    pub proj4: String,
    /// TMS extent in its CRS: left, bottom, right, top.
    pub xy_bbox: [f64; 4],
    /// Resolution of each matrix, in zoom order.
    pub resolutions: Vec<f64>,
    pub minzoom: i64,
    pub maxzoom: i64,
}

/// Parameters `map.html` consumes itself (the rest is forwarded to TileJSON and point URLs).
const MAP_ONLY: &[&str] = &["tilesize"];

/// Renders the page. `tilesize` defaults to 256 for map.html.
pub fn map_html(tms: &MapTms, query: &Query, router_url: &str, cdn_assets: bool) -> String {
    let tilesize = query.get("tilesize").unwrap_or("256");
    let mut tj_qs = query.encode_without(MAP_ONLY);
    if !tj_qs.is_empty() {
        tj_qs.push('&');
    }
    tj_qs.push_str(
        &form_urlencoded::Serializer::new(String::new())
            .append_pair("tilesize", tilesize)
            .finish(),
    );
    let point_qs = query.encode_without(&["tilesize", "tile_format", "minzoom", "maxzoom"]);
    let point_url = if point_qs.is_empty() {
        format!("{router_url}/point/{{lon}},{{lat}}")
    } else {
        format!("{router_url}/point/{{lon}},{{lat}}?{point_qs}")
    };
    let resolutions: Vec<String> = tms.resolutions.iter().map(|r| py_float(*r)).collect();
    let [left, bottom, right, top] = tms.xy_bbox;
    let mut page = TEMPLATE
        .replace("@@CRS_URI@@", &js_string(&tms.crs_uri))
        .replace("@@PROJ4@@", &js_string(&tms.proj4))
        .replace("@@LEFT@@", &py_float(left))
        .replace("@@BOTTOM@@", &py_float(bottom))
        .replace("@@RIGHT@@", &py_float(right))
        .replace("@@TOP@@", &py_float(top))
        .replace("@@RESOLUTIONS@@", &resolutions.join(", "))
        .replace("@@MINZOOM@@", &tms.minzoom.to_string())
        .replace("@@MAXZOOM@@", &tms.maxzoom.to_string())
        .replace("@@TMS_ID@@", &js_string(&tms.id))
        .replace(
            "@@TILEJSON_URL@@",
            &js_string(&format!("{router_url}/{}/tilejson.json?{tj_qs}", tms.id)),
        )
        .replace(
            "@@POINT_URL@@",
            &point_url.replace('`', "%60").replace("${", "$%7B"),
        );
    if !cdn_assets {
        for (cdn, local) in ASSETS {
            page = page.replace(cdn, local);
        }
    }
    page
}

/// Escapes a value placed inside a single-quoted JS string in the page.
fn js_string(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\'', "\\'")
        .replace('<', "\\u003c")
        .replace('\n', "\\n")
}

/// WebMercatorQuad as TiTiler describes it to Leaflet (its map.html for that TMS).
pub fn web_mercator_quad() -> MapTms {
    let extent = 20037508.342789244;
    let resolutions = (0..=24)
        .map(|z| 2.0 * extent / 256.0 / f64::powi(2.0, z))
        .collect();
    MapTms {
        id: "WebMercatorQuad".into(),
        crs_uri: "http://www.opengis.net/def/crs/EPSG/0/3857".into(),
        proj4: "+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +wktext +no_defs +type=crs".into(),
        xy_bbox: [-extent, -extent, extent, extent],
        resolutions,
        minzoom: 0,
        maxzoom: 24,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::params::tests::conformance_dir;

    fn recorded(case: &str) -> String {
        std::fs::read_to_string(conformance_dir().join(format!("cases/{case}.txt"))).unwrap()
    }

    fn render(case: &str, file: &str, extra: &[(&str, &str)], cdn: bool) -> String {
        let base = "http://127.0.0.1:5";
        let url = format!("{{base}}/corpus/{file}.tif?case={case}");
        let mut pairs = vec![("url".to_string(), url.clone())];
        pairs.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let page = map_html(
            &web_mercator_quad(),
            &Query::from_pairs(pairs),
            &format!("{base}/cog"),
            cdn,
        );
        // compare.py's origin normalisation
        let enc: String = form_urlencoded::byte_serialize(url.as_bytes()).collect();
        let token: String = url
            .replace("{base}", "%7Bbase%7D")
            .replace('/', "%2F")
            .replace('?', "%3F")
            .replace('=', "%3D");
        page.replace(&enc, &token).replace(base, "{server}")
    }

    #[test]
    fn byte_identical_to_titiler_with_cdn_assets() {
        let case = "rgb_jpeg_mask_3857__map_html";
        assert_eq!(
            render(case, "rgb_jpeg_mask_3857", &[], true),
            recorded(case)
        );
        let case = "dem_f32_deflate_p3_3857__map_html";
        let got = render(
            case,
            "dem_f32_deflate_p3_3857",
            &[("rescale", "1331,4004"), ("tilesize", "512")],
            true,
        );
        assert_eq!(got, recorded(case));
    }

    #[test]
    fn offline_page_uses_local_assets_only() {
        let case = "rgb_jpeg_mask_3857__map_html";
        let got = render(case, "rgb_jpeg_mask_3857", &[], false);
        assert!(!got.contains("unpkg.com"));
        assert!(got.contains(r#"src="/static/leaflet/leaflet.js""#));
        // only the four asset lines differ
        let want = recorded(case);
        let diff = got
            .lines()
            .zip(want.lines())
            .filter(|(a, b)| a != b)
            .count();
        assert_eq!(diff, 4);
    }
}
