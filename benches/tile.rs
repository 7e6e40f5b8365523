//! Tile benchmarks over corpus files of several kinds, split into the stages of a request:
//! - `read`: the tile with no caches at all (header parse + chunk reads from the local file,
//!   then everything else); `read − full` ≈ the I/O a cold tile pays;
//! - `full`: `Reader::tile` on a COG whose header and compressed chunks are cached (the warm
//!   path: chunk decoding + warp/resample + assembly, no I/O);
//! - `warp`: the same tile over an in-memory copy of every level (warp/resample and
//!   assembly only); `full − warp` ≈ decode;
//! - `encode`: rendering the tile to PNG (rescaled to 8 bits for non-byte data, mask as alpha);
//! - `read_window_512`: decoding a 512 × 512 full-resolution window (warm chunk cache).
//!
//! A warm tile served over HTTP costs about `full + encode`.
//!
//! Corpus files are the conformance kit's (`tests/support/kit_dir.rs`: `COGTILER_CONFORMANCE`,
//! else `../shared/conformance` beside the crate or its worktree).

use std::path::PathBuf;

use std::sync::Arc;

use cogtiler::cog::PixelWindow;
use cogtiler::cog::{Cog, OpenOptions};
use cogtiler::raster::{Raster, Samples};
use cogtiler::reader::{CogDataset, Dataset, MemDataset, Reader, TileOptions};
use cogtiler::render::{render_image, Image, ImageFormat, RenderOptions};
use cogtiler::tms::default_registry;
use criterion::{criterion_group, criterion_main, Criterion};

#[path = "../tests/support/kit_dir.rs"]
mod kit_dir;

fn corpus() -> Option<PathBuf> {
    Some(kit_dir::conformance_dir().join("corpus")).filter(|p| p.is_dir())
}

/// (label, file, tms, z, x, y)
const CASES: &[(&str, &str, &str, i32, i64, i64)] = &[
    (
        "f32_3857_same_crs",
        "dem_f32_deflate_p3_3857.tif",
        "WebMercatorQuad",
        11,
        1063,
        729,
    ),
    (
        "u16_2193_reproject",
        "nz_u16_2193.tif",
        "WebMercatorQuad",
        10,
        995,
        650,
    ),
    (
        "rgb_3035_reproject",
        "kassel_rgb_deflate_p1_3035.tif",
        "WebMercatorQuad",
        14,
        8623,
        5462,
    ),
    (
        "u8_3857_overviews",
        "iceland_u8_manyovr_3857.tif",
        "WebMercatorQuad",
        9,
        228,
        133,
    ),
];

fn bench(c: &mut Criterion) {
    let Some(dir) = corpus() else {
        eprintln!("corpus not found; skipping tile benchmarks");
        return;
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("tile");
    group.sample_size(20);
    for &(label, file, tms_id, z, x, y) in CASES {
        let url = dir.join(file).to_string_lossy().to_string();
        let tms = default_registry().get(tms_id).unwrap();
        let reader = rt.block_on(Reader::open(&url)).unwrap();
        let opts = TileOptions::default();
        // warm the caches
        rt.block_on(reader.tile(&tms, z, x, y, &opts)).unwrap();
        let uncached = OpenOptions::uncached();
        group.bench_function(format!("{label}/read"), |b| {
            b.iter(|| {
                rt.block_on(async {
                    let cog = Cog::open(&url, &uncached).await.unwrap();
                    let r = Reader::new(CogDataset::new(cog).unwrap());
                    r.tile(&tms, z, x, y, &opts).await.unwrap()
                })
            })
        });
        group.bench_function(format!("{label}/full"), |b| {
            b.iter(|| rt.block_on(reader.tile(&tms, z, x, y, &opts)).unwrap())
        });
        let tile = rt.block_on(reader.tile(&tms, z, x, y, &opts)).unwrap();
        let rescale: Vec<(f64, f64)> = match &tile.raster.data {
            Samples::U8(_) => Vec::new(),
            _ => {
                let v = tile.raster.data.to_f64_vec();
                let lo = v
                    .iter()
                    .copied()
                    .filter(|x| x.is_finite())
                    .fold(f64::MAX, f64::min);
                let hi = v
                    .iter()
                    .copied()
                    .filter(|x| x.is_finite())
                    .fold(f64::MIN, f64::max);
                vec![(lo, hi.max(lo + 1.0))]
            }
        };
        let png = RenderOptions {
            format: Some(ImageFormat::Png),
            rescale: &rescale,
            ..RenderOptions::new()
        };
        let raster = Arc::new(tile.raster.clone());
        group.bench_function(format!("{label}/encode"), |b| {
            b.iter(|| {
                let img = Image::new(raster.as_ref().clone()).unwrap();
                render_image(img, &png).unwrap()
            })
        });
        // every level in memory: what is left without decoding
        let meta = reader.dataset().meta().clone();
        let all: Vec<usize> = (1..=meta.bands).collect();
        let levels: Vec<Raster> = (0..=meta.overviews.len())
            .map(|l| {
                let (w, h) = meta.level_size(l).unwrap();
                rt.block_on(reader.dataset().read_window(PixelWindow {
                    level: l,
                    x: 0,
                    y: 0,
                    width: w,
                    height: h,
                    bands: &all,
                }))
                .unwrap()
            })
            .collect();
        let mem = Reader::new(MemDataset {
            meta: meta.clone(),
            levels,
        });
        group.bench_function(format!("{label}/warp"), |b| {
            b.iter(|| rt.block_on(mem.tile(&tms, z, x, y, &opts)).unwrap())
        });
        group.bench_function(format!("{label}/read_window_512"), |b| {
            b.iter(|| {
                rt.block_on(reader.dataset().read_window(PixelWindow {
                    level: 0,
                    x: 0,
                    y: 0,
                    width: 512.min(meta.width),
                    height: 512.min(meta.height),
                    bands: &all,
                }))
                .unwrap()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
