//! Resource usage of the calling thread, in libuv's `uv_rusage_t` shape that
//! `worker.getResourceUsage()` returns.

use serde::Serialize;

/// Whole milliseconds, truncated, as mediasoup reports them.
fn timeval_ms(tv: libc::timeval) -> u64 {
    tv.tv_sec as u64 * 1000 + tv.tv_usec as u64 / 1000
}

/// `worker.getResourceUsage()`: libuv's `uv_rusage_t` fields.
#[derive(Debug, Default, Serialize)]
pub struct ResourceUsage {
    pub ru_utime: u64,
    pub ru_stime: u64,
    pub ru_maxrss: i64,
    pub ru_ixrss: i64,
    pub ru_idrss: i64,
    pub ru_isrss: i64,
    pub ru_minflt: i64,
    pub ru_majflt: i64,
    pub ru_nswap: i64,
    pub ru_inblock: i64,
    pub ru_oublock: i64,
    pub ru_msgsnd: i64,
    pub ru_msgrcv: i64,
    pub ru_nsignals: i64,
    pub ru_nvcsw: i64,
    pub ru_nivcsw: i64,
}

/// Must be called on the worker thread: RUSAGE_THREAD measures the caller.
/// `None` if the kernel refuses (mediasoup then reports an empty object).
pub fn thread_resource_usage() -> Option<ResourceUsage> {
    // SAFETY: getrusage only writes into the zeroed struct we own.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut ru) };
    if rc != 0 {
        return None;
    }
    Some(ResourceUsage {
        ru_utime: timeval_ms(ru.ru_utime),
        ru_stime: timeval_ms(ru.ru_stime),
        ru_maxrss: ru.ru_maxrss,
        ru_ixrss: ru.ru_ixrss,
        ru_idrss: ru.ru_idrss,
        ru_isrss: ru.ru_isrss,
        ru_minflt: ru.ru_minflt,
        ru_majflt: ru.ru_majflt,
        ru_nswap: ru.ru_nswap,
        ru_inblock: ru.ru_inblock,
        ru_oublock: ru.ru_oublock,
        ru_msgsnd: ru.ru_msgsnd,
        ru_msgrcv: ru.ru_msgrcv,
        ru_nsignals: ru.ru_nsignals,
        ru_nvcsw: ru.ru_nvcsw,
        ru_nivcsw: ru.ru_nivcsw,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_cpu_of_this_thread_only() {
        let before = thread_resource_usage().unwrap().ru_utime;
        // Spin until this thread's own CPU time moves (bounded in wall time,
        // since other processes may compete for the CPU).
        let spin = std::time::Instant::now();
        let mut x = 0u64;
        let mut after = before;
        while after - before < 20 && spin.elapsed().as_secs() < 10 {
            for _ in 0..100_000 {
                x = x.wrapping_add(std::hint::black_box(1));
            }
            after = thread_resource_usage().unwrap().ru_utime;
        }
        assert!(x > 0);
        assert!(after - before >= 20, "before={before} after={after}");
        // A fresh thread starts near zero even though this one burnt CPU.
        let other = std::thread::spawn(|| thread_resource_usage().unwrap().ru_utime)
            .join()
            .unwrap();
        assert!(other < 10, "other={other}");
    }
}
