//! Documents that describe a dataset's tiles: TileJSON, OGC tilesets, WMTS capabilities and
//! the `map.html` viewer page.
//!
//! Each builder is a pure function of a small [`DatasetFacts`] (what the reader knows about the
//! dataset: geographic bounds, zoom range and tile limits per TileMatrixSet, band descriptions,
//! data type), the request's parameters and the server's base URL. No I/O happens here, so the
//! builders are tested against the recorded TiTiler documents directly, and wiring them to the
//! reader is only a matter of filling `DatasetFacts`.

pub mod facts;
pub mod map_html;
pub mod tilejson;
pub mod tileset;
pub mod wmts;

/// The range of tiles covering the dataset at one zoom level of a TMS (OGC `TileMatrixLimits`).
#[derive(Clone, Debug, PartialEq)]
pub struct TileMatrixLimit {
    /// The tile matrix identifier (`"12"`, `"-3"` for CDB1GlobalGrid).
    pub tile_matrix: String,
    /// The zoom level the identifier stands for (used to select a zoom range).
    pub zoom: i64,
    pub min_tile_row: u64,
    pub max_tile_row: u64,
    pub min_tile_col: u64,
    pub max_tile_col: u64,
}

/// One tile matrix of a TMS, as WMTS describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct MatrixFacts {
    pub id: String,
    pub scale_denominator: f64,
    /// `pointOfOrigin` in the TMS CRS axis order (as the TMS document writes it).
    pub top_left: [f64; 2],
    pub tile_width: u32,
    pub tile_height: u32,
    pub matrix_width: u64,
    pub matrix_height: u64,
}

/// What the documents need about one TileMatrixSet and the dataset in it.
#[derive(Clone, Debug, PartialEq)]
pub struct TmsFacts {
    /// TMS id (`WebMercatorQuad`).
    pub id: String,
    /// The TMS CRS as the TMS document writes it (`http://www.opengis.net/def/crs/EPSG/0/3857`).
    pub crs_uri: String,
    /// EPSG code of the TMS CRS, if it has one (`use_epsg` in WMTS).
    pub epsg: Option<u32>,
    /// The dataset's zoom range in this TMS (rio-tiler `minzoom`/`maxzoom`).
    pub minzoom: i64,
    pub maxzoom: i64,
    /// Dataset bounds in the TMS's geographic CRS (TileJSON `bounds`).
    pub geographic_bounds: [f64; 4],
    /// Tile limits of the dataset for every matrix of the TMS (documents select a zoom range).
    pub limits: Vec<TileMatrixLimit>,
    /// Every tile matrix of the TMS (WMTS `TileMatrixSet` section).
    pub matrices: Vec<MatrixFacts>,
    /// Tile width of the TMS's first matrix (default tile size).
    pub tile_width: u32,
}

/// What the documents need about a dataset.
#[derive(Clone, Debug, PartialEq)]
pub struct DatasetFacts {
    /// Bounds in WGS84 longitude/latitude (`boundingBox`, WMTS `WGS84BoundingBox`).
    pub wgs84_bounds: [f64; 4],
    /// `[["b1", "red"], ...]`; `None` for multi-file datasets (STAC items, mosaics), whose
    /// TileJSON has no `band_descriptions`.
    pub band_descriptions: Option<Vec<(String, String)>>,
    /// `uint8`, `float32`, ...; `None` as for `band_descriptions`.
    pub dtype: Option<String>,
    /// One entry per TMS asked for, in request order.
    pub tms: Vec<TmsFacts>,
}

impl DatasetFacts {
    /// The facts for one TMS id.
    pub fn tms(&self, id: &str) -> Option<&TmsFacts> {
        self.tms.iter().find(|t| t.id == id)
    }
}

/// The server root of a router URL (`http://h/stac` → `http://h`): TileMatrixSet documents
/// and the landing page are served once, outside the routers.
pub fn root_of(router_url: &str) -> &str {
    router_url
        .rsplit_once('/')
        .map_or(router_url, |(root, _)| root)
}

pub use crate::pyrepr::py_float;

/// Escapes text for XML element content and attribute values.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Facts of the recorded `dem_f32_deflate_p3_3857` dataset (WGS84 bounds and zoom range
    /// as TiTiler reported them), built by [`facts::tms_facts`] like the real backend's.
    pub fn dem_facts() -> DatasetFacts {
        let bounds = [
            6.692448866690435,
            45.71283723539017,
            7.037401935792331,
            45.95318340819353,
        ];
        let wmq = crate::tms::default_registry()
            .get("WebMercatorQuad")
            .unwrap();
        DatasetFacts {
            wgs84_bounds: bounds,
            band_descriptions: Some(vec![("b1".into(), "b1".into())]),
            dtype: Some("float32".into()),
            tms: vec![facts::tms_facts(&wmq, bounds, 10, 12)],
        }
    }
}
