//! Rendering checked against TiTiler's recorded answers.
//!
//! Each test takes a recorded `.npy` tile (TiTiler's raw data + mask for that tile), runs our
//! rendering on it, and compares with the recorded rendered image of the *same* tile, using the
//! tolerances of `compare.py` (99 % of valid pixels within ±1, masks agreeing on 99 %).
//! The tests skip when the shared conformance data is not on this machine.

use std::path::{Path, PathBuf};

use cogtiler::raster::{DataType, Raster, Samples};
use cogtiler::render::algorithm::Algorithm;
use cogtiler::render::color_formula::ColorFormula;
use cogtiler::render::expression::Expression;
use cogtiler::render::{named, render_image, Georef, Image, ImageFormat, RenderOptions};

fn cases() -> Option<PathBuf> {
    if let Ok(d) = std::env::var("COGTILER_SHARED") {
        return Some(Path::new(&d).join("conformance/cases"));
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join("shared/conformance/cases"))
        .find(|p| p.exists())
}

/// Reads a little-endian C-order `.npy` of shape (bands, h, w).
fn read_npy(bytes: &[u8]) -> (DataType, Vec<usize>, Vec<u8>) {
    assert_eq!(&bytes[..6], b"\x93NUMPY");
    let hlen = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let header = std::str::from_utf8(&bytes[10..10 + hlen]).unwrap();
    let descr = header
        .split("'descr': '")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
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
    .find(|d| d.npy_descr() == descr)
    .unwrap();
    let shape: Vec<usize> = header
        .split("'shape': (")
        .nth(1)
        .unwrap()
        .split(')')
        .next()
        .unwrap()
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().parse().unwrap())
        .collect();
    (dtype, shape, bytes[10 + hlen..].to_vec())
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
    let Some(dir) = cases() else { return };
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
    let Some(dir) = cases() else { return };
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
    let Some(dir) = cases() else { return };
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
    let Some(dir) = cases() else { return };
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
    let Some(dir) = cases() else { return };
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
    let Some(dir) = cases() else { return };
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

/// Timings of the hot rendering paths on a real tile (run with `--ignored --nocapture`; no
/// assertion on time).
#[test]
#[ignore]
fn timings() {
    let Some(dir) = cases() else { return };
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
