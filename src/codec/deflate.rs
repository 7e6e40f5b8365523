//! Deflate (compression 8 "Adobe deflate" and 32946 "deflate"): zlib-wrapped DEFLATE streams.
//!
//! Both tag values mean the same bytes (32946 is the pre-standard number). The chunk's decoded
//! size is known up front, so the stream is inflated straight into the output buffer with
//! `flate2`'s low-level [`Decompress`] (zlib-rs backend): no intermediate `Vec`, no growth.

use flate2::{Decompress, FlushDecompress, Status};

use super::Error;

/// Inflates a zlib stream into `out`, filling it exactly.
///
/// A stream that ends before `out` is full is [`Error::WrongSize`]; one that holds more is cut
/// (libtiff only ever inflates the chunk's bytes too).
pub(crate) fn decode(input: &[u8], out: &mut [u8]) -> Result<(), Error> {
    let mut z = Decompress::new(true);
    loop {
        let in_pos = z.total_in() as usize;
        let out_pos = z.total_out() as usize;
        let (Some(src), Some(dst)) = (input.get(in_pos..), out.get_mut(out_pos..)) else {
            break;
        };
        if dst.is_empty() {
            break;
        }
        let status = z
            .decompress(src, dst, FlushDecompress::Finish)
            .map_err(|e| Error::Corrupt {
                codec: "deflate",
                reason: e.to_string(),
            })?;
        let progressed = z.total_in() as usize != in_pos || z.total_out() as usize != out_pos;
        match status {
            Status::StreamEnd => break,
            Status::Ok | Status::BufError if progressed => continue,
            Status::Ok | Status::BufError => break,
        }
    }
    let got = z.total_out() as usize;
    if got < out.len() {
        return Err(Error::WrongSize {
            expected: out.len(),
            got,
        });
    }
    Ok(())
}

/// Inflates a zlib stream of unknown decoded size, refusing to grow past `limit` bytes.
///
/// Used for LERC blobs wrapped in deflate, whose size is only known after decoding.
pub(crate) fn decode_bounded(input: &[u8], limit: usize) -> Result<Vec<u8>, Error> {
    let mut z = Decompress::new(true);
    let mut buf = Vec::with_capacity(limit.min(input.len().saturating_mul(4)).max(1024));
    loop {
        if buf.len() == buf.capacity() {
            if buf.len() >= limit {
                return Err(Error::Corrupt {
                    codec: "deflate",
                    reason: format!("stream inflates past the limit of {limit} bytes"),
                });
            }
            let extra = buf.capacity().min(limit - buf.len()).max(1);
            buf.reserve_exact(extra);
        }
        let in_pos = z.total_in() as usize;
        let out_before = buf.len();
        let src = input.get(in_pos..).unwrap_or(&[]);
        let status = z
            .decompress_vec(src, &mut buf, FlushDecompress::Finish)
            .map_err(|e| Error::Corrupt {
                codec: "deflate",
                reason: e.to_string(),
            })?;
        match status {
            Status::StreamEnd => return Ok(buf),
            _ if z.total_in() as usize == in_pos && buf.len() == out_before => {
                return Err(Error::Corrupt {
                    codec: "deflate",
                    reason: format!("stream truncated after {} bytes of output", buf.len()),
                })
            }
            _ => {}
        }
    }
}
