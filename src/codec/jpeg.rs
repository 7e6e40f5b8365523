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
//! (see [`super::jpeg_dct_chroma`]); libjpeg-turbo (and IJG 6b, and zune-jpeg) interpolate with a
//! triangle filter instead and match GDAL only where chroma is flat. We link libjpeg-turbo's
//! decoder (as vendored by `mozjpeg-sys`) and drive it to give libjpeg 9's result: the 2×2 case
//! goes through `jpeg_dct_chroma`, everything else (grey, 4:4:4, other photometrics, where the
//! two libraries agree) through the ordinary scanline loop below, with the settings libtiff makes.

use std::ffi::c_ulong;

use mozjpeg_sys as lj;

use super::libjpeg::{catch_fatal_errors, corrupt, Decompressor};
use super::{ChunkSpec, Error};

const SOI: [u8; 2] = [0xFF, 0xD8];
const EOI: [u8; 2] = [0xFF, 0xD9];
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
    // libjpeg reports fatal errors by calling `error_exit`, which must not return: ours unwinds
    // with a `LibjpegError` payload, caught here and turned into a typed error. Anything else
    // unwinding through here is a real bug and keeps going.
    let run = || {
        if spec.photometric == PHOTOMETRIC_YCBCR && spec.samples == 3 {
            if let Some(result) = super::jpeg_dct_chroma::decode_h2v2(spec, stream, out) {
                return result;
            }
        }
        run_libjpeg(spec, stream, out)
    };
    catch_fatal_errors(run)
}

/// The libtiff sequence (`JPEGPreDecode` + `JPEGDecode`): header, colour set-up, scanlines.
pub(super) fn run_libjpeg(spec: &ChunkSpec, stream: &[u8], out: &mut [u8]) -> Result<(), Error> {
    let mut d = Decompressor::new();
    let cinfo = &mut *d.cinfo;
    let len = c_ulong::try_from(stream.len())
        .map_err(|_| corrupt(format!("stream of {} bytes too large", stream.len())))?;
    // SAFETY: `stream` outlives the decompressor (dropped at the end of this function).
    unsafe { lj::jpeg_mem_src(cinfo, stream.as_ptr(), len) };
    // SAFETY: errors unwind to `decode`; a memory source never suspends.
    unsafe { lj::jpeg_read_header(cinfo, 1) };
    let (w, h) = (cinfo.image_width, cinfo.image_height);
    if (w, h) != (spec.width, spec.height) {
        return Err(corrupt(format!(
            "image is {w}x{h}, the chunk is {}x{}",
            spec.width, spec.height
        )));
    }
    let components = usize::try_from(cinfo.num_components).unwrap_or(0);
    if components != spec.samples as usize {
        return Err(corrupt(format!(
            "stream has {components} components, the chunk {} samples",
            spec.samples
        )));
    }
    if spec.photometric == PHOTOMETRIC_YCBCR && spec.samples == 3 {
        // What libtiff does for GDAL (JPEGCOLORMODE_RGB): YCbCr in, RGB out.
        cinfo.jpeg_color_space = lj::J_COLOR_SPACE::JCS_YCbCr;
        cinfo.out_color_space = lj::J_COLOR_SPACE::JCS_RGB;
    } else {
        // The components are the samples: no colour conversion at all. libtiff then reads
        // subsampled data raw (unupsampled); that layout is not what this module returns.
        cinfo.jpeg_color_space = lj::J_COLOR_SPACE::JCS_UNKNOWN;
        cinfo.out_color_space = lj::J_COLOR_SPACE::JCS_UNKNOWN;
        if cinfo.max_h_samp_factor != 1 || cinfo.max_v_samp_factor != 1 {
            return Err(Error::UnsupportedFeature {
                what: format!(
                    "subsampled jpeg ({}x{}) with photometric {}",
                    cinfo.max_h_samp_factor, cinfo.max_v_samp_factor, spec.photometric
                ),
            });
        }
    }
    // libjpeg's defaults, spelled out because they are the point: islow IDCT, fancy upsampling.
    cinfo.dct_method = lj::J_DCT_METHOD::JDCT_ISLOW;
    cinfo.do_fancy_upsampling = 1;
    // SAFETY: as above.
    unsafe { lj::jpeg_start_decompress(cinfo) };
    let row_len = (spec.width as usize) * spec.samples as usize;
    if (cinfo.output_width, cinfo.output_height) != (spec.width, spec.height)
        || usize::try_from(cinfo.output_components).ok() != Some(spec.samples as usize)
        || out.len() != row_len * spec.height as usize
    {
        return Err(Error::WrongSize {
            expected: out.len(),
            got: (cinfo.output_width as usize)
                .saturating_mul(cinfo.output_height as usize)
                .saturating_mul(usize::try_from(cinfo.output_components).unwrap_or(0)),
        });
    }
    for row in out.chunks_exact_mut(row_len) {
        let mut ptr = row.as_mut_ptr();
        // SAFETY: `ptr` points at one row of exactly `output_width * output_components`
        // bytes, checked above; libjpeg writes at most one scanline.
        let got = unsafe { lj::jpeg_read_scanlines(cinfo, &mut ptr, 1) };
        if got != 1 {
            return Err(corrupt(format!(
                "libjpeg stopped at scanline {} of {}",
                cinfo.output_scanline, cinfo.output_height
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::jpeg_dct_chroma::tests::{neutral_chroma_stream, ycbcr_spec};
    use super::*;

    /// Where chroma is flat, libjpeg 9's DCT-domain upsampling and libjpeg-turbo's triangle
    /// filter agree, so this path must give exactly the library's own scanline output: that pins
    /// the luma layout (8×8 islow blocks read out of 16×16 cells) and the edge handling.
    #[test]
    fn neutral_chroma_matches_the_scanline_path() {
        let spec = ycbcr_spec();
        let stream = neutral_chroma_stream();
        let len = spec.decoded_len().unwrap();
        let mut ours = vec![0u8; len];
        let taken = super::super::jpeg_dct_chroma::decode_h2v2(&spec, &stream, &mut ours);
        assert!(matches!(taken, Some(Ok(()))), "4:2:0 path not taken");
        let mut reference = vec![0u8; len];
        run_libjpeg(&spec, &stream, &mut reference).unwrap();
        assert_eq!(ours, reference);
        // Not a trivial picture: grey (R = G = B) with real texture.
        assert!(ours.chunks_exact(3).all(|p| p[0] == p[1] && p[1] == p[2]));
        assert!(ours.iter().max().unwrap() - ours.iter().min().unwrap() > 100);
    }

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
