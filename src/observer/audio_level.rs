//! Port of mediasoup's `RTC::AudioLevelObserver`.

use std::collections::HashMap;

use super::Periodic;

/// Minimum number of level samples a producer needs within one interval to
/// be taken into account.
const MIN_SAMPLES_PER_INTERVAL: u32 = 10;
const MIN_INTERVAL_MS: u16 = 250;
const MAX_INTERVAL_MS: u16 = 5000;

/// Event produced by [`AudioLevelObserver::handle_timeout`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AudioLevelEvent {
    /// `(producer_id, volume)` pairs, loudest first. `volume` is in dBov,
    /// i.e. `0` is the loudest and `-127` the quietest (mediasoup's `volume`).
    Volumes(Vec<(String, i8)>),
    /// Emitted once when going from "volumes" to no audible producer (or when
    /// the observer gets paused while not silent).
    Silence,
}

#[derive(Debug, Clone, Copy, Default)]
struct DBovs {
    /// Sum of the received levels (positive, 0..=127 each).
    total_sum: u32,
    /// Number of levels in `total_sum`.
    count: u32,
    /// The producer itself is paused (mediasoup removes it from its map).
    producer_paused: bool,
}

/// Periodically reports the average audio level of the observed producers.
#[derive(Debug)]
pub struct AudioLevelObserver {
    max_entries: u16,
    threshold: i8,
    interval_ms: u16,
    producers: HashMap<String, DBovs>,
    paused: bool,
    silence: bool,
    pending_silence: bool,
    timer: Periodic,
    last_now: u64,
}

impl AudioLevelObserver {
    /// mediasoup defaults: `max_entries = 1`, `threshold_dbov = -80`,
    /// `interval_ms = 1000`. Like the mediasoup worker, the interval is clamped
    /// to `250..=5000` ms. The periodic timer starts running immediately (it is
    /// armed at the first `handle_timeout()`/`receive_level()` call).
    pub fn new(max_entries: u16, threshold_dbov: i8, interval_ms: u16) -> Self {
        let interval_ms = interval_ms.clamp(MIN_INTERVAL_MS, MAX_INTERVAL_MS);

        Self {
            max_entries,
            threshold: threshold_dbov,
            interval_ms,
            producers: HashMap::new(),
            paused: false,
            silence: true,
            pending_silence: false,
            timer: Periodic::new(u64::from(interval_ms)),
            last_now: 0,
        }
    }

    pub fn max_entries(&self) -> u16 {
        self.max_entries
    }

    pub fn threshold(&self) -> i8 {
        self.threshold
    }

    /// Effective (clamped) interval.
    pub fn interval_ms(&self) -> u16 {
        self.interval_ms
    }

    pub fn is_paused(&self) -> bool {
        self.paused
    }

    pub fn has_producer(&self, producer_id: &str) -> bool {
        self.producers.contains_key(producer_id)
    }

    /// Adds a producer (no-op if already observed). If the producer is
    /// currently paused, call [`Self::producer_paused`] afterwards.
    pub fn add_producer(&mut self, producer_id: &str) {
        if !self.producers.contains_key(producer_id) {
            self.producers
                .insert(producer_id.to_owned(), DBovs::default());
        }
    }

    pub fn remove_producer(&mut self, producer_id: &str) {
        self.producers.remove(producer_id);
    }

    /// The observed producer got paused: it is ignored until resumed and its
    /// levels gathered so far in the current interval are dropped.
    pub fn producer_paused(&mut self, producer_id: &str) {
        if let Some(d) = self.producers.get_mut(producer_id) {
            *d = DBovs {
                producer_paused: true,
                ..DBovs::default()
            };
        }
    }

    pub fn producer_resumed(&mut self, producer_id: &str) {
        if let Some(d) = self.producers.get_mut(producer_id) {
            *d = DBovs::default();
        }
    }

    /// Pauses the observer: the timer stops and the current interval's levels
    /// are dropped. If the last report was "volumes", a `Silence` event is
    /// queued (mediasoup emits it synchronously): `poll_timeout()` becomes due
    /// and the next `handle_timeout()` returns it.
    pub fn pause(&mut self) {
        if self.paused {
            return;
        }
        self.paused = true;
        self.timer.stop();
        self.reset_levels();
        if !self.silence {
            self.silence = true;
            self.pending_silence = true;
        }
    }

    /// Resumes the observer: the periodic timer restarts (first tick one
    /// interval after the next `handle_timeout()`/`receive_level()` call).
    pub fn resume(&mut self) {
        if !self.paused {
            return;
        }
        self.paused = false;
        self.timer.restart();
    }

