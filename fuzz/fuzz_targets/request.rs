//! Requests at the JS boundary: the worker's dispatcher (`Core` for object
//! requests and notifications, plus the worker-level methods of
//! `worker/mod.rs` over the same `Core` API), worker settings, with virtual time.
//!
//! Each input is a script. A step sends a request built from a valid
//! template for its method (the body mediasoup's JS would send, for objects
//! created by earlier steps) with a few structure-aware edits, or raw JSON,
//! or RTP/RTCP/data through a DirectTransport-style notification, or a
//! housekeeping tick. Sockets are bounded: at most a few transports or
//! servers per input, bound to loopback, and addresses/ports in requests
//! are pinned to loopback and the discard port so nothing leaves the host.
//!
//! Invariants: no panic; every batch the worker emits is valid JSON; every
//! handler id maps to a live object with that id, and every live object is
//! addressable by its id; errors carry a known kind.

#![no_main]

use ferrosoup::certificate::DtlsCertificate;
use ferrosoup::channel::Outbox;
use ferrosoup::channel::WorkerSettings;
use ferrosoup::net::{SocketId, VirtualBinder};
use ferrosoup::request::WorkerRequest;
use ferrosoup::request::{Notification, Request};
use ferrosoup::sfu::core::{Core, Handler};
use ferrosoup_fuzz::{json as fj, Reader, METHODS};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

const ROUTERS: &[&str] = &["r0", "r1"];
const TRANSPORTS: &[&str] = &["t0", "t1", "t2", "t3"];
const PRODUCERS: &[&str] = &["p0", "p1", "p2", "p3"];
const CONSUMERS: &[&str] = &["c0", "c1", "c2", "c3"];
const DATA_PRODUCERS: &[&str] = &["d0", "d1"];
const DATA_CONSUMERS: &[&str] = &["e0", "e1"];
const OBSERVERS: &[&str] = &["o0", "o1"];
const SERVERS: &[&str] = &["s0"];
/// Requests that open sockets, per input.
const MAX_SOCKET_REQUESTS: usize = 4;

const ERROR_KINDS: &[&str] = &[
    "TypeError",
    "UnsupportedError",
    "NotFoundError",
    "InvalidStateError",
    "WorkerClosedError",
    "Error",
];

/// `FUZZ_DEBUG=1` prints each request and its outcome (to check seeds).
fn debug() -> bool {
    static DEBUG: OnceLock<bool> = OnceLock::new();
    *DEBUG.get_or_init(|| std::env::var_os("FUZZ_DEBUG").is_some())
}

fn certificate() -> Arc<DtlsCertificate> {
    static CERT: OnceLock<Arc<DtlsCertificate>> = OnceLock::new();
    CERT.get_or_init(|| Arc::new(DtlsCertificate::generate().expect("certificate")))
        .clone()
}

/// Where the fuzzed datagrams come from.
const PEER: &str = "127.0.0.1:40000";

/// A real ClientHello (made once), for DTLS datagrams to WebRTC sockets.
fn client_hello() -> &'static [u8] {
    static HELLO: OnceLock<Vec<u8>> = OnceLock::new();
    HELLO.get_or_init(|| {
        let c = rcgen::generate_simple_self_signed(vec!["peer".to_string()]).unwrap();
        let fp = ferrosoup::dtls::fingerprint_of("sha-256", c.cert.der()).unwrap();
        let mut t = ferrosoup::dtls::DtlsTransport::new(&c.cert.pem(), &c.key_pair.serialize_pem())
            .unwrap();
        t.start(ferrosoup::dtls::DtlsRole::Client, ("sha-256".into(), fp), 0);
        t.poll_transmit().expect("a ClientHello")
    })
}

/// RTP parameters as the JS layer (js/ortc) negotiates them for the
/// producer variants of this target (see tests/fixtures/gen_ortc_requests.js):
/// `fuzz.producers[slot * variants + variant]`.
fn negotiated() -> &'static Value {
    static FIXTURE: OnceLock<Value> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let all: Value =
            serde_json::from_str(include_str!("../../tests/fixtures/ortc_requests.json"))
                .expect("fixture JSON");
        all["fuzz"].clone()
    })
}

fn negotiated_producer(slot: usize, variant: u8) -> &'static Value {
    let fixture = negotiated();
    let variants = fixture["variants"].as_u64().unwrap_or(1) as usize;
    &fixture["producers"][slot * variants + usize::from(variant) % variants]
}

