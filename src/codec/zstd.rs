//! Zstandard (compression 50000, a GDAL/libtiff extension).
//!
//! The decoded size is known, so the frame is decompressed in one call into the output buffer,
//! which fails rather than writing past the buffer's end: the C library (`zstd::bulk`) in the
//! default build, `ruzstd` in the pure-Rust one (`--no-default-features`).

use super::Error;

fn corrupt(e: impl std::fmt::Display) -> Error {
    Error::Corrupt {
        codec: "zstd",
        reason: e.to_string(),
    }
}

/// Decompresses a zstd frame into `out`, filling it exactly.
pub(crate) fn decode(input: &[u8], out: &mut [u8]) -> Result<(), Error> {
    #[cfg(feature = "c-codecs")]
    let got = ::zstd::bulk::decompress_to_buffer(input, out).map_err(corrupt)?;
    #[cfg(not(feature = "c-codecs"))]
    let got = ruzstd::decoding::FrameDecoder::new()
        .decode_all(input, out)
        .map_err(corrupt)?;
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
    #[cfg(feature = "c-codecs")]
    {
        ::zstd::bulk::decompress(input, limit).map_err(corrupt)
    }
    #[cfg(not(feature = "c-codecs"))]
    {
        use std::io::Read;
        let mut source = input;
        let decoder = ruzstd::decoding::StreamingDecoder::new(&mut source).map_err(corrupt)?;
        let mut out = Vec::new();
        // One byte past the limit tells "exactly at the limit" from "over it".
        decoder
            .take(limit as u64 + 1)
            .read_to_end(&mut out)
            .map_err(corrupt)?;
        if out.len() > limit {
            return Err(corrupt(format!(
                "frame decompresses past the limit of {limit} bytes"
            )));
        }
        Ok(out)
    }
}
