//! Turning congestion signals into a target bitrate (GoogCC's AIMD rate
//! control and loss-based control), and measuring the bitrate the remote
//! acknowledged receiving.

use super::trendline::Usage;

/// Multiplicative decrease on overuse (of the acknowledged bitrate).
const BETA: f64 = 0.85;
/// Multiplicative increase per second far from the last congestion point.
const INCREASE_PER_SECOND: f64 = 1.08;
/// Never more than this over what is acknowledged (plus 10 kbit/s).
const MAX_OVER_ACKED: f64 = 1.5;
/// Additive increase near the last congestion point, per second: about
/// one 1200-byte packet per 200 ms response time.
const ADDITIVE_BPS_PER_SECOND: f64 = 1200.0 * 8.0 * 5.0;
/// In ALR, back off from the estimate at most this often (ms): GoogCC's
/// reduction interval with its 200 ms default round trip.
const ALR_DECREASE_INTERVAL_MS: u64 = 200;
/// Loss thresholds of the loss-based controller.
const LOW_LOSS: f64 = 0.02;
const HIGH_LOSS: f64 = 0.10;
/// Minimum time between two loss-based decreases (ms).
const LOSS_DECREASE_INTERVAL_MS: u64 = 300;
/// Reports needed before a loss ratio is acted on.
const LOSS_MIN_PACKETS: u32 = 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Hold,
    Increase,
    Decrease,
}

/// Delay-based AIMD.
pub struct Aimd {
    bitrate: f64,
    state: State,
    last_update_ms: Option<u64>,
    /// Acknowledged bitrate at the last decrease (the link's capacity as
    /// last seen): near it, increase additively.
    capacity: Option<f64>,
    last_decrease_ms: Option<u64>,
}

impl Aimd {
    pub fn new(start_bps: u32) -> Self {
        Aimd {
            bitrate: f64::from(start_bps),
            state: State::Hold,
            last_update_ms: None,
            capacity: None,
            last_decrease_ms: None,
        }
    }

    pub fn bitrate(&self) -> u32 {
        self.bitrate as u32
    }

    /// A probe measured the path: adopt what it delivered.
    pub fn set_estimate(&mut self, bps: u32, now_ms: u64) {
        self.bitrate = f64::from(bps);
        self.last_update_ms = Some(now_ms);
        self.capacity = None;
    }

    /// `in_alr`: the sender is application-limited (see `alr`), so the
    /// acknowledged bitrate is what it had to send, not what the path
    /// carries.
    pub fn update(
        &mut self,
        usage: Usage,
        acked_bps: Option<u32>,
        in_alr: bool,
        now_ms: u64,
    ) -> u32 {
        let dt_ms = self
            .last_update_ms
            .map_or(0, |last| now_ms.saturating_sub(last).min(1000));
        self.last_update_ms = Some(now_ms);
        self.state = match (usage, self.state) {
            (Usage::Overusing, _) => State::Decrease,
            (Usage::Underusing, _) => State::Hold,
            (Usage::Normal, State::Hold) => State::Increase,
            (Usage::Normal, s) => s,
        };
        let acked = acked_bps.map(f64::from);
        match self.state {
            State::Hold => {}
            State::Increase => {
                if let (Some(a), Some(c)) = (acked, self.capacity) {
                    // Well past the old capacity: forget it.
                    if a > c * 1.5 {
                        self.capacity = None;
                    }
                }
                let increased = if self.capacity.is_some() {
                    self.bitrate + ADDITIVE_BPS_PER_SECOND * dt_ms as f64 / 1000.0
                } else {
                    self.bitrate * INCREASE_PER_SECOND.powf(dt_ms as f64 / 1000.0)
                };
                let cap = acked.map_or(f64::MAX, |a| a * MAX_OVER_ACKED + 10_000.0);
                // Never lowered by the cap (the acknowledged rate lags).
                self.bitrate = increased.min(cap).max(self.bitrate);
            }
            State::Decrease => {
                // GoogCC's ALR-limited backoff (on in mediasoup): backing off
                // to a share of a low acknowledged rate would throw away an
                // estimate the sender never tried; back off from the
                // estimate instead, at most once per response time.
                if in_alr {
                    let due = self
                        .last_decrease_ms
                        .is_none_or(|t| now_ms.saturating_sub(t) >= ALR_DECREASE_INTERVAL_MS);
                    if due {
                        self.capacity = Some(self.bitrate);
                        self.bitrate *= BETA;
                        self.last_decrease_ms = Some(now_ms);
                    }
                } else {
                    let target = acked.map_or(self.bitrate, |a| a) * BETA;
                    if target < self.bitrate {
                        self.bitrate = target;
                    }
                    self.capacity = acked.or(Some(self.bitrate));
                    self.last_decrease_ms = Some(now_ms);
                }
                self.state = State::Hold;
            }
        }
        self.bitrate as u32
    }
}

