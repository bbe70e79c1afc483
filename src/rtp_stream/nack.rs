//! Receive-side NACK generation (mediasoup `NackGenerator`).
//!
//! Feed every received (or RTX-recovered) sequence number to
//! [`NackGenerator::received_packet`]; missing ones enter the NACK list and are
//! requested:
//! * right away when they are detected (unless younger than the configured
//!   `send_nack_delay_ms`; mediasoup's Producer uses 10 ms), and
//! * again from [`NackGenerator::handle_timeout`], at most once per RTT (100 ms when
//!   unknown), up to [`MAX_NACK_RETRIES`] times.
//!
//! Timer: while the NACK list is not empty the generator arms a one-shot timer
//! of [`TIMER_INTERVAL_MS`] (40 ms). Ask [`NackGenerator::poll_timeout`] for the
//! deadline and call [`NackGenerator::handle_timeout`] once it is reached; the timer
//! re-arms itself while there is something left to request.
//!
//! When the list would exceed [`MAX_NACK_PACKETS`], entries older than the
//! most recent key frame are forgotten; if that is not enough the list is
//! cleared and a key frame is requested instead.
//!
//! All storage is allocated at construction (list of at most
//! [`MAX_NACK_PACKETS`] entries); the key frame and recovered sets are rings
//! bounded by [`MAX_PACKET_AGE`] that only grow on a new high-water mark.

use std::collections::VecDeque;

use super::seq::{is_seq_higher_than, is_seq_lower_than};

/// Entries older than this (in sequence numbers) are forgotten.
pub const MAX_PACKET_AGE: u16 = 10000;
/// Maximum length of the NACK list.
pub const MAX_NACK_PACKETS: usize = 1000;
/// RTT assumed while none is known (ms).
pub const DEFAULT_RTT_MS: u64 = 100;
/// A sequence number is requested at most this many times.
pub const MAX_NACK_RETRIES: u8 = 10;
/// Interval of the retry timer (ms).
pub const TIMER_INTERVAL_MS: u64 = 40;

/// One generic NACK FCI entry (RFC 4585 6.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NackItem {
    /// First lost packet.
    pub pid: u16,
    /// Bitmask of the following 16 lost packets.
    pub blp: u16,
}

impl From<(u16, u16)> for NackItem {
    fn from((pid, blp): (u16, u16)) -> Self {
        NackItem { pid, blp }
    }
}

impl From<&NackItem> for NackItem {
    fn from(item: &NackItem) -> Self {
        *item
    }
}

impl From<NackItem> for (u16, u16) {
    fn from(item: NackItem) -> Self {
        (item.pid, item.blp)
    }
}

impl NackItem {
    /// Number of packets this item requests.
    #[inline]
    pub fn count_requested(&self) -> usize {
        1 + self.blp.count_ones() as usize
    }

    /// Requested sequence numbers, in order.
    pub fn seqs(&self) -> impl Iterator<Item = u16> + '_ {
        std::iter::once(self.pid).chain(
            (0..16u16)
                .filter(move |i| self.blp & (1 << i) != 0)
                .map(move |i| self.pid.wrapping_add(i + 1)),
        )
    }
}

/// Pack ordered sequence numbers into NACK items, as mediasoup does before
/// sending: each item covers its `pid` and the following 16 numbers. Returns
/// the number of items written (stops when `out` is full).
pub fn pack_nack_items(seqs: &[u16], out: &mut [NackItem]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < seqs.len() && n < out.len() {
        let pid = seqs[i];
        let mut blp = 0u16;
        i += 1;
        while i < seqs.len() {
            let shift = seqs[i].wrapping_sub(pid).wrapping_sub(1);
            if shift > 15 {
                break;
            }
            blp |= 1 << shift;
            i += 1;
        }
        out[n] = NackItem { pid, blp };
        n += 1;
    }
    n
}

