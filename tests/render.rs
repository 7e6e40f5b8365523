//! Rendering checked against TiTiler's recorded answers.
//!
//! Each test takes a recorded `.npy` tile (TiTiler's raw data + mask for that tile), runs our
//! rendering on it, and compares with the recorded rendered image of the *same* tile, using the
//! tolerances of `compare.py` (99 % of valid pixels within ±1, masks agreeing on 99 %).
//! The tests skip when the shared conformance data is not on this machine.

use std::path::Path;

use cogtiler::raster::{DataType, Raster, Samples};
use cogtiler::render::algorithm::Algorithm;
use cogtiler::render::color_formula::ColorFormula;
use cogtiler::render::expression::Expression;
use cogtiler::render::{named, render_image, Georef, Image, ImageFormat, RenderOptions};

#[path = "support/conformance.rs"]
mod conformance;

/// Reads a little-endian C-order `.npy` of shape (bands, h, w).
fn read_npy(bytes: &[u8]) -> (DataType, Vec<usize>, Vec<u8>) {
    let npy = conformance::Npy::parse(bytes);
    let dtype = [
        DataType::U8,
        DataType::I8,
        DataType::U16,
        DataType::I16,
        DataType::U32,
        DataType::I32,
        DataType::F32,
        DataType::F64,
    ]
    .into_iter()
    .find(|d| d.npy_descr() == npy.descr)
    .unwrap();
    (dtype, npy.shape, npy.data)
}

fn samples(dtype: DataType, le: &[u8]) -> Samples {
    macro_rules! conv {
        ($t:ty, $v:ident, $n:expr) => {
            Samples::$v(
                le.chunks_exact($n)
                    .map(|c| <$t>::from_le_bytes(c.try_into().unwrap()))
                    .collect(),
            )
        };
    }
    match dtype {
        DataType::U8 => Samples::U8(le.to_vec()),
        DataType::I8 => Samples::I8(le.iter().map(|b| *b as i8).collect()),
        DataType::U16 => conv!(u16, U16, 2),
        DataType::I16 => conv!(i16, I16, 2),
        DataType::U32 => conv!(u32, U32, 4),
        DataType::I32 => conv!(i32, I32, 4),
        DataType::F32 => conv!(f32, F32, 4),
        DataType::F64 => conv!(f64, F64, 8),
    }
}

/// WebMercatorQuad tile bounds.
fn tile_bounds(z: u32, x: u32, y: u32) -> [f64; 4] {
    let e = 20037508.342789244;
    let size = 2.0 * e / f64::from(1u32 << z);
    [
        -e + f64::from(x) * size,
        e - f64::from(y + 1) * size,
        -e + f64::from(x + 1) * size,
        e - f64::from(y) * size,
    ]
}

/// A recorded `.npy` tile as an Image (last band = mask, valid where > 0).
fn npy_image(dir: &Path, case: &str, tile: (u32, u32, u32)) -> Image {
    let bytes = std::fs::read(dir.join(format!("{case}.npy"))).unwrap();
    let (dtype, shape, body) = read_npy(&bytes);
    let (bands, h, w) = (shape[0] - 1, shape[1], shape[2]);
    let all = samples(dtype, &body).to_f64_vec();
    let plane = w * h;
    let mask = all[bands * plane..]
        .iter()
        .map(|v| if *v > 0.0 { 255 } else { 0 })
        .collect();
    let data = samples(dtype, &body[..bands * plane * dtype.size()]);
    let mut img = Image::new(Raster {
        width: w,
        height: h,
        bands,
        data,
        mask,
    })
    .unwrap();
    img.georef = Some(Georef {
        bounds: tile_bounds(tile.0, tile.1, tile.2),
        epsg: Some(3857),
        geographic: false,
    });
    img
}

/// Decoded 8-bit PNG: (width, height, channels, pixels).
fn decode_png(bytes: &[u8]) -> (usize, usize, usize, Vec<u8>) {
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    buf.truncate(info.buffer_size());
    (
        info.width as usize,
        info.height as usize,
        info.color_type.samples(),
        buf,
    )
}

