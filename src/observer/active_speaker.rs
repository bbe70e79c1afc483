//! Port of mediasoup's `RTC::ActiveSpeakerObserver`: dominant speaker
//! identification after Volfin & Cohen ("Dominant Speaker Identification for
//! Multipoint Videoconferencing"), following the variant mediasoup took from
//! Jitsi. Input is the RFC 6464 audio level carried by RTP packets.

use std::collections::{HashMap, VecDeque};

use super::Periodic;

// Score thresholds a challenger must exceed (log ratio of activity scores
// against the current dominant speaker) for the immediate, medium and long
// time windows.
const C1: f64 = 3.0;
const C2: f64 = 2.0;
const C3: f64 = 0.0;
// Number of sub-bands / sub-units of each time window.
const N1: u32 = 13;
const N2: u32 = 5;
const N3: u32 = 10;
const LONG_COUNT: usize = 1;
const LEVEL_IDLE_TIMEOUT_MS: u64 = 40;
const SPEAKER_IDLE_TIMEOUT_MS: u64 = 60 * 60 * 1000;
const LONG_THRESHOLD: u8 = 4;
const MAX_LEVEL: u8 = 127;
const MIN_LEVEL: u8 = 0;
/// 15 seconds worth of 20 ms samples.
const MIN_LEVEL_WINDOW_LEN: u32 = 15 * 1000 / 20;
const MEDIUM_THRESHOLD: u8 = 7;
const SUBUNIT_LENGTH_N1: u32 = (MAX_LEVEL as u32 - MIN_LEVEL as u32).div_ceil(N1);
const IMMEDIATE_BUFF_LEN: usize = LONG_COUNT * N3 as usize * N2 as usize;
const MEDIUMS_BUFF_LEN: usize = LONG_COUNT * N3 as usize;
const LONGS_BUFF_LEN: usize = LONG_COUNT;
const LEVELS_BUFF_LEN: usize = LONG_COUNT * N3 as usize * N2 as usize;
const MIN_ACTIVITY_SCORE: f64 = 0.000_000_000_1;
/// Expected spacing of audio level samples.
const SAMPLE_PERIOD_MS: u64 = 20;
const MIN_INTERVAL_MS: u16 = 100;
const MAX_INTERVAL_MS: u16 = 5000;

fn binomial_coefficient(n: i32, r: i32) -> i64 {
    let r = r.max(n - r);
    let mut t: i64 = 1;
    let mut i = i64::from(n);
    let mut j: i64 = 1;
    while i > i64::from(r) {
        t = t * i / j;
        i -= 1;
        j += 1;
    }
    t
}

fn compute_activity_score(v_l: u8, n_r: u32, p: f64, lambda: f64) -> f64 {
    let v = f64::from(v_l);
    let score = (binomial_coefficient(n_r as i32, i32::from(v_l)) as f64).ln()
        + v * p.ln()
        + (f64::from(n_r) - v) * (1.0 - p).ln()
        - lambda.ln()
        + lambda * v;

    if score < MIN_ACTIVITY_SCORE {
        MIN_ACTIVITY_SCORE
    } else {
        score
    }
}

/// Each "big" counts how many of its "littles" exceed `threshold`. Returns
/// whether any big changed.
fn compute_bigs(littles: &[u8], bigs: &mut [u8], threshold: u8) -> bool {
    let per_big = littles.len() / bigs.len();
    let mut changed = false;

    for (big, chunk) in bigs.iter_mut().zip(littles.chunks_exact(per_big)) {
        let sum = chunk.iter().filter(|&&l| l > threshold).count() as u8;
        if *big != sum {
            *big = sum;
            changed = true;
        }
    }

    changed
}

#[derive(Debug, Clone)]
struct Speaker {
    paused: bool,
    /// Immediate, medium and long activity scores.
    scores: [f64; 3],
    last_level_change_time: u64,
    /// Whether `last_level_change_time` holds the creation time yet.
    stamped: bool,
    min_level: u8,
    next_min_level: u8,
    next_min_level_window_len: u32,
    immediates: [u8; IMMEDIATE_BUFF_LEN],
    mediums: [u8; MEDIUMS_BUFF_LEN],
    longs: [u8; LONGS_BUFF_LEN],
    /// Circular buffer of levels (volume, 0 = silence, 127 = loudest).
    levels: [u8; LEVELS_BUFF_LEN],
    next_level_index: usize,
}

