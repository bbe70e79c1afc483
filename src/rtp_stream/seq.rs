//! Sequence number arithmetic and tracking.
//!
//! * [`RtpSeqTracker`]: RFC 3550 appendix A.1 receive-side tracking of the
//!   16-bit RTP sequence number (highest extended sequence number, cycles,
//!   expected packets, "bad sequence" re-sync after a big jump). Configured by
//!   default with mediasoup's constants (`MAX_DROPOUT` 3000, `MAX_MISORDER`
//!   1500, no probation); [`SeqTrackerConfig::RFC3550`] gives the RFC ones
//!   (misorder 100, probation of 2 sequential packets).
//! * [`SeqManager`]: mediasoup's `SeqManager<T, N>` used by consumers to emit a
//!   continuous output sequence across dropped inputs and re-syncs (`sync` on
//!   the key frame after a resume / layer switch, `drop` for every input that
//!   is not forwarded).
//! * Wrap-aware comparisons ([`is_seq_higher_than`], [`is_seq_lower_than`]) with
//!   mediasoup's semantics (`MaxValue / 2` as the half range).

use std::collections::VecDeque;
use std::fmt::Debug;

/// Unsigned integer types usable as wrapping sequence numbers.
pub trait SeqNum: Copy + Eq + Ord + Default + Debug {
    /// All bits set.
    const ALL: Self;
    fn wrapping_add_(self, rhs: Self) -> Self;
    fn wrapping_sub_(self, rhs: Self) -> Self;
    fn mask(self, max: Self) -> Self;
    fn half(self) -> Self;
    /// Truncating conversion.
    fn from_usize(v: usize) -> Self;
}

macro_rules! impl_seq_num {
    ($($t:ty),*) => {$(
        impl SeqNum for $t {
            const ALL: Self = <$t>::MAX;
            #[inline]
            fn wrapping_add_(self, rhs: Self) -> Self { self.wrapping_add(rhs) }
            #[inline]
            fn wrapping_sub_(self, rhs: Self) -> Self { self.wrapping_sub(rhs) }
            #[inline]
            fn mask(self, max: Self) -> Self { self & max }
            #[inline]
            fn half(self) -> Self { self / 2 }
            #[inline]
            fn from_usize(v: usize) -> Self { v as $t }
        }
    )*};
}

impl_seq_num!(u8, u16, u32, u64);

/// `lhs` is "newer" than `rhs` within a space whose maximum value is `max`
/// (`2^N - 1`).
#[inline]
pub fn is_seq_higher_than_in<T: SeqNum>(lhs: T, rhs: T, max: T) -> bool {
    let lhs = lhs.mask(max);
    let rhs = rhs.mask(max);
    let half = max.half();
    (lhs > rhs && lhs.wrapping_sub_(rhs) <= half) || (rhs > lhs && rhs.wrapping_sub_(lhs) > half)
}

/// `lhs` is "older" than `rhs` within a space whose maximum value is `max`.
#[inline]
pub fn is_seq_lower_than_in<T: SeqNum>(lhs: T, rhs: T, max: T) -> bool {
    let lhs = lhs.mask(max);
    let rhs = rhs.mask(max);
    let half = max.half();
    (rhs > lhs && rhs.wrapping_sub_(lhs) <= half) || (lhs > rhs && lhs.wrapping_sub_(rhs) > half)
}

/// `lhs` is newer than `rhs` using the full width of `T`.
#[inline]
pub fn is_seq_higher_than<T: SeqNum>(lhs: T, rhs: T) -> bool {
    is_seq_higher_than_in(lhs, rhs, T::ALL)
}

/// `lhs` is older than `rhs` using the full width of `T`.
#[inline]
pub fn is_seq_lower_than<T: SeqNum>(lhs: T, rhs: T) -> bool {
    is_seq_lower_than_in(lhs, rhs, T::ALL)
}

