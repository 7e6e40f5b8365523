//! Every internal block of every conformance-corpus file, decoded by `cogtiler::codec::decode`,
//! compared with how GDAL 3.10 decodes it (`../shared/conformance/blocks/*.json`).
//!
//! The codec takes already-located compressed bytes, so this test needs to find them without
//! the project's own header parser (tested separately): a deliberately small, test-only TIFF
//! directory walker (`support/tiff_walk.rs`) reads just the tags that locate chunks and describe their encoding.
//! Lossless blocks must match GDAL's sha256 exactly; lossy ones (JPEG, lossy WebP) must match
//! GDAL's per-band mean and 16×16 thumbnail within ±2. Where GDAL recorded a dataset mask and
//! the mask comes from decoded data (an internal 1-bit mask IFD, an alpha band, or nodata), it
//! is checked as well.

use cogtiler::codec;
use cogtiler::raster::DataType;
use serde_json::Value;
use sha2::{Digest, Sha256};

#[path = "support/tiff_walk.rs"]
mod tiff_walk;
use tiff_walk::*;

#[path = "support/conformance.rs"]
mod conformance;

/// Native-order samples → little-endian bytes (what the digests are over).
fn to_le(mut buf: Vec<u8>, size: usize) -> Vec<u8> {
    if cfg!(target_endian = "big") && size > 1 {
        buf.chunks_exact_mut(size).for_each(|c| c.reverse());
    }
    buf
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn sample_f64(b: &[u8], dtype: DataType) -> f64 {
    match dtype {
        DataType::U8 => b[0] as f64,
        DataType::I8 => b[0] as i8 as f64,
        DataType::U16 => u16::from_ne_bytes([b[0], b[1]]) as f64,
        DataType::I16 => i16::from_ne_bytes([b[0], b[1]]) as f64,
        DataType::U32 => u32::from_ne_bytes(b.try_into().unwrap()) as f64,
        DataType::I32 => i32::from_ne_bytes(b.try_into().unwrap()) as f64,
        DataType::F32 => f32::from_ne_bytes(b.try_into().unwrap()) as f64,
        DataType::F64 => f64::from_ne_bytes(b.try_into().unwrap()),
    }
}

/// Per-band mean and box-averaged thumbnail (at most 16×16), as the digest generator made them.
fn mean_and_thumb(
    values: &[f64],
    bands: usize,
    rows: usize,
    cols: usize,
) -> (Vec<f64>, Vec<Vec<Vec<f64>>>) {
    let mut means = Vec::new();
    let mut thumbs = Vec::new();
    let (th, tw) = (rows.min(16), cols.min(16));
    for b in 0..bands {
        let plane = &values[b * rows * cols..(b + 1) * rows * cols];
        means.push(plane.iter().sum::<f64>() / plane.len() as f64);
        let mut thumb = vec![vec![0.0; tw]; th];
        for (i, trow) in thumb.iter_mut().enumerate() {
            let (r0, r1) = (i * rows / th, (i + 1) * rows / th);
            for (j, cell) in trow.iter_mut().enumerate() {
                let (c0, c1) = (j * cols / tw, (j + 1) * cols / tw);
                let mut sum = 0.0;
                for r in r0..r1 {
                    for c in c0..c1 {
                        sum += plane[r * cols + c];
                    }
                }
                *cell = sum / ((r1 - r0) * (c1 - c0)) as f64;
            }
        }
        thumbs.push(thumb);
    }
    (means, thumbs)
}

/// GDAL's `ARE_REAL_EQUAL`: how its nodata mask compares float64 values with the nodata value.
fn are_real_equal(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() < 1e-10 || (b != 0.0 && (1.0 - a / b).abs() < 1e-10)
}

/// Where GDAL's dataset mask comes from, as far as this test can rebuild it from decoded data.
enum MaskSource<'a> {
    /// An internal 1-bit mask IFD with the same grid (0/1 → 0/255).
    Ifd(Level<'a>),
    /// The last band is alpha: the mask is its value.
    Alpha,
    /// Pixels equal to nodata (or NaN for a NaN nodata) are masked.
    Nodata(f64),
    /// Not rebuilt here (e.g. a mask IFD with another grid).
    Unknown,
}

#[derive(Default)]
struct Tally {
    exact: usize,
    lossy_ok: usize,
    masks: usize,
    worst_mean: f64,
    worst_thumb: f64,
    failures: Vec<String>,
}

fn check_file(name: &str) -> Tally {
    let dir = conformance::dir().display().to_string();
    let json_path = format!("{dir}/blocks/{name}.json");
    let reference: Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    let path = format!("{dir}/{}", reference["path"].as_str().unwrap());
    let tiff = Tiff::read(&path);
    let is_mask = |ifd: &Ifd| ifd.get_or(NEW_SUBFILE_TYPE, 0) & 4 != 0;
    let images: Vec<&Ifd> = tiff.ifds.iter().filter(|i| !is_mask(i)).collect();
    let masks: Vec<&Ifd> = tiff.ifds.iter().filter(|i| is_mask(i)).collect();
    let lossy = reference["lossy"].as_bool().unwrap_or(false);
    let mut tally = Tally::default();

    for lref in reference["levels"].as_array().unwrap() {
        let li = lref["level"].as_u64().unwrap() as usize;
        let level = Level::new(&tiff, images[li]);
        assert_eq!(
            (level.width, level.height, level.block_w, level.block_h),
            (
                lref["width"].as_u64().unwrap() as usize,
                lref["height"].as_u64().unwrap() as usize,
                lref["block_width"].as_u64().unwrap() as usize,
                lref["block_height"].as_u64().unwrap() as usize
            ),
            "{name} level {li}: grid differs from the reference"
        );
        let mask_source = {
            let paired = masks.iter().find(|m| {
                m.get(WIDTH) == Some(level.width as u64)
                    && m.get(HEIGHT) == Some(level.height as u64)
            });
            let alpha = level
                .ifd
                .list(EXTRA_SAMPLES)
                .iter()
                .any(|&e| e == 1 || e == 2);
            match (paired, level.nodata()) {
                (Some(m), _) => {
                    let ml = Level::new(&tiff, m);
                    if (ml.block_w, ml.block_h) == (level.block_w, level.block_h) {
                        MaskSource::Ifd(ml)
                    } else {
                        MaskSource::Unknown
                    }
                }
                (None, Some(nd)) => MaskSource::Nodata(nd),
                (None, None) if alpha => MaskSource::Alpha,
                _ => MaskSource::Unknown,
            }
        };
        for (key, bref) in lref["blocks"].as_object().unwrap() {
            let (col, row) = key.split_once(',').unwrap();
            let (col, row): (usize, usize) = (col.parse().unwrap(), row.parse().unwrap());
            let what = format!("{name} level {li} block {key}");
            let data = match level.block(col, row) {
                Ok(d) => d,
                Err(e) => {
                    tally.failures.push(format!("{what}: {e}"));
                    continue;
                }
            };
            let size = level.dtype.size();
            let rows = level.block_h.min(level.height - row * level.block_h);
            let cols = level.block_w.min(level.width - col * level.block_w);
            let digest = sha256(&to_le(data.clone(), size));
            let values: Vec<f64> = data
                .chunks_exact(size)
                .map(|s| sample_f64(s, level.dtype))
                .collect();
            if digest == bref["sha256"].as_str().unwrap() {
                tally.exact += 1;
            } else if lossy {
                let (means, thumbs) = mean_and_thumb(&values, level.bands, rows, cols);
                let want_means: Vec<f64> = serde_json::from_value(bref["mean"].clone()).unwrap();
                let want_thumbs: Vec<Vec<Vec<f64>>> =
                    serde_json::from_value(bref["thumb16"].clone()).unwrap();
                let mean_err = means
                    .iter()
                    .zip(&want_means)
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0, f64::max);
                let diffs: Vec<f64> = thumbs
                    .iter()
                    .flatten()
                    .flatten()
                    .zip(want_thumbs.iter().flatten().flatten())
                    .map(|(a, b)| (a - b).abs())
                    .collect();
                let thumb_err = diffs.iter().copied().fold(0.0, f64::max);
                let over =
                    diffs.iter().filter(|&&d| d > 2.0).count() as f64 / diffs.len().max(1) as f64;
                let shape_ok = thumbs.len() == want_thumbs.len()
                    && thumbs.iter().zip(&want_thumbs).all(|(a, b)| {
                        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.len() == y.len())
                    });
                // The tolerance is for lossy codecs in general: an encoder or decoder build
                // other than GDAL's may differ by a grey level here and there, and on small
                // tiles a thumbnail cell averages only 8×8 pixels, so a few cells land a
                // little past ±2 near sharp edges. (Ours match GDAL's blocks exactly; see
                // `lossy_blocks_are_gdal_exact`.)
                if shape_ok && mean_err <= 2.0 && thumb_err <= 4.0 && over <= 0.02 {
                    tally.lossy_ok += 1;
                    tally.worst_mean = tally.worst_mean.max(mean_err);
                    tally.worst_thumb = tally.worst_thumb.max(thumb_err);
                } else {
                    tally.failures.push(format!(
                        "{what}: lossy block off by mean {mean_err:.3}, thumb max {thumb_err:.3}, {:.1}% of cells past 2 (shape ok: {shape_ok})",
                        over * 100.0
                    ));
                }
            } else {
                tally.failures.push(format!("{what}: sha256 differs"));
            }

            let Some(want_mask) = bref.get("mask_sha256").and_then(|m| m.as_str()) else {
                continue;
            };
            let mask: Option<Vec<u8>> = match &mask_source {
                MaskSource::Ifd(ml) => match ml.block(col, row) {
                    Ok(m) => Some(m.iter().map(|&v| if v != 0 { 255 } else { 0 }).collect()),
                    Err(e) => {
                        tally.failures.push(format!("{what}: mask: {e}"));
                        continue;
                    }
                },
                MaskSource::Alpha if !lossy || level.bits == 8 => {
                    let plane = (level.bands - 1) * rows * cols;
                    Some(data[plane * size..(plane + rows * cols) * size].to_vec())
                }
                MaskSource::Nodata(nd) => {
                    let nd = *nd;
                    Some(
                        (0..rows * cols)
                            .map(|p| {
                                let masked = (0..level.bands).all(|b| {
                                    let v = values[b * rows * cols + p];
                                    if nd.is_nan() {
                                        v.is_nan()
                                    } else if level.is_float() {
                                        // GDAL matches float nodata loosely: the overviews of
                                        // cog_fullearth hold the float32-rounded value.
                                        v as f32 == nd as f32 || are_real_equal(v, nd)
                                    } else {
                                        v == nd
                                    }
                                });
                                if masked {
                                    0
                                } else {
                                    255
                                }
                            })
                            .collect(),
                    )
                }
                _ => None,
            };
            if let Some(mask) = mask {
                if sha256(&mask) == want_mask {
                    tally.masks += 1;
                } else {
                    tally.failures.push(format!("{what}: mask sha256 differs"));
                }
            }
        }
    }
    tally
}

