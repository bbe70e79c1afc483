//! A deterministic harness for the SFU core: the core driven in-process with
//! virtual time, peers that are plain Rust, and a seeded lossy link between
//! them. No thread, no socket, no clock: the same seed gives the same run.
//!
//! Media goes in and out through DirectTransports (`producer.send` /
//! `transport.sendRtcp` in, `consumer.rtp` / `directtransport.rtcp` out),
//! which exercise the whole object graph (router fan-out, streams, NACK,
//! RTX, key frame requests, RTCP) without any transport I/O; or through
//! the core's sockets, which a `VirtualBinder` hands out: datagrams go in
//! with `receive` and come out of `take_transmits` (ICE, DTLS, SRTP).

#![allow(dead_code)]

use ferrosoup::certificate::DtlsCertificate;
use ferrosoup::channel::Outbox;
use ferrosoup::net::{SocketId, SocketOp, VirtualBinder};
use ferrosoup::request::{Notification, Request};
use ferrosoup::sfu::Core;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;

/// A message the core sent towards JS.
#[derive(Debug, Clone)]
pub struct Message {
    pub target: String,
    pub event: String,
    pub data: Value,
    pub bytes: Option<Vec<u8>>,
}

pub struct Sfu {
    core: Core,
    outbox: Outbox,
    pub now_ms: u64,
    /// Hands out socket ids and ports (no socket is opened).
    pub net: VirtualBinder,
    /// Socket operations the core asked for (see `take_transmits`).
    pub socket_ops: Vec<SocketOp>,
}

impl Sfu {
    pub fn new() -> Self {
        let certificate = Arc::new(DtlsCertificate::generate().unwrap());
        let core = Core::new((40000, 49999), certificate);
        Sfu {
            core,
            outbox: Outbox::default(),
            now_ms: 1_000,
            net: VirtualBinder::default(),
            socket_ops: Vec::new(),
        }
    }

    /// The worker-wide totals (`worker.getMetrics`).
    pub fn metrics(&self) -> ferrosoup::sfu::metrics::WorkerMetrics {
        self.core.metrics()
    }

    /// A request as the worker's boundary would pass it.
    pub fn request(&mut self, method: &str, handler_id: &str, data: Value) -> Value {
        self.try_request(method, handler_id, data)
            .unwrap_or_else(|e| panic!("{method} failed: {}", e.message))
    }

    pub fn try_request(
        &mut self,
        method: &str,
        handler_id: &str,
        data: Value,
    ) -> ferrosoup::error::Result<Value> {
        self.core.now_ms = self.now_ms;
        if method == "worker.createRouter" {
            let id = data["routerId"].as_str().unwrap().to_string();
            self.core.create_router(id)?;
            return Ok(Value::Null);
        }
        let handler = self.core.find_handler(handler_id, method)?;
        let request = Request::parse(method, &data.to_string())?;
        self.core
            .handle_request(
                handler,
                method,
                request,
                self.now_ms,
                &mut self.net,
                &mut self.outbox,
            )
            .map(|reply| serde_json::from_str(reply.json()).unwrap())
    }

    fn notify(&mut self, event: &str, handler_id: &str, bytes: Vec<u8>) {
        self.core.now_ms = self.now_ms;
        let notification = Notification::parse(event, "null", Some(bytes)).unwrap();
        self.core
            .handle_notification(handler_id, notification, self.now_ms, &mut self.outbox);
    }

    /// An RTP packet for a producer on a DirectTransport.
    pub fn send_rtp(&mut self, producer_id: &str, packet: Vec<u8>) {
        self.notify("producer.send", producer_id, packet);
    }

    /// An RTCP packet arriving on a DirectTransport.
    pub fn send_rtcp(&mut self, transport_id: &str, packet: Vec<u8>) {
        self.notify("transport.sendRtcp", transport_id, packet);
    }

    /// Moves virtual time to `t_ms`, running every timer due on the way at
    /// its own deadline (the contract the worker's loop follows).
    pub fn advance_to(&mut self, t_ms: u64) {
        while let Some(at) = self.core.poll_timeout() {
            if at > t_ms {
                break;
            }
            let at = at.max(self.now_ms);
            self.now_ms = at;
            self.core.handle_timeout(at, &mut self.outbox);
            if self.core.poll_timeout().is_some_and(|next| next <= at) {
                // Due again at the same instant: time must move on.
                self.now_ms = at + 1;
            }
        }
        self.now_ms = self.now_ms.max(t_ms);
        self.core.now_ms = self.now_ms;
    }

