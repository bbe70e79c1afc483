//! Transports: what they share (ids of their producers and consumers, the
//! RTP listener, header-extension ids, counters, dumps and stats) and the
//! kind-specific parts (plain UDP, direct).

pub mod connect;
pub mod direct;
pub mod dump;
pub mod framing;
pub mod io;
pub mod listen;
pub mod listener;
pub mod options;
pub mod plain;
pub mod tcc;
pub mod webrtc;
pub mod webrtc_server;

use crate::ids::{ConsumerKey, DataConsumerKey, DataProducerKey, ProducerKey, RouterKey};
use listener::RtpListener;
use serde::Serialize;
use serde_json::{json, Value};

pub enum TransportKind {
    Plain(Box<plain::PlainTransport>),
    Direct(direct::DirectTransport),
    WebRtc(Box<webrtc::WebRtcTransport>),
}

/// Ids of the header extensions this transport reads on receive (taken from
/// the producers' RTP parameters, like mediasoup's RecvRtpHeaderExtensions;
/// dumps leave unset ones out).
#[derive(Debug, Default, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecvHeaderExtensionIds {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mid: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rid: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rrid: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub abs_send_time: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transport_wide_cc01: Option<u8>,
}

/// Byte counters for `getStats()`.
#[derive(Default)]
pub struct TransportCounters {
    pub bytes_received: u64,
    pub bytes_sent: u64,
    pub rtp_bytes_received: u64,
    pub rtp_bytes_sent: u64,
    pub rtx_bytes_received: u64,
    pub rtx_bytes_sent: u64,
    /// Datagrams dropped as malformed or unexpected (not RTP/RTCP, bad SRTP,
    /// wrong source, ...).
    pub dropped: u64,
}

pub struct Transport {
    pub id: String,
    pub router: RouterKey,
    pub kind: TransportKind,
    pub producers: Vec<ProducerKey>,
    pub consumers: Vec<ConsumerKey>,
    /// DataProducers and DataConsumers (keys in the worker's data slabs).
    pub data_producers: Vec<DataProducerKey>,
    pub data_consumers: Vec<DataConsumerKey>,
    pub listener: RtpListener,
    pub recv_ext: RecvHeaderExtensionIds,
    pub max_send_message_size: u64,
    pub max_receive_message_size: u64,
    pub sctp_parameters: Option<dump::SctpParameters>,
    /// Initial bufferedAmountLowThreshold of every SCTP stream.
    pub sctp_buffered_amount_low_threshold: u32,
    pub trace_event_types: Vec<String>,
    pub counters: TransportCounters,
    pub max_incoming_bitrate: Option<u32>,
    pub max_outgoing_bitrate: Option<u32>,
    pub min_outgoing_bitrate: Option<u32>,
    /// Outgoing transport-wide sequence number (transport-cc extension).
    pub transport_wide_seq: u16,
    /// When this transport sends its next RTCP reports.
    pub next_rtcp_ms: u64,
}

