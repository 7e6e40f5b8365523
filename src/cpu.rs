//! CPU-bound work (decoding, warping, encoding) off the async runtime, a few jobs at a time.
//!
//! Every CPU step of a request goes through [`run`] (or [`run_at`]): it waits for a permit,
//! then runs the closure on tokio's blocking pool. The permits (one per core unless
//! [`set_parallelism`] says otherwise) bound how many jobs run at once, and so how many sets
//! of transient buffers (source windows, warped planes, encoders) exist at once: at 64
//! concurrent tile requests on 2 cores, 62 wait holding only their fetched chunks, not their
//! working memory. Queueing more jobs than cores would not finish them sooner. The blocking
//! pool itself stays free for what else uses it (local file reads, DNS).
//!
//! A tile takes several jobs (plan the warp, decode and sample, render). A free permit goes
//! to the waiting job whose *request* arrived first ([`request`] marks that moment): requests
//! already under way finish before newer ones take the cores, so under load a tile waits in
//! the queue about once instead of once per job. Throughput is the same; the latency tail
//! is much shorter. (Ordering by job kind instead starves requests whose first job is of a
//! kind that keeps arriving behind others.)

use std::collections::BinaryHeap;
use std::future::Future;
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use tokio::sync::oneshot;

tokio::task_local! {
    /// When the request the current task serves arrived.
    static REQUEST_START: Instant;
}

/// Runs `fut` as one request: the CPU jobs it starts queue by the time it began.
pub async fn request<F: Future>(fut: F) -> F::Output {
    REQUEST_START.scope(Instant::now(), fut).await
}

static POOL: OnceLock<Permits> = OnceLock::new();

/// Sets how many CPU jobs may run at once (before the first job; later calls are ignored).
pub fn set_parallelism(jobs: usize) {
    let _ = POOL.set(Permits::new(jobs));
}

fn pool() -> &'static Permits {
    POOL.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Permits::new(cores)
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
    let start = REQUEST_START
        .try_with(|t| *t)
        .unwrap_or_else(|_| Instant::now());
    run_with(pool(), start, f).await
}

async fn run_with<T: Send + 'static>(
    permits: &'static Permits,
    start: Instant,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, TaskError> {
    let _permit = permits.acquire(start).await;
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| TaskError(e.to_string()))
}

/// A counting semaphore whose waiters are served oldest request first.
struct Permits {
    state: Mutex<State>,
}

struct State {
    free: usize,
    /// Arrivals so far: breaks ties between jobs of requests that started together.
    seq: u64,
    waiting: BinaryHeap<Waiter>,
}

/// A job waiting for a permit; the heap's greatest is the oldest request (then first queued).
struct Waiter {
    start: Instant,
    seq: u64,
    tx: oneshot::Sender<Permit>,
}

impl Waiter {
    fn key(&self) -> std::cmp::Reverse<(Instant, u64)> {
        std::cmp::Reverse((self.start, self.seq))
    }
}

impl PartialEq for Waiter {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Waiter {}

impl PartialOrd for Waiter {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Waiter {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

/// The right to run one job; handed to the next waiter when dropped.
struct Permit {
    pool: &'static Permits,
}

impl Permits {
    fn new(jobs: usize) -> Permits {
        Permits {
            state: Mutex::new(State {
                free: jobs.max(1),
                seq: 0,
                waiting: BinaryHeap::new(),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // the state stays consistent under every panic (no user code runs under the lock)
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn acquire(&'static self, start: Instant) -> Permit {
        let rx = {
            let mut st = self.lock();
            if st.free > 0 {
                st.free -= 1;
                return Permit { pool: self };
            }
            let (tx, rx) = oneshot::channel();
            st.seq += 1;
            let seq = st.seq;
            st.waiting.push(Waiter { start, seq, tx });
            rx
        };
        match rx.await {
            Ok(p) => p,
            // the sender side lives in the pool, which is never dropped; should it happen,
            // run anyway rather than hang
            Err(_) => Permit { pool: self },
        }
    }

    /// Hands a returned permit to the oldest waiter still waiting, else frees it.
    fn release(&'static self) {
        let mut st = self.lock();
        while let Some(w) = st.waiting.pop() {
            match w.tx.send(Permit { pool: self }) {
                Ok(()) => return,
                // that waiter gave up (its request was cancelled): the permit comes back
                // unused; forget it (its drop would release again, under this lock) and try
                // the next waiter
                Err(p) => std::mem::forget(p),
            }
        }
        st.free += 1;
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.pool.release();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    fn leaked(jobs: usize) -> &'static Permits {
        Box::leak(Box::new(Permits::new(jobs)))
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn never_more_jobs_than_permits() {
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let permits = leaked(2);
        let jobs: Vec<_> = (0..16)
            .map(|i| {
                let (running, peak) = (running.clone(), peak.clone());
                let start = Instant::now() - std::time::Duration::from_millis(i as u64 % 3);
                tokio::spawn(run_with(permits, start, move || {
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
        assert_eq!(permits.lock().free, 2, "every permit came back");
    }

    #[tokio::test]
    async fn a_freed_permit_goes_to_the_oldest_request_then_in_arrival_order() {
        let permits = leaked(1);
        let t0 = Instant::now();
        let held = permits.acquire(t0).await;
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut waiters = Vec::new();
        let ms = std::time::Duration::from_millis;
        for (name, start) in [
            ("new", t0 + ms(30)),
            ("older-1", t0 + ms(10)),
            ("oldest", t0),
            ("older-2", t0 + ms(10)),
        ] {
            let order = order.clone();
            waiters.push(tokio::spawn(async move {
                let _p = permits.acquire(start).await;
                order.lock().unwrap().push(name);
            }));
            // let each waiter queue before the next one
            tokio::task::yield_now().await;
        }
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        assert!(
            order.lock().unwrap().is_empty(),
            "all wait for the held permit"
        );
        drop(held);
        for w in waiters {
            w.await.unwrap();
        }
        assert_eq!(
            *order.lock().unwrap(),
            vec!["oldest", "older-1", "older-2", "new"]
        );
    }

    #[tokio::test]
    async fn jobs_of_a_request_carry_its_start() {
        let outside = REQUEST_START.try_with(|t| *t);
        assert!(outside.is_err());
        let t = request(async { REQUEST_START.with(|t| *t) }).await;
        assert!(t <= Instant::now());
    }

    #[tokio::test]
    async fn a_cancelled_waiter_does_not_lose_the_permit() {
        let permits = leaked(1);
        let held = permits.acquire(Instant::now()).await;
        let gone = tokio::spawn(async move { permits.acquire(Instant::now()).await });
        tokio::task::yield_now().await;
        gone.abort();
        let _ = gone.await;
        drop(held);
        // the permit skipped the cancelled waiter and is free again
        let p = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            permits.acquire(Instant::now()),
        )
        .await;
        assert!(p.is_ok());
    }

    #[tokio::test]
    async fn a_panicking_job_is_an_error_not_a_crash() {
        let r = run(|| -> u8 { panic!("boom") }).await;
        assert!(r.is_err());
    }
}
