//! The backend over the embedded sample COG (no network): real reads, real rendering.

use std::sync::Arc;

use super::*;
use crate::server::backend::{ImageRequest, TileRequest};
use crate::server::params::{ImageFormat, RenderParams, TileParams, TilePath};

fn backend() -> CogBackend {
    CogBackend::new(
        OpenOptions::uncached(),
        Arc::new(crate::tms::TmsRegistry::defaults()),
    )
}

fn dataset(url: &str) -> DatasetParams {
    DatasetParams {
        url: url.into(),
        bidx: None,
        expression: None,
        nodata: None,
        unscale: false,
        resampling: "nearest",
        reproject: "nearest",
        assets: None,
        mosaic: None,
    }
}

fn tile_request(z: i64, x: i64, y: i64, format: Option<ImageFormat>) -> TileRequest {
    TileRequest {
        image: ImageRequest {
            dataset: dataset(SAMPLE_URL),
            render: RenderParams {
                rescale: vec![],
                color_formula: None,
                colormap_name: None,
                colormap: None,
                return_mask: true,
            },
            algorithm: None,
            format,
        },
        tile: TilePath {
            tms: "WebMercatorQuad".into(),
            z,
            x,
            y,
            scale: None,
            format,
        },
        tile_params: TileParams {
            tilesize: None,
            buffer: None,
            padding: None,
        },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sample_info_point_and_tiles() {
    let b = backend();
    let info = b.info(&dataset(SAMPLE_URL)).await.unwrap();
    assert_eq!(info["dtype"], "uint8");
    assert_eq!(info["count"], 3);
    assert_eq!(info["nodata_type"], "Mask");
    let facts = b
        .dataset_facts(&FactsRequest {
            dataset: dataset(SAMPLE_URL),
            tms_ids: vec!["WebMercatorQuad".into()],
            crs: None,
        })
        .await
        .unwrap();
    let t = facts.tms("WebMercatorQuad").unwrap();
    assert!(t.minzoom <= t.maxzoom, "{t:?}");
    // the tile holding the dataset centre, at maxzoom: must render (PNG: the PNG magic)
    let [w, s, e, n] = facts.wgs84_bounds;
    let (lon, lat) = ((w + e) / 2.0, (s + n) / 2.0);
    let tms = crate::tms::default_registry()
        .get("WebMercatorQuad")
        .unwrap();
    let tile = tms.tile(lon, lat, t.maxzoom as i32).unwrap();
    // --max-output-pixels: a 256² tile over a 200-pixel limit is a 400 naming the size
    let err = backend()
        .with_max_output_pixels(200)
        .tile(&tile_request(t.maxzoom, tile.x, tile.y, None))
        .await
        .unwrap_err();
    assert_eq!(err.status.as_u16(), 400, "{err}");
    assert!(err.to_string().contains("65536"), "{err}");
    let img = b
        .tile(&tile_request(
            t.maxzoom,
            tile.x,
            tile.y,
            Some(ImageFormat::Png),
        ))
        .await
        .unwrap();
    assert_eq!(&img.bytes[1..4], b"PNG");
    assert_eq!(
        img.crs_uri.as_deref(),
        Some("http://www.opengis.net/def/crs/EPSG/0/3857")
    );
    // a tile of the matrix far from the dataset is TiTiler's 404
    let err = b
        .tile(&tile_request(t.maxzoom, 0, 0, None))
        .await
        .unwrap_err();
    assert_eq!(err.status.as_u16(), 404, "{err}");
    let pt = b
        .point(
            &dataset(SAMPLE_URL),
            &PointParams {
                lon,
                lat,
                coord_crs: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(pt["values"].as_array().unwrap().len(), 3);
    assert_eq!(pt["band_names"], json!(["b1", "b2", "b3"]));
}

/// A georeferenced TIFF whose one tile uses a compression no codec knows (12345): opening and
/// `info` work, reading pixels is "unsupported compression", a 501 (not a 500: the file is
/// fine, this server cannot decode it). The codec's typed error reaches the HTTP edge intact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsupported_compression_is_a_501() {
    use crate::tiff::testutil::{build, geo_4326, image};
    let ifd = |data_at: u32| {
        let mut entries = image(16, 16, 16, 12345, data_at, 256, false);
        entries.extend(geo_4326(10.0, 50.0, 0.01, false));
        entries
    };
    let header_len = build(&[ifd(0)], false, false, &[]).len() as u32;
    let file = build(&[ifd(header_len)], false, false, &[7u8; 256]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("compression_12345.tif");
    std::fs::write(&path, file).unwrap();
    let url = path.to_str().unwrap();

    let b = backend();
    let info = b.info(&dataset(url)).await.unwrap();
    assert_eq!(info["width"], 16, "{info}");
    let tms = crate::tms::default_registry()
        .get("WebMercatorQuad")
        .unwrap();
    let t = tms.tile(10.08, 49.92, 12).unwrap();
    let mut req = tile_request(12, t.x, t.y, Some(ImageFormat::Png));
    req.image.dataset = dataset(url);
    let err = b.tile(&req).await.unwrap_err();
    assert_eq!(err.status.as_u16(), 501, "{err}");
    assert!(err.to_string().contains("12345"), "{err}");
}

/// The server's `.npy` tile of an RGBA file with a uint16 / int16 / float32 alpha band is
/// rio-tiler's body byte for byte: the mask band carries the alpha's own values, as in the
/// CLI's `tile` (one builder, `raster::titiler_npy`). The 8-bit alpha the image encoders use
/// would round partial uint16 alpha.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn npy_tiles_keep_the_alpha_band_values() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/huge_alpha");
    let b = backend();
    for dt in ["uint8", "uint16", "int16", "float32"] {
        let mut req = tile_request(12, 2161, 1389, Some(ImageFormat::Npy));
        req.image.dataset = dataset(&format!("{dir}/rgba_{dt}.tif"));
        req.tile_params.tilesize = Some(48);
        let img = b.tile(&req).await.unwrap();
        let want = std::fs::read(format!("{dir}/rgba_{dt}_tile_12_2161_1389_48.npy")).unwrap();
        assert!(
            img.bytes[..] == want[..],
            "{dt}: the .npy differs from rio-tiler's"
        );
    }
}

#[tokio::test]
async fn missing_local_file_is_a_404_naming_it() {
    let err = backend()
        .info(&dataset("/nonexistent/dir/x.tif"))
        .await
        .unwrap_err();
    assert_eq!(err.status.as_u16(), 404, "{err}");
    assert!(err.to_string().contains("x.tif"), "{err}");
}

/// A STAC item in a temp dir whose assets `a`, `b`, `c` are copies of the sample COG.
fn sample_item(dir: &std::path::Path) -> String {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("sample.tif"), SAMPLE_COG).unwrap();
    let asset =
        serde_json::json!({"href": "sample.tif", "type": "image/tiff; application=geotiff"});
    let item = serde_json::json!({
        "type": "Feature", "stac_version": "1.0.0", "id": "s",
        "bbox": [-180.0, -85.0, 180.0, 85.0],
        "geometry": null, "properties": {}, "links": [],
        "assets": {"a": asset, "b": asset, "c": asset,
                   "thumb": {"href": "t.png", "type": "image/png"}},
    });
    let path = dir.join("item.json");
    std::fs::write(&path, item.to_string()).unwrap();
    path.to_string_lossy().into_owned()
}

fn stac_dataset(url: &str, assets: &[&str], asset_as_band: bool) -> DatasetParams {
    DatasetParams {
        assets: Some(crate::server::params::dataset::AssetsParams {
            assets: assets.iter().map(|s| s.to_string()).collect(),
            asset_as_band,
        }),
        ..dataset(url)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stac_assets_stack_band_wise_and_the_asset_limit_holds() {
    let dir = std::env::temp_dir().join(format!("cogtiler-stac-{}", std::process::id()));
    let item = sample_item(&dir);
    let b = backend();
    assert_eq!(
        b.stac_assets(&item).await.unwrap(),
        serde_json::json!(["a", "b", "c"]),
        "the png thumbnail is not a raster asset"
    );
    // two 3-band assets: six bands, described after their asset
    let p = PointParams {
        lon: 0.0,
        lat: 0.0,
        coord_crs: None,
    };
    let info = b.info(&dataset(SAMPLE_URL)).await.unwrap();
    let (lon, lat) = {
        let bb = &info["bounds"];
        let gt = crate::crs::Crs::parse(info["crs"].as_str().unwrap()).unwrap();
        let c = [
            (bb[0].as_f64().unwrap() + bb[2].as_f64().unwrap()) / 2.0,
            (bb[1].as_f64().unwrap() + bb[3].as_f64().unwrap()) / 2.0,
        ];
        crate::crs::Transformer::new(&gt, &crate::crs::Crs::wgs84())
            .unwrap()
            .transform_point(c[0], c[1])
            .unwrap()
    };
    let p = PointParams { lon, lat, ..p };
    let one = b.point(&dataset(SAMPLE_URL), &p).await.unwrap();
    let two = b
        .point(&stac_dataset(&item, &["a", "b|bidx=2"], false), &p)
        .await
        .unwrap();
    let v = |j: &Value| j["values"].as_array().unwrap().clone();
    assert_eq!(v(&two).len(), 4);
    assert_eq!(v(&two)[..3], v(&one)[..]);
    assert_eq!(
        v(&two)[3],
        v(&one)[1],
        "b|bidx=2 is the sample's second band"
    );
    assert_eq!(
        two["band_names"],
        serde_json::json!(["b1", "b2", "b3", "b4"])
    );
    assert_eq!(two["band_descriptions"][3], "b_b2");
    // asset_as_band needs one band per asset
    let e = b
        .point(&stac_dataset(&item, &["a"], true), &p)
        .await
        .unwrap_err();
    assert_eq!(e.status, http::StatusCode::BAD_REQUEST, "{e:?}");
    // unknown and non-raster assets are 404s naming the valid ones
    let e = b
        .point(&stac_dataset(&item, &["thumb"], false), &p)
        .await
        .unwrap_err();
    assert_eq!(e.status, http::StatusCode::NOT_FOUND);
    assert!(e.to_string().contains("['a', 'b', 'c']"), "{e}");
    // `:all:` in info, one key per asset
    let all = b
        .info(&stac_dataset(&item, &[":all:"], false))
        .await
        .unwrap();
    assert_eq!(all.as_object().unwrap().len(), 3);
    // more assets than the limit: refused before any read
    let small = backend().with_assets(AssetOptions {
        max_assets: 2,
        ..AssetOptions::default()
    });
    let e = small
        .point(&stac_dataset(&item, &["a", "b", "nope"], false), &p)
        .await
        .unwrap_err();
    assert_eq!(e.status, http::StatusCode::BAD_REQUEST);
    assert!(e.to_string().contains("limit of 2"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}
