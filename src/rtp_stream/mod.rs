//! RTP receive / send streams and their building blocks, as sans-IO state
//! machines reproducing mediasoup's worker behaviour (timers, thresholds,
//! score formulas, stats semantics).
//!
//! * [`seq`]: RFC 3550 sequence tracking and mediasoup's `SeqManager`.
//! * [`rate`]: windowed bitrate (`RateCalculator`, `RtpDataCounter`).
//! * [`nack`]: receive-side NACK generation.
//! * [`retransmission`]: send-side retransmission buffer.
//! * [`rtx`]: the RTX receive stream paired with a receive stream.
//! * [`recv`]: [`RtpStreamRecv`] (producer side, one per encoding).
//! * [`send`]: [`RtpStreamSend`] (consumer side).
//! * [`keyframe`]: per-producer key frame request coalescing.
//!
//! Conventions: every method where time matters takes `now_ms`, a monotonic
//! clock in milliseconds; nothing reads a clock or does IO. Outputs are
//! returned values or written into caller buffers. Components with timers
//! expose `poll_timeout() -> Option<u64>` (absolute deadline) and an
//! `handle_timeout(now_ms, ..)` to call once it is reached (calling it early or
//! late is harmless). Nothing allocates per packet once a stream has reached
//! its steady state.

pub mod keyframe;
pub mod nack;
pub mod rate;
pub mod recv;
pub mod report;
pub mod retransmission;
pub mod rtx;
pub mod send;
pub mod seq;

pub use keyframe::KeyFrameRequestManager;
pub use nack::{NackGenerator, NackItem};
pub use rate::{RateCalculator, RtpDataCounter};
pub use recv::{RecvOutcome, RtpStreamRecv};
pub use retransmission::RetransmissionBuffer;
pub use rtx::RtxStream;
pub use send::{RtpStreamSend, SendOutcome};
pub use seq::{RtpSeqTracker, SeqManager};

use crate::json_out::Field;

/// What the streams need to know about an RTP packet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PacketInfo {
    pub seq: u16,
    pub timestamp: u32,
    pub ssrc: u32,
    pub payload_type: u8,
    pub marker: bool,
    /// Whole packet bytes.
    pub size: usize,
    /// Payload bytes (0 for padding-only packets).
    pub payload_len: usize,
    pub is_keyframe: bool,
    pub spatial_layer: u8,
    pub temporal_layer: u8,
}

/// Media kind of a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    Audio,
    Video,
}

impl MediaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Audio => "audio",
            MediaKind::Video => "video",
        }
    }
}

/// Parameters of an RTP stream (mediasoup `RtpStream::Params`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtpStreamParams {
    pub encoding_idx: usize,
    pub ssrc: u32,
    pub payload_type: u8,
    /// e.g. "video/VP8".
    pub mime_type: String,
    pub clock_rate: u32,
    /// Empty when none.
    pub rid: String,
    pub cname: String,
    /// 0 when none.
    pub rtx_ssrc: u32,
    pub rtx_payload_type: u8,
    pub use_nack: bool,
    pub use_pli: bool,
    pub use_fir: bool,
    pub use_in_band_fec: bool,
    pub use_dtx: bool,
    pub spatial_layers: u8,
    pub temporal_layers: u8,
}

impl Default for RtpStreamParams {
    fn default() -> Self {
        Self {
            encoding_idx: 0,
            ssrc: 0,
            payload_type: 0,
            mime_type: String::new(),
            clock_rate: 0,
            rid: String::new(),
            cname: String::new(),
            rtx_ssrc: 0,
            rtx_payload_type: 0,
            use_nack: false,
            use_pli: false,
            use_fir: false,
            use_in_band_fec: false,
            use_dtx: false,
            spatial_layers: 1,
            temporal_layers: 1,
        }
    }
}

impl RtpStreamParams {
    /// Audio if the MIME type starts with "audio/", video otherwise.
    pub fn kind(&self) -> MediaKind {
        if self.mime_type.len() >= 6 && self.mime_type[..6].eq_ignore_ascii_case("audio/") {
            MediaKind::Audio
        } else {
            MediaKind::Video
        }
    }
}

