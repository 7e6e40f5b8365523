//! WebP (compression 50001, a GDAL/libtiff extension).
//!
//! Each chunk is a complete WebP file (RIFF container), lossy (VP8) or lossless (VP8L), with or
//! without alpha. GDAL only writes 8-bit RGB (3 samples) or RGBA (4 samples) this way.
//!
//! Decoding goes through libwebp itself (vendored C, the same library `libwebp-sys` links for
//! our lossy WebP *output*), for two reasons: it is what GDAL decodes with, so its pixels are the
//! reference ones, and it is about twice as fast as the pure-Rust `image-webp` on GDAL's 512×512
//! chunks (lossless and lossy alike).
//!
//! libwebp decodes straight into the chunk buffer in the colour mode the *TIFF* asks for, as
//! libtiff does: RGBA for 4 samples (an opaque alpha when the stream has none), RGB for 3 (a
//! stream alpha, which libtiff would refuse, is dropped). No scratch buffer, no copy.
//!
//! The pure-Rust build (without `c-codecs`) decodes with `image-webp`, which gives the stream's
//! own layout; the alpha is then added or dropped in a copy. Its lossless pixels are libwebp's;
//! its lossy ones may differ slightly (another VP8 implementation).

#[cfg(feature = "c-codecs")]
use libwebp_sys::{
    VP8StatusCode, WebPBitstreamFeatures, WebPDecode, WebPDecoderConfig, WebPGetFeatures,
    WEBP_CSP_MODE,
};

use super::{ChunkSpec, Error};

fn corrupt(reason: impl Into<String>) -> Error {
    Error::Corrupt {
        codec: "webp",
        reason: reason.into(),
    }
}

/// libwebp's status codes, in words.
#[cfg(feature = "c-codecs")]
fn status_reason(status: VP8StatusCode) -> &'static str {
    match status {
        VP8StatusCode::VP8_STATUS_OK => "ok",
        VP8StatusCode::VP8_STATUS_OUT_OF_MEMORY => "out of memory",
        VP8StatusCode::VP8_STATUS_INVALID_PARAM => "invalid parameter",
        VP8StatusCode::VP8_STATUS_BITSTREAM_ERROR => "bitstream error",
        VP8StatusCode::VP8_STATUS_UNSUPPORTED_FEATURE => "unsupported feature",
        VP8StatusCode::VP8_STATUS_SUSPENDED => "suspended",
        VP8StatusCode::VP8_STATUS_USER_ABORT => "aborted",
        VP8StatusCode::VP8_STATUS_NOT_ENOUGH_DATA => "stream truncated (not enough data)",
    }
}

/// Decodes one WebP chunk into `out` (8-bit RGB or RGBA, pixel-interleaved).
///
/// `out` must be exactly the chunk's size (`width * height * samples` bytes); the caller
/// ([`super::decode`]) checks that, and it is checked again here because libwebp writes through
/// a raw pointer.
pub(crate) fn decode(spec: &ChunkSpec, input: &[u8], out: &mut [u8]) -> Result<(), Error> {
    if spec.dtype.size() != 1 || !(spec.samples == 3 || spec.samples == 4) {
        return Err(Error::UnsupportedFeature {
            what: format!("webp with {} samples of {}", spec.samples, spec.dtype),
        });
    }
    let samples = spec.samples as usize;
    // libwebp takes the row stride as a C int.
    let stride = (spec.width as usize)
        .checked_mul(samples)
        .and_then(|s| i32::try_from(s).ok())
        .ok_or_else(|| Error::BadSpec(format!("webp chunk {} pixels wide", spec.width)))?;
    let needed = (stride as usize).checked_mul(spec.height as usize);
    if needed != Some(out.len()) {
        return Err(Error::BadSpec(format!(
            "output buffer has {} bytes, a {}x{} webp chunk needs {needed:?}",
            out.len(),
            spec.width,
            spec.height
        )));
    }
    decode_pixels(spec, input, stride, out)
}

