//! [`Cog`]: an opened dataset (header + byte source + caches), cheap to clone.

use std::sync::{Arc, OnceLock};

use quick_cache::sync::Cache;
use quick_cache::Weighter;

use crate::io::{self, ByteSource, ChunkCache, FetchBudget, IoConfig};
use crate::raster::Raster;
use crate::tiff::{self, Limits, ParseOptions};

use super::decoded::DecodedCache;
use super::info::Info;
use super::read::{fetch_pixels, fetch_window, FetchedWindow};
use super::{CogHeader, Error, PixelWindow};

/// Parsed headers by URL, so a tile server opens each dataset once. Weighed in bytes (see
/// [`HeaderWeighter`]): a header holds two `u64` per chunk, so a count of entries alone would
/// let a few huge files (or many cache-busted URLs) grow memory without bound.
pub type HeaderCache = Cache<String, Arc<CogHeader>, HeaderWeighter>;

/// Approximate heap bytes of a parsed header: the chunk offset/length arrays dominate.
#[derive(Clone, Debug, Default)]
pub struct HeaderWeighter;

impl Weighter<String, Arc<CogHeader>> for HeaderWeighter {
    fn weight(&self, key: &String, h: &Arc<CogHeader>) -> u64 {
        let chunks: usize = h
            .tiff
            .ifds
            .iter()
            .map(|i| i.chunk_offsets.len() + i.chunk_byte_counts.len())
            .sum();
        (chunks * 8 + key.len() + 4096 * (h.tiff.ifds.len() + 1)) as u64
    }
}

/// A header cache holding about `budget_bytes` of parsed headers.
pub fn header_cache(budget_bytes: u64) -> HeaderCache {
    let items = ((budget_bytes / 16384) as usize).max(16);
    Cache::with_weighter(items, budget_bytes.max(1), HeaderWeighter)
}

/// How to open datasets. `Default` uses process-wide header and chunk caches.
#[derive(Clone, Debug)]
pub struct OpenOptions {
    pub io: IoConfig,
    pub limits: Limits,
    /// `None` disables header caching.
    pub header_cache: Option<Arc<HeaderCache>>,
    /// Compressed chunks; `None` disables this cache.
    pub chunk_cache: Option<Arc<ChunkCache>>,
    /// Decoded chunks, consulted before the compressed cache; `None` disables it.
    pub decoded_cache: Option<Arc<DecodedCache>>,
    /// Bounds the bytes fetched but not yet decoded, across reads; `None`: unbounded.
    pub fetch_budget: Option<Arc<FetchBudget>>,
    /// Largest window [`Cog::read_window`] allocates (samples of all requested bands).
    /// Default 1 GiB: far above any tile or preview, far below what a crafted request for
    /// a 10^6 × 10^6 window would need.
    pub max_window_bytes: u64,
}

/// Default header cache: 16 MiB of parsed headers (hundreds of typical COGs).
pub fn global_header_cache() -> Arc<HeaderCache> {
    static C: OnceLock<Arc<HeaderCache>> = OnceLock::new();
    C.get_or_init(|| Arc::new(header_cache(16 << 20))).clone()
}

/// Default chunk cache: 4 MiB of compressed chunks, behind the decoded cache (what it
/// evicts comes back from here without a range request).
pub fn global_chunk_cache() -> Arc<ChunkCache> {
    static C: OnceLock<Arc<ChunkCache>> = OnceLock::new();
    C.get_or_init(|| Arc::new(ChunkCache::new(4 << 20))).clone()
}

/// Default decoded-chunk cache: 72 MiB of samples (the chunks a few map views revisit).
pub fn global_decoded_cache() -> Arc<DecodedCache> {
    static C: OnceLock<Arc<DecodedCache>> = OnceLock::new();
    C.get_or_init(|| Arc::new(DecodedCache::new(72 << 20)))
        .clone()
}

