//! Hand-built headers: both byte orders, BigTIFF, and every kind of bad input.

use std::sync::Arc;

use super::testutil::{build, image, long, short, Entry};
use super::{parse, tag, Error, ParseOptions};
use crate::io::{CountingSource, MemorySource};

fn run(bytes: Vec<u8>) -> Result<super::Tiff, Error> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let src = MemorySource::new("mem", bytes);
    rt.block_on(parse(&src, &ParseOptions::default()))
}

#[test]
fn parses_all_byte_orders_and_bigtiff() {
    for big in [false, true] {
        for bigtiff in [false, true] {
            let b = build(&[image(250, 200, 256, 1, 0, 0, big)], big, bigtiff, &[]);
            let t = run(b).unwrap_or_else(|e| panic!("big={big} bigtiff={bigtiff}: {e}"));
            assert_eq!((t.big_endian, t.bigtiff), (big, bigtiff));
            let ifd = &t.ifds[0];
            assert_eq!((ifd.width, ifd.height), (250, 200));
            assert_eq!((ifd.chunk_width, ifd.chunk_height), (256, 256));
            assert_eq!((ifd.chunks_across(), ifd.chunks_down()), (1, 1));
            assert_eq!(t.reads, 1);
        }
    }
}

#[test]
fn wrong_magic_and_empty_are_not_tiff() {
    assert!(matches!(
        run(b"<?xml version".to_vec()),
        Err(Error::NotTiff { .. })
    ));
    assert!(matches!(run(vec![]), Err(Error::NotTiff { .. })));
    assert!(matches!(
        run(b"II\x2b\x00".to_vec()),
        Err(Error::NotTiff { .. })
    ));
    assert!(matches!(
        run(b"II\x07\x00\x08\x00\x00\x00".to_vec()),
        Err(Error::NotTiff { .. })
    ));
}