    /// A datagram from `from` arriving now on the core's UDP socket
    /// `socket` (as the shell hands it over).
    pub fn receive(&mut self, socket: SocketId, from: SocketAddr, data: &[u8]) {
        self.core.now_ms = self.now_ms;
        self.core.recv_buffer()[..data.len()].copy_from_slice(data);
        let arrival_us = self.now_ms * 1000;
        self.core
            .handle_datagram(socket, from, data.len(), arrival_us, &mut self.outbox);
    }

    /// Datagrams the core transmitted since the last call (socket, UDP
    /// destination or None for a TCP frame, payload); the socket operations
    /// it asked for are kept in `socket_ops`.
    pub fn take_transmits(&mut self) -> Vec<(SocketId, Option<SocketAddr>, Vec<u8>)> {
        let net = &mut self.core.net;
        let sent = net
            .transmits()
            .iter()
            .map(|t| (t.socket, t.to, net.payload(t).to_vec()))
            .collect();
        self.socket_ops.extend_from_slice(net.ops());
        net.clear();
        sent
    }

    /// The core's next deadline.
    pub fn poll_timeout(&self) -> Option<u64> {
        self.core.poll_timeout()
    }

    /// Everything the core sent towards JS since the last call.
    pub fn take_messages(&mut self) -> Vec<Message> {
        let Some(batch) = self.outbox.take_batch() else {
            return Vec::new();
        };
        let entries: Vec<Value> = serde_json::from_str(&batch.json).unwrap();
        entries
            .into_iter()
            .filter(|e| e.get("target").is_some())
            .map(|e| Message {
                target: e["target"].as_str().unwrap_or_default().to_string(),
                event: e["event"].as_str().unwrap_or_default().to_string(),
                bytes: e["buffer"]
                    .as_u64()
                    .map(|i| batch.buffers[i as usize].clone()),
                data: e["data"].clone(),
            })
            .collect()
    }
}

/// RTP parameters as the JS layer (js/ortc) negotiates them, generated by
/// `tests/fixtures/gen_ortc_requests.js`.
pub fn ortc_requests() -> Value {
    serde_json::from_str(include_str!("../fixtures/ortc_requests.json")).expect("fixture JSON")
}

/// A router with VP8 (and its RTX), two DirectTransports "send" and "recv",
/// producer "p" of a VP8 stream (SSRC 1111, RTX 2222) on "send" and
/// consumer "c" of it on "recv". Returns the consumer's RTP parameters.
pub fn vp8_room(sfu: &mut Sfu) -> Value {
    vp8_room_with(sfu, "single", "simple")
}

/// Like [`vp8_room`] with the producer's encodings taken from the fixture's
/// `variant` ("single", or "simulcast": SSRCs 3000-3002) and the consumer
/// type given.
pub fn vp8_room_with(sfu: &mut Sfu, variant: &str, consumer_type: &str) -> Value {
    vp8_room_edited(sfu, variant, consumer_type, |_| {})
}

/// `vp8_room_with`, the consumer's RTP parameters edited first (as the
/// app's ORTC would have made them).
pub fn vp8_room_edited(
    sfu: &mut Sfu,
    variant: &str,
    consumer_type: &str,
    edit: impl FnOnce(&mut Value),
) -> Value {
    let fixture = ortc_requests();
    let negotiated = &fixture["vp8Room"][variant];
    sfu.request("worker.createRouter", "", json!({"routerId": "r"}));
    for id in ["send", "recv"] {
        sfu.request(
            "router.createDirectTransport",
            "r",
            json!({"transportId": id, "options": {"direct": true, "maxMessageSize": 262144}}),
        );
    }
    sfu.request(
        "transport.produce",
        "send",
        json!({"producerId": "p", "kind": "video", "rtpParameters": negotiated["rtpParameters"],
               "rtpMapping": negotiated["rtpMapping"], "paused": false}),
    );
    // With RTX (enableRtx defaults to true for video).
    let mut consumer_params = negotiated["consumer"][1].clone();
    consumer_params["mid"] = json!("0");
    edit(&mut consumer_params);
    sfu.request(
        "transport.consume",
        "recv",
        json!({
            "consumerId": "c", "producerId": "p", "kind": "video",
            "rtpParameters": consumer_params, "type": consumer_type,
            "consumableRtpEncodings": negotiated["consumable"]["encodings"], "paused": false, "ignoreDtx": false
        }),
    );
    consumer_params
}

