//! Send-side bandwidth estimation in the core: starting a transport's
//! estimator, feeding it what is sent and the receiver's feedback, sending
//! its probes (padding on the probation SSRC), and acting on a new
//! available bitrate (the `bwe` trace, sharing it among consumers).

use super::core::Core;
use crate::bwe::{BweInfo, BweType, SendSideBwe, PROBATION_PAYLOAD_TYPE, PROBATION_SSRC};
use crate::channel::Outbox;
use crate::ids::{ConsumerKey, TransportKey};
use crate::trace::{Direction, TraceEvent};
use crate::transport::Transport;

/// Room an SRTP tag may need after a probe packet.
const SRTP_ROOM: usize = 16;
/// SSRCs listed in one REMB at most.
const REMB_MAX_SSRCS: usize = 16;

/// A packet received from a REMB-only sender feeds the receive-side
/// estimate; a REMB goes back when one is due (capped by
/// `setMaxIncomingBitrate`, as mediasoup does).
pub(super) fn remb_on_received(
    transport: &mut Transport,
    packet: &crate::rtp::RtpPacketRef,
    arrival_us: u64,
    buf: &mut [u8],
    now_ms: u64,
    net: &mut crate::net::NetOutbox,
    outbox: &mut Outbox,
) {
    let (Some(server), Some(id)) = (
        transport.remb_server.as_mut(),
        transport.recv_ext.abs_send_time,
    ) else {
        return;
    };
    let Some(abs_send_time) = packet
        .extension(id)
        .and_then(crate::rtp::ext::read_abs_send_time)
    else {
        return;
    };
    server.on_packet(
        arrival_us,
        packet.payload_len(),
        packet.ssrc(),
        abs_send_time,
    );
    let Some(estimate) = server.take_remb() else {
        return;
    };
    let bitrate = transport
        .max_incoming_bitrate
        .map_or(u64::from(estimate), |max| {
            u64::from(estimate).min(u64::from(max))
        });
    let mut ssrcs = [0u32; REMB_MAX_SSRCS];
    let mut count = 0;
    for (slot, ssrc) in ssrcs.iter_mut().zip(server.ssrcs()) {
        *slot = ssrc;
        count += 1;
    }
    if let Ok(len) = crate::rtcp::write_remb(buf, 0, bitrate, &ssrcs[..count]) {
        transport.send_rtcp(buf, len, now_ms, net, outbox);
    }
}

/// Records a sent packet with the transport-wide sequence number just
/// stamped on it.
pub(super) fn bwe_on_sent(transport: &mut Transport, len: usize, send_us: u64) {
    let seq = transport.transport_wide_seq;
    if let Some(bwe) = transport.bwe.as_mut() {
        bwe.on_sent(seq, len, send_us, None);
    }
}

impl Core {
    /// The first consumer whose receiver gives feedback starts the
    /// transport's estimator (later ones share it).
    pub(super) fn start_bwe(&mut self, tkey: TransportKey, bwe_type: BweType) {
        let now_ms = self.now_ms;
        let t = &mut self.transports[tkey];
        if t.bwe.is_some() {
            return;
        }
        let mut bwe = SendSideBwe::new(bwe_type, t.initial_available_outgoing_bitrate, now_ms);
        bwe.set_max_outgoing_bitrate(t.max_outgoing_bitrate, now_ms);
        bwe.set_min_outgoing_bitrate(t.min_outgoing_bitrate, now_ms);
        t.bwe = Some(bwe);
    }

    /// A consumer changed what it wants: its transport's bitrate is
    /// shared again at the next turn.
    pub(super) fn reallocate_bitrate(&mut self, ckey: ConsumerKey) {
        let Some(consumer) = self.consumers.get(ckey) else {
            return;
        };
        if let Some(t) = self.transports.get_mut(consumer.transport) {
            t.bwe_reallocate = t.bwe.is_some();
        }
    }

