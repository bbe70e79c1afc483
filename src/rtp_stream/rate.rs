//! Windowed rate measurement (mediasoup `RateCalculator` / `RtpDataCounter`).
//!
//! The window is split into items of `ceil(window / items)` ms kept in a ring
//! allocated at construction. Time only moves forward by whole items, so a
//! full ring always spans the window.

/// Default window of a [`RateCalculator`] (ms).
pub const DEFAULT_WINDOW_MS: u64 = 1000;
/// Default number of items of the window.
pub const DEFAULT_WINDOW_ITEMS: u16 = 100;
/// Default scale: bytes per window of 1000 ms → bits per second.
pub const DEFAULT_BPS_SCALE: f32 = 8000.0;
/// Default window of an [`RtpDataCounter`] (ms).
pub const DEFAULT_DATA_COUNTER_WINDOW_MS: u64 = 2500;

/// Sliding window sum of sizes, reported as a rate.
#[derive(Debug, Clone)]
pub struct RateCalculator {
    window_ms: i64,
    item_ms: i64,
    rate_scale: f64,
    buffer: Box<[u64]>,
    newest_index: usize,
    newest_start_ms: i64,
    total: u64,
    bytes: u64,
    last_rate: u64,
    last_time_ms: i64,
    last_total: u64,
}

impl Default for RateCalculator {
    fn default() -> Self {
        Self::new(DEFAULT_WINDOW_MS, DEFAULT_BPS_SCALE, DEFAULT_WINDOW_ITEMS)
    }
}

#[inline]
fn to_i64(ms: u64) -> i64 {
    ms.min(i64::MAX as u64) as i64
}

impl RateCalculator {
    /// `window_ms` and `items` are clamped to at least 1.
    pub fn new(window_ms: u64, scale: f32, items: u16) -> Self {
        let window_ms = to_i64(window_ms).max(1);
        let items = i64::from(items).max(1);
        let item_ms = (window_ms + items - 1) / items;
        let len = ((window_ms + item_ms - 1) / item_ms) as usize;
        Self {
            window_ms,
            item_ms,
            rate_scale: f64::from(scale) / window_ms as f64,
            buffer: vec![0u64; len].into_boxed_slice(),
            newest_index: 0,
            newest_start_ms: 0,
            total: 0,
            bytes: 0,
            last_rate: 0,
            last_time_ms: 0,
            last_total: 0,
        }
    }

    /// Account `size` at `now_ms`.
    pub fn update(&mut self, size: usize, now_ms: u64) {
        self.update_at(size as u64, to_i64(now_ms));
    }

    fn update_at(&mut self, size: u64, now_ms: i64) {
        if !self.slide(now_ms) {
            return;
        }
        self.buffer[self.newest_index] += size;
        self.total += size;
        self.bytes += size;
    }

    /// Rate over the window ending at `now_ms` (bps with the default scale).
    pub fn get_rate(&mut self, now_ms: u64) -> u32 {
        self.get_rate_u64(now_ms).min(u64::from(u32::MAX)) as u32
    }

    /// Same as [`get_rate`](Self::get_rate) without the 32-bit clamp.
    pub fn get_rate_u64(&mut self, now_ms: u64) -> u64 {
        let now_ms = to_i64(now_ms);
        if now_ms == self.last_time_ms && self.total == self.last_total {
            return self.last_rate;
        }
        self.slide(now_ms);
        let rate = (self.total as f64 * self.rate_scale + 0.5).trunc();
        self.last_total = self.total;
        self.last_time_ms = now_ms;
        self.last_rate = if rate >= u64::MAX as f64 {
            u64::MAX
        } else {
            rate as u64
        };
        self.last_rate
    }

    /// Total of every size ever accounted (not windowed).
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Forget the window (not the byte total).
    pub fn reset(&mut self) {
        self.buffer.iter_mut().for_each(|v| *v = 0);
        self.newest_index = 0;
        self.newest_start_ms = 0;
        self.total = 0;
        self.last_rate = 0;
        self.last_time_ms = 0;
        self.last_total = 0;
    }

