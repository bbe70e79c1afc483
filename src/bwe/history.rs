//! What a transport sent with a transport-wide sequence number (send time,
//! size, probe cluster), and how transport-cc feedback maps onto it: one
//! `PacketResult` per reported packet, arrival times on one continuous
//! clock across feedback packets.

use crate::rtcp::TransportCc;

/// Packets remembered (a second of 4 Mbit/s in 500-byte packets).
/// The ring starts this small (most transports send a few hundred packets
/// a second) and doubles, up to MAX_RING, when a packet would overwrite one
/// sent within `KEEP_US` that no feedback reported yet: memory follows the
/// rate, and nothing is allocated per packet once it has grown.
const MIN_RING: usize = 1 << 8;
const MAX_RING: usize = 1 << 13;
const KEEP_US: u64 = 1_000_000;
/// Unit of the receive deltas a feedback carries (µs).
const DELTA_TICK_US: i64 = 250;

#[derive(Clone, Copy, Default)]
struct Slot {
    /// Unwrapped sequence number + 1 (0: empty).
    tag: u64,
    send_us: u64,
    size: u32,
    /// Probe cluster id + 1 (0: not a probe).
    probe: u16,
    /// Reported received already (a later report of it is ignored).
    acked: bool,
}

/// One packet as a feedback reported it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PacketResult {
    pub send_us: u64,
    pub size: u32,
    /// On the remote clock (µs, continuous across feedbacks); None: lost.
    pub arrival_us: Option<i64>,
    pub probe_cluster: Option<u16>,
}

pub struct SentHistory {
    ring: Box<[Slot]>,
    /// Highest unwrapped sequence number sent.
    highest: Option<u64>,
    /// Reference time (ms) of the previous feedback and the arrival clock
    /// (µs) it stood for.
    last_reference_ms: Option<i64>,
    arrival_base_us: i64,
}

impl Default for SentHistory {
    fn default() -> Self {
        SentHistory {
            ring: vec![Slot::default(); MIN_RING].into_boxed_slice(),
            highest: None,
            last_reference_ms: None,
            arrival_base_us: 0,
        }
    }
}

impl SentHistory {
    fn unwrap(&self, seq: u16) -> Option<u64> {
        match self.highest {
            None => Some(u64::from(seq) + (1 << 16)),
            Some(highest) => {
                let delta = seq.wrapping_sub(highest as u16) as i16;
                highest.checked_add_signed(i64::from(delta))
            }
        }
    }

    /// A packet carrying transport-wide `seq` went out.
    pub fn on_sent(&mut self, seq: u16, size: usize, send_us: u64, probe_cluster: Option<u16>) {
        let Some(ext) = self.unwrap(seq) else {
            return;
        };
        if self.highest.is_none_or(|h| ext > h) {
            self.highest = Some(ext);
        }
        let len = self.ring.len();
        let old = self.ring[ext as usize % len];
        let in_flight = old.tag != 0 && !old.acked && send_us.saturating_sub(old.send_us) < KEEP_US;
        if in_flight && len < MAX_RING {
            self.grow();
        }
        let len = self.ring.len();
        self.ring[ext as usize % len] = Slot {
            tag: ext + 1,
            send_us,
            size: size.min(u32::MAX as usize) as u32,
            probe: probe_cluster.map_or(0, |c| c.wrapping_add(1)),
            acked: false,
        };
    }

    /// Twice the room, every slot moved to its place in the new ring.
    fn grow(&mut self) {
        let mut ring = vec![Slot::default(); self.ring.len() * 2].into_boxed_slice();
        let len = ring.len();
        for slot in self.ring.iter().filter(|s| s.tag != 0) {
            ring[(slot.tag - 1) as usize % len] = *slot;
        }
        self.ring = ring;
    }

