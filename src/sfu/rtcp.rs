//! RTCP in the worker: incoming compound packets dispatched to producers
//! (sender reports) and consumers (receiver reports, NACK, PLI, FIR), the
//! periodic reports each transport sends, and the feedback producers ask
//! to send to their senders (NACK, PLI/FIR).

use super::core::Core;
use crate::channel::Outbox;
use crate::ids::{ConsumerKey, ProducerKey, TransportKey};
use crate::producer::forward::Forwarded;
use crate::rtcp::{iter_compound, ReportBlock, RtcpPacket, XrBlock};
use crate::rtp_stream::{ntp, KeyFrameRequest, ReportBlockData};

/// RTT assumed before any receiver report measured one.
const DEFAULT_RTT_MS: u64 = 100;
use crate::consumer::ConsumerScore;
use crate::trace::{Direction, SenderReportInfo, SsrcInfo, NO_INFO};

/// Compound packets are kept under a typical MTU.
const MAX_RTCP_LEN: usize = 1200;

/// Milliseconds from the NTP epoch (1900) to the Unix epoch (1970).
const NTP_UNIX_OFFSET_MS: u64 = 2_208_988_800_000;

fn block_data(b: &ReportBlock) -> ReportBlockData {
    ReportBlockData {
        ssrc: b.ssrc,
        fraction_lost: b.fraction_lost,
        total_lost: b.total_lost,
        highest_seq: b.highest_seq,
        jitter: b.jitter,
        lsr: b.lsr,
        dlsr: b.dlsr,
    }
}

fn report_block(d: &ReportBlockData) -> ReportBlock {
    ReportBlock {
        ssrc: d.ssrc,
        fraction_lost: d.fraction_lost,
        total_lost: d.total_lost,
        highest_seq: d.highest_seq,
        jitter: d.jitter,
        lsr: d.lsr,
        dlsr: d.dlsr,
    }
}

impl Core {
    /// NTP time (seconds since 1900 and fraction) at worker time `now_ms`.
    fn ntp_at(&self, now_ms: u64) -> (u32, u32) {
        ntp::from_ms(self.unix_ms_at_epoch + now_ms + NTP_UNIX_OFFSET_MS)
    }

    /// A (S)RTCP compound packet in `recv_buf[..len]` received on `tkey`.
    pub(super) fn handle_rtcp(
        &mut self,
        tkey: TransportKey,
        len: usize,
        now_ms: u64,
        outbox: &mut Outbox,
    ) {
        let transport = &mut self.transports[tkey];
        let len = match transport.unprotect_rtcp(&mut self.recv_buf, len) {
            Ok(len) => len,
            Err(error) => return self.metrics.drops.srtp(error),
        };
        // Copy out what must be acted on after parsing, so the receive
        // buffer borrow ends before objects are mutated.
        let data = self.recv_buf[..len].to_vec();
        let mut malformed = false;
        for packet in iter_compound(&data) {
            let Ok(packet) = packet else {
                malformed = true;
                break;
            };
            match packet {
                RtcpPacket::SenderReport(sr) => {
                    self.on_sender_report(
                        tkey,
                        sr.ssrc(),
                        sr.ntp_sec(),
                        sr.ntp_frac(),
                        sr.rtp_ts(),
                        now_ms,
                        outbox,
                    );
                    for block in sr.reports() {
                        self.on_report_block(tkey, &block, now_ms, outbox);
                    }
                }
                RtcpPacket::ReceiverReport(rr) => {
                    for block in rr.reports() {
                        self.on_report_block(tkey, &block, now_ms, outbox);
                    }
                }
                RtcpPacket::Nack(nack) => {
                    let items: Vec<(u16, u16)> = nack.items().collect();
                    self.on_nack(tkey, nack.media_ssrc(), &items, now_ms, outbox);
                }
                RtcpPacket::Pli(pli) => {
                    self.on_key_frame_request(tkey, pli.media_ssrc(), false, now_ms, outbox)
                }
                RtcpPacket::Fir(fir) => {
                    for (ssrc, _) in fir.entries() {
                        self.on_key_frame_request(tkey, ssrc, true, now_ms, outbox);
                    }
                }
                RtcpPacket::TransportCc(feedback) => {
                    if let Some(bwe) = self.transports[tkey].bwe.as_mut() {
                        bwe.on_transport_cc(&feedback, now_ms);
                        self.take_bwe_event(tkey, now_ms, outbox);
                    }
                }
                RtcpPacket::Remb(remb) => {
                    if let Some(bwe) = self.transports[tkey].bwe.as_mut() {
                        bwe.on_remb(remb.bitrate().min(u64::from(u32::MAX)) as u32, now_ms);
                        self.take_bwe_event(tkey, now_ms, outbox);
                    }
                }
                // A sender answering our receiver reference times: the
                // producer stream's round-trip time.
                RtcpPacket::Xr(xr) => {
                    for block in xr.blocks() {
                        let XrBlock::Dlrr(items) = block else {
                            continue;
                        };
                        for item in items {
                            // As mediasoup: a zero SSRC means the XR's sender.
                            let ssrc = if item.ssrc == 0 { xr.ssrc() } else { item.ssrc };
                            self.on_dlrr(tkey, ssrc, item.lrr, item.dlrr, now_ms);
                        }
                    }
                }
                _ => {}
            }
        }
        if malformed {
            self.metrics.drops.malformed += 1;
        }
    }

