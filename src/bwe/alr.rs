//! Application-limited region (ALR) detection, as GoogCC's AlrDetector: a
//! budget filled at a share of the estimate and drained by what is sent.
//! When most of it goes unused, the sender is limited by what it has to
//! send (a consumer on a low layer, a paused stream), not by the path, and
//! the acknowledged bitrate says little about the path's capacity.

/// The budget fills at this share of the estimate.
const BUDGET_SHARE: f64 = 0.65;
/// The budget holds at most this much time's worth (ms).
const WINDOW_MS: f64 = 500.0;
/// ALR starts when more than this share of the budget is unused...
const START_RATIO: f64 = 0.80;
/// ...and ends when less than this share is.
const STOP_RATIO: f64 = 0.50;

pub struct AlrDetector {
    /// Budget in bytes, in `[-max, max]`: negative while sending over it.
    remaining: f64,
    rate_bps: f64,
    last_sent_ms: Option<u64>,
    /// When the current ALR period started.
    started_ms: Option<u64>,
}

impl AlrDetector {
    pub fn new(estimate_bps: u32) -> Self {
        AlrDetector {
            remaining: 0.0,
            rate_bps: f64::from(estimate_bps) * BUDGET_SHARE,
            last_sent_ms: None,
            started_ms: None,
        }
    }

    fn max_bytes(&self) -> f64 {
        self.rate_bps * WINDOW_MS / 8000.0
    }

    /// The estimate changed: the budget fills at its share from now on.
    pub fn set_estimate(&mut self, estimate_bps: u32) {
        self.rate_bps = f64::from(estimate_bps) * BUDGET_SHARE;
        let max = self.max_bytes();
        self.remaining = self.remaining.clamp(-max, max);
    }

    /// `bytes` went out at `now_ms` (media, retransmissions and probes).
    pub fn on_sent(&mut self, bytes: usize, now_ms: u64) {
        let elapsed_ms = self
            .last_sent_ms
            .map_or(0, |last| now_ms.saturating_sub(last));
        self.last_sent_ms = Some(now_ms);
        let max = self.max_bytes();
        // Unused budget builds up to the window (a silence is underuse too).
        let earned = self.rate_bps * elapsed_ms as f64 / 8000.0;
        self.remaining = (self.remaining + earned).min(max);
        self.remaining = (self.remaining - bytes as f64).max(-max);
        let ratio = if max > 0.0 { self.remaining / max } else { 0.0 };
        if self.started_ms.is_none() && ratio > START_RATIO {
            self.started_ms = Some(now_ms);
        } else if self.started_ms.is_some() && ratio < STOP_RATIO {
            self.started_ms = None;
        }
    }

    pub fn in_alr(&self) -> bool {
        self.started_ms.is_some()
    }

    /// When the current ALR period started, if in one.
    pub fn started_ms(&self) -> Option<u64> {
        self.started_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sends at `bps` in 1000-byte packets for `ms`, from `from_ms`.
    fn send_at(alr: &mut AlrDetector, bps: u32, from_ms: u64, ms: u64) {
        let interval_ms = 8_000_000 / u64::from(bps);
        let mut t = from_ms;
        while t < from_ms + ms {
            alr.on_sent(1000, t);
            t += interval_ms;
        }
    }

    #[test]
    fn sending_the_estimate_is_not_application_limited() {
        let mut alr = AlrDetector::new(1_000_000);
        send_at(&mut alr, 1_000_000, 0, 3000);
        assert!(!alr.in_alr());
        // Sending just over the budget's share is not either.
        send_at(&mut alr, 700_000, 3000, 3000);
        assert!(!alr.in_alr());
    }

    #[test]
    fn sending_a_fraction_of_the_estimate_is_and_ends_when_sending_more() {
        let mut alr = AlrDetector::new(1_000_000);
        send_at(&mut alr, 200_000, 0, 2000);
        assert!(alr.in_alr());
        let started = alr.started_ms().unwrap();
        assert!(started < 1500, "started at {started}");
        // Back to the estimate: the budget drains and ALR ends.
        send_at(&mut alr, 1_000_000, 2000, 2000);
        assert!(!alr.in_alr());
    }

    #[test]
    fn a_pause_in_sending_starts_it_and_a_lower_estimate_ends_it() {
        let mut alr = AlrDetector::new(1_000_000);
        send_at(&mut alr, 900_000, 0, 1000);
        assert!(!alr.in_alr());
        alr.on_sent(100, 2500);
        assert!(alr.in_alr());
        // The estimate drops to what is sent: no longer limited by the app.
        alr.set_estimate(300_000);
        send_at(&mut alr, 300_000, 2500, 2000);
        assert!(!alr.in_alr());
    }
}
