//! Whole small objects: STAC items and mosaic documents, cached with a TTL and a byte budget.
//!
//! A map view asks for dozens of tiles of one item at once; each needs the item before it can
//! open any asset. The cache makes that one GET: concurrent requests for one URL wait for the
//! first fetch (single flight), and later ones are served from memory until the entry is
//! older than the TTL (documents change, unlike the immutable COG bytes below them). A
//! document is read with one ranged GET through the same [`ByteSource`]s as COGs, so the same
//! URL rules and timeouts apply, and it may not be larger than a limit.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use quick_cache::sync::Cache;
use quick_cache::Weighter;

use super::{open_source, ByteSource, Error, IoConfig};

/// The default cap on a STAC item's or mosaic document's size (also once gunzipped): 16 MiB
/// already indexes ~100k quadkeys; beyond that a gzip bomb is likelier than a mosaic.
pub const DEFAULT_MAX_DOCUMENT_BYTES: u64 = 16 << 20;

/// Limits and lifetime of cached documents.
#[derive(Clone, Debug)]
pub struct DocumentOptions {
    /// Largest document read (bytes), [`DEFAULT_MAX_DOCUMENT_BYTES`] by default.
    pub max_bytes: u64,
    /// How long a fetched document is served from memory. Default 5 minutes.
    pub ttl: Duration,
    /// Memory for cached documents. Default 64 MiB.
    pub budget_bytes: u64,
}

impl Default for DocumentOptions {
    fn default() -> Self {
        DocumentOptions {
            max_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
            ttl: Duration::from_secs(300),
            budget_bytes: 64 << 20,
        }
    }
}

#[derive(Clone)]
struct Entry {
    fetched: Instant,
    bytes: Bytes,
}

#[derive(Clone)]
struct EntryWeighter;

impl Weighter<String, Entry> for EntryWeighter {
    fn weight(&self, key: &String, val: &Entry) -> u64 {
        (key.len() + val.bytes.len() + 64) as u64
    }
}

/// Documents by URL.
pub struct DocumentCache {
    opts: DocumentOptions,
    inner: Cache<String, Entry, EntryWeighter>,
}

impl std::fmt::Debug for DocumentCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocumentCache")
            .field("entries", &self.inner.len())
            .field("bytes", &self.inner.weight())
            .finish()
    }
}

impl DocumentCache {
    pub fn new(opts: DocumentOptions) -> DocumentCache {
        let o = super::byte_budget_options(opts.budget_bytes, 64 << 10);
        DocumentCache {
            inner: Cache::with_options(o, EntryWeighter, Default::default(), Default::default()),
            opts,
        }
    }

    /// The document at `url`, from memory when fetched less than a TTL ago.
    pub async fn get(&self, url: &str, io: &IoConfig) -> Result<Bytes, Error> {
        loop {
            match self.inner.get_value_or_guard_async(url).await {
                Ok(e) if e.fetched.elapsed() < self.opts.ttl => return Ok(e.bytes),
                Ok(_) => {
                    // stale: drop it and fetch again (the next loop turn claims the key)
                    self.inner.remove(url);
                }
                Err(guard) => {
                    let source = open_source(url, io)?;
                    let bytes = fetch_whole(source, self.opts.max_bytes).await?;
                    let _ = guard.insert(Entry {
                        fetched: Instant::now(),
                        bytes: bytes.clone(),
                    });
                    return Ok(bytes);
                }
            }
        }
    }
}

/// Reads a whole object of at most `max_bytes` with one ranged GET.
pub async fn fetch_whole(source: Arc<dyn ByteSource>, max_bytes: u64) -> Result<Bytes, Error> {
    // one byte more than allowed tells "exactly at the limit" from "larger"
    let bytes = source.read(0..max_bytes.saturating_add(1)).await?;
    if bytes.len() as u64 > max_bytes {
        return Err(Error::TooLarge {
            url: source.id().to_string(),
            limit: max_bytes,
        });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::MemorySource;

    #[tokio::test]
    async fn whole_reads_respect_the_limit() {
        let src: Arc<dyn ByteSource> = Arc::new(MemorySource::new(
            "mem://doc",
            Bytes::from_static(b"{\"a\": 1}"),
        ));
        assert_eq!(fetch_whole(src.clone(), 8).await.unwrap().len(), 8);
        let e = fetch_whole(src, 7).await.unwrap_err();
        assert!(matches!(e, Error::TooLarge { limit: 7, .. }), "{e}");
    }

    #[tokio::test]
    async fn cached_documents_are_fetched_once_within_the_ttl() {
        let dir = std::env::temp_dir().join(format!("cogtiler-doc-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("item.json");
        std::fs::write(&path, b"one").unwrap();
        let url = path.to_string_lossy().to_string();
        let cache = DocumentCache::new(DocumentOptions::default());
        let io = IoConfig::default();
        assert_eq!(&cache.get(&url, &io).await.unwrap()[..], b"one");
        std::fs::write(&path, b"two").unwrap();
        assert_eq!(&cache.get(&url, &io).await.unwrap()[..], b"one", "cached");
        let fresh = DocumentCache::new(DocumentOptions {
            ttl: Duration::ZERO,
            ..DocumentOptions::default()
        });
        assert_eq!(&fresh.get(&url, &io).await.unwrap()[..], b"two");
        assert_eq!(
            &fresh.get(&url, &io).await.unwrap()[..],
            b"two",
            "refetched"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
