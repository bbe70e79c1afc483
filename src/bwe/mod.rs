//! Send-side bandwidth estimation of one transport (what mediasoup's
//! TransportCongestionControlClient does with libwebrtc's GoogCC), sans-IO:
//! sends and feedback go in with their times, the available bitrate and
//! probe packets come out, and `poll_timeout`/`handle_timeout` drive it.
//!
//! transport-cc: a delay-based estimate (trendline + AIMD) bounded by a
//! loss-based one, probes to find capacity upward. REMB: the receiver's
//! estimate as is.

pub mod allocation;
pub mod alr;
pub mod history;
pub mod loss_history;
pub mod probe;
pub mod rate_control;
pub mod remb_server;
pub mod trendline;

use alr::AlrDetector;
use history::{PacketResult, SentHistory};
use loss_history::PacketLossHistory;
use probe::{ProbePacket, Prober};
use rate_control::{AckedBitrate, Aimd, LossControl};
use serde::Serialize;
use trendline::{Trendline, Usage};

/// The lowest available bitrate reported (mediasoup's
/// TransportCongestionControlMinOutgoingBitrate).
pub const MIN_OUTGOING_BITRATE: u32 = 30_000;
/// Probes (padding-only RTP) go out on this SSRC and payload type, which
/// mediasoup-client signals to the browser as its "probator" stream.
pub const PROBATION_SSRC: u32 = 1234;
pub const PROBATION_PAYLOAD_TYPE: u8 = 127;
/// The estimate never goes further than this over what consumers want.
const MAX_BITRATE_FACTOR: f64 = 1.35;
/// An estimate under this share of that maximum is held down by the path.
const PATH_LIMITED_SHARE: f64 = 0.95;
/// Padding may fill up to this share of that maximum.
const MAX_PADDING_FACTOR: f64 = 0.85;
/// An available-bitrate event at least this often (ms) and on big changes.
const EVENT_INTERVAL_MS: u64 = 1000;
/// Probe again while short of what is wanted, this often (ms).
const PROBE_INTERVAL_MS: u64 = 2000;
/// Whether to probe is decided this often (ms) while media flows. It has
/// its own deadline: feedback also emits the events, and a timer shared
/// with them could be pushed back forever.
const PROBE_CHECK_MS: u64 = 200;
/// Periodic probes only while the receiver's last feedback is this recent (ms).
const FEEDBACK_FRESH_MS: u64 = 2000;
/// No probing this long after an overuse (ms).
const PROBE_AFTER_OVERUSE_MS: u64 = 1500;
/// The desired bitrate decays this much per second when it drops (so a
/// consumer pausing for a moment does not collapse the estimate's cap).
const DESIRED_DECAY_PER_SECOND: f64 = 0.95;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BweType {
    TransportCc,
    Remb,
}

impl BweType {
    pub fn as_str(self) -> &'static str {
        match self {
            BweType::TransportCc => "transport-cc",
            BweType::Remb => "remb",
        }
    }
}

/// The `bwe` trace event's info (mediasoup's shape).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BweInfo {
    pub desired_bitrate: u32,
    pub effective_desired_bitrate: u32,
    pub min_bitrate: u32,
    pub max_bitrate: u32,
    pub start_bitrate: u32,
    pub max_padding_bitrate: u32,
    pub available_bitrate: u32,
}

pub struct SendSideBwe {
    bwe_type: BweType,
    history: SentHistory,
    trendline: Trendline,
    aimd: Aimd,
    loss: LossControl,
    acked: AckedBitrate,
    alr: AlrDetector,
    prober: Prober,
    /// What `rtpPacketLossSent` reports.
    loss_history: PacketLossHistory,
    /// Reused per feedback (no allocation once grown).
    results: Vec<PacketResult>,
    start_bitrate: u32,
    available: u32,
    /// Limits set by the app (`setMinOutgoingBitrate`/`setMaxOutgoingBitrate`).
    min_outgoing: u32,
    max_outgoing: Option<u32>,
    desired: u32,
    effective_desired: f64,
    desired_updated_ms: u64,
    last_event: Option<(u64, u32)>,
    event_due: bool,
    initial_probes_sent: bool,
    last_overuse_ms: Option<u64>,
    last_sent_ms: Option<u64>,
    last_feedback_ms: Option<u64>,
    next_probe_check_ms: u64,
}

