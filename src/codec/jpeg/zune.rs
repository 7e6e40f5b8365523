//! JPEG through zune-jpeg: the pure-Rust build's decoder (no `c-codecs` feature).
//!
//! Same contract as the libjpeg path: YCbCr photometric comes out as RGB, any other photometric
//! as the stored components unconverted. zune-jpeg's IDCT, chroma upsampling and colour maths
//! are its own, so pixels differ from GDAL's by a few grey levels (README, "The pure-Rust
//! build", gives the measured difference).

use zune_core::bytestream::ZCursor;
use zune_core::colorspace::ColorSpace;
use zune_jpeg::JpegDecoder;

use super::{corrupt, ChunkSpec, Error, PHOTOMETRIC_YCBCR};

/// Decodes one complete (spliced) stream into `out`.
pub(super) fn decode(spec: &ChunkSpec, stream: &[u8], out: &mut [u8]) -> Result<(), Error> {
    let mut decoder = JpegDecoder::new(ZCursor::new(stream));
    decoder
        .decode_headers()
        .map_err(|e| corrupt(e.to_string()))?;
    let (w, h) = decoder
        .dimensions()
        .ok_or_else(|| corrupt("no frame header"))?;
    if (w, h) != (spec.width as usize, spec.height as usize) {
        return Err(corrupt(format!(
            "image is {w}x{h}, the chunk is {}x{}",
            spec.width, spec.height
        )));
    }
    let input = decoder
        .input_colorspace()
        .ok_or_else(|| corrupt("no frame header"))?;
    if input.num_components() != spec.samples as usize {
        return Err(corrupt(format!(
            "stream has {} components, the chunk {} samples",
            input.num_components(),
            spec.samples
        )));
    }
    let wanted = if spec.photometric == PHOTOMETRIC_YCBCR && spec.samples == 3 {
        ColorSpace::RGB
    } else {
        // The components are the samples: asking for the stream's own colour space converts
        // nothing.
        input
    };
    let options = decoder.options().jpeg_set_out_colorspace(wanted);
    decoder.set_options(options);
    if decoder.output_buffer_size() != Some(out.len()) {
        return Err(Error::WrongSize {
            expected: out.len(),
            got: decoder.output_buffer_size().unwrap_or(0),
        });
    }
    decoder.decode_into(out).map_err(|e| corrupt(e.to_string()))
}
