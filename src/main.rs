//! The `cogtiler` command line: `serve`, `info`, `block`, `tile`, `validate`.

mod cli;

use clap::Parser;

/// glibc malloc settings for a server that allocates many short-lived multi-MB buffers from
/// many threads: by default every thread may get an arena of its own (8 per core) and the
/// mmap threshold grows after each large free, so freed tile buffers pile up in arenas and
/// RSS climbs far above what is in use. Two arenas, a fixed 1 MiB mmap threshold and eager
/// trimming keep RSS near the live size. (At 128 KiB, every decoded tile and output plane
/// was a fresh mmap: a page fault per 4 KiB, 15% of a warm tile's CPU. mimalloc was faster
/// still but held 3× the RSS.)
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_malloc() {
    // SAFETY: mallopt only changes allocator parameters; called before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 128 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_malloc() {}

/// The static musl build allocates with mimalloc (see Cargo.toml): musl's malloc takes a global
/// lock, which cost two thirds of the throughput.
#[cfg(all(target_env = "musl", feature = "mimalloc"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    tune_malloc();
    let args = cli::Cli::parse();
    cli::init_tracing();
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = args.worker_threads() {
        builder.worker_threads(n);
    }
    // Decoding, warping and encoding run on cogtiler's own CPU pool (src/cpu.rs); tokio's
    // blocking pool only serves local file reads and DNS lookups, which a few threads per core
    // cover. (Tokio's default of 512 would let a burst of slow reads pile up threads.)
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    builder.max_blocking_threads((cores * 2).max(8));
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cogtiler: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run(args)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) if cli::is_broken_pipe(&e) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cogtiler: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