#[test]
fn ifd_loop_is_detected() {
    let mut b = build(&[image(16, 16, 16, 1, 0, 0, false)], false, false, &[]);
    // Point the (only) IFD's next-IFD offset back at itself.
    let n = u16::from_le_bytes([b[8], b[9]]) as usize;
    let next_at = 8 + 2 + n * 12;
    b[next_at..next_at + 4].copy_from_slice(&8u32.to_le_bytes());
    match run(b) {
        Err(Error::Malformed { what, .. }) => assert!(what.contains("loop"), "{what}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn offsets_past_eof_are_malformed() {
    let mut b = build(&[image(16, 16, 16, 1, 0, 0, false)], false, false, &[]);
    b[4..8].copy_from_slice(&1_000_000u32.to_le_bytes());
    assert!(matches!(run(b), Err(Error::Malformed { .. })));
    // A tag array pointing past the end of the file.
    let mut e = image(16, 16, 16, 1, 0, 0, false);
    e.push(Entry {
        tag: tag::COLOR_MAP,
        typ: 3,
        count: 3 * 256,
        data: vec![0; 6 * 256],
    });
    let mut b = build(&[e], false, false, &[]);
    b.truncate(b.len() - 1000);
    assert!(
        matches!(run(b), Err(Error::Malformed { .. })),
        "colormap past eof"
    );
}

#[test]
fn absurd_sizes_hit_limits() {
    // 2^31 pixels wide.
    let b = build(&[image(1 << 31, 16, 16, 1, 0, 0, false)], false, false, &[]);
    assert!(matches!(
        run(b),
        Err(Error::Limit {
            what: "image width",
            ..
        })
    ));
    // 10^6 × 10^6 pixels in 16-pixel tiles: 3.9e9 tiles.
    let b = build(
        &[image(1_000_000, 1_000_000, 16, 1, 0, 0, false)],
        false,
        false,
        &[],
    );
    assert!(matches!(
        run(b),
        Err(Error::Limit {
            what: "chunk count",
            ..
        })
    ));
    // A tile size above the limit.
    let b = build(&[image(16, 16, 1 << 20, 1, 0, 0, false)], false, false, &[]);
    assert!(matches!(
        run(b),
        Err(Error::Limit {
            what: "tile size",
            ..
        })
    ));
    // A tag declaring 2^30 LONGs (4 GiB of value bytes).
    let mut e = image(16, 16, 16, 1, 0, 0, false);
    e.push(Entry {
        tag: tag::TILE_BYTE_COUNTS,
        typ: 4,
        count: 1 << 30,
        data: vec![0; 8],
    });
    let b = build(&[e], false, false, &[]);
    assert!(matches!(
        run(b),
        Err(Error::Limit {
            what: "tag value bytes",
            ..
        })
    ));
}

#[test]
fn missing_offsets_and_short_arrays_are_malformed() {
    let e: Vec<Entry> = image(600, 16, 256, 1, 0, 0, false)
        .into_iter()
        .filter(|e| e.tag != tag::TILE_OFFSETS)
        .collect();
    assert!(matches!(
        run(build(&[e], false, false, &[])),
        Err(Error::Malformed { .. })
    ));
    // 3 tiles across but a single offset.
    let b = build(&[image(600, 16, 256, 1, 0, 0, false)], false, false, &[]);
    assert!(matches!(run(b), Err(Error::Malformed { .. })));
}

#[test]
fn values_beyond_the_first_read_need_one_more_request() {
    // Put a large GDAL_METADATA far after the IFD: the first read (512 bytes) misses it.
    let mut e = image(16, 16, 16, 1, 0, 0, false);
    let xml = format!(
        "<GDALMetadata>{}<Item name=\"A\">1</Item></GDALMetadata>",
        " ".repeat(4000)
    );
    e.push(Entry {
        tag: tag::GDAL_METADATA,
        typ: 2,
        count: xml.len() as u64 + 1,
        data: [xml.as_bytes(), &[0]].concat(),
    });
    let b = build(&[e, image(8, 8, 16, 1, 0, 0, false)], false, false, &[]);
    let src = CountingSource::new(Arc::new(MemorySource::new("m", b)));
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let opts = ParseOptions {
        header_bytes: 512,
        ifd_readahead: 256,
        ..ParseOptions::default()
    };
    let t = rt.block_on(parse(&src, &opts)).unwrap();
    assert_eq!(t.ifds.len(), 2);
    assert_eq!(
        t.ifds[0]
            .gdal_metadata
            .as_ref()
            .unwrap()
            .dataset
            .get("A")
            .map(|s| s.as_str()),
        Some("1")
    );
    // First read, the second IFD (chained past the metadata), then one batch of values.
    assert_eq!(src.requests(), 3, "{:?}", src.ranges());
}

#[test]
fn unknown_field_type_is_malformed() {
    let mut e = image(16, 16, 16, 1, 0, 0, false);
    e.push(Entry {
        tag: tag::PREDICTOR,
        typ: 99,
        count: 1,
        data: vec![1, 0],
    });
    assert!(matches!(
        run(build(&[e], false, false, &[])),
        Err(Error::Malformed { .. })
    ));
}

#[test]
fn short_and_long_helpers_roundtrip_big_endian() {
    let e = vec![
        long(tag::IMAGE_WIDTH, &[70000], true),
        long(tag::IMAGE_LENGTH, &[3], true),
        short(tag::BITS_PER_SAMPLE, &[16], true),
        short(tag::SAMPLE_FORMAT, &[2], true),
        long(tag::ROWS_PER_STRIP, &[2], true),
        long(tag::STRIP_OFFSETS, &[0, 0], true),
        long(tag::STRIP_BYTE_COUNTS, &[0, 0], true),
    ];
    let t = run(build(&[e], true, false, &[])).unwrap();
    let ifd = &t.ifds[0];
    assert!(!ifd.tiled);
    assert_eq!(
        (ifd.width, ifd.chunk_width, ifd.chunk_height),
        (70000, 70000, 2)
    );
    assert_eq!((ifd.bits_per_sample, ifd.sample_format), (16, 2));
    assert_eq!(ifd.chunks_down(), 2);
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// Any corruption of a valid header gives a result or a typed error, never a panic.
        #[test]
        fn mutated_headers_never_panic(
            flips in proptest::collection::vec((0usize..400, any::<u8>()), 1..8),
            big in any::<bool>(),
            bigtiff in any::<bool>(),
        ) {
            let mut b = build(
                &[image(250, 200, 256, 8, 0, 0, big), image(125, 100, 256, 8, 0, 0, big)],
                big,
                bigtiff,
                &[],
            );
            let len = b.len().max(1);
            for (at, v) in flips {
                if let Some(x) = b.get_mut(at % len) {
                    *x = v;
                }
            }
            let _ = run(b);
        }
    }
}