/// Loss-based limit: lowered on high loss, raised (8 %/s) on low loss.
pub struct LossControl {
    bitrate: f64,
    lost: u32,
    total: u32,
    last_decrease_ms: Option<u64>,
    last_increase_ms: Option<u64>,
}

impl LossControl {
    pub fn new(start_bps: u32) -> Self {
        LossControl {
            bitrate: f64::from(start_bps),
            lost: 0,
            total: 0,
            last_decrease_ms: None,
            last_increase_ms: None,
        }
    }

    pub fn bitrate(&self) -> u32 {
        self.bitrate as u32
    }

    pub fn reset(&mut self, bps: u32) {
        self.bitrate = f64::from(bps);
    }

    /// When the last loss-based cut happened (ms).
    pub fn last_decrease_ms(&self) -> Option<u64> {
        self.last_decrease_ms
    }

    /// Packets reported by one feedback; `delay_based` bounds any increase.
    pub fn update(&mut self, lost: u32, total: u32, delay_based: u32, now_ms: u64) {
        self.lost += lost;
        self.total += total;
        if self.total < LOSS_MIN_PACKETS {
            return;
        }
        let loss = f64::from(self.lost) / f64::from(self.total);
        self.lost = 0;
        self.total = 0;
        if loss > HIGH_LOSS {
            let due = self
                .last_decrease_ms
                .is_none_or(|t| now_ms.saturating_sub(t) >= LOSS_DECREASE_INTERVAL_MS);
            if due {
                self.bitrate *= 1.0 - 0.5 * loss;
                self.last_decrease_ms = Some(now_ms);
            }
        } else if loss < LOW_LOSS {
            let dt = self
                .last_increase_ms
                .map_or(0, |t| now_ms.saturating_sub(t).min(1000));
            self.bitrate *= INCREASE_PER_SECOND.powf(dt as f64 / 1000.0);
        }
        self.last_increase_ms = Some(now_ms);
        // Loss never allows more than the delay-based estimate.
        self.bitrate = self.bitrate.min(f64::from(delay_based));
    }
}

/// What the remote acknowledged receiving over the last `WINDOW_US` of
/// its own clock.
pub struct AckedBitrate {
    /// (arrival µs, bytes) ring.
    ring: Box<[(i64, u32)]>,
    next: usize,
    len: usize,
    window_us: i64,
}

const ACKED_RING: usize = 512;
const ACKED_WINDOW_US: i64 = 500_000;

impl Default for AckedBitrate {
    fn default() -> Self {
        AckedBitrate::with_window(ACKED_WINDOW_US)
    }
}

impl AckedBitrate {
    /// Measured over `window_us` (the ring holds 1024 packets: enough for
    /// 1 s at ~10 Mbit/s of full-size packets).
    pub fn with_window(window_us: i64) -> Self {
        AckedBitrate {
            ring: vec![(0, 0); ACKED_RING].into_boxed_slice(),
            next: 0,
            len: 0,
            window_us,
        }
    }

    /// Forgets what was measured (a stream gap: the rate starts afresh).
    pub fn reset(&mut self) {
        self.len = 0;
    }

    pub fn on_acked(&mut self, arrival_us: i64, size: u32) {
        self.ring[self.next] = (arrival_us, size);
        self.next = (self.next + 1) % ACKED_RING;
        self.len = (self.len + 1).min(ACKED_RING);
    }