/// What the harness remembers about a producer it created.
struct ProducerInfo {
    /// Its negotiated parameters (fixture entry).
    negotiated: &'static Value,
    ssrcs: Vec<u32>,
    payload_type: u8,
}

struct Harness {
    core: Core,
    net: VirtualBinder,
    outbox: Outbox,
    settings: WorkerSettings,
    now: u64,
    socket_requests: usize,
    producers: HashMap<String, ProducerInfo>,
}

fn pick<'a>(r: &mut Reader<'_>, ids: &[&'a str]) -> &'a str {
    ids[r.below(ids.len())]
}

/// Keeps sockets on loopback and traffic away from other processes: IP
/// literals become loopback, fixed ports the discard port (port ranges stay:
/// a port is then picked like any worker does), socket flags (port reuse
/// could steal another process's datagrams) are dropped.
fn pin_addresses(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.remove("flags");
            for (k, x) in m.iter_mut() {
                match (k.as_str(), &*x) {
                    ("ip", Value::String(s)) => {
                        if let Ok(ip) = s.parse::<std::net::IpAddr>() {
                            if !ip.is_loopback() {
                                *x = Value::from(if ip.is_ipv4() { "127.0.0.1" } else { "::1" });
                            }
                        }
                    }
                    ("port" | "rtcpPort", Value::Number(n)) => {
                        if n.as_u64().is_some_and(|p| (1..=65535).contains(&p)) {
                            *x = Value::from(9);
                        }
                    }
                    _ => pin_addresses(x),
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(pin_addresses),
        _ => {}
    }
}

impl Harness {
    fn new() -> Self {
        Harness {
            core: Core::new((10000, 59999), certificate()),
            net: VirtualBinder::default(),
            outbox: Outbox::default(),
            settings: WorkerSettings::default(),
            now: 0,
            socket_requests: 0,
            producers: HashMap::new(),
        }
    }

    /// A request body for `method` as mediasoup's JS would build it.
    fn template(&mut self, method: &str, r: &mut Reader<'_>) -> (String, Value) {
        let t = pick(r, TRANSPORTS);
        let (handler, data) = match method {
            "worker.createRouter" | "worker.closeRouter" => {
                (String::new(), json!({"routerId": pick(r, ROUTERS)}))
            }
            "worker.createWebRtcServer" => (
                String::new(),
                json!({"webRtcServerId": pick(r, SERVERS), "listenInfos": [
                    {"protocol": "udp", "ip": "127.0.0.1", "portRange": {"min": 20000, "max": 59000}},
                    {"protocol": "tcp", "ip": "127.0.0.1", "announcedAddress": "fuzz.example",
                     "portRange": {"min": 20000, "max": 59000}}]}),
            ),
            "worker.closeWebRtcServer" => {
                (String::new(), json!({"webRtcServerId": pick(r, SERVERS)}))
            }
            "worker.updateSettings" => (String::new(), {
                let level = ["debug", "warn", "error", "none"][r.below(4)];
                json!({"logLevel": level, "logTags": ["info", "ice", "dtls", "rtp"]})
            }),
            "router.createDirectTransport" => (
                pick(r, ROUTERS).into(),
                json!({"transportId": t, "options": {"direct": true,
                       "maxSendMessageSize": 262144, "maxReceiveMessageSize": 262144}}),
            ),
            "router.createPlainTransport" => (
                pick(r, ROUTERS).into(),
                json!({"transportId": t, "options": {
                    "listenInfo": {"protocol": "udp", "ip": "127.0.0.1"},
                    "rtcpMux": r.bool(), "comedia": r.bool(), "enableSctp": false,
                    "enableSrtp": r.bool(),
                    "srtpCryptoSuite": fj::STRINGS[r.below(fj::STRINGS.len())]}}),
            ),
            "router.createPipeTransport" => (
                pick(r, ROUTERS).into(),
                json!({"transportId": t, "options": {
                    "listenInfo": {"protocol": "udp", "ip": "127.0.0.1"},
                    "enableSctp": false, "enableRtx": r.bool(), "enableSrtp": r.bool()}}),
            ),
            "router.createWebRtcTransport" => (
                pick(r, ROUTERS).into(),
                json!({"transportId": t, "options": {
                    "listenInfos": [{"protocol": "udp", "ip": "127.0.0.1"}],
                    "enableUdp": true, "enableTcp": false, "preferUdp": r.bool(),
                    "preferTcp": false, "initialAvailableOutgoingBitrate": 600000,
                    "enableSctp": false, "maxSendMessageSize": 262144,
                    "maxReceiveMessageSize": 262144, "isDataChannel": true,
                    "iceConsentTimeout": 30}}),
            ),
            "router.createWebRtcTransportWithServer" => (
                pick(r, ROUTERS).into(),
                json!({"transportId": t, "options": {"webRtcServerId": pick(r, SERVERS),
                    "enableUdp": true, "enableTcp": r.bool(), "preferUdp": false,
                    "preferTcp": false, "iceConsentTimeout": 30}}),
            ),
            "router.closeTransport" => (pick(r, ROUTERS).into(), json!({"transportId": t})),
            "router.createAudioLevelObserver" => (
                pick(r, ROUTERS).into(),
                json!({"rtpObserverId": pick(r, OBSERVERS),
                       "options": {"maxEntries": 2, "threshold": -80, "interval": 800}}),
            ),
            "router.createActiveSpeakerObserver" => (
                pick(r, ROUTERS).into(),
                json!({"rtpObserverId": pick(r, OBSERVERS), "options": {"interval": 300}}),
            ),
            "router.closeRtpObserver" => (
                pick(r, ROUTERS).into(),
                json!({"rtpObserverId": pick(r, OBSERVERS)}),
            ),
            "transport.connect" => {
                let data = match r.u8() % 4 {
                    0 => json!({"dtlsParameters": {"role": "client", "fingerprints": [
                        {"algorithm": "sha-256", "value":
                         "AF:8B:52:41:2B:0E:93:F8:AB:5D:3E:AA:55:1A:FB:3C:F1:93:B6:CC:6C:0B:7C:41:6C:65:AE:31:9A:DB:8C:8B"}]}}),
                    1 => json!({"ip": "127.0.0.1", "port": 9, "rtcpPort": 9,
                                "srtpParameters": {"cryptoSuite": "AES_CM_128_HMAC_SHA1_80",
                                "keyBase64": "MDEyMzQ1Njc4OWFiY2RlZmdoaWprbG1ub3BxcnN0"}}),
                    2 => json!({"ip": "127.0.0.1", "port": 9,
                                "srtpParameters": {"cryptoSuite": "AEAD_AES_256_GCM",
                                "keyBase64": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKis="}}),
                    _ => json!({}),
                };
                (t.into(), data)
            }
            "transport.produce" => {
                let slot = r.below(PRODUCERS.len());
                let negotiated = negotiated_producer(slot, r.u8());
                (
                    t.into(),
                    json!({"producerId": PRODUCERS[slot], "kind": negotiated["kind"],
                           "rtpParameters": negotiated["rtpParameters"],
                           "rtpMapping": negotiated["rtpMapping"],
                           "paused": r.u8() % 4 == 0, "keyFrameRequestDelay": 0}),
                )
            }
            "transport.consume" => {
                let producer = pick(r, PRODUCERS);
                let pipe = r.u8() % 4 == 0;
                let negotiated = self.producers.get(producer).map(|p| p.negotiated);
                let kind = negotiated.map_or("video", |n| {
                    if n["kind"] == "audio" {
                        "audio"
                    } else {
                        "video"
                    }
                });
                let consumable = negotiated.map_or(Value::Null, |n| n["consumable"].clone());
                let rtx = usize::from(r.bool());
                let mut params = negotiated.map_or(Value::Null, |n| {
                    n[if pipe { "pipe" } else { "consumer" }][rtx].clone()
                });
                if !pipe && params.is_object() {
                    params["mid"] = Value::from(r.u8().to_string());
                }
                let ty = if pipe {
                    "pipe"
                } else {
                    match consumable["encodings"].as_array().map_or(0, Vec::len) {
                        0 | 1
                            if consumable["encodings"][0]["scalabilityMode"]
                                .as_str()
                                .is_some_and(|m| m.starts_with('L')) =>
                        {
                            "svc"
                        }
                        0 | 1 => "simple",
                        _ => "simulcast",
                    }
                };
                (
                    t.into(),
                    json!({"consumerId": pick(r, CONSUMERS), "producerId": producer,
                           "kind": kind, "rtpParameters": params, "type": ty,
                           "consumableRtpEncodings": consumable["encodings"],
                           "paused": r.u8() % 4 == 0,
                           "preferredLayers": {"spatialLayer": r.u8() % 3, "temporalLayer": r.u8() % 3},
                           "ignoreDtx": r.bool()}),
                )
            }
            "transport.produceData" => {
                let direct = r.bool();
                (
                    t.into(),
                    json!({"dataProducerId": pick(r, DATA_PRODUCERS),
                           "type": if direct { "direct" } else { "sctp" },
                           "sctpStreamParameters": if direct { Value::Null } else {
                               json!({"streamId": r.u8(), "ordered": r.bool()}) },
                           "label": "fuzz", "protocol": "", "paused": r.u8() % 4 == 0}),
                )
            }
            "transport.consumeData" => {
                let direct = r.bool();
                (
                    t.into(),
                    json!({"dataConsumerId": pick(r, DATA_CONSUMERS),
                           "dataProducerId": pick(r, DATA_PRODUCERS),
                           "type": if direct { "direct" } else { "sctp" },
                           "sctpStreamParameters": if direct { Value::Null } else {
                               json!({"streamId": r.u8(), "ordered": false, "maxRetransmits": 3}) },
                           "label": "fuzz", "protocol": "", "paused": false,
                           "subchannels": [r.u16(), 7]}),
                )
            }
            "transport.closeProducer" => (t.into(), json!({"producerId": pick(r, PRODUCERS)})),
            "transport.closeConsumer" => (t.into(), json!({"consumerId": pick(r, CONSUMERS)})),
            "transport.closeDataProducer" => {
                (t.into(), json!({"dataProducerId": pick(r, DATA_PRODUCERS)}))
            }
            "transport.closeDataConsumer" => {
                (t.into(), json!({"dataConsumerId": pick(r, DATA_CONSUMERS)}))
            }
            "transport.setMaxIncomingBitrate"
            | "transport.setMaxOutgoingBitrate"
            | "transport.setMinOutgoingBitrate" => (
                t.into(),
                json!({"bitrate": fj::NUMBERS[r.below(fj::NUMBERS.len())]}),
            ),
            "transport.enableTraceEvent"
            | "producer.enableTraceEvent"
            | "consumer.enableTraceEvent" => {
                let h = match method.split('.').next() {
                    Some("producer") => pick(r, PRODUCERS),
                    Some("consumer") => pick(r, CONSUMERS),
                    _ => t,
                };
                let types = ["probation", "bwe", "rtp", "keyframe", "nack", "pli", "fir"];
                let n = r.below(types.len() + 1);
                (h.into(), json!({ "types": types[..n] }))
            }
            "consumer.setPreferredLayers" => (
                pick(r, CONSUMERS).into(),
                json!({"spatialLayer": r.u8() % 4, "temporalLayer": r.u8() % 4}),
            ),
            "consumer.setPriority" => (
                pick(r, CONSUMERS).into(),
                json!({"priority": fj::NUMBERS[r.below(fj::NUMBERS.len())]}),
            ),
            "rtpObserver.addProducer" | "rtpObserver.removeProducer" => (
                pick(r, OBSERVERS).into(),
                json!({"producerId": pick(r, PRODUCERS)}),
            ),
            "dataConsumer.setBufferedAmountLowThreshold" => (
                pick(r, DATA_CONSUMERS).into(),
                json!({"threshold": r.u32()}),
            ),
            "dataConsumer.send" => (
                pick(r, DATA_CONSUMERS).into(),
                json!({"ppid": 51, "data": "aGVsbG8="}),
            ),
            "dataConsumer.setSubchannels" => (
                pick(r, DATA_CONSUMERS).into(),
                json!({"subchannels": [1, 2, r.u16()]}),
            ),
            "dataConsumer.addSubchannel" | "dataConsumer.removeSubchannel" => (
                pick(r, DATA_CONSUMERS).into(),
                json!({"subchannel": r.u16()}),
            ),
            m => {
                // Object requests without a body: address by the method's prefix.
                let h = match m.split('.').next() {
                    Some("router") => pick(r, ROUTERS),
                    Some("producer") => pick(r, PRODUCERS),
                    Some("consumer") => pick(r, CONSUMERS),
                    Some("rtpObserver") => pick(r, OBSERVERS),
                    Some("webRtcServer") => pick(r, SERVERS),
                    Some("dataProducer") => pick(r, DATA_PRODUCERS),
                    Some("dataConsumer") => pick(r, DATA_CONSUMERS),
                    Some("worker") => "",
                    _ => t,
                };
                (h.into(), Value::Null)
            }
        };
        (handler, data)
    }

    fn opens_sockets(method: &str) -> bool {
        matches!(
            method,
            "worker.createWebRtcServer"
                | "router.createPlainTransport"
                | "router.createPipeTransport"
                | "router.createWebRtcTransport"
                | "router.createWebRtcTransportWithServer"
        )
    }

    fn request(&mut self, method: &str, handler: &str, data: &mut Value) {
        if Self::opens_sockets(method) {
            if self.socket_requests >= MAX_SOCKET_REQUESTS {
                return;
            }
            self.socket_requests += 1;
        }
        pin_addresses(data);
        self.core.now_ms = self.now;
        let result = match method.strip_prefix("worker.") {
            Some(m) => self.worker_request(m, data),
            // As the worker's boundary does: target first, then the parse.
            // The body crosses as JSON text, as from JS.
            None => self.core.find_handler(handler, method).and_then(|h| {
                let request = Request::parse(method, &data.to_string())?;
                self.core
                    .handle_request(
                        h,
                        method,
                        request,
                        self.now,
                        &mut self.net,
                        &mut self.outbox,
                    )
                    .map(|reply| serde_json::from_str::<Value>(reply.json()).unwrap_or_default())
            }),
        };
        if debug() {
            let outcome = match &result {
                Ok(_) => "ok".to_string(),
                Err(e) => format!("{}: {}", e.kind.as_str(), e.message),
            };
            eprintln!("{method} [{handler}] -> {outcome}");
        }
        match &result {
            Ok(v) => {
                let _ = v.to_string();
                if method == "transport.produce" {
                    self.remember_producer(data);
                }
            }
            Err(e) => assert!(ERROR_KINDS.contains(&e.kind.as_str()), "{:?}", e.kind),
        }
        self.outbox.response(1, result);
        self.flush();
    }

    /// `worker/mod.rs`'s dispatch of worker-level methods, over the same
    /// public `Core` calls.
    fn worker_request(&mut self, method: &str, data: &Value) -> ferrosoup::error::Result<Value> {
        let request = match Request::parse(&format!("worker.{method}"), &data.to_string())? {
            Request::Worker(request) => request,
            _ => unreachable!("a worker method parses to a worker request"),
        };
        match request {
            WorkerRequest::Dump => Ok(json!({
                "webRtcServerIds": self.core.webrtc_server_ids(),
                "routerIds": self.core.router_ids(),
                "channelRequestHandlers": self.core.handlers.keys().collect::<Vec<_>>(),
            })),
            WorkerRequest::GetResourceUsage => Ok(Value::Null),
            WorkerRequest::GetMetrics => serde_json::to_value(self.core.metrics())
                .map_err(|e| ferrosoup::error::Error::other(e.to_string())),
            WorkerRequest::UpdateSettings(update) => {
                self.settings.update(update);
                Ok(Value::Null)
            }
            WorkerRequest::CreateRouter { router_id } => {
                self.core.create_router(router_id).map(|_| Value::Null)
            }
            WorkerRequest::CreateWebRtcServer(options) => self
                .core
                .create_webrtc_server(options, &mut self.net)
                .map(|_| Value::Null),
            WorkerRequest::CloseWebRtcServer { web_rtc_server_id } => self
                .core
                .close_webrtc_server(&web_rtc_server_id, &mut self.outbox)
                .map(|_| Value::Null),
            WorkerRequest::CloseRouter { router_id } => self
                .core
                .close_router(&router_id, &mut self.outbox)
                .map(|_| Value::Null),
        }
    }

    fn remember_producer(&mut self, data: &Value) {
        let Some(id) = data["producerId"].as_str() else {
            return;
        };
        // The fixture entry it was made from (or, for an edited body, any:
        // consumers of it then send parameters that do not quite fit).
        let entries = negotiated()["producers"]
            .as_array()
            .expect("fixture producers");
        let negotiated = entries
            .iter()
            .find(|n| n["rtpParameters"] == data["rtpParameters"])
            .unwrap_or(&entries[0]);
        let encodings = data["rtpParameters"]["encodings"].as_array();
        let ssrcs = encodings
            .into_iter()
            .flatten()
            .flat_map(|e| [e["ssrc"].as_u64(), e["rtx"]["ssrc"].as_u64()])
            .flatten()
            .map(|s| s as u32)
            .collect();
        let payload_type = data["rtpParameters"]["codecs"][0]["payloadType"]
            .as_u64()
            .unwrap_or(96) as u8;
        self.producers.insert(
            id.to_string(),
            ProducerInfo {
                negotiated,
                ssrcs,
                payload_type,
            },
        );
    }

    fn flush(&mut self) {
        // What the core transmitted and asked of sockets: nowhere to go.
        for t in self.core.net.transmits() {
            assert!(!self.core.net.payload(t).is_empty() || t.to.is_none());
        }
        self.core.net.clear();
        if let Some(batch) = self.outbox.take_batch() {
            let v: Value = serde_json::from_str(&batch.json).expect("batches are valid JSON");
            let entries = v.as_array().expect("a batch is an array");
            for e in entries {
                if let Some(i) = e.get("buffer") {
                    let i = i.as_u64().expect("buffer index") as usize;
                    assert!(i < batch.buffers.len(), "dangling buffer index");
                }
            }
        }
    }

    /// RTP from JS into a producer (`producer.send`).
    fn send_rtp(&mut self, r: &mut Reader<'_>) {
        let producer = pick(r, PRODUCERS);
        let (ssrc, pt) = match self.producers.get(producer) {
            Some(p) if !p.ssrcs.is_empty() => (p.ssrcs[r.below(p.ssrcs.len())], p.payload_type),
            _ => (r.u32(), 96),
        };
        let flags = r.u8();
        let seq = r.u16();
        let mut pkt = vec![0x80, (pt & 0x7f) | (flags & 0x80)];
        pkt.extend_from_slice(&seq.to_be_bytes());
        pkt.extend_from_slice(&(u32::from(seq) * 3000).to_be_bytes());
        pkt.extend_from_slice(&ssrc.to_be_bytes());
        if flags & 1 == 1 {
            // One-byte extensions: MID "0".."3", RID, transport-cc sequence.
            pkt[0] |= 0x10;
            pkt.extend_from_slice(&[0xbe, 0xde, 0, 3]);
            pkt.extend_from_slice(&[
                0x10,
                b'0' + (flags >> 1 & 3),
                0x21,
                b'r',
                b'0' + (flags >> 3 & 3),
            ]);
            pkt.extend_from_slice(&[0x51]);
            pkt.extend_from_slice(&seq.to_be_bytes());
            pkt.extend_from_slice(&[0, 0, 0, 0]);
        }
        // A VP8-ish descriptor (key frame or not), then fuzz bytes.
        pkt.extend_from_slice(&[
            0x90,
            0x80,
            (seq & 0x7f) as u8,
            if flags & 2 == 0 { 0x00 } else { 0x01 },
        ]);
        pkt.extend_from_slice(r.bytes(64));
        self.core.now_ms = self.now;
        if let Some(notification) = Notification::parse("producer.send", "null", Some(pkt)) {
            self.core
                .handle_notification(producer, notification, self.now, &mut self.outbox);
        }
        self.flush();
    }

    /// RTCP from JS into a transport (`transport.sendRtcp`).
    fn send_rtcp(&mut self, r: &mut Reader<'_>) {
        use ferrosoup::rtcp::*;
        let t = pick(r, TRANSPORTS);
        let ssrcs: Vec<u32> = self
            .producers
            .values()
            .flat_map(|p| p.ssrcs.clone())
            .collect();
        let mut ssrc = || {
            if ssrcs.is_empty() {
                r.u32()
            } else {
                ssrcs[r.below(ssrcs.len())]
            }
        };
        let (a, b) = (ssrc(), ssrc());
        let mut buf = vec![0u8; 512];
        let n = match r.u8() % 8 {
            0 => write_receiver_report(
                &mut buf,
                a,
                &[ReportBlock {
                    ssrc: b,
                    fraction_lost: r.u8(),
                    total_lost: r.u16() as i32,
                    highest_seq: r.u32(),
                    jitter: r.u16() as u32,
                    lsr: r.u32(),
                    dlsr: r.u32(),
                }],
            ),
            1 => write_sender_report(
                &mut buf,
                a,
                r.u32(),
                r.u32(),
                r.u32(),
                r.u16() as u32,
                r.u32(),
                &[],
            ),
            2 => write_nack(&mut buf, a, b, &[r.u16(), r.u16()]),
            3 => write_pli(&mut buf, a, b),
            4 => write_fir(&mut buf, a, b, r.u8()),
            5 => write_remb(&mut buf, a, u64::from(r.u32()), &[b]),
            6 => write_transport_cc(
                &mut buf,
                a,
                b,
                r.u16(),
                r.u16() as i32,
                r.u8(),
                &[Some(4), None, Some(-3), Some(300)],
            ),
            _ => {
                let raw = r.bytes(256);
                buf[..raw.len()].copy_from_slice(raw);
                Ok(raw.len())
            }
        }
        .unwrap_or(0);
        buf.truncate(n);
        self.core.now_ms = self.now;
        if let Some(notification) = Notification::parse("transport.sendRtcp", "null", Some(buf)) {
            self.core
                .handle_notification(t, notification, self.now, &mut self.outbox);
        }
        self.flush();
    }

    fn send_data(&mut self, r: &mut Reader<'_>) {
        let dp = pick(r, DATA_PRODUCERS);
        let ppid = [51, 53, 56, 57, 0][r.below(5)];
        let data = json!({"ppid": ppid, "subchannels": [r.u16()], "requiredSubchannel": r.u16()});
        let payload = r.bytes(64).to_vec();
        if let Some(notification) =
            Notification::parse("dataProducer.send", &data.to_string(), Some(payload))
        {
            self.core
                .handle_notification(dp, notification, self.now, &mut self.outbox);
        }
        self.flush();
    }

    /// The core's UDP sockets.
    fn udp_sockets(&self) -> Vec<SocketId> {
        self.net
            .bound
            .iter()
            .filter(|(id, protocol, _)| {
                *protocol == ferrosoup::net::ListenProtocol::Udp
                    && self.core.sockets.get(*id).is_some()
            })
            .map(|(id, _, _)| *id)
            .collect()
    }

    /// A datagram from the peer to one of the core's UDP sockets: the
    /// whole receive path (demux, ICE, DTLS, SRTP, RTP/RTCP) as the shell
    /// drives it.
    fn datagram(&mut self, r: &mut Reader<'_>) {
        use ferrosoup::transport::TransportKind;
        let sockets = self.udp_sockets();
        if sockets.is_empty() {
            return;
        }
        let socket = sockets[r.below(sockets.len())];
        // Credentials of some WebRTC transport, for STUN.
        let creds: Vec<(String, String)> = self
            .core
            .transports
            .iter()
            .filter_map(|(_, t)| match &t.kind {
                TransportKind::WebRtc(w) => Some((
                    w.ice.username_fragment().to_string(),
                    w.ice.password().to_string(),
                )),
                _ => None,
            })
            .collect();
        let kind = r.u8();
        let mut d = match kind % 6 {
            0 | 1 if !creds.is_empty() => {
                let (ufrag, pwd) = &creds[r.below(creds.len())];
                let username = format!("{ufrag}:peer");
                let flags = r.u8();
                let req = ferrosoup_fuzz::stun::Request {
                    transaction_id: [kind; 12],
                    username: Some(username.as_bytes()),
                    priority: Some(0x7e00_00ff),
                    controlling: Some(1),
                    use_candidate: flags & 1 == 1,
                    nomination: (flags & 2 == 2).then_some(u32::from(flags)),
                    password: Some(pwd.as_bytes()),
                    fingerprint: true,
                    ..Default::default()
                };
                let mut buf = [0u8; 512];
                let n = ferrosoup_fuzz::stun::binding_request(&req, &mut buf);
                let mut d = buf[..n].to_vec();
                if kind % 6 == 1 {
                    // Mutated, then re-signed.
                    fj_bytes_edit(&mut d, r);
                    ferrosoup_fuzz::stun::fix_up(&mut d, pwd.as_bytes());
                }
                d
            }
            2 => client_hello().to_vec(),
            3 => {
                let mut d = vec![0x80, 96 | (r.u8() & 0x80)];
                d.extend(r.u16().to_be_bytes());
                d.extend(r.u32().to_be_bytes());
                let ssrcs: Vec<u32> = self
                    .producers
                    .values()
                    .flat_map(|p| p.ssrcs.clone())
                    .collect();
                let ssrc = if ssrcs.is_empty() {
                    r.u32()
                } else {
                    ssrcs[r.below(ssrcs.len())]
                };
                d.extend(ssrc.to_be_bytes());
                d.extend([0x90, 0x80, 0x01, 0x00]);
                d.extend(r.bytes(64));
                d
            }
            _ => r.bytes(200).to_vec(),
        };
        if d.is_empty() {
            d.push(0);
        }
        self.core.now_ms = self.now;
        self.core.recv_buffer()[..d.len()].copy_from_slice(&d);
        let peer = PEER.parse().expect("peer address");
        self.core
            .handle_datagram(socket, peer, d.len(), self.now * 1000, &mut self.outbox);
        // Whatever the core answered (STUN responses, DTLS, media).
        let answers = self.core.net.transmits().len();
        self.flush();
        if debug() {
            eprintln!(
                "datagram kind {} ({} bytes) to {socket:?} -> {answers} answers",
                kind % 6,
                d.len()
            );
        }
    }

    /// Every handler addresses a live object carrying that id, and the
    /// other way round.
    fn check(&self) {
        let c = &self.core;
        for (id, h) in &c.handlers {
            let live_id = match *h {
                Handler::Router(k) => c.routers.get(k).map(|o| &o.id),
                Handler::Transport(k) => c.transports.get(k).map(|o| &o.id),
                Handler::Producer(k) => c.producers.get(k).map(|o| &o.id),
                Handler::Consumer(k) => c.consumers.get(k).map(|o| &o.id),
                Handler::RtpObserver(k) => c.rtp_observers.get(k).map(|o| &o.id),
                Handler::WebRtcServer(k) => c.webrtc_servers.get(k).map(|o| &o.id),
                Handler::DataProducer(k) => c.data.producers.get(k).map(|o| &o.id),
                Handler::DataConsumer(k) => c.data.consumers.get(k).map(|o| &o.id),
            };
            assert_eq!(live_id, Some(id), "handler {id} is dangling: {h:?}");
        }
        let n = c.routers.len()
            + c.transports.len()
            + c.producers.len()
            + c.consumers.len()
            + c.rtp_observers.len()
            + c.webrtc_servers.len()
            + c.data.producers.len()
            + c.data.consumers.len();
        assert_eq!(
            n,
            c.handlers.len(),
            "an object is not addressable by its id"
        );
    }
}

/// Overwrites a few bytes of `d` (past the STUN header's type field).
fn fj_bytes_edit(d: &mut [u8], r: &mut Reader<'_>) {
    for _ in 0..1 + r.u8() % 4 {
        if d.len() > 2 {
            let i = 2 + r.below(d.len() - 2);
            d[i] = r.u8();
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut r = Reader::new(data);
    let mut h = Harness::new();
    let mut steps = 0;
    while !r.is_empty() && steps < 48 {
        steps += 1;
        match r.u8() % 16 {
            0..=8 => {
                let method = METHODS[r.below(METHODS.len())];
                let (handler, mut body) = h.template(method, &mut r);
                for _ in 0..r.u8() % 4 {
                    fj::edit(&mut body, &mut r);
                }
                h.request(method, &handler, &mut body);
            }
            9 => {
                // Free-form body (JSON text if it parses, else generated).
                let method = METHODS[r.below(METHODS.len())];
                let all: Vec<&str> = [
                    ROUTERS,
                    TRANSPORTS,
                    PRODUCERS,
                    CONSUMERS,
                    OBSERVERS,
                    DATA_PRODUCERS,
                    DATA_CONSUMERS,
                    SERVERS,
                    &[""],
                ]
                .concat();
                let handler = pick(&mut r, &all);
                let text = r.bytes(128);
                let mut body =
                    serde_json::from_slice(text).unwrap_or_else(|_| fj::value(&mut r, 3));
                h.request(method, handler, &mut body);
            }
            10 => h.send_rtp(&mut r),
            11 => h.datagram(&mut r),
            12 => h.send_rtcp(&mut r),
            13 => h.send_data(&mut r),
            14 => {
                h.now += u64::from(r.u16() % 4000);
                h.core.now_ms = h.now;
                h.core.handle_timeout(h.now, &mut h.outbox);
                h.flush();
            }
            _ => {
                let mut v = json!({"logLevel": "warn", "rtcMinPort": 10000, "rtcMaxPort": 10100,
                                   "logTags": ["ice"]});
                fj::edit(&mut v, &mut r);
                let _ = ferrosoup::request::worker_settings(&v.to_string());
            }
        }
        h.check();
    }
    // Closing everything must leave nothing behind.
    for id in h.core.router_ids() {
        let _ = h.core.close_router(&id, &mut h.outbox);
    }
    for id in h.core.webrtc_server_ids() {
        let _ = h.core.close_webrtc_server(&id, &mut h.outbox);
    }
    h.flush();
    h.check();
    assert!(
        h.core.handlers.is_empty(),
        "objects survived closing every router and server"
    );
});
