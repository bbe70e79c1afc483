//! RTP observers: `AudioLevelObserver` and `ActiveSpeakerObserver`.
//!
//! Both are sans-IO state machines that mirror the behaviour of mediasoup's
//! worker-side `RTC::AudioLevelObserver` and `RTC::ActiveSpeakerObserver`.
//!
//! Driving model (shared by both observers):
//!
//! * The caller feeds the 7-bit `ssrc-audio-level` value of every RTP packet
//!   of an observed (non-paused) producer through `receive_level(.., now_ms)`.
//! * The caller asks `poll_timeout()` for the absolute time (ms, same clock as
//!   `now_ms`) at which `handle_timeout(now_ms)` must be called next, and calls it
//!   once that time is reached. `None` means "no timer needed" (observer
//!   paused and nothing pending).
//! * Since the constructors, `resume()`, `pause()` and `remove_producer()` do
//!   not receive a timestamp, they may leave work pending (arming the periodic
//!   timer, or an event mediasoup would have emitted synchronously). In that
//!   case `poll_timeout()` returns a time that is already due (the latest time
//!   the observer has seen), so the caller should re-query `poll_timeout()`
//!   after calling any of those methods. `handle_timeout()` returns at most one
//!   event per call; if more work is due, `poll_timeout()` stays due.

mod active_speaker;
mod audio_level;

pub use active_speaker::ActiveSpeakerObserver;
pub use audio_level::{AudioLevelEvent, AudioLevelObserver};

/// Periodic timer emulating a libuv repeating timer (`Start(interval,
/// interval)`, `Stop()`, `Restart()`), without owning a clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TimerState {
    /// Not running (observer paused).
    Stopped,
    /// (Re)started but the start time is not known yet: it gets armed at the
    /// next observed `now`.
    Pending,
    /// Next tick due at this absolute time.
    Armed(u64),
}

#[derive(Debug, Clone)]
struct Periodic {
    interval: u64,
    state: TimerState,
}

impl Periodic {
    fn new(interval_ms: u64) -> Self {
        Self {
            interval: interval_ms,
            state: TimerState::Pending,
        }
    }

    fn stop(&mut self) {
        self.state = TimerState::Stopped;
    }

    fn restart(&mut self) {
        self.state = TimerState::Pending;
    }

    /// Arms a pending timer relative to `now`.
    #[inline]
    fn observe(&mut self, now: u64) {
        if self.state == TimerState::Pending {
            self.state = TimerState::Armed(now.saturating_add(self.interval));
        }
    }

    /// Returns true if a tick is due at `now`, re-arming the timer (like libuv,
    /// the next tick is scheduled `interval` after the time it actually fired).
    fn fire(&mut self, now: u64) -> bool {
        match self.state {
            TimerState::Armed(due) if now >= due => {
                self.state = TimerState::Armed(now.saturating_add(self.interval));
                true
            }
            _ => false,
        }
    }

    fn next(&self, last_now: u64) -> Option<u64> {
        match self.state {
            TimerState::Stopped => None,
            TimerState::Pending => Some(last_now),
            TimerState::Armed(due) => Some(due),
        }
    }
}