impl SendSideBwe {
    pub fn new(bwe_type: BweType, initial_available: u32, now_ms: u64) -> Self {
        let start = initial_available.max(MIN_OUTGOING_BITRATE);
        SendSideBwe {
            bwe_type,
            history: SentHistory::default(),
            trendline: Trendline::default(),
            aimd: Aimd::new(start),
            loss: LossControl::new(start),
            acked: AckedBitrate::default(),
            alr: AlrDetector::new(start),
            prober: Prober::default(),
            loss_history: PacketLossHistory::default(),
            results: Vec::new(),
            start_bitrate: start,
            available: start,
            min_outgoing: MIN_OUTGOING_BITRATE,
            max_outgoing: None,
            desired: 0,
            effective_desired: 0.0,
            desired_updated_ms: now_ms,
            last_event: None,
            event_due: false,
            initial_probes_sent: false,
            last_overuse_ms: None,
            last_sent_ms: None,
            last_feedback_ms: None,
            next_probe_check_ms: now_ms,
        }
    }

    pub fn bwe_type(&self) -> BweType {
        self.bwe_type
    }

    pub fn available_bitrate(&self) -> u32 {
        self.available
    }

    /// Whether the path, not what consumers want (the ceiling), holds the
    /// estimate down.
    pub fn is_path_limited(&self) -> bool {
        f64::from(self.available) < f64::from(self.max_bitrate()) * PATH_LIMITED_SHARE
    }

    /// Whether the sender is application-limited: it sends well under the
    /// estimate (consumers on lower layers than it allows, paused streams).
    pub fn in_alr(&self) -> bool {
        self.alr.in_alr()
    }

    /// The loss ratio (0..1) of what was sent, from the last feedback
    /// packets (`rtpPacketLossSent`).
    pub fn packet_loss(&self) -> f64 {
        self.loss_history.value()
    }

    /// The estimate's ceiling: what consumers want plus headroom (the start
    /// value while they want nothing), under the app's maximum.
    fn max_bitrate(&self) -> u32 {
        let wanted = (self.effective_desired * MAX_BITRATE_FACTOR) as u32;
        let max = wanted.max(self.start_bitrate);
        self.max_outgoing
            .map_or(max, |m| max.min(m))
            .max(self.min_outgoing)
    }

    pub fn info(&self) -> BweInfo {
        let max = self.max_bitrate();
        BweInfo {
            desired_bitrate: self.desired,
            effective_desired_bitrate: self.effective_desired as u32,
            min_bitrate: self.min_outgoing,
            max_bitrate: max,
            start_bitrate: self.start_bitrate,
            max_padding_bitrate: (f64::from(max) * MAX_PADDING_FACTOR) as u32,
            available_bitrate: self.available,
        }
    }

    pub fn set_max_outgoing_bitrate(&mut self, max: Option<u32>, now_ms: u64) {
        self.max_outgoing = max.filter(|m| *m > 0);
        self.refresh(now_ms);
    }

    pub fn set_min_outgoing_bitrate(&mut self, min: Option<u32>, now_ms: u64) {
        self.min_outgoing = min.unwrap_or(0).max(MIN_OUTGOING_BITRATE);
        self.refresh(now_ms);
    }

    /// What the consumers would send at their preferred layers.
    pub fn set_desired_bitrate(&mut self, desired: u32, now_ms: u64) {
        let dt = now_ms.saturating_sub(self.desired_updated_ms) as f64 / 1000.0;
        self.desired_updated_ms = now_ms;
        let decayed = self.effective_desired * DESIRED_DECAY_PER_SECOND.powf(dt);
        self.effective_desired = decayed.max(f64::from(desired));
        self.desired = desired;
    }

    /// A packet with transport-wide `seq` went out (`probe`: its cluster).
    pub fn on_sent(&mut self, seq: u16, size: usize, send_us: u64, probe: Option<u16>) {
        self.history.on_sent(seq, size, send_us, probe);
        self.alr.on_sent(size, send_us / 1000);
        if let Some(cluster) = probe {
            self.prober.on_sent(cluster, size as u32, send_us);
        }
        self.last_sent_ms = Some(send_us / 1000);
    }