    /// Expire items outside the window ending at `now_ms` and make the item
    /// holding `now_ms` the newest. `false` if `now_ms` is older than the
    /// window (nothing changed).
    fn slide(&mut self, now_ms: i64) -> bool {
        let elapsed = now_ms.saturating_sub(self.newest_start_ms);
        if elapsed <= -self.window_ms {
            return false;
        }
        if elapsed < self.item_ms {
            return true;
        }
        let steps = elapsed / self.item_ms;
        if steps as u64 >= self.buffer.len() as u64 {
            if self.total != 0 {
                self.buffer.iter_mut().for_each(|v| *v = 0);
                self.total = 0;
            }
            self.newest_index = 0;
            self.newest_start_ms = now_ms;
            return true;
        }
        for _ in 0..steps {
            self.newest_index += 1;
            if self.newest_index == self.buffer.len() {
                self.newest_index = 0;
            }
            self.total -= self.buffer[self.newest_index];
            self.buffer[self.newest_index] = 0;
        }
        self.newest_start_ms += steps * self.item_ms;
        true
    }
}

/// Packet / byte / bitrate counter of an RTP stream.
#[derive(Debug, Clone)]
pub struct RtpDataCounter {
    rate: RateCalculator,
    packets: u64,
    ignore_padding_only: bool,
}

impl Default for RtpDataCounter {
    fn default() -> Self {
        Self::new(DEFAULT_DATA_COUNTER_WINDOW_MS, true)
    }
}

impl RtpDataCounter {
    /// `ignore_padding_only`: padding-only packets count as packets but their
    /// bytes are not accounted (mediasoup does so for every stream counter).
    pub fn new(window_ms: u64, ignore_padding_only: bool) -> Self {
        Self {
            rate: RateCalculator::new(window_ms, DEFAULT_BPS_SCALE, DEFAULT_WINDOW_ITEMS),
            packets: 0,
            ignore_padding_only,
        }
    }

    /// Account a packet of `size` bytes whose payload is `payload_len` bytes.
    pub fn update(&mut self, size: usize, payload_len: usize, now_ms: u64) {
        self.packets += 1;
        if !self.ignore_padding_only || payload_len > 0 {
            self.rate.update(size, now_ms);
        }
    }

    pub fn bitrate(&mut self, now_ms: u64) -> u32 {
        self.rate.get_rate(now_ms)
    }

    pub fn packet_count(&self) -> u64 {
        self.packets
    }

