//! The media path of a worker: what arrives on the shell's sockets (UDP
//! datagrams, accepted TCP connections, TCP bytes) routed to its owner,
//! plain RTP/RTCP handling, and fan-out to consumers. Nothing here
//! allocates per packet once streams are running.

use super::core::{Core, Handler, SocketRole};
use crate::channel::Outbox;
use crate::consumer::ForwardResult;
use crate::ids::{ProducerKey, TransportKey};
use crate::net::SocketId;
use crate::producer::forward::{ExtKind, Forwarded};
use crate::request::Notification;
use crate::rtp::RtpPacketRef;
use crate::transport::webrtc::TupleId;
use crate::transport::{Transport, TransportKind};
use std::net::SocketAddr;

/// Stamps the per-transport header extensions (abs-send-time, the
/// transport-wide sequence number) of a packet of `len` bytes about to go
/// out at `send_us`; the bandwidth estimator records it under that number.
pub(super) fn stamp_transport_extensions(
    transport: &mut Transport,
    buf: &mut [u8],
    len: usize,
    (abs_send_time_at, transport_wide_seq_at): (Option<usize>, Option<usize>),
    send_us: u64,
) {
    if let Some(at) = abs_send_time_at {
        crate::rtp::ext::write_abs_send_time(&mut buf[at..at + 3], send_us / 1000);
    }
    if let Some(at) = transport_wide_seq_at {
        transport.transport_wide_seq = transport.transport_wide_seq.wrapping_add(1);
        crate::rtp::ext::write_transport_wide_seq(
            &mut buf[at..at + 2],
            transport.transport_wide_seq,
        );
        super::bwe_io::bwe_on_sent(transport, len, send_us);
    }
}

/// Whether a transport can send media: a PlainTransport once it has a
/// remote (connect() or comedia), a WebRtcTransport with ICE and DTLS up
/// (mediasoup's `IsConnected()`), a DirectTransport always.
pub(super) fn transport_is_connected(transport: &Transport) -> bool {
    match &transport.kind {
        TransportKind::Plain(plain) => plain.is_connected(),
        TransportKind::WebRtc(w) => {
            w.dtls_state == crate::dtls::DtlsState::Connected
                && matches!(
                    w.ice.state(),
                    crate::ice::IceState::Connected | crate::ice::IceState::Completed
                )
        }
        TransportKind::Direct(_) => true,
    }
}

/// Which socket of a transport a datagram arrived on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Rtp,
    Rtcp,
}

impl Core {
    /// Where the shell reads a datagram before `handle_datagram`.
    pub fn recv_buffer(&mut self) -> &mut [u8] {
        &mut self.recv_buf
    }

    /// A datagram in `recv_buffer()[..len]` arrived on UDP socket `socket`
    /// from `remote`; the kernel received it at `arrival_us` (worker
    /// clock, µs; transport-cc feedback reports it).
    pub fn handle_datagram(
        &mut self,
        socket: SocketId,
        remote: SocketAddr,
        len: usize,
        arrival_us: u64,
        outbox: &mut Outbox,
    ) {
        let now_ms = self.now_ms;
        self.metrics.received(len);
        match self.sockets.get(socket) {
            Some(SocketRole::PlainRtp(t)) => {
                self.on_plain_datagram(t, Channel::Rtp, remote, len, arrival_us, now_ms, outbox)
            }
            Some(SocketRole::PlainRtcp(t)) => {
                self.on_plain_datagram(t, Channel::Rtcp, remote, len, arrival_us, now_ms, outbox)
            }
            Some(SocketRole::WebRtcUdp(t)) => {
                let tuple = TupleId::Udp { socket, remote };
                self.on_webrtc_datagram(t, tuple, remote, len, arrival_us, now_ms, outbox)
            }
            Some(SocketRole::ServerUdp(s)) => {
                self.on_server_datagram(s, socket, remote, len, arrival_us, now_ms, outbox)
            }
            // Not a UDP socket of ours (any more): dropped.
            _ => self.metrics.drops.no_route += 1,
        }
    }

