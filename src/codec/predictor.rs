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
            if swap {
                swap_bytes(buf, size);
            }
            for row in buf.chunks_exact_mut(row_len) {
                horizontal_undo(row, size, stride);
            }
            Ok(())
        }
        3 => {
            if !spec.dtype.is_float() {
                return Err(Error::UnsupportedFeature {
                    what: format!("floating-point predictor on {} samples", spec.dtype),
                });
            }
            let mut scratch = vec![0u8; row_len];
            for row in buf.chunks_exact_mut(row_len) {
                float_undo(row, size, stride, &mut scratch);
            }
            Ok(())
        }
        other => Err(Error::UnsupportedFeature {
            what: format!("predictor {other}"),
        }),
    }
}

/// Reverses the bytes of every `size`-byte sample (a no-op for bytes).
fn swap_bytes(buf: &mut [u8], size: usize) {
    if size > 1 {
        for sample in buf.chunks_exact_mut(size) {
            sample.reverse();
        }
    }
}

/// Generates the per-width horizontal accumulation `v[i] += v[i - stride]` (wrapping), kept as
/// one running sum per sample channel so the loop walks the row once, front to back.
macro_rules! horizontal_acc {
    ($name:ident, $t:ty) => {
        fn $name(row: &mut [u8], stride: usize) {
            const N: usize = std::mem::size_of::<$t>();
            let load = |b: &[u8]| <$t>::from_ne_bytes(b.try_into().unwrap_or([0; N]));
            if stride == 1 {
                let mut acc: $t = 0;
                for c in row.chunks_exact_mut(N) {
                    acc = acc.wrapping_add(load(c));
                    c.copy_from_slice(&acc.to_ne_bytes());
                }
                return;
            }
            let mut acc: Vec<$t> = vec![0; stride];
            for pixel in row.chunks_exact_mut(N * stride) {
                for (c, a) in pixel.chunks_exact_mut(N).zip(acc.iter_mut()) {
                    *a = a.wrapping_add(load(c));
                    c.copy_from_slice(&a.to_ne_bytes());
                }
            }
        }
    };
}
horizontal_acc!(acc16, u16);
horizontal_acc!(acc32, u32);
horizontal_acc!(acc64, u64);

/// Undoes predictor 2 on one row of native-order samples.
fn horizontal_undo(row: &mut [u8], size: usize, stride: usize) {
    match size {
        1 => acc8(row, stride),
        2 => acc16(row, stride),
        4 => acc32(row, stride),
        _ => acc64(row, stride),
    }
}

/// Byte accumulation, shared by predictor 2 on 8-bit samples and predictor 3's byte planes.
fn acc8(row: &mut [u8], stride: usize) {
    if stride == 1 {
        // The common single-band case: a running sum, without index arithmetic.
        let mut acc = 0u8;
        for b in row.iter_mut() {
            acc = acc.wrapping_add(*b);
            *b = acc;
        }
        return;
    }
    for i in stride..row.len() {
        row[i] = row[i].wrapping_add(row[i - stride]);
    }
}

/// Undoes predictor 3 on one row: sum the bytes back up, then gather the byte planes
/// (most significant first) into native-order samples. `scratch` is one row long.
fn float_undo(row: &mut [u8], size: usize, stride: usize, scratch: &mut [u8]) {
    acc8(row, stride);
    scratch.copy_from_slice(row);
    let count = row.len() / size;
    match size {
        4 => gather::<4>(row, scratch, count),
        8 => gather::<8>(row, scratch, count),
        // `undo` only lets f32/f64 through to this predictor.
        _ => {}
    }
}

/// Re-interleaves `N` byte planes of `count` bytes each (most significant plane first) into
/// `count` native-order `N`-byte samples.
fn gather<const N: usize>(row: &mut [u8], planes: &[u8], count: usize) {
    let planes: [&[u8]; N] =
        std::array::from_fn(|p| planes.get(p * count..(p + 1) * count).unwrap_or(&[]));
    for (i, sample) in row.chunks_exact_mut(N).enumerate() {
        let mut be = [0u8; N];
        for (b, plane) in be.iter_mut().zip(planes.iter()) {
            *b = plane.get(i).copied().unwrap_or(0);
        }
        if cfg!(target_endian = "little") {
            be.reverse();
        }
        sample.copy_from_slice(&be);
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