impl Speaker {
    fn new() -> Self {
        Self {
            paused: false,
            scores: [MIN_ACTIVITY_SCORE; 3],
            last_level_change_time: 0,
            stamped: false,
            min_level: MIN_LEVEL,
            next_min_level: MIN_LEVEL,
            next_min_level_window_len: 0,
            immediates: [0; IMMEDIATE_BUFF_LEN],
            mediums: [0; MEDIUMS_BUFF_LEN],
            longs: [0; LONGS_BUFF_LEN],
            levels: [0; LEVELS_BUFF_LEN],
            next_level_index: 0,
        }
    }

    fn eval_activity_scores(&mut self) {
        if self.compute_immediates() {
            self.scores[0] = compute_activity_score(self.immediates[0], N1, 0.5, 0.78);

            if compute_bigs(&self.immediates, &mut self.mediums, MEDIUM_THRESHOLD) {
                self.scores[1] = compute_activity_score(self.mediums[0], N2, 0.5, 24.0);

                if compute_bigs(&self.mediums, &mut self.longs, LONG_THRESHOLD) {
                    self.scores[2] = compute_activity_score(self.longs[0], N3, 0.5, 47.0);
                }
            }
        }
    }

    /// `level` is a volume: 0 is silence, 127 the loudest.
    fn level_changed(&mut self, level: u8, now: u64) {
        if self.last_level_change_time > now {
            return;
        }

        let elapsed = now - self.last_level_change_time;
        self.last_level_change_time = now;

        let b = level.clamp(MIN_LEVEL, MAX_LEVEL);

        // One sample per 20 ms is expected; gaps (DTX, paused producer, longer
        // packetization) replicate the received level over the missed slots.
        let slots = (elapsed / SAMPLE_PERIOD_MS).clamp(1, LEVELS_BUFF_LEN as u64) as usize;

        for _ in 0..slots {
            self.levels[self.next_level_index] = b;
            self.next_level_index = (self.next_level_index + 1) % LEVELS_BUFF_LEN;
        }

        self.update_min_level(b);
    }

    fn level_timed_out(&mut self, now: u64) {
        self.level_changed(MIN_LEVEL, now);
    }

    fn compute_immediates(&mut self) -> bool {
        // mediasoup stores this sum in an int8_t, so it wraps for noise floors
        // above 117 (which then disables the floor filtering); keep that.
        let min_level = i32::from((u32::from(self.min_level) + SUBUNIT_LENGTH_N1) as u8 as i8);
        let mut changed = false;

        for i in 0..IMMEDIATE_BUFF_LEN {
            // Most recent level first.
            let idx = (self.next_level_index + LEVELS_BUFF_LEN - 1 - i) % LEVELS_BUFF_LEN;
            let mut level = u32::from(self.levels[idx]);

            if (level as i32) < min_level {
                level = u32::from(MIN_LEVEL);
            }

            let immediate = (level / SUBUNIT_LENGTH_N1) as u8;

            if self.immediates[i] != immediate {
                self.immediates[i] = immediate;
                changed = true;
            }
        }

        changed
    }

    /// Tracks the noise floor: the lowest non-silent level, slowly raised
    /// towards the minimum of each following window.
    fn update_min_level(&mut self, level: u8) {
        if level == MIN_LEVEL {
            return;
        }

        if self.min_level == MIN_LEVEL || self.min_level > level {
            self.min_level = level;
            self.next_min_level = MIN_LEVEL;
            self.next_min_level_window_len = 0;
        } else if self.next_min_level == MIN_LEVEL {
            self.next_min_level = level;
            self.next_min_level_window_len = 1;
        } else {
            if self.next_min_level > level {
                self.next_min_level = level;
            }

            self.next_min_level_window_len += 1;

            if self.next_min_level_window_len >= MIN_LEVEL_WINDOW_LEN {
                let product = u32::from(self.min_level) * u32::from(self.next_min_level);
                let new_min = f64::from(product)
                    .sqrt()
                    .clamp(f64::from(MIN_LEVEL), f64::from(MAX_LEVEL));

                self.min_level = new_min as u8;
                self.next_min_level = MIN_LEVEL;
                self.next_min_level_window_len = 0;
            }
        }
    }
}

