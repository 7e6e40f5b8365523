//! CPU-bound work (decoding, warping, encoding) off the async runtime, a few jobs at a time.
//!
//! Every CPU step of a request goes through [`run`]: the closure is queued for a small pool of
//! worker threads (one per core unless [`set_parallelism`] says otherwise). The pool bounds how
//! many jobs run at once, and so how many sets of transient buffers (source windows, warped
//! planes, encoders) exist at once: at 64 concurrent tile requests on 2 cores, 62 wait holding
//! only their fetched chunks, not their working memory. Queueing more jobs than cores would not
//! finish them sooner. Tokio's blocking pool stays free for what else uses it (local file
//! reads, DNS).
//!
//! A worker that finishes a job takes the next one straight from the queue. (Handing a permit
//! from the finished job's task to the next waiting task, which then wakes a blocking thread,
//! left a core idle for three thread wake-ups between jobs: ~10% of a warm tile.)
//!
//! A tile takes several jobs (plan the warp, decode and sample, render). The next job run is
//! the one whose *request* arrived first ([`request`] marks that moment): requests already
//! under way finish before newer ones take the cores, so under load a tile waits in the queue
//! about once instead of once per job. Throughput is the same; the latency tail is much
//! shorter. (Ordering by job kind instead starves requests whose first job is of a kind that
//! keeps arriving behind others.)

use std::any::Any;
use std::collections::BinaryHeap;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
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

static POOL: OnceLock<Pool> = OnceLock::new();

/// Sets how many CPU jobs may run at once (before the first job; later calls are ignored).
pub fn set_parallelism(jobs: usize) {
    let _ = POOL.set(Pool::new(jobs));
}

fn pool() -> &'static Pool {
    POOL.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Pool::new(cores)
    })
}

/// A CPU job that panicked, or could not be run.
#[derive(Debug, thiserror::Error)]
#[error("cpu task failed: {0}")]
pub struct TaskError(String);

/// Runs `f` on the CPU pool and waits for its result. A panic in `f` is an error, not a crash.
/// If the caller stops waiting (a timed-out request) before the job starts, it never runs.
pub async fn run<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, TaskError> {
    let start = REQUEST_START
        .try_with(|t| *t)
        .unwrap_or_else(|_| Instant::now());
    pool().run(start, f).await
}

type Job = Box<dyn FnOnce() + Send>;

/// A fixed set of worker threads taking jobs from one queue, oldest request first.
struct Pool {
    shared: Arc<Shared>,
    /// Worker threads actually started (0 if the system refused them all: jobs then go to
    /// tokio's blocking pool, one thread each, unbounded but working).
    threads: usize,
}

struct Shared {
    queue: Mutex<Queue>,
    ready: Condvar,
}

#[derive(Default)]
struct Queue {
    seq: u64,
    jobs: BinaryHeap<Queued>,
}

struct Queued {
    start: Instant,
    seq: u64,
    job: Job,
}

impl Queued {
    /// Max-heap key: the earliest request, then the earliest queued, comes out first.
    fn key(&self) -> std::cmp::Reverse<(Instant, u64)> {
        std::cmp::Reverse((self.start, self.seq))
    }
}

impl PartialEq for Queued {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Queued {}

impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Queued {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A worker's life: take the next job, run it, forever.
    fn work(&self) {
        loop {
            let next = {
                let mut q = self.lock();
                loop {
                    if let Some(j) = q.jobs.pop() {
                        break j;
                    }
                    q = self.ready.wait(q).unwrap_or_else(|e| e.into_inner());
                }
            };
            (next.job)();
        }
    }
}

impl Pool {
    fn new(jobs: usize) -> Pool {
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue::default()),
            ready: Condvar::new(),
        });
        let mut threads = 0;
        for i in 0..jobs.max(1) {
            let s = shared.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("cogtiler-cpu-{i}"))
                .spawn(move || s.work());
            threads += usize::from(spawned.is_ok());
        }
        Pool { shared, threads }
    }

    async fn run<T: Send + 'static>(
        &self,
        start: Instant,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, TaskError> {
        if self.threads == 0 {
            return tokio::task::spawn_blocking(f)
                .await
                .map_err(|e| TaskError(e.to_string()));
        }
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move || {
            if tx.is_closed() {
                return; // nobody waits for the result any more
            }
            let _ = tx.send(catch_unwind(AssertUnwindSafe(f)));
        });
        {
            let mut q = self.shared.lock();
            q.seq += 1;
            let seq = q.seq;
            q.jobs.push(Queued { start, seq, job });
        }
        self.shared.ready.notify_one();
        match rx.await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(panic)) => Err(TaskError(format!("panicked: {}", panic_message(&*panic)))),
            Err(_) => Err(TaskError("the job was dropped".into())),
        }
    }
}