/// Fields of one RTCP report block (RFC 3550 6.4.1) produced or consumed by
/// the streams. `total_lost` is the signed cumulative number of packets lost
/// (24 bits on the wire); `lsr` is the middle 32 bits of the NTP timestamp of
/// the last SR, `dlsr` the delay since then in 1/65536 s.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReportBlockData {
    pub ssrc: u32,
    pub fraction_lost: u8,
    pub total_lost: i32,
    pub highest_seq: u32,
    pub jitter: u32,
    pub lsr: u32,
    pub dlsr: u32,
}

/// A stream's score moved from `previous` to `score` (0..=10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScoreChange {
    pub score: u8,
    pub previous: u8,
}

/// A key frame request to send to the media sender of `ssrc`. The stream
/// has already counted it in its `pliCount` / `firCount`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFrameRequest {
    Pli { ssrc: u32 },
    Fir { ssrc: u32, seq_nr: u8 },
}

/// Helpers for NTP timestamps (RFC 5905 64-bit format).
pub mod ntp {
    /// Milliseconds to (seconds, fraction), as mediasoup does.
    pub fn from_ms(ms: u64) -> (u32, u32) {
        let secs = (ms / 1000) as u32;
        let frac = ((ms % 1000) as f64 / 1000.0 * 4_294_967_296.0) as u32;
        (secs, frac)
    }

    /// (seconds, fraction) to milliseconds (rounded).
    pub fn to_ms(secs: u32, frac: u32) -> u64 {
        u64::from(secs) * 1000 + (f64::from(frac) * 1000.0 / 4_294_967_296.0).round() as u64
    }

    /// Middle 32 bits of a 64-bit NTP timestamp (LSR / LRR format).
    pub fn compact(secs: u32, frac: u32) -> u32 {
        (secs << 16) | (frac >> 16)
    }

    /// A delay in ms expressed in 1/65536 s units (DLSR / DLRR format).
    pub fn delay_to_compact(delay_ms: u64) -> u32 {
        (((delay_ms / 1000) as u32) << 16) | (((delay_ms % 1000) * 65536 / 1000) as u32)
    }

    /// A compact NTP duration to milliseconds.
    pub fn compact_to_ms(compact: u32) -> f32 {
        (compact >> 16) as f32 * 1000.0 + ((compact & 0xffff) as f32 / 65536.0) * 1000.0
    }
}

/// Length of the score history.
const SCORE_HISTOGRAM_LENGTH: usize = 24;

/// mediasoup's score: weighted average of the last 24 interval scores, the
/// most recent weighing the most.
#[derive(Debug, Clone)]
pub(crate) struct Score {
    score: u8,
    history: [u8; SCORE_HISTOGRAM_LENGTH],
    head: usize,
    len: usize,
    active_since_ms: u64,
}

impl Score {
    pub(crate) fn new(initial: u8, now_ms: u64) -> Self {
        Self {
            score: initial,
            history: [0; SCORE_HISTOGRAM_LENGTH],
            head: 0,
            len: 0,
            active_since_ms: now_ms,
        }
    }

    pub(crate) fn get(&self) -> u8 {
        self.score
    }

    pub(crate) fn active_since_ms(&self) -> u64 {
        self.active_since_ms
    }

    /// Clear the history and set `score`.
    pub(crate) fn reset(&mut self, score: u8, now_ms: u64) -> Option<ScoreChange> {
        self.len = 0;
        self.head = 0;
        self.set(score, now_ms)
    }

    fn set(&mut self, score: u8, now_ms: u64) -> Option<ScoreChange> {
        if self.score == score {
            return None;
        }
        let previous = self.score;
        self.score = score;
        if previous == 0 {
            self.active_since_ms = now_ms;
        }
        Some(ScoreChange { score, previous })
    }

    /// Add an interval score to the history.
    pub(crate) fn update(&mut self, sample: u8, now_ms: u64) -> Option<ScoreChange> {
        if self.len == SCORE_HISTOGRAM_LENGTH {
            self.history[self.head] = sample;
            self.head = (self.head + 1) % SCORE_HISTOGRAM_LENGTH;
        } else {
            self.history[(self.head + self.len) % SCORE_HISTOGRAM_LENGTH] = sample;
            self.len += 1;
        }
        let mut samples = 0u64;
        let mut total = 0u64;
        for i in 0..self.len {
            let weight = i as u64 + 1;
            samples += weight;
            total += weight * u64::from(self.history[(self.head + i) % SCORE_HISTOGRAM_LENGTH]);
        }
        let score = (total as f64 / samples as f64).round() as u8;
        self.set(score, now_ms)
    }
}

