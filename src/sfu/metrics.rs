//! Worker-wide totals for monitoring (`ferrosoup/metrics`): monotonic
//! counters that outlive the transports they were counted on, so that a
//! Prometheus counter never goes back when a transport closes. Plain
//! additions on the packet path: no allocation, no lock.

use serde::Serialize;

/// Why a received datagram was dropped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Drops {
    /// Not a packet of any protocol expected there, or one that does not
    /// parse (RTP, RTCP, SRTP framing, SCTP).
    pub malformed: u64,
    /// From a source that is not the connected/ICE-validated tuple, before
    /// the keys exist, or with an SRTP tag that does not verify.
    pub unauthenticated: u64,
    /// Authentic SRTP/SRTCP whose index was already seen.
    pub replayed: u64,
    /// Valid, but nothing takes it (an SSRC no producer has, an SCTP stream
    /// no DataProducer has).
    pub no_route: u64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkerMetrics {
    pub packets_received: u64,
    pub bytes_received: u64,
    pub packets_sent: u64,
    pub bytes_sent: u64,
    pub drops: Drops,
    /// DTLS handshakes that failed (bad fingerprint, alert, timeout).
    pub dtls_failures: u64,
    /// ICE connections lost (consent expired: `icestatechange` to
    /// 'disconnected').
    pub ice_disconnections: u64,
}

impl WorkerMetrics {
    pub fn received(&mut self, len: usize) {
        self.packets_received += 1;
        self.bytes_received += len as u64;
    }
}

impl Drops {
    /// Counts an SRTP/SRTCP failure under its reason.
    pub fn srtp(&mut self, error: Option<crate::srtp::SrtpError>) {
        use crate::srtp::SrtpError as E;
        match error {
            Some(E::Replayed) => self.replayed += 1,
            Some(E::TooShort | E::Malformed) => self.malformed += 1,
            // No keys yet, a tag that does not verify.
            _ => self.unauthenticated += 1,
        }
    }
}