impl Transport {
    pub fn new(
        id: String,
        router: RouterKey,
        kind: TransportKind,
        options: &options::TransportOptions,
    ) -> Self {
        let sctp_parameters = options.sctp.as_ref().map(|sctp| dump::SctpParameters {
            port: 5000,
            os: 1024,
            mis: 1024,
            max_message_size: options.max_receive_message_size,
            max_send_message_size: options.max_send_message_size,
            max_receive_message_size: options.max_receive_message_size,
            send_buffer_size: sctp.send_buffer_size,
            per_stream_send_queue_limit: sctp.per_stream_send_queue_limit,
            max_receiver_window_buffer_size: sctp.max_receiver_window_buffer_size,
            is_data_channel: sctp.is_data_channel,
        });
        Transport {
            id,
            router,
            kind,
            producers: Vec::new(),
            consumers: Vec::new(),
            data_producers: Vec::new(),
            data_consumers: Vec::new(),
            listener: RtpListener::default(),
            recv_ext: RecvHeaderExtensionIds::default(),
            max_send_message_size: options.max_send_message_size,
            max_receive_message_size: options.max_receive_message_size,
            sctp_parameters,
            sctp_buffered_amount_low_threshold: options.sctp_buffered_amount_low_threshold,
            trace_event_types: Vec::new(),
            counters: TransportCounters::default(),
            max_incoming_bitrate: None,
            max_outgoing_bitrate: None,
            min_outgoing_bitrate: None,
            transport_wide_seq: 0,
            next_rtcp_ms: 0,
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self.kind {
            TransportKind::Plain(_) => "plain",
            TransportKind::Direct(_) => "direct",
            TransportKind::WebRtc(_) => "webrtc",
        }
    }

    /// BaseTransportDump; ids of children are resolved by the caller (which
    /// also fills in the data-channel fields, see `worker::data`).
    /// The dump's SCTP fields (with the SCTP listener's table) and the
    /// kind's own fields; the object graph part is the caller's.
    pub fn dump_parts<'a>(
        &'a self,
        stream_id_table: Vec<dump::Entry<u16, &'a str>>,
    ) -> (Option<dump::SctpDump<'a>>, dump::KindDump<'a>) {
        let sctp = self.sctp_parameters.as_ref().map(|p| dump::SctpDump {
            sctp_parameters: p,
            sctp_state: "new",
            sctp_negotiated_capabilities: dump::SctpNegotiatedCapabilities {
                negotiated_max_outbound_streams: 0,
                negotiated_max_inbound_streams: 0,
            },
            sctp_listener: dump::SctpListenerDump { stream_id_table },
        });
        let kind = match &self.kind {
            TransportKind::Plain(plain) => dump::KindDump::Plain(plain.dump()),
            TransportKind::WebRtc(w) => dump::KindDump::WebRtc(w.dump()),
            TransportKind::Direct(_) => dump::KindDump::Direct(dump::NoFields {}),
        };
        (sctp, kind)
    }

    /// BaseTransportStats plus the kind's own fields.
    pub fn stats(&self, now_ms: u64, recv_bitrate: u32, send_bitrate: u32) -> Value {
        let c = &self.counters;
        let mut stats = json!({
            "transportId": self.id,
            "timestamp": now_ms,
            "bytesReceived": c.bytes_received,
            "recvBitrate": recv_bitrate,
            "bytesSent": c.bytes_sent,
            "sendBitrate": send_bitrate,
            "rtpBytesReceived": c.rtp_bytes_received,
            "rtpRecvBitrate": 0,
            "rtpBytesSent": c.rtp_bytes_sent,
            "rtpSendBitrate": 0,
            "rtxBytesReceived": c.rtx_bytes_received,
            "rtxRecvBitrate": 0,
            "rtxBytesSent": c.rtx_bytes_sent,
            "rtxSendBitrate": 0,
            "probationBytesSent": 0,
            "probationSendBitrate": 0,
        });
        if self.sctp_parameters.is_some() {
            stats["sctpState"] = json!("new");
        }
        for (name, value) in [
            ("maxIncomingBitrate", self.max_incoming_bitrate),
            ("maxOutgoingBitrate", self.max_outgoing_bitrate),
            ("minOutgoingBitrate", self.min_outgoing_bitrate),
        ] {
            if let Some(v) = value {
                stats[name] = json!(v);
            }
        }
        match &self.kind {
            TransportKind::Plain(plain) => {
                stats["type"] = json!("plain-rtp-transport");
                stats["rtcpMux"] = json!(plain.rtcp_mux);
                stats["comedia"] = json!(plain.comedia);
                stats["tuple"] = plain.tuple_json();
                if let Some(t) = plain.rtcp_tuple_json() {
                    stats["rtcpTuple"] = t;
                }
            }
            TransportKind::Direct(_) => stats["type"] = json!("direct-transport"),
            TransportKind::WebRtc(w) => {
                stats["type"] = json!("webrtc-transport");
                stats["iceRole"] = json!("controlled");
                stats["iceState"] = json!(w.ice_state_str());
                stats["dtlsState"] = json!(w.dtls_state.as_str());
            }
        }
        stats
    }
}
