use super::*;
use crate::raster::DataType;
use proptest::prelude::*;

fn spec(dtype: DataType, predictor: u16, samples: u16, width: u32, big_endian: bool) -> ChunkSpec {
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
