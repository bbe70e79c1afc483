//! SCTP in the worker: the association of a UDP transport (PlainTransport,
//! PipeTransport) fed with its SCTP datagrams, its messages routed to the
//! DataProducer of their stream, DataConsumer messages sent on their
//! stream, and `sctpstatechange` for JS.
//!
//! Over pipes the subchannel filter travels in front of each message
//! (`data::subchannels`). Who initiates: a PlainTransport answers (its
//! peer, like werift or mediasoup, sends INIT); of two PipeTransports, the
//! one with the lower local tuple sends INIT, the other answers.

use super::core::Core;
use crate::channel::Outbox;
use crate::data::subchannels::{self, SubchannelFilter};
use crate::ids::{DataConsumerKey, TransportKey};
use crate::sctp::{SctpAssociation, SctpEvent, SctpState, SendError, StreamReliability};
use crate::transport::dump::SctpNegotiatedCapabilities;
use crate::transport::TransportKind;
use serde::Serialize;

/// The `sctpstatechange` payload.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SctpStateChange {
    sctp_state: &'static str,
}

/// The `bufferedamountlow` payload.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BufferedAmount {
    buffered_amount: u32,
}

/// Whether a datagram on a UDP transport is SCTP (RTP and RTCP start with
/// version 2: 0b10xxxxxx).
pub fn is_sctp(data: &[u8]) -> bool {
    data.len() >= 12 && data[0] & 0xc0 != 0x80
}

impl Core {
    /// A PlainTransport or PipeTransport got connected: a pipe whose local
    /// tuple is the lower one starts the association.
    pub(super) fn sctp_transport_connected(&mut self, tkey: TransportKey, outbox: &mut Outbox) {
        let now_ms = self.now_ms;
        let Some(transport) = self.transports.get_mut(tkey) else {
            return;
        };
        let TransportKind::Plain(plain) = &transport.kind else {
            return;
        };
        let local = std::net::SocketAddr::new(plain.listen.ip, plain.local_port);
        let initiates = plain.pipe.is_some() && plain.remote.is_some_and(|remote| local < remote);
        if let (true, Some(sctp)) = (initiates, transport.sctp.as_mut()) {
            sctp.connect(now_ms);
        }
        self.pump_sctp(tkey, outbox);
    }

    /// An SCTP datagram in `recv_buf[..len]` for `tkey` (its source checked).
    pub(super) fn handle_sctp(&mut self, tkey: TransportKey, len: usize, outbox: &mut Outbox) {
        let now_ms = self.now_ms;
        let Core {
            transports,
            recv_buf,
            ..
        } = self;
        let transport = &mut transports[tkey];
        let taken = match transport.sctp.as_mut() {
            Some(sctp) => sctp.handle_datagram(&recv_buf[..len], now_ms),
            None => false,
        };
        if !taken {
            self.metrics.drops.malformed += 1;
        }
        self.pump_sctp(tkey, outbox);
    }

    /// SCTP packets that came as DTLS application data.
    pub(super) fn handle_sctp_over_dtls(
        &mut self,
        tkey: TransportKey,
        packets: Vec<Vec<u8>>,
        outbox: &mut Outbox,
    ) {
        let now_ms = self.now_ms;
        if let Some(transport) = self.transports.get_mut(tkey) {
            for packet in &packets {
                let taken = match transport.sctp.as_mut() {
                    Some(sctp) => sctp.handle_datagram(packet, now_ms),
                    None => false,
                };
                if !taken {
                    self.metrics.drops.malformed += 1;
                }
            }
        }
        self.pump_sctp(tkey, outbox);
    }

