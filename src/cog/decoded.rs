//! A byte-budgeted cache of *decoded* chunks.
//!
//! A map client asks for the same neighbourhood again and again (panning, zooming back,
//! several clients on one layer), and for a warm tile decoding is most of the work: inflating
//! a 512 × 512 deflate tile costs more than warping and encoding the 256 × 256 output. This
//! cache sits in front of the compressed [`crate::io::ChunkCache`]: a hit skips fetching and
//! decoding; a miss falls back to the compressed bytes (or the network). It is weighed by the
//! decoded sample bytes, so its budget is honest about memory.
//!
//! A chunk is admitted on its *second* use only (a doorkeeper remembers the hashes of chunks
//! seen once): a one-off read (a cache-busted URL, a scan over a large file) would otherwise
//! push out the chunks a map view keeps coming back to, and hold up to the whole budget in
//! chunks nobody asks for again.

use std::hash::BuildHasher;
use std::sync::Arc;

use quick_cache::sync::Cache;
use quick_cache::Weighter;

use crate::io::{CacheBuf, ChunkKey};

/// One decoded chunk: native-endian, pixel-interleaved samples (`width × height × samples`).
/// Cached chunks keep their samples in a [`CacheBuf`] (pages of their own, off the malloc
/// heap); a chunk decoded for one read only uses a reusable `Vec`.
#[derive(Debug)]
pub struct DecodedChunk<B = CacheBuf> {
    pub width: u32,
    pub height: u32,
    /// Samples per pixel in this chunk (1 for planar-separate files and masks).
    pub samples: u16,
    pub data: B,
}

#[derive(Clone)]
struct DecodedWeighter;

impl Weighter<ChunkKey, Arc<DecodedChunk>> for DecodedWeighter {
    fn weight(&self, key: &ChunkKey, val: &Arc<DecodedChunk>) -> u64 {
        (val.data.len() + key.source.len() + 64) as u64
    }
}

/// Decoded chunks by [`ChunkKey`], bounded by a total byte budget (S3-FIFO eviction, which
/// keeps the chunks a map view revisits and lets one-off reads pass through).
pub struct DecodedCache {
    inner: Cache<ChunkKey, Arc<DecodedChunk>, DecodedWeighter>,
    /// Hashes of chunks seen once (a few bytes each; forgetting one only delays admission).
    seen: Cache<u64, ()>,
    hasher: std::collections::hash_map::RandomState,
}

impl std::fmt::Debug for DecodedCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecodedCache")
            .field("entries", &self.inner.len())
            .field("bytes", &self.inner.weight())
            .finish()
    }
}

impl DecodedCache {
    /// A cache holding at most `budget_bytes` of samples (0 disables it).
    pub fn new(budget_bytes: u64) -> DecodedCache {
        // Estimate: a typical decoded tile is 256 KiB (512 × 512 u8).
        let opts = crate::io::byte_budget_options(budget_bytes, 256 << 10);
        let items = ((budget_bytes / (256 << 10)) as usize).max(16);
        DecodedCache {
            inner: Cache::with_options(
                opts,
                DecodedWeighter,
                Default::default(),
                Default::default(),
            ),
            seen: Cache::new((items * 16).max(4096)),
            hasher: std::collections::hash_map::RandomState::new(),
        }
    }

    /// Whether a chunk just decoded should be cached: true from its second use on.
    pub fn admit(&self, key: &ChunkKey) -> bool {
        let h = self.hasher.hash_one(key);
        if self.seen.get(&h).is_some() {
            return true;
        }
        self.seen.insert(h, ());
        false
    }

    pub fn get(&self, key: &ChunkKey) -> Option<Arc<DecodedChunk>> {
        self.inner.get(key)
    }

    pub fn insert(&self, key: ChunkKey, value: Arc<DecodedChunk>) {
        self.inner.insert(key, value);
    }

    /// Bytes currently held.
    pub fn weight(&self) -> u64 {
        self.inner.weight()
    }

    pub fn len(&self) -> usize {
        self.inner.len()
    }

    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_admitted_on_second_use() {
        let c = DecodedCache::new(1 << 20);
        let key = |chunk| ChunkKey {
            source: "s".into(),
            ifd: 0,
            chunk,
        };
        assert!(!c.admit(&key(1)), "first use: remembered, not admitted");
        assert!(c.admit(&key(1)), "second use: admitted");
        assert!(!c.admit(&key(2)), "another chunk starts over");
    }

    #[test]
    fn budget_counts_decoded_bytes() {
        let c = DecodedCache::new(1 << 20);
        for i in 0..40 {
            let chunk = DecodedChunk {
                width: 256,
                height: 256,
                samples: 1,
                data: CacheBuf::zeroed(65536),
            };
            let key = ChunkKey {
                source: "s".into(),
                ifd: 0,
                chunk: i,
            };
            c.insert(key, Arc::new(chunk));
        }
        assert!(c.weight() <= 1 << 20, "weight {}", c.weight());
        // 40 × 64 KiB do not fit in 1 MiB: some were evicted, the budget's worth stayed
        assert!(c.len() < 40 && c.len() >= 8, "len {}", c.len());
    }
}
