//! WebP: lossless (rio-tiler asks GDAL for lossy quality 75; clients only see that our tiles
//! are sharper and a little larger).
//!
//! GDAL's WEBP driver needs 3 or 4 bands, so rio-tiler repeats a single band to RGB first; the
//! mask becomes the alpha channel.

use image_webp::{ColorType, WebPEncoder};

use crate::raster::{Raster, Samples};

use super::{interleave_u8, refuse, ImageFormat};
use crate::render::error::Result;

pub(super) fn encode(data: &Raster, alpha: Option<&[u8]>) -> Result<Vec<u8>> {
    let Samples::U8(v) = &data.data else {
        return Err(refuse(ImageFormat::Webp, data, "WEBP holds uint8 only"));
    };
    let plane = data.plane_len();
    let (planes, bands): (std::borrow::Cow<[u8]>, usize) = if data.bands == 1 {
        let mut rgb = Vec::with_capacity(plane * 3);
        for _ in 0..3 {
            rgb.extend_from_slice(v);
        }
        (rgb.into(), 3)
    } else {
        (v.as_slice().into(), data.bands)
    };
    let color = match bands + usize::from(alpha.is_some()) {
        3 => ColorType::Rgb8,
        4 => ColorType::Rgba8,
        n => {
            return Err(refuse(
                ImageFormat::Webp,
                data,
                format!("{n} bands (WEBP holds 3 or 4)"),
            ))
        }
    };
    let (w, h) = (data.width as u32, data.height as u32);
    if w == 0 || h == 0 || data.width > 16384 || data.height > 16384 {
        return Err(refuse(ImageFormat::Webp, data, "size outside 1..=16384"));
    }
    let pixels = interleave_u8(&planes, bands, plane, alpha);
    let mut out = Vec::new();
    WebPEncoder::new(&mut out)
        .encode(&pixels, w, h, color)
        .map_err(|e| refuse(ImageFormat::Webp, data, e.to_string()))?;
    Ok(out)
}
