//! `tileMatrixSetLimits` of the OGC tileset endpoint (TiTiler's `tms_limits`).

use serde::Serialize;

use super::{Error, TileMatrixSet};

/// The range of tiles of one matrix that covers a dataset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TileMatrixLimits {
    pub tile_matrix: String,
    pub min_tile_row: i64,
    pub max_tile_row: i64,
    pub min_tile_col: i64,
    pub max_tile_col: i64,
}

impl TileMatrixSet {
    /// TiTiler's `tms_limits(tms, bounds, zooms)`: for each zoom, the tiles containing the
    /// upper-left and lower-right corners of the geographic `bounds` `(west, south, east,
    /// north)`. Like TiTiler, the maximum row/column is clamped to `matrixHeight`/`matrixWidth`
    /// (not minus one).
    pub fn limits(
        &self,
        bounds: [f64; 4],
        zooms: Option<(i32, i32)>,
    ) -> Result<Vec<TileMatrixLimits>, Error> {
        let (minzoom, maxzoom) = zooms.unwrap_or((self.minzoom(), self.maxzoom()));
        let mut out = Vec::new();
        for z in minzoom..=maxzoom {
            let m = self.matrix(z)?;
            let ul = self.tile(bounds[0], bounds[3], z)?;
            let lr = self.tile(bounds[2], bounds[1], z)?;
            let mw = i64::try_from(m.matrix_width).unwrap_or(i64::MAX);
            let mh = i64::try_from(m.matrix_height).unwrap_or(i64::MAX);
            out.push(TileMatrixLimits {
                tile_matrix: m.id.clone(),
                min_tile_row: ul.y.min(lr.y).max(0),
                max_tile_row: ul.y.max(lr.y).min(mh),
                min_tile_col: ul.x.min(lr.x).max(0),
                max_tile_col: ul.x.max(lr.x).min(mw),
            });
        }
        Ok(out)
    }
}