#[derive(Debug, Clone)]
struct ProducerSpeaker {
    id: String,
    speaker: Speaker,
}

/// Periodically decides which observed producer is the dominant speaker.
#[derive(Debug)]
pub struct ActiveSpeakerObserver {
    interval_ms: u16,
    /// Speakers in insertion order (mediasoup iterates a hash map; its
    /// "first producer" is arbitrary, ours is the oldest one).
    speakers: Vec<ProducerSpeaker>,
    index: HashMap<String, usize>,
    dominant_id: Option<String>,
    paused: bool,
    timer: Periodic,
    last_now: u64,
    last_level_idle_time: Option<u64>,
    /// Some speakers still wait for their creation timestamp.
    unstamped: bool,
    /// Dominant speaker changes computed outside `handle_timeout()`.
    pending: VecDeque<String>,
}

impl ActiveSpeakerObserver {
    /// mediasoup default interval: 300 ms. Like the mediasoup worker, the
    /// interval is clamped to `100..=5000` ms. The periodic timer starts
    /// running immediately (armed at the first `handle_timeout()`/`receive_level()`).
    pub fn new(interval_ms: u16) -> Self {
        let interval_ms = interval_ms.clamp(MIN_INTERVAL_MS, MAX_INTERVAL_MS);

        Self {
            interval_ms,
            speakers: Vec::new(),
            index: HashMap::new(),
            dominant_id: None,
            paused: false,
            timer: Periodic::new(u64::from(interval_ms)),
            last_now: 0,
            last_level_idle_time: None,
            unstamped: false,
            pending: VecDeque::new(),
        }
    }

    /// Effective (clamped) interval.
    pub fn interval_ms(&self) -> u16 {
        self.interval_ms
    }

    pub fn is_paused(&self) -> bool {
        self.paused
    }

    pub fn has_producer(&self, producer_id: &str) -> bool {
        self.index.contains_key(producer_id)
    }

    /// Current dominant producer, if any.
    pub fn dominant(&self) -> Option<&str> {
        self.dominant_id.as_deref()
    }

    /// Adds a producer (no-op if already observed). If the producer is
    /// currently paused, call [`Self::producer_paused`] afterwards.
    pub fn add_producer(&mut self, producer_id: &str) {
        if self.index.contains_key(producer_id) {
            return;
        }
        self.index
            .insert(producer_id.to_owned(), self.speakers.len());
        self.speakers.push(ProducerSpeaker {
            id: producer_id.to_owned(),
            speaker: Speaker::new(),
        });
        self.unstamped = true;
    }

    /// Removes a producer. If it was the dominant one, the dominant speaker is
    /// re-evaluated right away (as mediasoup does, even while paused); a
    /// resulting change is queued: `poll_timeout()` becomes due and the next
    /// `handle_timeout()` returns it.
    pub fn remove_producer(&mut self, producer_id: &str) {
        let Some(idx) = self.index.remove(producer_id) else {
            return;
        };

        self.speakers.remove(idx);
        for ps in &self.speakers[idx..] {
            if let Some(i) = self.index.get_mut(ps.id.as_str()) {
                *i -= 1;
            }
        }

        if self.dominant_id.as_deref() == Some(producer_id) {
            self.dominant_id = None;

            let now = self.last_now;
            self.stamp(now);
            if let Some(id) = self.update(now) {
                self.pending.push_back(id);
            }
        }
    }

    /// The producer got paused: it cannot become dominant (unless it is the
    /// only one or the fallback first one, as in mediasoup).
    pub fn producer_paused(&mut self, producer_id: &str) {
        if let Some(&i) = self.index.get(producer_id) {
            self.speakers[i].speaker.paused = true;
        }
    }

    pub fn producer_resumed(&mut self, producer_id: &str) {
        if let Some(&i) = self.index.get(producer_id) {
            self.speakers[i].speaker.paused = false;
        }
    }

    /// Stops the periodic evaluation (no events while paused, except the one
    /// caused by removing the dominant producer).
    pub fn pause(&mut self) {
        if self.paused {
            return;
        }
        self.paused = true;
        self.timer.stop();
    }

    /// Restarts the periodic evaluation (first tick one interval after the
    /// next `handle_timeout()`/`receive_level()` call).
    pub fn resume(&mut self) {
        if !self.paused {
            return;
        }
        self.paused = false;
        self.timer.restart();
    }