fn run(name: &str) {
    let t = check_file(name);
    eprintln!(
        "{name}: {} exact, {} lossy within tolerance (worst mean {:.3}, thumb {:.3}), {} masks, {} failures",
        t.exact,
        t.lossy_ok,
        t.worst_mean,
        t.worst_thumb,
        t.masks,
        t.failures.len()
    );
    assert!(
        t.failures.is_empty(),
        "{name}: {} failures:\n{}",
        t.failures.len(),
        t.failures.join("\n")
    );
    assert!(t.exact + t.lossy_ok > 0, "{name}: no block checked");
}

macro_rules! corpus_tests {
    ($($test:ident => $file:literal,)*) => {
        $(
            #[test]
            fn $test() {
                run($file);
            }
        )*
    };
}

corpus_tests! {
    alice_u16_sparse => "alice_u16_sparse_3857.tif",
    amsterdam_f64_zstd_p3 => "amsterdam_f64_zstd_p3_32631.tif",
    canberra_u16_noovr => "canberra_u16_noovr_32755.tif",
    colorado_i8 => "colorado_i8_5070.tif",
    dem_f32_deflate_p3 => "dem_f32_deflate_p3_3857.tif",
    dem_i16_lzw_p2 => "dem_i16_lzw_p2_32631.tif",
    fiji_f32_deflate_p3 => "fiji_antimeridian_f32_4326.tif",
    giza_rgb_planar => "giza_rgb_planar_3857.tif",
    grandcanyon_f32_lerc => "grandcanyon_f32_lerc_3857.tif",
    iceland_u8_manyovr => "iceland_u8_manyovr_3857.tif",
    kassel_rgb_deflate_p1 => "kassel_rgb_deflate_p1_3035.tif",
    lagos_u32 => "lagos_u32_4326.tif",
    landcover_u8_palette => "landcover_u8_palette_3035.tif",
    london_u8_packbits => "london_u8_packbits_27700.tif",
    madrid_i16_scale_offset => "madrid_i16_scale_offset_4326.tif",
    nz_u16_deflate_p2 => "nz_u16_2193.tif",
    polar_f32_zstd_p3_nan => "polar_f32_nan_3413.tif",
    reykjavik_u8_striped => "reykjavik_u8_striped_4326.tif",
    rgb_jpeg_mask => "rgb_jpeg_mask_3857.tif",
    rgb_webp_lossless => "rgb_webp_lossless_4326.tif",
    rgba_webp_lossy => "rgba_webp_lossy_3857.tif",
    rgbn_u16_zstd_p2 => "rgbn_u16_zstd_p2_32755.tif",
    rio_u8_bigtiff => "rio_u8_bigtiff_4326.tif",
    ross_i32_deflate_p2 => "ross_i32_3031.tif",
    singapore_u16_bigendian => "singapore_u16_bigendian_3857.tif",
    tokyo_i32_none => "tokyo_i32_none_t128_3857.tif",
    ext_clp => "clp.tif",
    ext_cog => "cog.tif",
    ext_cog_cmap => "cog_cmap.tif",
    ext_cog_dateline => "cog_dateline.tif",
    ext_cog_fullearth => "cog_fullearth.tif",
    ext_cog_gcps => "cog_gcps.tif",
    ext_cog_gradient => "cog_gradient.tif",
    ext_cog_hirise_mars => "cog_hirise_mars.tif",
    ext_cog_int16 => "cog_int16.tif",
    ext_cog_nodata => "cog_nodata.tif",
    ext_cog_nodata_nan => "cog_nodata_nan.tif",
    ext_cog_nonearth => "cog_nonearth.tif",
    ext_cog_ovr => "cog_ovr.tif",
    ext_cog_rgb => "cog_rgb.tif",
    ext_cog_rgb_mask => "cog_rgb_mask.tif",
    ext_cog_rgba => "cog_rgba.tif",
    ext_cog_scale => "cog_scale.tif",
    ext_cog_scale_epsg4326 => "cog_scale_epsg4326.tif",
    ext_cog_tags => "cog_tags.tif",
    ext_cog_uint8_rgb_mask => "cog_uint8_rgb_mask.tif",
    ext_cog_uint8_rgb_nodata => "cog_uint8_rgb_nodata.tif",
    ext_cog_uint8_rgba => "cog_uint8_rgba.tif",
    ext_inverted_lat => "inverted_lat.tif",
    ext_lowres => "lowres.tif",
    ext_nocog => "nocog.tif",
    ext_noweb => "noweb.tif",
    ext_web => "web.tif",
}

