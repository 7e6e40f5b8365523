//! CPU-bound work (decoding, warping, encoding) off the async runtime, a few jobs at a time.
//!
//! Every CPU step of a request goes through [`run`]: it waits for a permit, then runs the
//! closure on tokio's blocking pool. The permits (one per core unless [`set_parallelism`]
//! says otherwise) bound how many jobs run at once, and so how many sets of transient buffers
//! (source windows, warped planes, encoders) exist at once: at 64 concurrent tile requests
//! on 2 cores, 62 wait holding only their fetched chunks, not their working memory. Queueing
//! more jobs than cores would not finish them sooner. The blocking pool itself stays free for
//! what else uses it (local file reads, DNS).

use std::sync::OnceLock;

use tokio::sync::Semaphore;

static PERMITS: OnceLock<Semaphore> = OnceLock::new();

/// Sets how many CPU jobs may run at once (before the first job; later calls are ignored).
pub fn set_parallelism(jobs: usize) {
    let _ = PERMITS.set(Semaphore::new(jobs.max(1)));
}

fn permits() -> &'static Semaphore {
    PERMITS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Semaphore::new(cores)
    })
}

/// Why a CPU job gave no result.
#[derive(Debug, thiserror::Error)]
#[error("cpu task failed: {0}")]
pub struct TaskError(String);

/// Runs `f` on the blocking pool once a CPU permit is free.
pub async fn run<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, TaskError> {
    run_with(permits(), f).await
}

async fn run_with<T: Send + 'static>(
    permits: &Semaphore,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, TaskError> {
    // The semaphore is never closed, so acquiring only fails if it were; treat that as "run".
    let _permit = permits.acquire().await.ok();
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| TaskError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn never_more_jobs_than_permits() {
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let permits: &'static Semaphore = Box::leak(Box::new(Semaphore::new(2)));
        let jobs: Vec<_> = (0..16)
            .map(|_| {
                let (running, peak) = (running.clone(), peak.clone());
                tokio::spawn(run_with(permits, move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(5));
                    running.fetch_sub(1, Ordering::SeqCst);
                }))
            })
            .collect();
        for j in jobs {
            j.await.unwrap().unwrap();
        }
        assert_eq!(peak.load(Ordering::SeqCst), 2, "two permits, sixteen jobs");
    }

    #[tokio::test]
    async fn a_panicking_job_is_an_error_not_a_crash() {
        let r = run(|| -> u8 { panic!("boom") }).await;
        assert!(r.is_err());
    }
}