    /// Sends what the association has to send and acts on its events.
    pub(super) fn pump_sctp(&mut self, tkey: TransportKey, outbox: &mut Outbox) {
        let now_ms = self.now_ms;
        let mut messages = Vec::new();
        let mut low = Vec::new();
        {
            let Core {
                transports, net, ..
            } = self;
            let Some(transport) = transports.get_mut(tkey) else {
                return;
            };
            let Some(sctp) = transport.sctp.as_mut() else {
                return;
            };
            while let Some(packet) = sctp.poll_transmit(now_ms) {
                match &mut transport.kind {
                    TransportKind::Plain(plain) => {
                        if let Some(remote) = plain.remote {
                            net.send_udp(plain.socket, remote, &packet);
                            transport.counters.sent(packet.len(), now_ms);
                        }
                    }
                    // Into DTLS records, sent on the selected tuple.
                    TransportKind::WebRtc(w) => {
                        if w.dtls.send_application_data(&packet).is_ok() {
                            while let Some(datagram) = w.dtls.poll_transmit() {
                                if let Some(tuple) = w.ice.selected_tuple() {
                                    crate::transport::io::send_on_tuple(net, tuple, &datagram);
                                    transport.counters.sent(datagram.len(), now_ms);
                                }
                            }
                        }
                    }
                    TransportKind::Direct(_) => {}
                }
            }
            while let Some(event) = sctp.poll_event() {
                match event {
                    SctpEvent::StateChanged(state) => {
                        // What was agreed comes first, as mediasoup's does.
                        if let (SctpState::Connected, Some(streams)) =
                            (state, sctp.negotiated_streams())
                        {
                            outbox.notification(
                                &transport.id,
                                "transport.sctpnegotiatedcapabilities",
                                SctpNegotiatedCapabilities {
                                    negotiated_max_outbound_streams: streams,
                                    negotiated_max_inbound_streams: streams,
                                },
                            );
                        }
                        outbox.notification(
                            &transport.id,
                            "transport.sctpstatechange",
                            SctpStateChange {
                                sctp_state: state.as_str(),
                            },
                        )
                    }
                    SctpEvent::Message {
                        stream_id,
                        ppid,
                        data,
                    } => messages.push((stream_id, ppid, data)),
                    SctpEvent::BufferedAmountLow {
                        stream_id,
                        buffered_amount,
                    } => low.push((stream_id, buffered_amount)),
                }
            }
        }
        for (stream_id, buffered_amount) in low {
            if let Some(consumer) = self.sctp_data_consumer(tkey, stream_id) {
                outbox.notification(
                    &self.data.consumers[consumer].id,
                    "dataconsumer.bufferedamountlow",
                    BufferedAmount {
                        buffered_amount: buffered_amount as u32,
                    },
                );
            }
        }
        let pipe = self.transports[tkey].type_name() == "pipe";
        for (stream_id, ppid, data) in messages {
            self.sctp_message(tkey, stream_id, ppid, data, pipe, outbox);
        }
    }

    /// A message from the peer on `stream_id`: to the DataProducer of that
    /// stream (with the subchannel filter a pipe carries).
    fn sctp_message(
        &mut self,
        tkey: TransportKey,
        stream_id: u16,
        ppid: u32,
        data: Vec<u8>,
        pipe: bool,
        outbox: &mut Outbox,
    ) {
        let Some(key) = self.transports[tkey]
            .data_producers
            .iter()
            .copied()
            .find(|k| {
                self.data.producers[*k]
                    .sctp
                    .is_some_and(|s| s.stream_id == stream_id)
            })
        else {
            // No DataProducer for the stream (mediasoup logs and drops).
            self.metrics.drops.no_route += 1;
            return;
        };
        let (filter, payload) = if pipe {
            let (filter, payload) = subchannels::decode(&data);
            (filter, payload.to_vec())
        } else {
            (SubchannelFilter::default(), data)
        };
        self.data_producer_send(
            key,
            payload,
            ppid,
            (&filter.subchannels, filter.required, filter.ignored),
            outbox,
        );
    }