const RTP_SEQ_MOD: u32 = 1 << 16;

/// Thresholds of [`RtpSeqTracker`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeqTrackerConfig {
    /// A forward jump smaller than this is accepted as in order.
    pub max_dropout: u16,
    /// A backward jump up to this is accepted as reordering.
    pub max_misorder: u16,
    /// Number of sequential packets needed before a new source is valid
    /// (0 disables probation, as mediasoup does).
    pub min_sequential: u16,
}

impl SeqTrackerConfig {
    /// mediasoup's `RtpStream` / `RtxStream` values.
    pub const MEDIASOUP: SeqTrackerConfig = SeqTrackerConfig {
        max_dropout: 3000,
        max_misorder: 1500,
        min_sequential: 0,
    };
    /// RFC 3550 appendix A.1 values.
    pub const RFC3550: SeqTrackerConfig = SeqTrackerConfig {
        max_dropout: 3000,
        max_misorder: 100,
        min_sequential: 2,
    };
}

impl Default for SeqTrackerConfig {
    fn default() -> Self {
        Self::MEDIASOUP
    }
}

/// Result of [`RtpSeqTracker::update_ex`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeqUpdate {
    /// In order (possibly with a gap, or a duplicate of the highest).
    Accepted,
    /// Older than the highest, within the misorder window.
    Reordered,
    /// Second sequential packet after a big jump: the tracker re-initialised
    /// itself on this sequence number (mediasoup "too bad sequence number").
    Resynced,
    /// Too old or too new (first packet of a possible restart); drop it.
    Rejected,
    /// Source still in probation (RFC mode only); drop it.
    Probation,
}

impl SeqUpdate {
    /// Whether the packet must be processed.
    #[inline]
    pub fn is_valid(self) -> bool {
        matches!(
            self,
            SeqUpdate::Accepted | SeqUpdate::Reordered | SeqUpdate::Resynced
        )
    }
}

/// RFC 3550 A.1 sequence number state.
#[derive(Debug, Clone)]
pub struct RtpSeqTracker {
    config: SeqTrackerConfig,
    started: bool,
    max_seq: u16,
    cycles: u32,
    base_seq: u32,
    bad_seq: u32,
    probation: u16,
    received: u64,
    discarded: u64,
}

impl Default for RtpSeqTracker {
    fn default() -> Self {
        Self::new(SeqTrackerConfig::MEDIASOUP)
    }
}

impl RtpSeqTracker {
    pub fn new(config: SeqTrackerConfig) -> Self {
        Self {
            config,
            started: false,
            max_seq: 0,
            cycles: 0,
            base_seq: 0,
            bad_seq: RTP_SEQ_MOD + 1,
            probation: 0,
            received: 0,
            discarded: 0,
        }
    }

    fn init_seq(&mut self, seq: u16) {
        self.base_seq = u32::from(seq);
        self.max_seq = seq;
        self.bad_seq = RTP_SEQ_MOD + 1;
    }

    /// Whether a packet has been seen.
    pub fn started(&self) -> bool {
        self.started
    }

    /// Process a packet's sequence number; `false` means drop the packet.
    /// The first packet initialises the state.
    #[inline]
    pub fn update(&mut self, seq: u16) -> bool {
        self.update_ex(seq).is_valid()
    }

    /// Like [`update`](Self::update) but tells what happened.
    pub fn update_ex(&mut self, seq: u16) -> SeqUpdate {
        if !self.started {
            self.started = true;
            self.init_seq(seq);
            self.probation = self.config.min_sequential;
            if self.probation == 0 {
                // mediasoup sets max_seq to seq - 1 and runs the update, which
                // counts a bogus cycle when the first seq is 0; accept the
                // first packet directly instead.
                self.received += 1;
                return SeqUpdate::Accepted;
            }
            self.max_seq = seq.wrapping_sub(1);
        }
        self.update_without_start(seq)
    }