/// libwebp into `out` directly, in the TIFF's colour mode.
#[cfg(feature = "c-codecs")]
fn decode_pixels(spec: &ChunkSpec, input: &[u8], stride: i32, out: &mut [u8]) -> Result<(), Error> {
    let samples = spec.samples as usize;
    // Header first: a stream of another size would otherwise decode into part of the buffer
    // (smaller) or be refused with a vague "invalid parameter" (larger).
    let mut features = std::mem::MaybeUninit::<WebPBitstreamFeatures>::zeroed();
    // SAFETY: `input` is a valid slice of `input.len()` bytes, only read; `features` is a
    // plain-data struct libwebp fills (zeroed, so fully initialised even if it does not).
    let status = unsafe { WebPGetFeatures(input.as_ptr(), input.len(), features.as_mut_ptr()) };
    if status != VP8StatusCode::VP8_STATUS_OK {
        return Err(corrupt(format!("header: {}", status_reason(status))));
    }
    // SAFETY: zero-initialised above and written by libwebp; every bit pattern is valid ints.
    let features = unsafe { features.assume_init() };
    let (w, h) = (features.width, features.height);
    if i64::from(w) != i64::from(spec.width) || i64::from(h) != i64::from(spec.height) {
        return Err(corrupt(format!(
            "image is {w}x{h}, the chunk is {}x{}",
            spec.width, spec.height
        )));
    }
    if features.has_animation != 0 {
        return Err(corrupt("animated webp"));
    }

    let mut config = WebPDecoderConfig::new().map_err(|()| corrupt("libwebp version mismatch"))?;
    config.output.colorspace = if samples == 4 {
        WEBP_CSP_MODE::MODE_RGBA
    } else {
        WEBP_CSP_MODE::MODE_RGB
    };
    config.output.is_external_memory = 1;
    config.output.u.RGBA.rgba = out.as_mut_ptr();
    config.output.u.RGBA.stride = stride;
    config.output.u.RGBA.size = out.len();
    // SAFETY: `input` is only read, `input.len()` bytes. The output is external memory: libwebp
    // checks that `stride * (height - 1) + width * samples <= size` before writing and writes
    // only inside it, and `out` is exactly `size` bytes, alive and exclusively borrowed for the
    // whole call. libwebp allocates nothing we must free with external memory (its internal
    // buffers are released before it returns).
    let status = unsafe { WebPDecode(input.as_ptr(), input.len(), &mut config) };
    if status != VP8StatusCode::VP8_STATUS_OK {
        return Err(corrupt(status_reason(status)));
    }
    Ok(())
}

