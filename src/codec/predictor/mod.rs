//! Byte order and the TIFF predictors, undone on a freshly decompressed chunk.
//!
//! A predictor makes data more compressible by storing differences instead of values:
//!
//! - **Predictor 2, horizontal differencing** (TIFF 6.0 §14): each sample is stored as its
//!   difference to the same sample of the pixel to its left, with integer wrap-around. It is
//!   defined on *sample values*, so the bytes are first swapped into native order, then each row
//!   is summed back up, per sample channel (stride = samples per pixel).
//! - **Predictor 3, floating point** (Adobe Photoshop TIFF technical note 3): each row of floats
//!   is split into byte planes — all most-significant bytes first, then the next, … — and the
//!   *bytes* are horizontally differenced (stride = samples per pixel). Undoing it means summing
//!   the bytes back up, then re-interleaving the planes. The planes are always most-significant
//!   first, whatever the file's byte order, so the result is assembled straight into native
//!   order and no byte swap follows (libtiff skips its swab step for this predictor too).
//!
//! Without a predictor, only the byte swap remains (for big-endian `MM` files on little-endian
//! machines and vice versa).

use super::{ChunkSpec, Error};

/// Turns the decompressed bytes of a chunk into native-order sample values, in place.
///
/// `buf` holds the whole chunk (`spec.height` rows of `spec.width * spec.samples` samples).
pub fn undo(spec: &ChunkSpec, buf: &mut [u8]) -> Result<(), Error> {
    let size = spec.dtype.size();
    let stride = spec.samples as usize;
    let row_len = (spec.width as usize)
        .checked_mul(stride)
        .and_then(|n| n.checked_mul(size))
        .ok_or_else(|| Error::BadSpec(format!("row of {} pixels overflows", spec.width)))?;
    if row_len == 0 || !buf.len().is_multiple_of(row_len) {
        return Err(Error::BadSpec(format!(
            "buffer of {} bytes is not whole rows of {row_len} bytes",
            buf.len()
        )));
    }
    let swap = spec.big_endian != cfg!(target_endian = "big");
    match spec.predictor {
        1 => {
            if swap {
                swap_bytes(buf, size);
            }
            Ok(())
        }
        2 => {
            horizontal_undo(buf, row_len, size, stride, swap);
            Ok(())
        }
        3 => {
            if !spec.dtype.is_float() {
                return Err(Error::UnsupportedFeature {
                    what: format!("floating-point predictor on {} samples", spec.dtype),
                });
            }
            let mut scratch = vec![0u8; row_len];
            match size {
                4 => float_undo::<4>(buf, row_len, stride, &mut scratch),
                // `is_float` lets only f32 and f64 through.
                _ => float_undo::<8>(buf, row_len, stride, &mut scratch),
            }
            Ok(())
        }
        other => Err(Error::UnsupportedFeature {
            what: format!("predictor {other}"),
        }),
    }
}

/// Reverses the bytes of every `size`-byte sample (a no-op for bytes).
pub(super) fn swap_bytes(buf: &mut [u8], size: usize) {
    match size {
        2 => swap_fixed::<2>(buf),
        4 => swap_fixed::<4>(buf),
        8 => swap_fixed::<8>(buf),
        _ => {}
    }
}

/// [`swap_bytes`] for one sample size: with `N` known the compiler turns the loop into byte
/// shuffles over whole vectors.
fn swap_fixed<const N: usize>(buf: &mut [u8]) {
    for sample in buf.chunks_exact_mut(N) {
        let mut b: [u8; N] = sample.try_into().unwrap_or([0; N]);
        b.reverse();
        sample.copy_from_slice(&b);
    }
}

// ---------------------------------------------------------------------------------------------
// Predictor 2
// ---------------------------------------------------------------------------------------------

/// Generates predictor 2's per-row accumulation `v[i] += v[i - stride]` (wrapping) for one
/// sample type, with the byte swap folded into the load.
///
/// `$fixed::<S, SWAP>` is the common case, the stride (samples per pixel) a constant: the `S`
/// running sums live in registers and the loop over a pixel's samples is unrolled. `$any`
/// handles other strides with the sums in a small vector.
macro_rules! horizontal_acc {
    ($fixed:ident, $any:ident, $t:ty) => {
        fn $fixed<const S: usize, const SWAP: bool>(row: &mut [u8]) {
            const N: usize = std::mem::size_of::<$t>();
            let mut acc: [$t; S] = [0; S];
            for pixel in row.chunks_exact_mut(N * S) {
                for (c, a) in pixel.chunks_exact_mut(N).zip(acc.iter_mut()) {
                    let v = <$t>::from_ne_bytes(c.try_into().unwrap_or([0; N]));
                    *a = a.wrapping_add(if SWAP { v.swap_bytes() } else { v });
                    c.copy_from_slice(&a.to_ne_bytes());
                }
            }
        }

        fn $any(row: &mut [u8], stride: usize, swap: bool) {
            const N: usize = std::mem::size_of::<$t>();
            let mut acc: Vec<$t> = vec![0; stride];
            for pixel in row.chunks_exact_mut(N * stride) {
                for (c, a) in pixel.chunks_exact_mut(N).zip(acc.iter_mut()) {
                    let v = <$t>::from_ne_bytes(c.try_into().unwrap_or([0; N]));
                    *a = a.wrapping_add(if swap { v.swap_bytes() } else { v });
                    c.copy_from_slice(&a.to_ne_bytes());
                }
            }
        }
    };
}
horizontal_acc!(acc8_fixed, acc8_any, u8);
horizontal_acc!(acc16_fixed, acc16_any, u16);
horizontal_acc!(acc32_fixed, acc32_any, u32);
horizontal_acc!(acc64_fixed, acc64_any, u64);

