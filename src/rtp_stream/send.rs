//! Consumer-side send stream (mediasoup `RtpStreamSend`).
//!
//! * [`RtpStreamSend::send_packet`]: account a packet the consumer sends
//!   (with its final header: consumer SSRC / seq / timestamp) and, with NACK
//!   negotiated, keep its bytes for retransmission.
//! * [`RtpStreamSend::receive_nack`]: serve a NACK; each packet to resend is
//!   handed to the caller, with the RTX SSRC / payload type / sequence number
//!   to use when RTX is negotiated (the caller RTX-encodes).
//! * [`RtpStreamSend::receive_receiver_report`]: RTT (from the LSR / DLSR
//!   echoing our sender reports), loss, jitter and score.
//! * [`RtpStreamSend::get_sender_report_fields`]: SR contents, the RTP
//!   timestamp being extrapolated from the last packet sent.
//!
//! Score: updated on every receiver report from the packets sent / reported
//! lost / repaired since the previous one, averaged over the last 24.

use super::report;

use super::rate::RtpDataCounter;
use super::recv::rtt_compact;
use super::retransmission::{RetransmissionBuffer, RetransmissionMeta};
use super::rtx::SrTiming;
use super::seq::SeqUpdate;
use super::{
    interval_score, ntp, MediaKind, NackItem, PacketInfo, ReportBlockData, RtpStreamParams,
    ScoreChange, StreamCore, StreamCounters,
};

/// Window of stored packets for video (ms of RTP timestamps).
pub const MAX_RETRANSMISSION_DELAY_FOR_VIDEO_MS: u32 = 2000;
/// Window of stored packets for audio.
pub const MAX_RETRANSMISSION_DELAY_FOR_AUDIO_MS: u32 = 1000;
/// Maximum length of the retransmission buffer.
pub const RETRANSMISSION_BUFFER_MAX_ITEMS: usize = 2500;
/// No sender report once nothing was sent for this long (ms).
pub const MAX_SENDER_REPORT_REFERENCE_AGE_MS: u64 = 2000;
/// RTT assumed while none is known (ms).
pub const DEFAULT_RTT_MS: u64 = 100;

/// Result of [`RtpStreamSend::send_packet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendOutcome {
    /// Invalid sequence number, or already stored (a duplicate must not be
    /// sent again).
    Discarded,
    AcceptedAndStored,
    AcceptedNotStored,
}

impl SendOutcome {
    /// Whether the packet must be sent.
    pub fn is_accepted(self) -> bool {
        self != SendOutcome::Discarded
    }
}

/// RTX encoding to apply to a retransmission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtxEncoding {
    pub ssrc: u32,
    pub payload_type: u8,
    pub seq: u16,
}

/// A packet to retransmit.
#[derive(Debug, Clone, Copy)]
pub struct Retransmission<'a> {
    /// The packet as originally sent.
    pub bytes: &'a [u8],
    pub meta: &'a RetransmissionMeta,
    /// `Some` when RTX is negotiated: send it RTX-encoded with these values.
    pub rtx: Option<RtxEncoding>,
}

/// Contents of a sender report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SenderReportFields {
    pub ssrc: u32,
    pub ntp_sec: u32,
    pub ntp_frac: u32,
    pub rtp_ts: u32,
    pub packet_count: u32,
    pub octet_count: u32,
}

/// An XR DLRR sub-block (RFC 3611 4.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DlrrSubBlock {
    pub ssrc: u32,
    pub last_rr: u32,
    pub dlrr: u32,
}

#[derive(Debug, Clone, Copy)]
struct LastSr {
    compact: u32,
    at_ms: u64,
}

/// Send stream of a consumer.
#[derive(Debug)]
pub struct RtpStreamSend {
    core: StreamCore,
    lost_prior_score: i32,
    sent_prior_score: u64,
    transmission: RtpDataCounter,
    buffer: Option<RetransmissionBuffer>,
    rtx: Option<(u32, u8)>,
    rtx_seq: u16,
    last_sr: Option<LastSr>,
    last_rrt: Option<SrTiming>,
}