/// A VP8 RTP packet whose every frame is a key frame (what a NACK test
/// needs: the consumer starts on the first packet it sees).
pub fn vp8_packet(ssrc: u32, seq: u16, timestamp: u32, marker: bool) -> Vec<u8> {
    vp8_frame_packet(ssrc, seq, timestamp, marker, true)
}

/// A VP8 RTP packet of a key frame or (`key == false`) an inter frame.
pub fn vp8_frame_packet(ssrc: u32, seq: u16, timestamp: u32, marker: bool, key: bool) -> Vec<u8> {
    let mut p = vec![0x80, 96 | if marker { 0x80 } else { 0 }];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&timestamp.to_be_bytes());
    p.extend_from_slice(&ssrc.to_be_bytes());
    // VP8 payload descriptor (S=1, partition 0), then a key frame header.
    // The first byte of the VP8 frame header: P bit clear on key frames.
    p.extend_from_slice(&[0x10, if key { 0x00 } else { 0x01 }, 0x00, 0x9d, 0x01, 0x2a]);
    p.extend_from_slice(&[0xab; 400]);
    p
}

/// A one-way link with seeded loss, reordering and jitter: packets put in at
/// a time come out at a later time, some never.
pub struct Link {
    rng: StdRng,
    loss: f64,
    reorder: f64,
    base_delay_ms: u64,
    jitter_ms: u64,
    in_flight: VecDeque<(u64, Vec<u8>)>,
    pub dropped: usize,
}

impl Link {
    pub fn new(seed: u64, loss: f64, reorder: f64, base_delay_ms: u64, jitter_ms: u64) -> Self {
        Link {
            rng: StdRng::seed_from_u64(seed),
            loss,
            reorder,
            base_delay_ms,
            jitter_ms,
            in_flight: VecDeque::new(),
            dropped: 0,
        }
    }

    pub fn send(&mut self, now_ms: u64, packet: Vec<u8>) {
        if self.rng.gen_bool(self.loss) {
            self.dropped += 1;
            return;
        }
        let mut at = now_ms + self.base_delay_ms;
        if self.jitter_ms > 0 {
            at += self.rng.gen_range(0..=self.jitter_ms);
        }
        if self.rng.gen_bool(self.reorder) {
            // Overtaken by what follows.
            at += 3 * self.base_delay_ms.max(1);
        }
        self.in_flight.push_back((at, packet));
    }

    /// Packets that have arrived by `now_ms`, in arrival order.
    pub fn receive(&mut self, now_ms: u64) -> Vec<Vec<u8>> {
        let mut arrived: Vec<(u64, Vec<u8>)> = Vec::new();
        self.in_flight.retain(|(at, p)| {
            if *at <= now_ms {
                arrived.push((*at, p.clone()));
                false
            } else {
                true
            }
        });
        arrived.sort_by_key(|(at, _)| *at);
        arrived.into_iter().map(|(_, p)| p).collect()
    }
}

/// RTP header fields: (payload type, sequence number, SSRC, payload).
pub fn rtp_fields(packet: &[u8]) -> (u8, u16, u32, &[u8]) {
    let cc = (packet[0] & 0x0f) as usize;
    let mut offset = 12 + 4 * cc;
    if packet[0] & 0x10 != 0 {
        let words = u16::from_be_bytes([packet[offset + 2], packet[offset + 3]]) as usize;
        offset += 4 + 4 * words;
    }
    (
        packet[1] & 0x7f,
        u16::from_be_bytes([packet[2], packet[3]]),
        u32::from_be_bytes([packet[8], packet[9], packet[10], packet[11]]),
        &packet[offset..],
    )
}
