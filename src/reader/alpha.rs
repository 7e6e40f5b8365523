//! GDAL's alpha rules, in one place: how a real alpha band's samples become mask values, and
//! when the warper counts an alpha sample as valid. (The dataset mask of a COG without an
//! alpha band is [`crate::cog::gdal_dataset_mask`].)

use crate::raster::DataType;

/// GDAL's mask value for an alpha sample: the alpha itself for bytes; for 16-bit words
/// (`GDALRescaledAlphaBand`) divided by 257, with any non-zero alpha kept non-zero.
pub(crate) fn alpha_as_mask(dtype: DataType, v: f64) -> u8 {
    let v = v.clamp(0.0, 65535.0);
    match dtype {
        DataType::U8 => v.min(255.0) as u8,
        _ if v > 0.0 && v < 257.0 => 1,
        _ => (v / 257.0) as u8,
    }
}

/// The warper's source alpha threshold: GDAL turns an alpha value into a density `alpha /
/// SRC_ALPHA_MAX` (in float32; 65535 for a UInt16 alpha band, 32767 for Int16, else 255,
/// clamped to 1) and leaves out a source pixel whose density is below 1e-4
/// (`GWKSetPixelValue`). True when `alpha` keeps its pixel.
pub(crate) fn alpha_density_ok(dtype: DataType, alpha: f64) -> bool {
    let max = match dtype {
        DataType::U16 => 65535.0,
        DataType::I16 => 32767.0,
        _ => 255.0,
    };
    let inv = (1.0 / max) as f32;
    let density = (alpha as f32 * inv).min(1.0);
    (density as f64) >= 1e-4
}
