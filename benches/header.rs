//! Header parse throughput: corpus files parsed from memory (no I/O cost), so the numbers
//! show the parser itself — IFD walk, tag decoding, GeoKeys and GDAL metadata.

use std::path::Path;
use std::sync::Arc;

use cogtiler::cog::{CogHeader, OpenOptions};
use cogtiler::io::MemorySource;
use cogtiler::tiff::{parse, ParseOptions};
use criterion::{criterion_group, criterion_main, Criterion};

#[path = "../tests/support/kit_dir.rs"]
mod kit_dir;
use kit_dir::conformance_dir as conformance;

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let files = [
        "corpus/iceland_u8_manyovr_3857.tif",
        "corpus/rgb_jpeg_mask_3857.tif",
        "corpus/rio_u8_bigtiff_4326.tif",
        "corpus/reykjavik_u8_striped_4326.tif",
        "corpus/external/cog_cmap.tif",
        "corpus/external/nocog.tif",
    ];
    let mut group = c.benchmark_group("header");
    for f in files {
        let path = conformance().join(f);
        let Ok(bytes) = std::fs::read(&path) else {
            eprintln!("skip {}: not found", path.display());
            continue;
        };
        let src = Arc::new(MemorySource::new(f, bytes));
        let opts = ParseOptions::default();
        let name = Path::new(f)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_string();
        group.bench_function(format!("tiff::parse/{name}"), |b| {
            b.iter(|| rt.block_on(parse(src.as_ref(), &opts)).expect("parse"))
        });
        group.bench_function(format!("parse+CogHeader/{name}"), |b| {
            b.iter(|| {
                let t = rt.block_on(parse(src.as_ref(), &opts)).expect("parse");
                CogHeader::from_tiff(f, t).expect("header")
            })
        });
    }
    group.finish();
    let _ = OpenOptions::default;
}

criterion_group!(benches, bench);
criterion_main!(benches);