/// Picks the specialisation of one `acc*` family for a stride and byte order.
macro_rules! dispatch_acc {
    ($fixed:ident, $any:ident, $rows:expr, $row_len:expr, $stride:expr, $swap:expr) => {{
        let f: fn(&mut [u8]) = match ($stride, $swap) {
            (1, false) => $fixed::<1, false>,
            (1, true) => $fixed::<1, true>,
            (2, false) => $fixed::<2, false>,
            (2, true) => $fixed::<2, true>,
            (3, false) => $fixed::<3, false>,
            (3, true) => $fixed::<3, true>,
            (4, false) => $fixed::<4, false>,
            (4, true) => $fixed::<4, true>,
            (stride, swap) => {
                for row in $rows.chunks_exact_mut($row_len) {
                    $any(row, stride, swap);
                }
                return;
            }
        };
        for row in $rows.chunks_exact_mut($row_len) {
            f(row);
        }
    }};
}

/// Undoes predictor 2 on whole rows of samples stored in the file's byte order (`swap`: not
/// the machine's), leaving native-order values.
fn horizontal_undo(buf: &mut [u8], row_len: usize, size: usize, stride: usize, swap: bool) {
    match size {
        1 => dispatch_acc!(acc8_fixed, acc8_any, buf, row_len, stride, false),
        #[cfg(target_arch = "x86_64")]
        // Strides 1 and 2 (one-band DEMs, band pairs); at stride 4 the compiler already
        // vectorises `acc16_fixed` across the pixel's four sums, as fast as the scan.
        2 if matches!(stride, 1 | 2) => {
            let f: fn(&mut [u8]) = match (stride, swap) {
                (1, false) => sse2::scan16::<1, false>,
                (1, true) => sse2::scan16::<1, true>,
                (2, false) => sse2::scan16::<2, false>,
                _ => sse2::scan16::<2, true>,
            };
            for row in buf.chunks_exact_mut(row_len) {
                f(row);
            }
        }
        2 => dispatch_acc!(acc16_fixed, acc16_any, buf, row_len, stride, swap),
        4 => dispatch_acc!(acc32_fixed, acc32_any, buf, row_len, stride, swap),
        _ => dispatch_acc!(acc64_fixed, acc64_any, buf, row_len, stride, swap),
    }
}

// ---------------------------------------------------------------------------------------------
// Predictor 3
// ---------------------------------------------------------------------------------------------

/// Undoes predictor 3 on whole rows of `N`-byte floats: for each row, sum the bytes back up
/// into `scratch` (one row long), then gather the byte planes (most significant first) from
/// there into native-order samples in the row.
fn float_undo<const N: usize>(buf: &mut [u8], row_len: usize, stride: usize, scratch: &mut [u8]) {
    for row in buf.chunks_exact_mut(row_len) {
        match stride {
            1 => prefix_sum::<1>(row, scratch),
            2 => prefix_sum::<2>(row, scratch),
            4 => prefix_sum::<4>(row, scratch),
            8 => prefix_sum::<8>(row, scratch),
            _ => prefix_sum_any(row, scratch, stride),
        }
        match N {
            4 => gather4(scratch, row),
            _ => gather8(scratch, row),
        }
    }
}

/// Running byte sums with stride `S` (`S` divides 16): SSE2 on x86-64 (every x86-64 CPU has
/// it), the portable blocked scan elsewhere.
fn prefix_sum<const S: usize>(src: &[u8], dst: &mut [u8]) {
    #[cfg(target_arch = "x86_64")]
    sse2::prefix_sum::<S>(src, dst);
    #[cfg(not(target_arch = "x86_64"))]
    prefix_sum_blocked::<S>(src, dst);
}

/// Four byte planes to `f32`-sized samples.
fn gather4(planes: &[u8], row: &mut [u8]) {
    #[cfg(target_arch = "x86_64")]
    sse2::gather4(planes, row);
    #[cfg(not(target_arch = "x86_64"))]
    gather::<4>(planes, row);
}