fn panic_message(p: &(dyn Any + Send)) -> &str {
    p.downcast_ref::<&str>()
        .copied()
        .or_else(|| p.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    fn leaked(jobs: usize) -> &'static Pool {
        Box::leak(Box::new(Pool::new(jobs)))
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn never_more_jobs_than_workers() {
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let pool = leaked(2);
        let jobs: Vec<_> = (0..16)
            .map(|i| {
                let (running, peak) = (running.clone(), peak.clone());
                let start = Instant::now() - Duration::from_millis(i as u64 % 3);
                tokio::spawn(pool.run(start, move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(5));
                    running.fetch_sub(1, Ordering::SeqCst);
                }))
            })
            .collect();
        for j in jobs {
            j.await.unwrap().unwrap();
        }
        assert_eq!(peak.load(Ordering::SeqCst), 2, "two workers, sixteen jobs");
    }

    /// Blocks the pool's only worker until the returned sender is dropped or sent to.
    fn occupy(pool: &'static Pool) -> std::sync::mpsc::Sender<()> {
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        tokio::spawn(pool.run(Instant::now(), move || {
            started_tx.send(()).unwrap();
            let _ = rx.recv();
        }));
        started_rx.recv_timeout(Duration::from_secs(5)).unwrap();
        tx
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_oldest_request_runs_first_then_arrival_order() {
        let pool = leaked(1);
        let busy = occupy(pool);
        let t0 = Instant::now();
        let order = Arc::new(Mutex::new(Vec::new()));
        let ms = Duration::from_millis;
        let mut waiters = Vec::new();
        for (queued, (name, start)) in [
            ("new", t0 + ms(30)),
            ("older-1", t0 + ms(10)),
            ("oldest", t0),
            ("older-2", t0 + ms(10)),
        ]
        .into_iter()
        .enumerate()
        {
            let order = order.clone();
            waiters.push(tokio::spawn(
                pool.run(start, move || order.lock().unwrap().push(name)),
            ));
            // queue them one by one behind the busy worker: spawned tasks race, and "older-1"
            // must be queued before "older-2" for their arrival order to be the one asserted
            while pool.shared.lock().jobs.len() <= queued {
                tokio::task::yield_now().await;
            }
        }
        assert!(order.lock().unwrap().is_empty(), "all wait for the worker");
        drop(busy);
        for w in waiters {
            w.await.unwrap().unwrap();
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

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_job_nobody_waits_for_is_skipped() {
        let pool = leaked(1);
        let busy = occupy(pool);
        let ran = Arc::new(AtomicUsize::new(0));
        let r = ran.clone();
        let gone = tokio::spawn(pool.run(Instant::now(), move || {
            r.fetch_add(1, Ordering::SeqCst);
        }));
        while pool.shared.lock().jobs.is_empty() {
            tokio::task::yield_now().await;
        }
        gone.abort();
        let _ = gone.await;
        drop(busy);
        // the worker is free again and the abandoned job did not run
        let after = tokio::time::timeout(Duration::from_secs(5), pool.run(Instant::now(), || 7))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(after, 7);
        assert_eq!(ran.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn a_panicking_job_is_an_error_not_a_crash() {
        let r = run(|| -> u8 { panic!("boom") }).await;
        let e = r.unwrap_err().to_string();
        assert!(e.contains("boom"), "{e}");
        // and the worker that ran it is still there
        assert_eq!(run(|| 3).await.unwrap(), 3);
    }
}