/// mediasoup's per-interval score: delivered ratio to the 4th power, with
/// repaired packets partially forgiven.
pub(crate) fn interval_score(
    received_or_sent: u32,
    lost: u32,
    repaired: u32,
    retransmitted: u32,
) -> u8 {
    // Same float / double mix as mediasoup.
    let repaired_ratio = repaired as f32 / received_or_sent as f32;
    let mut repaired_weight = f64::from(1.0f32 / (repaired_ratio + 1.0)).powi(4);
    if retransmitted > 0 {
        repaired_weight *= f64::from(repaired as f32 / retransmitted as f32);
    }
    let lost = (f64::from(lost) - f64::from(repaired) * repaired_weight) as u32;
    let delivered_ratio = received_or_sent.wrapping_sub(lost) as f32 / received_or_sent as f32;
    (f64::from(delivered_ratio).powi(4) * 10.0).round() as u8
}

/// Counters common to receive and send streams.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamCounters {
    pub packets_lost: i32,
    pub fraction_lost: u8,
    pub packets_discarded: u64,
    pub packets_retransmitted: u64,
    pub packets_repaired: u64,
    pub nack_count: u64,
    pub nack_packet_count: u64,
    pub pli_count: u64,
    pub fir_count: u64,
}

/// State shared by receive and send streams (mediasoup `RtpStream`).
#[derive(Debug, Clone)]
pub(crate) struct StreamCore {
    pub(crate) params: RtpStreamParams,
    pub(crate) tracker: seq::RtpSeqTracker,
    pub(crate) max_packet_ts: u32,
    pub(crate) max_packet_ms: u64,
    pub(crate) counters: StreamCounters,
    /// RTP timestamp units.
    pub(crate) jitter: f32,
    pub(crate) rtt_ms: f32,
    pub(crate) score: Score,
    pub(crate) repaired_prior_score: u64,
    pub(crate) retransmitted_prior_score: u64,
    /// (NTP ms, RTP timestamp) of the last sender report.
    pub(crate) sender_report_mapping: Option<(u64, u32)>,
    pub(crate) rtx_params: Option<rtx::RtxStreamParams>,
}

impl StreamCore {
    pub(crate) fn new(params: RtpStreamParams, now_ms: u64) -> Self {
        Self {
            params,
            tracker: seq::RtpSeqTracker::new(seq::SeqTrackerConfig::MEDIASOUP),
            max_packet_ts: 0,
            max_packet_ms: 0,
            counters: StreamCounters::default(),
            jitter: 0.0,
            rtt_ms: 0.0,
            score: Score::new(10, now_ms),
            repaired_prior_score: 0,
            retransmitted_prior_score: 0,
            sender_report_mapping: None,
            rtx_params: None,
        }
    }

    pub(crate) fn set_rtx(&mut self, payload_type: u8, ssrc: u32) -> rtx::RtxStreamParams {
        self.params.rtx_payload_type = payload_type;
        self.params.rtx_ssrc = ssrc;
        let p = rtx::RtxStreamParams::for_media(
            self.params.kind(),
            ssrc,
            payload_type,
            self.params.clock_rate,
            &self.params.rid,
            &self.params.cname,
        );
        self.rtx_params = Some(p.clone());
        p
    }

    /// mediasoup `ReceiveStreamPacket()`: sequence validation plus highest
    /// timestamp tracking. `None` if the packet must be discarded.
    pub(crate) fn receive_stream_packet(
        &mut self,
        pkt: &PacketInfo,
        now_ms: u64,
    ) -> Option<seq::SeqUpdate> {
        if !self.tracker.started() {
            self.max_packet_ts = pkt.timestamp;
            self.max_packet_ms = now_ms;
        }
        let verdict = self.update_seq_with(pkt, now_ms, true)?;
        if seq::is_seq_higher_than(pkt.timestamp, self.max_packet_ts) {
            self.max_packet_ts = pkt.timestamp;
            self.max_packet_ms = now_ms;
        }
        Some(verdict)
    }

