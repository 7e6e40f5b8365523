#![no_main]
//! Fuzz the header parser and the dataset view on top of it: arbitrary bytes through an
//! in-memory source must give a header or a typed error, never a panic, hang or huge
//! allocation. When a header parses, one block read is attempted too (decode errors are
//! fine; panics are not).
use std::sync::Arc;

use cogtiler::cog::{Cog, OpenOptions};
use cogtiler::io::MemorySource;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let src = Arc::new(MemorySource::new("fuzz", data.to_vec()));
    rt.block_on(async {
        // Tight decode limits keep each run small (the defaults allow 512 MiB chunks).
        let mut opts = OpenOptions::uncached();
        opts.limits.max_chunk_bytes = 16 << 20;
        if let Ok(cog) = Cog::open_source(src, &opts).await {
            let _ = cog.info();
            let _ = cogtiler::cog::validate(cog.header(), false);
            let _ = cog.read_block(0, 0, 0).await;
        }
    });
});