impl RtpStreamSend {
    /// If `params.rtx_ssrc` is not 0, RTX is set up right away.
    pub fn new(params: RtpStreamParams, now_ms: u64) -> Self {
        let buffer = params.use_nack.then(|| {
            let delay = match params.kind() {
                MediaKind::Video => MAX_RETRANSMISSION_DELAY_FOR_VIDEO_MS,
                MediaKind::Audio => MAX_RETRANSMISSION_DELAY_FOR_AUDIO_MS,
            };
            RetransmissionBuffer::new(RETRANSMISSION_BUFFER_MAX_ITEMS, delay, params.clock_rate)
        });
        let rtx = (params.rtx_ssrc, params.rtx_payload_type);
        let mut stream = Self {
            core: StreamCore::new(params, now_ms),
            lost_prior_score: 0,
            sent_prior_score: 0,
            transmission: RtpDataCounter::new(2500, true),
            buffer,
            rtx: None,
            rtx_seq: 0,
            last_sr: None,
            last_rrt: None,
        };
        if rtx.0 != 0 {
            stream.set_rtx(rtx.1, rtx.0);
        }
        stream
    }

    /// Use RTX with this payload type and SSRC; the RTX sequence starts at a
    /// random value.
    pub fn set_rtx(&mut self, payload_type: u8, ssrc: u32) {
        self.core.set_rtx(payload_type, ssrc);
        self.rtx = Some((ssrc, payload_type));
        self.rtx_seq = rand::random::<u16>();
    }

    /// Last RTX sequence number used (the next retransmission uses +1).
    pub fn rtx_seq(&self) -> u16 {
        self.rtx_seq
    }

    pub fn set_rtx_seq(&mut self, seq: u16) {
        self.rtx_seq = seq;
    }

    pub fn params(&self) -> &RtpStreamParams {
        &self.core.params
    }

    pub fn ssrc(&self) -> u32 {
        self.core.params.ssrc
    }

    pub fn cname(&self) -> &str {
        &self.core.params.cname
    }

    pub fn has_rtx(&self) -> bool {
        self.rtx.is_some()
    }

    pub fn score(&self) -> u8 {
        self.core.score.get()
    }

    pub fn counters(&self) -> &StreamCounters {
        &self.core.counters
    }

    pub fn fraction_lost(&self) -> u8 {
        self.core.counters.fraction_lost
    }

    pub fn loss_percentage(&self) -> f32 {
        f32::from(self.core.counters.fraction_lost) * 100.0 / 256.0
    }

    pub fn rtt_ms(&self) -> f32 {
        self.core.rtt_ms
    }

    pub fn max_packet_ts(&self) -> u32 {
        self.core.max_packet_ts
    }

    pub fn max_packet_ms(&self) -> u64 {
        self.core.max_packet_ms
    }

    /// (NTP ms, RTP timestamp) announced in our last sender report.
    pub fn sender_report_mapping(&self) -> Option<(u64, u32)> {
        self.core.sender_report_mapping
    }

    pub fn active_ms(&self, now_ms: u64) -> u64 {
        now_ms.saturating_sub(self.core.score.active_since_ms())
    }

    pub fn bitrate(&mut self, now_ms: u64) -> u32 {
        self.transmission.bitrate(now_ms)
    }

    pub fn packet_count(&self) -> u64 {
        self.transmission.packet_count()
    }

    pub fn byte_count(&self) -> u64 {
        self.transmission.bytes()
    }

    pub fn retransmission_buffer(&self) -> Option<&RetransmissionBuffer> {
        self.buffer.as_ref()
    }

    /// Allocate the whole retransmission pool now (see
    /// [`RetransmissionBuffer::preallocate`]).
    pub fn preallocate(&mut self) {
        if let Some(b) = self.buffer.as_mut() {
            b.preallocate();
        }
    }

