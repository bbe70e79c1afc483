//! Send-side retransmission buffer (mediasoup `RetransmissionBuffer`).
//!
//! A window of sent packets addressable by sequence number, kept ordered by
//! sequence number with blank slots for holes, whose timestamps span at most
//! `max_retransmission_delay_ms` (2000 ms for video, 1000 ms for audio in
//! `RtpStreamSend`) and whose length (holes included) is at most `max_items`
//! (2500 in `RtpStreamSend`).
//!
//! Memory: the index ring (`max_items` small entries) is allocated at
//! construction. Packet bytes live in slots of [`MTU_SIZE`] bytes taken from
//! a pool that grows in chunks of [`SLOTS_PER_CHUNK`] slots up to `max_items`
//! slots; freed slots are reused, so once the pool covers the steady-state
//! window (≈ packet rate × delay) storing a packet never allocates. Call
//! [`RetransmissionBuffer::preallocate`] to allocate the whole pool up front
//! (3.75 MB for 2500 items).

use super::seq::{is_seq_higher_than, is_seq_lower_than};

/// Largest packet that can be stored.
pub const MTU_SIZE: usize = 1500;
/// Slots allocated at once when the pool grows.
pub const SLOTS_PER_CHUNK: usize = 32;

const NO_SLOT: u32 = u32::MAX;

/// What is known about a stored packet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetransmissionMeta {
    pub ssrc: u32,
    pub seq: u16,
    pub timestamp: u32,
    pub marker: bool,
    /// Last time it was retransmitted (0: never).
    pub resent_at_ms: u64,
    /// How many times it was retransmitted.
    pub sent_times: u8,
    /// Stored bytes.
    pub len: u16,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    slot: u32,
    meta: RetransmissionMeta,
}

const BLANK: Entry = Entry {
    slot: NO_SLOT,
    meta: RetransmissionMeta {
        ssrc: 0,
        seq: 0,
        timestamp: 0,
        marker: false,
        resent_at_ms: 0,
        sent_times: 0,
        len: 0,
    },
};

impl Entry {
    #[inline]
    fn present(&self) -> bool {
        self.slot != NO_SLOT
    }
}

/// Packets sent recently, for retransmission on NACK.
#[derive(Debug)]
pub struct RetransmissionBuffer {
    max_items: usize,
    max_delay_ms: u32,
    clock_rate: u32,
    ring: Box<[Entry]>,
    head: usize,
    len: usize,
    chunks: Vec<Box<[u8]>>,
    free: Vec<u32>,
    stored: usize,
}

#[inline]
fn ts_higher(a: u32, b: u32) -> bool {
    is_seq_higher_than(a, b)
}

#[inline]
fn ts_lower(a: u32, b: u32) -> bool {
    is_seq_lower_than(a, b)
}

impl RetransmissionBuffer {
    /// `max_items` is clamped to `1..=65535`.
    pub fn new(max_items: usize, max_delay_ms: u32, clock_rate: u32) -> Self {
        let max_items = max_items.clamp(1, u16::MAX as usize);
        let num_chunks = max_items.div_ceil(SLOTS_PER_CHUNK);
        Self {
            max_items,
            max_delay_ms,
            clock_rate,
            ring: vec![BLANK; max_items].into_boxed_slice(),
            head: 0,
            len: 0,
            chunks: Vec::with_capacity(num_chunks),
            free: Vec::with_capacity(num_chunks * SLOTS_PER_CHUNK),
            stored: 0,
        }
    }

    /// Allocate every byte slot now.
    pub fn preallocate(&mut self) {
        while self.grow_pool() {}
    }

    pub fn max_items(&self) -> usize {
        self.max_items
    }

    /// Length of the window, blank slots included.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Number of packets stored.
    pub fn stored_count(&self) -> usize {
        self.stored
    }

    /// Bytes currently reserved for packet storage.
    pub fn pool_bytes(&self) -> usize {
        self.chunks.len() * SLOTS_PER_CHUNK * MTU_SIZE
    }