    /// mediasoup's `UpdateSeq()` alone: does not initialise the state on the
    /// first packet (used for packets recovered through RTX).
    pub fn update_without_start(&mut self, seq: u16) -> SeqUpdate {
        let udelta = seq.wrapping_sub(self.max_seq);

        if self.probation > 0 {
            if seq == self.max_seq.wrapping_add(1) {
                self.probation -= 1;
                self.max_seq = seq;
                if self.probation == 0 {
                    self.init_seq(seq);
                    self.received += 1;
                    return SeqUpdate::Accepted;
                }
            } else {
                self.probation = self.config.min_sequential.saturating_sub(1);
                self.max_seq = seq;
            }
            return SeqUpdate::Probation;
        }

        let verdict;

        if udelta < self.config.max_dropout {
            verdict = SeqUpdate::Accepted;
            if seq < self.max_seq {
                self.cycles = self.cycles.wrapping_add(RTP_SEQ_MOD);
            }
            self.max_seq = seq;
        } else if u32::from(udelta) <= RTP_SEQ_MOD - u32::from(self.config.max_misorder) {
            if u32::from(seq) == self.bad_seq {
                self.init_seq(seq);
                verdict = SeqUpdate::Resynced;
                // The packet itself is accounted below.
            } else {
                self.bad_seq = (u32::from(seq) + 1) & (RTP_SEQ_MOD - 1);
                self.discarded += 1;
                return SeqUpdate::Rejected;
            }
        } else {
            verdict = SeqUpdate::Reordered;
        }

        self.received += 1;
        verdict
    }

    /// Highest sequence number seen (16 bits).
    pub fn max_seq(&self) -> u16 {
        self.max_seq
    }

    /// Shifted count of sequence number cycles (multiple of 65536).
    pub fn cycles(&self) -> u32 {
        self.cycles
    }

    pub fn base_seq(&self) -> u32 {
        self.base_seq
    }

    pub fn bad_seq(&self) -> u32 {
        self.bad_seq
    }

    /// Extended highest sequence number received (cycles + max seq).
    pub fn extended_max_seq(&self) -> u32 {
        self.cycles.wrapping_add(u32::from(self.max_seq))
    }

    /// Packets expected since the base sequence number.
    pub fn expected(&self) -> u32 {
        self.extended_max_seq()
            .wrapping_sub(self.base_seq)
            .wrapping_add(1)
    }

    /// Packets accepted by [`update`](Self::update) (including duplicates).
    pub fn received(&self) -> u64 {
        self.received
    }

    /// Packets rejected as too old / too new.
    pub fn discarded(&self) -> u64 {
        self.discarded
    }
}

/// mediasoup's `SeqManager<T, N>`: maps an input sequence (with holes created
/// by dropped inputs and jumps created by re-syncs) to a continuous output.
///
/// The set of dropped inputs is a sorted ring buffer. It never holds more
/// than half of the sequence space; its storage grows (by doubling) only when
/// a new high-water mark is reached, so a consumer that has been running for
/// a while does not allocate. Use [`with_dropped_capacity`](Self::with_dropped_capacity)
/// to preallocate the bound.
#[derive(Debug, Clone)]
pub struct SeqManager<T: SeqNum> {
    max_value: T,
    started: bool,
    initial_output: T,
    base: T,
    max_output: T,
    max_input: T,
    max_dropped: T,
    max_forwarded: T,
    dropped: VecDeque<T>,
}

const DEFAULT_DROPPED_CAPACITY: usize = 256;

impl<T: SeqNum> Default for SeqManager<T> {
    fn default() -> Self {
        Self::new(T::default())
    }
}

impl<T: SeqNum> SeqManager<T> {
    /// Full-width manager starting its output at `initial_output`.
    pub fn new(initial_output: T) -> Self {
        Self::build(T::ALL, initial_output, DEFAULT_DROPPED_CAPACITY)
    }