    /// The shell accepted `conn` from `remote` on listening socket
    /// `listener`.
    pub fn handle_tcp_accepted(
        &mut self,
        listener: SocketId,
        conn: SocketId,
        remote: SocketAddr,
        outbox: &mut Outbox,
    ) {
        let now_ms = self.now_ms;
        match self.sockets.get(listener) {
            Some(SocketRole::WebRtcTcpListener(t)) => {
                self.on_transport_tcp_accepted(t, listener, conn, remote, now_ms, outbox)
            }
            Some(SocketRole::ServerTcpListener(s)) => {
                self.on_server_tcp_accepted(s, listener, conn, remote, now_ms, outbox)
            }
            _ => self.close_sockets(vec![conn]),
        }
    }

    /// Bytes read from TCP connection `conn` at `arrival_us`.
    pub fn handle_tcp_data(
        &mut self,
        conn: SocketId,
        data: &[u8],
        arrival_us: u64,
        outbox: &mut Outbox,
    ) {
        let now_ms = self.now_ms;
        match self.sockets.get(conn) {
            Some(SocketRole::WebRtcTcpConn(t)) => {
                self.handle_tcp_input(t, conn, data, arrival_us, now_ms, outbox)
            }
            Some(SocketRole::ServerTcpConn(s)) => {
                self.on_server_tcp_data(s, conn, data, arrival_us, now_ms, outbox)
            }
            _ => {}
        }
    }

    /// TCP connection `conn` was closed by the peer or broke.
    pub fn handle_tcp_closed(&mut self, conn: SocketId, outbox: &mut Outbox) {
        let now_ms = self.now_ms;
        match self.sockets.get(conn) {
            Some(SocketRole::WebRtcTcpConn(t)) => {
                self.on_transport_tcp_closed(t, conn, now_ms, outbox)
            }
            Some(SocketRole::ServerTcpConn(s)) => self.drop_pending_tcp(s, conn),
            _ => {}
        }
    }

    /// One datagram received by a PlainTransport: checks its source against
    /// the connected (or comedia-learnt) tuple, then hands it on.
    #[allow(clippy::too_many_arguments)]
    fn on_plain_datagram(
        &mut self,
        tkey: TransportKey,
        channel: Channel,
        from: SocketAddr,
        len: usize,
        arrival_us: u64,
        now_ms: u64,
        outbox: &mut Outbox,
    ) {
        let Core {
            transports, net, ..
        } = self;
        let transport = &mut transports[tkey];
        transport.counters.received(len, now_ms);
        let TransportKind::Plain(plain) = &mut transport.kind else {
            return;
        };
        let expected = match channel {
            Channel::Rtp => plain.remote,
            Channel::Rtcp => plain.rtcp_remote,
        };
        match expected {
            Some(addr) if addr == from => {}
            Some(_) => {
                // Media is accepted only from the connected tuple.
                self.metrics.drops.unauthenticated += 1;
                return;
            }
            None if plain.comedia => {
                // comedia: the first packet's source becomes the remote.
                match channel {
                    Channel::Rtp => {
                        plain.set_remote(from, net);
                        outbox.notification(&transport.id, "plaintransport.tuple", plain.tuple());
                        self.on_transport_connected(tkey, outbox);
                    }
                    Channel::Rtcp => {
                        plain.set_rtcp_remote(from, net);
                        if let Some(t) = plain.rtcp_tuple() {
                            outbox.notification(&transport.id, "plaintransport.rtcptuple", t);
                        }
                    }
                }
            }
            None => {
                self.metrics.drops.unauthenticated += 1;
                return;
            }
        }
        let data = &self.recv_buf[..len];
        if super::sctp_io::is_sctp(data) {
            self.handle_sctp(tkey, len, outbox);
        } else if crate::rtcp::is_rtcp(data) {
            self.handle_rtcp(tkey, len, now_ms, outbox);
        } else if crate::rtp::RtpPacketRef::is_rtp(data) {
            self.handle_rtp(tkey, None, len, arrival_us, now_ms, outbox);
        } else {
            self.metrics.drops.malformed += 1;
        }
    }