    /// Maps a feedback onto what was sent: appends one result per reported
    /// packet still remembered (and not reported received before) to `out`.
    pub fn on_feedback(&mut self, feedback: &TransportCc, out: &mut Vec<PacketResult>) {
        let reference_ms = feedback.reference_time_ms();
        match self.last_reference_ms {
            None => self.arrival_base_us = 0,
            Some(previous) => self.arrival_base_us += feedback.base_delta_ms(previous) * 1000,
        }
        self.last_reference_ms = Some(reference_ms);
        let mut arrival_us = self.arrival_base_us;
        let _ = feedback.for_each(|seq, delta| {
            if let Some(delta) = delta {
                arrival_us += i64::from(delta) * DELTA_TICK_US;
            }
            let Some(ext) = self.unwrap(seq) else {
                return;
            };
            let len = self.ring.len();
            let slot = &mut self.ring[ext as usize % len];
            if slot.tag != ext + 1 || slot.acked {
                return;
            }
            slot.acked = delta.is_some();
            out.push(PacketResult {
                send_us: slot.send_us,
                size: slot.size,
                arrival_us: delta.map(|_| arrival_us),
                probe_cluster: slot.probe.checked_sub(1),
            });
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rtcp::{iter_compound, write_transport_cc, RtcpPacket};

    /// A feedback for `statuses` from `base_seq`, reference time `ref_64ms`.
    fn feedback(base_seq: u16, ref_64ms: i32, statuses: &[Option<i16>]) -> Vec<u8> {
        let mut buf = vec![0u8; 1500];
        let n = write_transport_cc(&mut buf, 1, 2, base_seq, ref_64ms, 0, statuses).unwrap();
        buf.truncate(n);
        buf
    }

    fn results(h: &mut SentHistory, bytes: &[u8]) -> Vec<PacketResult> {
        let Some(Ok(RtcpPacket::TransportCc(fb))) = iter_compound(bytes).next() else {
            panic!("not a feedback");
        };
        let mut out = Vec::new();
        h.on_feedback(&fb, &mut out);
        out
    }

    #[test]
    fn results_follow_sends_and_one_arrival_clock() {
        let mut h = SentHistory::default();
        for i in 0..6u16 {
            h.on_sent(
                65533u16.wrapping_add(i),
                1000 + usize::from(i),
                10_000 * u64::from(i),
                (i == 5).then_some(7),
            );
        }
        // 65533 received, 65534 lost, 65535 and 0 received 1 ms apart.
        let r = results(
            &mut h,
            &feedback(65533, 10, &[Some(4), None, Some(4), Some(4)]),
        );
        assert_eq!(r.len(), 4);
        assert_eq!(r[0].arrival_us, Some(1000));
        assert_eq!(r[1].arrival_us, None);
        assert_eq!(r[2].arrival_us, Some(2000));
        assert_eq!(r[3].arrival_us, Some(3000));
        assert_eq!(r[3].send_us, 30_000);
        assert_eq!(r[3].size, 1003);
        // The next feedback (reference 2 ticks = 128 ms later) continues the
        // clock; 0 again is ignored, the lost 65534 may still arrive.
        let r = results(
            &mut h,
            &feedback(65534, 12, &[Some(0), None, Some(0), Some(0), Some(4)]),
        );
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].arrival_us, Some(128_000));
        assert_eq!(r[2].probe_cluster, Some(7));
        assert_eq!(r[2].arrival_us, Some(129_000));
    }

    #[test]
    fn unknown_and_stale_sequence_numbers_are_ignored() {
        let mut h = SentHistory::default();
        h.on_sent(100, 500, 1, None);
        assert!(results(&mut h, &feedback(5000, 0, &[Some(1); 3])).is_empty());
        // Overwritten, more than a second later, by a packet a ring's
        // length of numbers on.
        for s in 101..=(100 + MIN_RING as u16) {
            h.on_sent(s, 500, 2_000_000, None);
        }
        assert_eq!(h.ring.len(), MIN_RING);
        let r = results(&mut h, &feedback(100, 0, &[Some(1)]));
        assert!(r.is_empty());
    }

    #[test]
    fn the_ring_grows_rather_than_forget_packets_in_flight() {
        let mut h = SentHistory::default();
        // 1000 packets within 100 ms, none reported yet: all remembered.
        for s in 0..1000u16 {
            h.on_sent(s, 500, u64::from(s) * 100, None);
        }
        assert_eq!(h.ring.len(), 1024);
        let r = results(&mut h, &feedback(0, 0, &[Some(1); 1000]));
        assert_eq!(r.len(), 1000);
        assert_eq!(r[999].send_us, 99_900);
        // Reported ones make room again: no further growth.
        for s in 1000..3000u16 {
            h.on_sent(s, 500, 100_000 + u64::from(s), None);
            if s % 100 == 99 {
                let from = s - 99;
                results(&mut h, &feedback(from, 0, &[Some(1); 100]));
            }
        }
        assert_eq!(h.ring.len(), 1024);
    }
}