/// compare.py's lossless rule on two PNGs whose last channel is alpha; optionally ignoring a
/// border of `skip` pixels (algorithms whose edges depend on pixels outside our input).
fn assert_png_close(ours: &[u8], expected: &[u8], skip: usize, what: &str) {
    let (w, h, c, a) = decode_png(ours);
    let (w2, h2, c2, b) = decode_png(expected);
    assert_eq!((w, h, c), (w2, h2, c2), "{what}: shape");
    let (mut total, mut close, mut mask_total, mut mask_agree) = (0usize, 0usize, 0usize, 0usize);
    let mut exact = 0usize;
    for y in skip..h - skip {
        for x in skip..w - skip {
            let i = (y * w + x) * c;
            let (va, vb) = (a[i + c - 1] > 0, b[i + c - 1] > 0);
            mask_total += 1;
            mask_agree += usize::from(va == vb);
            if va && vb {
                total += 1;
                let ok = (0..c - 1).all(|k| (a[i + k] as i32 - b[i + k] as i32).abs() <= 1);
                close += usize::from(ok);
                exact += usize::from((0..c - 1).all(|k| a[i + k] == b[i + k]));
            }
        }
    }
    assert!(total > 0, "{what}: no valid pixel to compare");
    eprintln!("{what}: {exact}/{total} valid pixels exact, {close} within ±1; masks agree on {mask_agree}/{mask_total}");
    let frac = close as f64 / total as f64;
    let agree = mask_agree as f64 / mask_total as f64;
    assert!(
        frac >= 0.99,
        "{what}: only {:.2}% of pixels within ±1",
        frac * 100.0
    );
    assert!(
        agree >= 0.99,
        "{what}: masks agree on {:.2}%",
        agree * 100.0
    );
}

fn png_opts<'a>() -> RenderOptions<'a> {
    RenderOptions {
        format: Some(ImageFormat::Png),
        ..RenderOptions::new()
    }
}

#[test]
fn expression_then_rescale_matches_titiler() {
    let dir = conformance::cases_dir();
    let img = npy_image(
        &dir,
        "rgbn_u16_zstd_p2_32755__tile_mid_npy",
        (13, 7394, 5026),
    );
    let img = Expression::parse("b3;b2;b1").unwrap().apply(&img).unwrap();
    let opts = RenderOptions {
        rescale: &[(0.0, 3000.0)],
        ..png_opts()
    };
    let out = render_image(img, &opts).unwrap();
    let expected = std::fs::read(dir.join("rgbn_u16_zstd_p2_32755__tile_multi_expr.png")).unwrap();
    assert_png_close(&out.body, &expected, 0, "multi_expr");
}

#[test]
fn color_formula_matches_titiler() {
    let dir = conformance::cases_dir();
    let img = npy_image(&dir, "rgb_jpeg_mask_3857__tile_mid_npy", (15, 16597, 11273));
    let cf = ColorFormula::parse("Gamma RGB 1.5 Saturation 1.2 Sigmoidal RGB 10 0.35").unwrap();
    let opts = RenderOptions {
        color_formula: Some(&cf),
        ..png_opts()
    };
    let out = render_image(img, &opts).unwrap();
    let expected = std::fs::read(dir.join("rgb_jpeg_mask_3857__tile_color_formula.png")).unwrap();
    assert_png_close(&out.body, &expected, 0, "color_formula");
}

#[test]
fn rescale_and_named_colormap_match_titiler() {
    let dir = conformance::cases_dir();
    let img = npy_image(
        &dir,
        "dem_f32_deflate_p3_3857__tile_mid_npy",
        (11, 1063, 729),
    );
    let cm = named::colormap("terrain").unwrap();
    let opts = RenderOptions {
        rescale: &[(1331.0, 4004.0)],
        colormap: Some(&cm),
        ..png_opts()
    };
    let out = render_image(img, &opts).unwrap();
    let expected =
        std::fs::read(dir.join("dem_f32_deflate_p3_3857__tile_terrain_cmap.png")).unwrap();
    assert_png_close(&out.body, &expected, 0, "terrain_cmap");
}