    /// `level` is the 7-bit ssrc-audio-level value (0..=127 meaning -level
    /// dBov); the V bit is not used by mediasoup's AudioLevelObserver.
    /// Does not allocate.
    #[inline]
    pub fn receive_level(&mut self, producer_id: &str, level: u8, now_ms: u64) {
        self.observe(now_ms);

        if self.paused {
            return;
        }

        if let Some(d) = self.producers.get_mut(producer_id) {
            if d.producer_paused {
                return;
            }
            d.total_sum = d.total_sum.saturating_add(u32::from(level & 0x7f));
            d.count = d.count.saturating_add(1);
        }
    }

    /// Call when `poll_timeout()` is reached.
    pub fn handle_timeout(&mut self, now_ms: u64) -> Option<AudioLevelEvent> {
        self.observe(now_ms);

        if self.pending_silence {
            self.pending_silence = false;
            return Some(AudioLevelEvent::Silence);
        }

        if self.paused || !self.timer.fire(now_ms) {
            return None;
        }

        self.update()
    }

    /// Absolute time at which `handle_timeout()` must be called next; `None` while
    /// paused with nothing pending.
    pub fn poll_timeout(&self) -> Option<u64> {
        if self.pending_silence {
            return Some(self.last_now);
        }
        self.timer.next(self.last_now)
    }

    #[inline]
    fn observe(&mut self, now_ms: u64) {
        if now_ms > self.last_now {
            self.last_now = now_ms;
        }
        self.timer.observe(now_ms);
    }

    fn update(&mut self) -> Option<AudioLevelEvent> {
        let threshold = self.threshold;
        let mut loud: Vec<(&String, i8)> = self
            .producers
            .iter()
            .filter(|(_, d)| !d.producer_paused && d.count >= MIN_SAMPLES_PER_INTERVAL)
            .filter_map(|(id, d)| {
                // mediasoup divides integers (truncating) before rounding.
                let avg = (d.total_sum / d.count).min(127) as i8;
                let volume = -avg;
                (volume >= threshold).then_some((id, volume))
            })
            .collect();

        let event = if loud.is_empty() {
            None
        } else {
            loud.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
            Some(
                loud.into_iter()
                    .take(usize::from(self.max_entries))
                    .map(|(id, v)| (id.clone(), v))
                    .collect::<Vec<_>>(),
            )
        };

        self.reset_levels();

        match event {
            Some(volumes) => {
                self.silence = false;
                Some(AudioLevelEvent::Volumes(volumes))
            }
            None if !self.silence => {
                self.silence = true;
                Some(AudioLevelEvent::Silence)
            }
            None => None,
        }
    }