    #[inline]
    fn phys(&self, idx: usize) -> usize {
        let p = self.head + idx;
        if p >= self.max_items {
            p - self.max_items
        } else {
            p
        }
    }

    #[inline]
    fn at(&self, idx: usize) -> &Entry {
        &self.ring[self.phys(idx)]
    }

    fn grow_pool(&mut self) -> bool {
        let total = self.chunks.len() * SLOTS_PER_CHUNK;
        if total >= self.max_items {
            return false;
        }
        let first = total as u32;
        self.chunks
            .push(vec![0u8; SLOTS_PER_CHUNK * MTU_SIZE].into_boxed_slice());
        for i in (0..SLOTS_PER_CHUNK as u32).rev() {
            self.free.push(first + i);
        }
        true
    }

    fn new_entry(&mut self, meta: RetransmissionMeta, bytes: &[u8]) -> Entry {
        if self.free.is_empty() {
            self.grow_pool();
        }
        let slot = self
            .free
            .pop()
            .expect("retransmission pool exhausted (live items exceed max_items)");
        let (c, o) = slot_pos(slot);
        self.chunks[c][o..o + bytes.len()].copy_from_slice(bytes);
        self.stored += 1;
        Entry {
            slot,
            meta: RetransmissionMeta {
                len: bytes.len() as u16,
                ..meta
            },
        }
    }

    fn release(&mut self, entry: &Entry) {
        if entry.present() {
            self.free.push(entry.slot);
            self.stored -= 1;
        }
    }

    fn push_back(&mut self, entry: Entry) {
        let p = self.phys(self.len);
        self.ring[p] = entry;
        self.len += 1;
    }

    fn push_front(&mut self, entry: Entry) {
        self.head = if self.head == 0 {
            self.max_items - 1
        } else {
            self.head - 1
        };
        self.ring[self.head] = entry;
        self.len += 1;
    }

    fn pop_front(&mut self) {
        let entry = self.ring[self.head];
        self.release(&entry);
        self.ring[self.head] = BLANK;
        self.head = self.phys(1);
        self.len -= 1;
    }

    /// Remove the oldest packet and the blank slots following it.
    fn remove_oldest(&mut self) {
        if self.len == 0 {
            return;
        }
        self.pop_front();
        while self.len > 0 && !self.at(0).present() {
            self.pop_front();
        }
    }

    fn remove_oldest_n(&mut self, n: usize) {
        let target = self.len.saturating_sub(n);
        while self.len > target {
            self.remove_oldest();
        }
    }

    /// Forget every packet.
    pub fn clear(&mut self) {
        while self.len > 0 {
            self.pop_front();
        }
        self.head = 0;
    }

    fn is_too_old_timestamp(&self, ts: u32, newest_ts: u32) -> bool {
        if ts_higher(ts, newest_ts) || self.clock_rate == 0 {
            return false;
        }
        let diff = u64::from(newest_ts.wrapping_sub(ts));
        (diff * 1000 / u64::from(self.clock_rate)) as u32 > self.max_delay_ms
    }

    fn clear_too_old_by_timestamp(&mut self, newest_ts: u32) -> bool {
        let mut removed = false;
        while self.len > 0 && self.is_too_old_timestamp(self.at(0).meta.timestamp, newest_ts) {
            self.remove_oldest();
            removed = true;
        }
        removed
    }

    fn index_of(&self, seq: u16) -> Option<usize> {
        if self.len == 0 {
            return None;
        }
        let oldest = self.at(0).meta.seq;
        if is_seq_lower_than(seq, oldest) {
            return None;
        }
        let idx = usize::from(seq.wrapping_sub(oldest));
        (idx < self.len && self.at(idx).present()).then_some(idx)
    }

    /// Stored packet with sequence number `seq`.
    pub fn get(&self, seq: u16) -> Option<(&[u8], &RetransmissionMeta)> {
        let idx = self.index_of(seq)?;
        let entry = self.at(idx);
        let (c, o) = slot_pos(entry.slot);
        Some((
            &self.chunks[c][o..o + usize::from(entry.meta.len)],
            &entry.meta,
        ))
    }