    /// mediasoup `UpdateSeq()` (no initialisation on the first packet).
    pub(crate) fn update_seq(&mut self, pkt: &PacketInfo, now_ms: u64) -> Option<seq::SeqUpdate> {
        self.update_seq_with(pkt, now_ms, false)
    }

    fn update_seq_with(
        &mut self,
        pkt: &PacketInfo,
        now_ms: u64,
        start: bool,
    ) -> Option<seq::SeqUpdate> {
        let verdict = if start {
            self.tracker.update_ex(pkt.seq)
        } else {
            self.tracker.update_without_start(pkt.seq)
        };
        match verdict {
            seq::SeqUpdate::Accepted => {
                // Timestamp going backwards with an in-order seq (e.g. the
                // sender was inactive for very long): follow it.
                if seq::is_seq_lower_than(pkt.timestamp, self.max_packet_ts) {
                    self.max_packet_ts = pkt.timestamp;
                    self.max_packet_ms = now_ms;
                }
            }
            seq::SeqUpdate::Resynced => {
                self.max_packet_ts = pkt.timestamp;
                self.max_packet_ms = now_ms;
            }
            seq::SeqUpdate::Reordered => {}
            seq::SeqUpdate::Rejected | seq::SeqUpdate::Probation => {
                self.counters.packets_discarded += 1;
                return None;
            }
        }
        Some(verdict)
    }

    /// The part of the stream's stats that receive and send streams share.
    pub(crate) fn stats_base(
        &self,
        now_ms: u64,
        rtx_packets_discarded: u64,
    ) -> report::StatsBase<'_> {
        report::StatsBase {
            now_ms,
            params: &self.params,
            counters: &self.counters,
            jitter: self.jitter as u32,
            rtt_ms: self.rtt_ms,
            rtx_packets_discarded,
            score: self.score.get(),
        }
    }

    /// mediasoup's RtpStreamDump.
    pub(crate) fn dump(&self, shape: report::DumpShape) -> report::StreamDump<'_> {
        report::StreamDump {
            params: self.params.dump(shape),
            score: self.score.get(),
            rtx_stream: match &self.rtx_params {
                Some(rtx) => Field::Set(rtx.dump(shape)),
                None if shape == report::DumpShape::Unpacked => Field::Null,
                None => Field::Absent,
            },
        }
    }
}

/// Drive a receive stream (NACK with RTX recovery, jitter, RR/SR, timers), a
/// SeqManager dropping a temporal layer, a key frame request manager and a
/// send stream (storage, NACK-driven retransmissions, SR/RR) for
/// `iterations` packets after a warm-up, so that a counting allocator can
/// check that the steady-state loop allocates nothing: the allocations made
/// by a call do not depend on `iterations`. Stats and dumps are not part of
/// the loop.
#[doc(hidden)]
pub fn exercise_for_alloc_check(iterations: usize) {
    exercise_for_alloc_check_with(iterations, || {});
}

/// Same as [`exercise_for_alloc_check`], calling `before_loop` between the
/// warm-up and the measured loop (e.g. to snapshot an allocation counter).
#[doc(hidden)]
pub fn exercise_for_alloc_check_with(iterations: usize, before_loop: impl FnOnce()) {
    let mut harness = alloc_check::Harness::new();
    harness.run(alloc_check::WARM_UP);
    before_loop();
    harness.run(iterations);
    std::hint::black_box(&harness);
}

mod alloc_check {
    use super::nack::NackItem;
    use super::*;

    pub(super) const WARM_UP: usize = 140_000;

    pub(super) struct Harness {
        recv: RtpStreamRecv,
        send: RtpStreamSend,
        seq_mgr: SeqManager<u16>,
        kfm: KeyFrameRequestManager,
        packet: [u8; 1200],
        nack_items: [NackItem; 64],
        i: u64,
        now: u64,
        rr_ms: u64,
    }

