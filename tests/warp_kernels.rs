//! The warp kernels (`reproject=`) against GDAL: tiles of small generated COGs in other CRSs
//! (tests/data/warp_kernels, made by tools/warp_kernel_fixtures.py) read through the library
//! must equal, pixel for pixel and mask for mask, what live rio-tiler 9.4.12 / GDAL 3.10
//! returned for every kernel.

use cogtiler::reader::{ReadOptions, Reader, TileOptions};
use cogtiler::tms::default_registry;
use cogtiler::warp::Resampling;
use serde_json::Value;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/warp_kernels");

/// An `.npy` array as f64 values, with its shape (little-endian u1 / i2 only: the fixtures').
fn npy(b: &[u8]) -> (Vec<usize>, Vec<f64>) {
    assert_eq!(&b[..6], b"\x93NUMPY", "not an npy file");
    let hlen = u16::from_le_bytes([b[8], b[9]]) as usize;
    let header = std::str::from_utf8(&b[10..10 + hlen]).unwrap();
    let after = |key: &str| header.split(key).nth(1).unwrap().to_string();
    let descr = after("'descr': '");
    let descr = descr.split('\'').next().unwrap();
    let shape: Vec<usize> = after("'shape': (")
        .split(')')
        .next()
        .unwrap()
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let data = &b[10 + hlen..];
    let vals = match descr {
        "|u1" => data.iter().map(|v| *v as f64).collect(),
        "<i2" => data
            .chunks_exact(2)
            .map(|c| i16::from_le_bytes([c[0], c[1]]) as f64)
            .collect(),
        other => panic!("unexpected npy dtype {other}"),
    };
    (shape, vals)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warp_kernels_match_gdal() {
    let meta: Value =
        serde_json::from_slice(&std::fs::read(format!("{DIR}/tiles.json")).unwrap()).unwrap();
    let tms = default_registry().get("WebMercatorQuad").unwrap();
    let mut failures = Vec::new();
    let mut checked = 0;
    for (name, m) in meta.as_object().unwrap() {
        let tile: Vec<i64> = m["tile"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect();
        let size = m["tilesize"].as_u64().unwrap() as usize;
        let (shape, expected) = npy(&std::fs::read(format!("{DIR}/{name}.npy")).unwrap());
        let per_kernel = shape[1..].iter().product::<usize>();
        let reader = Reader::open(&format!("{DIR}/{name}.tif")).await.unwrap();
        for (i, k) in m["kernels"].as_array().unwrap().iter().enumerate() {
            let k = k.as_str().unwrap();
            let opts = TileOptions {
                read: ReadOptions {
                    reproject: k.parse::<Resampling>().unwrap(),
                    ..Default::default()
                },
                tilesize: Some(size),
                ..Default::default()
            };
            let img = reader
                .tile(&tms, tile[0] as i32, tile[1], tile[2], &opts)
                .await
                .unwrap();
            if let Ok(dir) = std::env::var("WARP_KERNELS_OUT") {
                let _ = std::fs::write(format!("{dir}/{name}.{k}.npy"), img.to_npy());
            }
            let (got_shape, got) = npy(&img.to_npy());
            assert_eq!(got_shape, shape[1..].to_vec(), "{name} {k}");
            let exp = &expected[i * per_kernel..(i + 1) * per_kernel];
            let wrong = got.iter().zip(exp).filter(|(a, b)| a != b).count();
            checked += 1;
            if wrong > 0 {
                failures.push(format!("{name} {k}: {wrong} of {per_kernel} values differ"));
            }
        }
    }
    assert!(checked >= 20, "only {checked} kernel tiles checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