    /// Manager over the low `bits` bits of `T` (e.g. 15 for VP8/VP9 picture id).
    pub fn with_bits(bits: u8, initial_output: T) -> Self {
        let max = max_for_bits::<T>(bits);
        Self::build(max, initial_output, DEFAULT_DROPPED_CAPACITY)
    }

    /// Full-width manager with room for `capacity` dropped inputs up front.
    pub fn with_dropped_capacity(initial_output: T, capacity: usize) -> Self {
        Self::build(T::ALL, initial_output, capacity)
    }

    fn build(max_value: T, initial_output: T, capacity: usize) -> Self {
        Self {
            max_value,
            started: false,
            initial_output: initial_output.mask(max_value),
            base: T::default(),
            max_output: T::default(),
            max_input: T::default(),
            max_dropped: T::default(),
            max_forwarded: T::default(),
            dropped: VecDeque::with_capacity(capacity),
        }
    }

    #[inline]
    fn higher(&self, a: T, b: T) -> bool {
        is_seq_higher_than_in(a, b, self.max_value)
    }

    #[inline]
    fn lower(&self, a: T, b: T) -> bool {
        is_seq_lower_than_in(a, b, self.max_value)
    }

    /// `lhs` newer than `rhs` in this manager's space.
    pub fn is_higher(&self, lhs: T, rhs: T) -> bool {
        self.higher(lhs, rhs)
    }

    /// Make `input` continue right after the highest output emitted so far
    /// (call it with `first_input - 1` before the first forwarded input after
    /// a resume or a layer / stream switch).
    pub fn sync(&mut self, input: T) {
        let input = input.mask(self.max_value);
        self.base = self.max_output.wrapping_sub_(input).mask(self.max_value);
        self.max_input = input;
        self.dropped.clear();
    }

    /// Mark `input` as not forwarded so that later outputs skip it.
    pub fn drop(&mut self, input: T) {
        let input = input.mask(self.max_value);
        if self.higher(input, self.max_input) {
            self.max_input = input;
            self.max_dropped = input;
            self.insert_dropped(input);
            self.clear_dropped();
        } else if self.max_input == self.max_dropped && self.higher(input, self.max_forwarded) {
            self.insert_dropped(input);
            self.clear_dropped();
        }
    }

    /// Output for `input`, or `None` when `input` was dropped.
    pub fn input(&mut self, input: T) -> Option<T> {
        let input = input.mask(self.max_value);
        let mut base = self.base;

        if !self.dropped.is_empty() {
            if self.started && self.higher(input, self.max_input) {
                self.max_input = input;
                self.max_forwarded = input;
            }
            self.clear_dropped();
            base = self.base;

            if !self.dropped.is_empty() {
                let pos = self.lower_bound(input);
                if pos < self.dropped.len() && self.dropped[pos] == input {
                    return None;
                }
                base = self
                    .base
                    .wrapping_sub_(T::from_usize(pos))
                    .mask(self.max_value);
            }
        }

        let output = input.wrapping_add_(base).mask(self.max_value);

        if !self.started {
            self.started = true;
            self.max_input = input;
            self.max_forwarded = input;
            self.max_output = output;
        } else {
            if self.higher(input, self.max_input) {
                self.max_input = input;
                self.max_forwarded = input;
            }
            if self.higher(output, self.max_output) {
                self.max_output = output;
            }
        }

        Some(
            output
                .wrapping_add_(self.initial_output)
                .mask(self.max_value),
        )
    }

    /// Whether an input has gone out since the manager was created.
    pub fn started(&self) -> bool {
        self.started
    }

    /// Highest input seen.
    pub fn max_input(&self) -> T {
        self.max_input
    }

    /// Highest output emitted (with the initial output offset applied).
    pub fn max_output(&self) -> T {
        self.max_output
            .wrapping_add_(self.initial_output)
            .mask(self.max_value)
    }

