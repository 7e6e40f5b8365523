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

use std::sync::Arc;

use crate::raster::DataType;

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
}

/// Why a chunk could not be decoded.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("corrupt {codec} data: {reason}")]
    Corrupt { codec: &'static str, reason: String },
    #[error("unsupported compression {compression}")]
    Unsupported { compression: u16 },
    #[error("unsupported {what}")]
    UnsupportedFeature { what: String },
    #[error("decoded chunk has {got} bytes, expected {expected}")]
    WrongSize { expected: usize, got: usize },
}

/// Decodes one chunk into `out` (exactly [`ChunkSpec::decoded_len`] bytes, see module docs).
pub fn decode(spec: &ChunkSpec, input: &[u8], out: &mut [u8]) -> Result<(), Error> {
    let _ = (spec, input, out);
    Err(Error::Unsupported {
        compression: spec.compression,
    })
}
