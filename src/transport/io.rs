//! Sending and receiving protected media on any transport kind: SRTP
//! unprotect on the way in, protect + send on the way out (plain UDP, the
//! selected ICE tuple, or JS for a DirectTransport).

use super::webrtc::TupleId;
use super::{Transport, TransportKind};
use crate::channel::Outbox;
use crate::net::NetOutbox;
use crate::srtp::SrtpError;

/// Queues one datagram on an ICE tuple (framed by the shell on TCP).
pub fn send_on_tuple(net: &mut NetOutbox, tuple: TupleId, data: &[u8]) {
    match tuple {
        TupleId::Udp { socket, remote } => net.send_udp(socket, remote, data),
        TupleId::Tcp { conn } => net.send_tcp(conn, data),
    }
}

impl Transport {
    /// SRTP-unprotects an incoming RTP packet in place (a no-op without
    /// SRTP). An error: drop it (`None`: not keyed yet).
    pub fn unprotect_rtp(
        &mut self,
        buf: &mut [u8],
        len: usize,
    ) -> Result<usize, Option<SrtpError>> {
        let session = match &mut self.kind {
            TransportKind::Plain(plain) => match &mut plain.srtp {
                None => return Ok(len),
                Some(srtp) => srtp.recv.as_mut(),
            },
            TransportKind::WebRtc(w) => w.srtp_recv.as_mut(),
            TransportKind::Direct(_) => return Ok(len),
        };
        session.ok_or(None)?.unprotect_rtp(buf, len).map_err(Some)
    }

    /// Same for RTCP.
    pub fn unprotect_rtcp(
        &mut self,
        buf: &mut [u8],
        len: usize,
    ) -> Result<usize, Option<SrtpError>> {
        let session = match &mut self.kind {
            TransportKind::Plain(plain) => match &mut plain.srtp {
                None => return Ok(len),
                Some(srtp) => srtp.recv.as_mut(),
            },
            TransportKind::WebRtc(w) => w.srtp_recv.as_mut(),
            TransportKind::Direct(_) => return Ok(len),
        };
        session.ok_or(None)?.unprotect_rtcp(buf, len).map_err(Some)
    }

    /// Sends an RTP packet in `buf[..len]` (with room for the SRTP tag).
    /// Dropped when there is no remote yet. Returns the length that went
    /// out (the caller counts it as media, retransmission or probe).
    pub fn send_rtp(
        &mut self,
        buf: &mut [u8],
        len: usize,
        consumer_id: &str,
        now_ms: u64,
        net: &mut NetOutbox,
        outbox: &mut Outbox,
    ) -> Option<usize> {
        let sent = match &mut self.kind {
            TransportKind::Plain(plain) => {
                plain.remote?;
                let len = match &mut plain.srtp {
                    None => len,
                    Some(srtp) => match srtp.send.as_mut().map(|s| s.protect_rtp(buf, len)) {
                        Some(Ok(n)) => n,
                        _ => return None,
                    },
                };
                plain.send_rtp_datagram(net, &buf[..len]).then_some(len)
            }
            TransportKind::WebRtc(w) => {
                let (Some(tuple), Some(srtp)) = (w.ice.selected_tuple(), w.srtp_send.as_mut())
                else {
                    return None;
                };
                let Ok(len) = srtp.protect_rtp(buf, len) else {
                    return None;
                };
                send_on_tuple(net, tuple, &buf[..len]);
                Some(len)
            }
            TransportKind::Direct(_) => {
                outbox.binary_notification(consumer_id, "consumer.rtp", (), buf[..len].to_vec());
                Some(len)
            }
        };
        if let Some(len) = sent {
            self.counters.sent(len, now_ms);
        }
        sent
    }

    /// Sends a compound RTCP packet in `buf[..len]` (with room for the
    /// SRTCP trailer).
    pub fn send_rtcp(
        &mut self,
        buf: &mut [u8],
        len: usize,
        now_ms: u64,
        net: &mut NetOutbox,
        outbox: &mut Outbox,
    ) {
        let sent = match &mut self.kind {
            TransportKind::Plain(plain) => {
                let remote = if plain.rtcp_mux {
                    plain.remote
                } else {
                    plain.rtcp_remote
                };
                let Some(remote) = remote else {
                    return;
                };
                let len = match &mut plain.srtp {
                    None => len,
                    Some(srtp) => match srtp.send.as_mut().map(|s| s.protect_rtcp(buf, len)) {
                        Some(Ok(n)) => n,
                        _ => return,
                    },
                };
                let socket = match (plain.rtcp_socket, plain.rtcp_mux) {
                    (Some(s), false) => s,
                    _ => plain.socket,
                };
                net.send_udp(socket, remote, &buf[..len]);
                Some(len)
            }
            TransportKind::WebRtc(w) => {
                let (Some(tuple), Some(srtp)) = (w.ice.selected_tuple(), w.srtp_send.as_mut())
                else {
                    return;
                };
                let Ok(len) = srtp.protect_rtcp(buf, len) else {
                    return;
                };
                send_on_tuple(net, tuple, &buf[..len]);
                Some(len)
            }
            TransportKind::Direct(_) => {
                outbox.binary_notification(
                    &self.id,
                    "directtransport.rtcp",
                    (),
                    buf[..len].to_vec(),
                );
                Some(len)
            }
        };
        if let Some(len) = sent {
            self.counters.sent(len, now_ms);
        }
    }
}
