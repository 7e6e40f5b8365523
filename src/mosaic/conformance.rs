//! The recorded TiTiler mosaic tiles (`cases-stac/mosaic_*.npy`) rebuilt from the library
//! pieces: document → assets → per-asset `reader` tiles → [`mosaic_reader`] → `.npy`.

use super::{mosaic_reader, Error, MosaicJson, PixelSelection};

/// The server's default document limit.
const DEFAULT_MAX_DOCUMENT_BYTES: usize = crate::io::DEFAULT_MAX_DOCUMENT_BYTES as usize;
use crate::reader::{ImageData, Reader, TileOptions};
use crate::tms::default_registry;

const CONFORMANCE: &str = "../shared/conformance";

/// Only ever printed (through `Debug`) when a case fails.
#[derive(Debug)]
#[allow(dead_code)]
enum TestError {
    Read(crate::reader::Error),
    Mosaic(Error),
}

impl From<Error> for TestError {
    fn from(e: Error) -> Self {
        TestError::Mosaic(e)
    }
}

/// The case's mosaic tile as the library makes it, and the recorded body.
async fn tile_case(case: &str) -> Option<(ImageData, Vec<u8>)> {
    let text = std::fs::read_to_string(format!("{CONFORMANCE}/cases-stac/{case}.json")).ok()?;
    let spec: serde_json::Value = serde_json::from_str(&text).unwrap();
    let base = std::fs::canonicalize(CONFORMANCE).ok()?;
    let base = base.to_str().unwrap();
    let mut url = String::new();
    let mut method = PixelSelection::First;
    let mut tilesize = None;
    for q in spec["query"].as_array().unwrap() {
        let (k, v) = (q[0].as_str().unwrap(), q[1].as_str().unwrap());
        match k {
            "url" => url = v.replace("{base}", base),
            "pixel_selection" => method = PixelSelection::parse(v).unwrap(),
            "tilesize" => tilesize = Some(v.parse().unwrap()),
            other => panic!("{case}: unexpected query {other}"),
        }
    }
    // /mosaicjson/tiles/WebMercatorQuad/{z}/{x}/{y}.{npy,png}
    let path = spec["path"].as_str().unwrap();
    let path = &path[..path.rfind('.').unwrap()];
    let parts: Vec<&str> = path.rsplitn(4, '/').collect();
    let (y, x, z): (i64, i64, i32) = (
        parts[0].parse().unwrap(),
        parts[1].parse().unwrap(),
        parts[2].parse().unwrap(),
    );
    let bytes = std::fs::read(&url).unwrap();
    let text = String::from_utf8(bytes).unwrap().replace("{base}", base);
    let doc = MosaicJson::from_bytes(text.as_bytes(), DEFAULT_MAX_DOCUMENT_BYTES).unwrap();
    let assets = doc.assets_for_tile(z, x, y).unwrap();
    let tms = default_registry().get("WebMercatorQuad").unwrap();
    let opts = TileOptions {
        tilesize,
        ..TileOptions::default()
    };
    let read = |a: &str| {
        let (a, tms, opts) = (a.to_string(), tms.clone(), opts.clone());
        async move {
            let r = Reader::open(&a).await.map_err(TestError::Read)?;
            r.tile(&tms, z, x, y, &opts).await.map_err(TestError::Read)
        }
    };
    let skip = |e: &TestError| {
        matches!(
            e,
            TestError::Read(crate::reader::Error::TileOutsideBounds { .. })
        )
    };
    let out = mosaic_reader(&assets, method, 8, read, skip).await.unwrap();
    let want = std::fs::read(format!(
        "{CONFORMANCE}/cases-stac/{}",
        spec["expect"]["body_file"].as_str().unwrap()
    ))
    .unwrap();
    Some((out.image, want))
}

