//! Reading hand-built TIFFs (the tiny writer in `tiff::testutil`): chunk errors come back typed.

use std::sync::Arc;

use super::{Cog, Error as CogError, OpenOptions};
use crate::io::{CountingSource, MemorySource};
use crate::tiff::testutil::{build, image};

#[test]
fn unknown_compression_is_a_typed_decode_error() {
    let tile = vec![7u8; 256];
    let header_len = build(
        &[image(16, 16, 16, 12345, 0, 256, false)],
        false,
        false,
        &[],
    )
    .len();
    let b = build(
        &[image(16, 16, 16, 12345, header_len as u32, 256, false)],
        false,
        false,
        &tile,
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let cog = rt
        .block_on(Cog::open_source(
            Arc::new(MemorySource::new("m", b)),
            &OpenOptions::uncached(),
        ))
        .unwrap();
    let e = rt.block_on(cog.read_block(0, 0, 0)).unwrap_err();
    assert!(matches!(e, CogError::Decode { .. }), "{e}");
    assert!(e.to_string().contains("12345"), "{e}");
}

#[test]
fn huge_chunk_byte_count_is_refused_before_reading() {
    let b = build(
        &[image(16, 16, 16, 1, 100, u32::MAX, false)],
        false,
        false,
        &[],
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let src = Arc::new(CountingSource::new(Arc::new(MemorySource::new("m", b))));
    let cog = rt
        .block_on(Cog::open_source(src.clone(), &OpenOptions::uncached()))
        .unwrap();
    let e = rt.block_on(cog.read_block(0, 0, 0)).unwrap_err();
    assert!(matches!(e, CogError::ChunkTooLarge { .. }), "{e}");
    assert_eq!(src.requests(), 1);
}
