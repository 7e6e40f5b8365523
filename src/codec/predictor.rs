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
    if row_len == 0 || buf.len() % row_len != 0 {
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

/// Predictor 3's two loops written with SSE2, which every x86-64 CPU has.
///
/// Both are shuffles of whole 16-byte registers that LLVM does not derive from the portable
/// loops above (it keeps moving single bytes), so they are spelled out. The only unsafe parts
/// are unaligned loads and stores, each from or to a 16-byte block taken with `chunks_exact`
/// or a checked `get`, so always in bounds.
#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::*;

    use super::BLOCK;

    /// See [`super::prefix_sum_blocked`]: log-step scan in a register, plus the carried sums.
    pub(super) fn prefix_sum<const S: usize>(src: &[u8], dst: &mut [u8]) {
        let mut src_blocks = src.chunks_exact(BLOCK);
        let mut dst_blocks = dst.chunks_exact_mut(BLOCK);
        let mut carry_bytes = [0u8; BLOCK];
        // SAFETY: each load reads the 16 bytes of a `chunks_exact(16)` block and each store
        // writes the 16 bytes of a `chunks_exact_mut(16)` block; SSE2 is part of x86-64.
        unsafe {
            let mut carry = _mm_setzero_si128();
            for (s, d) in (&mut src_blocks).zip(&mut dst_blocks) {
                let mut v = _mm_loadu_si128(s.as_ptr().cast());
                if S <= 1 {
                    v = _mm_add_epi8(v, _mm_slli_si128::<1>(v));
                }
                if S <= 2 {
                    v = _mm_add_epi8(v, _mm_slli_si128::<2>(v));
                }
                if S <= 4 {
                    v = _mm_add_epi8(v, _mm_slli_si128::<4>(v));
                }
                if S <= 8 {
                    v = _mm_add_epi8(v, _mm_slli_si128::<8>(v));
                }
                v = _mm_add_epi8(v, carry);
                _mm_storeu_si128(d.as_mut_ptr().cast(), v);
                // The last S bytes of the block, repeated over the register.
                carry = match S {
                    1 => {
                        let hi = _mm_unpackhi_epi8(v, v);
                        _mm_shuffle_epi32::<0xFF>(_mm_shufflehi_epi16::<0xFF>(hi))
                    }
                    2 => _mm_shuffle_epi32::<0xFF>(_mm_shufflehi_epi16::<0xFF>(v)),
                    4 => _mm_shuffle_epi32::<0xFF>(v),
                    _ => _mm_shuffle_epi32::<0xEE>(v),
                };
            }
            _mm_storeu_si128(carry_bytes.as_mut_ptr().cast(), carry);
        }
        // Fewer than 16 bytes left: one at a time, from the carried sums (residue j % S).
        let tail = src_blocks.remainder().iter();
        for (j, (s, d)) in tail.zip(dst_blocks.into_remainder()).enumerate() {
            let c = &mut carry_bytes[j % S];
            *c = c.wrapping_add(*s);
            *d = *c;
        }
    }

    /// Predictor 2 on 16-bit samples with stride `S` (1, 2 or 4), in place, byte swap
    /// included: the same log-step scan as [`prefix_sum`], on 16-bit lanes. A running sum one
    /// sample at a time is bound by its chain of dependent adds; this does 8 samples in a few
    /// independent vector operations, and only the carried sums are serial.
    pub(super) fn scan16<const S: usize, const SWAP: bool>(row: &mut [u8]) {
        let mut blocks = row.chunks_exact_mut(BLOCK);
        let mut carry_bytes = [0u8; BLOCK];
        // SAFETY: each load and store covers exactly one `chunks_exact_mut(16)` block; SSE2 is
        // part of x86-64.
        unsafe {
            let mut carry = _mm_setzero_si128();
            for d in &mut blocks {
                let mut v = _mm_loadu_si128(d.as_ptr().cast());
                if SWAP {
                    v = _mm_or_si128(_mm_slli_epi16::<8>(v), _mm_srli_epi16::<8>(v));
                }
                if S <= 1 {
                    v = _mm_add_epi16(v, _mm_slli_si128::<2>(v));
                }
                if S <= 2 {
                    v = _mm_add_epi16(v, _mm_slli_si128::<4>(v));
                }
                v = _mm_add_epi16(v, _mm_slli_si128::<8>(v));
                v = _mm_add_epi16(v, carry);
                _mm_storeu_si128(d.as_mut_ptr().cast(), v);
                // The last S samples of the block, repeated over the register.
                carry = match S {
                    1 => _mm_shuffle_epi32::<0xFF>(_mm_shufflehi_epi16::<0xFF>(v)),
                    2 => _mm_shuffle_epi32::<0xFF>(v),
                    _ => _mm_shuffle_epi32::<0xEE>(v),
                };
            }
            _mm_storeu_si128(carry_bytes.as_mut_ptr().cast(), carry);
        }
        // Fewer than 8 samples left (a block is 8 samples, a multiple of S, so sample j of the
        // tail is in residue class j % S).
        let mut acc = [0u16; 8];
        for (a, c) in acc.iter_mut().zip(carry_bytes.chunks_exact(2)) {
            *a = u16::from_ne_bytes([c[0], c[1]]);
        }
        for (j, c) in blocks.into_remainder().chunks_exact_mut(2).enumerate() {
            let v = u16::from_ne_bytes([c[0], c[1]]);
            let a = &mut acc[j % S];
            *a = a.wrapping_add(if SWAP { v.swap_bytes() } else { v });
            c.copy_from_slice(&a.to_ne_bytes());
        }
    }

    /// Loads block `b` (16 bytes) of a plane; `None` past its end.
    fn block(plane: &[u8], b: usize) -> Option<__m128i> {
        let bytes = plane.get(b * BLOCK..(b + 1) * BLOCK)?;
        // SAFETY: `bytes` is exactly 16 readable bytes.
        Some(unsafe { _mm_loadu_si128(bytes.as_ptr().cast()) })
    }

    /// Stores registers into consecutive 16-byte pieces of `out` (`out.len() == 16 * K`).
    fn store<const K: usize>(out: &mut [u8], regs: [__m128i; K]) {
        for (piece, r) in out.chunks_exact_mut(BLOCK).zip(regs) {
            // SAFETY: `piece` is exactly 16 writable bytes.
            unsafe { _mm_storeu_si128(piece.as_mut_ptr().cast(), r) };
        }
    }

    /// Four planes (most significant first) to little-endian 4-byte samples, 16 at a time:
    /// interleave bytes, then 2-byte pairs.
    pub(super) fn gather4(planes: &[u8], row: &mut [u8]) {
        let count = row.len() / 4;
        let p: [&[u8]; 4] =
            std::array::from_fn(|i| planes.get(i * count..(i + 1) * count).unwrap_or(&[]));
        let mut out_blocks = row.chunks_exact_mut(4 * BLOCK);
        for (b, out) in (&mut out_blocks).enumerate() {
            let (Some(b0), Some(b1), Some(b2), Some(b3)) = (
                block(p[0], b),
                block(p[1], b),
                block(p[2], b),
                block(p[3], b),
            ) else {
                break;
            };
            // SAFETY: register-only SSE2 arithmetic (the block needs `unsafe` on Rust < 1.87).
            let regs = unsafe {
                let lo32 = _mm_unpacklo_epi8(b3, b2);
                let lo10 = _mm_unpacklo_epi8(b1, b0);
                let hi32 = _mm_unpackhi_epi8(b3, b2);
                let hi10 = _mm_unpackhi_epi8(b1, b0);
                [
                    _mm_unpacklo_epi16(lo32, lo10),
                    _mm_unpackhi_epi16(lo32, lo10),
                    _mm_unpacklo_epi16(hi32, hi10),
                    _mm_unpackhi_epi16(hi32, hi10),
                ]
            };
            store(out, regs);
        }
        let done = count - count % BLOCK;
        for (i, sample) in out_blocks.into_remainder().chunks_exact_mut(4).enumerate() {
            for (k, plane) in p.iter().enumerate() {
                sample[3 - k] = plane.get(done + i).copied().unwrap_or(0);
            }
        }
    }

    /// Eight planes (most significant first) to little-endian 8-byte samples, 16 at a time:
    /// interleave bytes, 2-byte pairs, then 4-byte quads.
    pub(super) fn gather8(planes: &[u8], row: &mut [u8]) {
        let count = row.len() / 8;
        let p: [&[u8]; 8] =
            std::array::from_fn(|i| planes.get(i * count..(i + 1) * count).unwrap_or(&[]));
        let mut out_blocks = row.chunks_exact_mut(8 * BLOCK);
        for (b, out) in (&mut out_blocks).enumerate() {
            let mut r = [None; 8];
            for (slot, plane) in r.iter_mut().zip(p) {
                *slot = block(plane, b);
            }
            let [Some(b0), Some(b1), Some(b2), Some(b3), Some(b4), Some(b5), Some(b6), Some(b7)] =
                r
            else {
                break;
            };
            // SAFETY: register-only SSE2 arithmetic (the block needs `unsafe` on Rust < 1.87).
            let regs = unsafe {
                // Bytes: (7,6) (5,4) (3,2) (1,0) pairs, for samples 0–7 (lo) and 8–15 (hi).
                let l76 = _mm_unpacklo_epi8(b7, b6);
                let l54 = _mm_unpacklo_epi8(b5, b4);
                let l32 = _mm_unpacklo_epi8(b3, b2);
                let l10 = _mm_unpacklo_epi8(b1, b0);
                let h76 = _mm_unpackhi_epi8(b7, b6);
                let h54 = _mm_unpackhi_epi8(b5, b4);
                let h32 = _mm_unpackhi_epi8(b3, b2);
                let h10 = _mm_unpackhi_epi8(b1, b0);
                // Pairs into quads: bytes 0..3 (planes 7..4) and 4..7 (planes 3..0) of
                // samples 0–3, 4–7, 8–11 and 12–15.
                let a0 = _mm_unpacklo_epi16(l76, l54);
                let a4 = _mm_unpackhi_epi16(l76, l54);
                let b0 = _mm_unpacklo_epi16(l32, l10);
                let b4 = _mm_unpackhi_epi16(l32, l10);
                let a8 = _mm_unpacklo_epi16(h76, h54);
                let a12 = _mm_unpackhi_epi16(h76, h54);
                let b8 = _mm_unpacklo_epi16(h32, h10);
                let b12 = _mm_unpackhi_epi16(h32, h10);
                // Quads into samples, bytes 0..3 first in memory.
                [
                    _mm_unpacklo_epi32(a0, b0),
                    _mm_unpackhi_epi32(a0, b0),
                    _mm_unpacklo_epi32(a4, b4),
                    _mm_unpackhi_epi32(a4, b4),
                    _mm_unpacklo_epi32(a8, b8),
                    _mm_unpackhi_epi32(a8, b8),
                    _mm_unpacklo_epi32(a12, b12),
                    _mm_unpackhi_epi32(a12, b12),
                ]
            };
            store(out, regs);
        }
        let done = count - count % BLOCK;
        for (i, sample) in out_blocks.into_remainder().chunks_exact_mut(8).enumerate() {
            for (k, plane) in p.iter().enumerate() {
                sample[7 - k] = plane.get(done + i).copied().unwrap_or(0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raster::DataType;
    use proptest::prelude::*;

    fn spec(
        dtype: DataType,
        predictor: u16,
        samples: u16,
        width: u32,
        big_endian: bool,
    ) -> ChunkSpec {
        ChunkSpec {
            compression: 1,
            predictor,
            dtype,
            bits_per_sample: (dtype.size() * 8) as u16,
            samples,
            width,
            height: 1,
            photometric: 1,
            big_endian,
            jpeg_tables: None,
            lerc_parameters: None,
        }
    }

    /// Naive predictor-2 encoder on u64 values truncated to `size` bytes, as a writer does it:
    /// differences taken right to left on values, then stored in the file's byte order.
    fn encode_p2(values: &[u64], size: usize, stride: usize, big_endian: bool) -> Vec<u8> {
        let mask = if size == 8 {
            u64::MAX
        } else {
            (1u64 << (size * 8)) - 1
        };
        let v: Vec<u64> = values.iter().map(|x| x & mask).collect();
        let mut d = v.clone();
        for i in (stride..v.len()).rev() {
            d[i] = v[i].wrapping_sub(v[i - stride]) & mask;
        }
        let mut out = Vec::new();
        for x in d {
            let le = x.to_le_bytes();
            let bytes = &le[..size];
            if big_endian {
                out.extend(bytes.iter().rev());
            } else {
                out.extend_from_slice(bytes);
            }
        }
        out
    }

    /// Naive predictor-3 encoder: split values into big-endian byte planes, then difference
    /// the bytes right to left with the given stride.
    fn encode_p3(values: &[f64], size: usize, stride: usize) -> Vec<u8> {
        let n = values.len();
        let mut planes = vec![0u8; n * size];
        for (i, v) in values.iter().enumerate() {
            let be: Vec<u8> = if size == 4 {
                (*v as f32).to_be_bytes().to_vec()
            } else {
                v.to_be_bytes().to_vec()
            };
            for b in 0..size {
                planes[b * n + i] = be[b];
            }
        }
        for i in (stride..planes.len()).rev() {
            planes[i] = planes[i].wrapping_sub(planes[i - stride]);
        }
        planes
    }

    proptest! {
        #[test]
        fn predictor2_round_trips(
            values in proptest::collection::vec(any::<u64>(), 1..64),
            size_idx in 0usize..4,
            stride in 1usize..5,
            big_endian in any::<bool>(),
        ) {
            let size = [1, 2, 4, 8][size_idx];
            let dtype = [DataType::U8, DataType::U16, DataType::U32, DataType::F64][size_idx];
            let width = values.len() / stride;
            prop_assume!(width > 0);
            let values = &values[..width * stride];
            let mut buf = encode_p2(values, size, stride, big_endian);
            undo(&spec(dtype, 2, stride as u16, width as u32, big_endian), &mut buf).unwrap();
            let mask = if size == 8 { u64::MAX } else { (1u64 << (size * 8)) - 1 };
            let got: Vec<u64> = buf.chunks_exact(size).map(|c| {
                let mut le = [0u8; 8];
                le[..size].copy_from_slice(c);
                if cfg!(target_endian = "big") { le[..size].reverse(); }
                u64::from_le_bytes(le)
            }).collect();
            let want: Vec<u64> = values.iter().map(|x| x & mask).collect();
            prop_assert_eq!(got, want);
        }

        #[test]
        fn predictor3_round_trips(
            values in proptest::collection::vec(any::<f64>(), 1..64),
            double in any::<bool>(),
            stride in 1usize..5,
            big_endian in any::<bool>(),
        ) {
            let size = if double { 8 } else { 4 };
            let width = values.len() / stride;
            prop_assume!(width > 0);
            let values = &values[..width * stride];
            let mut buf = encode_p3(values, size, stride);
            let dtype = if double { DataType::F64 } else { DataType::F32 };
            // The file's byte order must not matter for predictor 3.
            undo(&spec(dtype, 3, stride as u16, width as u32, big_endian), &mut buf).unwrap();
            for (i, c) in buf.chunks_exact(size).enumerate() {
                if double {
                    prop_assert_eq!(f64::from_ne_bytes(c.try_into().unwrap()).to_bits(), values[i].to_bits());
                } else {
                    prop_assert_eq!(f32::from_ne_bytes(c.try_into().unwrap()).to_bits(), (values[i] as f32).to_bits());
                }
            }
        }
    }

    /// The straightforward implementation every specialisation must agree with: swap each
    /// sample, then `v[i] += v[i - stride]` per row for predictor 2; for predictor 3, byte sums
    /// `b[i] += b[i - stride]` over the row, then sample `i` assembled from byte `i` of each
    /// plane, most significant first.
    fn reference_undo(spec: &ChunkSpec, buf: &mut [u8]) {
        let size = spec.dtype.size();
        let stride = spec.samples as usize;
        let row_len = spec.width as usize * stride * size;
        let swap = spec.big_endian != cfg!(target_endian = "big");
        for row in buf.chunks_exact_mut(row_len) {
            if spec.predictor == 3 {
                for i in stride..row.len() {
                    row[i] = row[i].wrapping_add(row[i - stride]);
                }
                let planes = row.to_vec();
                let count = row.len() / size;
                for i in 0..count {
                    let mut be: Vec<u8> = (0..size).map(|p| planes[p * count + i]).collect();
                    if cfg!(target_endian = "little") {
                        be.reverse();
                    }
                    row[i * size..(i + 1) * size].copy_from_slice(&be);
                }
                continue;
            }
            if swap {
                for sample in row.chunks_exact_mut(size) {
                    sample.reverse();
                }
            }
            if spec.predictor == 2 {
                let read = |r: &[u8], i: usize| {
                    let mut b = [0u8; 8];
                    b[..size].copy_from_slice(&r[i * size..(i + 1) * size]);
                    u64::from_ne_bytes(b)
                };
                for i in stride..row.len() / size {
                    let v = read(row, i).wrapping_add(read(row, i - stride));
                    let b = v.to_ne_bytes();
                    // Little-endian only: the low `size` bytes are the sample.
                    row[i * size..(i + 1) * size].copy_from_slice(&b[..size]);
                }
            }
        }
    }

    proptest! {
        /// Every (predictor, sample size, stride, byte order) specialisation, on random bytes
        /// and odd widths (so the 16-byte blocks have tails), agrees with `reference_undo`.
        #[test]
        fn specialisations_match_the_reference(
            bytes in proptest::collection::vec(any::<u8>(), 0..2400),
            kind in 0usize..9,
            stride in 1u16..10,
            width in 1u32..40,
            big_endian in any::<bool>(),
        ) {
            prop_assume!(cfg!(target_endian = "little"));
            let (predictor, dtype) = [
                (1, DataType::U16), (1, DataType::F64),
                (2, DataType::U8), (2, DataType::I16), (2, DataType::U32), (2, DataType::F64),
                (3, DataType::F32), (3, DataType::F64), (3, DataType::F32),
            ][kind];
            let mut s = spec(dtype, predictor, stride, width, big_endian);
            let row_len = width as usize * stride as usize * dtype.size();
            let rows = bytes.len() / row_len;
            prop_assume!(rows > 0);
            s.height = rows as u32;
            let mut want = bytes[..rows * row_len].to_vec();
            let mut got = want.clone();
            reference_undo(&s, &mut want);
            undo(&s, &mut got).unwrap();
            prop_assert_eq!(got, want);
        }

        /// The portable scan and gather (used off x86-64) agree with the reference too.
        #[test]
        fn portable_scan_and_gather_match_the_reference(
            bytes in proptest::collection::vec(any::<u8>(), 0..600),
            s_idx in 0usize..4,
            double in any::<bool>(),
        ) {
            let stride = [1, 2, 4, 8][s_idx];
            let mut want = bytes.clone();
            for i in stride..want.len() {
                want[i] = want[i].wrapping_add(want[i - stride]);
            }
            let mut got = vec![0u8; bytes.len()];
            match stride {
                1 => prefix_sum_blocked::<1>(&bytes, &mut got),
                2 => prefix_sum_blocked::<2>(&bytes, &mut got),
                4 => prefix_sum_blocked::<4>(&bytes, &mut got),
                _ => prefix_sum_blocked::<8>(&bytes, &mut got),
            }
            prop_assert_eq!(&got, &want);

            let n = if double { 8 } else { 4 };
            let whole = &bytes[..bytes.len() / n * n];
            let count = whole.len() / n;
            let mut row = vec![0u8; whole.len()];
            if double { gather::<8>(whole, &mut row) } else { gather::<4>(whole, &mut row) }
            for i in 0..count {
                let be: Vec<u8> = (0..n).map(|p| whole[p * count + i]).collect();
                let native: Vec<u8> = if cfg!(target_endian = "little") {
                    be.iter().rev().copied().collect()
                } else {
                    be
                };
                prop_assert_eq!(&row[i * n..(i + 1) * n], native.as_slice());
            }
        }
    }

    #[test]
    fn big_endian_without_predictor_is_swapped() {
        let mut buf = vec![0x12, 0x34, 0xAB, 0xCD];
        undo(&spec(DataType::U16, 1, 1, 2, true), &mut buf).unwrap();
        let v: Vec<u16> = buf
            .chunks_exact(2)
            .map(|c| u16::from_ne_bytes([c[0], c[1]]))
            .collect();
        assert_eq!(v, vec![0x1234, 0xABCD]);
    }

    #[test]
    fn rejects_float_predictor_on_integers_and_unknown_predictors() {
        let mut buf = vec![0u8; 8];
        assert!(matches!(
            undo(&spec(DataType::U16, 3, 1, 4, false), &mut buf),
            Err(Error::UnsupportedFeature { .. })
        ));
        assert!(matches!(
            undo(&spec(DataType::U16, 9, 1, 4, false), &mut buf),
            Err(Error::UnsupportedFeature { .. })
        ));
        // Not whole rows.
        let mut odd = vec![0u8; 7];
        assert!(matches!(
            undo(&spec(DataType::U16, 2, 1, 4, false), &mut odd),
            Err(Error::BadSpec(_))
        ));
    }
}
