//! Producer-side receive stream (mediasoup `RtpStreamRecv`), one per encoding.
//!
//! Inputs: media packets ([`RtpStreamRecv::receive_packet`]), RTX packets
//! decoded by the caller ([`RtpStreamRecv::receive_rtx_packet`]), sender
//! reports, XR DLRR, timers. Outputs (in the returned outcomes):
//! * NACK items to send (read them with [`RtpStreamRecv::nack_items`] right
//!   after the call; already counted in `nackCount` / `nackPacketCount`),
//! * key frame requests (PLI or FIR, already counted) when the NACK list
//!   overflows,
//! * score changes.
//!
//! Score: updated each time a sender report arrives, from the packets
//! expected / received / repaired since the previous one, averaged over the
//! last 24 reports. When the inactivity check is enabled (simulcast), no
//! media for 1500 ms (5000 ms with DTX) sets the score to 0 until media comes
//! back (score 10).
//!
//! Timers: ask [`RtpStreamRecv::poll_timeout`] and call
//! [`RtpStreamRecv::handle_timeout`] when due. They are the NACK retry timer
//! (40 ms while NACKs are pending), the inactivity timer and, for streams
//! with several spatial layers, a 1500 ms periodic check of each layer's
//! activity.

use super::report;

use super::nack::{pack_nack_items, NackGenerator, NackItem, MAX_NACK_PACKETS};
use super::rate::RtpDataCounter;
use super::rtx::{LossReport, RtxStream, SrTiming};
use super::{
    interval_score, ntp, KeyFrameRequest, MediaKind, PacketInfo, ReportBlockData, RtpStreamParams,
    ScoreChange, StreamCore, StreamCounters,
};

/// Inactivity timeout (ms).
pub const INACTIVITY_CHECK_INTERVAL_MS: u64 = 1500;
/// Inactivity timeout with DTX (ms).
pub const INACTIVITY_CHECK_INTERVAL_WITH_DTX_MS: u64 = 5000;
/// Period of the spatial layers activity check (ms).
pub const SPATIAL_LAYERS_ACTIVITY_CHECK_INTERVAL_MS: u64 = 1500;
/// NACK delay used by mediasoup's Producer (ms).
pub const PRODUCER_SEND_NACK_DELAY_MS: u64 = 10;
/// Spatial layers whose activity is reported (bitmask width).
pub const MAX_TRACKED_SPATIAL_LAYERS: usize = 64;

/// Header fields of a received RTX packet (before decoding).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RtxPacketInfo {
    pub seq: u16,
    pub timestamp: u32,
    pub payload_type: u8,
}

/// Result of feeding a packet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecvOutcome {
    /// The packet is valid and must be forwarded (mediasoup's return value).
    pub accepted: bool,
    /// The packet was one we had NACKed (counted as repaired).
    pub repaired: bool,
    /// NACK items ready in [`RtpStreamRecv::nack_items`].
    pub nack_items: usize,
    pub key_frame_request: Option<KeyFrameRequest>,
    pub score_change: Option<ScoreChange>,
}

/// Result of [`RtpStreamRecv::handle_timeout`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecvTimerOutcome {
    /// NACK items ready in [`RtpStreamRecv::nack_items`].
    pub nack_items: usize,
    pub score_change: Option<ScoreChange>,
    /// Bit `i` set: spatial layer `i` changed activity.
    pub layers_changed: u64,
    /// Bit `i` set: spatial layer `i` is active (meaningful for changed bits).
    pub layers_active: u64,
}

#[derive(Debug, Clone)]
struct TransmissionCounter {
    temporal_layers: usize,
    spatial_layers: usize,
    counters: Box<[RtpDataCounter]>,
}

impl TransmissionCounter {
    fn new(spatial: u8, temporal: u8, window_ms: u64) -> Self {
        let spatial = usize::from(spatial.max(1));
        let temporal = usize::from(temporal.max(1));
        Self {
            temporal_layers: temporal,
            spatial_layers: spatial,
            counters: (0..spatial * temporal)
                .map(|_| RtpDataCounter::new(window_ms, true))
                .collect(),
        }
    }

    #[inline]
    fn idx(&self, s: usize, t: usize) -> usize {
        s * self.temporal_layers + t
    }

    fn update(&mut self, pkt: &PacketInfo, now_ms: u64) {
        let s = usize::from(pkt.spatial_layer).min(self.spatial_layers - 1);
        let t = usize::from(pkt.temporal_layer).min(self.temporal_layers - 1);
        let i = self.idx(s, t);
        self.counters[i].update(pkt.size, pkt.payload_len, now_ms);
    }

    fn bitrate(&mut self, now_ms: u64) -> u32 {
        self.counters
            .iter_mut()
            .fold(0u32, |acc, c| acc.saturating_add(c.bitrate(now_ms)))
    }

    fn layer_bitrate(&mut self, now_ms: u64, s: usize, t: usize) -> u32 {
        if s >= self.spatial_layers || t >= self.temporal_layers {
            return 0;
        }
        let i = self.idx(s, t);
        self.counters[i].bitrate(now_ms)
    }

    fn spatial_layer_bitrate(&mut self, now_ms: u64, s: usize) -> u32 {
        (0..self.temporal_layers).fold(0u32, |acc, t| {
            acc.saturating_add(self.layer_bitrate(now_ms, s, t))
        })
    }

