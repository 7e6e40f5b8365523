//! GDAL's *dataset mask*: which pixels are valid, from an internal mask, alpha or nodata.
//!
//! [`super::Cog::read_window`] only applies the internal mask (and the image extent). Readers
//! that need GDAL's full rule (`GetMaskBand` of the dataset) call [`gdal_dataset_mask`]:
//! - internal mask IFD: its values (0/255), already in `raster.mask`;
//! - else an alpha band: the alpha sample itself (GDAL returns alpha values, not just 0/255);
//! - else nodata: 0 where *every* band equals nodata (NaN matches NaN), 255 elsewhere;
//! - else 255.

use crate::raster::Raster;

use super::CogHeader;

/// GDAL's dataset mask for a raster read with all bands (in order 1..=count) from `header`.
/// Pixels outside the image (mask 0 from the read) stay 0.
pub fn gdal_dataset_mask(header: &CogHeader, raster: &Raster) -> Vec<u8> {
    let plane = raster.plane_len();
    if header.has_mask {
        return raster.mask.clone();
    }
    if let Some(a) = header.alpha_band.filter(|&a| a < raster.bands) {
        return (0..plane)
            .map(|p| {
                if raster.mask[p] == 0 {
                    0
                } else {
                    raster.data.get_f64(a * plane + p).clamp(0.0, 255.0) as u8
                }
            })
            .collect();
    }
    if let Some(nd) = header.nodata {
        let nd_cast = cast_nodata(nd, header.dtype);
        // Float64 overviews written by GDAL carry nodata rounded through float32 (e.g.
        // -2^100 for a nodata of -1.2676506e30), and GDAL's mask treats them as nodata: its
        // reference digests for such overviews only match when the comparison is done at
        // float32 precision as well.
        let f64_as_f32 = header.dtype == crate::raster::DataType::F64
            && nd_cast.is_finite()
            && nd_cast.abs() <= f32::MAX as f64;
        return (0..plane)
            .map(|p| {
                if raster.mask[p] == 0 {
                    return 0;
                }
                let all_nodata = (0..raster.bands).all(|b| {
                    let v = raster.data.get_f64(b * plane + p);
                    if nd_cast.is_nan() {
                        v.is_nan()
                    } else {
                        are_real_equal(v, nd_cast) || (f64_as_f32 && v as f32 == nd_cast as f32)
                    }
                });
                if all_nodata {
                    0
                } else {
                    255
                }
            })
            .collect();
    }
    raster.mask.clone()
}

/// The nodata value as the band type holds it (float32 nodata is compared after rounding to
/// f32, integer nodata outside the type's range never matches).
fn cast_nodata(nd: f64, dtype: crate::raster::DataType) -> f64 {
    use crate::raster::DataType::*;
    match dtype {
        F32 => nd as f32 as f64,
        F64 => nd,
        _ => {
            let (lo, hi) = dtype.range();
            if nd < lo || nd > hi || nd.fract() != 0.0 {
                f64::INFINITY
            } else {
                nd
            }
        }
    }
}

/// GDAL's `ARE_REAL_EQUAL`: equality with a relative tolerance of 1e-10.
fn are_real_equal(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() < 1e-10 || (b != 0.0 && (1.0 - a / b).abs() < 1e-10)
}
