//! JPEG: quality 85 (rio-tiler's profile), never an alpha band.
//!
//! GDAL writes 1 band as greyscale, 3 as YCbCr-compressed RGB (4:2:0, chroma box-averaged as
//! libjpeg does) and 4 as CMYK; so do we.

use jpeg_encoder::{ChromaSubsamplingMethod, ColorType, Encoder};

use crate::raster::{Raster, Samples};

use super::{interleave_u8, refuse, ImageFormat};
use crate::render::error::Result;

/// rio-tiler's JPEG profile.
const QUALITY: u8 = 85;

pub(super) fn encode(data: &Raster) -> Result<Vec<u8>> {
    let Samples::U8(v) = &data.data else {
        return Err(refuse(ImageFormat::Jpeg, data, "JPEG holds uint8 only"));
    };
    let color = match data.bands {
        1 => ColorType::Luma,
        3 => ColorType::Rgb,
        4 => ColorType::Cmyk,
        n => {
            return Err(refuse(
                ImageFormat::Jpeg,
                data,
                format!("{n} bands (JPEG holds 1, 3 or 4)"),
            ))
        }
    };
    let (w, h) = (
        u16::try_from(data.width).map_err(|_| refuse(ImageFormat::Jpeg, data, "too wide"))?,
        u16::try_from(data.height).map_err(|_| refuse(ImageFormat::Jpeg, data, "too tall"))?,
    );
    if w == 0 || h == 0 {
        return Err(refuse(ImageFormat::Jpeg, data, "empty image"));
    }
    let pixels = interleave_u8(v, data.bands, data.plane_len(), None);
    let mut out = Vec::with_capacity(pixels.len() / 8 + 1024);
    let mut enc = Encoder::new(&mut out, QUALITY);
    // libjpeg (GDAL) averages each 2x2 block when subsampling chroma; so do we.
    enc.set_chroma_subsampling_method(ChromaSubsamplingMethod::Average);
    enc.encode(&pixels, w, h, color)
        .map_err(|e| refuse(ImageFormat::Jpeg, data, e.to_string()))?;
    Ok(out)
}