    /// Bitrate of layer (s, t) and every layer it depends on, 0 if (s, t)
    /// itself is not being received.
    fn cumulative_bitrate(&mut self, now_ms: u64, s: usize, t: usize) -> u32 {
        if self.layer_bitrate(now_ms, s, t) == 0 {
            return 0;
        }
        let mut rate = 0u32;
        for s2 in 0..s {
            rate = rate.saturating_add(self.spatial_layer_bitrate(now_ms, s2));
        }
        for t2 in 0..=t {
            rate = rate.saturating_add(self.layer_bitrate(now_ms, s, t2));
        }
        rate
    }

    fn packet_count(&self) -> u64 {
        self.counters.iter().map(|c| c.packet_count()).sum()
    }

    fn bytes(&self) -> u64 {
        self.counters.iter().map(|c| c.bytes()).sum()
    }
}

/// Receive stream of one encoding.
#[derive(Debug)]
pub struct RtpStreamRecv {
    core: StreamCore,
    transit: i32,
    expected_prior_score: u32,
    received_prior_score: u64,
    loss: LossReport,
    reported_packets_lost: i32,
    last_sr: Option<SrTiming>,
    fir_seq_number: u8,
    nack: Option<NackGenerator>,
    nack_seqs: Box<[u16]>,
    nack_seqs_len: usize,
    nack_items: Box<[NackItem]>,
    nack_items_len: usize,
    inactivity_interval_ms: Option<u64>,
    inactivity_deadline: Option<u64>,
    inactive: bool,
    layers_check_deadline: Option<u64>,
    layers_active: u64,
    transmission: TransmissionCounter,
    media: RtpDataCounter,
    rtx: Option<RtxStream>,
}

impl RtpStreamRecv {
    /// `send_nack_delay_ms`: minimum age of a missing packet before it is
    /// NACKed ([`PRODUCER_SEND_NACK_DELAY_MS`] in mediasoup's Producer).
    /// `use_rtp_inactivity_check`: mediasoup enables it for simulcast
    /// producers with more than one encoding. If `params.rtx_ssrc` is not 0
    /// the RTX stream is set up right away (otherwise call
    /// [`set_rtx`](Self::set_rtx) when RTX is detected).
    pub fn new(
        params: RtpStreamParams,
        send_nack_delay_ms: u64,
        use_rtp_inactivity_check: bool,
        now_ms: u64,
    ) -> Self {
        let window = if params.use_dtx { 6000 } else { 2500 };
        let transmission =
            TransmissionCounter::new(params.spatial_layers, params.temporal_layers, window);
        let (nack, nack_seqs, nack_items) = if params.use_nack {
            (
                Some(NackGenerator::new(send_nack_delay_ms)),
                vec![0u16; MAX_NACK_PACKETS].into_boxed_slice(),
                vec![NackItem::default(); MAX_NACK_PACKETS].into_boxed_slice(),
            )
        } else {
            (None, Box::default(), Box::default())
        };
        let inactivity_interval_ms = use_rtp_inactivity_check.then_some(if params.use_dtx {
            INACTIVITY_CHECK_INTERVAL_WITH_DTX_MS
        } else {
            INACTIVITY_CHECK_INTERVAL_MS
        });
        let layers_check_deadline = (params.spatial_layers > 1)
            .then_some(now_ms + SPATIAL_LAYERS_ACTIVITY_CHECK_INTERVAL_MS);
        let rtx = (params.rtx_ssrc, params.rtx_payload_type);
        let mut stream = Self {
            core: StreamCore::new(params, now_ms),
            transit: 0,
            expected_prior_score: 0,
            received_prior_score: 0,
            loss: LossReport::default(),
            reported_packets_lost: 0,
            last_sr: None,
            fir_seq_number: 0,
            nack,
            nack_seqs,
            nack_seqs_len: 0,
            nack_items,
            nack_items_len: 0,
            inactivity_interval_ms,
            inactivity_deadline: inactivity_interval_ms.map(|i| now_ms + i),
            inactive: false,
            layers_check_deadline,
            layers_active: 0,
            transmission,
            media: RtpDataCounter::new(2500, true),
            rtx: None,
        };
        if rtx.0 != 0 {
            stream.set_rtx(rtx.1, rtx.0);
        }
        stream
    }

    /// Pair an RTX stream (SSRC and payload type).
    pub fn set_rtx(&mut self, payload_type: u8, ssrc: u32) {
        let p = self.core.set_rtx(payload_type, ssrc);
        self.rtx = Some(RtxStream::new(p));
    }

    pub fn params(&self) -> &RtpStreamParams {
        &self.core.params
    }

    pub fn ssrc(&self) -> u32 {
        self.core.params.ssrc
    }

    pub fn rtx_ssrc(&self) -> u32 {
        self.core.params.rtx_ssrc
    }

    pub fn has_rtx(&self) -> bool {
        self.rtx.is_some()
    }

    pub fn rtx_stream(&self) -> Option<&RtxStream> {
        self.rtx.as_ref()
    }