    /// Bits per second over the window ending at the latest arrival; None
    /// until a window's worth was seen.
    pub fn bitrate(&self) -> Option<u32> {
        if self.len < 2 {
            return None;
        }
        let newest = self.ring[(self.next + ACKED_RING - 1) % ACKED_RING].0;
        let mut bytes = 0u64;
        let mut oldest = newest;
        for i in 0..self.len {
            let (at, size) = self.ring[(self.next + ACKED_RING - 1 - i) % ACKED_RING];
            if newest - at > self.window_us {
                break;
            }
            bytes += u64::from(size);
            oldest = at;
        }
        // A short history is measured over what it spans (at least 100 ms).
        let span = (newest - oldest).clamp(100_000, self.window_us.max(100_000));
        Some((bytes as f64 * 8.0 * 1e6 / span as f64) as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aimd_increases_multiplicatively_then_backs_off_below_acked() {
        let mut a = Aimd::new(300_000);
        let mut now = 0;
        for _ in 0..10 {
            now += 100;
            a.update(Usage::Normal, Some(1_000_000), false, now);
        }
        // ~8 % over a second.
        assert!((320_000..330_000).contains(&a.bitrate()), "{}", a.bitrate());
        now += 100;
        // 0.85 x what was acknowledged.
        assert_eq!(
            a.update(Usage::Overusing, Some(350_000), false, now),
            297_500
        );
        // Held until normal again, then additive near the new capacity.
        now += 100;
        assert_eq!(
            a.update(Usage::Underusing, Some(350_000), false, now),
            297_500
        );
        now += 1000;
        assert_eq!(a.update(Usage::Normal, Some(350_000), false, now), 345_500);
        now += 1000;
        assert_eq!(a.update(Usage::Normal, Some(350_000), false, now), 393_500);
    }

    #[test]
    fn aimd_in_alr_backs_off_from_the_estimate() {
        let mut a = Aimd::new(1_000_000);
        // Application-limited: 0.85 x the estimate, not of the 200 kbit/s
        // the sender had to send...
        assert_eq!(
            a.update(Usage::Overusing, Some(200_000), true, 300),
            850_000
        );
        // ...once per response time while the overuse lasts.
        assert_eq!(
            a.update(Usage::Overusing, Some(200_000), true, 400),
            850_000
        );
        assert_eq!(
            a.update(Usage::Overusing, Some(200_000), true, 500),
            722_500
        );
        // Not application-limited: from what was acknowledged.
        assert_eq!(
            a.update(Usage::Overusing, Some(200_000), false, 600),
            170_000
        );
    }

    #[test]
    fn aimd_never_runs_far_ahead_of_acked() {
        let mut a = Aimd::new(300_000);
        for i in 1..=100 {
            a.update(Usage::Normal, Some(100_000), false, i * 100);
        }
        // Not above 1.5 x 100k + 10k, and the start value is not lowered.
        assert_eq!(a.bitrate(), 300_000);
        let mut a = Aimd::new(100_000);
        for i in 1..=100 {
            a.update(Usage::Normal, Some(100_000), false, i * 100);
        }
        assert_eq!(a.bitrate(), 160_000);
    }

    #[test]
    fn loss_control_cuts_on_high_loss_only() {
        let mut l = LossControl::new(1_000_000);
        l.update(1, 100, 2_000_000, 0);
        l.update(1, 100, 2_000_000, 1000);
        assert!(l.bitrate() > 1_070_000, "{}", l.bitrate());
        let before = l.bitrate();
        l.update(5, 100, 2_000_000, 1100);
        assert_eq!(l.bitrate(), before);
        l.update(20, 100, 2_000_000, 1200);
        assert_eq!(l.bitrate(), (f64::from(before) * 0.9) as u32);
        // Twice within 300 ms: once.
        l.update(20, 100, 2_000_000, 1300);
        assert_eq!(l.bitrate(), (f64::from(before) * 0.9) as u32);
    }

    #[test]
    fn acked_bitrate_over_half_a_second() {
        let mut a = AckedBitrate::default();
        assert_eq!(a.bitrate(), None);
        // 1000 bytes every 10 ms: 800 kbit/s.
        for i in 0..200 {
            a.on_acked(i * 10_000, 1000);
        }
        let b = a.bitrate().unwrap();
        assert!((790_000..830_000).contains(&b), "{b}");
    }
}