    /// A packet is being sent; `bytes` is the whole packet as sent (only
    /// needed with NACK).
    pub fn send_packet(&mut self, pkt: &PacketInfo, bytes: &[u8], now_ms: u64) -> SendOutcome {
        let Some(verdict) = self.core.receive_stream_packet(pkt, now_ms) else {
            return SendOutcome::Discarded;
        };
        if verdict == SeqUpdate::Resynced {
            if let Some(b) = self.buffer.as_mut() {
                b.clear();
            }
        }
        let mut stored = false;
        if let Some(b) = self.buffer.as_mut() {
            if b.get(pkt.seq).is_some() {
                return SendOutcome::Discarded;
            }
            stored = b.store(pkt.ssrc, pkt.seq, pkt.timestamp, pkt.marker, bytes);
        }
        self.transmission.update(pkt.size, pkt.payload_len, now_ms);
        if stored {
            SendOutcome::AcceptedAndStored
        } else {
            SendOutcome::AcceptedNotStored
        }
    }

    /// Drops the stream's own retransmission buffer: the owner keeps the
    /// packets elsewhere (one copy per producer stream shared by all its
    /// consumers) and reports resends with
    /// [`count_retransmission`](Self::count_retransmission).
    pub fn without_retransmission_buffer(mut self) -> Self {
        self.buffer = None;
        self
    }

    /// Counts a packet resent by the owner (`first_time`: first resend of
    /// that packet, which counts as repaired too).
    pub fn count_retransmission(&mut self, first_time: bool) {
        self.core.counters.packets_retransmitted += 1;
        if first_time {
            self.core.counters.packets_repaired += 1;
        }
    }