/// Result of [`NackGenerator::received_packet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NackOutcome {
    /// The packet was in the NACK list (a retransmission, or late), or it came
    /// through RTX with a sequence number not seen yet.
    pub was_nacked: bool,
    /// Sequence numbers written into the caller's buffer, to request now.
    pub nack_count: usize,
    /// The NACK list overflowed and was cleared: request a key frame.
    pub key_frame_required: bool,
}

#[derive(Debug, Clone, Copy)]
struct NackInfo {
    created_at_ms: u64,
    sent_at_ms: u64,
    seq: u16,
    send_at_seq: u16,
    retries: u8,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Filter {
    Seq,
    Time,
}

/// The NACK generator of a receive stream.
#[derive(Debug, Clone)]
pub struct NackGenerator {
    send_nack_delay_ms: u64,
    nack_list: VecDeque<NackInfo>,
    key_frames: VecDeque<u16>,
    recovered: VecDeque<u16>,
    started: bool,
    last_seq: u16,
    rtt_ms: u64,
    timer_deadline: Option<u64>,
}

impl NackGenerator {
    pub fn new(send_nack_delay_ms: u64) -> Self {
        Self {
            send_nack_delay_ms,
            nack_list: VecDeque::with_capacity(MAX_NACK_PACKETS),
            key_frames: VecDeque::with_capacity(64),
            recovered: VecDeque::with_capacity(64),
            started: false,
            last_seq: 0,
            rtt_ms: DEFAULT_RTT_MS,
            timer_deadline: None,
        }
    }

    /// Latest RTT (ms) used to space retries; 0 means unknown.
    pub fn update_rtt(&mut self, rtt_ms: u64) {
        self.rtt_ms = rtt_ms;
    }

    pub fn nack_list_len(&self) -> usize {
        self.nack_list.len()
    }

    /// Deadline of the retry timer, if armed.
    pub fn poll_timeout(&self) -> Option<u64> {
        self.timer_deadline
    }

    /// Forget everything (stream paused).
    pub fn reset(&mut self) {
        self.nack_list.clear();
        self.key_frames.clear();
        self.recovered.clear();
        self.started = false;
        self.last_seq = 0;
    }

    /// Account a packet. Sequence numbers to NACK right now are written into
    /// `out` (its length bounds the batch: give it [`MAX_NACK_PACKETS`] to
    /// never defer anything).
    pub fn received_packet(
        &mut self,
        seq: u16,
        is_key_frame: bool,
        is_recovered: bool,
        now_ms: u64,
        out: &mut [u16],
    ) -> NackOutcome {
        let mut outcome = NackOutcome::default();

        if !self.started {
            self.started = true;
            self.last_seq = seq;
            if is_key_frame {
                insert_sorted(&mut self.key_frames, seq);
            }
            return outcome;
        }

        if seq == self.last_seq {
            return outcome;
        }

        if is_seq_lower_than(seq, self.last_seq) {
            // Late or retransmitted.
            if let Some(pos) = self.find(seq) {
                self.nack_list.remove(pos);
                outcome.was_nacked = true;
            }
            return outcome;
        }

        // Newer than anything seen: some packets may be missing.
        if is_key_frame {
            insert_sorted(&mut self.key_frames, seq);
        }
        remove_older_than(&mut self.key_frames, seq.wrapping_sub(MAX_PACKET_AGE));

        if is_recovered {
            if contains(&self.recovered, seq) {
                return outcome;
            }
            insert_sorted(&mut self.recovered, seq);
            remove_older_than(&mut self.recovered, seq.wrapping_sub(MAX_PACKET_AGE));
        }

        if !self.add_packets_to_nack_list(self.last_seq.wrapping_add(1), seq, now_ms) {
            outcome.key_frame_required = true;
        }
        self.last_seq = seq;

        outcome.nack_count = self.nack_batch(Filter::Seq, now_ms, out);

        if self.timer_deadline.is_none() && !self.nack_list.is_empty() {
            self.timer_deadline = Some(now_ms + TIMER_INTERVAL_MS);
        }

        outcome.was_nacked = is_recovered;
        outcome
    }