    impl Harness {
        pub(super) fn new() -> Self {
            let params = RtpStreamParams {
                ssrc: 1111,
                payload_type: 96,
                mime_type: "video/VP8".into(),
                clock_rate: 90000,
                cname: "alloc".into(),
                rtx_ssrc: 2222,
                rtx_payload_type: 97,
                use_nack: true,
                use_pli: true,
                use_fir: true,
                spatial_layers: 1,
                temporal_layers: 3,
                ..Default::default()
            };
            let now = 1_000_000;
            let recv = RtpStreamRecv::new(params.clone(), 10, true, now);
            let mut send_params = params;
            send_params.ssrc = 3333;
            send_params.rtx_ssrc = 4444;
            let send = RtpStreamSend::new(send_params, now);
            Self {
                recv,
                send,
                seq_mgr: SeqManager::new(1000),
                kfm: KeyFrameRequestManager::new(0),
                packet: [0u8; 1200],
                nack_items: [NackItem::default(); 64],
                i: 0,
                now,
                rr_ms: now,
            }
        }

        #[cfg(test)]
        pub(super) fn streams(&self) -> (&RtpStreamRecv, &RtpStreamSend) {
            (&self.recv, &self.send)
        }

        pub(super) fn run(&mut self, packets: usize) {
            for _ in 0..packets {
                self.step();
            }
        }

