//! The RTX (RFC 4588) receive stream paired with a receive stream
//! (mediasoup `RtxStream`): sequence tracking, loss and SR timing of the
//! retransmission SSRC, for its own receiver report.

use super::seq::{RtpSeqTracker, SeqTrackerConfig};
use super::{ntp, MediaKind, ReportBlockData};

/// Parameters of an RTX stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtxStreamParams {
    pub ssrc: u32,
    pub payload_type: u8,
    /// e.g. "video/rtx".
    pub mime_type: String,
    pub clock_rate: u32,
    /// RID of the repaired stream (empty if none).
    pub rrid: String,
    pub cname: String,
}

impl RtxStreamParams {
    /// RTX params for a media stream of `kind`.
    pub fn for_media(
        kind: MediaKind,
        ssrc: u32,
        payload_type: u8,
        clock_rate: u32,
        rrid: &str,
        cname: &str,
    ) -> Self {
        Self {
            ssrc,
            payload_type,
            mime_type: format!("{}/rtx", kind.as_str()),
            clock_rate,
            rrid: rrid.to_owned(),
            cname: cname.to_owned(),
        }
    }
}

/// Loss accounting shared by the RTX and media receive streams.
#[derive(Debug, Clone, Default)]
pub(crate) struct LossReport {
    pub(crate) packets_lost: i32,
    pub(crate) fraction_lost: u8,
    expected_prior: u32,
    received_prior: u32,
}

impl LossReport {
    /// Update lost / fraction lost for a new report interval. Returns the
    /// expected packets of the interval.
    pub(crate) fn compute(&mut self, expected: u32, received: u64) -> u32 {
        let received = received as u32;
        self.packets_lost = if expected > received {
            expected.wrapping_sub(received) as i32
        } else {
            0
        };
        let expected_interval = expected.wrapping_sub(self.expected_prior);
        self.expected_prior = expected;
        let received_interval = received.wrapping_sub(self.received_prior);
        self.received_prior = received;
        let lost_interval = expected_interval.wrapping_sub(received_interval) as i32;
        self.fraction_lost = if expected_interval == 0 || lost_interval <= 0 {
            0
        } else {
            ((i64::from(lost_interval) << 8) as f64 / f64::from(expected_interval))
                .round()
                .min(255.0) as u8
        };
        expected_interval
    }
}

/// Timing of the last sender report received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SrTiming {
    pub(crate) compact_ntp: u32,
    pub(crate) received_at_ms: u64,
}

impl SrTiming {
    /// (LSR, DLSR) at `now_ms`.
    pub(crate) fn lsr_dlsr(timing: Option<SrTiming>, now_ms: u64) -> (u32, u32) {
        match timing {
            Some(t) => (
                t.compact_ntp,
                ntp::delay_to_compact(now_ms.saturating_sub(t.received_at_ms)),
            ),
            None => (0, 0),
        }
    }
}

/// Receive-side RTX stream.
#[derive(Debug, Clone)]
pub struct RtxStream {
    params: RtxStreamParams,
    tracker: RtpSeqTracker,
    max_packet_ts: u32,
    packets_count: u64,
    loss: LossReport,
    reported_packets_lost: i32,
    last_sr: Option<SrTiming>,
}

impl RtxStream {
    pub fn new(params: RtxStreamParams) -> Self {
        Self {
            params,
            tracker: RtpSeqTracker::new(SeqTrackerConfig::MEDIASOUP),
            max_packet_ts: 0,
            packets_count: 0,
            loss: LossReport::default(),
            reported_packets_lost: 0,
            last_sr: None,
        }
    }

    pub fn params(&self) -> &RtxStreamParams {
        &self.params
    }

    pub fn ssrc(&self) -> u32 {
        self.params.ssrc
    }

    /// Account an RTX packet (its own seq / timestamp, before decoding).
    pub fn receive_packet(&mut self, seq: u16, timestamp: u32) -> bool {
        let first = !self.tracker.started();
        if first {
            self.max_packet_ts = timestamp;
        }
        let verdict = self.tracker.update_ex(seq);
        if !verdict.is_valid() {
            return false;
        }
        if verdict == super::seq::SeqUpdate::Resynced
            || super::seq::is_seq_higher_than(timestamp, self.max_packet_ts)
        {
            self.max_packet_ts = timestamp;
        }
        self.packets_count += 1;
        true
    }

    /// Report block for this SSRC (no jitter is computed for RTX).
    pub fn fill_receiver_report(&mut self, now_ms: u64) -> ReportBlockData {
        let prev_lost = self.loss.packets_lost;
        self.loss
            .compute(self.tracker.expected(), self.packets_count);
        self.reported_packets_lost = self
            .reported_packets_lost
            .wrapping_add(self.loss.packets_lost.wrapping_sub(prev_lost));
        let (lsr, dlsr) = SrTiming::lsr_dlsr(self.last_sr, now_ms);
        ReportBlockData {
            ssrc: self.params.ssrc,
            fraction_lost: self.loss.fraction_lost,
            total_lost: self.reported_packets_lost,
            highest_seq: self.tracker.extended_max_seq(),
            jitter: 0,
            lsr,
            dlsr,
        }
    }

    pub fn receive_sender_report(&mut self, ntp_sec: u32, ntp_frac: u32, now_ms: u64) {
        self.last_sr = Some(SrTiming {
            compact_ntp: ntp::compact(ntp_sec, ntp_frac),
            received_at_ms: now_ms,
        });
    }

    pub fn packets_discarded(&self) -> u64 {
        self.tracker.discarded()
    }

    pub fn packets_count(&self) -> u64 {
        self.packets_count
    }

    pub fn fraction_lost(&self) -> u8 {
        self.loss.fraction_lost
    }

    pub fn max_packet_ts(&self) -> u32 {
        self.max_packet_ts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream() -> RtxStream {
        RtxStream::new(RtxStreamParams::for_media(
            MediaKind::Video,
            2222,
            97,
            90000,
            "r0",
            "cname",
        ))
    }

    #[test]
    fn report_counts_rtx_loss() {
        let mut s = stream();
        for seq in [100u16, 101, 103, 104] {
            assert!(s.receive_packet(seq, 1000));
        }
        s.receive_sender_report(0x0001_0002, 0x8000_0000, 5_000);
        let rr = s.fill_receiver_report(5_250);
        assert_eq!(rr.ssrc, 2222);
        assert_eq!(rr.highest_seq, 104);
        assert_eq!(rr.total_lost, 1);
        // 1 of 5 lost: 51.2 -> 51.
        assert_eq!(rr.fraction_lost, 51);
        assert_eq!(rr.jitter, 0);
        assert_eq!(rr.lsr, 0x0002_8000);
        assert_eq!(rr.dlsr, 0x4000);
        // Nothing new: interval has nothing.
        let rr = s.fill_receiver_report(5_300);
        assert_eq!(rr.fraction_lost, 0);
        assert_eq!(rr.total_lost, 1);
    }

    #[test]
    fn bad_seq_is_discarded() {
        let mut s = stream();
        assert!(s.receive_packet(10, 1));
        assert!(!s.receive_packet(30000, 2));
        assert_eq!(s.packets_discarded(), 1);
        let dump = serde_json::to_value(s.params.dump(super::super::report::DumpShape::Table));
        assert_eq!(dump.as_ref().unwrap()["params"]["mimeType"], "video/rtx");
        assert_eq!(dump.unwrap()["params"]["rrid"], "r0");
    }
}
