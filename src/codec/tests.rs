//! Round trips through real encoders (flate2, zstd, lerc, image-webp, jpeg-encoder) and the
//! failure contract: bad input of every kind is an `Err`, never a panic or a wrong-sized result.
//! Decoding of real GDAL-written chunks is checked in `tests/codec_blocks.rs`.

use std::io::Write;

use proptest::prelude::*;

use super::*;

fn spec(compression: u16, dtype: DataType, samples: u16, width: u32, height: u32) -> ChunkSpec {
    ChunkSpec {
        compression,
        predictor: 1,
        dtype,
        bits_per_sample: (dtype.size() * 8) as u16,
        samples,
        width,
        height,
        photometric: if samples >= 3 { 2 } else { 1 },
        big_endian: false,
        jpeg_tables: None,
        lerc_parameters: None,
    }
}

/// A zstd frame from ruzstd's encoder: pure Rust, so the tests run in every build.
fn zstd_compress(data: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn decode_vec(spec: &ChunkSpec, input: &[u8]) -> Result<Vec<u8>, Error> {
    let mut out = vec![0u8; spec.decoded_len().unwrap()];
    decode(spec, input, &mut out).map(|()| out)
}

/// Pseudo-random but compressible bytes.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| ((i * 7) ^ (i >> 5)) as u8).collect()
}

#[test]
fn deflate_round_trip_and_truncation() {
    let data = pattern(64 * 32 * 2);
    let s = spec(compression::DEFLATE, DataType::U16, 1, 64, 32);
    let z = zlib(&data);
    assert_eq!(decode_vec(&s, &z).unwrap(), data);
    let adobe = ChunkSpec {
        compression: compression::ADOBE_DEFLATE,
        ..s.clone()
    };
    assert_eq!(decode_vec(&adobe, &z).unwrap(), data);
    // A stream cut short never fills the chunk.
    let err = decode_vec(&s, &z[..z.len() / 2]).unwrap_err();
    assert!(
        matches!(err, Error::WrongSize { .. } | Error::Corrupt { .. }),
        "{err}"
    );
    // A stream holding more than the chunk (e.g. a padded last strip) is cut, not grown.
    let short = ChunkSpec {
        height: 16,
        ..s.clone()
    };
    assert_eq!(decode_vec(&short, &z).unwrap(), &data[..64 * 16 * 2]);
}

#[test]
fn zstd_round_trip_and_truncation() {
    let data = pattern(40 * 30 * 4);
    let s = spec(compression::ZSTD, DataType::F32, 1, 40, 30);
    let z = zstd_compress(&data);
    assert_eq!(decode_vec(&s, &z).unwrap(), data);
    assert!(decode_vec(&s, &z[..z.len() - 3]).is_err());
    let bigger = ChunkSpec {
        height: 31,
        ..s.clone()
    };
    assert!(matches!(
        decode_vec(&bigger, &z),
        Err(Error::WrongSize { .. })
    ));
}

#[test]
fn none_copies_and_needs_enough_bytes() {
    let data = pattern(10 * 10 * 3);
    let s = spec(compression::NONE, DataType::U8, 3, 10, 10);
    assert_eq!(decode_vec(&s, &data).unwrap(), data);
    let err = decode_vec(&s, &data[..299]).unwrap_err();
    assert!(
        matches!(
            err,
            Error::WrongSize {
                expected: 300,
                got: 299
            }
        ),
        "{err}"
    );
}

#[test]
fn lzw_rejects_old_style_streams() {
    let s = spec(compression::LZW, DataType::U8, 1, 4, 4);
    let err = decode_vec(&s, &[0x00, 0x01, 0x02, 0x03]).unwrap_err();
    assert!(err.to_string().contains("old-style"), "{err}");
}

#[test]
fn lzw_round_trip() {
    let data = pattern(33 * 17);
    let mut enc = weezl::encode::Encoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8);
    let z = enc.encode(&data).unwrap();
    let s = spec(compression::LZW, DataType::U8, 1, 33, 17);
    assert_eq!(decode_vec(&s, &z).unwrap(), data);
    assert!(matches!(
        decode_vec(&s, &z[..z.len() / 3]),
        Err(Error::WrongSize { .. })
    ));
}