    /// When the estimators next need the clock.
    pub(super) fn bwe_poll_timeout(&self) -> Option<u64> {
        let now_ms = self.now_ms;
        self.transports
            .values()
            .filter(|t| super::media::transport_is_connected(t))
            .filter_map(|t| {
                let bwe = t.bwe.as_ref()?;
                if t.bwe_reallocate {
                    return Some(now_ms);
                }
                bwe.poll_timeout(now_ms)
            })
            .min()
    }

    /// Runs the estimators' timers, sends due probes and acts on events.
    pub(super) fn bwe_timeout(&mut self, now_ms: u64, outbox: &mut Outbox) {
        let due: Vec<TransportKey> = self
            .transports
            .iter()
            .filter(|(_, t)| super::media::transport_is_connected(t))
            .filter(|(_, t)| {
                t.bwe_reallocate
                    || t.bwe
                        .as_ref()
                        .and_then(|b| b.poll_timeout(now_ms))
                        .is_some_and(|at| at <= now_ms)
            })
            .map(|(k, _)| k)
            .collect();
        for tkey in due {
            self.update_desired_bitrate(tkey, now_ms);
            if let Some(bwe) = self.transports[tkey].bwe.as_mut() {
                bwe.handle_timeout(now_ms);
            }
            self.send_probes(tkey, now_ms, outbox);
            if std::mem::take(&mut self.transports[tkey].bwe_reallocate) {
                let available = self.transports[tkey]
                    .bwe
                    .as_ref()
                    .map_or(0, |b| b.available_bitrate());
                self.distribute_bitrate(tkey, available, outbox);
            }
            self.take_bwe_event(tkey, now_ms, outbox);
        }
    }

    /// A new estimate may be out: trace it and share it among consumers.
    pub(super) fn take_bwe_event(&mut self, tkey: TransportKey, now_ms: u64, outbox: &mut Outbox) {
        let Some(info) = self.transports[tkey]
            .bwe
            .as_mut()
            .and_then(|b| b.take_event(now_ms))
        else {
            return;
        };
        self.trace_bwe(tkey, &info, now_ms, outbox);
        self.distribute_bitrate(tkey, info.available_bitrate, outbox);
    }

    fn trace_bwe(&self, tkey: TransportKey, info: &BweInfo, now_ms: u64, outbox: &mut Outbox) {
        let t = &self.transports[tkey];
        if !t.trace_event_types.iter().any(|k| k == "bwe") {
            return;
        }
        #[derive(serde::Serialize)]
        struct Info<'a> {
            #[serde(flatten)]
            bitrates: &'a BweInfo,
            #[serde(rename = "bweType")]
            bwe_type: &'static str,
        }
        let bwe_type = t
            .bwe
            .as_ref()
            .map_or("transport-cc", |b| b.bwe_type().as_str());
        outbox.notification(
            &t.id,
            "transport.trace",
            TraceEvent {
                kind: "bwe",
                timestamp: now_ms,
                direction: Direction::Out,
                info: Info {
                    bitrates: info,
                    bwe_type,
                },
            },
        );
    }

    /// What the transport's consumers would send at their preferred
    /// layers (the estimate's ceiling follows it).
    fn update_desired_bitrate(&mut self, tkey: TransportKey, now_ms: u64) {
        let desired = self.desired_bitrate(tkey, now_ms);
        if let Some(bwe) = self.transports[tkey].bwe.as_mut() {
            bwe.set_desired_bitrate(desired, now_ms);
        }
    }

    /// Sends the probe packets due now: padding-only RTP on the probation
    /// SSRC, with the transport-wide sequence number (and abs-send-time)
    /// the receiver reports.
    fn send_probes(&mut self, tkey: TransportKey, now_ms: u64, outbox: &mut Outbox) {
        let (twcc_id, abs_id) = self.transports[tkey]
            .consumers
            .iter()
            .filter_map(|c| self.consumers.get(*c))
            .find(|c| c.transport_wide_cc_id.is_some())
            .map_or((None, None), |c| {
                (c.transport_wide_cc_id, c.abs_send_time_id)
            });
        let Some(twcc_id) = twcc_id else {
            return;
        };
        let Core {
            transports,
            send_buf,
            net,
            ..
        } = self;
        let t = &mut transports[tkey];
        while let Some(probe) = t.bwe.as_mut().and_then(|b| b.poll_probe(now_ms)) {
            t.transport_wide_seq = t.transport_wide_seq.wrapping_add(1);
            t.probation_seq = t.probation_seq.wrapping_add(1);
            let size = (probe.size as usize).min(send_buf.len() - SRTP_ROOM);
            let Some(len) = write_probe(
                &mut send_buf[..size],
                t.probation_seq,
                (now_ms * 90) as u32,
                (twcc_id, t.transport_wide_seq),
                abs_id.map(|id| (id, now_ms)),
            ) else {
                return;
            };
            if let Some(sent) = t.send_rtp(send_buf, len, &t.id.clone(), now_ms, net, outbox) {
                t.counters.sent_probation(sent, now_ms);
            }
            if let Some(bwe) = t.bwe.as_mut() {
                bwe.on_sent(
                    t.transport_wide_seq,
                    len,
                    now_ms * 1000,
                    Some(probe.cluster),
                );
            }
        }
    }
}

