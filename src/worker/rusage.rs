//! Resource usage of the calling thread, in libuv's `uv_rusage_t` shape that
//! `worker.getResourceUsage()` returns.

use serde_json::{json, Value};

/// Whole milliseconds, truncated, as mediasoup reports them.
fn timeval_ms(tv: libc::timeval) -> u64 {
    tv.tv_sec as u64 * 1000 + tv.tv_usec as u64 / 1000
}

/// Must be called on the worker thread: RUSAGE_THREAD measures the caller.
pub fn thread_resource_usage() -> Value {
    // SAFETY: getrusage only writes into the zeroed struct we own.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut ru) };
    if rc != 0 {
        return json!({});
    }
    json!({
        "ru_utime": timeval_ms(ru.ru_utime),
        "ru_stime": timeval_ms(ru.ru_stime),
        "ru_maxrss": ru.ru_maxrss,
        "ru_ixrss": ru.ru_ixrss,
        "ru_idrss": ru.ru_idrss,
        "ru_isrss": ru.ru_isrss,
        "ru_minflt": ru.ru_minflt,
        "ru_majflt": ru.ru_majflt,
        "ru_nswap": ru.ru_nswap,
        "ru_inblock": ru.ru_inblock,
        "ru_oublock": ru.ru_oublock,
        "ru_msgsnd": ru.ru_msgsnd,
        "ru_msgrcv": ru.ru_msgrcv,
        "ru_nsignals": ru.ru_nsignals,
        "ru_nvcsw": ru.ru_nvcsw,
        "ru_nivcsw": ru.ru_nivcsw,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_cpu_of_this_thread_only() {
        let before = thread_resource_usage()["ru_utime"].as_u64().unwrap();
        // Spin until this thread's own CPU time moves (bounded in wall time,
        // since other processes may compete for the CPU).
        let spin = std::time::Instant::now();
        let mut x = 0u64;
        let mut after = before;
        while after - before < 20 && spin.elapsed().as_secs() < 10 {
            for _ in 0..100_000 {
                x = x.wrapping_add(std::hint::black_box(1));
            }
            after = thread_resource_usage()["ru_utime"].as_u64().unwrap();
        }
        assert!(x > 0);
        assert!(after - before >= 20, "before={before} after={after}");
        // A fresh thread starts near zero even though this one burnt CPU.
        let other = std::thread::spawn(|| thread_resource_usage()["ru_utime"].as_u64().unwrap())
            .join()
            .unwrap();
        assert!(other < 10, "other={other}");
    }
}