#[tokio::test]
async fn recorded_mosaic_tiles_match_titiler() {
    let mut cases: Vec<String> = match std::fs::read_dir(format!("{CONFORMANCE}/cases-stac")) {
        Ok(d) => d
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.starts_with("mosaic_") && n.ends_with(".npy"))
            .map(|n| n.trim_end_matches(".npy").to_string())
            .collect(),
        Err(_) => {
            eprintln!("skipping: conformance cases not found");
            return;
        }
    };
    cases.sort();
    let mut failed = Vec::new();
    let mut compared = 0;
    for case in &cases {
        let Some((image, want)) = tile_case(case).await else {
            continue;
        };
        let got = image.to_npy();
        compared += 1;
        if got != want {
            let differing = got.iter().zip(&want).filter(|(a, b)| a != b).count();
            failed.push(format!(
                "{case}: {} vs {} bytes, {differing} bytes differ",
                got.len(),
                want.len()
            ));
        }
    }
    assert_eq!(compared, cases.len());
    assert!(
        failed.is_empty(),
        "{} of {} differ:\n{}",
        failed.len(),
        cases.len(),
        failed.join("\n")
    );
    eprintln!("{compared} recorded mosaic tiles identical to TiTiler's");
}

/// `/tiles/.../assets`, `/point/.../assets`, `/bbox/.../assets` of both recorded mosaics.
#[test]
fn recorded_asset_lookups_match_titiler() {
    let mut compared = 0;
    for fixture in ["dem_quads", "titiler"] {
        for kind in ["tile", "point", "bbox"] {
            let case = format!("mosaic_{fixture}__{kind}_assets");
            let Ok(text) = std::fs::read_to_string(format!("{CONFORMANCE}/cases-stac/{case}.json"))
            else {
                continue;
            };
            let spec: serde_json::Value = serde_json::from_str(&text).unwrap();
            let url = spec["query"][0][1].as_str().unwrap();
            let doc_path = url.replace("{base}", CONFORMANCE);
            let doc = MosaicJson::from_bytes(
                &std::fs::read(doc_path).unwrap(),
                DEFAULT_MAX_DOCUMENT_BYTES,
            )
            .unwrap();
            let path = spec["path"].as_str().unwrap().trim_end_matches("/assets");
            let nums = |s: &str| -> Vec<f64> { s.split(',').map(|v| v.parse().unwrap()).collect() };
            let last = path.rsplit('/').next().unwrap();
            let got = match kind {
                "tile" => {
                    let p: Vec<&str> = path.rsplitn(4, '/').collect();
                    doc.assets_for_tile(
                        p[2].parse().unwrap(),
                        p[1].parse().unwrap(),
                        p[0].parse().unwrap(),
                    )
                }
                "point" => {
                    let c = nums(last);
                    doc.assets_for_point(c[0], c[1])
                }
                _ => {
                    let c = nums(last);
                    doc.assets_for_bbox([c[0], c[1], c[2], c[3]])
                }
            }
            .unwrap();
            assert_eq!(
                serde_json::Value::from(got),
                spec["expect"]["json"],
                "{case}"
            );
            compared += 1;
        }
    }
    eprintln!("{compared} recorded asset lookups identical to TiTiler's");
}

/// Tiles below `quadkey_zoom` (read through child quadkeys) are only recorded as PNGs. The
/// uint16 mosaic's is a 16-bit RGBA PNG: colour = the three data bands, alpha = the mask
/// (0/65535). (The float32 DEM's PNG is all transparent whatever the data: rio-tiler casts its
/// ±f32::MAX mask to uint8, a rendering matter.)
#[tokio::test]
async fn recorded_below_minzoom_tile_matches_titiler() {
    let case = "mosaic_titiler__tile_below_minzoom";
    let Some((image, png_bytes)) = tile_case(case).await else {
        return;
    };
    let mut reader = png::Decoder::new(std::io::Cursor::new(png_bytes))
        .read_info()
        .unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(
        (info.color_type, info.bit_depth),
        (png::ColorType::Rgba, png::BitDepth::Sixteen)
    );
    assert_eq!(image.raster.bands, 3);
    let plane = image.raster.plane_len();
    let data = image.raster.data.to_f64_vec();
    let (mut data_diff, mut mask_diff) = (0, 0);
    for (p, px) in buf[..info.buffer_size()].chunks(8).enumerate() {
        let sample = |c: usize| u16::from_be_bytes([px[2 * c], px[2 * c + 1]]);
        for b in 0..3 {
            data_diff += usize::from(f64::from(sample(b)) != data[b * plane + p]);
        }
        mask_diff += usize::from((sample(3) != 0) != (image.raster.mask[p] != 0));
    }
    let valid = image.raster.mask.iter().filter(|&&m| m != 0).count();
    assert_eq!((data_diff, mask_diff), (0, 0), "{case}");
    eprintln!("{case}: identical to TiTiler's ({valid} valid pixels)");
}
