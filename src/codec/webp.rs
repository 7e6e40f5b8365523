//! WebP (compression 50001, a GDAL/libtiff extension).
//!
//! Each chunk is a complete WebP file (RIFF container), lossy (VP8) or lossless (VP8L), with or
//! without alpha. GDAL only writes 8-bit RGB (3 samples) or RGBA (4 samples) this way. The
//! decoder gives RGB or RGBA depending on the stream; we adapt to the chunk's sample count
//! (an opaque alpha when the TIFF has 4 samples but the stream none).

use std::io::Cursor;

use image_webp::WebPDecoder;

use super::{ChunkSpec, Error};

fn corrupt(reason: impl Into<String>) -> Error {
    Error::Corrupt {
        codec: "webp",
        reason: reason.into(),
    }
}

/// Decodes one WebP chunk into `out` (8-bit RGB or RGBA, pixel-interleaved).
pub(crate) fn decode(spec: &ChunkSpec, input: &[u8], out: &mut [u8]) -> Result<(), Error> {
    if spec.dtype.size() != 1 || !(spec.samples == 3 || spec.samples == 4) {
        return Err(Error::UnsupportedFeature {
            what: format!("webp with {} samples of {}", spec.samples, spec.dtype),
        });
    }
    let mut decoder = WebPDecoder::new(Cursor::new(input)).map_err(|e| corrupt(e.to_string()))?;
    let (w, h) = decoder.dimensions();
    if (w, h) != (spec.width, spec.height) {
        return Err(corrupt(format!(
            "image is {w}x{h}, the chunk is {}x{}",
            spec.width, spec.height
        )));
    }
    let stream_channels = if decoder.has_alpha() { 4 } else { 3 };
    if stream_channels == spec.samples as usize {
        return decoder.read_image(out).map_err(|e| corrupt(e.to_string()));
    }
    // Channel count differs: decode to a scratch buffer, then copy pixel by pixel.
    let len = decoder
        .output_buffer_size()
        .ok_or_else(|| corrupt("image too large"))?;
    let mut scratch = vec![0u8; len];
    decoder
        .read_image(&mut scratch)
        .map_err(|e| corrupt(e.to_string()))?;
    let samples = spec.samples as usize;
    for (dst, src) in out
        .chunks_exact_mut(samples)
        .zip(scratch.chunks_exact(stream_channels))
    {
        dst[..3].copy_from_slice(&src[..3]);
        if samples == 4 {
            dst[3] = 255;
        }
    }
    Ok(())
}