    /// Stored packet with sequence number `seq`, with mutable metadata.
    pub fn get_mut(&mut self, seq: u16) -> Option<(&[u8], &mut RetransmissionMeta)> {
        let idx = self.index_of(seq)?;
        let p = self.phys(idx);
        let entry = &mut self.ring[p];
        let (c, o) = slot_pos(entry.slot);
        Some((
            &self.chunks[c][o..o + usize::from(entry.meta.len)],
            &mut entry.meta,
        ))
    }

    /// Store a sent packet (`bytes` is the whole packet as sent). Returns
    /// whether it was stored: packets larger than [`MTU_SIZE`], duplicates,
    /// packets too old for the window and packets whose timestamp does not fit
    /// the seq/timestamp order of the window are not.
    pub fn store(
        &mut self,
        ssrc: u32,
        seq: u16,
        timestamp: u32,
        marker: bool,
        bytes: &[u8],
    ) -> bool {
        if bytes.len() > MTU_SIZE {
            return false;
        }
        let meta = RetransmissionMeta {
            ssrc,
            seq,
            timestamp,
            marker,
            ..Default::default()
        };

        if self.len == 0 {
            let e = self.new_entry(meta, bytes);
            self.push_back(e);
            return true;
        }

        let mut oldest = self.at(0).meta;
        let mut newest = self.at(self.len - 1).meta;

        // Older seq but newer timestamp than the newest: the sender restarted.
        if is_seq_lower_than(seq, newest.seq) && ts_higher(timestamp, newest.timestamp) {
            self.clear();
            let e = self.new_entry(meta, bytes);
            self.push_back(e);
            return true;
        }

        let newest_ts = if ts_higher(timestamp, newest.timestamp) {
            timestamp
        } else {
            newest.timestamp
        };

        if self.clear_too_old_by_timestamp(newest_ts) {
            if self.len == 0 {
                let e = self.new_entry(meta, bytes);
                self.push_back(e);
                return true;
            }
            oldest = self.at(0).meta;
            newest = self.at(self.len - 1).meta;
        }

        if is_seq_higher_than(seq, newest.seq) {
            // In order: becomes the newest.
            if ts_lower(timestamp, newest.timestamp) {
                return false;
            }
            let mut blanks = usize::from(seq.wrapping_sub(newest.seq).wrapping_sub(1));
            if self.len + blanks + 1 > self.max_items {
                let to_remove = self.len + blanks + 1 - self.max_items;
                if to_remove > self.len - 1 {
                    blanks = 0;
                    self.clear();
                } else {
                    self.remove_oldest_n(to_remove);
                }
            }
            for _ in 0..blanks {
                self.push_back(BLANK);
            }
            let e = self.new_entry(meta, bytes);
            self.push_back(e);
        } else if is_seq_lower_than(seq, oldest.seq) {
            // Older than the oldest: becomes the oldest.
            if self.is_too_old_timestamp(timestamp, newest.timestamp) {
                return false;
            }
            if ts_higher(timestamp, oldest.timestamp) {
                return false;
            }
            let blanks = usize::from(oldest.seq.wrapping_sub(seq).wrapping_sub(1));
            if self.len + blanks + 1 > self.max_items {
                return false;
            }
            for _ in 0..blanks {
                self.push_front(BLANK);
            }
            let e = self.new_entry(meta, bytes);
            self.push_front(e);
        } else {
            // Within the window: fills a blank slot.
            if self.index_of(seq).is_some() {
                return false;
            }
            let idx = usize::from(seq.wrapping_sub(oldest.seq));
            for i in (0..idx).rev() {
                let older = self.at(i);
                if !older.present() {
                    continue;
                }
                if timestamp >= older.meta.timestamp {
                    break;
                }
                return false;
            }
            for i in idx + 1..self.len {
                let newer = self.at(i);
                if !newer.present() {
                    continue;
                }
                if timestamp <= newer.meta.timestamp {
                    break;
                }
                return false;
            }
            let e = self.new_entry(meta, bytes);
            let p = self.phys(idx);
            self.ring[p] = e;
        }

        debug_assert!(self.len <= self.max_items);
        true
    }

