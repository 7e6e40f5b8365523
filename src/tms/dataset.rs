//! A dataset seen through a TileMatrixSet: its zoom range, geographic bounds and which
//! tiles touch it, as rio-tiler's `SpatialMixin` computes them.
//!
//! These are pure functions of the dataset's CRS, size and geotransform, so the reader can
//! call them without I/O once the header is parsed.

use super::{Error, Tile, TileMatrixSet, ZoomStrategy};
use crate::affine::GeoTransform;
use crate::crs::{transform_bounds, Crs};
use crate::warp::{calculate_default_transform, WarpOutput};

/// rasterio's `get_maximum_overview_level(width, height, minsize)`: how many halvings until
/// the smaller side is at most `minsize`.
pub fn maximum_overview_level(width: usize, height: usize, minsize: usize) -> u32 {
    let mut level = 0u32;
    let mut factor = 1usize;
    while factor < usize::MAX / 2 && (width / factor).min(height / factor) > minsize {
        factor *= 2;
        level += 1;
    }
    level
}

impl TileMatrixSet {
    /// The dataset's grid in the TMS CRS (rio-tiler `_dst_geom_in_tms_crs`): its own
    /// geotransform when rasterio calls the two CRSs equal, else the grid GDAL suggests
    /// for warping it there, computed (by rasterio's `calculate_default_transform`) from
    /// the dataset *bounds*: a rotated raster is taken as its axis-aligned extent.
    fn dataset_grid(
        &self,
        crs: &Crs,
        width: usize,
        height: usize,
        gt: &GeoTransform,
    ) -> Result<WarpOutput, Error> {
        if *crs == self.crs {
            return Ok(WarpOutput {
                geotransform: *gt,
                width,
                height,
            });
        }
        let bounds = gt.bounds(width, height);
        Ok(calculate_default_transform(
            crs, &self.crs, width, height, bounds,
        )?)
    }

    /// rio-tiler's dataset `(minzoom, maxzoom)`, the one zoom-range rule of the crate
    /// (TileJSON, tilesets, WMTS, `/cog/validate`). maxzoom is the zoom whose cell size best
    /// matches the dataset's resolution in the TMS CRS (`max(|a|, |e|)` of its grid there,
    /// rotation terms ignored as rio-tiler does); minzoom pretends the dataset had overviews
    /// halving it until it fits one tile of the first matrix, whatever overviews the file
    /// really has. Each falls back to the TMS's own zoom when it cannot be computed.
    pub fn dataset_zoom_range(
        &self,
        crs: &Crs,
        width: usize,
        height: usize,
        gt: &GeoTransform,
    ) -> (i32, i32) {
        let grid = self.dataset_grid(crs, width, height, gt);
        let zoom = |res_factor: &dyn Fn(&WarpOutput) -> f64| {
            grid.as_ref().ok().and_then(|g| {
                let (rx, ry) = g.resolution();
                self.zoom_for_res(rx.max(ry) * res_factor(g), None, ZoomStrategy::Auto, None)
                    .ok()
            })
        };
        let tilesize = self
            .tile_matrices
            .first()
            .map(|m| m.tile_width as usize)
            .unwrap_or(256);
        let minzoom =
            zoom(&|g| 2f64.powi(maximum_overview_level(g.width, g.height, tilesize) as i32))
                .unwrap_or_else(|| self.minzoom());
        let maxzoom = zoom(&|_| 1.0).unwrap_or_else(|| self.maxzoom());
        (minzoom, maxzoom)
    }

    /// rio-tiler's `tile_exists`: the tile bounds, transformed into the dataset CRS (21
    /// points per edge), strictly overlap the dataset bounds. A transform that yields
    /// non-finite values counts as overlapping (rio-tiler lets the read decide).
    pub fn tile_exists(
        &self,
        tile: Tile,
        crs: &Crs,
        dataset_bounds: [f64; 4],
    ) -> Result<bool, Error> {
        let xy = self.xy_bounds(tile)?.to_array();
        let tb = if self.crs.same_coordinates(crs) {
            xy
        } else {
            match transform_bounds(&self.crs, crs, xy, 21) {
                Ok(b) => b,
                Err(crate::crs::Error::Transform(_)) => return Ok(true),
                Err(e) => return Err(e.into()),
            }
        };
        if tb.iter().any(|v| !v.is_finite()) {
            return Ok(true);
        }
        let t = normalize_bounds(tb);
        let d = normalize_bounds(dataset_bounds);
        Ok(t[0] < d[2] && t[2] > d[0] && t[3] > d[1] && t[1] < d[3])
    }
}

/// `(min x, min y, max x, max y)` whatever the input order.
pub fn normalize_bounds(b: [f64; 4]) -> [f64; 4] {
    [
        b[0].min(b[2]),
        b[1].min(b[3]),
        b[0].max(b[2]),
        b[1].max(b[3]),
    ]
}

/// rio-tiler's `get_geographic_bounds`: the dataset bounds in a geographic CRS (21 points per
/// edge); `(-180, -90, 180, 90)` when the transform fails or is not finite (non-Earth
/// bodies, for example). Same-CRS bounds come back as-is, latitudes put in order.
pub fn geographic_bounds(crs: &Crs, bounds: [f64; 4], geographic: &Crs) -> [f64; 4] {
    const WORLD: [f64; 4] = [-180.0, -90.0, 180.0, 90.0];
    if crs.same_coordinates(geographic) {
        if bounds[1] > bounds[3] {
            return [bounds[0], bounds[3], bounds[2], bounds[1]];
        }
        return bounds;
    }
    match transform_bounds(crs, geographic, bounds, 21) {
        Ok(b) if b.iter().all(|v| v.is_finite()) => b,
        _ => WORLD,
    }
}

#[cfg(test)]
mod tests {
    use crate::affine::GeoTransform;
    use crate::crs::Crs;
    use crate::tms::default_registry;

    /// cases/polar_f32_nan_3413__wmts: the 768² EPSG:3413 raster centred on the North Pole.
    /// In the Antarctic grids the pole is unrepresentable, GDAL cannot suggest a warp grid and
    /// rio-tiler falls back to the TMS's own zoom range; the Arctic grid gets real zooms.
    #[test]
    fn arctic_raster_zoom_ranges() {
        let crs = Crs::from_epsg(3413).unwrap();
        let gt = GeoTransform([-480000.0, 1250.0, 0.0, 480000.0, 0.0, -1250.0]);
        let zooms = |id: &str| {
            let t = default_registry().get(id).unwrap();
            t.dataset_zoom_range(&crs, 768, 768, &gt)
        };
        assert_eq!(zooms("LINZAntarticaMapTilegrid"), (0, 13));
        assert_eq!(zooms("UPSAntarcticWGS84Quad"), (0, 24));
        assert_eq!(zooms("UPSArcticWGS84Quad"), (4, 6));
    }

    #[test]
    fn overview_levels_like_rasterio() {
        use super::maximum_overview_level;
        assert_eq!(maximum_overview_level(256, 256, 256), 0);
        assert_eq!(maximum_overview_level(257, 300, 256), 1);
        assert_eq!(maximum_overview_level(2048, 1024, 256), 2);
    }
}
