//! GDAL's `GDALSuggestedWarpOutput2`.
use super::{Crs, Error};

/// A GDAL geotransform: `[x0, dx, rx, y0, ry, dy]`.
pub type GeoTransform = [f64; 6];

/// The grid GDAL suggests for warping a raster into another CRS.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WarpOutput {
    pub geotransform: GeoTransform,
    pub width: usize,
    pub height: usize,
}

/// What rasterio's `calculate_default_transform` returns.
pub fn suggested_warp_output(
    src: &Crs,
    dst: &Crs,
    width: usize,
    height: usize,
    geotransform: &GeoTransform,
) -> Result<WarpOutput, Error> {
    let _ = (src, dst, width, height, geotransform);
    Err(Error::Transform(
        "suggested_warp_output: not yet implemented".into(),
    ))
}
