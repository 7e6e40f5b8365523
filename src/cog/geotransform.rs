//! A GeoTIFF's georeferencing: its [`GeoTransform`] (see [`crate::affine`]), or its ground
//! control points.
//!
//! GeoTIFF stores the geotransform either as a
//! 4×4 `ModelTransformation` matrix or as a tie point plus a pixel scale. With
//! `GTRasterTypeGeoKey = PixelIsPoint` the tie point refers to the pixel *centre*, so GDAL
//! shifts the origin by half a pixel (unless `GTIFF_POINT_GEO_IGNORE`); we do the same.
//!
//! Without a pixel scale or a matrix, the tie points are *ground control points* instead
//! ([`gcps`]): the image is then georeferenced by a polynomial fitted to them
//! ([`crate::warp::gcp`]), not by a geotransform.

use crate::affine::GeoTransform;
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
pub fn geotransform(ifd: &Ifd, geokeys: Option<&GeoKeys>) -> Option<GeoTransform> {
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
    Some(GeoTransform(gt))
}
