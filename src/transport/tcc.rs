//! Transport-wide congestion control feedback for what a transport receives
//! (mediasoup's TransportCongestionControlServer in transport-cc mode).
//!
//! Browsers that negotiate the transport-wide-cc-01 header extension run
//! their send-side bandwidth estimation (GoogCC) on these reports: without
//! them Chrome's estimate decays to ~80 kbps within seconds and the video it
//! sends degrades to a few frames per second.
//!
//! Sans-IO and allocation-free per packet: arrivals live in a fixed ring
//! indexed by the unwrapped transport-wide sequence number; a report covers
//! every number from the first unreported one to the highest received.

use crate::bwe::loss_history::PacketLossHistory;
use crate::rtcp::{write_transport_cc, TCC_BASE_TIME_TICK_MS};

/// How often feedback is sent while packets arrive (mediasoup: 100 ms).
pub const FEEDBACK_INTERVAL_MS: u64 = 100;
/// Arrivals remembered; older unreported ones are reported as lost.
const RING: usize = 1024;
/// Packet statuses per feedback packet (keeps it well under the MTU).
const MAX_STATUSES: usize = 256;
/// Unit of the arrival deltas a report carries (µs).
const DELTA_TICK_US: i64 = 250;

pub struct TccFeedback {
    /// (unwrapped sequence number, arrival µs) per slot.
    ring: Box<[(u64, u64)]>,
    /// Highest unwrapped sequence number received.
    highest: Option<u64>,
    /// First sequence number not reported yet.
    next_base: u64,
    /// SSRC of the latest media packet (the feedback's media SSRC).
    media_ssrc: u32,
    feedback_count: u8,
    last_sent_ms: u64,
    /// A round of packets is being sent (more remain after a full one).
    flushing: bool,
    statuses: Vec<Option<i16>>,
    /// What `rtpPacketLossReceived` reports.
    loss: PacketLossHistory,
}

impl Default for TccFeedback {
    fn default() -> Self {
        Self::new()
    }
}

impl TccFeedback {
    pub fn new() -> Self {
        TccFeedback {
            ring: vec![(u64::MAX, 0); RING].into_boxed_slice(),
            highest: None,
            next_base: 0,
            media_ssrc: 0,
            feedback_count: 0,
            last_sent_ms: 0,
            flushing: false,
            statuses: Vec::with_capacity(MAX_STATUSES),
            loss: PacketLossHistory::default(),
        }
    }

    /// Records the arrival (µs, worker clock) of a packet carrying
    /// transport-wide `seq`. Reports carry arrivals at 250 µs resolution:
    /// give each packet its own time (the kernel's receive stamp), not the
    /// loop turn's millisecond (a browser's probe cluster read in one turn
    /// would look like it arrived all at once, which fails its bandwidth
    /// probe).
    pub fn on_packet(&mut self, seq: u16, ssrc: u32, arrival_us: u64) {
        let ext = match self.highest {
            None => {
                // A little slack so a slightly reordered start is reported.
                self.next_base = u64::from(seq) + (1 << 16);
                u64::from(seq) + (1 << 16)
            }
            Some(highest) => {
                let delta = seq.wrapping_sub(highest as u16) as i16 as i64;
                match highest.checked_add_signed(delta) {
                    Some(ext) => ext,
                    None => return,
                }
            }
        };
        if ext < self.next_base {
            // Already reported (as lost): too late.
            return;
        }
        let highest = self.highest.map_or(ext, |h| h.max(ext));
        self.highest = Some(highest);
        // Never report more than the ring remembers.
        if highest - self.next_base >= RING as u64 {
            self.next_base = highest + 1 - RING as u64;
        }
        self.ring[(ext % RING as u64) as usize] = (ext, arrival_us);
        self.media_ssrc = ssrc;
    }

    fn arrival(&self, ext: u64) -> Option<u64> {
        let (stored, at) = self.ring[(ext % RING as u64) as usize];
        (stored == ext).then_some(at)
    }