    /// transport-cc feedback from the receiver.
    pub fn on_transport_cc(&mut self, feedback: &crate::rtcp::TransportCc, now_ms: u64) {
        if self.bwe_type != BweType::TransportCc {
            return;
        }
        self.last_feedback_ms = Some(now_ms);
        let (mut reported, mut missing) = (0, 0);
        let _ = feedback.for_each(|_, delta| {
            reported += 1;
            missing += u32::from(delta.is_none());
        });
        self.loss_history.push(missing, reported);
        let mut results = std::mem::take(&mut self.results);
        results.clear();
        self.history.on_feedback(feedback, &mut results);
        // In arrival order for the delay filter (lost ones do not matter).
        results.sort_unstable_by_key(|r| r.arrival_us.unwrap_or(i64::MAX));
        // Loss counts only for packets sent after the last loss-based cut:
        // those sent before it were sent at the old rate, and counting them
        // again would cut again and again down to the minimum.
        let counted_from_us = self.loss.last_decrease_ms().map_or(0, |ms| ms * 1000);
        let (mut lost, mut counted) = (0, 0);
        for r in &results {
            let counts = r.send_us >= counted_from_us;
            counted += u32::from(counts);
            match r.arrival_us {
                Some(arrival) => {
                    self.trendline.on_packet(r.send_us, arrival);
                    self.acked.on_acked(arrival, r.size);
                    self.prober.on_result(r);
                }
                None => lost += u32::from(counts),
            }
        }
        let total = results.len() as u32;
        self.results = results;
        if total == 0 {
            return;
        }
        let usage = self.trendline.usage();
        if usage == Usage::Overusing {
            self.last_overuse_ms = Some(now_ms);
        }
        let acked = self.acked.bitrate();
        let in_alr = self.alr.in_alr();
        let mut delay_based = self.aimd.update(usage, acked, in_alr, now_ms);
        if let Some(probed) = self.prober.take_result() {
            // A probe that got through lifts whichever estimate held the
            // available bitrate down (delay-based or loss-based).
            let combined = delay_based.min(self.loss.bitrate());
            if usage != Usage::Overusing && probed > combined {
                if probed > delay_based {
                    self.aimd.set_estimate(probed, now_ms);
                    delay_based = probed;
                }
                self.loss.reset(probed);
                self.continue_probing(probed);
            }
        }
        self.loss.update(lost, counted, delay_based, now_ms);
        self.refresh(now_ms);
    }

    /// REMB from the receiver.
    pub fn on_remb(&mut self, bitrate: u32, now_ms: u64) {
        if self.bwe_type != BweType::Remb {
            return;
        }
        self.aimd.set_estimate(bitrate, now_ms);
        self.loss.reset(bitrate);
        self.refresh(now_ms);
    }

    /// Recomputes the available bitrate from the estimators and limits.
    fn refresh(&mut self, now_ms: u64) {
        let max = self.max_bitrate();
        let min = self.min_outgoing.min(max);
        // The ceiling bounds what is reported, not what was learnt about the
        // path: when consumers want more again (preferred layers back up),
        // the estimate is there at once instead of probed for again.
        let estimate = self.aimd.bitrate().min(self.loss.bitrate());
        let previous = self.available;
        self.available = estimate.clamp(min, max);
        self.alr.set_estimate(self.available);
        let due = match self.last_event {
            None => true,
            Some((at, _)) => {
                now_ms.saturating_sub(at) >= EVENT_INTERVAL_MS
                    || f64::from(self.available) < f64::from(previous) * 0.75
                    || f64::from(self.available) > f64::from(previous) * 1.5
            }
        };
        self.event_due |= due;
    }

    /// An exponential probe after a good result while short of the maximum.
    fn continue_probing(&mut self, probed: u32) {
        let max = self.max_bitrate();
        let aimed = self.prober.last_target().unwrap_or(0);
        if f64::from(probed) > f64::from(aimed) * 0.7 && probed < max && self.prober.is_idle() {
            self.prober.request(probed.saturating_mul(2).min(max));
        }
    }