    /// A NACK feedback packet for this SSRC with `items` (`NackItem`s or
    /// `(pid, blp)` pairs, e.g. `GenericNack::items()`). Each packet to
    /// resend is handed to `visit`, in order. Returns how many.
    pub fn receive_nack<I>(
        &mut self,
        items: I,
        now_ms: u64,
        mut visit: impl FnMut(Retransmission<'_>),
    ) -> usize
    where
        I: IntoIterator,
        I::Item: Into<NackItem>,
    {
        self.core.counters.nack_count += 1;
        let rtt = if self.core.rtt_ms > 0.0 {
            self.core.rtt_ms as u64
        } else {
            DEFAULT_RTT_MS
        };
        let mut resent = 0;
        for item in items {
            let item: NackItem = item.into();
            self.core.counters.nack_packet_count += item.count_requested() as u64;
            let Some(buffer) = self.buffer.as_mut() else {
                continue;
            };
            let counters = &mut self.core.counters;
            let rtx_seq = &mut self.rtx_seq;
            let rtx = self.rtx;
            resent += buffer.handle_nack(item.pid, item.blp, now_ms, rtt, |bytes, meta| {
                let rtx = rtx.map(|(ssrc, payload_type)| {
                    *rtx_seq = rtx_seq.wrapping_add(1);
                    RtxEncoding {
                        ssrc,
                        payload_type,
                        seq: *rtx_seq,
                    }
                });
                visit(Retransmission { bytes, meta, rtx });
                counters.packets_retransmitted += 1;
                if meta.sent_times == 1 {
                    counters.packets_repaired += 1;
                }
            });
        }
        resent
    }

    /// A PLI for this SSRC arrived (only counted).
    pub fn receive_pli(&mut self) {
        self.core.counters.pli_count += 1;
    }

    /// A FIR for this SSRC arrived (only counted).
    pub fn receive_fir(&mut self) {
        self.core.counters.fir_count += 1;
    }

    /// A receiver report block about this SSRC arrived.
    pub fn receive_receiver_report(
        &mut self,
        report: &ReportBlockData,
        now_ms: u64,
    ) -> Option<ScoreChange> {
        // Our NTP clock now, extrapolated from the last SR we built.
        let compact_now = match self.last_sr {
            Some(sr) => sr
                .compact
                .wrapping_add(ntp::delay_to_compact(now_ms.saturating_sub(sr.at_ms))),
            None => 0,
        };
        let rtt = rtt_compact(compact_now, report.lsr, report.dlsr);
        self.core.rtt_ms = ntp::compact_to_ms(rtt).max(0.0);
        self.core.counters.packets_lost = report.total_lost;
        self.core.counters.fraction_lost = report.fraction_lost;
        self.core.jitter = report.jitter as f32;
        self.update_score(report, now_ms)
    }

    /// An XR receiver reference time about our media arrived.
    pub fn receive_xr_receiver_reference_time(&mut self, ntp_sec: u32, ntp_frac: u32, now_ms: u64) {
        self.last_rrt = Some(SrTiming {
            compact_ntp: ntp::compact(ntp_sec, ntp_frac),
            received_at_ms: now_ms,
        });
    }

    /// DLRR sub-block answering the last XR receiver reference time.
    pub fn get_xr_dlrr(&self, now_ms: u64) -> Option<DlrrSubBlock> {
        let rrt = self.last_rrt?;
        Some(DlrrSubBlock {
            ssrc: self.core.params.ssrc,
            last_rr: rrt.compact_ntp,
            dlrr: ntp::delay_to_compact(now_ms.saturating_sub(rrt.received_at_ms)),
        })
    }

    /// Contents of a sender report at `now_ms`, whose NTP time is `ntp_now`
    /// (seconds, fraction). `None` if nothing was sent yet or nothing for
    /// more than [`MAX_SENDER_REPORT_REFERENCE_AGE_MS`].
    pub fn get_sender_report_fields(
        &mut self,
        now_ms: u64,
        ntp_now: (u32, u32),
    ) -> Option<SenderReportFields> {
        if self.transmission.packet_count() == 0 {
            return None;
        }
        let age = now_ms.saturating_sub(self.core.max_packet_ms);
        if age > MAX_SENDER_REPORT_REFERENCE_AGE_MS {
            return None;
        }
        let diff_ts = age * u64::from(self.core.params.clock_rate) / 1000;
        let rtp_ts = self.core.max_packet_ts.wrapping_add(diff_ts as u32);
        self.last_sr = Some(LastSr {
            compact: ntp::compact(ntp_now.0, ntp_now.1),
            at_ms: now_ms,
        });
        self.core.sender_report_mapping = Some((ntp::to_ms(ntp_now.0, ntp_now.1), rtp_ts));
        Some(SenderReportFields {
            ssrc: self.core.params.ssrc,
            ntp_sec: ntp_now.0,
            ntp_frac: ntp_now.1,
            rtp_ts,
            packet_count: self.transmission.packet_count() as u32,
            octet_count: self.transmission.bytes() as u32,
        })
    }

    /// Alias of [`get_sender_report_fields`](Self::get_sender_report_fields).
    pub fn get_sender_report(
        &mut self,
        now_ms: u64,
        ntp_now: (u32, u32),
    ) -> Option<SenderReportFields> {
        self.get_sender_report_fields(now_ms, ntp_now)
    }

    /// Consumer paused: stored packets are useless now.
    pub fn pause(&mut self) {
        if let Some(b) = self.buffer.as_mut() {
            b.clear();
        }
        self.core.jitter = 0.0;
    }

    /// Consumer resumed (nothing to do; the consumer re-syncs its sequence
    /// numbers).
    pub fn resume(&mut self) {}

    fn update_score(&mut self, report: &ReportBlockData, now_ms: u64) -> Option<ScoreChange> {
        let total_sent = self.transmission.packet_count();
        let sent = total_sent.wrapping_sub(self.sent_prior_score) as u32;
        self.sent_prior_score = total_sent;

        let total_lost = report.total_lost.max(0);
        let mut lost = if total_lost < self.lost_prior_score {
            0
        } else {
            (total_lost - self.lost_prior_score) as u32
        };
        self.lost_prior_score = total_lost;

        let total_repaired = self.core.counters.packets_repaired;
        let mut repaired = total_repaired.wrapping_sub(self.core.repaired_prior_score) as u32;
        self.core.repaired_prior_score = total_repaired;

        let total_retransmitted = self.core.counters.packets_retransmitted;
        let retransmitted =
            total_retransmitted.wrapping_sub(self.core.retransmitted_prior_score) as u32;
        self.core.retransmitted_prior_score = total_retransmitted;

        if sent == 0 {
            return self.core.score.update(10, now_ms);
        }
        lost = lost.min(sent);
        repaired = repaired.min(lost);
        let sample = interval_score(sent, lost, repaired, retransmitted);
        self.core.score.update(sample, now_ms)
    }

    /// mediasoup's RtpStreamSendStats.
    pub fn get_stats(&mut self, now_ms: u64) -> report::StreamStats<'_> {
        let traffic = report::Traffic {
            direction: "outbound-rtp",
            byte_count: self.transmission.bytes(),
            packet_count: self.transmission.packet_count(),
            bitrate: self.transmission.bitrate(now_ms),
            bitrate_by_layer: None,
        };
        self.core.stats_base(now_ms, 0).with(traffic)
    }