    fn reset_levels(&mut self) {
        for d in self.producers.values_mut() {
            d.total_sum = 0;
            d.count = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INTERVAL: u64 = 1000;

    /// Starts an observer and arms its timer at t=0.
    fn start(max_entries: u16, threshold: i8) -> AudioLevelObserver {
        let mut o = AudioLevelObserver::new(max_entries, threshold, INTERVAL as u16);
        assert_eq!(o.poll_timeout(), Some(0));
        assert_eq!(o.handle_timeout(0), None);
        assert_eq!(o.poll_timeout(), Some(INTERVAL));
        o
    }

    /// Feeds `levels` (cycled) every 20 ms during `[from, to)`.
    fn feed(o: &mut AudioLevelObserver, id: &str, levels: &[u8], from: u64, to: u64) {
        let mut t = from;
        let mut i = 0;
        while t < to {
            o.receive_level(id, levels[i % levels.len()], t);
            i += 1;
            t += 20;
        }
    }

    fn vols(v: &[(&str, i8)]) -> Option<AudioLevelEvent> {
        Some(AudioLevelEvent::Volumes(
            v.iter().map(|(id, x)| (id.to_string(), *x)).collect(),
        ))
    }

    #[test]
    fn averages_per_interval_sorted_and_limited() {
        let mut o = start(2, -80);
        for id in ["a", "b", "c"] {
            o.add_producer(id);
        }
        feed(&mut o, "a", &[30, 50], 0, 1000); // avg 40
        feed(&mut o, "b", &[20], 0, 1000);
        feed(&mut o, "c", &[60], 0, 1000);
        assert_eq!(o.handle_timeout(999), None);
        assert_eq!(o.handle_timeout(1000), vols(&[("b", -20), ("a", -40)]));
        assert_eq!(o.poll_timeout(), Some(2000));

        // Second interval uses only its own samples.
        feed(&mut o, "a", &[10], 1000, 2000);
        feed(&mut o, "c", &[70], 1000, 2000);
        assert_eq!(o.handle_timeout(2000), vols(&[("a", -10), ("c", -70)]));
    }

    #[test]
    fn average_is_truncated_like_mediasoup() {
        let mut o = start(1, -127);
        o.add_producer("a");
        feed(&mut o, "a", &[40, 41], 0, 1000); // 40.5 -> 40
        assert_eq!(o.handle_timeout(1000), vols(&[("a", -40)]));
    }

    #[test]
    fn max_entries_and_ties() {
        let mut o = start(3, -127);
        for id in ["d", "c", "b", "a"] {
            o.add_producer(id);
            feed(&mut o, id, &[50], 0, 1000);
        }
        assert_eq!(
            o.handle_timeout(1000),
            vols(&[("a", -50), ("b", -50), ("c", -50)])
        );
    }

    #[test]
    fn threshold_and_min_samples() {
        let mut o = start(10, -50);
        for id in ["a", "b", "c", "d"] {
            o.add_producer(id);
        }
        feed(&mut o, "a", &[60], 0, 1000); // below threshold
        feed(&mut o, "b", &[50], 0, 1000); // exactly at threshold: kept
        feed(&mut o, "c", &[10], 0, 180); // 9 samples only: ignored
        feed(&mut o, "d", &[127], 0, 1000);
        assert_eq!(o.handle_timeout(1000), vols(&[("b", -50)]));
    }

    #[test]
    fn silence_once_on_transition() {
        let mut o = start(1, -80);
        o.add_producer("a");
        // Initially silent: no event.
        assert_eq!(o.handle_timeout(1000), None);
        feed(&mut o, "a", &[30], 1000, 2000);
        assert_eq!(o.handle_timeout(2000), vols(&[("a", -30)]));
        assert_eq!(o.handle_timeout(3000), Some(AudioLevelEvent::Silence));
        assert_eq!(o.handle_timeout(4000), None);
        // Quiet producer (below threshold) counts as silence.
        feed(&mut o, "a", &[30], 4000, 5000);
        assert_eq!(o.handle_timeout(5000), vols(&[("a", -30)]));
        feed(&mut o, "a", &[90], 5000, 6000);
        assert_eq!(o.handle_timeout(6000), Some(AudioLevelEvent::Silence));
        feed(&mut o, "a", &[90], 6000, 7000);
        assert_eq!(o.handle_timeout(7000), None);
    }

    #[test]
    fn paused_observer_reports_nothing() {
        let mut o = start(1, -80);
        o.add_producer("a");
        feed(&mut o, "a", &[30], 0, 1000);
        assert_eq!(o.handle_timeout(1000), vols(&[("a", -30)]));

        feed(&mut o, "a", &[30], 1000, 1500);
        o.pause();
        // mediasoup emits "silence" when pausing a non-silent observer.
        assert_eq!(o.poll_timeout(), Some(1480));
        assert_eq!(o.handle_timeout(1500), Some(AudioLevelEvent::Silence));
        assert_eq!(o.poll_timeout(), None);
        feed(&mut o, "a", &[30], 1500, 5000);
        assert_eq!(o.handle_timeout(2000), None);
        assert_eq!(o.handle_timeout(5000), None);
        assert_eq!(o.poll_timeout(), None);

        // Pausing a silent observer emits nothing.
        o.resume();
        o.pause();
        assert_eq!(o.poll_timeout(), None);

        o.resume();
        assert_eq!(o.poll_timeout(), Some(5000));
        assert_eq!(o.handle_timeout(5000), None);
        assert_eq!(o.poll_timeout(), Some(6000));
        // Levels received while paused were discarded.
        feed(&mut o, "a", &[40], 5500, 6000);
        assert_eq!(o.handle_timeout(6000), vols(&[("a", -40)]));
    }

    #[test]
    fn removed_and_paused_producers_vanish() {
        let mut o = start(5, -80);
        o.add_producer("a");
        o.add_producer("b");
        feed(&mut o, "a", &[30], 0, 1000);
        feed(&mut o, "b", &[40], 0, 1000);
        o.remove_producer("a");
        assert_eq!(o.handle_timeout(1000), vols(&[("b", -40)]));
        assert!(!o.has_producer("a"));

        feed(&mut o, "a", &[10], 1000, 2000); // unknown: ignored
        feed(&mut o, "b", &[40], 1000, 1500);
        o.producer_paused("b");
        feed(&mut o, "b", &[40], 1500, 2000);
        assert_eq!(o.handle_timeout(2000), Some(AudioLevelEvent::Silence));
        o.producer_resumed("b");
        feed(&mut o, "b", &[45], 2000, 3000);
        assert_eq!(o.handle_timeout(3000), vols(&[("b", -45)]));
    }

    #[test]
    fn interval_is_clamped_and_voice_bit_ignored() {
        let mut o = AudioLevelObserver::new(1, -80, 10);
        assert_eq!(o.interval_ms(), 250);
        assert_eq!(AudioLevelObserver::new(1, -80, 60000).interval_ms(), 5000);
        o.add_producer("a");
        for i in 0..12u64 {
            o.receive_level("a", 0x80 | 33, i * 20);
        }
        assert_eq!(o.poll_timeout(), Some(250));
        assert_eq!(o.handle_timeout(250), vols(&[("a", -33)]));
    }
}
