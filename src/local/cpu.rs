//! The pool's heavy arithmetic (the RS256 signatures of a sign-in, a password check's 3072-bit
//! exponentiation) runs here, on one thread per core, in the order it arrives.
//!
//! Each request runs on its own blocking thread; when sixteen of them did their math at once,
//! the scheduler sliced between them and preempted threads holding the store's write lock,
//! which stalled every writer behind them and stretched the slowest answers. Queued here, the
//! math of a request runs at full speed once started and the rest of the pool's threads stay
//! idle while they wait. Only pure computation comes here, never anything that waits on IO,
//! a lock or a trigger, so a slow request cannot hold the queue.

use std::sync::OnceLock;

use rayon_core::{ThreadPool, ThreadPoolBuilder};

fn pool() -> Option<&'static ThreadPool> {
    static POOL: OnceLock<Option<ThreadPool>> = OnceLock::new();
    POOL.get_or_init(|| {
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("pool-cpu-{i}"))
            .build()
            .map_err(|e| tracing::warn!(error = %e, "local pool: no CPU pool, math runs inline"))
            .ok()
    })
    .as_ref()
}

/// Runs `f` on the CPU pool and returns its answer (call from a blocking thread, not from the
/// async executor: the caller waits).
pub fn run<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    match pool() {
        Some(p) => p.install(f),
        None => f(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn runs_the_work_on_the_pool_threads_and_returns_its_answer() {
        let (answer, thread) =
            super::run(|| (6 * 7, std::thread::current().name().map(str::to_string)));
        assert_eq!(answer, 42);
        assert!(thread.is_some_and(|n| n.starts_with("pool-cpu-")));
    }
}