/// Eight byte planes to `f64`-sized samples.
fn gather8(planes: &[u8], row: &mut [u8]) {
    #[cfg(target_arch = "x86_64")]
    sse2::gather8(planes, row);
    #[cfg(not(target_arch = "x86_64"))]
    gather::<8>(planes, row);
}

/// Width of the blocks the byte scans and gathers work on: one SSE2/NEON register.
const BLOCK: usize = 16;

/// `dst[i] = src[i] + dst[i - S]` (wrapping bytes, `dst[i] = src[i]` for `i < S`), 16 bytes at
/// a time: within a block, the classic log-step scan (add the block shifted by `S`, `2S`, `4S`,
/// `8S` bytes), then add the running sums carried over from the previous block. `S` must
/// divide 16, so that byte `j` of every block belongs to residue class `j % S`. This is the
/// portable form of [`sse2::prefix_sum`]; LLVM does not find the vector shifts in it by itself.
#[cfg(any(test, not(target_arch = "x86_64")))]
fn prefix_sum_blocked<const S: usize>(src: &[u8], dst: &mut [u8]) {
    // carry[j]: the running sum of residue class j % S so far.
    let mut carry = [0u8; BLOCK];
    let mut src_blocks = src.chunks_exact(BLOCK);
    let mut dst_blocks = dst.chunks_exact_mut(BLOCK);
    for (s, d) in (&mut src_blocks).zip(&mut dst_blocks) {
        let mut v: [u8; BLOCK] = s.try_into().unwrap_or([0; BLOCK]);
        let mut k = S;
        while k < BLOCK {
            let mut shifted = [0u8; BLOCK];
            shifted[k..].copy_from_slice(&v[..BLOCK - k]);
            for (a, b) in v.iter_mut().zip(shifted) {
                *a = a.wrapping_add(b);
            }
            k *= 2;
        }
        for (a, c) in v.iter_mut().zip(carry) {
            *a = a.wrapping_add(c);
        }
        carry = std::array::from_fn(|j| v[BLOCK - S + j % S]);
        d.copy_from_slice(&v);
    }
    // The row's last bytes (fewer than a block), one at a time from the carried sums. Blocks
    // are whole multiples of S, so byte j here is still in residue class j % S.
    let tail = src_blocks.remainder().iter();
    for (j, (s, d)) in tail.zip(dst_blocks.into_remainder()).enumerate() {
        let c = &mut carry[j % S];
        *c = c.wrapping_add(*s);
        *d = *c;
    }
}

/// [`prefix_sum_blocked`] for strides that do not divide 16: one byte at a time.
fn prefix_sum_any(src: &[u8], dst: &mut [u8], stride: usize) {
    let head = stride.min(src.len());
    if let (Some(s), Some(d)) = (src.get(..head), dst.get_mut(..head)) {
        d.copy_from_slice(s);
    }
    for i in head..src.len().min(dst.len()) {
        dst[i] = src[i].wrapping_add(dst[i - stride]);
    }
}

/// Re-interleaves `N` byte planes (most significant first, each `row.len() / N` bytes long)
/// from `planes` into native-order `N`-byte samples in `row`.
///
/// Sixteen samples at a time; the portable form of [`sse2::gather4`] and [`sse2::gather8`].
#[cfg(any(test, not(target_arch = "x86_64")))]
fn gather<const N: usize>(planes: &[u8], row: &mut [u8]) {
    let count = row.len() / N;
    let planes: [&[u8]; N] =
        std::array::from_fn(|p| planes.get(p * count..(p + 1) * count).unwrap_or(&[]));
    // Byte p of a sample's big-endian form goes to index `at(p)` of its native form.
    let at = |p: usize| {
        if cfg!(target_endian = "little") {
            N - 1 - p
        } else {
            p
        }
    };
    let mut out_blocks = row.chunks_exact_mut(BLOCK * N);
    for (b, out) in (&mut out_blocks).enumerate() {
        let cols: [[u8; BLOCK]; N] = std::array::from_fn(|p| {
            planes[p]
                .get(b * BLOCK..(b + 1) * BLOCK)
                .and_then(|s| s.try_into().ok())
                .unwrap_or([0; BLOCK])
        });
        for (i, sample) in out.chunks_exact_mut(N).enumerate() {
            for (p, col) in cols.iter().enumerate() {
                sample[at(p)] = col[i];
            }
        }
    }
    let done = count - count % BLOCK;
    for (i, sample) in out_blocks.into_remainder().chunks_exact_mut(N).enumerate() {
        for (p, plane) in planes.iter().enumerate() {
            sample[at(p)] = plane.get(done + i).copied().unwrap_or(0);
        }
    }
}

/// Predictor 3's two loops in SSE2 (see the module).
#[cfg(target_arch = "x86_64")]
mod sse2;

#[cfg(test)]
mod tests;