/// Default fetch budget: 4 MiB per core of chunks fetched and waiting to be decoded, about ten
/// cold tiles per core (their chunks are ~0.4 MB): enough to keep the cores busy behind a few
/// tens of ms of storage latency, and a bound on what a burst of requests holds.
pub fn global_fetch_budget() -> Arc<FetchBudget> {
    static B: OnceLock<Arc<FetchBudget>> = OnceLock::new();
    B.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u64;
        Arc::new(FetchBudget::new(cores * (4 << 20)))
    })
    .clone()
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            io: IoConfig::default(),
            limits: Limits::default(),
            header_cache: Some(global_header_cache()),
            chunk_cache: Some(global_chunk_cache()),
            decoded_cache: Some(global_decoded_cache()),
            fetch_budget: Some(global_fetch_budget()),
            max_window_bytes: 1 << 30,
        }
    }
}

impl OpenOptions {
    /// No caches at all: every open parses, every read fetches (tests that count requests).
    pub fn uncached() -> OpenOptions {
        OpenOptions {
            header_cache: None,
            chunk_cache: None,
            decoded_cache: None,
            ..OpenOptions::default()
        }
    }
}

struct Inner {
    header: Arc<CogHeader>,
    source: Arc<dyn ByteSource>,
    opts: OpenOptions,
}

/// An opened Cloud Optimized GeoTIFF (any tiled or striped GeoTIFF, in fact).
#[derive(Clone)]
pub struct Cog {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Cog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cog")
            .field("url", &self.inner.header.url)
            .finish()
    }
}

impl Cog {
    /// Opens `url` (path, `file://`, `http(s)://`, `s3://`): one range read for a typical
    /// COG header, zero when the header is cached.
    pub async fn open(url: &str, opts: &OpenOptions) -> Result<Cog, Error> {
        let source = io::open_source(url, &opts.io)?;
        let Some(cache) = &opts.header_cache else {
            return Cog::open_source(source, opts).await;
        };
        // Single flight: concurrent opens of one URL wait for the first parse instead of
        // each fetching the header. A failed parse is not cached (the next open retries).
        match cache.get_value_or_guard_async(url).await {
            Ok(h) => Ok(Cog::from_parts(h, source, opts.clone())),
            Err(guard) => {
                let cog = Cog::open_source(source, opts).await?;
                let _ = guard.insert(cog.inner.header.clone());
                Ok(cog)
            }
        }
    }

    /// Opens a dataset from any [`ByteSource`] (no header cache).
    pub async fn open_source(
        source: Arc<dyn ByteSource>,
        opts: &OpenOptions,
    ) -> Result<Cog, Error> {
        let popts = ParseOptions {
            header_bytes: opts.io.header_bytes,
            coalesce_gap: opts.io.coalesce_gap,
            limits: opts.limits.clone(),
            ..ParseOptions::default()
        };
        let tiff = tiff::parse(source.as_ref(), &popts).await?;
        let header = CogHeader::from_tiff(source.id(), tiff)?;
        Ok(Cog::from_parts(Arc::new(header), source, opts.clone()))
    }

    fn from_parts(header: Arc<CogHeader>, source: Arc<dyn ByteSource>, opts: OpenOptions) -> Cog {
        Cog {
            inner: Arc::new(Inner {
                header,
                source,
                opts,
            }),
        }
    }

    pub fn header(&self) -> &CogHeader {
        &self.inner.header
    }

    /// The shared header (for caching by callers).
    pub fn header_arc(&self) -> Arc<CogHeader> {
        self.inner.header.clone()
    }

    pub fn source(&self) -> &Arc<dyn ByteSource> {
        &self.inner.source
    }

    /// TiTiler's `/cog/info` model.
    pub fn info(&self) -> Info {
        Info::from_header(&self.inner.header)
    }

    /// Reads a boundless window of a level's pixel grid ([`PixelWindow`]). Only chunks intersecting the window are fetched (one coalesced
    /// batch, chunk cache honoured) and decoded in parallel off the async runtime. Pixels
    /// outside the image have value 0 and mask 0; inside, the mask comes from the internal
    /// mask IFD when there is one, else 255. Nodata and alpha are *not* applied here (see
    /// [`super::gdal_dataset_mask`]). Sparse chunks read as nodata (or 0).
    pub async fn read_window(&self, window: PixelWindow<'_>) -> Result<Raster, Error> {
        let fetched = self.fetch_window(window).await?;
        crate::cpu::run(move || fetched.assemble())
            .await
            .map_err(|e| Error::Task(e.to_string()))?
    }

