//! Predictor 3's two loops written with SSE2, which every x86-64 CPU has.
//!
//! Both are shuffles of whole 16-byte registers that LLVM does not derive from the portable
//! loops in the parent module (it keeps moving single bytes), so they are spelled out. The only unsafe parts
//! are unaligned loads and stores, each from or to a 16-byte block taken with `chunks_exact`
//! or a checked `get`, so always in bounds.

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
        let [Some(b0), Some(b1), Some(b2), Some(b3), Some(b4), Some(b5), Some(b6), Some(b7)] = r
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