    /// Serve one NACK item (`pid` and the 16-bit bitmask `blp`): every
    /// requested packet still stored and not already resent within the last
    /// `rtt_ms` (100 ms if 0) is marked as resent now and handed to `visit`
    /// in order. Returns how many were handed over.
    pub fn handle_nack(
        &mut self,
        pid: u16,
        blp: u16,
        now_ms: u64,
        rtt_ms: u64,
        mut visit: impl FnMut(&[u8], &RetransmissionMeta),
    ) -> usize {
        let rtt = if rtt_ms > 0 { rtt_ms } else { DEFAULT_RTT_MS };
        let mut resent = 0;
        let mut seq = pid;
        let mut requested = true;
        let mut bitmask = blp;
        while requested || bitmask != 0 {
            if requested {
                if let Some((bytes, meta)) = self.get_mut(seq) {
                    if meta.resent_at_ms == 0 || now_ms.saturating_sub(meta.resent_at_ms) > rtt {
                        meta.resent_at_ms = now_ms;
                        meta.sent_times = meta.sent_times.saturating_add(1);
                        visit(bytes, meta);
                        resent += 1;
                    }
                }
            }
            requested = bitmask & 1 != 0;
            bitmask >>= 1;
            seq = seq.wrapping_add(1);
        }
        resent
    }

    /// `(seq, timestamp)` of every slot, `None` for blanks, oldest first.
    #[doc(hidden)]
    pub fn layout(&self) -> Vec<Option<(u16, u32)>> {
        (0..self.len)
            .map(|i| {
                let e = self.at(i);
                e.present().then_some((e.meta.seq, e.meta.timestamp))
            })
            .collect()
    }
}

/// RTT assumed while none is known (ms).
pub const DEFAULT_RTT_MS: u64 = 100;

