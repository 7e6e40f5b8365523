//! A byte-budgeted cache of compressed chunks.
//!
//! Caching the *compressed* bytes keeps 3–10× more tiles in the same memory than decoded
//! samples would, and decoding again is cheap next to a network round trip.

use std::time::Duration;

use bytes::Bytes;
use quick_cache::sync::{Cache, DefaultLifecycle, GuardResult, PlaceholderGuard};
use quick_cache::{DefaultHashBuilder, Weighter};

/// Identifies one chunk: the object (source id), the IFD index in the file, the chunk index.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ChunkKey {
    pub source: String,
    pub ifd: usize,
    pub chunk: u64,
}

#[derive(Clone)]
struct ByteWeighter;

impl Weighter<ChunkKey, Bytes> for ByteWeighter {
    fn weight(&self, key: &ChunkKey, val: &Bytes) -> u64 {
        // The key's string counts too, and every entry weighs at least 1 so that empty
        // (sparse) chunks are still evictable.
        (val.len() + key.source.len() + 32) as u64
    }
}

/// Compressed chunk bytes by [`ChunkKey`], bounded by a total byte budget (S3-FIFO eviction).
pub struct ChunkCache {
    inner: Cache<ChunkKey, Bytes, ByteWeighter>,
}

impl std::fmt::Debug for ChunkCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChunkCache")
            .field("entries", &self.inner.len())
            .field("bytes", &self.inner.weight())
            .finish()
    }
}

/// Options for a cache of large values weighed in bytes.
///
/// quick_cache splits a cache into shards, each with an equal share of the budget (by default
/// four per core). With entries of up to a few MiB, a few unlucky shards overflow while others
/// sit half empty: a 72 MiB decoded cache in eight shards missed on a fifth of the warm tiles
/// whose chunks total 68 MiB. So a shard gets at least 32 MiB of budget, and lock contention
/// stays negligible (an operation holds a shard for well under a microsecond).
pub(crate) fn byte_budget_options(
    budget_bytes: u64,
    typical_item_bytes: u64,
) -> quick_cache::Options {
    const MIN_SHARD_BYTES: u64 = 32 << 20;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    let shards = (budget_bytes / MIN_SHARD_BYTES).clamp(1, 4 * cores);
    let items = (budget_bytes / typical_item_bytes.max(1)).max(16);
    quick_cache::OptionsBuilder::new()
        .shards(shards as usize)
        .estimated_items_capacity(items as usize)
        .weight_capacity(budget_bytes.max(1))
        .build()
        .expect("weight and item capacities are set")
}

impl ChunkCache {
    /// A cache holding at most `budget_bytes` (0 disables caching).
    pub fn new(budget_bytes: u64) -> ChunkCache {
        // Estimate: typical compressed tiles are ~64 KiB.
        let opts = byte_budget_options(budget_bytes, 65536);
        ChunkCache {
            inner: Cache::with_options(opts, ByteWeighter, Default::default(), Default::default()),
        }
    }

    pub fn get(&self, key: &ChunkKey) -> Option<Bytes> {
        self.inner.get(key)
    }

    /// Caches `value`. The bytes are copied into a buffer of their own: a chunk sliced out of
    /// a coalesced response would otherwise keep the whole response (neighbour chunks, gap
    /// bytes) alive while being weighed as just its own length, and the budget would lie.
    /// (The copy stays on the malloc heap: this cache is small, and on a cold tile's path a
    /// fresh mapping per chunk cost more in page faults than its pinned pages did.)
    pub fn insert(&self, key: ChunkKey, value: Bytes) {
        self.inner.insert(key, Bytes::copy_from_slice(&value));
    }

    /// Looks `key` up without waiting, and when it is missing claims it if no other read is
    /// fetching it already. Concurrent reads of one chunk (neighbouring tiles of a map view
    /// arrive together and share chunks) then make one range request between them.
    pub fn claim(&self, key: &ChunkKey) -> Claim<'_> {
        match self.inner.get_value_or_guard(key, Some(Duration::ZERO)) {
            GuardResult::Value(b) => Claim::Cached(b),
            GuardResult::Guard(g) => Claim::Mine(ChunkGuard(g)),
            GuardResult::Timeout => Claim::Theirs,
        }
    }

    /// Waits for the read fetching `key` ([`Claim::Theirs`]). If that read fails, the chunk
    /// is handed over: the caller gets the guard and fetches it itself.
    pub async fn wait(&self, key: &ChunkKey) -> Result<Bytes, ChunkGuard<'_>> {
        self.inner
            .get_value_or_guard_async(key)
            .await
            .map_err(ChunkGuard)
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

/// What [`ChunkCache::claim`] found.
pub enum Claim<'a> {
    Cached(Bytes),
    /// Missing, and now this read's to fetch: fill the guard (dropping it unfilled lets the
    /// waiting reads fetch the chunk themselves).
    Mine(ChunkGuard<'a>),
    /// Missing, and another read is fetching it: [`ChunkCache::wait`] for it.
    Theirs,
}

/// The right, and duty, to fetch one chunk for every read waiting on it.
pub struct ChunkGuard<'a>(
    PlaceholderGuard<
        'a,
        ChunkKey,
        Bytes,
        ByteWeighter,
        DefaultHashBuilder,
        DefaultLifecycle<ChunkKey, Bytes>,
    >,
);

impl ChunkGuard<'_> {
    /// Caches `value` (copied, as [`ChunkCache::insert`] does) and hands it to the waiters.
    pub fn fill(self, value: &Bytes) {
        let _ = self.0.insert(Bytes::copy_from_slice(value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_is_honoured() {
        let c = ChunkCache::new(100_000);
        for i in 0..100 {
            c.insert(
                ChunkKey {
                    source: "s".into(),
                    ifd: 0,
                    chunk: i,
                },
                Bytes::from(vec![0u8; 10_000]),
            );
        }
        assert!(c.weight() <= 100_000, "weight {}", c.weight());
        assert!(!c.is_empty());
    }
}
