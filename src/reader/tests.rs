//! Unit tests of the read pipeline on in-memory datasets.

use super::*;
use crate::affine::{GeoTransform, Window};
use crate::crs::Crs;
use crate::raster::{DataType, Raster, Samples};
use crate::warp::Resampling;

/// A `w × h` u16 dataset whose value is `row * 1000 + col`, with a 2× overview.
pub(crate) fn gradient(w: usize, h: usize, nodata: Option<f64>) -> MemDataset {
    let full: Vec<u16> = (0..h)
        .flat_map(|r| (0..w).map(move |c| (r * 1000 + c) as u16))
        .collect();
    let (ow, oh) = (w / 2, h / 2);
    let ovr: Vec<u16> = (0..oh)
        .flat_map(|r| (0..ow).map(move |c| (r * 2 * 1000 + c * 2 + 50_000) as u16))
        .collect();
    let meta = DatasetMeta {
        width: w,
        height: h,
        bands: 1,
        dtype: DataType::U16,
        geotransform: GeoTransform([1000.0, 10.0, 0.0, 5000.0, 0.0, -10.0]),
        crs: Crs::from_epsg(3857).unwrap(),
        nodata,
        alpha_band: None,
        has_mask: false,
        overviews: vec![(ow, oh)],
        block_size: (256, 256),
        descriptions: vec![None],
        scales: vec![1.0],
        offsets: vec![0.0],
        statistics: vec![None],
    };
    MemDataset {
        meta,
        levels: vec![
            Raster {
                width: w,
                height: h,
                bands: 1,
                data: Samples::U16(full),
                mask: vec![255; w * h],
            },
            Raster {
                width: ow,
                height: oh,
                bands: 1,
                data: Samples::U16(ovr),
                mask: vec![255; ow * oh],
            },
        ],
    }
}

