//! The affine geotransform: pixel (col, row) → map (x, y), in GDAL's coefficient order.
//!
//! `x = gt[0] + col * gt[1] + row * gt[2]`, `y = gt[3] + col * gt[4] + row * gt[5]`, where
//! (col, row) = (0, 0) is the *corner* of the top-left pixel. GeoTIFF stores it either as a
//! 4×4 `ModelTransformation` matrix or as a tie point plus a pixel scale. With
//! `GTRasterTypeGeoKey = PixelIsPoint` the tie point refers to the pixel *centre*, so GDAL
//! shifts the origin by half a pixel (unless `GTIFF_POINT_GEO_IGNORE`); we do the same.
//!
//! Without a pixel scale or a matrix, the tie points are *ground control points* instead
//! ([`gcps`]): the image is then georeferenced by a polynomial fitted to them
//! ([`crate::warp::gcp`]), not by a geotransform.

use crate::tiff::geokeys::{key, GeoKeys};
use crate::tiff::Ifd;
use crate::warp::Gcp;

/// True when the raster type is PixelIsPoint and GDAL honours it (`GTIFF_POINT_GEO_IGNORE`
/// unset or false).
fn pixel_is_point(geokeys: Option<&GeoKeys>) -> bool {
    let point = geokeys.and_then(|g| g.short(key::GT_RASTER_TYPE)) == Some(2);
    let ignore = std::env::var("GTIFF_POINT_GEO_IGNORE")
        .map(|v| matches!(v.to_ascii_uppercase().as_str(), "YES" | "TRUE" | "ON" | "1"))
        .unwrap_or(false);
    point && !ignore
}

/// The ground control points of `ifd`, when its tie points are GCPs rather than an affine
/// origin (see [`Ifd::gcp_tiepoints`]). Like GDAL, PixelIsPoint moves each GCP's pixel/line
/// by half a pixel so that it refers to the pixel corner convention.
pub fn gcps(ifd: &Ifd, geokeys: Option<&GeoKeys>) -> Option<Vec<Gcp>> {
    let tps = ifd.gcp_tiepoints()?;
    let shift = if pixel_is_point(geokeys) { 0.5 } else { 0.0 };
    Some(
        tps.iter()
            .map(|t| Gcp {
                pixel: t[0] + shift,
                line: t[1] + shift,
                x: t[3],
                y: t[4],
            })
            .collect(),
    )
}

/// The geotransform of `ifd`, or `None` when the file has none (no georeferencing, or only
/// ground control points).
pub fn geotransform(ifd: &Ifd, geokeys: Option<&GeoKeys>) -> Option<[f64; 6]> {
    let mut gt = if let Some(m) = ifd.model_transformation.as_ref().filter(|m| m.len() >= 16) {
        [m[3], m[0], m[1], m[7], m[4], m[5]]
    } else {
        // with a pixel scale, GDAL takes the first tie point as the origin whatever their
        // number; without one, the tie points are ground control points (see `gcps`)
        let tp = ifd.model_tiepoint.as_ref().filter(|t| t.len() >= 6)?;
        let sc = ifd.model_pixel_scale.as_ref().filter(|s| s.len() >= 2)?;
        [
            tp[3] - tp[0] * sc[0],
            sc[0],
            0.0,
            tp[4] + tp[1] * sc[1],
            0.0,
            -sc[1],
        ]
    };
    if pixel_is_point(geokeys) {
        gt[0] -= 0.5 * gt[1] + 0.5 * gt[2];
        gt[3] -= 0.5 * gt[4] + 0.5 * gt[5];
    }
    if gt.iter().any(|v| !v.is_finite()) {
        return None;
    }
    Some(gt)
}

/// `(minx, miny, maxx, maxy)` of a `width × height` grid, like rasterio's `bounds`.
pub fn bounds(gt: &[f64; 6], width: u32, height: u32) -> [f64; 4] {
    let (w, h) = (width as f64, height as f64);
    let xs = [
        gt[0],
        gt[0] + w * gt[1],
        gt[0] + h * gt[2],
        gt[0] + w * gt[1] + h * gt[2],
    ];
    let ys = [
        gt[3],
        gt[3] + w * gt[4],
        gt[3] + h * gt[5],
        gt[3] + w * gt[4] + h * gt[5],
    ];
    if gt[2] == 0.0 && gt[4] == 0.0 {
        // rasterio's array_bounds for axis-aligned grids: (left, bottom, right, top) taken
        // from the corners as written, without reordering: a south-up grid (positive y
        // scale) reports bottom > top, and TiTiler passes that through.
        return [gt[0], gt[3] + h * gt[5], gt[0] + w * gt[1], gt[3]];
    }
    let fold = |v: &[f64; 4], f: fn(f64, f64) -> f64| v.iter().copied().reduce(f).unwrap_or(0.0);
    [
        fold(&xs, f64::min),
        fold(&ys, f64::min),
        fold(&xs, f64::max),
        fold(&ys, f64::max),
    ]
}