    /// mediasoup's RtpStreamDump (table shape, as consumer dumps carry it).
    pub fn dump(&self) -> report::StreamDump<'_> {
        self.core.dump(report::DumpShape::Table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(nack: bool, mime: &str) -> RtpStreamParams {
        RtpStreamParams {
            ssrc: 1111,
            payload_type: 123,
            mime_type: mime.into(),
            clock_rate: 90000,
            use_nack: nack,
            ..Default::default()
        }
    }

    fn pkt(seq: u16, ts: u32, marker: bool) -> PacketInfo {
        PacketInfo {
            seq,
            timestamp: ts,
            ssrc: 1111,
            payload_type: 123,
            marker,
            size: 12,
            payload_len: 1,
            ..Default::default()
        }
    }

    fn bytes(p: &PacketInfo) -> [u8; 12] {
        let mut b = [0u8; 12];
        b[0] = 0x80;
        b[1] = if p.marker { 0x80 | 123 } else { 123 };
        b[2..4].copy_from_slice(&p.seq.to_be_bytes());
        b[4..8].copy_from_slice(&p.timestamp.to_be_bytes());
        b[8..12].copy_from_slice(&p.ssrc.to_be_bytes());
        b
    }

    fn send(s: &mut RtpStreamSend, p: &PacketInfo, now: u64) -> SendOutcome {
        s.send_packet(p, &bytes(p), now)
    }

    fn nack_all(s: &mut RtpStreamSend, pid: u16, blp: u16, now: u64) -> Vec<(u16, u32, bool)> {
        let mut out = Vec::new();
        s.receive_nack([NackItem { pid, blp }], now, |r| {
            // Bytes are the original packet.
            assert_eq!(u16::from_be_bytes([r.bytes[2], r.bytes[3]]), r.meta.seq);
            out.push((r.meta.seq, r.meta.timestamp, r.meta.marker));
        });
        out
    }

    const NOW: u64 = 1000;

    fn five_packets() -> [PacketInfo; 5] {
        [
            pkt(21006, 1533790901, false),
            pkt(21007, 1533790901, true),
            pkt(21008, 1533793871, false),
            pkt(21009, 1533793871, false),
            pkt(21010, 1533796931, true),
        ]
    }

    #[test]
    fn nack_retransmits_all() {
        let mut s = RtpStreamSend::new(params(true, "video/VP8"), NOW);
        let p = five_packets();
        for i in [0, 2, 1, 2, 3, 4, 4] {
            send(&mut s, &p[i], NOW);
        }
        let out = nack_all(&mut s, 21006, 0b1111, NOW);
        let want: Vec<_> = p.iter().map(|p| (p.seq, p.timestamp, p.marker)).collect();
        assert_eq!(out, want);
        assert_eq!(s.counters().nack_count, 1);
        assert_eq!(s.counters().nack_packet_count, 5);
        assert_eq!(s.counters().packets_retransmitted, 5);
        assert_eq!(s.counters().packets_repaired, 5);
    }

    #[test]
    fn nack_from_pairs() {
        let mut s = RtpStreamSend::new(params(true, "video/VP8"), NOW);
        for p in five_packets() {
            send(&mut s, &p, NOW);
        }
        let pairs = [(21006u16, 0u16), (21009, 1)];
        let n = s.receive_nack(pairs.iter().copied(), NOW, |_| {});
        assert_eq!(n, 3);
        assert_eq!(s.counters().nack_packet_count, 3);
    }

    #[test]
    fn nothing_without_nack_or_for_audio() {
        for mime in ["video/VP8", "audio/opus"] {
            let mut s = RtpStreamSend::new(params(false, mime), NOW);
            for p in five_packets() {
                assert_eq!(send(&mut s, &p, NOW), SendOutcome::AcceptedNotStored);
            }
            assert!(nack_all(&mut s, 21006, 0b1111, NOW).is_empty());
            assert_eq!(s.counters().nack_packet_count, 5);
        }
    }

    #[test]
    fn two_streams_independent() {
        let mut a = RtpStreamSend::new(params(true, "video/VP8"), NOW);
        let mut p2 = params(true, "video/VP8");
        p2.ssrc = 2222;
        let mut b = RtpStreamSend::new(p2, NOW);
        let p = five_packets();
        send(&mut a, &p[0], NOW);
        send(&mut a, &p[1], NOW);
        let mut q = p[0];
        q.ssrc = 2222;
        send(&mut b, &q, NOW);
        assert_eq!(nack_all(&mut a, 21006, 1, NOW).len(), 2);
        assert_eq!(nack_all(&mut b, 21006, 1, NOW).len(), 1);
    }

    #[test]
    fn rtx_encoding_info() {
        let mut prm = params(true, "video/VP8");
        prm.rtx_ssrc = 5555;
        prm.rtx_payload_type = 124;
        let mut s = RtpStreamSend::new(prm, NOW);
        s.set_rtx_seq(65534);
        for p in five_packets() {
            send(&mut s, &p, NOW);
        }
        let mut rtx = Vec::new();
        s.receive_nack(
            [NackItem {
                pid: 21006,
                blp: 0b10,
            }],
            NOW,
            |r| rtx.push(r.rtx.unwrap()),
        );
        assert_eq!(
            rtx,
            vec![
                RtxEncoding {
                    ssrc: 5555,
                    payload_type: 124,
                    seq: 65535
                },
                RtxEncoding {
                    ssrc: 5555,
                    payload_type: 124,
                    seq: 0
                },
            ]
        );
        assert_eq!(
            serde_json::to_value(s.dump()).unwrap()["rtxStream"]["params"]["ssrc"],
            5555
        );
    }

    #[test]
    fn within_max_retransmission_delay() {
        let first = 1533790901u32;
        let diff = MAX_RETRANSMISSION_DELAY_FOR_VIDEO_MS * 90000 / 1000;
        let mut s = RtpStreamSend::new(params(true, "video/VP8"), NOW);
        send(&mut s, &pkt(21006, first, false), NOW);
        send(&mut s, &pkt(21007, first + diff - 1, false), NOW);
        assert_eq!(nack_all(&mut s, 21006, 1, NOW).len(), 2);
    }

    #[test]
    fn beyond_max_retransmission_delay() {
        let first = 1533790901u32;
        let diff = MAX_RETRANSMISSION_DELAY_FOR_VIDEO_MS * 90000 / 1000;
        let mut s = RtpStreamSend::new(params(true, "video/VP8"), NOW);
        send(&mut s, &pkt(21006, first, false), NOW);
        send(&mut s, &pkt(21007, first + diff + 100, false), NOW);
        send(&mut s, &pkt(21008, first + 2 * diff, false), NOW);
        let out = nack_all(&mut s, 21006, 1, NOW);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].0, 21007);
    }

    #[test]
    fn seq_reset_clears_buffer() {
        let mut s = RtpStreamSend::new(params(true, "video/VP8"), NOW);
        send(&mut s, &pkt(50001, 1000001, false), NOW);
        send(&mut s, &pkt(50002, 1000002, false), NOW);
        assert_eq!(
            send(&mut s, &pkt(40003, 1000003, false), NOW),
            SendOutcome::Discarded
        );
        assert!(send(&mut s, &pkt(40004, 1000004, false), NOW).is_accepted());
        assert!(nack_all(&mut s, 50001, 1, NOW).is_empty());
        assert_eq!(s.counters().packets_discarded, 1);
    }

    #[test]
    fn duplicates_discarded() {
        let mut s = RtpStreamSend::new(params(true, "video/VP8"), NOW);
        let p = pkt(50001, 1000001, false);
        assert_eq!(send(&mut s, &p, NOW), SendOutcome::AcceptedAndStored);
        assert_eq!(send(&mut s, &p, NOW), SendOutcome::Discarded);
        assert_eq!(s.packet_count(), 1);
    }

    #[test]
    fn resend_respects_rtt() {
        let mut s = RtpStreamSend::new(params(true, "video/VP8"), NOW);
        for p in five_packets() {
            send(&mut s, &p, NOW);
        }
        assert_eq!(nack_all(&mut s, 21006, 0, NOW).len(), 1);
        // Default RTT 100 ms.
        assert_eq!(nack_all(&mut s, 21006, 0, NOW + 100).len(), 0);
        assert_eq!(nack_all(&mut s, 21006, 0, NOW + 101).len(), 1);
        assert_eq!(s.counters().packets_retransmitted, 2);
        // Repaired counts first retransmissions only.
        assert_eq!(s.counters().packets_repaired, 1);
    }

    #[test]
    fn sender_report_extrapolates_timestamp() {
        let mut s = RtpStreamSend::new(params(false, "video/VP8"), NOW);
        assert!(s.get_sender_report_fields(NOW, (1, 0)).is_none());
        send(&mut s, &pkt(21006, 1533790901, false), NOW);
        let sr = s.get_sender_report_fields(NOW + 1000, (5, 0)).unwrap();
        assert_eq!(sr.rtp_ts, 1533790901 + 90000);
        assert_eq!(sr.packet_count, 1);
        assert_eq!(sr.octet_count, 12);
        assert_eq!((sr.ntp_sec, sr.ntp_frac), (5, 0));
        assert_eq!(s.sender_report_mapping(), Some((5000, 1533790901 + 90000)));
        // At the age limit still produced, past it not.
        assert!(s.get_sender_report_fields(NOW + 2000, (6, 0)).is_some());
        assert!(s.get_sender_report_fields(NOW + 2001, (6, 0)).is_none());
    }

    #[test]
    fn rtt_from_receiver_report() {
        let mut s = RtpStreamSend::new(params(false, "video/VP8"), NOW);
        send(&mut s, &pkt(1, 1000, false), NOW);
        // SR at NTP 3000.5 s built at NOW.
        let ntp_sr = ntp::from_ms(3_000_500);
        let sr = s.get_sender_report_fields(NOW, ntp_sr).unwrap();
        let lsr = ntp::compact(sr.ntp_sec, sr.ntp_frac);
        // The peer held it 120 ms; RR arrives 200 ms after the SR: RTT 80 ms.
        let rr = ReportBlockData {
            ssrc: 1111,
            fraction_lost: 0,
            total_lost: 0,
            highest_seq: 1,
            jitter: 42,
            lsr,
            dlsr: ntp::delay_to_compact(120),
        };
        s.receive_receiver_report(&rr, NOW + 200);
        assert!((s.rtt_ms() - 80.0).abs() < 0.1, "{}", s.rtt_ms());
        assert_eq!(
            serde_json::to_value(s.get_stats(NOW + 200)).unwrap()["jitter"],
            42
        );
        // Known compact values: LSR 0x00010000 (1 s), DLSR 0x00008000 (0.5 s),
        // arrival 0x00020000 (2 s) => RTT 0.5 s.
        let mut s = RtpStreamSend::new(params(false, "video/VP8"), 0);
        send(&mut s, &pkt(1, 1000, false), 0);
        s.get_sender_report_fields(0, (1, 0)).unwrap();
        let rr = ReportBlockData {
            lsr: 0x0001_0000,
            dlsr: 0x0000_8000,
            ..rr
        };
        s.receive_receiver_report(&rr, 1000);
        assert_eq!(s.rtt_ms(), 500.0);
        // No LSR: RTT reset to 0.
        s.receive_receiver_report(&ReportBlockData { lsr: 0, ..rr }, 1000);
        assert_eq!(s.rtt_ms(), 0.0);
    }

    #[test]
    fn known_rtt_spaces_retransmissions() {
        let mut s = RtpStreamSend::new(params(true, "video/VP8"), 0);
        for p in five_packets() {
            send(&mut s, &p, 0);
        }
        // SR at NTP 10 s, held 50 ms by the peer, RR back at 300 ms: RTT 250.
        s.get_sender_report_fields(0, (10, 0)).unwrap();
        let rr = ReportBlockData {
            ssrc: 1111,
            lsr: ntp::compact(10, 0),
            dlsr: ntp::delay_to_compact(50),
            ..Default::default()
        };
        s.receive_receiver_report(&rr, 300);
        assert_eq!(s.rtt_ms() as u64, 250);
        assert_eq!(nack_all(&mut s, 21006, 0, 1000).len(), 1);
        assert_eq!(nack_all(&mut s, 21006, 0, 1200).len(), 0);
        assert_eq!(nack_all(&mut s, 21006, 0, 1250).len(), 0);
        assert_eq!(nack_all(&mut s, 21006, 0, 1251).len(), 1);
    }

    #[test]
    fn score_from_receiver_reports() {
        let mut s = RtpStreamSend::new(params(false, "video/VP8"), 0);
        let mut seq = 0u16;
        let mut total_lost = 0;
        for round in 0..10 {
            for _ in 0..100 {
                send(
                    &mut s,
                    &pkt(seq, u32::from(seq) * 100, false),
                    u64::from(seq),
                );
                seq += 1;
            }
            total_lost += 25;
            let rr = ReportBlockData {
                ssrc: 1111,
                fraction_lost: 64,
                total_lost,
                highest_seq: u32::from(seq),
                ..Default::default()
            };
            let c = s.receive_receiver_report(&rr, u64::from(seq));
            if round == 0 {
                assert_eq!(
                    c,
                    Some(ScoreChange {
                        score: 3,
                        previous: 10
                    })
                );
            }
        }
        // 25% lost: 0.75^4 * 10 = 3.16.
        assert_eq!(s.score(), 3);
        assert_eq!(s.fraction_lost(), 64);
        assert_eq!(s.counters().packets_lost, 250);
        // Nothing sent: 10s pull the average up.
        for _ in 0..30 {
            s.receive_receiver_report(
                &ReportBlockData {
                    total_lost,
                    ..Default::default()
                },
                5000,
            );
        }
        assert_eq!(s.score(), 10);
    }

    #[test]
    fn xr_dlrr() {
        let mut s = RtpStreamSend::new(params(false, "video/VP8"), 0);
        assert!(s.get_xr_dlrr(0).is_none());
        s.receive_xr_receiver_reference_time(0x0000_0002, 0x8000_0000, 1000);
        let d = s.get_xr_dlrr(1250).unwrap();
        assert_eq!(d.last_rr, 0x0002_8000);
        assert_eq!(d.dlrr, 0x4000);
    }

    #[test]
    fn pause_clears_buffer_and_stats_shape() {
        let mut s = RtpStreamSend::new(params(true, "audio/opus"), NOW);
        for p in five_packets() {
            send(&mut s, &p, NOW);
        }
        s.pause();
        assert!(nack_all(&mut s, 21006, 0b1111, NOW).is_empty());
        let st = serde_json::to_value(s.get_stats(NOW)).unwrap();
        assert_eq!(st["type"], "outbound-rtp");
        assert_eq!(st["kind"], "audio");
        assert_eq!(st["packetCount"], 5);
        assert!(st.get("rtxSsrc").is_none());
        assert!(st.get("bitrateByLayer").is_none());
        assert_eq!(st["roundTripTime"], 0.0);
    }
}
