//! The OGC 2D-TMS 2.0 JSON document, as serde structures.

use serde::{Deserialize, Serialize};

/// A rectangle `(left, bottom, right, top)`, x = east, y = north.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct BoundingBox {
    pub left: f64,
    pub bottom: f64,
    pub right: f64,
    pub top: f64,
}

impl BoundingBox {
    pub fn new(left: f64, bottom: f64, right: f64, top: f64) -> BoundingBox {
        BoundingBox {
            left,
            bottom,
            right,
            top,
        }
    }

    pub fn to_array(self) -> [f64; 4] {
        [self.left, self.bottom, self.right, self.top]
    }

    pub fn from_array(b: [f64; 4]) -> BoundingBox {
        BoundingBox::new(b[0], b[1], b[2], b[3])
    }
}

/// Which corner `pointOfOrigin` names. morecantile 7 computes every matrix from the top-left
/// corner regardless; we keep the field for serving documents back.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub enum CornerOfOrigin {
    #[default]
    #[serde(rename = "topLeft")]
    TopLeft,
    #[serde(rename = "bottomLeft")]
    BottomLeft,
}

/// Rows `minTileRow..=maxTileRow` of a matrix whose tiles are `coalesce` columns wide.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VariableMatrixWidth {
    pub coalesce: u32,
    pub min_tile_row: u64,
    pub max_tile_row: u64,
}

/// One zoom level of a TileMatrixSet.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TileMatrix {
    /// Zoom identifier (`"0"`, `"-10"`).
    pub id: String,
    pub scale_denominator: f64,
    /// Pixel size in CRS units.
    pub cell_size: f64,
    #[serde(default)]
    pub corner_of_origin: CornerOfOrigin,
    /// Origin in the CRS's axis order (latitude first for EPSG:4326).
    pub point_of_origin: [f64; 2],
    pub tile_width: u32,
    pub tile_height: u32,
    pub matrix_width: u64,
    pub matrix_height: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variable_matrix_widths: Option<Vec<VariableMatrixWidth>>,
}

impl TileMatrix {
    /// How many columns row `row` coalesces (1 when the matrix has uniform widths).
    pub fn coalesce_factor(&self, row: i64) -> u32 {
        let Some(v) = &self.variable_matrix_widths else {
            return 1;
        };
        if row < 0 {
            return 1;
        }
        let r = row as u64;
        v.iter()
            .find(|w| w.min_tile_row <= r && r <= w.max_tile_row)
            .map(|w| w.coalesce.max(1))
            .unwrap_or(1)
    }

    /// The zoom level this matrix stands for.
    pub fn zoom(&self) -> Option<i32> {
        self.id.parse().ok()
    }
}

/// The `crs` member: a URI string, or `{"uri": ...}` (`{"wkt": ...}` is not supported).
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum CrsField {
    Uri(String),
    Object {
        uri: Option<String>,
        wkt: Option<serde_json::Value>,
    },
}

/// The document as parsed (only what the math needs; the raw JSON is kept separately).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TmsDocument {
    pub id: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub uri: Option<String>,
    pub ordered_axes: Option<[String; 2]>,
    pub crs: CrsField,
    pub tile_matrices: Vec<TileMatrix>,
    /// TMS 1.0 keys: present means a v1 document, which morecantile 7 rejects too.
    pub supported_crs: Option<serde_json::Value>,
}