fn algorithm_case(
    npy: &str,
    tile: (u32, u32, u32),
    algo: &str,
    params: Option<&str>,
    rescale: &[(f64, f64)],
    png: &str,
    skip: usize,
) {
    let dir = conformance::cases_dir();
    let img = npy_image(&dir, npy, tile);
    let a = Algorithm::new(algo, params).unwrap();
    let img = a.apply(&img).unwrap();
    let opts = RenderOptions {
        rescale,
        ..png_opts()
    };
    let out = render_image(img, &opts).unwrap();
    let expected = std::fs::read(dir.join(png)).unwrap();
    assert_png_close(&out.body, &expected, skip, algo);
}

#[test]
fn terrainrgb_matches_titiler() {
    algorithm_case(
        "dem_f32_deflate_p3_3857__tile_mid_npy",
        (11, 1063, 729),
        "terrainrgb",
        None,
        &[],
        "dem_f32_deflate_p3_3857__tile_terrainrgb.png",
        0,
    );
}

#[test]
fn contours_match_titiler() {
    algorithm_case(
        "grandcanyon_f32_lerc_3857__tile_mid_npy",
        (11, 386, 803),
        "contours",
        None,
        &[],
        "grandcanyon_f32_lerc_3857__tile_contours.png",
        0,
    );
}

#[test]
fn hillshade_matches_titiler_including_its_crop() {
    algorithm_case(
        "dem_f32_deflate_p3_3857__tile_mid_npy",
        (11, 1063, 729),
        "hillshade",
        None,
        &[],
        "dem_f32_deflate_p3_3857__tile_hillshade.png",
        0,
    );
    algorithm_case(
        "grandcanyon_f32_lerc_3857__tile_mid_npy",
        (11, 386, 803),
        "hillshade",
        None,
        &[],
        "grandcanyon_f32_lerc_3857__tile_hillshade.png",
        0,
    );
    algorithm_case(
        "dem_f32_deflate_p3_3857__tile_mid_npy",
        (11, 1063, 729),
        "hillshade",
        Some(r#"{"azimuth": 315, "angle_altitude": 30, "z_exaggeration": 2}"#),
        &[],
        "dem_f32_deflate_p3_3857__tile_hillshade_params.png",
        0,
    );
}

#[test]
fn slope_matches_titiler_including_its_crop() {
    algorithm_case(
        "dem_f32_deflate_p3_3857__tile_mid_npy",
        (11, 1063, 729),
        "slope",
        None,
        &[(0.0, 60.0)],
        "dem_f32_deflate_p3_3857__tile_slope.png",
        0,
    );
}

#[test]
fn npy_encoding_is_byte_identical_to_titiler() {
    let dir = conformance::cases_dir();
    for (case, tile) in [
        ("dem_f32_deflate_p3_3857__tile_mid_npy", (11, 1063, 729)),
        ("rgbn_u16_zstd_p2_32755__tile_mid_npy", (13, 7394, 5026)),
        ("colorado_i8_5070__tile_mid_npy", (0, 0, 0)),
        ("ross_i32_3031__tile_mid_npy", (0, 0, 0)),
    ] {
        let img = npy_image(&dir, case, tile);
        let opts = RenderOptions {
            format: Some(ImageFormat::Npy),
            ..RenderOptions::new()
        };
        let out = render_image(img, &opts).unwrap();
        assert_eq!(out.media_type, "application/x-binary");
        let expected = std::fs::read(dir.join(format!("{case}.npy"))).unwrap();
        assert!(out.body == expected, "{case}: npy bytes differ");
    }
}

/// The landcover tile as TiTiler read it (class indexes + mask): the recorded `.npy` holds it
/// expanded through the dataset palette, which is inverted here with TiTiler's own `/info`
/// colormap (every class used in the tile has a distinct colour).
fn landcover_indexes(dir: &Path) -> Image {
    let rgb = npy_image(dir, "landcover_u8_palette_3035__tile_mid_npy", (8, 134, 85));
    let info: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.join("landcover_u8_palette_3035__info.json")).unwrap(),
    )
    .unwrap();
    let palette = info["expect"]["json"]["colormap"].as_object().unwrap();
    let lookup: std::collections::HashMap<[u8; 3], u8> = palette
        .iter()
        .filter(|(_, c)| c[3].as_u64() == Some(255))
        .map(|(k, c)| {
            let v = |i: usize| c[i].as_u64().unwrap() as u8;
            ([v(0), v(1), v(2)], k.parse::<u8>().unwrap())
        })
        .collect();
    let Samples::U8(d) = &rgb.raster.data else {
        panic!("uint8 expected")
    };
    let plane = rgb.raster.plane_len();
    let idx: Vec<u8> = (0..plane)
        .map(|i| {
            if rgb.raster.mask[i] == 0 {
                0
            } else {
                lookup[&[d[i], d[plane + i], d[2 * plane + i]]]
            }
        })
        .collect();
    let mut img = Image::new(Raster {
        width: rgb.width(),
        height: rgb.height(),
        bands: 1,
        data: Samples::U8(idx),
        mask: rgb.raster.mask.clone(),
    })
    .unwrap();
    img.georef = rgb.georef.clone();
    img
}