#[test]
fn one_bit_rows_are_unpacked_msb_first() {
    // Two rows of 10 pixels: each row padded to 2 bytes.
    let packed = [0b1010_0000, 0b0100_0000, 0b1111_1111, 0b1100_0000];
    let s = ChunkSpec {
        bits_per_sample: 1,
        ..spec(compression::NONE, DataType::U8, 1, 10, 2)
    };
    let out = decode_vec(&s, &packed).unwrap();
    assert_eq!(
        out,
        vec![1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
    );
    let deflated = ChunkSpec {
        compression: compression::DEFLATE,
        ..s
    };
    assert_eq!(decode_vec(&deflated, &zlib(&packed)).unwrap(), out);
}

#[test]
fn output_size_mismatch_is_an_error() {
    let s = spec(compression::NONE, DataType::U16, 1, 8, 8);
    let mut out = vec![0u8; 127];
    let err = decode(&s, &[0u8; 128], &mut out).unwrap_err();
    assert!(matches!(err, Error::BadSpec(_)), "{err}");
    let mut mask = vec![0u8; 3];
    let mut out = vec![0u8; 128];
    let err = decode_with_mask(&s, &[0u8; 128], &mut out, Some(&mut mask)).unwrap_err();
    assert!(matches!(err, Error::BadSpec(_)), "{err}");
}

#[test]
fn unsupported_layouts_and_compressions_are_named() {
    let s = spec(compression::OJPEG, DataType::U8, 3, 8, 8);
    let err = decode_vec(&s, &[0u8; 10]).unwrap_err();
    assert!(err.to_string().contains("old-style jpeg"), "{err}");
    let s = spec(34712, DataType::U8, 1, 8, 8);
    assert!(matches!(
        decode_vec(&s, &[0u8; 10]),
        Err(Error::Unsupported { compression: 34712 })
    ));
    let s = ChunkSpec {
        bits_per_sample: 12,
        ..spec(compression::NONE, DataType::U16, 1, 8, 8)
    };
    assert!(matches!(
        decode_vec(&s, &[0u8; 200]),
        Err(Error::UnsupportedFeature { .. })
    ));
    let s = ChunkSpec {
        width: 0,
        ..spec(compression::NONE, DataType::U16, 1, 8, 8)
    };
    assert!(matches!(decode(&s, &[], &mut []), Err(Error::BadSpec(_))));
}

#[test]
fn webp_lossless_round_trip_adapts_channels() {
    let (w, h) = (24u32, 16u32);
    let rgb = pattern((w * h * 3) as usize);
    let mut file = Vec::new();
    image_webp::WebPEncoder::new(&mut file)
        .encode(&rgb, w, h, image_webp::ColorType::Rgb8)
        .unwrap();
    let s = spec(compression::WEBP, DataType::U8, 3, w, h);
    assert_eq!(decode_vec(&s, &file).unwrap(), rgb);
    // A 4-sample TIFF whose stream has no alpha gets an opaque alpha.
    let s4 = spec(compression::WEBP, DataType::U8, 4, w, h);
    let out = decode_vec(&s4, &file).unwrap();
    for (px, src) in out.chunks_exact(4).zip(rgb.chunks_exact(3)) {
        assert_eq!(&px[..3], src);
        assert_eq!(px[3], 255);
    }
    // Wrong size or truncated: errors.
    let other = spec(compression::WEBP, DataType::U8, 3, w, h + 1);
    assert!(decode_vec(&other, &file).is_err());
    assert!(decode_vec(&s, &file[..file.len() / 2]).is_err());
}

#[test]
fn jpeg_grey_and_rgb_round_trip_closely() {
    let (w, h) = (32u16, 16u16);
    let grey: Vec<u8> = (0..w as usize * h as usize)
        .map(|i| (i % 32 * 8) as u8)
        .collect();
    let mut file = Vec::new();
    jpeg_encoder::Encoder::new(&mut file, 95)
        .encode(&grey, w, h, jpeg_encoder::ColorType::Luma)
        .unwrap();
    let s = spec(compression::JPEG, DataType::U8, 1, w as u32, h as u32);
    let out = decode_vec(&s, &file).unwrap();
    let worst = out
        .iter()
        .zip(&grey)
        .map(|(a, b)| a.abs_diff(*b))
        .max()
        .unwrap();
    assert!(worst <= 12, "grey jpeg off by {worst}");

    let rgb: Vec<u8> = (0..w as usize * h as usize)
        .flat_map(|i| [200u8, (i % 32 * 4) as u8, 40])
        .collect();
    let mut file = Vec::new();
    jpeg_encoder::Encoder::new(&mut file, 95)
        .encode(&rgb, w, h, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    // jpeg-encoder stores YCbCr: a TIFF would say photometric 6.
    let s = ChunkSpec {
        photometric: 6,
        ..spec(compression::JPEG, DataType::U8, 3, w as u32, h as u32)
    };
    let out = decode_vec(&s, &file).unwrap();
    let worst = out
        .iter()
        .zip(&rgb)
        .map(|(a, b)| a.abs_diff(*b))
        .max()
        .unwrap();
    assert!(worst <= 12, "rgb jpeg off by {worst}");
    // A tile of another size is refused.
    let other = ChunkSpec {
        width: 16,
        ..s.clone()
    };
    assert!(decode_vec(&other, &file).is_err());
    // A stream the decoder rejects (here: no frame header) is a typed error (quoting libjpeg
    // in the default build).
    let headless: Vec<u8> = [0xFF, 0xD8, 0xFF, 0xD9].to_vec();
    let err = decode_vec(&s, &headless).unwrap_err();
    assert!(matches!(err, Error::Corrupt { codec: "jpeg", .. }), "{err}");
    #[cfg(feature = "c-codecs")]
    assert!(err.to_string().contains("libjpeg error"), "{err}");
    // Tables that are not an SOI…EOI stream are refused.
    let tables = ChunkSpec {
        jpeg_tables: Some(Arc::from(&[1u8, 2, 3, 4, 5, 6][..])),
        ..s
    };
    assert!(decode_vec(&tables, &file).is_err());
}

#[test]
fn jpeg_with_rgb_photometric_is_not_colour_converted() {
    // libtiff suppresses libjpeg's colour handling unless the TIFF says YCbCr: a stream whose
    // components are YCbCr but whose TIFF says RGB comes out as the stored components.
    let (w, h) = (16u16, 16u16);
    let rgb: Vec<u8> = (0..w as usize * h as usize)
        .flat_map(|_| [200u8, 60, 30])
        .collect();
    let mut file = Vec::new();
    jpeg_encoder::Encoder::new(&mut file, 100)
        .encode(&rgb, w, h, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    let s = spec(compression::JPEG, DataType::U8, 3, w as u32, h as u32);
    assert_eq!(s.photometric, 2);
    let out = decode_vec(&s, &file).unwrap();
    // JFIF YCbCr of (200, 60, 30).
    let (r, g, b) = (200.0f64, 60.0, 30.0);
    let y = 0.299 * r + 0.587 * g + 0.114 * b;
    let cb = 128.0 - 0.168736 * r - 0.331264 * g + 0.5 * b;
    let cr = 128.0 + 0.5 * r - 0.418688 * g - 0.081312 * b;
    for px in out.chunks_exact(3) {
        for (got, want) in px.iter().zip([y, cb, cr]) {
            assert!(
                (*got as f64 - want).abs() <= 3.0,
                "{px:?} vs {:?}",
                [y, cb, cr]
            );
        }
    }
}

#[test]
fn lerc_round_trip_with_mask_turns_invalid_floats_into_nan() {
    let (w, h) = (16u32, 8u32);
    let values: Vec<f32> = (0..w * h).map(|i| i as f32 * 0.5).collect();
    let mut mask = ::lerc::bitmask::BitMask::all_valid((w * h) as usize);
    if let ::lerc::bitmask::BitMask::AllValid(n) = mask {
        mask = ::lerc::bitmask::BitMask::new(n);
        for k in 0..n {
            if k % 5 != 0 {
                mask.set_valid(k);
            }
        }
    }
    let blob =
        ::lerc::encode_slice_masked(w, h, &values, &mask, ::lerc::Precision::Lossless).unwrap();
    for (extra, wrapped) in [
        (0u32, blob.clone()),
        (1, zlib(&blob)),
        (2, zstd_compress(&blob)),
    ] {
        let s = ChunkSpec {
            lerc_parameters: Some(Arc::from(&[4u32, extra][..])),
            ..spec(compression::LERC, DataType::F32, 1, w, h)
        };
        let mut out = vec![0u8; s.decoded_len().unwrap()];
        let mut m = vec![7u8; (w * h) as usize];
        assert!(decode_with_mask(&s, &wrapped, &mut out, Some(&mut m)).unwrap());
        for (k, c) in out.chunks_exact(4).enumerate() {
            let v = f32::from_ne_bytes(c.try_into().unwrap());
            if k % 5 == 0 {
                assert!(v.is_nan(), "pixel {k} should be nan, is {v}");
                assert_eq!(m[k], 0);
            } else {
                assert_eq!(v, values[k]);
                assert_eq!(m[k], 255);
            }
        }
        // Type mismatch and truncation are errors.
        let wrong = ChunkSpec {
            dtype: DataType::I32,
            ..s.clone()
        };
        assert!(decode_vec(&wrong, &wrapped).is_err());
        assert!(decode_vec(&s, &wrapped[..wrapped.len() / 2]).is_err());
    }
}

#[test]
fn lerc_in_a_big_endian_file_holds_byte_swapped_samples() {
    // libtiff swaps a big-endian file's samples before LERC-encoding them, so the blob's
    // numbers are the byte-swapped values and the decoder swaps them back (GDAL reads 2360 where
    // the blob says 0x3809).
    let (w, h) = (8u32, 2u32);
    let values: Vec<i16> = (0..(w * h) as i16).map(|i| 2360 + 1000 * i).collect();
    let stored: Vec<i16> = values.iter().map(|v| v.swap_bytes()).collect();
    let blob = ::lerc::encode_slice(w, h, &stored, ::lerc::Precision::Lossless).unwrap();
    for (big_endian, want) in [(true, &values), (false, &stored)] {
        let s = ChunkSpec {
            lerc_parameters: Some(Arc::from(&[4u32, 0][..])),
            big_endian,
            ..spec(compression::LERC, DataType::I16, 1, w, h)
        };
        let out = decode_vec(&s, &blob).unwrap();
        let got: Vec<i16> = out
            .chunks_exact(2)
            .map(|c| i16::from_ne_bytes([c[0], c[1]]))
            .collect();
        assert_eq!(&got, want, "big_endian={big_endian}");
    }
}

#[test]
fn lerc_rgb_with_mask_gives_the_alpha_band() {
    // GDAL's LERC for 8-bit RGBA: three depth values per pixel, alpha kept as the mask.
    let (w, h) = (8u32, 4u32);
    let n = (w * h) as usize;
    let rgb: Vec<u8> = (0..n * 3).map(|i| (i * 5) as u8).collect();
    let mut mask = ::lerc::bitmask::BitMask::new(n);
    for k in (0..n).filter(|k| k % 3 != 0) {
        mask.set_valid(k);
    }
    let image = ::lerc::Image {
        width: w,
        height: h,
        depth: 3,
        bands: 1,
        data_type: ::lerc::DataType::Byte,
        valid_masks: vec![mask],
        data: ::lerc::SampleData::U8(rgb.clone()),
        no_data_value: None,
    };
    let blob = ::lerc::encode(&image, ::lerc::Precision::Lossless).unwrap();
    let s = spec(compression::LERC, DataType::U8, 4, w, h);
    let out = decode_vec(&s, &blob).unwrap();
    for (k, px) in out.chunks_exact(4).enumerate() {
        let valid = k % 3 != 0;
        if valid {
            assert_eq!(&px[..3], &rgb[k * 3..k * 3 + 3], "pixel {k}");
        }
        assert_eq!(px[3], if valid { 255 } else { 0 }, "alpha of pixel {k}");
    }
}

const COMPRESSIONS: [u16; 10] = [
    compression::NONE,
    compression::LZW,
    compression::OJPEG,
    compression::JPEG,
    compression::ADOBE_DEFLATE,
    compression::PACKBITS,
    compression::DEFLATE,
    compression::LERC,
    compression::ZSTD,
    compression::WEBP,
];
const DTYPES: [DataType; 8] = [
    DataType::U8,
    DataType::I8,
    DataType::U16,
    DataType::I16,
    DataType::U32,
    DataType::I32,
    DataType::F32,
    DataType::F64,
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Garbage in: any codec, any layout — an error or a correctly sized result, never a panic.
    #[test]
    fn garbage_never_panics(
        ci in 0usize..COMPRESSIONS.len(),
        di in 0usize..DTYPES.len(),
        samples in 1u16..5,
        predictor in 1u16..4,
        w in 1u32..40,
        h in 1u32..40,
        big_endian in any::<bool>(),
        one_bit in any::<bool>(),
        input in proptest::collection::vec(any::<u8>(), 0..600),
    ) {
        let s = ChunkSpec {
            predictor,
            big_endian,
            bits_per_sample: if one_bit { 1 } else { (DTYPES[di].size() * 8) as u16 },
            photometric: 6,
            ..spec(COMPRESSIONS[ci], DTYPES[di], if one_bit { 1 } else { samples }, w, h)
        };
        let mut out = vec![0u8; s.decoded_len().unwrap()];
        let _ = decode(&s, &input, &mut out);
    }

    /// A real JPEG stream with one byte changed and cut anywhere: libjpeg's fatal errors come
    /// back as typed errors (not a process exit, not a panic), its warnings decode on.
    #[test]
    fn damaged_jpeg_never_panics(at in 0usize..2000, value in any::<u8>(), cut in 0usize..2000) {
        let (w, h) = (24u16, 16u16);
        let rgb: Vec<u8> = (0..w as usize * h as usize * 3).map(|i| (i * 7 % 251) as u8).collect();
        let mut file = Vec::new();
        jpeg_encoder::Encoder::new(&mut file, 80)
            .encode(&rgb, w, h, jpeg_encoder::ColorType::Rgb)
            .unwrap();
        let at = at % file.len();
        file[at] = value;
        file.truncate(cut.min(file.len()));
        let s = ChunkSpec {
            photometric: 6,
            ..spec(compression::JPEG, DataType::U8, 3, w as u32, h as u32)
        };
        let mut out = vec![0u8; s.decoded_len().unwrap()];
        if let Err(e) = decode(&s, &file, &mut out) {
            prop_assert!(!e.to_string().is_empty());
        }
    }

    /// Valid streams cut at any point: an error (or, for codecs that tolerate a missing end
    /// marker, a full chunk), never a panic.
    #[test]
    fn truncated_streams_never_panic(cut in 0usize..1000, ci in 0usize..3) {
        let data = pattern(32 * 32);
        let (c, z) = match ci {
            0 => (compression::DEFLATE, zlib(&data)),
            1 => (compression::ZSTD, zstd_compress(&data)),
            _ => {
                let mut e = weezl::encode::Encoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8);
                (compression::LZW, e.encode(&data).unwrap())
            }
        };
        let s = spec(c, DataType::U8, 1, 32, 32);
        let cut = cut.min(z.len());
        if let Ok(out) = decode_vec(&s, &z[..cut]) {
            prop_assert_eq!(out, data);
        }
    }
}