    /// An RTP packet in `recv_buf[..len]` received on `tkey` at
    /// `arrival_us` (from the network, or from JS for a DirectTransport
    /// producer when `producer` is given). The arrival feeds transport-cc
    /// feedback: the shell gives the kernel's stamp, not the loop turn's
    /// time (a burst read in one turn would look simultaneous, and the
    /// feedback carries 250 µs where the turn has 1 ms).
    pub(super) fn handle_rtp(
        &mut self,
        tkey: TransportKey,
        producer: Option<ProducerKey>,
        len: usize,
        arrival_us: u64,
        now_ms: u64,
        outbox: &mut Outbox,
    ) {
        let Core {
            transports,
            producers,
            consumers,
            routers,
            recv_buf,
            send_buf,
            net,
            metrics,
            ..
        } = self;
        let transport = &mut transports[tkey];
        // Not keyed yet, bad tag, replay: dropped and counted.
        let len = match transport.unprotect_rtp(recv_buf, len) {
            Ok(len) => len,
            Err(error) => return metrics.drops.srtp(error),
        };
        let Ok(packet) = RtpPacketRef::parse(&recv_buf[..], len) else {
            metrics.drops.malformed += 1;
            return;
        };
        // Every packet with a transport-wide sequence number (RTX and
        // padding probes too) is reported back to the sending browser.
        if let (Some(id), TransportKind::WebRtc(w)) =
            (transport.recv_ext.transport_wide_cc01, &mut transport.kind)
        {
            if let Some(seq) = packet
                .extension(id)
                .and_then(crate::rtp::ext::read_transport_wide_seq)
            {
                w.tcc.on_packet(seq, packet.ssrc(), arrival_us);
            }
        }
        super::bwe_io::remb_on_received(
            transport, &packet, arrival_us, send_buf, now_ms, net, outbox,
        );
        let pkey = match producer {
            Some(pkey) => pkey,
            None => {
                let mid_id = transport.recv_ext.mid;
                let rid_id = transport.recv_ext.rid;
                let found = transport.listener.find(
                    packet.ssrc(),
                    || {
                        mid_id
                            .and_then(|id| packet.extension(id))
                            .and_then(crate::rtp::ext::read_mid)
                            .map(str::to_string)
                    },
                    || {
                        rid_id
                            .and_then(|id| packet.extension(id))
                            .and_then(crate::rtp::ext::read_rid)
                            .map(str::to_string)
                    },
                );
                match found {
                    Some(pkey) => pkey,
                    None => {
                        metrics.drops.no_route += 1;
                        return;
                    }
                }
            }
        };
        let producer = &mut producers[pkey];
        // Counted when it reached a stream, forwarded or not (mediasoup's
        // recvRtpTransmission / recvRtxTransmission).
        let outcome = producer.receive(&packet, now_ms, outbox);
        let reached = match &outcome {
            Ok(received) => Some(received.is_rtx),
            Err(reached) => *reached,
        };
        if let Some(is_rtx) = reached {
            transport.counters.received_rtp(len, is_rtx, now_ms);
        }
        let Ok(received) = outcome else {
            return;
        };
        if producer.paused {
            return;
        }
        let audio_level = producer.layout.ext[ExtKind::AudioLevel as usize]
            .clone()
            .and_then(|r| crate::rtp::ext::read_audio_level(&recv_buf[r]));
        let stream = &producer.streams[received.stream];
        let forwarded = Forwarded {
            bytes: &recv_buf[..len],
            layout: &producer.layout,
            header: received.header,
            sr_mapping: stream.recv.sender_report_mapping(),
            clock_rate: stream.recv.params().clock_rate,
        };
        let mut mid_scratch = [0u8; 16];
        let mut key_frame_needed = false;
        if let Some(list) = routers[producer.router].consumers_by_producer.get(&pkey) {
            for &ckey in list {
                let consumer = &mut consumers[ckey];
                // Nothing goes out (or is counted) before the transport can
                // send; once it can, the consumer restarts on a key frame.
                consumer.set_transport_connected(transport_is_connected(
                    &transports[consumer.transport],
                ));
                match consumer.forward(
                    &forwarded,
                    received.stream,
                    received.encoding,
                    &mut mid_scratch,
                    send_buf,
                ) {
                    ForwardResult::Send(sent) => {
                        if consumer.take_layers_changed() {
                            let layers = consumer.current_layers().map(|l| l.json());
                            outbox.notification(&consumer.id, "consumer.layerschange", layers);
                        }
                        let bytes = &send_buf[..sent.len];
                        consumer.lanes[sent.lane]
                            .stream
                            .on_sent(&sent.info, bytes, now_ms);
                        if !consumer.trace_types.is_empty() {
                            consumer.trace_sent(sent.info.is_keyframe, now_ms, outbox);
                        }
                        let transport = &mut transports[consumer.transport];
                        // Sent in this turn, right after it arrived.
                        stamp_transport_extensions(
                            transport,
                            send_buf,
                            sent.len,
                            (sent.abs_send_time_at, sent.transport_wide_seq_at),
                            arrival_us.max(now_ms * 1000),
                        );
                        if let Some(len) = transport.send_rtp(
                            send_buf,
                            sent.len,
                            &consumer.id,
                            now_ms,
                            net,
                            outbox,
                        ) {
                            transport.counters.sent_rtp(len, now_ms);
                        }
                    }
                    ForwardResult::SkipNeedKeyFrame => key_frame_needed = true,
                    ForwardResult::Skip => {}
                }
            }
        }
        let encoding = received.encoding;
        if key_frame_needed {
            self.producers[pkey].request_key_frame(encoding, now_ms);
        }
        if self.producers[pkey].feedback.is_pending() {
            self.flush_producer_feedback(pkey, outbox);
        }
        if let Some((_, level)) = audio_level {
            self.feed_audio_level(pkey, level, now_ms);
        }
    }