    /// Sends a message to an SCTP DataConsumer's stream (its filter in
    /// front on a pipe). Counted as sent once the association takes it.
    pub(super) fn send_over_sctp(
        &mut self,
        ckey: DataConsumerKey,
        message: &[u8],
        ppid: u32,
        filter: &SubchannelFilter,
        outbox: &mut Outbox,
    ) -> bool {
        let now_ms = self.now_ms;
        let consumer = &self.data.consumers[ckey];
        let (Some(params), tkey) = (consumer.sctp, consumer.transport) else {
            return false;
        };
        let payload = if consumer.pipe {
            // Only the subchannels this pipe carries (mediasoup's rule).
            let mut filter = filter.clone();
            if !consumer.subchannels.is_empty() {
                filter
                    .subchannels
                    .retain(|s| consumer.subchannels.contains(s));
            }
            subchannels::encode(message, &filter)
        } else {
            message.to_vec()
        };
        if payload.len() as u64 > consumer.max_message_size {
            return false;
        }
        let reliability = StreamReliability {
            ordered: params.ordered,
            max_packet_life_time: params.max_packet_life_time,
            max_retransmits: params.max_retransmits,
        };
        let Some(sctp) = self.transports.get_mut(tkey).and_then(|t| t.sctp.as_mut()) else {
            return false;
        };
        match sctp.send(now_ms, params.stream_id, ppid, &payload, reliability) {
            Ok(()) => {}
            Err(SendError::BufferFull) => {
                outbox.notification(
                    &self.data.consumers[ckey].id,
                    "dataconsumer.sctpsendbufferfull",
                    (),
                );
                return false;
            }
            Err(_) => return false,
        }
        self.data.consumers[ckey].sent(payload.len());
        self.pump_sctp(tkey, outbox);
        true
    }

    /// The SCTP DataConsumer of `tkey` sending on `stream_id`.
    fn sctp_data_consumer(&self, tkey: TransportKey, stream_id: u16) -> Option<DataConsumerKey> {
        self.transports[tkey]
            .data_consumers
            .iter()
            .copied()
            .find(|k| {
                self.data.consumers[*k]
                    .sctp
                    .is_some_and(|s| s.stream_id == stream_id)
            })
    }

    /// What an SCTP DataConsumer's stream has buffered.
    pub(super) fn sctp_buffered_amount(&mut self, ckey: DataConsumerKey) -> u32 {
        self.sctp_stream_amount(ckey, |s, id| s.buffered_amount(id))
    }

    /// What waits for the association on a DataConsumer's stream.
    pub(super) fn sctp_unsent_amount(&mut self, ckey: DataConsumerKey) -> u32 {
        self.sctp_stream_amount(ckey, |s, id| s.unsent_amount(id))
    }

    /// `amount` of an SCTP DataConsumer's stream (0 without one).
    fn sctp_stream_amount(
        &mut self,
        ckey: DataConsumerKey,
        amount: impl FnOnce(&mut SctpAssociation, u16) -> usize,
    ) -> u32 {
        let consumer = &self.data.consumers[ckey];
        let (Some(params), tkey) = (consumer.sctp, consumer.transport) else {
            return 0;
        };
        self.transports
            .get_mut(tkey)
            .and_then(|t| t.sctp.as_mut())
            .map_or(0, |s| amount(s, params.stream_id) as u32)
    }

    /// Sets an SCTP DataConsumer's bufferedAmountLowThreshold on its stream.
    pub(super) fn sctp_set_low_threshold(&mut self, ckey: DataConsumerKey) {
        let consumer = &self.data.consumers[ckey];
        let (Some(params), tkey, threshold) = (
            consumer.sctp,
            consumer.transport,
            consumer.buffered_amount_low_threshold,
        ) else {
            return;
        };
        if let Some(sctp) = self.transports.get_mut(tkey).and_then(|t| t.sctp.as_mut()) {
            sctp.set_buffered_amount_low_threshold(params.stream_id, threshold as usize);
        }
    }

    /// The associations' next deadline.
    pub(super) fn sctp_poll_timeout(&self) -> Option<u64> {
        self.transports
            .values()
            .filter_map(|t| t.sctp.as_ref()?.poll_timeout())
            .min()
    }

    /// Runs the associations' due timers.
    pub(super) fn sctp_timeout(&mut self, now_ms: u64, outbox: &mut Outbox) {
        let due: Vec<TransportKey> = self
            .transports
            .iter()
            .filter(|(_, t)| {
                t.sctp
                    .as_ref()
                    .and_then(|s| s.poll_timeout())
                    .is_some_and(|at| at <= now_ms)
            })
            .map(|(k, _)| k)
            .collect();
        for tkey in due {
            if let Some(sctp) = self.transports[tkey].sctp.as_mut() {
                sctp.handle_timeout(now_ms);
            }
            self.pump_sctp(tkey, outbox);
        }
    }
}