    /// The consumer of `tkey` sending media SSRC `ssrc`, and its lane.
    fn consumer_by_ssrc(&self, tkey: TransportKey, ssrc: u32) -> Option<(ConsumerKey, usize)> {
        self.transports[tkey].consumers.iter().find_map(|c| {
            let lane = self.consumers[*c]
                .lanes
                .iter()
                .position(|l| l.ssrc == ssrc)?;
            Some((*c, lane))
        })
    }

    /// The producer of `tkey` receiving SSRC `ssrc`, and that stream's index.
    fn producer_stream_by_ssrc(
        &self,
        tkey: TransportKey,
        ssrc: u32,
    ) -> Option<(ProducerKey, usize)> {
        self.transports[tkey].producers.iter().find_map(|p| {
            let stream = self.producers[*p]
                .streams
                .iter()
                .position(|s| s.ssrc == ssrc)?;
            Some((*p, stream))
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn on_sender_report(
        &mut self,
        tkey: TransportKey,
        ssrc: u32,
        ntp_sec: u32,
        ntp_frac: u32,
        rtp_ts: u32,
        now_ms: u64,
        outbox: &mut Outbox,
    ) {
        let Some((pkey, stream)) = self.producer_stream_by_ssrc(tkey, ssrc) else {
            return;
        };
        let producer = &mut self.producers[pkey];
        if producer.streams[stream]
            .recv
            .receive_sender_report(ntp_sec, ntp_frac, rtp_ts, now_ms)
            .is_some()
        {
            producer.feedback.score_changed = true;
        }
        if producer.trace_types.iter().any(|t| t == "sr") {
            producer.trace(
                outbox,
                "sr",
                now_ms,
                SenderReportInfo {
                    ssrc,
                    ntp_sec,
                    ntp_frac,
                    rtp_ts,
                },
            );
        }
        self.flush_producer_feedback(pkey, outbox);
    }

    /// An XR DLRR item for producer stream `ssrc`.
    fn on_dlrr(&mut self, tkey: TransportKey, ssrc: u32, lrr: u32, dlrr: u32, now_ms: u64) {
        let ntp_now = self.ntp_at(now_ms);
        if let Some((pkey, stream)) = self.producer_stream_by_ssrc(tkey, ssrc) {
            self.producers[pkey].streams[stream]
                .recv
                .receive_xr_dlrr(lrr, dlrr, ntp_now);
        }
    }

    fn on_report_block(
        &mut self,
        tkey: TransportKey,
        block: &ReportBlock,
        now_ms: u64,
        outbox: &mut Outbox,
    ) {
        let Some((ckey, lane)) = self.consumer_by_ssrc(tkey, block.ssrc) else {
            return;
        };
        let changed = self.consumers[ckey].lanes[lane]
            .stream
            .send
            .receive_receiver_report(&block_data(block), now_ms)
            .is_some();
        if changed {
            self.emit_consumer_score(ckey, outbox);
        }
    }

    pub(super) fn emit_consumer_score(&self, ckey: ConsumerKey, outbox: &mut Outbox) {
        let consumer = &self.consumers[ckey];
        // As mediasoup's: a pipe consumer's score is a constant 10/10, never
        // reported.
        if consumer.consumer_type == crate::consumer::ConsumerType::Pipe {
            return;
        }
        let producer = &self.producers[consumer.producer];
        let producer_scores = producer.encoding_scores();
        let producer_score = producer_scores
            .get(consumer.wanted_stream())
            .copied()
            .unwrap_or(0);
        outbox.notification(
            &consumer.id,
            "consumer.score",
            ConsumerScore {
                score: consumer.lanes[0].stream.send.score(),
                producer_score,
                producer_scores,
            },
        );
    }

    /// Resends what a NACK asks for, rebuilt from the producer's stored
    /// packets (RTX-encoded when negotiated).
    fn on_nack(
        &mut self,
        tkey: TransportKey,
        ssrc: u32,
        items: &[(u16, u16)],
        now_ms: u64,
        outbox: &mut Outbox,
    ) {
        let Some((ckey, lane)) = self.consumer_by_ssrc(tkey, ssrc) else {
            return;
        };
        let Core {
            consumers,
            producers,
            transports,
            send_buf,
            net,
            ..
        } = self;
        let consumer = &mut consumers[ckey];
        consumer.trace(outbox, "nack", now_ms, Direction::In, NO_INFO);
        // Counts the NACK and the packets it asks for.
        consumer.lanes[lane]
            .stream
            .send
            .receive_nack(items.iter().copied(), now_ms, |_| {});
        let rtt_ms = match consumer.lanes[lane].stream.send.rtt_ms() {
            rtt if rtt > 0.0 => rtt as u64,
            _ => DEFAULT_RTT_MS,
        };
        let producer = &producers[consumer.producer];
        let transport = &mut transports[tkey];
        let mut mid_scratch = [0u8; 16];
        for &(pid, blp) in items {
            let lost = std::iter::once(pid).chain(
                (0..16u16)
                    .filter(|i| blp & (1 << i) != 0)
                    .map(|i| pid.wrapping_add(i + 1)),
            );
            for out_seq in lost {
                let Some((stream, input_seq, timestamp, first)) =
                    consumer.nacked(lane, out_seq, now_ms, rtt_ms)
                else {
                    continue;
                };
                let Some((bytes, layout, header)) = producer.stored(stream, input_seq) else {
                    continue;
                };
                let fwd = Forwarded {
                    bytes,
                    layout: &layout,
                    header,
                    sr_mapping: None,
                    clock_rate: 0,
                };
                let Some((len, abs_at, twcc_at)) = consumer.write_retransmission(
                    lane,
                    &fwd,
                    out_seq,
                    timestamp,
                    &mut mid_scratch,
                    send_buf,
                ) else {
                    continue;
                };
                // A retransmission is a new packet on the wire: fresh
                // per-transport extension values.
                super::media::stamp_transport_extensions(
                    transport,
                    send_buf,
                    len,
                    (abs_at, twcc_at),
                    now_ms * 1000,
                );
                consumer.lanes[lane].stream.send.count_retransmission(first);
                // Every retransmission (RTX or not) counts as RTX, as in mediasoup.
                if let Some(len) =
                    transport.send_rtp(send_buf, len, &consumer.id, now_ms, net, outbox)
                {
                    transport.counters.sent_rtx(len, now_ms);
                }
            }
        }
    }

    fn on_key_frame_request(
        &mut self,
        tkey: TransportKey,
        ssrc: u32,
        fir: bool,
        now_ms: u64,
        outbox: &mut Outbox,
    ) {
        let Some((ckey, lane)) = self.consumer_by_ssrc(tkey, ssrc) else {
            return;
        };
        let connected = super::media::transport_is_connected(&self.transports[tkey]);
        let consumer = &mut self.consumers[ckey];
        consumer.set_transport_connected(connected);
        let stream = &mut consumer.lanes[lane].stream.send;
        if fir {
            stream.receive_fir();
        } else {
            stream.receive_pli();
        }
        let kind = if fir { "fir" } else { "pli" };
        consumer.trace(outbox, kind, now_ms, Direction::In, SsrcInfo { ssrc });
        if consumer.is_active() {
            let encoding = consumer.lane_encoding(lane);
            self.request_key_frame_of(ckey, encoding, outbox);
        }
    }

    /// Sends what a producer asked for (NACK, PLI/FIR) and its score.
    pub(super) fn flush_producer_feedback(&mut self, pkey: ProducerKey, outbox: &mut Outbox) {
        let Some(producer) = self.producers.get_mut(pkey) else {
            return;
        };
        let feedback = std::mem::take(&mut producer.feedback);
        let mut buf = [0u8; MAX_RTCP_LEN];
        let mut len = 0;
        if let Some(stream) = feedback.nack_stream.and_then(|i| producer.streams.get(i)) {
            let items: Vec<(u16, u16)> = stream
                .recv
                .nack_items()
                .iter()
                .map(|i| (*i).into())
                .collect();
            if let Ok(n) = crate::rtcp::write_nack_items(&mut buf[len..], 0, stream.ssrc, &items) {
                len += n;
            }
            if producer.trace_types.iter().any(|t| t == "nack") {
                producer.trace(outbox, "nack", self.now_ms, NO_INFO);
            }
        }
        for request in feedback.key_frames.iter().flatten() {
            let (written, kind, ssrc) = match *request {
                KeyFrameRequest::Pli { ssrc } => (
                    crate::rtcp::write_pli(&mut buf[len..], 0, ssrc),
                    "pli",
                    ssrc,
                ),
                KeyFrameRequest::Fir { ssrc, seq_nr } => (
                    crate::rtcp::write_fir(&mut buf[len..], 0, ssrc, seq_nr),
                    "fir",
                    ssrc,
                ),
            };
            if let Ok(n) = written {
                len += n;
            }
            if producer.trace_types.iter().any(|t| t == kind) {
                producer.trace(outbox, kind, self.now_ms, SsrcInfo { ssrc });
            }
        }
        if feedback.score_changed {
            outbox.notification(&producer.id, "producer.score", producer.scores());
            // Scores move with stream activity, which layer choices follow.
            self.simulcast_dirty = true;
        }
        let (tkey, router) = (producer.transport, producer.router);
        if feedback.score_changed {
            // Consumers report their producer's score too.
            let consumers = self
                .routers
                .get(router)
                .and_then(|r| r.consumers_by_producer.get(&pkey))
                .cloned()
                .unwrap_or_default();
            for ckey in consumers {
                self.emit_consumer_score(ckey, outbox);
            }
        }
        if len > 0 {
            self.send_rtcp(tkey, &buf[..len], outbox);
        }
    }

    /// One transport's reports: an SR + SDES per consumer that sent media,
    /// an RR with a block per received producer stream.
    pub(super) fn send_reports(&mut self, tkey: TransportKey, now_ms: u64, outbox: &mut Outbox) {
        let ntp = self.ntp_at(now_ms);
        let mut buf = [0u8; MAX_RTCP_LEN];
        let mut len = 0;
        let mut packets: Vec<Vec<u8>> = Vec::new();
        let lanes = self.transports[tkey]
            .consumers
            .iter()
            .flat_map(|c| (0..self.consumers[*c].lanes.len()).map(move |lane| (*c, lane)));
        for (ckey, lane) in lanes.collect::<Vec<_>>() {
            let stream = &mut self.consumers[ckey].lanes[lane].stream;
            let Some(sr) = stream.send.get_sender_report_fields(now_ms, ntp) else {
                continue;
            };
            let cname = stream.send.cname().to_string();
            if len + 28 + 8 + cname.len() + 4 > MAX_RTCP_LEN {
                packets.push(buf[..len].to_vec());
                len = 0;
            }
            if let Ok(n) = crate::rtcp::write_sender_report(
                &mut buf[len..],
                sr.ssrc,
                sr.ntp_sec,
                sr.ntp_frac,
                sr.rtp_ts,
                sr.packet_count,
                sr.octet_count,
                &[],
            ) {
                len += n;
            }
            if let Ok(n) = crate::rtcp::write_sdes_cname(&mut buf[len..], sr.ssrc, &cname) {
                len += n;
            }
        }
        let mut blocks: Vec<ReportBlock> = Vec::new();
        for pkey in self.transports[tkey].producers.clone() {
            for stream in self.producers[pkey].streams.iter_mut() {
                blocks.push(report_block(&stream.recv.fill_receiver_report(now_ms)));
                if let Some(rtx) = stream.recv.fill_rtx_receiver_report(now_ms) {
                    blocks.push(report_block(&rtx));
                }
            }
        }
        for chunk in blocks.chunks(31) {
            if len + 8 + chunk.len() * 24 > MAX_RTCP_LEN {
                packets.push(buf[..len].to_vec());
                len = 0;
            }
            if let Ok(n) = crate::rtcp::write_receiver_report(&mut buf[len..], 0, chunk) {
                len += n;
            }
        }
        // With receiver reports, our reference time (as mediasoup): senders
        // answer with an XR DLRR, which gives the producers' round-trip time.
        if !blocks.is_empty() {
            if len + 20 > MAX_RTCP_LEN {
                packets.push(buf[..len].to_vec());
                len = 0;
            }
            let (ntp_sec, ntp_frac) = self.ntp_at(now_ms);
            if let Ok(n) = crate::rtcp::write_xr_rrt(&mut buf[len..], 0, ntp_sec, ntp_frac) {
                len += n;
            }
        }
        // setMaxIncomingBitrate(): tell the senders the cap (REMB), unless
        // they get REMBs from the receive-side estimate (capped there).
        let limit = self.transports[tkey]
            .max_incoming_bitrate
            .filter(|_| self.transports[tkey].remb_server.is_none());
        if let Some(bitrate) = limit {
            let ssrcs: Vec<u32> = blocks.iter().map(|b| b.ssrc).take(64).collect();
            if !ssrcs.is_empty() {
                if len + 20 + ssrcs.len() * 4 > MAX_RTCP_LEN {
                    packets.push(buf[..len].to_vec());
                    len = 0;
                }
                if let Ok(n) = crate::rtcp::write_remb(&mut buf[len..], 0, bitrate as u64, &ssrcs) {
                    len += n;
                }
            }
        }
        if len > 0 {
            packets.push(buf[..len].to_vec());
        }
        for packet in packets {
            self.send_rtcp(tkey, &packet, outbox);
        }
    }
}
