//! A rotated and sheared COG (GDAL geotransform terms 2 and 4 non-zero) against rio-tiler.
//!
//! `tests/data/rotated_utm.tif` (96 × 80 px, EPSG:32633, 30° rotation plus a 4° shear,
//! nodata 0, two overviews) is written by `tools/rotated_cogs.py --fixture`; the expected
//! values beside it (`rotated_utm.json`, `rotated_utm_*.npy`) come from rio-tiler 9.4.12 /
//! rasterio 1.4.4 / GDAL 3.10.3 through `tools/rotated_expected.py`. Before the geotransform
//! was treated as a full affine everywhere, the bounds took only two corners (tiles over the
//! other two came back 404, points there were "outside") and the zoom range was computed
//! from the rotated geotransform instead of rasterio's bounds-based grid.

use cogtiler::cog::validate;
use cogtiler::crs::Crs;
use cogtiler::reader::{Dataset, ReadOptions, Reader, TileOptions};
use cogtiler::tms::default_registry;
use serde_json::Value;

#[path = "support/conformance.rs"]
mod conformance;
use conformance::Npy;

fn data(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn expected() -> Value {
    let text = std::fs::read_to_string(data("rotated_utm.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn assert_close(ours: &[f64], exp: &[f64], what: &str) {
    assert_eq!(ours.len(), exp.len(), "{what}");
    for (a, e) in ours.iter().zip(exp) {
        assert!(
            (a - e).abs() <= 1e-9 * e.abs().max(1.0),
            "{what}: {ours:?} != {exp:?}"
        );
    }
}

async fn reader() -> Reader<cogtiler::reader::CogDataset> {
    Reader::open(data("rotated_utm.tif").to_str().unwrap())
        .await
        .unwrap()
}

/// `/cog/info` bounds and TileJSON's geographic bounds: the extent of all four corners.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bounds_cover_the_four_corners() {
    let exp = expected();
    let r = reader().await;
    let h = r.dataset().cog().header();
    assert_close(&h.bounds(), &numbers(&exp["bounds"]), "info bounds");
    let meta = r.dataset().meta();
    let geo = cogtiler::tms::geographic_bounds(&meta.crs, meta.bounds(), &Crs::wgs84());
    // rio-tiler densifies 21 points per edge like us, through PROJ rather than proj4rs
    for (a, e) in geo.iter().zip(numbers(&exp["geographic_bounds"])) {
        assert!((a - e).abs() < 1e-7, "{geo:?}");
    }
}

/// TileJSON's and `/cog/validate`'s zoom range are one computation, rio-tiler's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zoom_ranges_match_rio_tiler() {
    let exp = expected();
    let r = reader().await;
    for (id, z) in exp["zooms"].as_object().unwrap() {
        let tms = default_registry().get(id).unwrap();
        let want = numbers(z);
        let (min, max) = r.zoom_range(&tms);
        assert_eq!((min as f64, max as f64), (want[0], want[1]), "{id}");
        if id == "WebMercatorQuad" {
            let v = validate(r.dataset().cog().header(), false);
            assert_eq!((v.geo.min_zoom, v.geo.max_zoom), (Some(min), Some(max)));
        }
    }
}

/// Every 64 px WebMercatorQuad tile over the footprint, nearest: the same pixels and mask.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tiles_match_rio_tiler() {
    let exp = expected();
    let r = reader().await;
    let tms = default_registry().get("WebMercatorQuad").unwrap();
    let opts = TileOptions {
        tilesize: Some(64),
        ..TileOptions::default()
    };
    let tiles = exp["tiles"].as_array().unwrap();
    assert!(tiles.len() >= 4);
    for t in tiles {
        let (z, x, y) = (
            t["z"].as_i64().unwrap() as i32,
            t["x"].as_i64().unwrap(),
            t["y"].as_i64().unwrap(),
        );
        let img = r
            .tile(&tms, z, x, y, &opts)
            .await
            .unwrap_or_else(|e| panic!("tile {z}/{x}/{y}: {e}"));
        let ours = Npy::parse(&img.to_npy());
        let want = Npy::parse(&std::fs::read(data(t["npy"].as_str().unwrap())).unwrap());
        assert_eq!(ours.shape, want.shape, "{z}/{x}/{y}");
        let (a, b) = (ours.values(), want.values());
        let differ = a.iter().zip(&b).filter(|(p, q)| p != q).count();
        assert_eq!(differ, 0, "tile {z}/{x}/{y}: {differ} values differ");
    }
}

/// Points over the whole footprint, including the corners the two-corner bounds missed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn points_match_rio_tiler() {
    let exp = expected();
    let r = reader().await;
    let wgs84 = Crs::wgs84();
    for p in exp["points"].as_array().unwrap() {
        let (lon, lat) = (p["lon"].as_f64().unwrap(), p["lat"].as_f64().unwrap());
        let got = r.point(lon, lat, &wgs84, &ReadOptions::default()).await;
        match (&p["values"], got) {
            (Value::String(s), Err(_)) if s == "outside" => {}
            (Value::Array(vals), Ok(pd)) => {
                let ours: Vec<Option<f64>> = pd
                    .values
                    .iter()
                    .zip(&pd.valid)
                    .map(|(v, ok)| ok.then_some(*v))
                    .collect();
                let want: Vec<Option<f64>> = vals.iter().map(Value::as_f64).collect();
                assert_eq!(ours, want, "point {lon},{lat}");
            }
            (want, got) => panic!("point {lon},{lat}: {want} vs {:?}", got.map(|p| p.values)),
        }
    }
}
