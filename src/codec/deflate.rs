//! Deflate (compression 8 "Adobe deflate" and 32946 "deflate"): zlib-wrapped DEFLATE streams.
//!
//! Both tag values mean the same bytes (32946 is the pre-standard number). The chunk's decoded
//! size is known up front, which is exactly the case libdeflate is built for: one call inflates
//! the whole stream into the output buffer, without zlib's resumable state machine (1.2–1.6× the
//! speed of zlib-rs on the corpus chunks). GDAL's libtiff takes the same shortcut when it is
//! built with libdeflate.
//!
//! libdeflate is all or nothing, so two cases go to the streaming inflater (`flate2` with the
//! zlib-rs backend), which keeps the semantics this module has always had:
//!
//! - a stream that holds *more* than the chunk (libdeflate: "insufficient space") is cut at the
//!   chunk's size, as libtiff does (it only ever asks for the chunk's bytes);
//! - a stream libdeflate calls bad is re-read by zlib, which names the problem, and which
//!   accepts a stream whose data is complete but whose trailing checksum is cut off (libtiff's
//!   zlib loop stops as soon as the chunk is full).
//!
//! A well-formed stream shorter than the chunk is [`Error::WrongSize`] either way.
//!
//! The pure-Rust build (without the `c-codecs` feature) has no libdeflate and always streams.

#[cfg(feature = "c-codecs")]
use std::cell::RefCell;

use flate2::{Decompress, FlushDecompress, Status};
#[cfg(feature = "c-codecs")]
use libdeflater::Decompressor;

use super::Error;

#[cfg(feature = "c-codecs")]
thread_local! {
    /// One libdeflate decompressor per thread: it is a ~10 KiB scratch table, reused so a small
    /// chunk does not pay an allocation.
    static LIBDEFLATE: RefCell<Option<Decompressor>> = const { RefCell::new(None) };
}

/// Inflates a zlib stream into `out`, filling it exactly.
///
/// A stream that ends before `out` is full is [`Error::WrongSize`]; one that holds more is cut
/// (libtiff only ever inflates the chunk's bytes too).
#[cfg(feature = "c-codecs")]
pub(crate) fn decode(input: &[u8], out: &mut [u8]) -> Result<(), Error> {
    let fast = LIBDEFLATE.with(|cell| {
        let mut slot = cell.borrow_mut();
        let decompressor = slot.get_or_insert_with(Decompressor::new);
        decompressor.zlib_decompress(input, out)
    });
    match fast {
        Ok(got) if got == out.len() => Ok(()),
        Ok(got) => Err(Error::WrongSize {
            expected: out.len(),
            got,
        }),
        // Longer than the chunk, or bad: see the module docs. `out` may hold partial output,
        // which the streaming pass overwrites from the start.
        Err(_) => decode_streaming(input, out),
    }
}

/// Inflates a zlib stream into `out`, filling it exactly (the pure-Rust build: see the module
/// docs).
#[cfg(not(feature = "c-codecs"))]
pub(crate) fn decode(input: &[u8], out: &mut [u8]) -> Result<(), Error> {
    decode_streaming(input, out)
}

/// The streaming path: zlib-rs, stopping as soon as `out` is full.
fn decode_streaming(input: &[u8], out: &mut [u8]) -> Result<(), Error> {
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

#[cfg(test)]
mod tests {
    use std::io::Write;

    use proptest::prelude::*;

    use super::*;

    fn zlib(data: &[u8], level: u32) -> Vec<u8> {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(level));
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    /// Compressible bytes with some structure: runs, ramps and noise from a seed.
    fn data(seed: u64, len: usize) -> Vec<u8> {
        let mut x = seed | 1;
        (0..len)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                match (i / 97) % 3 {
                    0 => (i / 5) as u8,
                    1 => (x % 4) as u8,
                    _ => x as u8,
                }
            })
            .collect()
    }

    /// The one-shot and the streaming path give the same answer: the same bytes, or the same
    /// error (by its message). `decode` must never change a result, only its speed.
    fn same_answer(input: &[u8], len: usize) -> Result<Vec<u8>, String> {
        let mut fast = vec![0u8; len];
        let mut slow = vec![0u8; len];
        let a = decode(input, &mut fast).map(|()| fast);
        let b = decode_streaming(input, &mut slow).map(|()| slow);
        let (a, b) = (a.map_err(|e| e.to_string()), b.map_err(|e| e.to_string()));
        assert_eq!(a, b);
        a
    }

    #[test]
    fn exact_short_long_and_checksum_cases_match_the_streaming_path() {
        let raw = data(7, 40_000);
        let z = zlib(&raw, 6);
        assert_eq!(same_answer(&z, raw.len()).unwrap(), raw);
        // More than the chunk: cut (libdeflate says "insufficient space", zlib fills it).
        assert_eq!(same_answer(&z, 30_000).unwrap(), &raw[..30_000]);
        // Less than the chunk: the size error, with what was there.
        let err = same_answer(&z, 50_000).unwrap_err();
        assert!(err.contains("40000"), "{err}");
        // Data complete, checksum cut off: accepted, as libtiff's zlib loop does.
        assert_eq!(same_answer(&z[..z.len() - 4], raw.len()).unwrap(), raw);
        // A wrong checksum on complete data is zlib's call, whatever it is.
        let mut bad_sum = z.clone();
        let last = bad_sum.len() - 1;
        bad_sum[last] ^= 1;
        let _ = same_answer(&bad_sum, raw.len());
        // Not zlib at all.
        let err = same_answer(b"definitely not a zlib stream", 100).unwrap_err();
        assert!(err.starts_with("corrupt deflate data"), "{err}");
        assert!(same_answer(&[], 10).is_err());
    }

    #[test]
    fn stored_and_fixed_blocks_decode() {
        // Level 0 writes stored blocks, level 1 fixed Huffman codes on short inputs.
        for level in [0, 1, 9] {
            for len in [1, 2, 100, 65_535, 65_536, 70_000] {
                let raw = data(len as u64, len);
                assert_eq!(same_answer(&zlib(&raw, level), len).unwrap(), raw);
            }
        }
    }

    proptest! {
        #[test]
        fn corrupt_streams_get_the_streaming_answer(
            seed in any::<u64>(),
            len in 1usize..20_000,
            flips in proptest::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 0..4),
            cut in any::<prop::sample::Index>(),
            size_delta in -3i64..3,
        ) {
            let raw = data(seed, len);
            let mut z = zlib(&raw, 6);
            // Leave the 2-byte header alone: a smaller declared window is something zlib
            // enforces on distances and libdeflate ignores (a difference only a hand-made
            // stream can show, and not one this test is about).
            for (at, x) in flips {
                let i = 2 + at.index(z.len() - 2);
                z[i] ^= x;
            }
            let keep = if cut.index(4) == 0 { cut.index(z.len() + 1) } else { z.len() };
            let out_len = (len as i64 + size_delta).max(1) as usize;
            let _ = same_answer(&z[..keep], out_len);
        }
    }
}