/// Writes a padding-only RTP packet of `buf.len()` bytes (at least the
/// header): one-byte header extensions with the transport-wide sequence
/// number and, if given, abs-send-time; then padding whose last byte
/// counts it. Returns its length.
fn write_probe(
    buf: &mut [u8],
    seq: u16,
    timestamp: u32,
    (twcc_id, twcc_seq): (u8, u16),
    abs_send_time: Option<(u8, u64)>,
) -> Option<usize> {
    // 12 header + 4 extension header + 3 (twcc) + 4 (abs) -> 24 words-aligned.
    let ext_len = 8usize;
    let header = 12 + 4 + ext_len;
    if buf.len() < header + 1 || twcc_id == 0 || twcc_id > 14 {
        return None;
    }
    let padding = (buf.len() - header).min(255);
    let len = header + padding;
    let buf = &mut buf[..len];
    buf.fill(0);
    // V=2, P=1, X=1.
    buf[0] = 0b1011_0000;
    buf[1] = PROBATION_PAYLOAD_TYPE;
    buf[2..4].copy_from_slice(&seq.to_be_bytes());
    buf[4..8].copy_from_slice(&timestamp.to_be_bytes());
    buf[8..12].copy_from_slice(&PROBATION_SSRC.to_be_bytes());
    buf[12..14].copy_from_slice(&0xBEDEu16.to_be_bytes());
    buf[14..16].copy_from_slice(&((ext_len / 4) as u16).to_be_bytes());
    buf[16] = (twcc_id << 4) | 1;
    buf[17..19].copy_from_slice(&twcc_seq.to_be_bytes());
    if let Some((id, now_ms)) = abs_send_time.filter(|(id, _)| (1..=14).contains(id)) {
        buf[19] = (id << 4) | 2;
        crate::rtp::ext::write_abs_send_time(&mut buf[20..23], now_ms);
    }
    buf[len - 1] = padding as u8;
    Some(len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rtp::RtpPacketRef;

    #[test]
    fn a_probe_is_a_padding_only_packet_with_the_feedback_extensions() {
        let mut buf = [0u8; 300];
        let len = write_probe(&mut buf, 7, 90, (5, 4242), Some((3, 1000))).unwrap();
        assert_eq!(len, 24 + 255);
        let p = RtpPacketRef::parse(&buf, len).unwrap();
        assert_eq!(p.ssrc(), PROBATION_SSRC);
        assert_eq!(p.payload_type(), PROBATION_PAYLOAD_TYPE);
        assert_eq!(p.sequence_number(), 7);
        assert_eq!(p.payload_len(), 0);
        assert_eq!(
            p.extension(5)
                .and_then(crate::rtp::ext::read_transport_wide_seq),
            Some(4242)
        );
        assert_eq!(p.extension(3).map(<[u8]>::len), Some(3));
        // Too small for a header, or an id one-byte extensions cannot carry.
        assert_eq!(write_probe(&mut buf[..20], 7, 90, (5, 1), None), None);
        assert_eq!(write_probe(&mut buf, 7, 90, (15, 1), None), None);
    }
}
