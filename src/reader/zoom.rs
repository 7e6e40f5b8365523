//! A dataset's zoom range in a TileMatrixSet (rio-tiler `_minzoom` / `_maxzoom`).
//!
//! maxzoom is the TMS level whose cell size best matches the dataset's native resolution in the
//! TMS CRS (GDAL's suggested warp output). minzoom pretends the dataset had overviews halving
//! it until it fits in one tile (`tileMatrices[0].tileWidth`) and matches that resolution,
//! whatever overviews the file really has. When either cannot be computed the TMS's own
//! min/max zoom is used, as rio-tiler does.

use crate::crs::suggested_warp_output;
use crate::tms::{TileMatrixSet, ZoomStrategy};

use super::DatasetMeta;

/// rasterio `get_maximum_overview_level`: halvings until the smaller side fits in `minsize`.
pub fn maximum_overview_level(width: usize, height: usize, minsize: usize) -> u32 {
    let mut level = 0;
    let mut factor = 1usize;
    while (width / factor).min(height / factor) > minsize && level < 62 {
        factor *= 2;
        level += 1;
    }
    level
}

/// `(minzoom, maxzoom)` of the dataset in `tms`.
pub fn zoom_range(meta: &DatasetMeta, tms: &TileMatrixSet) -> (i32, i32) {
    let geom = if meta.crs != tms.crs {
        suggested_warp_output(
            &meta.crs,
            &tms.crs,
            meta.width,
            meta.height,
            &meta.geotransform.0,
        )
        .ok()
        .map(|o| (o.geotransform, o.width, o.height))
    } else {
        Some((meta.geotransform.0, meta.width, meta.height))
    };
    let Some((gt, w, h)) = geom else {
        return (tms.minzoom(), tms.maxzoom());
    };
    let res = gt[1].abs().max(gt[5].abs());
    let maxzoom = tms
        .zoom_for_res(res, None, ZoomStrategy::Auto, None)
        .unwrap_or_else(|_| tms.maxzoom());
    let tilesize = tms
        .tile_matrices
        .first()
        .map(|m| m.tile_width as usize)
        .unwrap_or(256);
    let level = maximum_overview_level(w, h, tilesize);
    let minzoom = tms
        .zoom_for_res(
            res * 2f64.powi(level as i32),
            None,
            ZoomStrategy::Auto,
            None,
        )
        .unwrap_or_else(|_| tms.minzoom());
    (minzoom, maxzoom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overview_levels_like_rasterio() {
        assert_eq!(maximum_overview_level(256, 256, 256), 0);
        assert_eq!(maximum_overview_level(257, 300, 256), 1);
        assert_eq!(maximum_overview_level(2048, 1024, 256), 2);
    }
}
