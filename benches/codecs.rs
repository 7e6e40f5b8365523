//! Decode throughput per codec, in MB/s of decoded output, on real corpus chunks.
//!
//! For each codec two numbers sit side by side: `cogtiler` is the full [`codec::decode`] call
//! (decompression + byte order + predictor + layout checks), `raw` is the bare codec crate on
//! the same bytes into a pre-sized buffer. The gap is our overhead (mostly the predictor, which
//! the raw call does not undo). Run with `cargo bench --bench codecs`; the corpus must be beside
//! the repository (`../shared/conformance`, or `COGTILER_CONFORMANCE`).
//!
//! `cargo bench --no-default-features --bench codecs` measures the pure-Rust build's decoders
//! (the `cogtiler` rows); the C libraries' `raw` rows exist only in the default build.

use std::hint::black_box;
use std::io::Cursor;

use cogtiler::codec::{self, compression, ChunkSpec};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

#[path = "../tests/support/tiff_walk.rs"]
mod tiff_walk;
use tiff_walk::{Level, Tiff};
#[path = "../tests/support/kit_dir.rs"]
mod kit_dir;

fn conformance() -> String {
    kit_dir::conformance_dir().display().to_string()
}

/// One real chunk: its spec and compressed bytes.
struct Case {
    name: &'static str,
    spec: ChunkSpec,
    bytes: Vec<u8>,
}

/// The first full-resolution chunk of a corpus file (index 0 of IFD 0, or a middle one when
/// the corner chunk is mostly empty).
fn load(name: &'static str, file: &str, index: usize) -> Case {
    let tiff = Tiff::read(&format!("{}/{file}", conformance()));
    let level = Level::new(&tiff, &tiff.ifds[0]);
    let bytes = level.chunk(index).expect("chunk present").to_vec();
    let spec = level.spec(level.block_h);
    Case { name, spec, bytes }
}

/// The bare codec crate call on the same chunk (no predictor, no byte swapping).
fn raw(case: &Case, out: &mut [u8]) {
    match case.spec.compression {
        compression::NONE => out.copy_from_slice(&case.bytes[..out.len()]),
        #[cfg(feature = "c-codecs")]
        compression::DEFLATE | compression::ADOBE_DEFLATE => {
            libdeflater::Decompressor::new()
                .zlib_decompress(&case.bytes, out)
                .unwrap();
        }
        #[cfg(feature = "c-codecs")]
        compression::ZSTD => {
            zstd::bulk::decompress_to_buffer(&case.bytes, out).unwrap();
        }
        compression::LZW => {
            let mut d = weezl::decode::Decoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8);
            let (mut i, mut o) = (0, 0);
            while o < out.len() {
                let r = d.decode_bytes(&case.bytes[i..], &mut out[o..]);
                (i, o) = (i + r.consumed_in, o + r.consumed_out);
                if r.consumed_in == 0 && r.consumed_out == 0 {
                    break;
                }
            }
        }
        #[cfg(feature = "c-codecs")]
        compression::WEBP => {
            // libwebp's simple API, straight into the chunk in the TIFF's channel count.
            let stride = (case.spec.width * case.spec.samples as u32) as i32;
            // SAFETY: `out` is the whole chunk, `stride * height` bytes, passed with its size.
            let p = unsafe {
                if case.spec.samples == 4 {
                    libwebp_sys::WebPDecodeRGBAInto(
                        case.bytes.as_ptr(),
                        case.bytes.len(),
                        out.as_mut_ptr(),
                        out.len(),
                        stride,
                    )
                } else {
                    libwebp_sys::WebPDecodeRGBInto(
                        case.bytes.as_ptr(),
                        case.bytes.len(),
                        out.as_mut_ptr(),
                        out.len(),
                        stride,
                    )
                }
            };
            assert!(!p.is_null());
        }
        compression::LERC => {
            // Typed output, like our decode does internally (a fresh buffer each time).
            let mut typed = vec![0f32; out.len() / 4];
            lerc::decode_into(&case.bytes, &mut typed).unwrap();
        }
        _ => {}
    }
}

fn bench(c: &mut Criterion) {
    let cases = [
        load("none_i32", "corpus/tokyo_i32_none_t128_3857.tif", 0),
        load("packbits_u8", "corpus/london_u8_packbits_27700.tif", 5),
        load("deflate_p1_rgb", "corpus/kassel_rgb_deflate_p1_3035.tif", 0),
        load("deflate_p2_u16", "corpus/nz_u16_2193.tif", 0),
        load("deflate_p3_f32", "corpus/dem_f32_deflate_p3_3857.tif", 0),
        load("lzw_p2_i16", "corpus/dem_i16_lzw_p2_32631.tif", 5),
        load("zstd_p2_u16x4", "corpus/rgbn_u16_zstd_p2_32755.tif", 0),
        load("zstd_p3_f64", "corpus/amsterdam_f64_zstd_p3_32631.tif", 0),
        load("jpeg_ycbcr", "corpus/rgb_jpeg_mask_3857.tif", 5),
        load("webp_lossless", "corpus/rgb_webp_lossless_4326.tif", 0),
        load("webp_lossy_rgba", "corpus/rgba_webp_lossy_3857.tif", 20),
        load("lerc_f32", "corpus/grandcanyon_f32_lerc_3857.tif", 0),
    ];
    for case in &cases {
        let len = case.spec.decoded_len().unwrap();
        let mut out = vec![0u8; len];
        let mut group = c.benchmark_group(case.name);
        group.throughput(Throughput::Bytes(len as u64));
        group.bench_function("cogtiler", |b| {
            b.iter(|| codec::decode(&case.spec, black_box(&case.bytes), &mut out).unwrap())
        });
        // No bare-crate baseline for PackBits (ours is the only one) nor JPEG (libjpeg called
        // our own way: 4:2:0 in one raw pass with a per-component IDCT choice).
        let raw_exists = cfg!(feature = "c-codecs")
            || !matches!(
                case.spec.compression,
                compression::DEFLATE
                    | compression::ADOBE_DEFLATE
                    | compression::ZSTD
                    | compression::WEBP
            );
        if raw_exists
            && !matches!(
                case.spec.compression,
                compression::PACKBITS | compression::JPEG
            )
        {
            group.bench_function("raw", |b| b.iter(|| raw(case, black_box(&mut out))));
        }
        // zlib-rs, the streaming inflater cogtiler used before libdeflate (and still falls
        // back to for streams longer than the chunk), for comparison.
        if matches!(
            case.spec.compression,
            compression::DEFLATE | compression::ADOBE_DEFLATE
        ) {
            group.bench_function("zlib_rs", |b| {
                b.iter(|| {
                    let mut z = flate2::Decompress::new(true);
                    z.decompress(
                        black_box(&case.bytes),
                        &mut out,
                        flate2::FlushDecompress::Finish,
                    )
                    .unwrap();
                })
            });
        }
        // The pure-Rust WebP decoder cogtiler used before libwebp, for comparison. The stream
        // may hold RGB where the TIFF has RGBA (opaque tiles): decoded as stored.
        if case.spec.compression == compression::WEBP {
            let mut scratch = Vec::new();
            group.bench_function("image_webp", |b| {
                b.iter(|| {
                    let mut d =
                        image_webp::WebPDecoder::new(Cursor::new(black_box(&case.bytes))).unwrap();
                    scratch.resize(d.output_buffer_size().unwrap(), 0);
                    d.read_image(&mut scratch).unwrap();
                })
            });
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(std::time::Duration::from_millis(300))
        .measurement_time(std::time::Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
