//! Delay-based congestion detection (GoogCC's trendline filter and overuse
//! detector): packets are grouped by send time, each group's one-way delay
//! change against the previous one is accumulated and smoothed, and the
//! slope of that curve over the last groups says whether queues grow
//! (overuse), drain (underuse) or stay (normal).

/// Packets sent within this span form one group (µs).
const GROUP_SPAN_US: u64 = 5_000;
/// Points the slope is fitted over.
const WINDOW: usize = 20;
const SMOOTHING: f64 = 0.9;
const THRESHOLD_GAIN: f64 = 4.0;
/// Deltas counted towards the trend's weight at most.
const MAX_DELTAS: u32 = 60;
/// Adaptive threshold (ms of modified trend).
const INITIAL_THRESHOLD: f64 = 12.5;
const THRESHOLD_MIN: f64 = 6.0;
const THRESHOLD_MAX: f64 = 600.0;
const K_UP: f64 = 0.0087;
const K_DOWN: f64 = 0.039;
/// Overuse must last this long (ms) over two deltas to count.
const OVERUSE_TIME_MS: f64 = 10.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Usage {
    #[default]
    Normal,
    Overusing,
    Underusing,
}

#[derive(Clone, Copy, Default)]
struct Group {
    first_send_us: u64,
    last_send_us: u64,
    last_arrival_us: i64,
}

pub struct Trendline {
    current: Option<Group>,
    previous: Option<Group>,
    first_arrival_ms: Option<f64>,
    num_deltas: u32,
    accumulated_ms: f64,
    smoothed_ms: f64,
    /// (arrival ms since the first group, smoothed delay) ring.
    points: [(f64, f64); WINDOW],
    points_len: usize,
    points_next: usize,
    trend: f64,
    previous_trend: f64,
    threshold: f64,
    last_threshold_update_ms: Option<f64>,
    time_over_using_ms: Option<f64>,
    overuse_count: u32,
    usage: Usage,
}

impl Default for Trendline {
    fn default() -> Self {
        Trendline {
            current: None,
            previous: None,
            first_arrival_ms: None,
            num_deltas: 0,
            accumulated_ms: 0.0,
            smoothed_ms: 0.0,
            points: [(0.0, 0.0); WINDOW],
            points_len: 0,
            points_next: 0,
            trend: 0.0,
            previous_trend: 0.0,
            threshold: INITIAL_THRESHOLD,
            last_threshold_update_ms: None,
            time_over_using_ms: None,
            overuse_count: 0,
            usage: Usage::Normal,
        }
    }
}

impl Trendline {
    pub fn usage(&self) -> Usage {
        self.usage
    }

    /// One received packet, in arrival order.
    pub fn on_packet(&mut self, send_us: u64, arrival_us: i64) {
        let Some(group) = &mut self.current else {
            self.current = Some(Group {
                first_send_us: send_us,
                last_send_us: send_us,
                last_arrival_us: arrival_us,
            });
            return;
        };
        if send_us < group.first_send_us {
            // Reordered from an earlier group: nothing to learn.
            return;
        }
        if send_us - group.first_send_us <= GROUP_SPAN_US {
            group.last_send_us = group.last_send_us.max(send_us);
            group.last_arrival_us = group.last_arrival_us.max(arrival_us);
            return;
        }
        let done = *group;
        if let Some(previous) = self.previous {
            let send_delta_ms = (done.last_send_us as f64 - previous.last_send_us as f64) / 1000.0;
            let arrival_delta_ms =
                (done.last_arrival_us - previous.last_arrival_us) as f64 / 1000.0;
            self.on_delta(
                arrival_delta_ms,
                send_delta_ms,
                done.last_arrival_us as f64 / 1000.0,
            );
        }
        self.previous = Some(done);
        self.current = Some(Group {
            first_send_us: send_us,
            last_send_us: send_us,
            last_arrival_us: arrival_us,
        });
    }

    fn on_delta(&mut self, arrival_delta_ms: f64, send_delta_ms: f64, arrival_ms: f64) {
        let delay_change = arrival_delta_ms - send_delta_ms;
        self.num_deltas = (self.num_deltas + 1).min(1000);
        self.accumulated_ms += delay_change;
        self.smoothed_ms = SMOOTHING * self.smoothed_ms + (1.0 - SMOOTHING) * self.accumulated_ms;
        let first = *self.first_arrival_ms.get_or_insert(arrival_ms);
        self.points[self.points_next] = (arrival_ms - first, self.smoothed_ms);
        self.points_next = (self.points_next + 1) % WINDOW;
        self.points_len = (self.points_len + 1).min(WINDOW);
        if self.points_len == WINDOW {
            if let Some(slope) = slope(&self.points) {
                self.trend = slope;
            }
        }
        self.detect(send_delta_ms, arrival_ms);
    }

