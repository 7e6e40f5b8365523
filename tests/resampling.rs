//! `resampling=` (GDAL RasterIO resampling) against rio-tiler on small generated files.
//!
//! `tests/data/resampling/` holds three tiny EPSG:3857 GeoTIFFs (nodata, internal mask, RGBA
//! alpha) and rio-tiler's answers for 64 px-or-smaller WebMercatorQuad tiles read with the
//! convolution kernels: downsampled from an overview, downsampled at full resolution,
//! upsampled, and on the raster's edge. Made by `tools/gen_resampling_fixtures.py`. Every
//! pixel must match exactly (value and mask): these reads have no reprojection, so the only
//! step is GDAL's `RasterIOResampled`.

use cogtiler::reader::{ReadOptions, Reader, TileOptions};
use cogtiler::tms::default_registry;
use serde_json::Value;

fn data_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/resampling")
}

/// The values of a little-endian `.npy` array (u1, u2 or f4), whatever its shape.
fn npy_values(b: &[u8]) -> (String, Vec<f64>) {
    assert_eq!(&b[..6], b"\x93NUMPY", "not an npy file");
    let hlen = u16::from_le_bytes([b[8], b[9]]) as usize;
    let header = std::str::from_utf8(&b[10..10 + hlen]).expect("npy header");
    let descr = header
        .split("'descr': '")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .expect("npy descr")
        .to_string();
    let body = &b[10 + hlen..];
    let values = match descr.as_str() {
        "|u1" => body.iter().map(|v| *v as f64).collect(),
        "<u2" => body
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]) as f64)
            .collect(),
        "<f4" => body
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f64)
            .collect(),
        d => panic!("unexpected npy dtype {d}"),
    };
    (descr, values)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resampled_tiles_match_rio_tiler() {
    let dir = data_dir();
    let cases: Vec<Value> =
        serde_json::from_slice(&std::fs::read(dir.join("cases.json")).expect("cases.json"))
            .expect("cases.json is JSON");
    assert!(cases.len() >= 30, "expected the generated cases");
    let tms = default_registry().get("WebMercatorQuad").expect("tms");
    let mut failures = Vec::new();
    for c in &cases {
        let file = dir.join(c["file"].as_str().unwrap());
        let reader = Reader::open(file.to_str().unwrap()).await.expect("open");
        let opts = TileOptions {
            read: ReadOptions {
                resampling: c["resampling"].as_str().unwrap().parse().unwrap(),
                ..Default::default()
            },
            tilesize: Some(c["tilesize"].as_u64().unwrap() as usize),
            ..Default::default()
        };
        let (z, x, y) = (
            c["z"].as_i64().unwrap() as i32,
            c["x"].as_i64().unwrap(),
            c["y"].as_i64().unwrap(),
        );
        let img = reader.tile(&tms, z, x, y, &opts).await.expect("tile");
        let (ours_t, ours) = npy_values(&img.to_npy());
        let (exp_t, exp) =
            npy_values(&std::fs::read(dir.join(c["expected"].as_str().unwrap())).unwrap());
        let bad = ours.iter().zip(&exp).filter(|(a, e)| a != e).count();
        if ours_t != exp_t || ours.len() != exp.len() || bad > 0 {
            failures.push(format!(
                "{} {z}/{x}/{y} {}: {bad} of {} values differ ({ours_t} vs {exp_t})",
                c["file"],
                c["resampling"],
                exp.len()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
