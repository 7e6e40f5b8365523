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
#[cfg(test)]
mod tests {
    use crate::tms::default_registry;

    /// cases/polar_f32_nan_3413__wmts: an Arctic dataset (WGS84 bounds reach the North Pole)
    /// in the Antarctic LINZ grid. morecantile projects the pole far beyond the grid's top
    /// edge (row 0) at the false easting (middle column); both corners land on that tile.
    #[test]
    fn arctic_bounds_in_an_antarctic_grid() {
        let t = default_registry().get("LINZAntarticaMapTilegrid").unwrap();
        let bounds = [-180.0, 83.73958237731497, 180.0, 90.0];
        let limits = t.limits(bounds, None).unwrap();
        assert_eq!(limits.len(), 14);
        let cols: Vec<(i64, i64, i64, i64)> = limits
            .iter()
            .map(|l| {
                (
                    l.min_tile_row,
                    l.max_tile_row,
                    l.min_tile_col,
                    l.max_tile_col,
                )
            })
            .collect();
        // TiTiler: zooms 0..2 → column 0, 3 → 1, 4 → 3, ..., 12 → 825, 13 → 1651; row 0.
        let expected = [0, 0, 0, 1, 3, 6, 12, 25, 51, 103, 206, 412, 825, 1651];
        for (z, (got, col)) in cols.iter().zip(expected).enumerate() {
            assert_eq!(*got, (0, 0, col, col), "zoom {z}");
        }
    }
}