    fn detect(&mut self, send_delta_ms: f64, now_ms: f64) {
        if self.num_deltas < 2 {
            return;
        }
        let modified = f64::from(self.num_deltas.min(MAX_DELTAS)) * self.trend * THRESHOLD_GAIN;
        if modified > self.threshold {
            let over = match self.time_over_using_ms {
                None => send_delta_ms / 2.0,
                Some(t) => t + send_delta_ms,
            };
            self.time_over_using_ms = Some(over);
            self.overuse_count += 1;
            if over > OVERUSE_TIME_MS && self.overuse_count > 1 && self.trend >= self.previous_trend
            {
                self.time_over_using_ms = Some(0.0);
                self.overuse_count = 0;
                self.usage = Usage::Overusing;
            }
        } else if modified < -self.threshold {
            self.time_over_using_ms = None;
            self.overuse_count = 0;
            self.usage = Usage::Underusing;
        } else {
            self.time_over_using_ms = None;
            self.overuse_count = 0;
            self.usage = Usage::Normal;
        }
        self.previous_trend = self.trend;
        self.adapt_threshold(modified, now_ms);
    }

    /// The threshold follows the trend's magnitude (slowly up, faster
    /// down) so competing flows and noise do not read as overuse; sudden
    /// spikes far above it are not followed.
    fn adapt_threshold(&mut self, modified: f64, now_ms: f64) {
        let last = *self.last_threshold_update_ms.get_or_insert(now_ms);
        if modified.abs() > self.threshold + 15.0 {
            self.last_threshold_update_ms = Some(now_ms);
            return;
        }
        let k = if modified.abs() < self.threshold {
            K_DOWN
        } else {
            K_UP
        };
        let dt = (now_ms - last).clamp(0.0, 100.0);
        self.threshold += k * (modified.abs() - self.threshold) * dt;
        self.threshold = self.threshold.clamp(THRESHOLD_MIN, THRESHOLD_MAX);
        self.last_threshold_update_ms = Some(now_ms);
    }
}

/// Least-squares slope of y over x.
fn slope(points: &[(f64, f64)]) -> Option<f64> {
    let n = points.len() as f64;
    let (sx, sy) = points
        .iter()
        .fold((0.0, 0.0), |(sx, sy), (x, y)| (sx + x, sy + y));
    let (mx, my) = (sx / n, sy / n);
    let (num, den) = points.iter().fold((0.0, 0.0), |(num, den), (x, y)| {
        (num + (x - mx) * (y - my), den + (x - mx) * (x - mx))
    });
    (den != 0.0).then(|| num / den)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Packets every 10 ms for `ms`, each arriving `extra(i)` µs later than
    /// it was sent (plus a fixed 20 ms).
    fn feed(t: &mut Trendline, start: u64, ms: u64, extra: impl Fn(u64) -> i64) -> Vec<Usage> {
        let mut seen = Vec::new();
        for i in 0..ms / 10 {
            let send = start + i * 10_000;
            t.on_packet(send, send as i64 + 20_000 + extra(i));
            seen.push(t.usage());
        }
        seen
    }

    #[test]
    fn steady_delay_is_normal() {
        let mut t = Trendline::default();
        let seen = feed(&mut t, 0, 3000, |i| (i % 3) as i64 * 300);
        assert!(seen.iter().all(|u| *u == Usage::Normal));
    }

    #[test]
    fn growing_queue_is_overuse_and_draining_is_underuse() {
        let mut t = Trendline::default();
        feed(&mut t, 0, 1000, |_| 0);
        // The queue grows by 2 ms per packet (a link at ~80% of the rate).
        let seen = feed(&mut t, 1_000_000, 500, |i| i as i64 * 2000);
        let first = seen.iter().position(|u| *u == Usage::Overusing);
        assert!(first.is_some_and(|i| i < 25), "{seen:?}");
        // Then it drains.
        let seen = feed(&mut t, 1_500_000, 500, |i| {
            100_000 - (i as i64 * 2000).min(100_000)
        });
        assert!(seen.contains(&Usage::Underusing), "{seen:?}");
    }
}
