//! Adaptive spinning before the worker thread sleeps, as adaptive mutexes
//! do. A JS app that answers a response with its next request (a room where
//! people join: create transport, then produce, then consume) would
//! otherwise pay two thread wake-ups per request, each costing several
//! microseconds of syscall and scheduler latency on both threads. The
//! policy only spins while spinning pays: it learns from how soon commands
//! followed its last sleeps, and backs off when a spin catches nothing. An
//! idle worker never spins (no commands, no spin).

use std::time::Duration;

/// Longest spin: about the time JS takes to turn a response into the next
/// request.
pub const MAX_SPIN: Duration = Duration::from_micros(200);
/// Spins shorter than this are not worth starting.
const MIN_SPIN: Duration = Duration::from_micros(10);

#[derive(Debug, Default)]
pub struct SpinPolicy {
    limit: Duration,
}

impl SpinPolicy {
    /// How long to wait for a command, spinning, before going to sleep.
    pub fn budget(&self) -> Duration {
        self.limit
    }

    /// A spin ended; `caught` tells whether a command arrived during it.
    pub fn after_spin(&mut self, caught: bool) {
        if !caught {
            self.limit /= 2;
            if self.limit < MIN_SPIN {
                self.limit = Duration::ZERO;
            }
        }
    }

    /// The thread slept `slept` and then had commands to handle: a spin
    /// about twice that long would have caught them without a wake-up.
    pub fn after_sleep_with_commands(&mut self, slept: Duration) {
        if slept < MAX_SPIN {
            self.limit = (slept * 2).clamp(MIN_SPIN * 2, MAX_SPIN);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_spins_before_learning() {
        assert_eq!(SpinPolicy::default().budget(), Duration::ZERO);
    }

    #[test]
    fn learns_from_short_sleeps_and_backs_off_when_spins_fail() {
        let mut p = SpinPolicy::default();
        p.after_sleep_with_commands(Duration::from_micros(40));
        assert_eq!(p.budget(), Duration::from_micros(80));
        p.after_spin(true);
        assert_eq!(p.budget(), Duration::from_micros(80));
        p.after_spin(false);
        assert_eq!(p.budget(), Duration::from_micros(40));
        p.after_spin(false);
        p.after_spin(false);
        assert_eq!(p.budget(), Duration::from_micros(10));
        p.after_spin(false);
        assert_eq!(p.budget(), Duration::ZERO);
    }

    #[test]
    fn long_sleeps_teach_nothing_and_spins_are_bounded() {
        let mut p = SpinPolicy::default();
        p.after_sleep_with_commands(Duration::from_millis(5));
        assert_eq!(p.budget(), Duration::ZERO);
        p.after_sleep_with_commands(Duration::from_micros(150));
        assert_eq!(p.budget(), MAX_SPIN);
    }
}