    /// Run the retry timer if due. Sequence numbers to request are written
    /// into `out`; returns how many.
    pub fn handle_timeout(&mut self, now_ms: u64, out: &mut [u16]) -> usize {
        match self.timer_deadline {
            Some(deadline) if now_ms >= deadline => {}
            _ => return 0,
        }
        self.timer_deadline = None;
        let n = self.nack_batch(Filter::Time, now_ms, out);
        if !self.nack_list.is_empty() {
            self.timer_deadline = Some(now_ms + TIMER_INTERVAL_MS);
        }
        n
    }

    fn find(&self, seq: u16) -> Option<usize> {
        let pos = self
            .nack_list
            .partition_point(|e| is_seq_lower_than(e.seq, seq));
        (pos < self.nack_list.len() && self.nack_list[pos].seq == seq).then_some(pos)
    }

    /// Returns `false` when the list had to be cleared (key frame needed).
    fn add_packets_to_nack_list(&mut self, seq_start: u16, seq_end: u16, now_ms: u64) -> bool {
        // Drop too old entries.
        let oldest = seq_end.wrapping_sub(MAX_PACKET_AGE);
        while let Some(front) = self.nack_list.front() {
            if is_seq_lower_than(front.seq, oldest) {
                self.nack_list.pop_front();
            } else {
                break;
            }
        }

        let new_nacks = usize::from(seq_end.wrapping_sub(seq_start));

        if self.nack_list.len() + new_nacks > MAX_NACK_PACKETS {
            while self.remove_nack_items_until_key_frame()
                && self.nack_list.len() + new_nacks > MAX_NACK_PACKETS
            {}

            if self.nack_list.len() + new_nacks > MAX_NACK_PACKETS {
                self.nack_list.clear();
                return false;
            }
        }

        let mut seq = seq_start;
        while seq != seq_end {
            if !contains(&self.recovered, seq) {
                self.nack_list.push_back(NackInfo {
                    created_at_ms: now_ms,
                    sent_at_ms: 0,
                    seq,
                    send_at_seq: seq,
                    retries: 0,
                });
            }
            seq = seq.wrapping_add(1);
        }
        true
    }

    fn remove_nack_items_until_key_frame(&mut self) -> bool {
        while let Some(&key_frame) = self.key_frames.front() {
            let pos = self
                .nack_list
                .partition_point(|e| is_seq_lower_than(e.seq, key_frame));
            if pos > 0 {
                self.nack_list.drain(..pos);
                return true;
            }
            self.key_frames.pop_front();
        }
        false
    }

