//! PNG: 8- or 16-bit grey, grey+alpha, RGB or RGBA.
//!
//! GDAL's PNG driver maps 1/2/3/4 bands to those colour types and accepts only Byte and
//! UInt16. rio-tiler keeps the mask in 0..255 and stretches it to 0..65535 for 16-bit output.
//! We use the `png` crate's fast deflate path: encoding is a large share of a tile's time and
//! TiTiler clients never depend on the exact compressed bytes.

use ::png::{BitDepth, ColorType, Compression, Encoder};

use crate::raster::{Raster, Samples};

use super::{interleave_u8, refuse, ImageFormat};
use crate::render::error::Result;

pub(super) fn encode(data: &Raster, alpha: Option<&[u8]>, level: Compression) -> Result<Vec<u8>> {
    let total = data.bands + usize::from(alpha.is_some());
    let color = match total {
        1 => ColorType::Grayscale,
        2 => ColorType::GrayscaleAlpha,
        3 => ColorType::Rgb,
        4 => ColorType::Rgba,
        n => {
            return Err(refuse(
                ImageFormat::Png,
                data,
                format!("{n} bands (PNG holds 1 to 4)"),
            ))
        }
    };
    let (w, h) = (
        u32::try_from(data.width).map_err(|_| refuse(ImageFormat::Png, data, "too wide"))?,
        u32::try_from(data.height).map_err(|_| refuse(ImageFormat::Png, data, "too tall"))?,
    );
    if w == 0 || h == 0 {
        return Err(refuse(ImageFormat::Png, data, "empty image"));
    }
    let plane = data.plane_len();
    let (depth, bytes) = match &data.data {
        Samples::U8(v) => (BitDepth::Eight, interleave_u8(v, data.bands, plane, alpha)),
        Samples::U16(v) => {
            let mut out = Vec::with_capacity(plane * total * 2);
            for i in 0..plane {
                for b in 0..data.bands {
                    out.extend_from_slice(&v[b * plane + i].to_be_bytes());
                }
                if let Some(a) = alpha {
                    // linear_rescale(mask, (0, 255), (0, 65535))
                    out.extend_from_slice(&(a[i] as u16 * 257).to_be_bytes());
                }
            }
            (BitDepth::Sixteen, out)
        }
        other => {
            return Err(refuse(
                ImageFormat::Png,
                data,
                format!("{} samples (PNG holds uint8 or uint16)", other.dtype()),
            ))
        }
    };
    let mut out = Vec::with_capacity(bytes.len() / 2 + 1024);
    {
        let mut enc = Encoder::new(&mut out, w, h);
        enc.set_color(color);
        enc.set_depth(depth);
        enc.set_compression(level);
        let mut writer = enc
            .write_header()
            .map_err(|e| refuse(ImageFormat::Png, data, e.to_string()))?;
        writer
            .write_image_data(&bytes)
            .map_err(|e| refuse(ImageFormat::Png, data, e.to_string()))?;
        writer
            .finish()
            .map_err(|e| refuse(ImageFormat::Png, data, e.to_string()))?;
    }
    Ok(out)
}