fn params(w: usize, h: usize) -> ReadParams {
    ReadParams {
        out_width: w,
        out_height: h,
        indexes: vec![1],
        nodata: None,
        resampling: Resampling::Nearest,
        reproject: Resampling::Nearest,
        unscale: false,
        max_output_pixels: super::DEFAULT_MAX_OUTPUT_PIXELS,
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn native_identity_read_returns_source() {
    let ds = gradient(64, 48, None);
    let win = Window {
        col_off: 8.0,
        row_off: 4.0,
        width: 16.0,
        height: 8.0,
    };
    let img = rt()
        .block_on(read::read(
            &ds,
            Grid::Native { window: win },
            &params(16, 8),
        ))
        .unwrap();
    for r in 0..8 {
        for c in 0..16 {
            assert_eq!(
                img.raster.data.get_f64(r * 16 + c),
                ((r + 4) * 1000 + c + 8) as f64
            );
        }
    }
    assert!(img.raster.mask.iter().all(|m| *m == 255));
    assert_eq!(img.bounds, [1080.0, 4880.0, 1240.0, 4960.0]);
}

#[test]
fn native_decimation_uses_overview_and_gdal_indices() {
    let ds = gradient(64, 64, None);
    let win = Window {
        col_off: 0.0,
        row_off: 0.0,
        width: 64.0,
        height: 64.0,
    };
    // 64 -> 32 is exactly the overview factor: read the overview 1:1
    let img = rt()
        .block_on(read::read(
            &ds,
            Grid::Native { window: win },
            &params(32, 32),
        ))
        .unwrap();
    assert_eq!(img.raster.data.get_f64(0), 50_000.0);
    assert_eq!(img.raster.data.get_f64(32 + 1), (2000 + 2 + 50_000) as f64);
    // 64 -> 48 is a factor 1.33: the 2x overview is too coarse, full resolution is decimated
    let img = rt()
        .block_on(read::read(
            &ds,
            Grid::Native { window: win },
            &params(48, 48),
        ))
        .unwrap();
    // (i + 0.5) * 4/3: 0 -> 0, 1 -> 2, 2 -> 3
    assert_eq!(img.raster.data.get_f64(1), 2.0);
    assert_eq!(img.raster.data.get_f64(2), 3.0);
}

#[test]
fn boundless_pixels_are_masked_and_nodata_masks() {
    let ds = gradient(16, 16, Some(5.0));
    let win = Window {
        col_off: -4.0,
        row_off: 0.0,
        width: 8.0,
        height: 1.0,
    };
    let img = rt()
        .block_on(read::read(&ds, Grid::Native { window: win }, &params(8, 1)))
        .unwrap();
    assert_eq!(&img.raster.mask, &[0, 0, 0, 0, 255, 255, 255, 255]);
    // outside pixels carry the nodata value like rasterio's fill_value
    assert_eq!(img.raster.data.get_f64(0), 5.0);
    let win = Window {
        col_off: 4.0,
        row_off: 0.0,
        width: 4.0,
        height: 1.0,
    };
    let img = rt()
        .block_on(read::read(&ds, Grid::Native { window: win }, &params(4, 1)))
        .unwrap();
    assert_eq!(&img.raster.mask, &[255, 0, 255, 255]);
}

#[test]
fn identity_warp_matches_native_read() {
    let ds = gradient(64, 64, None);
    let gt = ds.meta.geotransform;
    let native = rt()
        .block_on(read::read(
            &ds,
            Grid::Native {
                window: Window {
                    col_off: 0.0,
                    row_off: 0.0,
                    width: 64.0,
                    height: 64.0,
                },
            },
            &params(64, 64),
        ))
        .unwrap();
    let warped = rt()
        .block_on(read::read(
            &ds,
            Grid::Warped {
                gt,
                width: 64,
                height: 64,
                window: None,
                crs: ds.meta.crs.clone(),
                dst_to_src: std::sync::Arc::new(crate::warp::Identity),
            },
            &params(64, 64),
        ))
        .unwrap();
    assert_eq!(native.raster.data, warped.raster.data);
    assert_eq!(native.raster.mask, warped.raster.mask);
}

/// A `w × h` u32 dataset in EPSG:4326 over `[lon0, lat0 - h·res] .. [lon0 + w·res, lat0]`
/// whose value encodes its pixel: `row * 100_000 + col`.
fn geographic(w: usize, h: usize, lon0: f64, lat0: f64, res: f64) -> MemDataset {
    let full: Vec<u32> = (0..h)
        .flat_map(|r| (0..w).map(move |c| (r * 100_000 + c) as u32))
        .collect();
    let meta = DatasetMeta {
        width: w,
        height: h,
        bands: 1,
        dtype: DataType::U32,
        geotransform: GeoTransform([lon0, res, 0.0, lat0, 0.0, -res]),
        crs: Crs::from_epsg(4326).unwrap(),
        nodata: None,
        alpha_band: None,
        has_mask: false,
        overviews: vec![],
        block_size: (256, 256),
        descriptions: vec![None],
        scales: vec![1.0],
        offsets: vec![0.0],
        statistics: vec![None],
    };
    MemDataset {
        meta,
        levels: vec![Raster {
            width: w,
            height: h,
            bands: 1,
            data: Samples::U32(full),
            mask: vec![255; w * h],
        }],
    }
}

#[test]
fn reprojected_tile_samples_the_right_source_pixels() {
    use crate::crs::Transformer;
    let ds = geographic(1000, 1000, 0.0, 50.0, 0.01);
    let tms = crate::tms::default_registry()
        .get("WebMercatorQuad")
        .unwrap();
    // z8 tile over lon 2.81..4.22, lat 45.09..46.07: fully inside the dataset
    let (z, x, y) = (8, 130, 90);
    let spec = TileSpec::from_tms(&tms, z, x, y).unwrap();
    let img = rt()
        .block_on(tile(&ds, &spec, &TileOptions::default()))
        .unwrap();
    assert_eq!((img.width(), img.height()), (256, 256));
    assert!(img.raster.mask.iter().all(|m| *m == 255));
    let gt = GeoTransform::from_bounds(spec.bounds, 256, 256);
    let to_geo = Transformer::new(&spec.crs, &ds.meta.crs).unwrap();
    let (mut exact, mut worst) = (0, 0i64);
    for j in (0..256).step_by(5) {
        for i in (0..256).step_by(5) {
            let (mx, my) = gt.apply(i as f64 + 0.5, j as f64 + 0.5);
            let (lon, lat) = to_geo.transform_point(mx, my).unwrap();
            let (ec, er) = (
                ((lon - 0.0) / 0.01).floor() as i64,
                ((50.0 - lat) / 0.01).floor() as i64,
            );
            let v = img.raster.data.get_f64(j * 256 + i) as i64;
            let (gr, gc) = (v / 100_000, v % 100_000);
            let d = (gr - er).abs().max((gc - ec).abs());
            worst = worst.max(d);
            exact += (d == 0) as usize;
        }
    }
    // two-step (warp at native resolution, then nearest decimation) may shift by one pixel
    assert!(
        worst <= 1,
        "sampled a pixel {worst} away from the expected one"
    );
    assert!(exact > 52 * 52 / 2, "only {exact} exact samples");
}

#[test]
fn tile_outside_dataset_is_a_distinct_error() {
    let ds = geographic(100, 100, 0.0, 50.0, 0.01);
    let tms = crate::tms::default_registry()
        .get("WebMercatorQuad")
        .unwrap();
    let spec = TileSpec::from_tms(&tms, 8, 10, 10).unwrap();
    let err = rt()
        .block_on(tile(&ds, &spec, &TileOptions::default()))
        .unwrap_err();
    assert!(
        matches!(err, Error::TileOutsideBounds { x: 10, y: 10, z: 8 }),
        "{err}"
    );
    assert_eq!(err.to_string(), "Tile(x=10, y=10, z=8) is outside bounds");
}
