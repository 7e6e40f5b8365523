//! GDAL's `GDALSuggestedWarpOutput2`: the natural grid of a raster in another CRS.
//!
//! rio-tiler asks rasterio's `calculate_default_transform` for the resolution a dataset has
//! once reprojected into the TileMatrixSet CRS; it decides the dataset's maxzoom and the
//! size of the intermediate warped grid of every tile. The rule: transform sample points of
//! the raster edges (a full grid if any edge point fails or does not transform back),
//! take their extent, and pick a *square* pixel such that the diagonal from the transformed
//! top-left to the transformed bottom-right corner spans as many pixels as the source
//! diagonal. We follow GDAL's code path step by step (sample counts, the dichotomic search
//! at sign changes of x, the ±180° fix-up, the border checks) so the numbers agree to the
//! last bits, not just approximately.
//!
//! The sampling and the search live in [`suggest`]; the two ways a source pixel reaches the
//! destination CRS (a geotransform plus a CRS change, or a GCP polynomial) in [`transformers`].
//! rasterio keeps `calculate_default_transform` in `rasterio.warp` too: it plans a warp.

mod suggest;
mod transformers;

use crate::affine::GeoTransform;
use crate::crs::{Crs, Error, Transformer};

use suggest::suggest;
use transformers::{GcpPixelTransformer, PixelTransformer};

/// The grid GDAL suggests for warping a raster into another CRS.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WarpOutput {
    pub geotransform: GeoTransform,
    pub width: usize,
    pub height: usize,
}

impl WarpOutput {
    /// Pixel size `(x, y)`, both positive.
    pub fn resolution(&self) -> (f64, f64) {
        self.geotransform.resolution()
    }

    /// Extent `[left, bottom, right, top]` of the suggested grid.
    pub fn bounds(&self) -> [f64; 4] {
        self.geotransform.bounds(self.width, self.height)
    }
}

/// rasterio's `calculate_default_transform(src, dst, width, height, *bounds)`: the
/// geotransform is rebuilt from the bounds first (as rasterio's `from_bounds` does).
pub fn calculate_default_transform(
    src: &Crs,
    dst: &Crs,
    width: usize,
    height: usize,
    bounds: [f64; 4],
) -> Result<WarpOutput, Error> {
    let [left, bottom, right, top] = bounds;
    if width == 0 || height == 0 {
        return Err(Error::Transform(format!(
            "raster size {width}x{height} is empty"
        )));
    }
    let gt = GeoTransform::from_bounds([left, bottom, right, top], width, height);
    suggested_warp_output(src, dst, width, height, &gt)
}

/// GDAL's `GDALSuggestedWarpOutput2` for a `width × height` raster with geotransform
/// `geotransform` in `src`, warped to `dst`.
pub fn suggested_warp_output(
    src: &Crs,
    dst: &Crs,
    width: usize,
    height: usize,
    geotransform: &GeoTransform,
) -> Result<WarpOutput, Error> {
    if width == 0 || height == 0 || width > i32::MAX as usize || height > i32::MAX as usize {
        return Err(Error::Transform(format!(
            "raster size {width}x{height} is out of range"
        )));
    }
    if src == dst && geotransform.is_rectilinear() {
        // GDAL's special case for warping onto the same CRS (no reprojection in the
        // GenImgProj transformer): the source grid, north-up. Only for the *same* CRS:
        // rasterio asked for EPSG:4326 → OGC:CRS84 (same numbers, other axis order) gets
        // GDAL's square-pixel suggestion like any other pair.
        let mut gt = *geotransform;
        if gt.0[5] > 0.0 {
            let gt = &mut gt.0;
            gt[3] += height as f64 * gt[5];
            gt[5] = -gt[5];
        }
        return Ok(WarpOutput {
            geotransform: gt,
            width,
            height,
        });
    }
    let inv_gt = geotransform.invert_gdal().ok_or_else(|| {
        Error::Transform(format!("geotransform {geotransform:?} is not invertible"))
    })?;
    let t = PixelTransformer {
        gt: *geotransform,
        inv_gt,
        fwd: Transformer::new(src, dst)?,
        inv: Transformer::new(dst, src)?,
        src: src.clone(),
        dst: dst.clone(),
    };
    let labels = (src.to_string(), dst.to_string());
    suggest(
        &t,
        width,
        height,
        dst.is_geographic(),
        dst.is_geographic() && !src.is_geographic(),
        &labels,
    )
}

/// GDAL's `GDALSuggestedWarpOutput2` for a `width × height` raster georeferenced by ground
/// control points, warped into the GCPs' own CRS (`geographic`: whether that CRS is
/// geographic): the grid of GDAL's auto-created warped VRT around such a raster.
pub fn suggested_warp_output_gcp(
    gcp: &super::GcpTransform,
    width: usize,
    height: usize,
    geographic: bool,
) -> Result<WarpOutput, Error> {
    if width == 0 || height == 0 || width > i32::MAX as usize || height > i32::MAX as usize {
        return Err(Error::Transform(format!(
            "raster size {width}x{height} is out of range"
        )));
    }
    let labels = ("gcps".to_string(), "the gcp crs".to_string());
    suggest(
        &GcpPixelTransformer(gcp),
        width,
        height,
        geographic,
        false,
        &labels,
    )
}