    pub fn bytes(&self) -> u64 {
        self.rate.bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 12_345_678;

    fn validate(rate: &mut RateCalculator, base: i64, input: &[(i64, u64, u64)]) {
        for &(offset, size, expected) in input {
            rate.update_at(size, base + offset);
            assert_eq!(
                rate.get_rate(to_u64(base + offset)) as u64,
                expected,
                "offset {offset}"
            );
        }
        // Asking at a time older than the whole window leaves it untouched.
        rate.reset();
        for &(offset, size, expected) in input {
            rate.update_at(size, base + offset);
            assert_eq!(
                rate.get_rate(to_u64(offset)) as u64,
                expected,
                "old offset {offset}"
            );
        }
        assert_eq!(rate.get_rate(i64::MAX as u64), 0);
    }

    fn to_u64(v: i64) -> u64 {
        v as u64
    }

    #[test]
    fn single_item() {
        let mut r = RateCalculator::default();
        validate(&mut r, NOW, &[(0, 5, 40)]);
    }

    #[test]
    fn multiple_items_per_window() {
        let mut r = RateCalculator::default();
        validate(
            &mut r,
            NOW,
            &[(0, 5, 40), (100, 2, 56), (300, 2, 72), (999, 4, 104)],
        );
    }

    #[test]
    fn item_every_window() {
        let mut r = RateCalculator::new(1000, 8000.0, 100);
        validate(&mut r, NOW, &[(0, 5, 40), (1000, 5, 40), (2000, 5, 40)]);
    }

    #[test]
    fn slide() {
        let mut r = RateCalculator::new(1000, 8000.0, 1000);
        validate(
            &mut r,
            NOW,
            &[
                (0, 5, 40),
                (999, 2, 56),
                (1001, 1, 24),
                (1001, 1, 32),
                (2000, 1, 24),
            ],
        );
        assert_eq!(r.get_rate((NOW + 3001) as u64), 0);
    }

    #[test]
    fn slide_with_100_items() {
        let mut r = RateCalculator::new(1000, 8000.0, 100);
        validate(
            &mut r,
            NOW,
            &[
                (0, 5, 40),
                (999, 2, 56),
                (1001, 1, 24),
                (1001, 1, 32),
                (2000, 1, 8),
            ],
        );
        assert_eq!(r.get_rate((NOW + 3001) as u64), 0);
    }

    #[test]
    fn wrap() {
        let mut r = RateCalculator::new(1000, 8000.0, 5);
        validate(
            &mut r,
            NOW,
            &[
                (1000, 1, 8),
                (1200, 1, 16),
                (1400, 1, 24),
                (1600, 1, 32),
                (1800, 1, 40),
                (2000, 1, 40),
                (2200, 1, 40),
                (2400, 1, 40),
                (2600, 1, 40),
                (2800, 1, 40),
            ],
        );
    }

    #[test]
    fn three_items_no_overflow() {
        let mut r = RateCalculator::new(1000, 8000.0, 3);
        validate(
            &mut r,
            NOW,
            &[(0, 1, 8), (333, 1, 16), (666, 1, 24), (999, 1, 32)],
        );
    }

    #[test]
    fn item_boundaries_do_not_drift() {
        let mut r = RateCalculator::new(1000, 8000.0, 100);
        for i in 0..=100i64 {
            r.update(1, (NOW + i * 11) as u64);
        }
        assert_eq!(r.get_rate((NOW + 1100) as u64), 91 * 8);
    }

    #[test]
    fn recalculated_after_update_same_now() {
        let mut r = RateCalculator::new(1000, 8000.0, 100);
        let now = NOW as u64;
        r.update(5, now);
        assert_eq!(r.get_rate(now), 40);
        r.update(5, now);
        assert_eq!(r.get_rate(now), 80);
        r.update(5, now);
        assert_eq!(r.get_rate(now), 120);
        assert_eq!(r.get_rate(now), 120);
    }

    #[test]
    fn window_not_divisible_by_items() {
        let mut r = RateCalculator::new(1000, 8000.0, 3);
        for i in 0..100i64 {
            r.update(1, (NOW + i * 334) as u64);
        }
        assert_eq!(r.get_rate((NOW + 99 * 334) as u64), 24);
    }

    #[test]
    fn time_zero() {
        let mut r = RateCalculator::new(1000, 8000.0, 100);
        assert_eq!(r.get_rate(0), 0);
        r.update(5, 0);
        assert_eq!(r.get_rate(0), 40);
        r.reset();
        assert_eq!(r.get_rate(0), 0);
        r.update(5, 0);
        assert_eq!(r.get_rate(0), 40);
    }

    #[test]
    fn degenerate_arguments() {
        let now = NOW as u64;
        let mut a = RateCalculator::new(1000, 8000.0, 0);
        let mut b = RateCalculator::new(1000, 8000.0, 1);
        let mut c = RateCalculator::new(0, 8000.0, 100);
        a.update(5, now);
        b.update(5, now);
        c.update(5, now);
        assert_eq!(a.get_rate(now), 40);
        assert_eq!(b.get_rate(now), 40);
        assert_eq!(c.get_rate(now), 40000);
    }

    #[test]
    fn data_counter_ignores_padding_bytes() {
        let mut c = RtpDataCounter::new(2500, true);
        c.update(1200, 1188, 1000);
        c.update(300, 0, 1001);
        assert_eq!(c.packet_count(), 2);
        assert_eq!(c.bytes(), 1200);
        // 1200 bytes over a 2500 ms window.
        assert_eq!(c.bitrate(1001), 3840);
        let mut all = RtpDataCounter::new(2500, false);
        all.update(300, 0, 1);
        assert_eq!(all.bytes(), 300);
    }
}
