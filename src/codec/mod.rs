//! Codecs: one compressed TIFF chunk (tile or strip) in, native samples out.
//!
//! A chunk is the unit of storage in a TIFF: a tile of `TileWidth × TileLength` pixels (or a
//! strip of `RowsPerStrip` rows), compressed on its own. Decoding is pure CPU work with no I/O:
//! [`decode`] takes the compressed bytes and a [`ChunkSpec`] describing how they were written,
//! and fills a pre-sized buffer. That makes it easy to fuzz, bench, and run on a blocking pool.
//!
//! The output layout is always: pixel-interleaved samples (`spec.samples` per pixel, row-major),
//! each sample in the machine's native byte order, `spec.width * spec.height` pixels (the full
//! chunk, even for edge chunks that extend past the image). 1-bit data (masks) is expanded to one
//! byte per pixel holding 0 or 1.
//!
//! Decoding a chunk happens in up to three steps, the same ones libtiff runs:
//!
//! 1. **Decompression.** Generic byte-stream codecs (none, PackBits, LZW, deflate, zstd) give
//!    back the bytes exactly as the writer laid them out: samples in the *file's* byte order,
//!    possibly still differenced by a predictor. Image codecs (JPEG, WebP, LERC) give back
//!    finished pixel values and skip the next steps.
//! 2. **Byte order and predictor** ([`predictor`]): horizontal differencing (predictor 2) is
//!    undone on native integers after a byte swap; the floating-point predictor (3) is undone on
//!    the stored byte planes and yields native floats directly, whatever the file's byte order.
//! 3. **Bit unpacking** ([`bits`]): 1-bit rows (internal masks) become one byte per pixel.
//!
//! Every step writes into a buffer whose size was fixed from the spec before decoding started:
//! a stream that ends early is an error ([`Error::WrongSize`]), and a stream that holds more than
//! the chunk is cut at the chunk's size, never grown (libtiff does the same: it only ever asks a
//! codec for the bytes of the chunk).

use std::sync::Arc;

use crate::raster::DataType;

mod bits;
mod deflate;
mod jpeg;
mod lerc;
mod lzw;
mod packbits;
pub mod predictor;
mod webp;
mod zstd;

#[cfg(test)]
mod tests;

/// TIFF `Compression` tag values this module understands.
pub mod compression {
    pub const NONE: u16 = 1;
    pub const LZW: u16 = 5;
    pub const OJPEG: u16 = 6;
    pub const JPEG: u16 = 7;
    pub const ADOBE_DEFLATE: u16 = 8;
    pub const PACKBITS: u16 = 32773;
    pub const DEFLATE: u16 = 32946;
    pub const LERC: u16 = 34887;
    pub const ZSTD: u16 = 50000;
    pub const WEBP: u16 = 50001;
}

/// Everything needed to decode one chunk.
#[derive(Clone, Debug)]
pub struct ChunkSpec {
    /// TIFF `Compression` value (see [`compression`]).
    pub compression: u16,
    /// TIFF `Predictor`: 1 none, 2 horizontal differencing, 3 floating point.
    pub predictor: u16,
    /// Sample type; `None` with `bits_per_sample == 1` for bilevel masks.
    pub dtype: DataType,
    /// Bits per sample as stored (1 for masks, else `dtype.size() * 8`).
    pub bits_per_sample: u16,
    /// Samples per pixel in this chunk (all bands when chunky, 1 when planar-separate).
    pub samples: u16,
    /// Chunk size in pixels (tile size, or image width × rows in this strip).
    pub width: u32,
    pub height: u32,
    /// TIFF `PhotometricInterpretation` (6 = YCbCr matters for JPEG).
    pub photometric: u16,
    /// True when the file is big-endian (`MM`).
    pub big_endian: bool,
    /// Contents of the `JPEGTables` tag, shared by all JPEG chunks of an IFD.
    pub jpeg_tables: Option<Arc<[u8]>>,
    /// `LercParameters` tag: `[version, additional compression (0 none, 1 deflate, 2 zstd)]`.
    pub lerc_parameters: Option<Arc<[u32]>>,
}

impl ChunkSpec {
    /// Size in bytes of the decoded chunk ([`decode`]'s output).
    pub fn decoded_len(&self) -> Option<usize> {
        let pixels = (self.width as usize).checked_mul(self.height as usize)?;
        let per_pixel = if self.bits_per_sample == 1 {
            1
        } else {
            self.dtype.size().checked_mul(self.samples as usize)?
        };
        pixels.checked_mul(per_pixel)
    }

    /// Size in bytes of one row as the byte-stream codecs store it (before bit unpacking).
    fn stored_row_len(&self) -> Option<usize> {
        let samples_per_row = (self.width as usize).checked_mul(self.samples as usize)?;
        if self.bits_per_sample == 1 {
            // TIFF pads every row of sub-byte samples to a whole byte.
            Some(samples_per_row.div_ceil(8))
        } else {
            samples_per_row.checked_mul(self.dtype.size())
        }
    }

    /// Size in bytes of the whole chunk as the byte-stream codecs store it.
    fn stored_len(&self) -> Option<usize> {
        self.stored_row_len()?.checked_mul(self.height as usize)
    }

    /// Number of pixels in the chunk.
    fn pixels(&self) -> Option<usize> {
        (self.width as usize).checked_mul(self.height as usize)
    }

    /// Rejects sample layouts no codec here can produce, before any work is done.
    fn check(&self) -> Result<(), Error> {
        if self.samples == 0 || self.width == 0 || self.height == 0 {
            return Err(Error::BadSpec(format!(
                "empty chunk: {}x{} pixels with {} samples",
                self.width, self.height, self.samples
            )));
        }
        match self.bits_per_sample {
            1 if self.samples == 1 => Ok(()),
            1 => Err(Error::UnsupportedFeature {
                what: format!("1-bit data with {} samples per pixel", self.samples),
            }),
            b if b as usize == self.dtype.size() * 8 => Ok(()),
            b => Err(Error::UnsupportedFeature {
                what: format!("{b} bits per sample for {} samples", self.dtype),
            }),
        }
    }
}

