//! LERC (compression 34887, Esri's Limited Error Raster Compression, via GDAL/libtiff).
//!
//! A LERC blob holds a small raster of one data type: `width × height` pixels of `depth` values
//! each (pixel-interleaved), repeated for `bands` planes, plus a per-band validity bit mask.
//! It is lossy with a guaranteed maximum error per value (GDAL's `MAX_Z_ERROR`), or lossless.
//! GDAL stores one blob per chunk with `depth` = samples per pixel, and may wrap the blob in
//! deflate or zstd (the `LercParameters` tag: `[lerc version, 0 none | 1 deflate | 2 zstd]`).
//!
//! The mask is how LERC represents values it cannot or should not store. We follow libtiff
//! (`tif_lerc.c`), which is what GDAL reads through:
//!
//! - floats: NaN is stored as an invalid pixel, and invalid pixels read back as NaN;
//! - 8-bit data whose last sample is an (unassociated) alpha band: GDAL stores only the colour
//!   samples (`depth = samples - 1`) and keeps the alpha in the mask, so the alpha sample reads
//!   back as 255 × valid;
//! - integers otherwise: libtiff ignores the mask; invalid pixels read as 0.
//!
//! The mask is also handed back ([`super::decode_with_mask`]) for readers that want it, but GDAL
//! itself never turns it into a dataset mask.

use ::lerc::{bitmask::BitMask, DataType as LercType, Sample};

use super::{deflate, zstd, ChunkSpec, Error};
use crate::raster::DataType;

fn corrupt(reason: impl Into<String>) -> Error {
    Error::Corrupt {
        codec: "lerc",
        reason: reason.into(),
    }
}

/// The LERC type that stores our sample type.
fn lerc_type(dtype: DataType) -> LercType {
    match dtype {
        DataType::I8 => LercType::Char,
        DataType::U8 => LercType::Byte,
        DataType::I16 => LercType::Short,
        DataType::U16 => LercType::UShort,
        DataType::I32 => LercType::Int,
        DataType::U32 => LercType::UInt,
        DataType::F32 => LercType::Float,
        DataType::F64 => LercType::Double,
    }
}

/// Decodes one LERC chunk into `out`; writes the validity mask into `mask_out` when the blob
/// has invalid pixels and returns whether it did (see [`super::decode_with_mask`]).
pub(crate) fn decode(
    spec: &ChunkSpec,
    input: &[u8],
    out: &mut [u8],
    mask_out: Option<&mut [u8]>,
) -> Result<bool, Error> {
    let extra = spec
        .lerc_parameters
        .as_deref()
        .and_then(|p| p.get(1).copied())
        .unwrap_or(0);
    // A blob is at most the raw samples plus masks and block headers; bound the inflation so a
    // hostile stream cannot balloon.
    let limit = out.len().saturating_mul(2).saturating_add(1 << 16);
    let unwrapped;
    let blob: &[u8] = match extra {
        0 => input,
        1 => {
            unwrapped = deflate::decode_bounded(input, limit)?;
            &unwrapped
        }
        2 => {
            unwrapped = zstd::decode_bounded(input, limit)?;
            &unwrapped
        }
        other => {
            return Err(Error::UnsupportedFeature {
                what: format!("lerc additional compression {other}"),
            })
        }
    };
    let info = ::lerc::decode_info(blob).map_err(|e| corrupt(e.to_string()))?;
    if (info.width, info.height) != (spec.width, spec.height) {
        return Err(corrupt(format!(
            "blob is {}x{}, the chunk is {}x{}",
            info.width, info.height, spec.width, spec.height
        )));
    }
    if info.data_type != lerc_type(spec.dtype) {
        return Err(corrupt(format!(
            "blob holds {:?} values, the chunk {}",
            info.data_type, spec.dtype
        )));
    }
    let samples = spec.samples as usize;
    let (depth, bands) = (info.depth as usize, info.bands as usize);
    // 8-bit colour + alpha: the alpha lives in the mask (see module docs).
    let alpha = spec.dtype == DataType::U8 && bands == 1 && samples >= 2 && depth + 1 == samples;
    let layout_ok =
        alpha || (depth.checked_mul(bands) == Some(samples) && (depth == 1 || bands == 1));
    if !layout_ok {
        return Err(corrupt(format!(
            "blob has depth {depth} and {bands} bands, the chunk {samples} samples"
        )));
    }
    let layout = Layout {
        depth,
        bands,
        alpha,
    };
    match spec.dtype {
        DataType::I8 => decode_typed::<i8>(blob, layout, out, mask_out),
        DataType::U8 => decode_typed::<u8>(blob, layout, out, mask_out),
        DataType::I16 => decode_typed::<i16>(blob, layout, out, mask_out),
        DataType::U16 => decode_typed::<u16>(blob, layout, out, mask_out),
        DataType::I32 => decode_typed::<i32>(blob, layout, out, mask_out),
        DataType::U32 => decode_typed::<u32>(blob, layout, out, mask_out),
        DataType::F32 => decode_typed::<f32>(blob, layout, out, mask_out),
        DataType::F64 => decode_typed::<f64>(blob, layout, out, mask_out),
    }
}