    /// Loss ratio (0..1) of what the remote sent, over the last feedback
    /// packets this side wrote.
    pub fn packet_loss(&self) -> f64 {
        self.loss.value()
    }

    /// When the next feedback is due (None: nothing to report).
    pub fn poll_timeout(&self) -> Option<u64> {
        let highest = self.highest?;
        if highest < self.next_base {
            return None;
        }
        Some(if self.flushing {
            self.last_sent_ms
        } else {
            self.last_sent_ms + FEEDBACK_INTERVAL_MS
        })
    }

    /// Writes the next feedback packet into `buf` when one is due; call
    /// again until it returns None (a round may need several packets).
    pub fn poll_feedback(&mut self, now_ms: u64, buf: &mut [u8]) -> Option<usize> {
        if self.poll_timeout()? > now_ms {
            return None;
        }
        let highest = self.highest?;
        // Leading numbers of the ring that were never received are lost;
        // the reference time comes from the first received one.
        let mut first_received = None;
        let last = highest.min(self.next_base + MAX_STATUSES as u64 - 1);
        for ext in self.next_base..=last {
            if let Some(at) = self.arrival(ext) {
                first_received = Some(at);
                break;
            }
        }
        let reference_ms = first_received.map_or(now_ms, |us| us / 1000);
        let reference_time = (reference_ms / TCC_BASE_TIME_TICK_MS as u64) & 0xFF_FFFF;
        // In µs; moves by the deltas as written, so rounding never adds up.
        let mut previous = (reference_time * TCC_BASE_TIME_TICK_MS as u64 * 1000) as i64;
        self.statuses.clear();
        let base = self.next_base;
        let mut ext = base;
        while ext <= last {
            match self.arrival(ext) {
                Some(at) => {
                    let delta = (at as i64 - previous).div_euclid(DELTA_TICK_US);
                    let Ok(delta) = i16::try_from(delta) else {
                        // Does not fit: it starts the next packet.
                        break;
                    };
                    self.statuses.push(Some(delta));
                    previous += i64::from(delta) * DELTA_TICK_US;
                }
                None => self.statuses.push(None),
            }
            ext += 1;
        }
        let written = write_transport_cc(
            buf,
            0,
            self.media_ssrc,
            base as u16,
            reference_time as i32,
            self.feedback_count,
            &self.statuses,
        )
        .ok()?;
        self.feedback_count = self.feedback_count.wrapping_add(1);
        let lost = self.statuses.iter().filter(|s| s.is_none()).count();
        self.loss.push(lost as u32, self.statuses.len() as u32);
        self.next_base = ext;
        self.flushing = ext <= highest;
        self.last_sent_ms = now_ms;
        Some(written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rtcp::{iter_compound, RtcpPacket};

    /// (base seq, reference time, [(seq, status)]) of a written packet.
    fn parse(buf: &[u8]) -> (u16, i64, Vec<(u16, Option<i16>)>, u8) {
        let RtcpPacket::TransportCc(t) = iter_compound(buf).next().unwrap().unwrap() else {
            panic!("not transport-cc")
        };
        let mut statuses = Vec::new();
        t.for_each(|s, d| statuses.push((s, d))).unwrap();
        (
            t.base_seq(),
            i64::from(t.reference_time()) * TCC_BASE_TIME_TICK_MS,
            statuses,
            t.feedback_packet_count(),
        )
    }

    #[test]
    fn reports_arrivals_and_losses_every_interval() {
        let mut tcc = TccFeedback::new();
        let mut buf = [0u8; 1500];
        assert_eq!(tcc.poll_feedback(0, &mut buf), None);
        tcc.on_packet(65534, 1, 1_000_000);
        tcc.on_packet(65535, 1, 1_002_000);
        // 0 lost
        tcc.on_packet(2, 1, 1_010_000);
        tcc.on_packet(1, 9, 1_011_000); // reordered
        let n = tcc.poll_feedback(1011, &mut buf).unwrap();
        let (base, reference_ms, statuses, count) = parse(&buf[..n]);
        assert_eq!((base, count), (65534, 0));
        assert_eq!(reference_ms, 1000 / 64 * 64);
        let first = ((1000 - reference_ms) * 4) as i16;
        assert_eq!(
            statuses,
            vec![
                (65534, Some(first)),
                (65535, Some(8)),
                (0, None),
                (1, Some(36)),
                (2, Some(-4)),
            ]
        );
        // Nothing new: nothing to send; then the next round after 100 ms.
        assert_eq!(tcc.poll_feedback(1200, &mut buf), None);
        tcc.on_packet(3, 1, 1_050_000);
        tcc.on_packet(0, 1, 1_050_000); // already reported as lost
        assert_eq!(tcc.poll_feedback(1100, &mut buf), None);
        let n = tcc.poll_feedback(1111, &mut buf).unwrap();
        let (base, _, statuses, count) = parse(&buf[..n]);
        assert_eq!((base, count, statuses.len()), (3, 1, 1));
    }

    #[test]
    fn long_rounds_are_split_and_gaps_bounded() {
        let mut tcc = TccFeedback::new();
        let mut buf = [0u8; 1500];
        for seq in 0..600u16 {
            tcc.on_packet(seq, 1, (5000 + u64::from(seq)) * 1000);
        }
        let mut covered = 0;
        let mut packets = 0;
        while let Some(n) = tcc.poll_feedback(6000, &mut buf) {
            let (base, _, statuses, _) = parse(&buf[..n]);
            assert_eq!(base as usize, covered);
            assert!(statuses.iter().all(|(_, s)| s.is_some()));
            covered += statuses.len();
            packets += 1;
            assert!(n < 1200);
        }
        assert_eq!((covered, packets), (600, 3));
        // A jump far ahead: only the last RING numbers are reported.
        tcc.on_packet(600 + 30000, 1, 7_000_000);
        let mut total = 0;
        while let Some(n) = tcc.poll_feedback(7000, &mut buf) {
            total += parse(&buf[..n]).2.len();
        }
        assert_eq!(total, RING);
        // A delta too large for 16 bits starts a new packet.
        tcc.on_packet(600 + 30001, 1, 7_000_000);
        tcc.on_packet(600 + 30002, 1, 17_000_000);
        let n1 = tcc.poll_feedback(20_000, &mut buf).unwrap();
        assert_eq!(parse(&buf[..n1]).2.len(), 1);
        let n2 = tcc.poll_feedback(20_000, &mut buf).unwrap();
        let (base, reference_ms, statuses, _) = parse(&buf[..n2]);
        assert_eq!(base, (600 + 30002) as u16);
        assert_eq!(reference_ms, 17_000 / 64 * 64);
        assert_eq!(statuses.len(), 1);
        assert_eq!(tcc.poll_feedback(20_000, &mut buf), None);
    }

    #[test]
    fn sub_millisecond_arrivals_keep_their_spacing() {
        // A burst 300 µs apart (what a probe cluster looks like): 250 µs
        // deltas, truncated without the error adding up.
        let mut tcc = TccFeedback::new();
        let mut buf = [0u8; 1500];
        for (seq, at) in [
            (0u16, 640_000u64),
            (1, 640_300),
            (2, 640_600),
            (3, 640_900),
            (4, 641_200),
        ] {
            tcc.on_packet(seq, 1, at);
        }
        let n = tcc.poll_feedback(700, &mut buf).unwrap();
        let (_, reference_ms, statuses, _) = parse(&buf[..n]);
        assert_eq!(reference_ms, 640);
        let deltas: Vec<i16> = statuses.iter().map(|(_, d)| d.unwrap()).collect();
        assert_eq!(deltas, vec![0, 1, 1, 1, 1]);
        // Reconstructed arrivals stay within one tick of the real ones.
        let mut at = reference_ms * 1000;
        for (d, real) in deltas
            .iter()
            .zip([640_000i64, 640_300, 640_600, 640_900, 641_200])
        {
            at += i64::from(*d) * 250;
            assert!((0..250).contains(&(real - at)), "{at} vs {real}");
        }
    }
}