#[inline]
fn slot_pos(slot: u32) -> (usize, usize) {
    let s = slot as usize;
    (s / SLOTS_PER_CHUNK, (s % SLOTS_PER_CHUNK) * MTU_SIZE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buf(max: usize) -> RetransmissionBuffer {
        RetransmissionBuffer::new(max, 2000, 90000)
    }

    fn ins(b: &mut RetransmissionBuffer, seq: u16, ts: u32) -> bool {
        let bytes = [seq as u8; 12];
        b.store(1234, seq, ts, false, &bytes)
    }

    fn check(b: &RetransmissionBuffer, want: &[Option<(u16, u32)>]) {
        assert_eq!(b.layout(), want);
        let present = want.iter().filter(|w| w.is_some()).count();
        assert_eq!(b.stored_count(), present);
    }

    #[test]
    fn in_order() {
        let mut b = buf(4);
        ins(&mut b, 10001, 1000000000);
        ins(&mut b, 10002, 1000000000);
        ins(&mut b, 10003, 1000000200);
        ins(&mut b, 10004, 1000000200);
        check(
            &b,
            &[
                Some((10001, 1000000000)),
                Some((10002, 1000000000)),
                Some((10003, 1000000200)),
                Some((10004, 1000000200)),
            ],
        );
    }

    #[test]
    fn out_of_order() {
        let mut b = buf(4);
        ins(&mut b, 20004, 2000000200);
        ins(&mut b, 20001, 2000000000);
        ins(&mut b, 20003, 2000000200);
        ins(&mut b, 20002, 2000000000);
        check(
            &b,
            &[
                Some((20001, 2000000000)),
                Some((20002, 2000000000)),
                Some((20003, 2000000200)),
                Some((20004, 2000000200)),
            ],
        );
    }

    #[test]
    fn too_new_seq_empties_buffer() {
        let mut b = buf(4);
        ins(&mut b, 30001, 3000000000);
        ins(&mut b, 30002, 3000000000);
        ins(&mut b, 30003, 3000000200);
        ins(&mut b, 40000, 3000003000);
        check(&b, &[Some((40000, 3000003000))]);
    }

    #[test]
    fn blank_slots() {
        let mut b = buf(10);
        ins(&mut b, 40002, 4000000002);
        assert!(!ins(&mut b, 40003, 4000000001));
        ins(&mut b, 40004, 4000000004);
        assert!(!ins(&mut b, 40002, 4000000002));
        ins(&mut b, 40008, 4000000008);
        ins(&mut b, 40006, 4000000006);
        ins(&mut b, 40000, 4000000000);
        check(
            &b,
            &[
                Some((40000, 4000000000)),
                None,
                Some((40002, 4000000002)),
                None,
                Some((40004, 4000000004)),
                None,
                Some((40006, 4000000006)),
                None,
                Some((40008, 4000000008)),
            ],
        );
        assert!(b.get(40001).is_none());
        assert_eq!(b.get(40006).unwrap().0, &[40006u16 as u8; 12]);
        assert!(b.get(39999).is_none());
        assert!(b.get(40009).is_none());
    }

    #[test]
    fn too_old_seq_discarded() {
        let mut b = buf(4);
        ins(&mut b, 10001, 1000000001);
        ins(&mut b, 10002, 1000000002);
        ins(&mut b, 10003, 1000000003);
        assert!(!ins(&mut b, 40000, 1000000000));
        check(
            &b,
            &[
                Some((10001, 1000000001)),
                Some((10002, 1000000002)),
                Some((10003, 1000000003)),
            ],
        );
    }

    #[test]
    fn too_old_timestamp_discarded() {
        let mut b = buf(4);
        let max_diff_ts = 2000 * 90000 / 1000;
        ins(&mut b, 10001, 1000000001);
        ins(&mut b, 10002, 1000000002);
        ins(&mut b, 10003, 1000000003);
        assert!(!ins(&mut b, 10000, 1000000003 - max_diff_ts - 100));
        check(
            &b,
            &[
                Some((10001, 1000000001)),
                Some((10002, 1000000002)),
                Some((10003, 1000000003)),
            ],
        );
    }

    #[test]
    fn newest_timestamp_with_old_seq_becomes_only_item() {
        let mut b = buf(4);
        ins(&mut b, 24816, 1024930187);
        ins(&mut b, 24980, 1025106407);
        ins(&mut b, 18365, 1026593387);
        check(&b, &[Some((18365, 1026593387))]);
    }

    #[test]
    fn lower_seq_higher_timestamp_empties() {
        let mut b = buf(4);
        ins(&mut b, 33331, 1000000001);
        ins(&mut b, 33332, 1000000002);
        ins(&mut b, 33330, 1000000003);
        check(&b, &[Some((33330, 1000000003))]);
    }

    #[test]
    fn fuzzer_packets() {
        let mut b = buf(2500);
        ins(&mut b, 12645, 828702743);
        ins(&mut b, 33998, 2228092928);
        ins(&mut b, 33998, 2228092928);
        assert!(b.len() <= 2500);
    }

    #[test]
    fn eviction_by_age() {
        // 30 fps video, 3 packets per frame, 4 s of traffic.
        let mut b = buf(2500);
        let mut seq = 100u16;
        for frame in 0..120u32 {
            for _ in 0..3 {
                assert!(ins(&mut b, seq, 5000 + frame * 3000));
                seq += 1;
            }
        }
        // Newest ts = 5000 + 119*3000; anything older than 2000 ms (180000)
        // is gone: frames >= 59 are kept (diff 60*3000 = 180000 is not > max).
        let layout = b.layout();
        assert_eq!(layout.first().unwrap().unwrap().1, 5000 + 59 * 3000);
        assert_eq!(layout.len(), 61 * 3);
        assert!(b.get(100).is_none());
        assert!(b.get(seq - 1).is_some());
    }

    #[test]
    fn eviction_by_capacity() {
        let mut b = buf(8);
        for s in 0..20u16 {
            assert!(ins(&mut b, s, 1000 + s as u32));
        }
        assert_eq!(b.len(), 8);
        assert_eq!(b.layout().first().unwrap().unwrap().0, 12);
        // A gap that needs more room removes the oldest ones.
        assert!(ins(&mut b, 23, 2000));
        assert_eq!(b.len(), 8);
        assert_eq!(
            b.layout(),
            vec![
                Some((16, 1016)),
                Some((17, 1017)),
                Some((18, 1018)),
                Some((19, 1019)),
                None,
                None,
                None,
                Some((23, 2000)),
            ]
        );
        // A packet older than the window that does not fit is refused.
        assert!(!ins(&mut b, 14, 1014));
        // Pool never exceeds what max_items needs.
        assert!(b.pool_bytes() <= SLOTS_PER_CHUNK * MTU_SIZE);
    }

    #[test]
    fn big_packets_are_not_stored() {
        let mut b = buf(8);
        assert!(!b.store(1, 1, 1, false, &[0u8; MTU_SIZE + 1]));
        assert!(b.store(1, 1, 1, true, &[7u8; MTU_SIZE]));
        let (bytes, meta) = b.get(1).unwrap();
        assert_eq!(bytes.len(), MTU_SIZE);
        assert!(meta.marker);
    }

    #[test]
    fn resend_respects_rtt_spacing() {
        let mut b = buf(100);
        for s in 0..10u16 {
            ins(&mut b, s, 1000);
        }
        let mut seen = Vec::new();
        // pid 2 + bitmask for 3 and 5.
        let n = b.handle_nack(2, 0b101, 10_000, 50, |bytes, m| {
            seen.push((m.seq, bytes[0], m.sent_times))
        });
        assert_eq!(n, 3);
        assert_eq!(seen, vec![(2, 2, 1), (3, 3, 1), (5, 5, 1)]);
        // Again within the RTT: nothing.
        assert_eq!(b.handle_nack(2, 0b101, 10_050, 50, |_, _| {}), 0);
        // After the RTT: resent.
        seen.clear();
        let n = b.handle_nack(2, 0, 10_051, 50, |_, m| seen.push((m.seq, 0, m.sent_times)));
        assert_eq!(n, 1);
        assert_eq!(seen, vec![(2, 0, 2)]);
        // Default RTT of 100 ms when unknown.
        assert_eq!(b.handle_nack(3, 0, 10_100, 0, |_, _| {}), 0);
        assert_eq!(b.handle_nack(3, 0, 10_101, 0, |_, _| {}), 1);
        // Unknown packets are skipped.
        assert_eq!(b.handle_nack(50, 0xffff, 10_101, 0, |_, _| {}), 0);
    }

    #[test]
    fn clear_releases_slots() {
        let mut b = buf(100);
        for s in 0..50u16 {
            ins(&mut b, s, 1000);
        }
        let pool = b.pool_bytes();
        b.clear();
        assert_eq!(b.stored_count(), 0);
        assert!(b.is_empty());
        for s in 1000..1050u16 {
            ins(&mut b, s, 1000);
        }
        assert_eq!(b.pool_bytes(), pool);
        b.preallocate();
        assert_eq!(b.pool_bytes(), 4 * SLOTS_PER_CHUNK * MTU_SIZE);
    }

    #[test]
    fn wraps_seq_space() {
        let mut b = buf(50);
        let mut ts = 0u32;
        for i in 0..200u32 {
            let s = (65500 + i) as u16;
            ts += 10;
            assert!(ins(&mut b, s, ts));
        }
        assert_eq!(b.len(), 50);
        assert!(b.get(((65500 + 199) % 65536) as u16).is_some());
        assert!(b.get(((65500 + 150) % 65536) as u16).is_some());
        assert!(b.get(((65500 + 149) % 65536) as u16).is_none());
    }
}