    /// Number of inputs currently remembered as dropped.
    pub fn dropped_len(&self) -> usize {
        self.dropped.len()
    }

    /// Index of the first dropped value not lower than `input`.
    fn lower_bound(&self, input: T) -> usize {
        let max = self.max_value;
        self.dropped
            .partition_point(|&v| is_seq_lower_than_in(v, input, max))
    }

    fn insert_dropped(&mut self, input: T) {
        // Fast path: appending after the newest dropped value.
        match self.dropped.back() {
            None => self.dropped.push_back(input),
            Some(&last) if self.lower(last, input) => self.dropped.push_back(input),
            _ => {
                let pos = self.lower_bound(input);
                if pos == self.dropped.len() || self.dropped[pos] != input {
                    self.dropped.insert(pos, input);
                }
            }
        }
    }

    /// Forget dropped values that now look newer than `max_input` (they belong
    /// to a previous cycle) and shift the base accordingly.
    fn clear_dropped(&mut self) {
        let before = self.dropped.len();
        while let Some(&front) = self.dropped.front() {
            if self.higher(front, self.max_input) {
                self.dropped.pop_front();
            } else {
                break;
            }
        }
        let removed = before - self.dropped.len();
        if removed > 0 {
            self.base = self
                .base
                .wrapping_sub_(T::from_usize(removed))
                .mask(self.max_value);
        }
    }
}

fn max_for_bits<T: SeqNum>(bits: u8) -> T {
    let width = std::mem::size_of::<T>() * 8;
    if bits == 0 || usize::from(bits) >= width {
        T::ALL
    } else {
        T::from_usize((1usize << bits) - 1)
    }
}