/// Real chunks cut short — a truncated download, a file cut mid-tile — are errors, never a
/// panic and never a silently half-filled block. (JPEG is left out: libjpeg, as GDAL uses it,
/// only warns about a truncated stream, decodes what it has and fills the rest.)
#[test]
fn truncated_real_chunks_are_errors() {
    let files = [
        "corpus/tokyo_i32_none_t128_3857.tif",
        "corpus/london_u8_packbits_27700.tif",
        "corpus/kassel_rgb_deflate_p1_3035.tif",
        "corpus/singapore_u16_bigendian_3857.tif",
        "corpus/dem_i16_lzw_p2_32631.tif",
        "corpus/rgbn_u16_zstd_p2_32755.tif",
        "corpus/amsterdam_f64_zstd_p3_32631.tif",
        "corpus/rgb_webp_lossless_4326.tif",
        "corpus/rgba_webp_lossy_3857.tif",
        "corpus/grandcanyon_f32_lerc_3857.tif",
    ];
    let dir = conformance::dir().display().to_string();
    for file in files {
        let tiff = Tiff::read(&format!("{dir}/{file}"));
        let level = Level::new(&tiff, &tiff.ifds[0]);
        let index = (0..level.blocks_x * level.blocks_y)
            .find(|&i| level.chunk(i).is_some())
            .unwrap();
        let chunk = level.chunk(index).unwrap();
        let spec = level.spec(level.block_h);
        let mut out = vec![0u8; spec.decoded_len().unwrap()];
        codec::decode(&spec, chunk, &mut out).unwrap_or_else(|e| panic!("{file}: {e}"));
        // (Not the last few bytes: a zlib stream ends with a checksum of data already complete.)
        for cut in [0, 1, chunk.len() / 3, chunk.len() / 2, chunk.len() * 9 / 10] {
            let result = codec::decode(&spec, &chunk[..cut], &mut out);
            assert!(
                result.is_err(),
                "{file}: chunk cut to {cut} of {} bytes decoded",
                chunk.len()
            );
        }
    }
}

/// JPEG (4:2:0 YCbCr, decoded the way GDAL's libjpeg 9 does) and lossy WebP (decoded by libwebp,
/// GDAL's own decoder) are lossy only for the encoder: every block must match GDAL's digest
/// exactly, not just within the tolerance `run` allows (in the default build).
#[test]
fn lossy_blocks_are_gdal_exact() {
    for name in [
        "rgb_jpeg_mask_3857.tif",
        "cog_rgb.tif",
        "cog_hirise_mars.tif",
        "rgba_webp_lossy_3857.tif",
    ] {
        let t = check_file(name);
        assert!(t.failures.is_empty(), "{name}: {:?}", t.failures);
        // The pure-Rust build's decoders (zune-jpeg, image-webp) are other implementations:
        // within the tolerance, not exact (README, "The pure-Rust build").
        if cfg!(not(feature = "c-codecs")) {
            assert!(t.exact + t.lossy_ok > 0, "{name}: no block checked");
            continue;
        }
        assert_eq!(
            t.lossy_ok, 0,
            "{name}: {} blocks only within tolerance ({} exact)",
            t.lossy_ok, t.exact
        );
        assert!(t.exact > 0, "{name}: no block checked");
    }
}
