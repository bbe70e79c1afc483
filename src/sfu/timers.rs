//! The core's one time contract: `poll_timeout()` says when something is
//! next due, `handle_timeout(now)` runs what is due. Every stateful piece
//! (ICE consent, DTLS retransmissions, transport-cc feedback, RTCP reports,
//! NACK retries, stream inactivity, key frame requests, observers, ICE-TCP
//! authentication deadlines) exposes the same pair; the core only asks and
//! forwards. (Retrying accept() is the I/O shell's own timer.)
//! Time is always passed in (worker clock, ms); nothing here reads a clock.

use super::core::Core;
use crate::channel::Outbox;
use crate::ids::{ProducerKey, RtpObserverKey, TransportKey, WebRtcServerKey};
use crate::transport::webrtc::{tcp_expiry_deadline, WebRtcTransport};
use crate::transport::{Transport, TransportKind};

/// How often a transport sends its RTCP reports (mediasoup: at most 1 s for
/// video).
pub(super) const RTCP_INTERVAL_MS: u64 = 1000;

fn earliest(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// A transport's RTCP report timer: armed only while it has something to
/// report on (an idle transport never wakes the worker).
fn rtcp_deadline(t: &Transport) -> Option<u64> {
    (!t.producers.is_empty() || !t.consumers.is_empty()).then_some(t.next_rtcp_ms)
}

/// ICE consent, DTLS retransmission, transport-cc feedback and ICE-TCP
/// housekeeping of one WebRtcTransport.
fn webrtc_deadline(w: &WebRtcTransport) -> Option<u64> {
    let mut at = earliest(w.ice.poll_timeout(), w.dtls.poll_timeout());
    if w.is_srtp_ready() {
        at = earliest(at, w.tcc.poll_timeout());
    }
    earliest(at, tcp_expiry_deadline(&w.tcp_conns))
}

impl Core {
    /// When `handle_timeout` must next run (worker clock, ms); `None` when
    /// nothing is scheduled, so an idle worker sleeps until input arrives.
    pub fn poll_timeout(&self) -> Option<u64> {
        let now_ms = self.now_ms;
        // Layer choices wait for no timer: they follow at the next turn.
        let mut at = self.simulcast_dirty.then_some(now_ms);
        for (_, t) in self.transports.iter() {
            at = earliest(at, rtcp_deadline(t));
            if let TransportKind::WebRtc(w) = &t.kind {
                at = earliest(at, webrtc_deadline(w));
            }
        }
        for server in self.webrtc_servers.values() {
            at = earliest(at, tcp_expiry_deadline(&server.pending_tcp));
        }
        for producer in self.producers.values() {
            at = earliest(at, producer.poll_timeout());
        }
        for observer in self.rtp_observers.values() {
            at = earliest(at, observer.poll_timeout());
        }
        at = earliest(at, self.bwe_poll_timeout());
        earliest(at, self.sctp_poll_timeout())
    }

    /// Runs everything due at `now_ms`.
    pub fn handle_timeout(&mut self, now_ms: u64, outbox: &mut Outbox) {
        self.now_ms = now_ms;
        if std::mem::take(&mut self.simulcast_dirty) {
            self.update_simulcast_targets(outbox);
        }
        self.producers_timeout(now_ms, outbox);
        self.observers_timeout(now_ms, outbox);
        self.webrtc_timeout(now_ms, outbox);
        self.webrtc_servers_timeout(now_ms);
        self.rtcp_reports_timeout(now_ms, outbox);
        self.sctp_timeout(now_ms, outbox);
        self.bwe_timeout(now_ms, outbox);
        // What the timers changed (stream activity) is acted on now.
        if std::mem::take(&mut self.simulcast_dirty) {
            self.update_simulcast_targets(outbox);
        }
    }

    fn producers_timeout(&mut self, now_ms: u64, outbox: &mut Outbox) {
        let due: Vec<ProducerKey> = self
            .producers
            .iter()
            .filter(|(_, p)| p.poll_timeout().is_some_and(|t| t <= now_ms))
            .map(|(k, _)| k)
            .collect();
        for pkey in due {
            self.producers[pkey].handle_timeout(now_ms);
            self.flush_producer_feedback(pkey, outbox);
        }
    }

    fn observers_timeout(&mut self, now_ms: u64, outbox: &mut Outbox) {
        let due: Vec<RtpObserverKey> = self
            .rtp_observers
            .iter()
            .filter(|(_, o)| o.poll_timeout().is_some_and(|t| t <= now_ms))
            .map(|(k, _)| k)
            .collect();
        for okey in due {
            self.rtp_observers[okey].handle_timeout(now_ms, outbox);
        }
    }

    fn webrtc_timeout(&mut self, now_ms: u64, outbox: &mut Outbox) {
        let due: Vec<TransportKey> = self
            .transports
            .iter()
            .filter(|(_, t)| match &t.kind {
                TransportKind::WebRtc(w) => webrtc_deadline(w).is_some_and(|d| d <= now_ms),
                _ => false,
            })
            .map(|(k, _)| k)
            .collect();
        for tkey in due {
            self.webrtc_transport_timeout(tkey, now_ms, outbox);
        }
    }

    fn webrtc_servers_timeout(&mut self, now_ms: u64) {
        let due: Vec<WebRtcServerKey> = self
            .webrtc_servers
            .iter()
            .filter(|(_, s)| tcp_expiry_deadline(&s.pending_tcp).is_some_and(|d| d <= now_ms))
            .map(|(k, _)| k)
            .collect();
        for skey in due {
            self.webrtc_server_timeout(skey, now_ms);
        }
    }

    fn rtcp_reports_timeout(&mut self, now_ms: u64, outbox: &mut Outbox) {
        let due: Vec<TransportKey> = self
            .transports
            .iter()
            .filter(|(_, t)| rtcp_deadline(t).is_some_and(|d| d <= now_ms))
            .map(|(k, _)| k)
            .collect();
        for tkey in due {
            self.transports[tkey].next_rtcp_ms = now_ms + RTCP_INTERVAL_MS;
            self.send_reports(tkey, now_ms, outbox);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::earliest;

    #[test]
    fn earliest_ignores_unset_timers() {
        assert_eq!(earliest(None, None), None);
        assert_eq!(earliest(Some(5), None), Some(5));
        assert_eq!(earliest(None, Some(7)), Some(7));
        assert_eq!(earliest(Some(9), Some(7)), Some(7));
    }
}
