//! Bounding boxes across CRSs, as rasterio's `transform_bounds` computes them.
use super::{Crs, Error};

/// Transforms `(left, bottom, right, top)` from `src` to `dst`.
pub fn transform_bounds(
    src: &Crs,
    dst: &Crs,
    bounds: [f64; 4],
    densify_pts: usize,
) -> Result<[f64; 4], Error> {
    let _ = (src, dst, bounds, densify_pts);
    Err(Error::Transform(
        "transform_bounds: not yet implemented".into(),
    ))
}