/// image-webp in the stream's layout, then alpha added (opaque) or dropped to fit the TIFF's.
#[cfg(not(feature = "c-codecs"))]
fn decode_pixels(
    spec: &ChunkSpec,
    input: &[u8],
    _stride: i32,
    out: &mut [u8],
) -> Result<(), Error> {
    let mut decoder = image_webp::WebPDecoder::new(std::io::Cursor::new(input))
        .map_err(|e| corrupt(format!("header: {e}")))?;
    let (w, h) = decoder.dimensions();
    if (w, h) != (spec.width, spec.height) {
        return Err(corrupt(format!(
            "image is {w}x{h}, the chunk is {}x{}",
            spec.width, spec.height
        )));
    }
    if decoder.is_animated() {
        return Err(corrupt("animated webp"));
    }
    let has_alpha = decoder.has_alpha();
    if usize::from(has_alpha) + 3 == spec.samples as usize {
        return decoder.read_image(out).map_err(|e| corrupt(e.to_string()));
    }
    let len = decoder
        .output_buffer_size()
        .ok_or_else(|| corrupt("image too large"))?;
    let mut native = vec![0u8; len];
    decoder
        .read_image(&mut native)
        .map_err(|e| corrupt(e.to_string()))?;
    let from = if has_alpha { 4 } else { 3 };
    for (dst, src) in out
        .chunks_exact_mut(spec.samples as usize)
        .zip(native.chunks_exact(from))
    {
        dst[..3].copy_from_slice(&src[..3]);
        if let Some(a) = dst.get_mut(3) {
            *a = 255;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::compression;
    use crate::raster::DataType;

    fn spec(samples: u16, width: u32, height: u32) -> ChunkSpec {
        ChunkSpec {
            compression: compression::WEBP,
            predictor: 1,
            dtype: DataType::U8,
            bits_per_sample: 8,
            samples,
            width,
            height,
            photometric: 2,
            big_endian: false,
            jpeg_tables: None,
            lerc_parameters: None,
        }
    }

    /// A lossless RGBA stream (alpha varying, so the encoder keeps it) and its pixels.
    fn rgba_stream(w: u32, h: u32) -> (Vec<u8>, Vec<u8>) {
        let rgba: Vec<u8> = (0..(w * h) as usize)
            .flat_map(|i| {
                [
                    (i * 7) as u8,
                    (i >> 3) as u8,
                    ((i * 13) ^ 0x5a) as u8,
                    (i % 5) as u8,
                ]
            })
            .collect();
        let mut file = Vec::new();
        image_webp::WebPEncoder::new(&mut file)
            .encode(&rgba, w, h, image_webp::ColorType::Rgba8)
            .unwrap();
        (file, rgba)
    }

    #[test]
    fn lossless_rgba_decodes_exactly_and_drops_alpha_for_three_samples() {
        let (w, h) = (20u32, 12u32);
        let (file, rgba) = rgba_stream(w, h);
        let mut out = vec![0u8; rgba.len()];
        decode(&spec(4, w, h), &file, &mut out).unwrap();
        assert_eq!(out, rgba);
        let mut rgb = vec![0u8; (w * h * 3) as usize];
        decode(&spec(3, w, h), &file, &mut rgb).unwrap();
        for (px, src) in rgb.chunks_exact(3).zip(rgba.chunks_exact(4)) {
            assert_eq!(px, &src[..3]);
        }
    }

    #[test]
    fn bad_streams_and_buffers_are_errors() {
        let (w, h) = (20u32, 12u32);
        let (file, rgba) = rgba_stream(w, h);
        let mut out = vec![0u8; (w * h * 4) as usize];
        // Not a WebP file at all.
        let err = decode(&spec(4, w, h), b"RIFF\x10\0\0\0WEBPjunkjunk", &mut out).unwrap_err();
        assert!(matches!(err, Error::Corrupt { .. }), "{err}");
        // A buffer one byte short never reaches libwebp.
        let err = decode(&spec(4, w, h), &file, &mut out[1..]).unwrap_err();
        assert!(matches!(err, Error::BadSpec(_)), "{err}");
        // Another chunk size than the stream's.
        let mut bigger = vec![0u8; (w * (h + 1) * 4) as usize];
        let err = decode(&spec(4, w, h + 1), &file, &mut bigger).unwrap_err();
        assert!(err.to_string().contains("20x12"), "{err}");
        // Every cut of the stream is an error, every flipped byte is at worst an error.
        // Every cut of the stream is an error, but image-webp (the pure-Rust build) accepts a
        // stream missing only the RIFF padding byte after complete image data: then the pixels
        // must be exactly right.
        for cut in 0..file.len() {
            let accepted = decode(&spec(4, w, h), &file[..cut], &mut out).is_ok();
            if cfg!(feature = "c-codecs") {
                assert!(!accepted, "cut at {cut} of {}", file.len());
            } else if accepted {
                assert_eq!(out, rgba, "cut at {cut} of {}", file.len());
            }
        }
        for i in 0..file.len() {
            let mut bad = file.clone();
            bad[i] ^= 0xA5;
            let _ = decode(&spec(4, w, h), &bad, &mut out);
        }
    }

    #[test]
    fn other_sample_layouts_are_refused() {
        let mut out = vec![0u8; 16];
        let err = decode(&spec(1, 4, 4), &[], &mut out).unwrap_err();
        assert!(matches!(err, Error::UnsupportedFeature { .. }), "{err}");
    }
}