    pub fn kind(&self) -> MediaKind {
        self.core.params.kind()
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

    /// RTT from XR DLRR (0 if unknown).
    pub fn rtt_ms(&self) -> f32 {
        self.core.rtt_ms
    }

    /// Interarrival jitter in RTP timestamp units.
    pub fn jitter(&self) -> f32 {
        self.core.jitter
    }

    pub fn max_packet_ts(&self) -> u32 {
        self.core.max_packet_ts
    }

    pub fn max_packet_ms(&self) -> u64 {
        self.core.max_packet_ms
    }

    /// (NTP time in ms, RTP timestamp) of the last sender report.
    pub fn sender_report_mapping(&self) -> Option<(u64, u32)> {
        self.core.sender_report_mapping
    }

    /// Extended highest sequence number received.
    pub fn extended_max_seq(&self) -> u32 {
        self.core.tracker.extended_max_seq()
    }

    pub fn expected_packets(&self) -> u32 {
        self.core.tracker.expected()
    }

    pub fn is_inactive(&self) -> bool {
        self.inactive
    }

    /// Time since the score last left 0.
    pub fn active_ms(&self, now_ms: u64) -> u64 {
        now_ms.saturating_sub(self.core.score.active_since_ms())
    }

    /// Length of the NACK list.
    pub fn nack_list_len(&self) -> usize {
        self.nack.as_ref().map_or(0, |n| n.nack_list_len())
    }

    /// NACK items produced by the last call (packed as mediasoup does;
    /// `Into<(u16, u16)>` for the RTCP writer).
    pub fn nack_items(&self) -> &[NackItem] {
        &self.nack_items[..self.nack_items_len]
    }

    /// The sequence numbers requested by [`nack_items`](Self::nack_items),
    /// in order (for writers that pack them themselves).
    pub fn nack_seqs(&self) -> &[u16] {
        &self.nack_seqs[..self.nack_seqs_len]
    }

    /// Bitrate of every layer received.
    pub fn bitrate(&mut self, now_ms: u64) -> u32 {
        self.transmission.bitrate(now_ms)
    }

    /// Bitrate of layer (s, t) including the layers it depends on; 0 if the
    /// layer itself is not being received.
    pub fn bitrate_for_layers(&mut self, now_ms: u64, spatial: u8, temporal: u8) -> u32 {
        self.transmission
            .cumulative_bitrate(now_ms, usize::from(spatial), usize::from(temporal))
    }

    /// Bitrate of every temporal layer of one spatial layer.
    pub fn spatial_layer_bitrate(&mut self, now_ms: u64, spatial: u8) -> u32 {
        self.transmission
            .spatial_layer_bitrate(now_ms, usize::from(spatial))
    }

    /// Bitrate of exactly layer (s, t).
    pub fn layer_bitrate(&mut self, now_ms: u64, spatial: u8, temporal: u8) -> u32 {
        self.transmission
            .layer_bitrate(now_ms, usize::from(spatial), usize::from(temporal))
    }

    /// Packets counted (media + repaired RTX, padding included).
    pub fn packet_count(&self) -> u64 {
        self.transmission.packet_count()
    }

    pub fn byte_count(&self) -> u64 {
        self.transmission.bytes()
    }

    /// A media packet of this SSRC (after codec inspection by the caller).
    pub fn receive_packet(&mut self, pkt: &PacketInfo, now_ms: u64) -> RecvOutcome {
        let mut out = RecvOutcome::default();
        self.nack_items_len = 0;
        self.nack_seqs_len = 0;

        if self.core.receive_stream_packet(pkt, now_ms).is_none() {
            return out;
        }
        out.accepted = true;

        if let Some(nack) = self.nack.as_mut() {
            let o =
                nack.received_packet(pkt.seq, pkt.is_keyframe, false, now_ms, &mut self.nack_seqs);
            if o.was_nacked && self.rtx.is_none() {
                self.core.counters.packets_retransmitted += 1;
                self.core.counters.packets_repaired += 1;
                out.repaired = true;
            }
            out.nack_items = self.emit_nacks(o.nack_count);
            if o.key_frame_required {
                out.key_frame_request = self.request_key_frame();
            }
        }

        self.calculate_jitter(pkt.timestamp, now_ms);

        self.transmission.update(pkt, now_ms);
        self.media.update(pkt.size, pkt.payload_len, now_ms);

        if pkt.payload_len == 0 {
            return out;
        }
        out.score_change = self.mark_active(now_ms);
        out
    }

    /// A packet received on the RTX SSRC. `original` is the packet recovered
    /// from it by the caller (`None` if the RTX payload carried no original
    /// packet, e.g. padding used for probing).
    pub fn receive_rtx_packet(
        &mut self,
        rtx: &RtxPacketInfo,
        original: Option<&PacketInfo>,
        now_ms: u64,
    ) -> RecvOutcome {
        let mut out = RecvOutcome::default();
        self.nack_items_len = 0;
        self.nack_seqs_len = 0;

        if self.nack.is_none() {
            return out;
        }
        if rtx.payload_type != self.core.params.rtx_payload_type {
            return out;
        }
        if let Some(rtx_stream) = self.rtx.as_mut() {
            if !rtx_stream.receive_packet(rtx.seq, rtx.timestamp) {
                return out;
            }
        }
        let Some(pkt) = original else {
            return out;
        };
        if self.core.update_seq(pkt, now_ms).is_none() {
            return out;
        }
        self.core.counters.packets_retransmitted += 1;

        let Some(nack) = self.nack.as_mut() else {
            return out;
        };
        let o = nack.received_packet(pkt.seq, pkt.is_keyframe, true, now_ms, &mut self.nack_seqs);
        out.nack_items = self.emit_nacks(o.nack_count);
        if o.key_frame_required {
            out.key_frame_request = self.request_key_frame();
        }
        if !o.was_nacked {
            return out;
        }
        out.accepted = true;
        out.repaired = true;
        self.core.counters.packets_repaired += 1;
        self.transmission.update(pkt, now_ms);
        if pkt.payload_len == 0 {
            return out;
        }
        out.score_change = self.mark_active(now_ms);
        out
    }

    fn mark_active(&mut self, now_ms: u64) -> Option<ScoreChange> {
        let change = if self.inactive {
            self.inactive = false;
            self.core.score.reset(10, now_ms)
        } else {
            None
        };
        if let Some(interval) = self.inactivity_interval_ms {
            self.inactivity_deadline = Some(now_ms + interval);
        }
        change
    }

    fn emit_nacks(&mut self, count: usize) -> usize {
        self.nack_seqs_len = count;
        if count == 0 {
            self.nack_items_len = 0;
            return 0;
        }
        let n = pack_nack_items(&self.nack_seqs[..count], &mut self.nack_items);
        self.nack_items_len = n;
        self.core.counters.nack_count += 1;
        self.core.counters.nack_packet_count += self.nack_items[..n]
            .iter()
            .map(|i| i.count_requested() as u64)
            .sum::<u64>();
        n
    }

    fn calculate_jitter(&mut self, rtp_ts: u32, now_ms: u64) {
        let clock = u64::from(self.core.params.clock_rate);
        if clock == 0 {
            return;
        }
        // Arrival time in RTP units (seconds and remainder apart so it never
        // overflows).
        let arrival = ((now_ms / 1000).wrapping_mul(clock) as u32)
            .wrapping_add(((now_ms % 1000) * clock / 1000) as u32);
        let transit = arrival.wrapping_sub(rtp_ts) as i32;
        let d = transit.wrapping_sub(self.transit);
        if self.transit == 0 {
            self.transit = transit;
            return;
        }
        self.transit = transit;
        let d = d.wrapping_abs();
        let jitter = f64::from(self.core.jitter);
        self.core.jitter = (jitter + (f64::from(d) - jitter) / 16.0) as f32;
    }

    /// Report block for this SSRC. Updates packets lost / fraction lost.
    pub fn fill_receiver_report(&mut self, now_ms: u64) -> ReportBlockData {
        self.fill_receiver_report_with_remote_loss(now_ms, 0)
    }

    /// Same as [`fill_receiver_report`](Self::fill_receiver_report); with
    /// in-band FEC enabled, `worst_remote_fraction_lost` (worst fraction lost
    /// reported by the consumers of this stream) is announced instead of the
    /// local one when higher, so that the sender adds more FEC.
    pub fn fill_receiver_report_with_remote_loss(
        &mut self,
        now_ms: u64,
        worst_remote_fraction_lost: u8,
    ) -> ReportBlockData {
        let worst = if self.core.params.use_in_band_fec {
            worst_remote_fraction_lost
        } else {
            0
        };
        let prev_lost = self.loss.packets_lost;
        let expected_interval = self
            .loss
            .compute(self.core.tracker.expected(), self.media.packet_count());
        self.core.counters.packets_lost = self.loss.packets_lost;
        self.core.counters.fraction_lost = self.loss.fraction_lost;

        let fraction_lost = if worst <= self.loss.fraction_lost {
            self.reported_packets_lost = self
                .reported_packets_lost
                .wrapping_add(self.loss.packets_lost.wrapping_sub(prev_lost));
            self.loss.fraction_lost
        } else {
            let new_lost_interval = (u32::from(worst).wrapping_mul(expected_interval)) >> 8;
            self.reported_packets_lost = self
                .reported_packets_lost
                .wrapping_add(new_lost_interval as i32);
            worst
        };

        let (lsr, dlsr) = SrTiming::lsr_dlsr(self.last_sr, now_ms);
        ReportBlockData {
            ssrc: self.core.params.ssrc,
            fraction_lost,
            total_lost: self.reported_packets_lost,
            highest_seq: self.core.tracker.extended_max_seq(),
            jitter: self.core.jitter as u32,
            lsr,
            dlsr,
        }
    }

    /// Report block for the RTX SSRC, if any.
    pub fn fill_rtx_receiver_report(&mut self, now_ms: u64) -> Option<ReportBlockData> {
        self.rtx.as_mut().map(|r| r.fill_receiver_report(now_ms))
    }

    /// A sender report for this SSRC arrived; the score is updated.
    pub fn receive_sender_report(
        &mut self,
        ntp_sec: u32,
        ntp_frac: u32,
        rtp_ts: u32,
        now_ms: u64,
    ) -> Option<ScoreChange> {
        // A sender without wall clock may send a zero NTP time.
        if ntp_sec != 0 || ntp_frac != 0 {
            self.last_sr = Some(SrTiming {
                compact_ntp: ntp::compact(ntp_sec, ntp_frac),
                received_at_ms: now_ms,
            });
            self.core.sender_report_mapping = Some((ntp::to_ms(ntp_sec, ntp_frac), rtp_ts));
        }
        self.update_score(now_ms)
    }

    /// A sender report for the RTX SSRC arrived.
    pub fn receive_rtx_sender_report(&mut self, ntp_sec: u32, ntp_frac: u32, now_ms: u64) {
        if let Some(r) = self.rtx.as_mut() {
            r.receive_sender_report(ntp_sec, ntp_frac, now_ms);
        }
    }

    /// An XR DLRR sub-block for this SSRC arrived (answering our XR receiver
    /// reference time). `ntp_now` is our NTP clock now, on the same base as
    /// the reference times we sent.
    pub fn receive_xr_dlrr(&mut self, last_rr: u32, dlrr: u32, ntp_now: (u32, u32)) {
        let compact_now = ntp::compact(ntp_now.0, ntp_now.1);
        let rtt = rtt_compact(compact_now, last_rr, dlrr);
        self.core.rtt_ms = ntp::compact_to_ms(rtt).max(0.0);
        if let Some(nack) = self.nack.as_mut() {
            nack.update_rtt(self.core.rtt_ms as u64);
        }
    }

    /// Build a key frame request (PLI if negotiated, else FIR) and count it;
    /// `None` if neither is negotiated.
    pub fn request_key_frame(&mut self) -> Option<KeyFrameRequest> {
        let ssrc = self.core.params.ssrc;
        if self.core.params.use_pli {
            self.core.counters.pli_count += 1;
            Some(KeyFrameRequest::Pli { ssrc })
        } else if self.core.params.use_fir {
            self.fir_seq_number = self.fir_seq_number.wrapping_add(1);
            self.core.counters.fir_count += 1;
            Some(KeyFrameRequest::Fir {
                ssrc,
                seq_nr: self.fir_seq_number,
            })
        } else {
            None
        }
    }

    /// Producer paused: stop the inactivity check, forget NACK state and
    /// jitter.
    pub fn pause(&mut self) {
        self.inactivity_deadline = None;
        if let Some(nack) = self.nack.as_mut() {
            nack.reset();
        }
        self.transit = 0;
        self.core.jitter = 0.0;
    }

    /// Producer resumed.
    pub fn resume(&mut self, now_ms: u64) {
        if let Some(interval) = self.inactivity_interval_ms {
            if !self.inactive {
                self.inactivity_deadline = Some(now_ms + interval);
            }
        }
    }

    /// Earliest timer deadline.
    pub fn poll_timeout(&self) -> Option<u64> {
        [
            self.nack.as_ref().and_then(|n| n.poll_timeout()),
            self.inactivity_deadline,
            self.layers_check_deadline,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Run the timers due at `now_ms`.
    pub fn handle_timeout(&mut self, now_ms: u64) -> RecvTimerOutcome {
        let mut out = RecvTimerOutcome::default();
        self.nack_items_len = 0;
        self.nack_seqs_len = 0;

        if let Some(nack) = self.nack.as_mut() {
            let n = nack.handle_timeout(now_ms, &mut self.nack_seqs);
            out.nack_items = self.emit_nacks(n);
        }

        if matches!(self.inactivity_deadline, Some(d) if now_ms >= d) {
            self.inactivity_deadline = None;
            self.inactive = true;
            out.score_change = self.core.score.reset(0, now_ms);
        }

        if matches!(self.layers_check_deadline, Some(d) if now_ms >= d) {
            self.layers_check_deadline = Some(now_ms + SPATIAL_LAYERS_ACTIVITY_CHECK_INTERVAL_MS);
            let layers =
                usize::from(self.core.params.spatial_layers).min(MAX_TRACKED_SPATIAL_LAYERS);
            for layer in 0..layers {
                let active = self.transmission.spatial_layer_bitrate(now_ms, layer) > 0;
                let bit = 1u64 << layer;
                if active != (self.layers_active & bit != 0) {
                    self.layers_active ^= bit;
                    out.layers_changed |= bit;
                }
            }
            out.layers_active = self.layers_active;
        }
        out
    }

    fn update_score(&mut self, now_ms: u64) -> Option<ScoreChange> {
        let total_expected = self.core.tracker.expected();
        let expected = total_expected.wrapping_sub(self.expected_prior_score);
        self.expected_prior_score = total_expected;

        let total_received = self.media.packet_count();
        let received = total_received.wrapping_sub(self.received_prior_score) as u32;
        self.received_prior_score = total_received;

        let mut lost = expected.saturating_sub(received);

        let total_repaired = self.core.counters.packets_repaired;
        let mut repaired = total_repaired.wrapping_sub(self.core.repaired_prior_score) as u32;
        self.core.repaired_prior_score = total_repaired;

        let total_retransmitted = self.core.counters.packets_retransmitted;
        let retransmitted =
            total_retransmitted.wrapping_sub(self.core.retransmitted_prior_score) as u32;
        self.core.retransmitted_prior_score = total_retransmitted;

        if self.inactive {
            return None;
        }
        if expected == 0 {
            return self.core.score.update(10, now_ms);
        }
        if received == 0 {
            return self.core.score.update(0, now_ms);
        }
        lost = lost.min(received);
        if repaired > lost {
            if self.rtx.is_some() {
                repaired = lost;
            } else {
                lost = repaired;
            }
        }
        let sample = interval_score(received, lost, repaired, retransmitted);
        self.core.score.update(sample, now_ms)
    }

    /// mediasoup's RtpStreamRecvStats.
    pub fn get_stats(&mut self, now_ms: u64) -> report::StreamStats<'_> {
        let (sl, tl) = (
            self.core.params.spatial_layers,
            self.core.params.temporal_layers,
        );
        let mut by_layer = report::LayerBitrates::default();
        if sl > 1 || tl > 1 {
            for s in 0..sl {
                for t in 0..tl {
                    let rate = self.bitrate_for_layers(now_ms, s, t);
                    by_layer.0.push(((s, t), rate));
                }
            }
        }
        let traffic = report::Traffic {
            direction: "inbound-rtp",
            byte_count: self.transmission.bytes(),
            packet_count: self.transmission.packet_count(),
            bitrate: self.transmission.bitrate(now_ms),
            bitrate_by_layer: Some(by_layer),
        };
        let rtx_discarded = self.rtx.as_ref().map_or(0, |r| r.packets_discarded());
        self.core.stats_base(now_ms, rtx_discarded).with(traffic)
    }

    /// mediasoup's RtpStreamDump, in the given shape.
    pub fn dump(&self, shape: report::DumpShape) -> report::StreamDump<'_> {
        self.core.dump(shape)
    }
}

/// RTT in compact NTP units from a report echoing `last` after `delay`.
pub(crate) fn rtt_compact(compact_now: u32, last: u32, delay: u32) -> u32 {
    if last != 0 && delay != 0 && compact_now > delay.wrapping_add(last) {
        compact_now.wrapping_sub(delay).wrapping_sub(last)
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> RtpStreamParams {
        RtpStreamParams {
            ssrc: 5,
            payload_type: 1,
            mime_type: "video/VP8".into(),
            clock_rate: 90000,
            rtx_payload_type: 96,
            use_nack: true,
            use_pli: true,
            use_fir: false,
            ..Default::default()
        }
    }

    fn pkt(seq: u16) -> PacketInfo {
        PacketInfo {
            seq,
            timestamp: 4,
            ssrc: 5,
            payload_type: 1,
            size: 100,
            payload_len: 88,
            ..Default::default()
        }
    }

    fn nacked(s: &RtpStreamRecv) -> Vec<u16> {
        s.nack_items().iter().flat_map(|i| i.seqs()).collect()
    }

    const NOW: u64 = 1000;

    #[test]
    fn nack_one_packet() {
        let mut s = RtpStreamRecv::new(params(), 0, false, NOW);
        assert!(s.receive_packet(&pkt(1), NOW).accepted);
        let o = s.receive_packet(&pkt(3), NOW);
        assert_eq!(o.nack_items, 1);
        assert_eq!(nacked(&s), vec![2]);
        let o = s.receive_packet(&pkt(2), NOW);
        assert_eq!(o.nack_items, 0);
        // No RTX: the late original counts as retransmitted and repaired.
        assert!(o.repaired);
        assert_eq!(s.counters().packets_repaired, 1);
        assert_eq!(s.counters().packets_retransmitted, 1);
        let o = s.receive_packet(&pkt(4), NOW);
        assert_eq!(o.nack_items, 0);
        assert_eq!(s.counters().nack_count, 1);
        assert_eq!(s.counters().nack_packet_count, 1);
    }

    #[test]
    fn rtx_before_corresponding_rtp() {
        let mut s = RtpStreamRecv::new(params(), 0, false, NOW);
        for seq in 1..=5 {
            s.receive_packet(&pkt(seq), NOW);
        }
        let rtx = RtxPacketInfo {
            seq: 1000,
            timestamp: 4,
            payload_type: 96,
        };
        let o = s.receive_rtx_packet(&rtx, Some(&pkt(6)), NOW);
        assert!(o.accepted);
        // Wrong RTX payload type.
        let bad = RtxPacketInfo {
            payload_type: 97,
            ..rtx
        };
        assert!(!s.receive_rtx_packet(&bad, Some(&pkt(7)), NOW).accepted);
        // Empty RTX.
        assert!(!s.receive_rtx_packet(&rtx, None, NOW).accepted);
    }

    #[test]
    fn rtx_repairs_nacked_packet() {
        let mut p = params();
        p.rtx_ssrc = 1234;
        let mut s = RtpStreamRecv::new(p, 0, false, NOW);
        assert!(s.has_rtx());
        s.receive_packet(&pkt(1), NOW);
        s.receive_packet(&pkt(3), NOW);
        assert_eq!(nacked(&s), vec![2]);
        let rtx = RtxPacketInfo {
            seq: 77,
            timestamp: 4,
            payload_type: 96,
        };
        let o = s.receive_rtx_packet(&rtx, Some(&pkt(2)), NOW + 20);
        assert!(o.accepted && o.repaired);
        assert_eq!(s.counters().packets_retransmitted, 1);
        assert_eq!(s.counters().packets_repaired, 1);
        // Duplicate retransmission: counted as retransmitted only.
        let rtx2 = RtxPacketInfo { seq: 78, ..rtx };
        let o = s.receive_rtx_packet(&rtx2, Some(&pkt(2)), NOW + 30);
        assert!(!o.accepted);
        assert_eq!(s.counters().packets_retransmitted, 2);
        assert_eq!(s.counters().packets_repaired, 1);
        // Media counter excludes RTX: the RR still sees 1 lost.
        let rr = s.fill_receiver_report(NOW + 40);
        assert_eq!(rr.total_lost, 1);
        assert_eq!(
            s.fill_rtx_receiver_report(NOW + 40).unwrap().highest_seq,
            78
        );
    }

    #[test]
    fn wrapping_sequence_numbers() {
        let mut s = RtpStreamRecv::new(params(), 0, false, NOW);
        s.receive_packet(&pkt(0xfffe), NOW);
        let o = s.receive_packet(&pkt(1), NOW);
        assert_eq!(o.nack_items, 1);
        assert_eq!(nacked(&s), vec![0xffff, 0]);
        assert_eq!(s.nack_seqs(), &[0xffff, 0]);
        assert_eq!(s.extended_max_seq(), 65536 + 1);
    }

    #[test]
    fn require_key_frame() {
        let mut s = RtpStreamRecv::new(params(), 0, false, NOW);
        s.receive_packet(&pkt(1), NOW);
        let o = s.receive_packet(&pkt(1003), NOW);
        assert_eq!(o.key_frame_request, Some(KeyFrameRequest::Pli { ssrc: 5 }));
        assert_eq!(o.nack_items, 0);
        assert_eq!(s.counters().pli_count, 1);
        // FIR when PLI is not negotiated.
        let mut p = params();
        p.use_pli = false;
        p.use_fir = true;
        let mut s = RtpStreamRecv::new(p, 0, false, NOW);
        assert_eq!(
            s.request_key_frame(),
            Some(KeyFrameRequest::Fir { ssrc: 5, seq_nr: 1 })
        );
        assert_eq!(
            s.request_key_frame(),
            Some(KeyFrameRequest::Fir { ssrc: 5, seq_nr: 2 })
        );
        assert_eq!(s.counters().fir_count, 2);
    }

    #[test]
    fn nack_retries_on_timer() {
        let mut s = RtpStreamRecv::new(params(), 0, false, NOW);
        s.receive_packet(&pkt(1), NOW);
        s.receive_packet(&pkt(3), NOW);
        assert_eq!(s.poll_timeout(), Some(NOW + 40));
        let mut sends = 1;
        let mut now = NOW;
        while let Some(d) = s.poll_timeout() {
            now = d;
            if s.handle_timeout(now).nack_items > 0 {
                assert_eq!(nacked(&s), vec![2]);
                sends += 1;
            }
        }
        assert_eq!(sends, 10);
        assert_eq!(s.counters().nack_count, 10);
        assert!(now < NOW + 2000);
    }

    #[test]
    fn jitter_on_synthetic_stream() {
        // 90 kHz, one packet every 20 ms (1800 ticks); arrival alternates
        // between on time and 10 ms late, so |D| = 900 ticks each packet.
        let mut p = params();
        p.use_nack = false;
        let mut s = RtpStreamRecv::new(p, 0, false, 0);
        let base_ms = 10_000u64;
        let mut expected = 0f64;
        for i in 0..400u32 {
            let late = if i % 2 == 1 { 10 } else { 0 };
            let mut k = pkt(i as u16);
            k.timestamp = 123_456 + i * 1800;
            s.receive_packet(&k, base_ms + u64::from(i) * 20 + late);
            if i >= 1 {
                expected += (900.0 - expected) / 16.0;
            }
        }
        assert!(
            (f64::from(s.jitter()) - expected).abs() < 0.5,
            "{}",
            s.jitter()
        );
        assert!((s.jitter() - 900.0).abs() < 1.0);
        assert!((899..=900).contains(&s.fill_receiver_report(20_000).jitter));
        // Constant delay: no jitter growth.
        let mut s = RtpStreamRecv::new(params(), 0, false, 0);
        for i in 0..100u32 {
            let mut k = pkt(i as u16);
            k.timestamp = 1000 + i * 1800;
            s.receive_packet(&k, 5000 + u64::from(i) * 20);
        }
        assert_eq!(s.jitter(), 0.0);
    }

    #[test]
    fn fraction_lost_25_percent_is_64() {
        let mut p = params();
        p.use_nack = false;
        let mut s = RtpStreamRecv::new(p, 0, false, NOW);
        for i in 0..100u16 {
            if i % 4 != 1 {
                s.receive_packet(&pkt(i), NOW + u64::from(i));
            }
        }
        let rr = s.fill_receiver_report(NOW + 200);
        assert_eq!(rr.fraction_lost, 64);
        assert_eq!(rr.total_lost, 25);
        assert_eq!(rr.highest_seq, 99);
        assert_eq!(s.fraction_lost(), 64);
        assert_eq!(s.counters().packets_lost, 25);
        // Next interval without loss.
        for i in 100..200u16 {
            s.receive_packet(&pkt(i), NOW + 300);
        }
        let rr = s.fill_receiver_report(NOW + 400);
        assert_eq!(rr.fraction_lost, 0);
        assert_eq!(rr.total_lost, 25);
    }

    #[test]
    fn in_band_fec_reports_worst_remote_loss() {
        let mut p = params();
        p.use_nack = false;
        p.use_in_band_fec = true;
        let mut s = RtpStreamRecv::new(p, 0, false, NOW);
        for i in 0..100u16 {
            s.receive_packet(&pkt(i), NOW);
        }
        let rr = s.fill_receiver_report_with_remote_loss(NOW, 128);
        assert_eq!(rr.fraction_lost, 128);
        assert_eq!(rr.total_lost, 50);
        // Local stats keep the local value.
        assert_eq!(s.fraction_lost(), 0);
    }

    #[test]
    fn lsr_dlsr_from_sender_report() {
        let mut s = RtpStreamRecv::new(params(), 0, false, NOW);
        s.receive_packet(&pkt(1), NOW);
        assert_eq!(s.fill_receiver_report(NOW).lsr, 0);
        s.receive_sender_report(0xAAAA_1234, 0x5678_0000, 9000, 2000);
        let rr = s.fill_receiver_report(3500);
        assert_eq!(rr.lsr, 0x1234_5678);
        assert_eq!(rr.dlsr, 0x0001_8000);
        let (ntp_ms, ts) = s.sender_report_mapping().unwrap();
        assert_eq!(ts, 9000);
        assert_eq!(ntp_ms, ntp::to_ms(0xAAAA_1234, 0x5678_0000));
    }

    #[test]
    fn xr_dlrr_rtt() {
        let mut s = RtpStreamRecv::new(params(), 0, false, NOW);
        // We sent an RRT at NTP 100.0 s; 30 ms later it was answered after a
        // 10 ms delay; now is 100.050 s: RTT = 40 ms.
        let lrr = ntp::compact(100, 0);
        let dlrr = ntp::delay_to_compact(10);
        let now = ntp::from_ms(100_050);
        s.receive_xr_dlrr(lrr, dlrr, now);
        assert!((s.rtt_ms() - 40.0).abs() < 0.1, "{}", s.rtt_ms());
    }

    #[test]
    fn score_from_sender_reports() {
        let mut p = params();
        p.use_nack = false;
        let mut s = RtpStreamRecv::new(p, 0, false, 0);
        assert_eq!(s.score(), 10);
        let mut seq = 0u16;
        let mut now = 0;
        let mut changes = Vec::new();
        // 10% loss for a while.
        for _ in 0..10 {
            for _ in 0..100 {
                if seq % 10 != 5 {
                    s.receive_packet(&pkt(seq), now);
                }
                seq += 1;
                now += 10;
            }
            if let Some(c) = s.receive_sender_report(1, 0, 0, now) {
                changes.push(c);
            }
        }
        // mediasoup divides by the packets received: (90 - 10) / 90 => 6.
        assert_eq!(s.score(), 6);
        assert_eq!(changes.first().unwrap().previous, 10);
        // Back to no loss.
        for _ in 0..30 {
            for _ in 0..100 {
                s.receive_packet(&pkt(seq), now);
                seq += 1;
                now += 10;
            }
            s.receive_sender_report(1, 0, 0, now);
        }
        assert_eq!(s.score(), 10);
        // Nothing expected in an interval: 10.
        assert_eq!(s.receive_sender_report(1, 0, 0, now), None);
    }

    #[test]
    fn inactivity_resets_score() {
        let mut s = RtpStreamRecv::new(params(), 0, true, 0);
        s.receive_packet(&pkt(1), 100);
        assert_eq!(s.poll_timeout(), Some(1600));
        let o = s.handle_timeout(1600);
        assert_eq!(
            o.score_change,
            Some(ScoreChange {
                score: 0,
                previous: 10
            })
        );
        assert!(s.is_inactive());
        assert_eq!(s.poll_timeout(), None);
        // Padding does not reactivate.
        let mut pad = pkt(2);
        pad.payload_len = 0;
        assert_eq!(s.receive_packet(&pad, 2000).score_change, None);
        let o = s.receive_packet(&pkt(3), 2100);
        assert_eq!(
            o.score_change,
            Some(ScoreChange {
                score: 10,
                previous: 0
            })
        );
        assert_eq!(s.active_ms(2500), 400);
        // While inactive SRs do not touch the score; paused streams have no
        // inactivity timer.
        s.pause();
        assert_eq!(s.poll_timeout(), None);
        s.resume(3000);
        assert_eq!(s.poll_timeout(), Some(4500));
    }

    #[test]
    fn spatial_layer_activity() {
        let mut p = params();
        p.use_nack = false;
        p.spatial_layers = 2;
        p.temporal_layers = 2;
        let mut s = RtpStreamRecv::new(p, 0, false, 0);
        assert_eq!(s.poll_timeout(), Some(1500));
        for i in 0..100u16 {
            let mut k = pkt(i);
            k.spatial_layer = (i % 2) as u8;
            k.temporal_layer = ((i / 2) % 2) as u8;
            s.receive_packet(&k, 1000 + u64::from(i));
        }
        let o = s.handle_timeout(1500);
        assert_eq!(o.layers_changed, 0b11);
        assert_eq!(o.layers_active, 0b11);
        // Only layer 0 keeps going.
        for i in 100..400u16 {
            let mut k = pkt(i);
            k.spatial_layer = 0;
            s.receive_packet(&k, 1500 + u64::from(i - 100) * 10);
        }
        let o = s.handle_timeout(3000);
        assert_eq!(o.layers_changed, 0);
        let o = s.handle_timeout(4500);
        assert_eq!(o.layers_changed, 0b10);
        assert_eq!(o.layers_active, 0b01);

        let stats = serde_json::to_value(s.get_stats(4500)).unwrap();
        let by_layer = stats["bitrateByLayer"].as_object().unwrap();
        assert_eq!(by_layer.len(), 4);
        assert!(by_layer["0.0"].as_u64().unwrap() > 0);
        assert_eq!(by_layer["1.1"], 0);
    }

    #[test]
    fn bad_sequence_discarded() {
        let mut s = RtpStreamRecv::new(params(), 0, false, NOW);
        assert!(s.receive_packet(&pkt(50001), NOW).accepted);
        assert!(!s.receive_packet(&pkt(40003), NOW).accepted);
        assert_eq!(s.counters().packets_discarded, 1);
        assert!(s.receive_packet(&pkt(40004), NOW).accepted);
    }

    #[test]
    fn stats_and_dump_shape() {
        let mut p = params();
        p.rid = "h".into();
        p.cname = "cn".into();
        let mut s = RtpStreamRecv::new(p, 0, false, NOW);
        s.set_rtx(96, 1234);
        s.receive_packet(&pkt(1), NOW);
        let st = serde_json::to_value(s.get_stats(NOW + 5)).unwrap();
        let keys: Vec<&str> = st.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        assert_eq!(
            keys,
            vec![
                "timestamp",
                "ssrc",
                "rtxSsrc",
                "rid",
                "kind",
                "mimeType",
                "packetsLost",
                "fractionLost",
                "jitter",
                "packetsDiscarded",
                "packetsRetransmitted",
                "packetsRepaired",
                "nackCount",
                "nackPacketCount",
                "pliCount",
                "firCount",
                "roundTripTime",
                "score",
                "type",
                "byteCount",
                "packetCount",
                "bitrate",
                "bitrateByLayer",
            ]
        );
        assert_eq!(st["type"], "inbound-rtp");
        assert_eq!(st["kind"], "video");
        assert_eq!(st["byteCount"], 100);
        assert_eq!(st["packetCount"], 1);
        assert_eq!(st["bitrate"], 320);
        assert_eq!(st["roundTripTime"], 0.0);
        assert_eq!(st["bitrateByLayer"], serde_json::json!({}));
        let d = serde_json::to_value(s.dump(report::DumpShape::Table)).unwrap();
        assert_eq!(d["params"]["rtxSsrc"], 1234);
        assert_eq!(d["params"]["rid"], "h");
        assert_eq!(d["score"], 10);
        assert_eq!(d["rtxStream"]["params"]["mimeType"], "video/rtx");
        assert_eq!(d["rtxStream"]["params"]["rrid"], "h");
        let u = serde_json::to_value(s.dump(report::DumpShape::Unpacked)).unwrap();
        assert_eq!(u["rtxStream"]["params"]["ssrc"], 1234);
    }
}
