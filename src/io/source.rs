//! The [`ByteSource`] trait and its in-process implementations (memory, counting wrapper).

use std::fmt::Debug;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures::future::BoxFuture;

use super::Error;

/// Something that can hand out byte ranges of one object (a file, an HTTP resource, an S3 key).
///
/// The trait is object-safe (boxed futures) so a dataset can hold an `Arc<dyn ByteSource>` and
/// tests can swap in [`MemorySource`] or a [`CountingSource`] without any network.
pub trait ByteSource: Send + Sync + Debug {
    /// A stable identity of the object (its URL); used in cache keys and error messages.
    fn id(&self) -> &str;

    /// Reads `range`. The answer is shorter than asked when the object ends inside the range
    /// (that is how a header read learns that a file is small); it is never longer. A range
    /// starting at or after the end of the object gives an empty answer or an error.
    fn read(&self, range: Range<u64>) -> BoxFuture<'_, Result<Bytes, Error>>;

    /// The object's size, once known (learned from the first read, never from a HEAD).
    fn size(&self) -> Option<u64>;
}

/// Reads exactly `range`, failing with [`Error::Truncated`] when the object ends early.
pub async fn read_exact(source: &dyn ByteSource, range: Range<u64>) -> Result<Bytes, Error> {
    let expected = range.end.saturating_sub(range.start);
    let bytes = source.read(range).await?;
    if (bytes.len() as u64) < expected {
        return Err(Error::Truncated {
            url: source.id().to_string(),
            expected,
            got: bytes.len() as u64,
        });
    }
    Ok(bytes)
}

/// An object held in memory: for tests, benches and fuzzing.
#[derive(Clone)]
pub struct MemorySource {
    id: String,
    data: Bytes,
}

impl MemorySource {
    pub fn new(id: impl Into<String>, data: impl Into<Bytes>) -> MemorySource {
        MemorySource {
            id: id.into(),
            data: data.into(),
        }
    }
}

impl Debug for MemorySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemorySource")
            .field("id", &self.id)
            .field("len", &self.data.len())
            .finish()
    }
}

impl ByteSource for MemorySource {
    fn id(&self) -> &str {
        &self.id
    }

    fn read(&self, range: Range<u64>) -> BoxFuture<'_, Result<Bytes, Error>> {
        let len = self.data.len() as u64;
        let start = range.start.min(len);
        let end = range.end.clamp(start, len);
        let out = self.data.slice(start as usize..end as usize);
        Box::pin(async move { Ok(out) })
    }

    fn size(&self) -> Option<u64> {
        Some(self.data.len() as u64)
    }
}

/// Wraps a source and records every read: how many requests, how many bytes, which ranges.
/// This turns the promise "few range requests" into something tests can assert.
#[derive(Debug)]
pub struct CountingSource {
    inner: Arc<dyn ByteSource>,
    requests: AtomicU64,
    bytes: AtomicU64,
    log: Mutex<Vec<Range<u64>>>,
}

impl CountingSource {
    pub fn new(inner: Arc<dyn ByteSource>) -> CountingSource {
        CountingSource {
            inner,
            requests: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            log: Mutex::new(Vec::new()),
        }
    }

    /// Number of reads so far.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Bytes returned so far.
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    /// The ranges asked for, in order.
    pub fn ranges(&self) -> Vec<Range<u64>> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

impl ByteSource for CountingSource {
    fn id(&self) -> &str {
        self.inner.id()
    }

    fn read(&self, range: Range<u64>) -> BoxFuture<'_, Result<Bytes, Error>> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut l) = self.log.lock() {
            l.push(range.clone());
        }
        Box::pin(async move {
            let b = self.inner.read(range).await?;
            self.bytes.fetch_add(b.len() as u64, Ordering::Relaxed);
            Ok(b)
        })
    }

    fn size(&self) -> Option<u64> {
        self.inner.size()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn memory_source_clamps_at_eof() {
        let s = MemorySource::new("mem", vec![1u8, 2, 3, 4, 5]);
        assert_eq!(&s.read(3..100).await.unwrap()[..], &[4, 5]);
        assert!(s.read(10..20).await.unwrap().is_empty());
        let e = read_exact(&s, 2..9).await.unwrap_err();
        assert!(matches!(
            e,
            Error::Truncated {
                expected: 7,
                got: 3,
                ..
            }
        ));
    }

    #[tokio::test]
    async fn counting_source_counts() {
        let c = CountingSource::new(Arc::new(MemorySource::new("m", vec![0u8; 100])));
        c.read(0..10).await.unwrap();
        c.read(50..200).await.unwrap();
        assert_eq!(c.requests(), 2);
        assert_eq!(c.bytes(), 60);
        assert_eq!(c.ranges(), vec![0..10, 50..200]);
    }
}