    /// The I/O half of [`Cog::read_window`]: brings the window's chunks into memory (decoded
    /// cache, compressed cache, then one coalesced batch of range requests) and leaves the
    /// decoding to [`FetchedWindow::assemble`], so a caller with more CPU work on the pixels
    /// does it all in one blocking task.
    pub async fn fetch_window(&self, window: PixelWindow<'_>) -> Result<FetchedWindow, Error> {
        fetch_window(
            &self.inner.header,
            self.inner.source.as_ref(),
            &self.inner.opts,
            window,
        )
        .await
    }

    /// Like [`Cog::fetch_window`] for single pixels `(x, y)` of `level`: only the chunks
    /// under them are fetched, and the assembled raster is `pixels.len() × 1` (pixel `i` is
    /// `pixels[i]`; pixels outside the level are 0 with mask 0).
    pub async fn fetch_pixels(
        &self,
        level: usize,
        pixels: Vec<(u32, u32)>,
        bands: &[usize],
    ) -> Result<FetchedWindow, Error> {
        fetch_pixels(
            &self.inner.header,
            self.inner.source.as_ref(),
            &self.inner.opts,
            level,
            pixels,
            bands,
        )
        .await
    }

    /// Reads one internal block (tile or strip) of `level` with every band, clipped to the
    /// image extent: exactly what GDAL's `ReadBlock` yields for that block.
    pub async fn read_block(&self, level: usize, col: u32, row: u32) -> Result<Raster, Error> {
        let h = &self.inner.header;
        let lv = h.levels.get(level).ok_or(Error::InvalidLevel {
            level,
            levels: h.levels.len(),
        })?;
        if col >= lv.blocks_across() || row >= lv.blocks_down() {
            return Err(Error::InvalidBlock {
                level,
                col,
                row,
                cols: lv.blocks_across(),
                rows: lv.blocks_down(),
            });
        }
        let x = col as u64 * lv.block_width as u64;
        let y = row as u64 * lv.block_height as u64;
        let w = (lv.block_width as u64).min(lv.width as u64 - x) as usize;
        let hh = (lv.block_height as u64).min(lv.height as u64 - y) as usize;
        let bands: Vec<usize> = (1..=h.bands).collect();
        self.read_window(PixelWindow {
            level,
            x: x as i64,
            y: y as i64,
            width: w,
            height: hh,
            bands: &bands,
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::{CountingSource, MemorySource};

    fn tiny_tiff() -> Vec<u8> {
        // A 1×1 uncompressed u8 image whose single strip holds the value 42.
        let mut b = b"II*\x00\x08\x00\x00\x00".to_vec();
        let entries: [(u16, u16, u32, u32); 6] = [
            (256, 4, 1, 1),
            (257, 4, 1, 1),
            (258, 3, 1, 8),
            (273, 4, 1, 8 + 2 + 6 * 12 + 4),
            (278, 4, 1, 1),
            (279, 4, 1, 1),
        ];
        b.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        for (tag, typ, n, v) in entries {
            b.extend_from_slice(&tag.to_le_bytes());
            b.extend_from_slice(&typ.to_le_bytes());
            b.extend_from_slice(&n.to_le_bytes());
            b.extend_from_slice(&v.to_le_bytes());
        }
        b.extend_from_slice(&0u32.to_le_bytes());
        b.push(42);
        b
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn header_cache_serves_repeat_opens_without_io() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("one.tif");
        std::fs::write(&p, tiny_tiff()).unwrap();
        let url = p.to_str().unwrap();
        let opts = OpenOptions {
            header_cache: Some(Arc::new(header_cache(1 << 20))),
            chunk_cache: Some(Arc::new(ChunkCache::new(1 << 20))),
            decoded_cache: None,
            ..OpenOptions::default()
        };
        let a = Cog::open(url, &opts).await.unwrap();
        std::fs::remove_file(&p).unwrap();
        // The header is cached: opening again needs the file to exist (the source is
        // rebuilt) but does not parse it again; the same shared header comes back.
        std::fs::write(&p, tiny_tiff()).unwrap();
        let b = Cog::open(url, &opts).await.unwrap();
        assert!(Arc::ptr_eq(&a.header_arc(), &b.header_arc()));
        let r = b.read_block(0, 0, 0).await.unwrap();
        assert_eq!(r.data.get_f64(0), 42.0);
        assert_eq!(r.mask, vec![255]);
    }

    /// Options with a fresh 1 MiB compressed-chunk cache and no other cache.
    fn chunk_cache_only() -> OpenOptions {
        OpenOptions {
            header_cache: None,
            chunk_cache: Some(Arc::new(ChunkCache::new(1 << 20))),
            decoded_cache: None,
            ..OpenOptions::default()
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn chunk_cache_avoids_second_fetch() {
        let src = Arc::new(CountingSource::new(Arc::new(MemorySource::new(
            "tiny",
            tiny_tiff(),
        ))));
        let opts = chunk_cache_only();
        let cog = Cog::open_source(src.clone(), &opts).await.unwrap();
        cog.read_block(0, 0, 0).await.unwrap();
        let after_first = src.requests();
        cog.read_block(0, 0, 0).await.unwrap();
        assert_eq!(src.requests(), after_first);
        assert_eq!(after_first, 2);
    }

    /// A source whose reads take 50 ms, and whose first `fail` reads past the header fail.
    #[derive(Debug)]
    struct SlowSource {
        inner: MemorySource,
        fail: std::sync::atomic::AtomicU32,
    }

    impl ByteSource for SlowSource {
        fn id(&self) -> &str {
            self.inner.id()
        }
        fn read(
            &self,
            range: std::ops::Range<u64>,
        ) -> futures::future::BoxFuture<'_, Result<bytes::Bytes, io::Error>> {
            use std::sync::atomic::Ordering::SeqCst;
            let failing = range.start > 0
                && self
                    .fail
                    .fetch_update(SeqCst, SeqCst, |n| n.checked_sub(1))
                    .is_ok();
            Box::pin(async move {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                if failing {
                    return Err(io::Error::Timeout {
                        url: "tiny-slow".into(),
                    });
                }
                self.inner.read(range).await
            })
        }
        fn size(&self) -> Option<u64> {
            self.inner.size()
        }
    }

    async fn concurrent_block_reads(fail: u32) -> (Vec<Result<Raster, Error>>, u64) {
        let slow = SlowSource {
            inner: MemorySource::new("tiny-slow", tiny_tiff()),
            fail: fail.into(),
        };
        let src = Arc::new(CountingSource::new(Arc::new(slow)));
        let opts = chunk_cache_only();
        let cog = Cog::open_source(src.clone(), &opts).await.unwrap();
        let opened = src.requests();
        let reads = (0..4).map(|_| cog.read_block(0, 0, 0));
        let results = futures::future::join_all(reads).await;
        (results, src.requests() - opened)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_reads_of_a_chunk_fetch_it_once() {
        let (results, requests) = concurrent_block_reads(0).await;
        for r in results {
            assert_eq!(r.unwrap().data.get_f64(0), 42.0);
        }
        assert_eq!(requests, 1, "four concurrent reads, one range request");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn when_the_fetching_read_fails_the_waiting_reads_fetch_for_themselves() {
        let (results, requests) = concurrent_block_reads(1).await;
        let ok = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(ok, 3, "only the read whose fetch failed fails: {results:?}");
        assert!(results.iter().flatten().all(|r| r.data.get_f64(0) == 42.0));
        assert_eq!(
            requests, 2,
            "the failed fetch, then one fetch for the waiting reads"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn decoded_cache_serves_repeat_reads_without_fetch_or_decode() {
        let src = Arc::new(CountingSource::new(Arc::new(MemorySource::new(
            "tiny-decoded",
            tiny_tiff(),
        ))));
        let decoded = Arc::new(DecodedCache::new(1 << 20));
        let opts = OpenOptions {
            header_cache: None,
            chunk_cache: None,
            decoded_cache: Some(decoded.clone()),
            ..OpenOptions::default()
        };
        let cog = Cog::open_source(src.clone(), &opts).await.unwrap();
        let first = cog.read_block(0, 0, 0).await.unwrap();
        assert_eq!(decoded.len(), 0, "admitted on second use only");
        cog.read_block(0, 0, 0).await.unwrap();
        assert_eq!(decoded.len(), 1);
        let after_second = src.requests();
        let again = cog.read_block(0, 0, 0).await.unwrap();
        assert_eq!(
            src.requests(),
            after_second,
            "served from the decoded cache"
        );
        assert_eq!(again.data.get_f64(0), 42.0);
        assert_eq!(again.mask, first.mask);
    }
}