#[test]
fn discrete_interval_and_named_colormaps_match_titiler() {
    let dir = conformance::cases_dir();
    let img = landcover_indexes(&dir);
    let discrete = cogtiler::render::ColorMap::parse_json(
        r##"{"10": "#006400", "20": "#ffbb22", "30": "#ffff4c", "40": "#f096ff", "50": "#fa0000", "80": "#0064c8"}"##,
    )
    .unwrap();
    let intervals = cogtiler::render::ColorMap::parse_json(
        "[[[0, 25], [0, 100, 0, 255]], [[25, 60], [250, 200, 0, 255]], [[60, 101], [0, 0, 200, 255]]]",
    )
    .unwrap();
    let tab20 = named::colormap("tab20").unwrap();
    // the dataset's own palette, as TiTiler's /info reports it (a 256-entry lookup table)
    let info: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.join("landcover_u8_palette_3035__info.json")).unwrap(),
    )
    .unwrap();
    let palette =
        cogtiler::render::ColorMap::parse_json(&info["expect"]["json"]["colormap"].to_string())
            .unwrap();
    assert!(palette.is_lut());
    for (cm, png) in [
        (
            &palette,
            "landcover_u8_palette_3035__tile_internal_cmap_nearest.png",
        ),
        (&discrete, "landcover_u8_palette_3035__tile_custom_cmap.png"),
        (
            &intervals,
            "landcover_u8_palette_3035__tile_interval_cmap.png",
        ),
        (
            &tab20,
            "landcover_u8_palette_3035__tile_cmap_name_override.png",
        ),
    ] {
        let opts = RenderOptions {
            colormap: Some(cm),
            ..png_opts()
        };
        let out = render_image(img.clone(), &opts).unwrap();
        let expected = std::fs::read(dir.join(png)).unwrap();
        assert_png_close(&out.body, &expected, 0, png);
    }
}

/// Mean absolute difference of two decoded 8-bit images (compare.py's lossy rule is ≤ 3).
fn mad(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len(), "decoded sizes differ");
    a.iter()
        .zip(b)
        .map(|(x, y)| (*x as f64 - *y as f64).abs())
        .sum::<f64>()
        / a.len() as f64
}

fn decode_jpeg(bytes: &[u8]) -> (usize, usize, Vec<u8>) {
    let mut d = zune_jpeg::JpegDecoder::new(zune_core::bytestream::ZCursor::new(bytes));
    let px = d.decode().unwrap();
    let (w, h) = d.dimensions().unwrap();
    (w, h, px)
}

