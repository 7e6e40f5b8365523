//! A dataset seen through a TileMatrixSet: its zoom range, geographic bounds and which
//! tiles touch it, as rio-tiler's `SpatialMixin` computes them.
//!
//! These are pure functions of the dataset's CRS, size and geotransform, so the reader can
//! call them without I/O once the header is parsed.

use super::{Error, Tile, TileMatrixSet};
use crate::crs::{suggested_warp_output, transform_bounds, Crs, GeoTransform};

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

/// `(left, bottom, right, top)` of a north-up or south-up raster (rasterio's `bounds`).
pub fn raster_bounds(width: usize, height: usize, gt: &GeoTransform) -> [f64; 4] {
    let right = gt[0] + width as f64 * gt[1];
    let bottom = gt[3] + height as f64 * gt[5];
    [gt[0], bottom, right, gt[3]]
}

impl TileMatrixSet {
    /// The dataset's native resolution in the TMS CRS (rio-tiler `_dst_geom_in_tms_crs`):
    /// the larger of the two pixel sizes GDAL suggests for warping it into the TMS CRS.
    pub fn native_resolution(
        &self,
        crs: &Crs,
        width: usize,
        height: usize,
        gt: &GeoTransform,
    ) -> Result<(f64, usize, usize), Error> {
        // rio-tiler rebuilds the geotransform from the bounds (`calculate_default_transform`
        // with `*bounds`), which is what we replicate through `suggested_warp_output`.
        let b = raster_bounds(width, height, gt);
        let rebuilt = [
            b[0],
            (b[2] - b[0]) / width as f64,
            0.0,
            b[3],
            0.0,
            (b[1] - b[3]) / height as f64,
        ];
        let out = if crs.same_coordinates(&self.crs) {
            crate::crs::WarpOutput {
                geotransform: *gt,
                width,
                height,
            }
        } else {
            suggested_warp_output(crs, &self.crs, width, height, &rebuilt)?
        };
        let (rx, ry) = out.resolution();
        Ok((rx.max(ry), out.width, out.height))
    }

    /// rio-tiler's dataset `minzoom`: the zoom of the coarsest theoretical overview (halved
    /// until it fits one tile of the first matrix), or the TMS minzoom when that fails.
    pub fn dataset_minzoom(
        &self,
        crs: &Crs,
        width: usize,
        height: usize,
        gt: &GeoTransform,
    ) -> i32 {
        let tilesize = self
            .tile_matrices
            .first()
            .map(|m| m.tile_width as usize)
            .unwrap_or(256);
        self.native_resolution(crs, width, height, gt)
            .and_then(|(res, w, h)| {
                let level = maximum_overview_level(w, h, tilesize);
                let ovr_res = res * 2f64.powi(level as i32);
                self.zoom_for_res(ovr_res, None, super::ZoomStrategy::Auto, None)
            })
            .unwrap_or_else(|_| self.minzoom())
    }

    /// rio-tiler's dataset `maxzoom`: the zoom closest to the native resolution, or the TMS
    /// maxzoom when that fails.
    pub fn dataset_maxzoom(
        &self,
        crs: &Crs,
        width: usize,
        height: usize,
        gt: &GeoTransform,
    ) -> i32 {
        self.native_resolution(crs, width, height, gt)
            .and_then(|(res, _, _)| self.zoom_for_res(res, None, super::ZoomStrategy::Auto, None))
            .unwrap_or_else(|_| self.maxzoom())
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
    use crate::crs::Crs;
    use crate::tms::default_registry;

    /// cases/polar_f32_nan_3413__wmts: the 768² EPSG:3413 raster centred on the North Pole.
    /// In the Antarctic grids the pole is unrepresentable, GDAL cannot suggest a warp grid and
    /// rio-tiler falls back to the TMS's own zoom range; the Arctic grid gets real zooms.
    #[test]
    fn arctic_raster_zoom_ranges() {
        let crs = Crs::from_epsg(3413).unwrap();
        let gt = [-480000.0, 1250.0, 0.0, 480000.0, 0.0, -1250.0];
        let zooms = |id: &str| {
            let t = default_registry().get(id).unwrap();
            (
                t.dataset_minzoom(&crs, 768, 768, &gt),
                t.dataset_maxzoom(&crs, 768, 768, &gt),
            )
        };
        assert_eq!(zooms("LINZAntarticaMapTilegrid"), (0, 13));
        assert_eq!(zooms("UPSAntarcticWGS84Quad"), (0, 24));
        assert_eq!(zooms("UPSArcticWGS84Quad"), (4, 6));
    }
}
