//! JPEG (compression 7, "new-style" TIFF JPEG, TIFF technical note 2).
//!
//! Each chunk is a JPEG stream of its own, but usually an *abbreviated* one: the quantisation and
//! Huffman tables shared by all chunks of an image live once in the `JPEGTables` tag (itself a
//! `SOI … EOI` stream holding only tables). To get a stream an ordinary decoder accepts, the two
//! are spliced: the tables without their closing `EOI`, then the chunk without its opening `SOI`.
//!
//! Colour: GDAL writes RGB imagery as `PhotometricInterpretation = YCbCr` (6), usually with 2×2
//! chroma subsampling, and expects the reader to convert to RGB — so we ask the decoder for RGB.
//! With any other photometric (RGB = 2, grey = 1, …) the components are the samples themselves
//! and must come out unconverted, whatever colour space the decoder guesses from the stream.

use zune_core::{bytestream::ZCursor, colorspace::ColorSpace, options::DecoderOptions};
use zune_jpeg::JpegDecoder;

use super::{ChunkSpec, Error};

const SOI: [u8; 2] = [0xFF, 0xD8];
const EOI: [u8; 2] = [0xFF, 0xD9];
const PHOTOMETRIC_YCBCR: u16 = 6;

fn corrupt(reason: impl Into<String>) -> Error {
    Error::Corrupt {
        codec: "jpeg",
        reason: reason.into(),
    }
}

/// Joins the shared tables and one abbreviated chunk into a complete JPEG stream.
pub(crate) fn splice(tables: &[u8], chunk: &[u8]) -> Result<Vec<u8>, Error> {
    let tables_body = tables
        .strip_prefix(&SOI)
        .and_then(|t| t.strip_suffix(&EOI))
        .ok_or_else(|| {
            corrupt(format!(
                "jpegtables of {} bytes is not an soi…eoi stream",
                tables.len()
            ))
        })?;
    let chunk_body = chunk
        .strip_prefix(&SOI)
        .ok_or_else(|| corrupt("chunk does not start with an soi marker"))?;
    let mut stream = Vec::with_capacity(tables.len() + chunk.len());
    stream.extend_from_slice(&SOI);
    stream.extend_from_slice(tables_body);
    stream.extend_from_slice(chunk_body);
    Ok(stream)
}

/// Decodes one JPEG chunk into `out` (8-bit samples, pixel-interleaved).
pub(crate) fn decode(spec: &ChunkSpec, input: &[u8], out: &mut [u8]) -> Result<(), Error> {
    if spec.dtype.size() != 1 {
        return Err(Error::UnsupportedFeature {
            what: format!("jpeg with {} samples", spec.dtype),
        });
    }
    let spliced;
    let stream: &[u8] = match spec.jpeg_tables.as_deref() {
        Some(tables) if tables.len() > 4 => {
            spliced = splice(tables, input)?;
            &spliced
        }
        _ => input,
    };
    let base = DecoderOptions::default()
        .set_max_width(spec.width as usize)
        .set_max_height(spec.height as usize);
    let out_space = match (spec.samples, spec.photometric) {
        (1, _) => ColorSpace::Luma,
        (3, PHOTOMETRIC_YCBCR) => ColorSpace::RGB,
        (3, _) => {
            // Keep the components as stored: ask for the colour space the stream declares.
            let mut probe = JpegDecoder::new_with_options(ZCursor::new(stream), base);
            probe.decode_headers().map_err(|e| corrupt(e.to_string()))?;
            match probe.input_colorspace() {
                Some(cs @ (ColorSpace::RGB | ColorSpace::YCbCr)) => cs,
                other => {
                    return Err(corrupt(format!(
                        "3 samples but jpeg colour space {other:?}"
                    )))
                }
            }
        }
        (n, p) => {
            return Err(Error::UnsupportedFeature {
                what: format!("jpeg with {n} samples per pixel (photometric {p})"),
            })
        }
    };
    let mut decoder = JpegDecoder::new_with_options(
        ZCursor::new(stream),
        base.jpeg_set_out_colorspace(out_space),
    );
    decoder
        .decode_headers()
        .map_err(|e| corrupt(e.to_string()))?;
    let (w, h) = decoder.dimensions().unwrap_or((0, 0));
    if (w, h) != (spec.width as usize, spec.height as usize) {
        return Err(corrupt(format!(
            "image is {w}x{h}, the chunk is {}x{}",
            spec.width, spec.height
        )));
    }
    let components = decoder.info().map(|i| i.components as usize).unwrap_or(0);
    let wanted = if out_space == ColorSpace::Luma { 1 } else { 3 };
    if components != wanted {
        return Err(corrupt(format!(
            "stream has {components} components, the chunk {} samples",
            spec.samples
        )));
    }
    let size = decoder.output_buffer_size().unwrap_or(0);
    if size != out.len() {
        return Err(Error::WrongSize {
            expected: out.len(),
            got: size,
        });
    }
    decoder.decode_into(out).map_err(|e| corrupt(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splice_checks_markers() {
        let tables = [0xFF, 0xD8, 0xFF, 0xDB, 1, 2, 0xFF, 0xD9];
        let chunk = [0xFF, 0xD8, 0xFF, 0xDA, 9, 0xFF, 0xD9];
        assert_eq!(
            splice(&tables, &chunk).unwrap(),
            vec![0xFF, 0xD8, 0xFF, 0xDB, 1, 2, 0xFF, 0xDA, 9, 0xFF, 0xD9]
        );
        assert!(splice(&tables[..6], &chunk).is_err());
        assert!(splice(&tables, &chunk[2..]).is_err());
        assert!(splice(&[0xFF], &chunk).is_err());
    }
}
