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
//!
//! Exactness: a JPEG decoder has freedom in its inverse DCT, its chroma upsampling and its
//! YCbCr→RGB arithmetic, and decoders differ by a grey level or three on many pixels. TiTiler
//! answers what GDAL decodes: libtiff into libjpeg with the defaults (the "islow" integer IDCT,
//! "fancy" chroma upsampling, fixed-point colour tables). The GDAL that recorded the conformance
//! corpus links IJG libjpeg 9, whose "fancy upsampling" of 2×2 chroma happens in the DCT domain
//! (see `dct_chroma`); libjpeg-turbo (and IJG 6b, and zune-jpeg) interpolate with a
//! triangle filter instead and match GDAL only where chroma is flat. We link libjpeg-turbo's
//! decoder (as vendored by `mozjpeg-sys`) and drive it to give libjpeg 9's result: the 2×2 case
//! goes through `jpeg_dct_chroma`, everything else (grey, 4:4:4, other photometrics, where the
//! two libraries agree) through the ordinary scanline loop below, with the settings libtiff makes.

//!
//! The pure-Rust build (without the `c-codecs` feature) decodes with zune-jpeg instead
//! ([`zune`]): the same stream handling, pixels within a few grey levels of GDAL's.

use super::{ChunkSpec, Error};

#[cfg(feature = "c-codecs")]
mod dct_chroma;
#[cfg(feature = "c-codecs")]
mod libjpeg;
#[cfg(not(feature = "c-codecs"))]
mod zune;

pub(super) fn corrupt(reason: impl Into<String>) -> Error {
    Error::Corrupt {
        codec: "jpeg",
        reason: reason.into(),
    }
}

const SOI: [u8; 2] = [0xFF, 0xD8];
const EOI: [u8; 2] = [0xFF, 0xD9];
/// TIFF photometric YCbCr: the decoder converts to RGB (see the module docs).
const PHOTOMETRIC_YCBCR: u16 = 6;

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
    if input.is_empty() {
        return Err(corrupt("empty chunk"));
    }
    #[cfg(feature = "c-codecs")]
    {
        decode_libjpeg(spec, stream, out)
    }
    #[cfg(not(feature = "c-codecs"))]
    {
        zune::decode(spec, stream, out)
    }
}

/// libjpeg-turbo, the libjpeg 9 way for 4:2:0 YCbCr ([`dct_chroma`]), the scanline loop for the
/// rest. libjpeg reports fatal errors by calling `error_exit`, which must not return: ours
/// unwinds, and the unwind is caught here and turned into a typed error.
#[cfg(feature = "c-codecs")]
fn decode_libjpeg(spec: &ChunkSpec, stream: &[u8], out: &mut [u8]) -> Result<(), Error> {
    libjpeg::catch_fatal_errors(|| {
        if spec.photometric == PHOTOMETRIC_YCBCR && spec.samples == 3 {
            if let Some(result) = dct_chroma::decode_h2v2(spec, stream, out) {
                return result;
            }
        }
        libjpeg::run_libjpeg(spec, stream, out)
    })
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