fn decode_webp(bytes: &[u8]) -> (u32, u32, bool, Vec<u8>) {
    let mut d = image_webp::WebPDecoder::new(std::io::Cursor::new(bytes)).unwrap();
    let (w, h) = d.dimensions();
    let mut buf = vec![0; d.output_buffer_size().unwrap()];
    d.read_image(&mut buf).unwrap();
    (w, h, d.has_alpha(), buf)
}

#[test]
fn jpeg_and_webp_tiles_match_titiler_within_lossy_tolerance() {
    let dir = conformance::cases_dir();
    let jpeg = RenderOptions {
        format: Some(ImageFormat::Jpeg),
        ..RenderOptions::new()
    };
    for (npy, tile, reference, expr) in [
        (
            "giza_rgb_planar_3857__tile_mid_npy",
            (16, 38435, 27042),
            "giza_rgb_planar_3857__tile_jpeg.jpg",
            None,
        ),
        (
            "rgb_jpeg_mask_3857__tile_mid_npy",
            (15, 16597, 11273),
            "rgb_jpeg_mask_3857__tile_jpeg.jpg",
            None,
        ),
        // int32 from the expression, rescaled from the int32 range: the automatic rescale path
        // (the recorded 4-band CMYK variant is left to compare.py: decoders disagree on Adobe
        // CMYK inversion, so raw pixels are not comparable here)
        (
            "kassel_rgb_deflate_p1_3035__tile_mid_npy",
            (14, 8623, 5462),
            "",
            Some("b1;b2;b3"),
        ),
    ] {
        let mut img = npy_image(&dir, npy, tile);
        if let Some(e) = expr {
            img = Expression::parse(e).unwrap().apply(&img).unwrap();
        }
        let ours = render_image(img, &jpeg).unwrap();
        let (w, h, a) = decode_jpeg(&ours.body);
        if reference.is_empty() {
            // (x + 2^31) / (2^32 - 1) * 255 truncates to 127 for every uint8 value
            assert!(
                a.iter().all(|v| (*v as i32 - 127).abs() <= 1),
                "int32 auto rescale"
            );
            continue;
        }
        let (w2, h2, b) = decode_jpeg(&std::fs::read(dir.join(reference)).unwrap());
        assert_eq!((w, h), (w2, h2));
        let m = mad(&a, &b);
        eprintln!("{reference}: mean abs diff {m:.3}");
        assert!(m <= 3.0, "{reference}: mean abs diff {m}");
    }
    let webp = RenderOptions {
        format: Some(ImageFormat::Webp),
        ..RenderOptions::new()
    };
    for (npy, tile, reference, rescale) in [
        (
            "rgb_jpeg_mask_3857__tile_mid_npy",
            (15, 16597, 11273),
            "rgb_jpeg_mask_3857__tile_webp.webp",
            None,
        ),
        (
            "rgba_webp_lossy_3857__tile_mid_npy",
            (14, 2620, 6333),
            "rgba_webp_lossy_3857__tile_webp.webp",
            None,
        ),
        (
            "rgbn_u16_zstd_p2_32755__tile_mid_npy",
            (13, 7394, 5026),
            "rgbn_u16_zstd_p2_32755__tile_webp.webp",
            Some([(0.0, 4000.0)]),
        ),
    ] {
        let img = npy_image(&dir, npy, tile);
        let ranges = rescale.unwrap_or_default();
        let opts = RenderOptions {
            rescale: if rescale.is_some() { &ranges } else { &[] },
            ..webp.clone()
        };
        let ours = render_image(img, &opts).unwrap();
        let expected = std::fs::read(dir.join(reference)).unwrap();
        // same libwebp, same settings: the very same file (the pure-Rust build writes lossless
        // WebP instead, so there only the pixels are compared, below)
        if cfg!(feature = "c-codecs") {
            assert!(
                ours.body == expected,
                "{reference}: WebP bytes differ from TiTiler's"
            );
        }
        let (w, h, alpha, a) = decode_webp(&ours.body);
        let (w2, h2, alpha2, b) = decode_webp(&expected);
        assert_eq!((w, h, alpha), (w2, h2, alpha2), "{reference}");
        // compare colour only where both alphas are opaque, and the alphas themselves
        let (mut diff, mut n, mut agree) = (0.0, 0usize, 0usize);
        for (pa, pb) in a.chunks(4).zip(b.chunks(4)) {
            agree += usize::from((pa[3] > 0) == (pb[3] > 0));
            if pa[3] > 0 && pb[3] > 0 {
                diff += (0..3)
                    .map(|k| (pa[k] as f64 - pb[k] as f64).abs())
                    .sum::<f64>();
                n += 3;
            }
        }
        let m = diff / n.max(1) as f64;
        let agree = agree as f64 / (a.len() / 4) as f64;
        eprintln!(
            "{reference}: mean abs diff {m:.3}, alpha agreement {:.4}",
            agree
        );
        // Lossless output against TiTiler's lossy file: the difference is TiTiler's own
        // compression error.
        let tolerance = if cfg!(feature = "c-codecs") { 3.0 } else { 8.0 };
        assert!(
            m <= tolerance && agree >= 0.99,
            "{reference}: mad {m}, alpha {agree}"
        );
    }
}