    /// Sends a compound RTCP packet on a transport (SRTCP when keyed).
    pub(super) fn send_rtcp(&mut self, tkey: TransportKey, packet: &[u8], outbox: &mut Outbox) {
        let Some(transport) = self.transports.get_mut(tkey) else {
            return;
        };
        let buf = &mut self.send_buf;
        buf[..packet.len()].copy_from_slice(packet);
        transport.send_rtcp(buf, packet.len(), self.now_ms, &mut self.net, outbox);
    }

    /// One-way messages from JS (RTP/RTCP/data sent through a DirectTransport).
    pub fn handle_notification(
        &mut self,
        handler_id: &str,
        notification: Notification,
        now_ms: u64,
        outbox: &mut Outbox,
    ) {
        let handler = self.handler(handler_id);
        match (notification, handler) {
            (
                Notification::DataProducerSend {
                    message,
                    ppid,
                    subchannels,
                    required_subchannel,
                    ignored_subchannel,
                },
                Some(Handler::DataProducer(key)),
            ) => {
                let filter = (
                    subchannels.as_slice(),
                    required_subchannel,
                    ignored_subchannel,
                );
                self.data_producer_send(key, message, ppid, filter, outbox)
            }
            (Notification::ProducerSend(bytes), Some(Handler::Producer(pkey)))
                if bytes.len() <= self.recv_buf.len() =>
            {
                let tkey = self.producers[pkey].transport;
                self.recv_buf[..bytes.len()].copy_from_slice(&bytes);
                self.transports[tkey].counters.received(bytes.len(), now_ms);
                if RtpPacketRef::is_rtp(&bytes) {
                    let arrival_us = now_ms * 1000;
                    self.handle_rtp(tkey, Some(pkey), bytes.len(), arrival_us, now_ms, outbox);
                } else {
                    self.metrics.drops.malformed += 1;
                }
            }
            (Notification::TransportSendRtcp(bytes), Some(Handler::Transport(tkey)))
                if bytes.len() <= self.recv_buf.len() =>
            {
                self.recv_buf[..bytes.len()].copy_from_slice(&bytes);
                self.transports[tkey].counters.received(bytes.len(), now_ms);
                self.handle_rtcp(tkey, bytes.len(), now_ms, outbox);
            }
            _ => {}
        }
    }
}
