//! What a transport counts for `getStats()`: bytes and bitrates of
//! everything it sends and receives, and of its RTP, RTX and probation
//! packets (mediasoup's per-transport RateCalculators and RtpDataCounters).
//! Updating is a few additions into fixed rings: no allocation per packet.

use crate::rtp_stream::rate::{RateCalculator, RtpDataCounter, DEFAULT_DATA_COUNTER_WINDOW_MS};
use serde::Serialize;

const RTX_WINDOW_MS: u64 = 1000;
const PROBATION_WINDOW_MS: u64 = 100;

pub struct TransportCounters {
    /// Every datagram (RTP, RTCP, SCTP, STUN, DTLS) in and out.
    recv: RateCalculator,
    send: RateCalculator,
    recv_rtp: RtpDataCounter,
    send_rtp: RtpDataCounter,
    recv_rtx: RtpDataCounter,
    send_rtx: RtpDataCounter,
    send_probation: RtpDataCounter,
}

impl Default for TransportCounters {
    fn default() -> Self {
        // Padding-only packets count at transport level (probation is made
        // of them). Windows as mediasoup's: RTP 2.5 s, RTX 1 s, probation
        // 100 ms.
        let data = |window_ms| RtpDataCounter::new(window_ms, false);
        TransportCounters {
            recv: RateCalculator::default(),
            send: RateCalculator::default(),
            recv_rtp: data(DEFAULT_DATA_COUNTER_WINDOW_MS),
            send_rtp: data(DEFAULT_DATA_COUNTER_WINDOW_MS),
            recv_rtx: data(RTX_WINDOW_MS),
            send_rtx: data(RTX_WINDOW_MS),
            send_probation: data(PROBATION_WINDOW_MS),
        }
    }
}

/// Byte totals and current bitrates, as `getStats()` shows them.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CounterSnapshot {
    pub bytes_received: u64,
    pub recv_bitrate: u32,
    pub bytes_sent: u64,
    pub send_bitrate: u32,
    pub rtp_bytes_received: u64,
    pub rtp_recv_bitrate: u32,
    pub rtp_bytes_sent: u64,
    pub rtp_send_bitrate: u32,
    pub rtx_bytes_received: u64,
    pub rtx_recv_bitrate: u32,
    pub rtx_bytes_sent: u64,
    pub rtx_send_bitrate: u32,
    pub probation_bytes_sent: u64,
    pub probation_send_bitrate: u32,
}

impl TransportCounters {
    /// A datagram arrived (whatever it carries).
    #[inline]
    pub fn received(&mut self, len: usize, now_ms: u64) {
        self.recv.update(len, now_ms);
    }

    /// A datagram went out (whatever it carries).
    #[inline]
    pub fn sent(&mut self, len: usize, now_ms: u64) {
        self.send.update(len, now_ms);
    }

    /// A media packet (`is_rtx`: a retransmission) reached its producer.
    #[inline]
    pub fn received_rtp(&mut self, len: usize, is_rtx: bool, now_ms: u64) {
        let counter = if is_rtx {
            &mut self.recv_rtx
        } else {
            &mut self.recv_rtp
        };
        counter.update(len, len, now_ms);
    }

    /// A media packet went out (also counted by `sent`).
    #[inline]
    pub fn sent_rtp(&mut self, len: usize, now_ms: u64) {
        self.send_rtp.update(len, len, now_ms);
    }

    /// A retransmission went out (also counted by `sent`).
    #[inline]
    pub fn sent_rtx(&mut self, len: usize, now_ms: u64) {
        self.send_rtx.update(len, len, now_ms);
    }

    /// A bandwidth probe went out (also counted by `sent`).
    #[inline]
    pub fn sent_probation(&mut self, len: usize, now_ms: u64) {
        self.send_probation.update(len, len, now_ms);
    }

    pub fn snapshot(&mut self, now_ms: u64) -> CounterSnapshot {
        CounterSnapshot {
            bytes_received: self.recv.bytes(),
            recv_bitrate: self.recv.get_rate(now_ms),
            bytes_sent: self.send.bytes(),
            send_bitrate: self.send.get_rate(now_ms),
            rtp_bytes_received: self.recv_rtp.bytes(),
            rtp_recv_bitrate: self.recv_rtp.bitrate(now_ms),
            rtp_bytes_sent: self.send_rtp.bytes(),
            rtp_send_bitrate: self.send_rtp.bitrate(now_ms),
            rtx_bytes_received: self.recv_rtx.bytes(),
            rtx_recv_bitrate: self.recv_rtx.bitrate(now_ms),
            rtx_bytes_sent: self.send_rtx.bytes(),
            rtx_send_bitrate: self.send_rtx.bitrate(now_ms),
            probation_bytes_sent: self.send_probation.bytes(),
            probation_send_bitrate: self.send_probation.bitrate(now_ms),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_and_windowed_bitrates() {
        let mut c = TransportCounters::default();
        // 100 packets of 1000 bytes over one second: 800 kbit/s.
        for i in 0..100u64 {
            c.received(1000, 10_000 + i * 10);
            c.received_rtp(1000, i % 10 == 0, 10_000 + i * 10);
            c.sent(500, 10_000 + i * 10);
            c.sent_rtp(500, 10_000 + i * 10);
        }
        let s = c.snapshot(10_999);
        assert_eq!(s.bytes_received, 100_000);
        assert_eq!(s.recv_bitrate, 800_000);
        assert_eq!(s.rtp_bytes_received, 90_000);
        assert_eq!(s.rtx_bytes_received, 10_000);
        assert_eq!(s.bytes_sent, 50_000);
        assert_eq!(s.send_bitrate, 400_000);
        // RTP counters average over 2.5 s.
        assert_eq!(s.rtp_send_bitrate, 160_000);
        // A silent second later the 1 s window is empty; totals stay.
        let later = c.snapshot(12_100);
        assert_eq!(later.recv_bitrate, 0);
        assert_eq!(later.bytes_received, 100_000);
    }
}