/// A decoded little-endian striped chunky TIFF: size, samples per pixel, bits, sample format,
/// raw sample bytes, and the GeoTIFF pixel scale / tiepoint.
struct Tiff {
    w: usize,
    h: usize,
    spp: usize,
    bits: u16,
    format: u16,
    bytes: Vec<u8>,
    scale: Vec<f64>,
    tie: Vec<f64>,
}

fn read_tiff(b: &[u8]) -> Tiff {
    use std::io::Read;
    assert_eq!(&b[..4], b"II*\0", "little-endian classic TIFF expected");
    let u16at = |o: usize| u16::from_le_bytes([b[o], b[o + 1]]);
    let u32at = |o: usize| u32::from_le_bytes(b[o..o + 4].try_into().unwrap());
    let ifd = u32at(4) as usize;
    let mut tags = std::collections::HashMap::new();
    for k in 0..u16at(ifd) as usize {
        let e = ifd + 2 + 12 * k;
        let (tag, typ, count) = (u16at(e), u16at(e + 2), u32at(e + 4) as usize);
        let size = match typ {
            3 => 2,
            4 => 4,
            12 => 8,
            _ => 1,
        };
        let at = if size * count <= 4 {
            e + 8
        } else {
            u32at(e + 8) as usize
        };
        let vals: Vec<f64> = (0..count)
            .map(|i| match typ {
                3 => u16at(at + 2 * i) as f64,
                4 => u32at(at + 4 * i) as f64,
                12 => f64::from_le_bytes(b[at + 8 * i..at + 8 * i + 8].try_into().unwrap()),
                _ => b[at + i] as f64,
            })
            .collect();
        tags.insert(tag, vals);
    }
    let one = |t: u16, d: f64| tags.get(&t).and_then(|v| v.first().copied()).unwrap_or(d);
    let comp = one(259, 1.0) as u16;
    let mut bytes = Vec::new();
    for (o, c) in tags[&273].iter().zip(&tags[&279]) {
        let chunk = &b[*o as usize..(*o + *c) as usize];
        match comp {
            1 => bytes.extend_from_slice(chunk),
            8 => {
                flate2::read::ZlibDecoder::new(chunk)
                    .read_to_end(&mut bytes)
                    .unwrap();
            }
            c => panic!("compression {c}"),
        }
    }
    Tiff {
        w: one(256, 0.0) as usize,
        h: one(257, 0.0) as usize,
        spp: one(277, 1.0) as usize,
        bits: one(258, 8.0) as u16,
        format: one(339, 1.0) as u16,
        bytes,
        scale: tags.get(&33550).cloned().unwrap_or_default(),
        tie: tags.get(&33922).cloned().unwrap_or_default(),
    }
}