    /// `level` is the 7-bit ssrc-audio-level value (0 = loudest, 127 =
    /// silence). mediasoup ignores the V (voice activity) bit, so it is not
    /// taken. Does not allocate.
    #[inline]
    pub fn receive_level(&mut self, producer_id: &str, level: u8, now_ms: u64) {
        self.observe(now_ms);

        if self.paused {
            return;
        }

        let volume = MAX_LEVEL - (level & 0x7f);

        if let Some(&i) = self.index.get(producer_id) {
            self.speakers[i].speaker.level_changed(volume, now_ms);
        }
    }

    /// Call when `poll_timeout()` is reached. Returns the id of the new
    /// dominant producer when it changes.
    pub fn handle_timeout(&mut self, now_ms: u64) -> Option<String> {
        self.observe(now_ms);

        if let Some(id) = self.pending.pop_front() {
            return Some(id);
        }

        if self.paused || !self.timer.fire(now_ms) {
            return None;
        }

        self.update(now_ms)
    }

    /// Absolute time at which `handle_timeout()` must be called next; `None` while
    /// paused with nothing pending.
    pub fn poll_timeout(&self) -> Option<u64> {
        if !self.pending.is_empty() {
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
        self.stamp(now_ms);
    }

    /// Gives speakers added since the last observed time their creation time.
    #[inline]
    fn stamp(&mut self, now: u64) {
        if !self.unstamped {
            return;
        }
        self.unstamped = false;
        for ps in self.speakers.iter_mut().filter(|ps| !ps.speaker.stamped) {
            ps.speaker.stamped = true;
            ps.speaker.last_level_change_time = now;
        }
    }

    fn update(&mut self, now: u64) -> Option<String> {
        match self.last_level_idle_time {
            Some(last) if now.saturating_sub(last) >= LEVEL_IDLE_TIMEOUT_MS => {
                self.timeout_idle_levels(now);
                self.last_level_idle_time = Some(now);
            }
            Some(_) => {}
            None => self.last_level_idle_time = Some(now),
        }

        if !self.speakers.is_empty() && self.calculate_active_speaker() {
            self.dominant_id.clone()
        } else {
            None
        }
    }

    /// Returns whether the dominant speaker changed.
    fn calculate_active_speaker(&mut self) -> bool {
        let count = self.speakers.len();
        let current = self
            .dominant_id
            .as_deref()
            .and_then(|id| self.index.get(id).copied());

        let new_dominant: Option<usize> = match count {
            0 => None,
            1 => Some(0),
            _ => {
                // Without a dominant speaker the first one is taken as the
                // reference and, unless beaten, becomes dominant.
                let (mut new_dominant, reference) = match current {
                    Some(i) => (None, i),
                    None => (Some(0), 0),
                };

                self.speakers[reference].speaker.eval_activity_scores();
                let reference_scores = self.speakers[reference].speaker.scores;
                let mut best_c2 = C2;

                for (i, ps) in self.speakers.iter_mut().enumerate() {
                    if Some(i) == current || ps.speaker.paused {
                        continue;
                    }

                    ps.speaker.eval_activity_scores();

                    let rel = |k: usize| (ps.speaker.scores[k] / reference_scores[k]).ln();
                    let (c1, c2, c3) = (rel(0), rel(1), rel(2));

                    if c1 > C1 && c2 > C2 && c3 > C3 && c2 > best_c2 {
                        best_c2 = c2;
                        new_dominant = Some(i);
                    }
                }

                new_dominant
            }
        };

        match new_dominant {
            Some(i) if self.dominant_id.as_deref() != Some(self.speakers[i].id.as_str()) => {
                self.dominant_id = Some(self.speakers[i].id.clone());
                true
            }
            _ => false,
        }
    }

    fn timeout_idle_levels(&mut self, now: u64) {
        let dominant = self.dominant_id.as_deref();

        for ps in &mut self.speakers {
            let speaker = &mut ps.speaker;
            let idle = now.saturating_sub(speaker.last_level_change_time);

            if SPEAKER_IDLE_TIMEOUT_MS < idle && dominant != Some(ps.id.as_str()) {
                speaker.paused = true;
            } else if LEVEL_IDLE_TIMEOUT_MS < idle {
                speaker.level_timed_out(now);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INTERVAL: u16 = 300;

    /// What a producer sends during a time span.
    #[derive(Clone, Copy, Debug)]
    enum Act {
        /// Speech at levels 20..=30 (-20..-30 dBov); the first packet of the
        /// span is a quieter onset (level 70) which gives the algorithm a
        /// noise floor.
        Talk,
        /// Digital silence (level 127).
        Silent,
        /// No packets at all (DTX, network loss).
        Nothing,
    }

    fn level_for(act: Act, since_start: u64, t: u64) -> Option<u8> {
        match act {
            Act::Talk if since_start < 20 => Some(70),
            Act::Talk => Some(20 + ((t / 20) % 11) as u8),
            Act::Silent => Some(127),
            Act::Nothing => None,
        }
    }

    /// Simulation driver with a fake clock: packets every 20 ms per producer
    /// and timer ticks whenever `poll_timeout()` is due.
    struct Sim {
        o: ActiveSpeakerObserver,
        now: u64,
        events: Vec<(u64, String)>,
    }

    impl Sim {
        fn new() -> Self {
            let mut o = ActiveSpeakerObserver::new(INTERVAL);
            assert_eq!(o.poll_timeout(), Some(0));
            assert_eq!(o.handle_timeout(0), None);
            assert_eq!(o.poll_timeout(), Some(u64::from(INTERVAL)));
            Self {
                o,
                now: 0,
                events: Vec::new(),
            }
        }

        fn ticks(&mut self) {
            while let Some(due) = self.o.poll_timeout() {
                if due > self.now {
                    break;
                }
                match self.o.handle_timeout(self.now) {
                    Some(id) => self.events.push((self.now, id)),
                    None if self.o.poll_timeout() == Some(due) => break,
                    None => {}
                }
            }
        }

        /// Runs for `duration` ms with each producer doing its `Act`.
        fn run(&mut self, duration: u64, acts: &[(&str, Act)]) {
            let start = self.now;
            let end = start + duration;
            while self.now < end {
                if self.now.is_multiple_of(20) {
                    for &(id, act) in acts {
                        if let Some(level) = level_for(act, self.now - start, self.now) {
                            self.o.receive_level(id, level, self.now);
                        }
                    }
                }
                self.ticks();
                self.now += 1;
            }
        }

        fn take_events(&mut self) -> Vec<(u64, String)> {
            std::mem::take(&mut self.events)
        }
    }

    fn ids(events: &[(u64, String)]) -> Vec<&str> {
        events.iter().map(|(_, id)| id.as_str()).collect()
    }

    #[test]
    fn constants_match_mediasoup() {
        assert_eq!(SUBUNIT_LENGTH_N1, 10);
        assert_eq!(IMMEDIATE_BUFF_LEN, 50);
        assert_eq!(MEDIUMS_BUFF_LEN, 10);
        assert_eq!(LONGS_BUFF_LEN, 1);
        assert_eq!(LEVELS_BUFF_LEN, 50);
        assert_eq!(MIN_LEVEL_WINDOW_LEN, 750);
    }

    #[test]
    fn math_helpers() {
        assert_eq!(binomial_coefficient(13, 0), 1);
        assert_eq!(binomial_coefficient(13, 10), 286);
        assert_eq!(binomial_coefficient(10, 5), 252);
        assert_eq!(binomial_coefficient(5, 5), 1);

        // Silence in every window scores the minimum.
        assert_eq!(compute_activity_score(0, N1, 0.5, 0.78), MIN_ACTIVITY_SCORE);
        assert_eq!(compute_activity_score(0, N2, 0.5, 24.0), MIN_ACTIVITY_SCORE);
        assert_eq!(compute_activity_score(0, N3, 0.5, 47.0), MIN_ACTIVITY_SCORE);
        let s = compute_activity_score(10, N1, 0.5, 0.78);
        let expected = 286f64.ln() + 13.0 * 0.5f64.ln() - 0.78f64.ln() + 7.8;
        assert!((s - expected).abs() < 1e-12);

        let littles = [8, 8, 8, 8, 8, 0, 9, 9, 9, 9];
        let mut bigs = [0u8; 2];
        assert!(compute_bigs(&littles, &mut bigs, 7));
        assert_eq!(bigs, [5, 4]);
        assert!(!compute_bigs(&littles, &mut bigs, 7));
    }

    #[test]
    fn speaker_noise_floor_and_gaps() {
        let mut s = Speaker::new();
        s.level_changed(57, 0);
        s.level_changed(100, 20);
        assert_eq!(s.min_level, 57);
        s.level_changed(0, 40); // silence does not move the floor
        assert_eq!(s.min_level, 57);
        s.eval_activity_scores();
        // Most recent first: 0, 100 (-> 10), 57 (below floor + 10 -> 0).
        assert_eq!(&s.immediates[..3], &[0, 10, 0]);

        // A 200 ms gap replicates the level over 10 slots.
        s.level_changed(100, 240);
        s.eval_activity_scores();
        assert!(s.immediates[..10].iter().all(|&i| i == 10));
        assert_eq!(s.immediates[10], 0);
        assert_eq!(s.mediums[..3], [5, 5, 1]);

        // After a full window above the floor, the floor rises to the
        // geometric mean of the old floor and the window's minimum.
        for k in 0..MIN_LEVEL_WINDOW_LEN as u64 {
            s.level_changed(90, 260 + 20 * k);
        }
        assert_eq!(s.min_level, (57f64 * 90f64).sqrt() as u8);
    }

    #[test]
    fn first_tick_picks_a_speaker_even_when_silent() {
        // mediasoup emits 'dominantspeaker' on the first evaluation: the only
        // producer, or the first one when nobody is clearly louder.
        let mut sim = Sim::new();
        sim.o.add_producer("b");
        sim.o.add_producer("a");
        sim.run(1000, &[("a", Act::Silent), ("b", Act::Silent)]);
        assert_eq!(ids(&sim.take_events()), ["b"]);
        assert_eq!(sim.o.dominant(), Some("b"));

        let mut sim = Sim::new();
        sim.o.add_producer("solo");
        sim.run(301, &[]);
        assert_eq!(sim.take_events(), [(300, "solo".to_string())]);
    }

    #[test]
    fn talker_becomes_dominant_then_switch_after_hysteresis() {
        let mut sim = Sim::new();
        sim.o.add_producer("b");
        sim.o.add_producer("a");

        // B (first, the default pick) is silent, A talks: A is dominant at
        // the first evaluation.
        sim.run(3000, &[("a", Act::Talk), ("b", Act::Silent)]);
        assert_eq!(sim.take_events(), [(300, "a".to_string())]);

        // B starts talking, A goes silent: it takes more than half a second
        // of B's speech (long-window hysteresis) to switch.
        sim.run(2000, &[("a", Act::Silent), ("b", Act::Talk)]);
        let events = sim.take_events();
        assert_eq!(ids(&events), ["b"]);
        let switch_after = events[0].0 - 3000;
        assert!(
            (500..=900).contains(&switch_after),
            "switched after {switch_after} ms"
        );
        assert_eq!(sim.o.dominant(), Some("b"));

        // A stops sending at all (DTX): idle levels decay, B stays dominant.
        sim.run(2000, &[("a", Act::Nothing), ("b", Act::Talk)]);
        assert!(sim.take_events().is_empty());

        // A talks again with B silent (no packets): A takes over.
        sim.run(2000, &[("a", Act::Talk), ("b", Act::Nothing)]);
        assert_eq!(ids(&sim.take_events()), ["a"]);
    }

    #[test]
    fn short_bursts_do_not_switch() {
        let mut sim = Sim::new();
        sim.o.add_producer("a");
        sim.o.add_producer("b");
        sim.run(2000, &[("a", Act::Talk), ("b", Act::Silent)]);
        assert_eq!(ids(&sim.take_events()), ["a"]);

        // B makes 60 ms noises every 400 ms while A keeps talking, then while
        // A is quiet.
        for a_act in [Act::Talk, Act::Silent] {
            for _ in 0..10 {
                sim.run(60, &[("a", a_act), ("b", Act::Talk)]);
                sim.run(340, &[("a", a_act), ("b", Act::Silent)]);
            }
            assert!(sim.take_events().is_empty(), "switch with a {a_act:?}");
            assert_eq!(sim.o.dominant(), Some("a"));
        }

        // A longer sentence does switch.
        sim.run(1500, &[("a", Act::Silent), ("b", Act::Talk)]);
        assert_eq!(ids(&sim.take_events()), ["b"]);
    }

    #[test]
    fn removing_dominant_producer() {
        let mut sim = Sim::new();
        for id in ["a", "b", "c"] {
            sim.o.add_producer(id);
        }
        sim.run(
            1000,
            &[("a", Act::Talk), ("b", Act::Silent), ("c", Act::Silent)],
        );
        assert_eq!(ids(&sim.take_events()), ["a"]);

        // Removing a non-dominant producer changes nothing.
        sim.o.add_producer("d");
        sim.o.remove_producer("d");
        assert_eq!(sim.o.poll_timeout(), Some(1200));

        // Removing the dominant one re-evaluates at once: nobody talks, so
        // mediasoup falls back to the first producer.
        sim.o.remove_producer("a");
        assert_eq!(sim.o.dominant(), Some("b"));
        assert!(sim.o.poll_timeout().is_some_and(|t| t < sim.now));
        sim.run(1, &[]);
        assert_eq!(ids(&sim.take_events()), ["b"]);

        // Then the one who speaks becomes dominant.
        sim.run(2000, &[("b", Act::Silent), ("c", Act::Talk)]);
        assert_eq!(ids(&sim.take_events()), ["c"]);

        // With a single producer left it is dominant right away.
        sim.o.remove_producer("c");
        sim.run(1, &[]);
        assert_eq!(ids(&sim.take_events()), ["b"]);
        sim.o.remove_producer("b");
        assert_eq!(sim.o.dominant(), None);
        sim.run(1000, &[]);
        assert!(sim.take_events().is_empty());
    }

    #[test]
    fn removing_dominant_picks_the_talker() {
        let mut sim = Sim::new();
        for id in ["a", "b", "c"] {
            sim.o.add_producer(id);
        }
        sim.run(
            1000,
            &[("a", Act::Talk), ("b", Act::Silent), ("c", Act::Silent)],
        );
        assert_eq!(ids(&sim.take_events()), ["a"]);
        // C speaks, but not long enough to beat A yet.
        sim.run(
            200,
            &[("a", Act::Talk), ("c", Act::Talk), ("b", Act::Silent)],
        );
        assert!(sim.take_events().is_empty());
        sim.o.remove_producer("a");
        sim.run(1, &[]);
        assert_eq!(ids(&sim.take_events()), ["c"]);
    }

    #[test]
    fn paused_observer_emits_nothing() {
        let mut sim = Sim::new();
        sim.o.add_producer("a");
        sim.o.add_producer("b");
        sim.run(1000, &[("a", Act::Talk), ("b", Act::Silent)]);
        assert_eq!(ids(&sim.take_events()), ["a"]);

        sim.o.pause();
        assert_eq!(sim.o.poll_timeout(), None);
        sim.run(3000, &[("a", Act::Silent), ("b", Act::Talk)]);
        assert!(sim.take_events().is_empty());
        assert_eq!(sim.o.dominant(), Some("a"));

        sim.o.resume();
        assert!(sim.o.poll_timeout().is_some_and(|t| t < sim.now));
        sim.run(3000, &[("a", Act::Silent), ("b", Act::Talk)]);
        assert_eq!(ids(&sim.take_events()), ["b"]);
    }

    #[test]
    fn paused_producer_cannot_take_over() {
        let mut sim = Sim::new();
        sim.o.add_producer("a");
        sim.o.add_producer("b");
        sim.run(1000, &[("a", Act::Talk), ("b", Act::Silent)]);
        assert_eq!(ids(&sim.take_events()), ["a"]);

        sim.o.producer_paused("b");
        sim.run(2000, &[("a", Act::Silent), ("b", Act::Talk)]);
        assert!(sim.take_events().is_empty());

        sim.o.producer_resumed("b");
        sim.run(2000, &[("a", Act::Silent), ("b", Act::Talk)]);
        assert_eq!(ids(&sim.take_events()), ["b"]);
    }

    #[test]
    fn unknown_producer_and_interval_clamp() {
        let mut o = ActiveSpeakerObserver::new(10);
        assert_eq!(o.interval_ms(), 100);
        assert_eq!(ActiveSpeakerObserver::new(9000).interval_ms(), 5000);
        o.receive_level("nope", 10, 5);
        assert_eq!(o.poll_timeout(), Some(105));
        assert_eq!(o.handle_timeout(105), None);
        assert_eq!(o.dominant(), None);
    }
}