#[cfg(test)]
#[path = "seq_manager_cases.rs"]
mod seq_manager_cases;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons() {
        assert!(is_seq_higher_than::<u16>(0, 65000));
        assert!(is_seq_lower_than::<u16>(65000, 0));
        assert!(is_seq_higher_than_in::<u16>(0, 32500, (1 << 15) - 1));
        assert!(!is_seq_higher_than::<u16>(5, 5));
        assert!(!is_seq_lower_than::<u16>(5, 5));
        assert!(is_seq_higher_than::<u32>(10, u32::MAX - 10));
    }

    #[test]
    fn tracker_in_order_and_wrap() {
        let mut t = RtpSeqTracker::default();
        for s in 65530u16..=65535 {
            assert!(t.update(s));
        }
        for s in 0u16..10 {
            assert!(t.update(s));
        }
        assert_eq!(t.cycles(), 65536);
        assert_eq!(t.max_seq(), 9);
        assert_eq!(t.extended_max_seq(), 65536 + 9);
        assert_eq!(t.base_seq(), 65530);
        assert_eq!(t.expected(), 16);
        // Another full cycle.
        for i in 1..=65536u32 {
            assert!(t.update((9 + i) as u16));
        }
        assert_eq!(t.cycles(), 2 * 65536);
        assert_eq!(t.expected(), 16 + 65536);
    }

    #[test]
    fn tracker_first_seq_zero_is_not_a_cycle() {
        let mut t = RtpSeqTracker::default();
        assert!(t.update(0));
        assert!(t.update(1));
        assert_eq!(t.cycles(), 0);
        assert_eq!(t.expected(), 2);
    }

    #[test]
    fn tracker_gap_counts_as_expected() {
        let mut t = RtpSeqTracker::default();
        assert!(t.update(100));
        assert!(t.update(104));
        assert_eq!(t.expected(), 5);
        assert_eq!(t.received(), 2);
    }

    #[test]
    fn tracker_reordering_within_window() {
        for cfg in [SeqTrackerConfig::MEDIASOUP, SeqTrackerConfig::RFC3550] {
            let mut t = RtpSeqTracker::new(cfg);
            let mut s = 1000u16;
            // Get through probation if any.
            for _ in 0..5 {
                t.update(s);
                s += 1;
            }
            let max = s - 1;
            // 99 behind is still acceptable reordering in both configs.
            assert!(t.update(max - 50));
            assert!(t.update(max - 99));
            assert_eq!(t.max_seq(), max);
        }
    }

    #[test]
    fn tracker_misorder_limits_differ() {
        // 200 behind: fine for mediasoup (1500), a "bad" packet for RFC (100).
        let mut m = RtpSeqTracker::new(SeqTrackerConfig::MEDIASOUP);
        let mut r = RtpSeqTracker::new(SeqTrackerConfig::RFC3550);
        for s in 5000u16..5010 {
            m.update(s);
            r.update(s);
        }
        assert!(m.update(4809));
        assert!(!r.update(4809));
    }

    #[test]
    fn tracker_big_jump_resyncs_after_two_sequential() {
        let mut t = RtpSeqTracker::default();
        assert!(t.update(50001));
        assert!(t.update(50002));
        // More than MAX_DROPOUT away: rejected.
        assert_eq!(t.update_ex(40003), SeqUpdate::Rejected);
        assert_eq!(t.discarded(), 1);
        // The next one in sequence re-syncs.
        assert_eq!(t.update_ex(40004), SeqUpdate::Resynced);
        assert_eq!(t.base_seq(), 40004);
        assert_eq!(t.max_seq(), 40004);
        assert_eq!(t.expected(), 1);
        assert!(t.update(40005));
        // A non sequential second jump is rejected again.
        assert_eq!(t.update_ex(10000), SeqUpdate::Rejected);
        assert_eq!(t.update_ex(20000), SeqUpdate::Rejected);
        assert_eq!(t.max_seq(), 40005);
    }

    #[test]
    fn tracker_forward_jump_within_dropout() {
        let mut t = RtpSeqTracker::default();
        assert!(t.update(10));
        assert!(t.update(2999 + 10));
        assert_eq!(t.update_ex(2999 + 10 + 3000), SeqUpdate::Rejected);
    }

    #[test]
    fn tracker_probation() {
        let mut t = RtpSeqTracker::new(SeqTrackerConfig::RFC3550);
        assert_eq!(t.update_ex(7), SeqUpdate::Probation);
        assert_eq!(t.update_ex(8), SeqUpdate::Accepted);
        assert_eq!(t.base_seq(), 8);
        assert_eq!(t.expected(), 1);
        assert!(t.update(9));

        let mut t = RtpSeqTracker::new(SeqTrackerConfig::RFC3550);
        assert_eq!(t.update_ex(7), SeqUpdate::Probation);
        // Not sequential: probation restarts from this one.
        assert_eq!(t.update_ex(20), SeqUpdate::Probation);
        assert_eq!(t.update_ex(21), SeqUpdate::Accepted);
        assert_eq!(t.base_seq(), 21);
    }

    fn run_case<T: SeqNum + Into<u64>>(
        mut mgr: SeqManager<T>,
        rows: &[seq_manager_cases::Row],
        conv: impl Fn(u16) -> T,
    ) -> Result<(), String> {
        // An input the manager refuses leaves the previous output untouched,
        // which is what the reference tables expect.
        let mut output = T::default();
        for (i, &(input, expected, sync, drop, max_input)) in rows.iter().enumerate() {
            let input_t = conv(input);
            if sync {
                mgr.sync(conv(input.wrapping_sub(1)));
            }
            if drop {
                mgr.drop(input_t);
                continue;
            }
            if let Some(o) = mgr.input(input_t) {
                output = o;
            }
            if output != conv(expected) {
                return Err(format!(
                    "row {i}: input {input}: got {:?}, want {expected}",
                    output
                ));
            }
            if max_input != -1 && mgr.max_input().into() != max_input as u64 {
                return Err(format!("row {i}: max input {:?}", mgr.max_input()));
            }
        }
        Ok(())
    }

    #[test]
    fn seq_manager_reference_tables() {
        for case in seq_manager_cases::CASES {
            let res = if case.width == 8 {
                let mgr = SeqManager::<u8>::with_bits(case.bits, case.initial_output as u8);
                run_case(mgr, case.rows, |v| v as u8)
            } else {
                let mgr = SeqManager::<u16>::with_bits(case.bits, case.initial_output);
                run_case(mgr, case.rows, |v| v)
            };
            if let Err(e) = res {
                panic!("{} (bits {}): {e}", case.name, case.bits);
            }
        }
    }

    fn roll_over_rows(max: u16, initial: u16) -> Vec<seq_manager_cases::Row> {
        let mut rows = vec![(0u16, 1u16.wrapping_add(initial) & max, true, false, 0i64)];
        for _ in 0..3 {
            for i in 1..max {
                let out = (i.wrapping_add(1).wrapping_add(initial)) & max;
                rows.push((i, out, false, false, i as i64));
            }
        }
        rows
    }

    #[test]
    fn seq_manager_multiple_roll_overs() {
        for (bits, max) in [(0u8, u16::MAX), (15u8, (1u16 << 15) - 1)] {
            for initial in [0u16, 100] {
                let rows = roll_over_rows(max, initial);
                let mgr = SeqManager::<u16>::with_bits(bits, initial);
                run_case(mgr, &rows, |v| v).unwrap();
            }
        }
    }

    #[test]
    fn seq_manager_max_output_includes_initial_output() {
        let mut m = SeqManager::<u16>::new(1000);
        assert_eq!(m.input(100), Some(1100));
        assert_eq!(m.max_output(), 1100);
        assert_eq!(m.input(101), Some(1101));
        assert_eq!(m.max_output(), 1101);
    }

    #[test]
    fn seq_manager_continuity_across_drops_pause_and_switch() {
        let mut m = SeqManager::<u16>::new(0);
        // Forward 10..20, dropping 13 and 17.
        let mut outs = Vec::new();
        for s in 10u16..20 {
            if s == 13 || s == 17 {
                m.drop(s);
            } else {
                outs.push(m.input(s).unwrap());
            }
        }
        assert_eq!(outs, vec![10, 11, 12, 13, 14, 15, 16, 17]);
        // Dropped input stays refused.
        assert_eq!(m.input(13), None);
        // Late out-of-order input keeps its slot.
        assert_eq!(m.input(12), Some(12));
        // Pause, producer keeps sending (all dropped), then resume on a key
        // frame at 5000: sync makes the output continue at 18.
        m.sync(4999);
        assert_eq!(m.input(5000), Some(18));
        assert_eq!(m.input(5001), Some(19));
        // Switch to another stream whose seq space is unrelated.
        m.sync(u16::MAX);
        assert_eq!(m.input(0), Some(20));
        assert_eq!(m.max_output(), 20);
    }

    #[test]
    fn seq_manager_u8_wraps() {
        let mut m = SeqManager::<u8>::new(250);
        let mut last = None;
        for i in 0u16..600 {
            let s = (i % 256) as u8;
            if i % 5 == 3 {
                m.drop(s);
                continue;
            }
            let o = m.input(s).unwrap();
            if let Some(l) = last {
                assert_eq!(o, u8::wrapping_add(l, 1), "i {i}");
            }
            last = Some(o);
        }
    }

    #[test]
    fn seq_manager_dropped_set_is_bounded() {
        let mut m = SeqManager::<u16>::new(0);
        let mut expected_out = 0u16;
        for i in 0u32..300_000 {
            let s = i as u16;
            if i % 3 == 1 {
                m.drop(s);
            } else {
                let o = m.input(s).unwrap();
                assert_eq!(o, expected_out);
                expected_out = expected_out.wrapping_add(1);
            }
            assert!(m.dropped_len() <= 32769);
        }
    }
}