/// How the blob's values map onto the chunk's samples.
#[derive(Clone, Copy)]
struct Layout {
    /// Values per pixel in the blob (interleaved).
    depth: usize,
    /// Planes in the blob (band-sequential), each with its own mask.
    bands: usize,
    /// The chunk has one more sample than the blob: an 8-bit alpha made from the mask.
    alpha: bool,
}

/// A sample type we can write as native bytes, with its "invalid" fill value and the value an
/// alpha sample takes for a valid pixel.
trait Native: Sample + Copy {
    const INVALID: Self;
    const OPAQUE: Self;
    const FLOAT: bool;
    fn write(self, dst: &mut [u8]);
}

macro_rules! native {
    ($t:ty, $invalid:expr, $float:expr) => {
        impl Native for $t {
            const INVALID: Self = $invalid;
            const FLOAT: bool = $float;
            const OPAQUE: Self = <$t>::MAX;
            fn write(self, dst: &mut [u8]) {
                dst.copy_from_slice(&self.to_ne_bytes());
            }
        }
    };
}
native!(i8, 0, false);
native!(u8, 0, false);
native!(i16, 0, false);
native!(u16, 0, false);
native!(i32, 0, false);
native!(u32, 0, false);
native!(f32, f32::NAN, true);
native!(f64, f64::NAN, true);

fn decode_typed<T: Native + Default>(
    blob: &[u8],
    layout: Layout,
    out: &mut [u8],
    mask_out: Option<&mut [u8]>,
) -> Result<bool, Error> {
    let Layout {
        depth,
        bands,
        alpha,
    } = layout;
    let size = std::mem::size_of::<T>();
    let samples = depth * bands + usize::from(alpha);
    let pixels = out.len() / size / samples.max(1);
    let mut typed = vec![T::default(); pixels * depth * bands];
    let result = ::lerc::decode_into::<T>(blob, &mut typed).map_err(|e| corrupt(e.to_string()))?;
    // Per band: `None` when every pixel is valid.
    let masks: Vec<Option<&BitMask>> = (0..bands)
        .map(|b| match result.valid_masks.get(b) {
            Some(m @ BitMask::Explicit(_)) if m.count_valid() < pixels => Some(m),
            _ => None,
        })
        .collect();
    let valid = |band: usize, k: usize| -> bool {
        match masks.get(band).copied().flatten() {
            Some(m) => k < m.num_pixels() && m.is_valid(k),
            None => true,
        }
    };
    let any_invalid = masks.iter().any(Option::is_some);

    if bands == 1 && !alpha {
        // The blob's layout is the chunk's: copy straight through.
        for (dst, v) in out.chunks_exact_mut(size).zip(&typed) {
            v.write(dst);
        }
    } else {
        for k in 0..pixels {
            for band in 0..bands {
                for d in 0..depth {
                    // LERC planes are band-sequential, values within a pixel interleaved by
                    // depth; the chunk is pixel-interleaved over all samples.
                    let src = band * pixels * depth + k * depth + d;
                    let dst = (k * samples + band * depth + d) * size;
                    typed[src].write(&mut out[dst..dst + size]);
                }
            }
            if alpha {
                let dst = (k * samples + samples - 1) * size;
                let a = if valid(0, k) { T::OPAQUE } else { T::default() };
                a.write(&mut out[dst..dst + size]);
            }
        }
    }
    if !any_invalid {
        return Ok(false);
    }
    // libtiff applies the mask to floats only (the alpha case is handled above).
    if T::FLOAT {
        for k in 0..pixels {
            for band in (0..bands).filter(|&b| !valid(b, k)) {
                for d in 0..depth {
                    let dst = (k * samples + band * depth + d) * size;
                    T::INVALID.write(&mut out[dst..dst + size]);
                }
            }
        }
    }
    if let Some(mask) = mask_out {
        for (k, m) in mask.iter_mut().enumerate().take(pixels) {
            *m = if (0..bands).all(|b| valid(b, k)) {
                255
            } else {
                0
            };
        }
        return Ok(true);
    }
    Ok(false)
}