/// Why a chunk could not be decoded. Kept as this type up to the HTTP edge
/// (`src/server/error_map.rs`), where an unsupported compression or feature is a 501 and a
/// corrupt chunk a 500.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    #[error("corrupt {codec} data: {reason}")]
    Corrupt { codec: &'static str, reason: String },
    #[error("unsupported compression {compression}")]
    Unsupported { compression: u16 },
    #[error("unsupported {what}")]
    UnsupportedFeature { what: String },
    #[error("decoded chunk has {got} bytes, expected {expected}")]
    WrongSize { expected: usize, got: usize },
    /// The spec or the buffers handed in do not fit together (a caller bug or absurd header).
    #[error("invalid chunk spec: {0}")]
    BadSpec(String),
}

/// Decodes one chunk into `out` (exactly [`ChunkSpec::decoded_len`] bytes, see module docs).
pub fn decode(spec: &ChunkSpec, input: &[u8], out: &mut [u8]) -> Result<(), Error> {
    decode_with_mask(spec, input, out, None).map(|_| ())
}

/// Like [`decode`], and also hands back a validity mask when the chunk carries its own.
///
/// Only LERC stores one (a bit per pixel; libtiff writes NaN floats and GDAL's 8-bit alpha
/// into it). When the chunk has a mask that is not all-valid, `mask_out` (`width * height`
/// bytes) is filled with 255 for valid and 0 for invalid pixels — the convention of
/// [`crate::raster`] — and `true` is returned. Otherwise `mask_out` is left untouched and
/// `false` is returned, meaning "every pixel valid as far as the codec knows". GDAL itself does
/// not turn this mask into a dataset mask (invalid floats simply read as NaN), so a reader that
/// wants GDAL's answers should not either; it is here for readers that want more.
pub fn decode_with_mask(
    spec: &ChunkSpec,
    input: &[u8],
    out: &mut [u8],
    mask_out: Option<&mut [u8]>,
) -> Result<bool, Error> {
    spec.check()?;
    let expected = spec.decoded_len().ok_or_else(|| {
        Error::BadSpec(format!("chunk of {}x{} overflows", spec.width, spec.height))
    })?;
    if out.len() != expected {
        return Err(Error::BadSpec(format!(
            "output buffer has {} bytes, chunk needs {expected}",
            out.len()
        )));
    }
    if let Some(mask) = &mask_out {
        let pixels = spec.pixels().unwrap_or(usize::MAX);
        if mask.len() != pixels {
            return Err(Error::BadSpec(format!(
                "mask buffer has {} bytes, chunk has {pixels} pixels",
                mask.len()
            )));
        }
    }
    use compression::*;
    match spec.compression {
        NONE | PACKBITS | LZW | ADOBE_DEFLATE | DEFLATE | ZSTD => {
            decode_stream(spec, input, out)?;
            Ok(false)
        }
        JPEG => jpeg::decode(spec, input, out).map(|()| false),
        WEBP => webp::decode(spec, input, out).map(|()| false),
        LERC => {
            let masked = lerc::decode(spec, input, out, mask_out)?;
            // libtiff byte-swaps the samples of a big-endian file before its LERC encoder sees
            // them (and after its decoder): the blob holds byte-swapped numbers
            if spec.big_endian {
                predictor::swap_bytes(out, spec.dtype.size());
            }
            Ok(masked)
        }
        OJPEG => Err(Error::UnsupportedFeature {
            what: "old-style jpeg (compression 6); re-encode the file with compression 7".into(),
        }),
        other => Err(Error::Unsupported { compression: other }),
    }
}

/// Runs one of the generic byte-stream codecs into `buf`, which must hold exactly the stored
/// bytes of the chunk.
fn decompress(compression: u16, input: &[u8], buf: &mut [u8]) -> Result<(), Error> {
    use compression::*;
    match compression {
        NONE => copy_raw(input, buf),
        PACKBITS => packbits::decode(input, buf),
        LZW => lzw::decode(input, buf),
        ADOBE_DEFLATE | DEFLATE => deflate::decode(input, buf),
        ZSTD => zstd::decode(input, buf),
        other => Err(Error::Unsupported { compression: other }),
    }
}

/// Byte-stream codecs: decompress, then fix byte order / undo the predictor, or unpack bits.
fn decode_stream(spec: &ChunkSpec, input: &[u8], out: &mut [u8]) -> Result<(), Error> {
    if spec.bits_per_sample == 1 {
        if spec.predictor != 1 {
            return Err(Error::UnsupportedFeature {
                what: format!("predictor {} on 1-bit data", spec.predictor),
            });
        }
        let stored = spec
            .stored_len()
            .ok_or_else(|| Error::BadSpec("1-bit chunk size overflows".into()))?;
        let mut packed = vec![0u8; stored];
        decompress(spec.compression, input, &mut packed)?;
        bits::unpack_rows(&packed, spec.width as usize, out);
        return Ok(());
    }
    decompress(spec.compression, input, out)?;
    predictor::undo(spec, out)
}

/// Uncompressed chunks: the bytes are the samples. A longer input (padding) is cut.
fn copy_raw(input: &[u8], buf: &mut [u8]) -> Result<(), Error> {
    let src = input.get(..buf.len()).ok_or(Error::WrongSize {
        expected: buf.len(),
        got: input.len(),
    })?;
    buf.copy_from_slice(src);
    Ok(())
}
