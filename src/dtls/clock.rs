//! Maps the worker's millisecond clock onto the `Instant`s `rtc-dtls` wants.
//!
//! `rtc-dtls` only adds durations to and compares the instants we hand it,
//! so any fixed origin works; this keeps the driver testable with a fake
//! clock.

use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub(super) struct Clock {
    origin: Instant,
    origin_ms: Option<u64>,
    last_ms: u64,
}

impl Clock {
    pub(super) fn new() -> Self {
        Clock {
            origin: Instant::now(),
            origin_ms: None,
            last_ms: 0,
        }
    }

    /// The instant for `now_ms`; the first call fixes the origin. Time never
    /// goes backwards, whatever the caller passes.
    pub(super) fn instant(&mut self, now_ms: u64) -> Instant {
        let origin_ms = *self.origin_ms.get_or_insert(now_ms);
        self.last_ms = self.last_ms.max(now_ms);
        self.origin + Duration::from_millis(self.last_ms.saturating_sub(origin_ms))
    }

    /// The instant of the latest time seen (for calls that take no `now`).
    pub(super) fn last(&mut self) -> Instant {
        self.instant(self.last_ms)
    }

    /// Milliseconds on the caller's clock for an instant, rounded up so a
    /// timer is never reported as due before `rtc-dtls` considers it due.
    pub(super) fn ms_of(&self, at: Instant) -> u64 {
        let since = at.saturating_duration_since(self.origin);
        let ms = since.as_nanos().div_ceil(1_000_000) as u64;
        self.origin_ms.unwrap_or(self.last_ms) + ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_never_goes_back() {
        let mut c = Clock::new();
        let a = c.instant(5_000);
        let b = c.instant(6_500);
        assert_eq!(b - a, Duration::from_millis(1_500));
        assert_eq!(c.ms_of(b + Duration::from_millis(1_000)), 7_500);
        assert_eq!(c.instant(100), b);
        assert_eq!(c.last(), b);
    }
}
