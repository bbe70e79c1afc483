//! A transport's dump (mediasoup's `TransportDump` plus the kind's own
//! fields) as a `Serialize` struct built from typed state: it is written
//! straight into the response text, and createWebRtcTransport answers
//! with it.

use crate::certificate::Fingerprint;
use crate::ice::candidate::IceCandidate;
use crate::transport::counters::CounterSnapshot;
use crate::transport::listen::Tuple;
use crate::transport::RecvHeaderExtensionIds;
use serde::{Serialize, Serializer};

/// One `{key, value}` entry of a dump's map.
#[derive(Debug, Serialize)]
pub struct Entry<K: Serialize, V: Serialize> {
    pub key: K,
    pub value: V,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RtpListenerDump<'a> {
    pub ssrc_table: Vec<Entry<u32, &'a str>>,
    pub mid_table: Vec<Entry<&'a str, &'a str>>,
    pub rid_table: Vec<Entry<&'a str, &'a str>>,
}

/// `sctpParameters` as mediasoup 3.27 announces them, in its field order;
/// `OS`/`MIS` are 65535 whatever `numSctpStreams` asked (its Node layer
/// reports them so since its own SCTP stack announces every stream).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SctpParameters {
    pub port: u16,
    pub max_send_message_size: u64,
    pub max_receive_message_size: u64,
    pub send_buffer_size: u64,
    pub per_stream_send_queue_limit: u64,
    pub max_receiver_window_buffer_size: u64,
    pub is_data_channel: bool,
    #[serde(rename = "OS")]
    pub os: u16,
    #[serde(rename = "MIS")]
    pub mis: u16,
    pub max_message_size: u64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SctpNegotiatedCapabilities {
    pub negotiated_max_outbound_streams: u16,
    pub negotiated_max_inbound_streams: u16,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SctpListenerDump<'a> {
    pub stream_id_table: Vec<Entry<u16, &'a str>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SctpDump<'a> {
    pub sctp_parameters: &'a SctpParameters,
    pub sctp_state: &'static str,
    pub sctp_negotiated_capabilities: SctpNegotiatedCapabilities,
    pub sctp_listener: SctpListenerDump<'a>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IceParameters<'a> {
    pub username_fragment: &'a str,
    pub password: &'a str,
    pub ice_lite: bool,
}

#[derive(Debug, Serialize)]
pub struct DtlsParameters<'a> {
    pub fingerprints: &'a [Fingerprint],
    pub role: &'static str,
}

/// An ICE candidate in the shape mediasoup's JS gives it (`ip` duplicates
/// `address`; `tcpType` only on TCP).
impl Serialize for IceCandidate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Shape<'a> {
            foundation: &'a str,
            priority: u32,
            ip: &'a str,
            address: &'a str,
            protocol: &'a str,
            port: u16,
            #[serde(rename = "type")]
            kind: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            tcp_type: Option<&'a str>,
        }
        Shape {
            foundation: self.foundation,
            priority: self.priority,
            ip: &self.address,
            address: &self.address,
            protocol: self.protocol.as_str(),
            port: self.port,
            kind: "host",
            tcp_type: self.tcp_type(),
        }
        .serialize(serializer)
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebRtcDump<'a> {
    pub ice_role: &'static str,
    pub ice_parameters: IceParameters<'a>,
    pub ice_candidates: &'a [IceCandidate],
    pub ice_state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ice_selected_tuple: Option<Tuple>,
    pub dtls_parameters: DtlsParameters<'a>,
    pub dtls_state: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlainDump {
    pub rtcp_mux: bool,
    pub comedia: bool,
    pub tuple: Tuple,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rtcp_tuple: Option<Tuple>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub srtp_parameters: Option<SrtpParameters>,
}

/// mediasoup's PipeTransport-specific dump fields.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PipeDump {
    pub tuple: Tuple,
    pub rtx: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub srtp_parameters: Option<SrtpParameters>,
}

/// `{ cryptoSuite, keyBase64 }` (a PlainTransport's local SRTP keys).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SrtpParameters {
    pub crypto_suite: &'static str,
    pub key_base64: String,
}

/// The answer to a PlainTransport's `connect()`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlainConnectReply {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tuple: Option<Tuple>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rtcp_tuple: Option<Tuple>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub srtp_parameters: Option<SrtpParameters>,
}

/// The answer to a WebRtcTransport's `connect()`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectReply {
    pub dtls_local_role: &'static str,
}

/// The `dtlsstatechange` payload (`dtlsRemoteCert` once connected).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DtlsStateChange<'a> {
    pub dtls_state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dtls_remote_cert: Option<&'a str>,
}

/// The `icestatechange` payload.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IceStateChange {
    pub ice_state: &'static str,
}

/// No fields of its own (DirectTransport).
#[derive(Debug, Serialize)]
pub struct NoFields {}

#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum KindDump<'a> {
    WebRtc(WebRtcDump<'a>),
    Plain(PlainDump),
    Pipe(PipeDump),
    Direct(NoFields),
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TransportDump<'a> {
    pub id: &'a str,
    pub producer_ids: Vec<&'a str>,
    pub consumer_ids: Vec<&'a str>,
    pub map_ssrc_consumer_id: Vec<Entry<u32, &'a str>>,
    pub map_rtx_ssrc_consumer_id: Vec<Entry<u32, &'a str>>,
    pub data_producer_ids: Vec<&'a str>,
    pub data_consumer_ids: Vec<&'a str>,
    pub recv_rtp_header_extensions: RecvHeaderExtensionIds,
    pub rtp_listener: RtpListenerDump<'a>,
    pub max_send_message_size: u64,
    pub max_receive_message_size: u64,
    pub trace_event_types: &'a [String],
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub sctp: Option<SctpDump<'a>>,
    #[serde(flatten)]
    pub kind: KindDump<'a>,
}

/// `transport.getStats()` (mediasoup's BaseTransportStats plus the kind's
/// own fields).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TransportStats<'a> {
    pub transport_id: &'a str,
    pub timestamp: u64,
    #[serde(flatten)]
    pub counters: CounterSnapshot,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sctp_state: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub available_outgoing_bitrate: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rtp_packet_loss_sent: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub available_incoming_bitrate: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rtp_packet_loss_received: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_incoming_bitrate: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_outgoing_bitrate: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_outgoing_bitrate: Option<u32>,
    #[serde(flatten)]
    pub kind: KindStats,
}

#[derive(Debug, Serialize)]
#[serde(tag = "type")]
pub enum KindStats {
    #[serde(rename = "plain-rtp-transport", rename_all = "camelCase")]
    Plain {
        rtcp_mux: bool,
        comedia: bool,
        tuple: Tuple,
        #[serde(skip_serializing_if = "Option::is_none")]
        rtcp_tuple: Option<Tuple>,
    },
    #[serde(rename = "pipe-transport")]
    Pipe { tuple: Tuple },
    #[serde(rename = "direct-transport")]
    Direct {},
    #[serde(rename = "webrtc-transport", rename_all = "camelCase")]
    WebRtc {
        ice_role: &'static str,
        ice_state: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        ice_selected_tuple: Option<Tuple>,
        dtls_state: &'static str,
    },
}