        fn step(&mut self) {
            let i = self.i;
            self.i += 1;
            // ~1000 packets/s.
            self.now += 1;
            let now = self.now;
            let seq = i as u16;
            let ts = (i as u32 / 3).wrapping_mul(3000);
            let pkt = PacketInfo {
                seq,
                timestamp: ts,
                ssrc: 1111,
                payload_type: 96,
                marker: i % 3 == 2,
                size: 1200,
                payload_len: 1180,
                is_keyframe: i % 300 < 3,
                spatial_layer: 0,
                temporal_layer: (i % 3) as u8,
            };

            // Receive side: lose 1 packet in 50, recover it through RTX 20 ms
            // later.
            if i % 50 != 7 {
                let _ = self.recv.receive_packet(&pkt, now);
            }
            if i % 50 == 27 && i >= 20 {
                let mut lost = pkt;
                lost.seq = seq.wrapping_sub(20);
                lost.timestamp = ((i - 20) as u32 / 3).wrapping_mul(3000);
                let rtx = recv::RtxPacketInfo {
                    seq: lost.seq.wrapping_add(7),
                    timestamp: lost.timestamp,
                    payload_type: 97,
                };
                let _ = self.recv.receive_rtx_packet(&rtx, Some(&lost), now);
            }
            if let Some(d) = self.recv.poll_timeout() {
                if now >= d {
                    let _ = self.recv.handle_timeout(now);
                }
            }
            if pkt.is_keyframe {
                self.kfm.key_frame_received(1111);
            } else if i.is_multiple_of(997) {
                let _ = self.kfm.key_frame_needed(1111, now);
            }
            if let Some(d) = self.kfm.poll_timeout() {
                if now >= d {
                    self.kfm.handle_timeout(now, |_| {});
                }
            }

            // Send side: forward 2 temporal layers of 3.
            if pkt.temporal_layer == 2 {
                self.seq_mgr.drop(seq);
                return;
            }
            let Some(out_seq) = self.seq_mgr.input(seq) else {
                return;
            };
            let mut out = pkt;
            out.seq = out_seq;
            out.ssrc = 3333;
            self.packet[2..4].copy_from_slice(&out_seq.to_be_bytes());
            let _ = self.send.send_packet(&out, &self.packet, now);
            if i.is_multiple_of(40) {
                self.nack_items[0] = NackItem {
                    pid: out_seq.wrapping_sub(10),
                    blp: 0b1010_0000_0000_0101,
                };
                let items = &self.nack_items[..1];
                let _ = self.send.receive_nack(items, now, |r| {
                    std::hint::black_box(r.bytes.len());
                });
            }
            if now - self.rr_ms >= 1000 {
                self.rr_ms = now;
                let ntp = ntp::from_ms(now + 3_000_000_000);
                if let Some(sr) = self.send.get_sender_report(now, ntp) {
                    let rr = ReportBlockData {
                        ssrc: 3333,
                        fraction_lost: 3,
                        total_lost: (i / 100) as i32,
                        highest_seq: u32::from(out_seq),
                        jitter: 20,
                        lsr: ntp::compact(sr.ntp_sec, sr.ntp_frac),
                        dlsr: ntp::delay_to_compact(5),
                    };
                    self.send.receive_receiver_report(&rr, now + 30);
                }
                let _ = self.recv.receive_sender_report(ntp.0, ntp.1, ts, now);
                let _ = self.recv.fill_receiver_report(now);
                let _ = self.recv.fill_rtx_receiver_report(now);
                let _ = self.recv.bitrate(now);
                let _ = self.send.bitrate(now);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_weighted_average() {
        let mut s = Score::new(10, 0);
        // [1,2,3,4] => (1 + 4 + 9 + 16) / 10 = 3
        s.update(1, 0);
        s.update(2, 0);
        s.update(3, 0);
        let change = s.update(4, 0);
        assert_eq!(s.get(), 3);
        assert_eq!(
            change,
            Some(ScoreChange {
                score: 3,
                previous: 2
            })
        );
        // The history holds 24 samples; old ones fall out.
        for _ in 0..24 {
            s.update(10, 5);
        }
        assert_eq!(s.get(), 10);
        assert_eq!(s.reset(0, 6).unwrap().score, 0);
        assert_eq!(s.update(7, 100).unwrap().previous, 0);
        assert_eq!(s.active_since_ms(), 100);
    }

    #[test]
    fn interval_scores() {
        assert_eq!(interval_score(100, 0, 0, 0), 10);
        // 25% lost: 0.75^4 * 10 = 3.16
        assert_eq!(interval_score(100, 25, 0, 0), 3);
        // 10% lost: 0.9^4*10 = 6.56
        assert_eq!(interval_score(100, 10, 0, 0), 7);
        // Everything lost was repaired by its first retransmission.
        // repaired ratio .1 -> weight (1/1.1)^4 = .683; lost 10 - 6.83 = 3.17 -> 3
        // delivered .97 -> 8.85
        assert_eq!(interval_score(100, 10, 10, 10), 9);
    }

    #[test]
    fn ntp_helpers() {
        let (s, f) = ntp::from_ms(1_500);
        assert_eq!(s, 1);
        assert_eq!(f, 1 << 31);
        assert_eq!(ntp::to_ms(s, f), 1_500);
        assert_eq!(ntp::compact(0x1234_5678, 0x9abc_def0), 0x5678_9abc);
        assert_eq!(ntp::delay_to_compact(1_500), 0x0001_8000);
        assert_eq!(ntp::compact_to_ms(0x0001_8000), 1500.0);
    }

    #[test]
    fn params_json() {
        let p = RtpStreamParams {
            mime_type: "audio/opus".into(),
            ssrc: 5,
            ..Default::default()
        };
        assert_eq!(p.kind(), MediaKind::Audio);
        let j = serde_json::to_value(p.dump(report::DumpShape::Table)).unwrap();
        assert!(j.get("rid").is_none());
        assert!(j.get("rtxSsrc").is_none());
        let u = serde_json::to_value(p.dump(report::DumpShape::Unpacked)).unwrap();
        assert_eq!(u["rid"], "");
        assert!(u["rtxSsrc"].is_null());
    }

    #[test]
    fn alloc_check_harness_exercises_everything() {
        let mut h = alloc_check::Harness::new();
        h.run(20_000);
        let (recv, send) = h.streams();
        let rc = recv.counters();
        assert!(rc.nack_count > 100, "{rc:?}");
        assert!(rc.packets_repaired > 100, "{rc:?}");
        assert!(rc.packets_retransmitted >= rc.packets_repaired);
        assert!(recv.jitter() >= 0.0);
        let sc = send.counters();
        assert!(sc.packets_retransmitted > 100, "{sc:?}");
        assert!(sc.packets_repaired > 100, "{sc:?}");
        assert!((send.rtt_ms() - 25.0).abs() < 0.5, "{}", send.rtt_ms());
        assert!(send.retransmission_buffer().unwrap().stored_count() > 100);
        exercise_for_alloc_check(1_000);
    }
}
