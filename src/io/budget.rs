//! A byte budget for chunks fetched but not yet decoded.
//!
//! Under load most requests wait for a core with their compressed chunks in hand; nothing else
//! bounds how many bytes that is (at 64 concurrent cold tiles it was ~25 MB). A read takes
//! permits for the bytes it is about to fetch and gives them back once its chunks are decoded,
//! so the bytes in flight never exceed the budget. A read larger than the whole budget waits
//! until it can run alone, never forever.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Permits count whole KiB (a `u32` of them covers 4 TiB).
const UNIT: u64 = 1024;

/// Shared between every read of a process (like the caches).
#[derive(Debug)]
pub struct FetchBudget {
    permits: Arc<Semaphore>,
    units: u32,
}

/// Bytes taken from a [`FetchBudget`]; they go back when this is dropped.
#[derive(Debug)]
pub struct FetchPermit {
    _permit: OwnedSemaphorePermit,
}

impl FetchBudget {
    /// A budget of `bytes` (at least 1 KiB).
    pub fn new(bytes: u64) -> FetchBudget {
        let units = (bytes / UNIT).clamp(1, u32::MAX as u64) as u32;
        FetchBudget {
            permits: Arc::new(Semaphore::new(units as usize)),
            units,
        }
    }

    /// Waits until `bytes` (or the whole budget, if more) are free and takes them.
    pub async fn acquire(&self, bytes: u64) -> FetchPermit {
        let want = bytes.div_ceil(UNIT).clamp(1, self.units as u64) as u32;
        let permit = self
            .permits
            .clone()
            .acquire_many_owned(want)
            .await
            .expect("the budget's semaphore is never closed");
        FetchPermit { _permit: permit }
    }

    /// Bytes free right now (for tests and logs).
    pub fn available(&self) -> u64 {
        self.permits.available_permits() as u64 * UNIT
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn reads_wait_for_bytes_to_come_back() {
        let b = Arc::new(FetchBudget::new(100 * UNIT));
        let first = b.acquire(60 * UNIT).await;
        assert_eq!(b.available(), 40 * UNIT);
        // 50 KiB do not fit beside the first read: the second waits until it is dropped
        let b2 = b.clone();
        let second = tokio::spawn(async move { b2.acquire(50 * UNIT).await });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!second.is_finished());
        drop(first);
        let _second = tokio::time::timeout(Duration::from_secs(5), second)
            .await
            .expect("the second read starts once bytes are back")
            .unwrap();
        assert_eq!(b.available(), 50 * UNIT);
    }

    #[tokio::test]
    async fn a_read_larger_than_the_budget_runs_alone() {
        let b = FetchBudget::new(10 * UNIT);
        let big = tokio::time::timeout(Duration::from_secs(5), b.acquire(1 << 30))
            .await
            .expect("an oversized read is clamped to the budget, not refused");
        assert_eq!(b.available(), 0);
        drop(big);
        assert_eq!(b.available(), 10 * UNIT);
    }
}
