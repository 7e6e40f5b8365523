//! Zstandard (compression 50000, a GDAL/libtiff extension).
//!
//! The decoded size is known, so the frame is decompressed in one call into the output buffer
//! (`zstd::bulk`, which fails rather than writing past the buffer's end).

use super::Error;

/// Decompresses a zstd frame into `out`, filling it exactly.
pub(crate) fn decode(input: &[u8], out: &mut [u8]) -> Result<(), Error> {
    let got = ::zstd::bulk::decompress_to_buffer(input, out).map_err(|e| Error::Corrupt {
        codec: "zstd",
        reason: e.to_string(),
    })?;
    if got != out.len() {
        return Err(Error::WrongSize {
            expected: out.len(),
            got,
        });
    }
    Ok(())
}

/// Decompresses a zstd frame of unknown size, refusing to produce more than `limit` bytes.
pub(crate) fn decode_bounded(input: &[u8], limit: usize) -> Result<Vec<u8>, Error> {
    ::zstd::bulk::decompress(input, limit).map_err(|e| Error::Corrupt {
        codec: "zstd",
        reason: e.to_string(),
    })
}
