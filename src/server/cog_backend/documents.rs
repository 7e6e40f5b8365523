//! Parsed documents (STAC items, mosaics) by URL, kept as long as their bytes are cached.
//!
//! The byte cache ([`crate::io::DocumentCache`]) makes a document one GET per TTL; this one
//! makes it one parse: a map view's tiles all need the same item, and parsing it again for
//! every tile is a CPU-pool hop and, for a large mosaic, tens of milliseconds.

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use quick_cache::sync::Cache;

use super::{blocking, CogBackend};
use crate::server::error::ApiError;

/// Documents of one kind, parsed.
pub(super) struct Parsed<T> {
    inner: Cache<String, (Instant, Arc<T>)>,
}

impl<T: Send + Sync + 'static> Parsed<T> {
    /// Keeps at most `entries` documents.
    pub fn new(entries: usize) -> Parsed<T> {
        Parsed {
            inner: Cache::new(entries.max(1)),
        }
    }

    /// The document at `url`, parsed with `parse` (on the CPU pool) when not cached or older
    /// than the document TTL.
    pub async fn get(
        &self,
        backend: &CogBackend,
        url: &str,
        parse: impl FnOnce(Bytes) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<Arc<T>, ApiError> {
        let ttl = backend.assets.documents.ttl;
        if let Some((at, doc)) = self.inner.get(url) {
            if at.elapsed() < ttl {
                return Ok(doc);
            }
        }
        let bytes = backend.documents.get(url, &backend.opts.io).await?;
        let doc = Arc::new(blocking(move || parse(bytes)).await?);
        self.inner
            .insert(url.to_string(), (Instant::now(), doc.clone()));
        Ok(doc)
    }
}