    /// The next available-bitrate event (mediasoup's cadence: each second
    /// and on changes under 0.75x or over 1.5x), with the trace info.
    pub fn take_event(&mut self, now_ms: u64) -> Option<BweInfo> {
        if !std::mem::take(&mut self.event_due) {
            return None;
        }
        self.last_event = Some((now_ms, self.available));
        Some(self.info())
    }

    pub fn poll_timeout(&self, now_ms: u64) -> Option<u64> {
        if self.event_due {
            return Some(now_ms);
        }
        let event = Some(
            self.last_event
                .map_or(now_ms, |(at, _)| at + EVENT_INTERVAL_MS),
        );
        let probe = self.prober.poll_timeout(now_ms);
        let check = self.probe_check_due_ms(now_ms);
        [event, probe, check].into_iter().flatten().min()
    }

    /// When to decide about probing next: only with transport-cc, while
    /// media flows, and, after the initial probes, while feedback keeps
    /// coming (a receiver that reports nothing cannot be probed, and its
    /// transport should not wake for it).
    fn probe_check_due_ms(&self, now_ms: u64) -> Option<u64> {
        let wanted = self.bwe_type == BweType::TransportCc
            && self.is_sending(now_ms)
            && (!self.initial_probes_sent || self.has_fresh_feedback(now_ms));
        wanted.then_some(self.next_probe_check_ms)
    }

    fn has_fresh_feedback(&self, now_ms: u64) -> bool {
        self.last_feedback_ms
            .is_some_and(|t| now_ms.saturating_sub(t) < FEEDBACK_FRESH_MS)
    }

    fn is_sending(&self, now_ms: u64) -> bool {
        self.last_sent_ms
            .is_some_and(|t| now_ms.saturating_sub(t) < 1000)
    }

    /// Periodic work: the event cadence and when to probe.
    pub fn handle_timeout(&mut self, now_ms: u64) {
        if self
            .last_event
            .is_none_or(|(at, _)| now_ms.saturating_sub(at) >= EVENT_INTERVAL_MS)
        {
            self.refresh(now_ms);
        }
        if now_ms >= self.next_probe_check_ms {
            self.next_probe_check_ms = now_ms + PROBE_CHECK_MS;
            self.prober.expire(now_ms);
            self.maybe_probe(now_ms);
        }
    }

    fn maybe_probe(&mut self, now_ms: u64) {
        if self.bwe_type != BweType::TransportCc
            || !self.prober.is_idle()
            || self.prober.awaiting_results()
        {
            return;
        }
        // Only while media flows, and up to where mediasoup would pad: the
        // estimate keeps headroom over what consumers want, so their top
        // layers fit without flapping.
        let sending = self.is_sending(now_ms);
        let max = self.max_bitrate();
        let padding_ceiling = f64::from(max) * MAX_PADDING_FACTOR;
        if !sending || f64::from(self.available) >= padding_ceiling {
            return;
        }
        if !self.initial_probes_sent {
            self.initial_probes_sent = true;
            self.prober
                .request(self.start_bitrate.saturating_mul(3).min(max));
            self.prober
                .request(self.start_bitrate.saturating_mul(6).min(max));
            return;
        }
        if !self.has_fresh_feedback(now_ms) {
            return;
        }
        let recent_overuse = self
            .last_overuse_ms
            .is_some_and(|t| now_ms.saturating_sub(t) < PROBE_AFTER_OVERUSE_MS);
        let since_probe = self
            .prober
            .last_started_ms
            .map_or(u64::MAX, |t| now_ms.saturating_sub(t));
        // 3x: far under the ceiling (after a long limit, the floor) the
        // estimate must not take many 2-second steps to come back; a
        // result that gets through continues exponentially.
        if !recent_overuse && since_probe >= PROBE_INTERVAL_MS {
            self.prober
                .request(self.available.saturating_mul(3).min(max));
        }
    }

    /// A probe packet due now, if any (sent as padding on the probation
    /// SSRC, then reported with `on_sent`).
    pub fn poll_probe(&mut self, now_ms: u64) -> Option<ProbePacket> {
        self.prober.poll_packet(now_ms)
    }
}

#[cfg(test)]
mod tests;