    fn nack_batch(&mut self, filter: Filter, now_ms: u64, out: &mut [u16]) -> usize {
        let delay = self.send_nack_delay_ms;
        let last_seq = self.last_seq;
        let rtt = if self.rtt_ms > 0 {
            self.rtt_ms
        } else {
            DEFAULT_RTT_MS
        };
        let mut n = 0;
        self.nack_list.retain_mut(|info| {
            if n == out.len() {
                return true;
            }
            if delay > 0 && now_ms.saturating_sub(info.created_at_ms) < delay {
                return true;
            }
            let due = match filter {
                Filter::Seq => {
                    info.sent_at_ms == 0
                        && (info.send_at_seq == last_seq
                            || is_seq_higher_than(last_seq, info.send_at_seq))
                }
                Filter::Time => {
                    info.sent_at_ms == 0 || now_ms.saturating_sub(info.sent_at_ms) >= rtt
                }
            };
            if !due {
                return true;
            }
            out[n] = info.seq;
            n += 1;
            info.retries += 1;
            info.sent_at_ms = now_ms;
            info.retries < MAX_NACK_RETRIES
        });
        n
    }
}

fn contains(set: &VecDeque<u16>, seq: u16) -> bool {
    let pos = set.partition_point(|&v| is_seq_lower_than(v, seq));
    pos < set.len() && set[pos] == seq
}

fn insert_sorted(set: &mut VecDeque<u16>, seq: u16) {
    match set.back() {
        None => set.push_back(seq),
        Some(&last) if is_seq_lower_than(last, seq) => set.push_back(seq),
        _ => {
            let pos = set.partition_point(|&v| is_seq_lower_than(v, seq));
            if pos == set.len() || set[pos] != seq {
                set.insert(pos, seq);
            }
        }
    }
}

/// Remove every value lower than `bound`.
fn remove_older_than(set: &mut VecDeque<u16>, bound: u16) {
    while let Some(&front) = set.front() {
        if is_seq_lower_than(front, bound) {
            set.pop_front();
        } else {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Input {
        seq: u16,
        key_frame: bool,
        first_nacked: u16,
        num_nacked: usize,
        key_frame_required: bool,
    }

    fn row(seq: u16, key_frame: bool, first: u16, num: usize, kf: bool) -> Input {
        Input {
            seq,
            key_frame,
            first_nacked: first,
            num_nacked: num,
            key_frame_required: kf,
        }
    }

    fn validate(inputs: &[Input]) {
        let mut gen = NackGenerator::new(0);
        let mut out = [0u16; MAX_NACK_PACKETS];
        let now = 1000;
        for (i, input) in inputs.iter().enumerate() {
            let o = gen.received_packet(input.seq, input.key_frame, false, now, &mut out);
            assert_eq!(o.nack_count, input.num_nacked, "row {i}");
            if o.nack_count > 0 {
                assert_eq!(out[0], input.first_nacked, "row {i}");
            }
            assert_eq!(o.key_frame_required, input.key_frame_required, "row {i}");
        }
    }

    #[test]
    fn no_nacks_required() {
        let mut rows: Vec<Input> = (2371..=2380).map(|s| row(s, false, 0, 0, false)).collect();
        rows.push(row(2254, false, 0, 0, false));
        rows.push(row(2250, false, 0, 0, false));
        validate(&rows);
    }

    #[test]
    fn nack_for_missing_ordered_packet() {
        validate(&[
            row(2381, false, 0, 0, false),
            row(2383, false, 2382, 1, false),
        ]);
    }

    #[test]
    fn wrap_without_loss() {
        validate(&[
            row(65534, false, 0, 0, false),
            row(65535, false, 0, 0, false),
            row(0, false, 0, 0, false),
        ]);
    }

    #[test]
    fn nack_after_wrap() {
        validate(&[
            row(65534, false, 0, 0, false),
            row(65535, false, 0, 0, false),
            row(1, false, 0, 1, false),
        ]);
    }

    #[test]
    fn nack_after_wrap_and_another() {
        validate(&[
            row(65534, false, 0, 0, false),
            row(65535, false, 0, 0, false),
            row(1, false, 0, 1, false),
            row(11, false, 2, 9, false),
            row(12, true, 0, 0, false),
            row(13, true, 0, 0, false),
        ]);
    }

    #[test]
    fn intercalated_missing() {
        validate(&[
            row(1, false, 0, 0, false),
            row(3, false, 2, 1, false),
            row(5, false, 4, 1, false),
            row(7, false, 6, 1, false),
            row(9, false, 8, 1, false),
        ]);
    }

    #[test]
    fn non_contiguous_intercalated_missing() {
        validate(&[
            row(1, false, 0, 0, false),
            row(3, false, 2, 1, false),
            row(7, false, 4, 3, false),
            row(9, false, 8, 1, false),
        ]);
    }

    #[test]
    fn big_jump() {
        validate(&[
            row(1, false, 0, 0, false),
            row(300, false, 2, 298, false),
            row(3, false, 0, 0, false),
            row(4, false, 0, 0, false),
            row(5, false, 0, 0, false),
        ]);
    }

    #[test]
    fn key_frame_required_when_list_too_large() {
        validate(&[row(1, false, 0, 0, false), row(3000, false, 0, 0, true)]);
    }

    #[test]
    fn list_shrinks_to_last_key_frame_before_giving_up() {
        let mut gen = NackGenerator::new(0);
        let mut out = [0u16; MAX_NACK_PACKETS];
        gen.received_packet(1, false, false, 0, &mut out);
        // 500 missing (2..=501).
        gen.received_packet(502, false, false, 0, &mut out);
        // Key frame at 503; 1..=502 older than it.
        gen.received_packet(503, true, false, 0, &mut out);
        assert_eq!(gen.nack_list_len(), 500);
        // 600 more missing: 1100 > 1000, entries before the key frame go.
        let o = gen.received_packet(1104, false, false, 0, &mut out);
        assert!(!o.key_frame_required);
        assert_eq!(gen.nack_list_len(), 600);
        assert_eq!(o.nack_count, 600);
        assert_eq!(out[0], 504);
    }

    #[test]
    fn late_packets_leave_the_list() {
        let mut gen = NackGenerator::new(0);
        let mut out = [0u16; MAX_NACK_PACKETS];
        gen.received_packet(300, false, false, 0, &mut out);
        gen.received_packet(305, false, false, 0, &mut out);
        assert_eq!(gen.nack_list_len(), 4);
        assert!(
            gen.received_packet(302, false, false, 1, &mut out)
                .was_nacked
        );
        assert!(
            !gen.received_packet(302, false, false, 1, &mut out)
                .was_nacked
        );
        assert_eq!(gen.nack_list_len(), 3);
    }

    #[test]
    fn timer_retries_respect_rtt_until_limit() {
        let mut gen = NackGenerator::new(0);
        let mut out = [0u16; 64];
        let mut now = 10_000u64;
        gen.received_packet(10, false, false, now, &mut out);
        let o = gen.received_packet(12, false, false, now, &mut out);
        assert_eq!((o.nack_count, out[0]), (1, 11));
        assert_eq!(gen.poll_timeout(), Some(now + TIMER_INTERVAL_MS));

        gen.update_rtt(100);
        let mut sends = 1;
        // Before the deadline nothing happens.
        assert_eq!(gen.handle_timeout(now + 39, &mut out), 0);
        while let Some(deadline) = gen.poll_timeout() {
            assert!(deadline > now);
            let elapsed_since_send = deadline - now;
            now = deadline;
            let n = gen.handle_timeout(now, &mut out);
            if n > 0 {
                assert_eq!(out[0], 11);
                assert!(elapsed_since_send >= 40);
                sends += 1;
            }
            assert!(sends <= MAX_NACK_RETRIES as usize);
            if now > 100_000 {
                panic!("timer never stopped");
            }
        }
        assert_eq!(sends, MAX_NACK_RETRIES as usize);
        assert_eq!(gen.nack_list_len(), 0);
    }

    #[test]
    fn retries_are_spaced_by_rtt() {
        let mut gen = NackGenerator::new(0);
        let mut out = [0u16; 64];
        let t0 = 50_000;
        gen.received_packet(10, false, false, t0, &mut out);
        gen.received_packet(12, false, false, t0, &mut out); // first send
        gen.update_rtt(200);
        let mut sent_at = vec![t0];
        let mut now = t0;
        while let Some(d) = gen.poll_timeout() {
            now = d;
            if gen.handle_timeout(now, &mut out) > 0 {
                sent_at.push(now);
            }
            if now > t0 + 10_000 {
                break;
            }
        }
        assert_eq!(sent_at.len(), 10);
        for w in sent_at.windows(2) {
            assert!(w[1] - w[0] >= 200, "{sent_at:?}");
            assert!(w[1] - w[0] < 240, "{sent_at:?}");
        }
        assert!(now >= t0 + 1800);
    }

    #[test]
    fn send_nack_delay_defers_first_request() {
        let mut gen = NackGenerator::new(10);
        let mut out = [0u16; 64];
        gen.received_packet(1, false, false, 0, &mut out);
        let o = gen.received_packet(3, false, false, 0, &mut out);
        assert_eq!(o.nack_count, 0);
        // A later packet after the delay triggers the SEQ filter.
        let o = gen.received_packet(4, false, false, 12, &mut out);
        assert_eq!((o.nack_count, out[0]), (1, 2));
    }

    #[test]
    fn no_nack_for_recovered_packets() {
        let mut gen = NackGenerator::new(0);
        let mut out = [0u16; 64];
        gen.received_packet(1, false, false, 0, &mut out);
        gen.received_packet(2, false, false, 0, &mut out);
        // 3 arrives through RTX before the original: let it through, no NACK.
        let o = gen.received_packet(3, false, true, 0, &mut out);
        assert!(o.was_nacked);
        assert_eq!(o.nack_count, 0);
        // Same again: ignored.
        let o = gen.received_packet(3, false, true, 0, &mut out);
        assert!(!o.was_nacked);
        // Original arrives later: nothing to do.
        let o = gen.received_packet(3, false, false, 0, &mut out);
        assert_eq!(o, NackOutcome::default());
        // A recovered old packet not in the list: not accepted.
        let o = gen.received_packet(1, false, true, 0, &mut out);
        assert!(!o.was_nacked);
        // Real loss still NACKed.
        let o = gen.received_packet(5, false, false, 0, &mut out);
        assert_eq!((o.nack_count, out[0]), (1, 4));
        // Its retransmission through RTX is a NACKed packet.
        let o = gen.received_packet(4, false, true, 5, &mut out);
        assert!(o.was_nacked);
        assert_eq!(gen.nack_list_len(), 0);
    }

    #[test]
    fn small_output_buffer_defers_rest() {
        let mut gen = NackGenerator::new(0);
        let mut out = [0u16; 4];
        gen.received_packet(1, false, false, 1000, &mut out);
        let o = gen.received_packet(12, false, false, 1000, &mut out);
        assert_eq!(o.nack_count, 4);
        assert_eq!(&out, &[2, 3, 4, 5]);
        // The rest goes on the timer.
        let n = gen.handle_timeout(1040, &mut out);
        assert_eq!(n, 4);
        assert_eq!(&out, &[6, 7, 8, 9]);
    }

    #[test]
    fn reset_forgets_everything() {
        let mut gen = NackGenerator::new(0);
        let mut out = [0u16; 64];
        gen.received_packet(1, false, false, 0, &mut out);
        gen.received_packet(5, false, false, 0, &mut out);
        gen.reset();
        assert_eq!(gen.nack_list_len(), 0);
        // Next packet restarts the generator: no NACK for the gap.
        let o = gen.received_packet(100, false, false, 0, &mut out);
        assert_eq!(o.nack_count, 0);
    }

    #[test]
    fn pack_items() {
        let seqs = [2u16, 3, 5, 18, 19, 40, 65535, 0, 16];
        let mut items = [NackItem::default(); 8];
        let n = pack_nack_items(&seqs, &mut items);
        assert_eq!(
            &items[..n],
            &[
                NackItem {
                    pid: 2,
                    blp: 0b1000_0000_0000_0101
                },
                NackItem { pid: 19, blp: 0 },
                NackItem { pid: 40, blp: 0 },
                NackItem { pid: 65535, blp: 1 },
                NackItem { pid: 16, blp: 0 },
            ]
        );
        assert_eq!(items[0].count_requested(), 4);
        assert_eq!(items[0].seqs().collect::<Vec<_>>(), vec![2, 3, 5, 18]);
        let total: usize = items[..n].iter().map(|i| i.count_requested()).sum();
        assert_eq!(total, seqs.len());
    }
}
