//! WebP: lossy, quality 75 — rio-tiler's WEBP profile — through libwebp itself.
//!
//! GDAL's WEBP driver calls libwebp with the default preset at quality 75 (method 4), and a
//! lossy encoder's output only matches another's when it *is* the same encoder: a different
//! lossy coder (or even libwebp at method 6) lands more than 3 grey levels away from TiTiler's
//! tiles on average, which is outside the conformance tolerance. So we link libwebp 1.6 (vendored
//! by `libwebp-sys`, built from C, statically) and use its simple API, which configures exactly
//! that: the produced files are byte-identical to TiTiler's for the same pixels.
//!
//! GDAL's driver needs 3 or 4 bands, so rio-tiler repeats a single band to RGB first; the mask
//! becomes the alpha channel.
//!
//! The pure-Rust build (without `c-codecs`) has no lossy WebP encoder to match it with and writes
//! *lossless* WebP (`image-webp`): the same pixels exactly, in a larger file than TiTiler's.

#[cfg(feature = "c-codecs")]
use std::ffi::c_void;

use crate::raster::{Raster, Samples};

use super::{interleave_u8, refuse, ImageFormat};
use crate::render::error::Result;

/// rio-tiler's WEBP profile.
#[cfg(feature = "c-codecs")]
const QUALITY: f32 = 75.0;

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
    let channels = bands + usize::from(alpha.is_some());
    if channels != 3 && channels != 4 {
        return Err(refuse(
            ImageFormat::Webp,
            data,
            format!("{channels} bands (WEBP holds 3 or 4)"),
        ));
    }
    // libwebp's limit is 16383 pixels per side.
    if data.width == 0 || data.height == 0 || data.width > 16383 || data.height > 16383 {
        return Err(refuse(ImageFormat::Webp, data, "size outside 1..=16383"));
    }
    let pixels = interleave_u8(&planes, bands, plane, alpha);
    encode_pixels(data, &pixels, channels)
}

/// libwebp's simple API at quality 75: TiTiler's bytes.
#[cfg(feature = "c-codecs")]
fn encode_pixels(data: &Raster, pixels: &[u8], channels: usize) -> Result<Vec<u8>> {
    let (w, h) = (data.width as i32, data.height as i32);
    let stride = (data.width * channels) as i32;
    let mut out: *mut u8 = std::ptr::null_mut();
    // SAFETY: `pixels` holds exactly `height * stride` bytes (interleave_u8 writes
    // plane * channels bytes and plane = width * height); libwebp only reads them, and on success
    // stores a buffer it allocated in `out`, `size` bytes long, which we copy and free below.
    let size = unsafe {
        if channels == 4 {
            libwebp_sys::WebPEncodeRGBA(pixels.as_ptr(), w, h, stride, QUALITY, &mut out)
        } else {
            libwebp_sys::WebPEncodeRGB(pixels.as_ptr(), w, h, stride, QUALITY, &mut out)
        }
    };
    if out.is_null() {
        return Err(refuse(ImageFormat::Webp, data, "libwebp failed"));
    }
    // SAFETY: libwebp returned `out` non-null with `size` valid bytes; freed exactly once.
    let body = unsafe {
        let bytes = std::slice::from_raw_parts(out, size).to_vec();
        libwebp_sys::WebPFree(out as *mut c_void);
        bytes
    };
    if body.is_empty() {
        return Err(refuse(ImageFormat::Webp, data, "libwebp produced no data"));
    }
    Ok(body)
}

/// image-webp's lossless encoder.
#[cfg(not(feature = "c-codecs"))]
fn encode_pixels(data: &Raster, pixels: &[u8], channels: usize) -> Result<Vec<u8>> {
    let color = if channels == 4 {
        image_webp::ColorType::Rgba8
    } else {
        image_webp::ColorType::Rgb8
    };
    let mut body = Vec::new();
    image_webp::WebPEncoder::new(&mut body)
        .encode(pixels, data.width as u32, data.height as u32, color)
        .map_err(|e| refuse(ImageFormat::Webp, data, format!("webp encoder: {e}")))?;
    Ok(body)
}