#[test]
fn geotiff_tiles_match_titiler() {
    let dir = conformance::cases_dir();
    let tif = RenderOptions {
        format: Some(ImageFormat::Tif),
        ..RenderOptions::new()
    };
    for (npy, tile, reference) in [
        (
            "dem_f32_deflate_p3_3857__tile_mid_npy",
            (11, 1063, 729),
            "dem_f32_deflate_p3_3857__tile_tif.tif",
        ),
        (
            "amsterdam_f64_zstd_p3_32631__tile_mid_npy",
            (13, 4207, 2692),
            "amsterdam_f64_zstd_p3_32631__tile_tif.tif",
        ),
        (
            "singapore_u16_bigendian_3857__tile_mid_npy",
            (12, 3229, 2032),
            "singapore_u16_bigendian_3857__tile_tif.tif",
        ),
        (
            "tokyo_i32_none_t128_3857__tile_mid_npy",
            (13, 7274, 3225),
            "tokyo_i32_none_t128_3857__tile_tif.tif",
        ),
    ] {
        let img = npy_image(&dir, npy, tile);
        let ours = render_image(img, &tif).unwrap();
        assert_eq!(ours.media_type, "image/tiff; application=geotiff");
        let a = read_tiff(&ours.body);
        let b = read_tiff(&std::fs::read(dir.join(reference)).unwrap());
        assert_eq!(
            (a.w, a.h, a.spp, a.bits, a.format),
            (b.w, b.h, b.spp, b.bits, b.format),
            "{reference}"
        );
        assert_eq!(
            a.bytes, b.bytes,
            "{reference}: samples (data and alpha) differ"
        );
        for (x, y) in a.scale.iter().zip(&b.scale).chain(a.tie.iter().zip(&b.tie)) {
            assert!(
                (x - y).abs() < 1e-6,
                "{reference}: georeferencing {x} vs {y}"
            );
        }
    }
}

/// Timings of the hot rendering paths on a real tile (run with `--ignored --nocapture`; no
/// assertion on time).
#[test]
#[ignore]
fn timings() {
    let dir = conformance::cases_dir();
    let rgb = npy_image(&dir, "rgb_jpeg_mask_3857__tile_mid_npy", (15, 16597, 11273));
    let dem = npy_image(
        &dir,
        "dem_f32_deflate_p3_3857__tile_mid_npy",
        (11, 1063, 729),
    );
    let cm = named::colormap("viridis").unwrap();
    let time = |what: &str, f: &dyn Fn()| {
        let n = 50;
        let t = std::time::Instant::now();
        for _ in 0..n {
            f();
        }
        eprintln!(
            "{what}: {:.2} ms",
            t.elapsed().as_secs_f64() * 1000.0 / n as f64
        );
    };
    for fmt in [
        ImageFormat::Png,
        ImageFormat::Jpeg,
        ImageFormat::Webp,
        ImageFormat::Tif,
        ImageFormat::Npy,
    ] {
        time(&format!("rgb 256² → {}", fmt.name()), &|| {
            let opts = RenderOptions {
                format: Some(fmt),
                ..RenderOptions::new()
            };
            render_image(rgb.clone(), &opts).unwrap();
        });
    }
    time("dem rescale+viridis → png", &|| {
        let opts = RenderOptions {
            rescale: &[(1000.0, 4000.0)],
            colormap: Some(&cm),
            ..png_opts()
        };
        render_image(dem.clone(), &opts).unwrap();
    });
    let e = Expression::parse("(b1-b2)/(b1+b2)").unwrap();
    time("expression ndvi", &|| {
        e.apply(&rgb).unwrap();
    });
    let h = Algorithm::new("hillshade", None).unwrap();
    time("hillshade", &|| {
        h.apply(&dem).unwrap();
    });
}
