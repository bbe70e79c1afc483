//! Transports: what they share (ids of their producers and consumers, the
//! RTP listener, header-extension ids, counters, dumps and stats) and the
//! kind-specific parts (plain UDP, direct).

pub mod connect;
pub mod counters;
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
pub use counters::TransportCounters;
use listener::RtpListener;
use serde::Serialize;

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
    /// The SCTP association, when SCTP is enabled (fed on UDP transports).
    pub sctp: Option<crate::sctp::SctpAssociation>,
    pub trace_event_types: Vec<String>,
    pub counters: TransportCounters,
    pub max_incoming_bitrate: Option<u32>,
    pub max_outgoing_bitrate: Option<u32>,
    pub min_outgoing_bitrate: Option<u32>,
    /// Outgoing transport-wide sequence number (transport-cc extension).
    pub transport_wide_seq: u16,
    /// Send-side bandwidth estimation, once a consumer's receiver can give
    /// feedback for it (transport-cc or REMB), as mediasoup's tccClient.
    pub bwe: Option<crate::bwe::SendSideBwe>,
    /// Its consumers changed (added, paused, resumed, preferred layers,
    /// priority): the bitrate is shared again at the next turn, as
    /// mediasoup does at once rather than at the next estimate.
    pub bwe_reallocate: bool,
    pub initial_available_outgoing_bitrate: u32,
    /// Feedback this side gives for what it receives, once a producer's
    /// sender takes it (mediasoup's tccServer).
    pub tcc_server: Option<crate::bwe::BweType>,
    /// The receive-side estimate sent to REMB-only senders.
    pub remb_server: Option<Box<crate::bwe::remb_server::RembServer>>,
    /// RTP sequence number of the probation stream.
    pub probation_seq: u16,
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
            max_send_message_size: options.max_send_message_size,
            max_receive_message_size: options.max_receive_message_size,
            send_buffer_size: sctp.send_buffer_size,
            per_stream_send_queue_limit: sctp.per_stream_send_queue_limit,
            max_receiver_window_buffer_size: sctp.max_receiver_window_buffer_size,
            is_data_channel: sctp.is_data_channel,
            os: u16::MAX,
            mis: u16::MAX,
            max_message_size: options.max_receive_message_size,
        });
        // Fed with SCTP over UDP (PlainTransport, PipeTransport) or over
        // DTLS (WebRtcTransport).
        let sctp = sctp_parameters
            .as_ref()
            .filter(|_| !matches!(kind, TransportKind::Direct(_)))
            .map(|p| {
                // mediasoup's SCTP stack offers every stream whatever
                // `sctpParameters` announce.
                crate::sctp::SctpAssociation::new(crate::sctp::SctpConfig {
                    os: u16::MAX,
                    mis: u16::MAX,
                    max_message_size: p.max_message_size.min(u64::from(u32::MAX)) as u32,
                    send_buffer_size: p.send_buffer_size.min(usize::MAX as u64) as usize,
                })
            });
        Transport {
            id,
            router,
            sctp,
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
            bwe: None,
            bwe_reallocate: false,
            tcc_server: None,
            remb_server: None,
            initial_available_outgoing_bitrate: options.initial_available_outgoing_bitrate,
            probation_seq: 0,
            next_rtcp_ms: 0,
        }
    }

    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            TransportKind::Plain(plain) if plain.pipe.is_some() => "pipe",
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
        selected_tuple: Option<listen::Tuple>,
    ) -> (Option<dump::SctpDump<'a>>, dump::KindDump<'a>) {
        let sctp = self.sctp_parameters.as_ref().map(|p| dump::SctpDump {
            sctp_parameters: p,
            sctp_state: self.sctp.as_ref().map_or("new", |s| s.state().as_str()),
            sctp_negotiated_capabilities: {
                let streams = self.sctp.as_ref().and_then(|s| s.negotiated_streams());
                dump::SctpNegotiatedCapabilities {
                    negotiated_max_outbound_streams: streams.unwrap_or(0),
                    negotiated_max_inbound_streams: streams.unwrap_or(0),
                }
            },
            sctp_listener: dump::SctpListenerDump { stream_id_table },
        });
        let kind = match &self.kind {
            TransportKind::Plain(plain) => match plain.pipe {
                Some(mode) => dump::KindDump::Pipe(plain.pipe_dump(mode)),
                None => dump::KindDump::Plain(plain.dump()),
            },
            TransportKind::WebRtc(w) => dump::KindDump::WebRtc(w.dump(selected_tuple)),
            TransportKind::Direct(_) => dump::KindDump::Direct(dump::NoFields {}),
        };
        (sctp, kind)
    }

    /// BaseTransportStats plus the kind's own fields (`selected_tuple`: a
    /// WebRtcTransport's ICE selected tuple, resolved by the caller).
    pub fn stats(
        &mut self,
        now_ms: u64,
        selected_tuple: Option<listen::Tuple>,
    ) -> dump::TransportStats<'_> {
        let counters = self.counters.snapshot(now_ms);
        let kind = match &self.kind {
            TransportKind::Plain(plain) if plain.pipe.is_some() => dump::KindStats::Pipe {
                tuple: plain.tuple(),
            },
            TransportKind::Plain(plain) => dump::KindStats::Plain {
                rtcp_mux: plain.rtcp_mux,
                comedia: plain.comedia,
                tuple: plain.tuple(),
                rtcp_tuple: plain.rtcp_tuple(),
            },
            TransportKind::Direct(_) => dump::KindStats::Direct {},
            TransportKind::WebRtc(w) => dump::KindStats::WebRtc {
                ice_role: "controlled",
                ice_state: w.ice_state_str(),
                ice_selected_tuple: selected_tuple,
                dtls_state: w.dtls_state.as_str(),
            },
        };
        dump::TransportStats {
            transport_id: &self.id,
            timestamp: now_ms,
            counters,
            sctp_state: self
                .sctp_parameters
                .as_ref()
                .map(|_| self.sctp.as_ref().map_or("new", |s| s.state().as_str())),
            available_outgoing_bitrate: self.bwe.as_ref().map(|b| b.available_bitrate()),
            // With transport-cc the sender estimates (mediasoup reports 0).
            available_incoming_bitrate: self.tcc_server.map(|_| {
                self.remb_server
                    .as_ref()
                    .map_or(0, |r| r.available_bitrate())
            }),
            rtp_packet_loss_received: self.tcc_server.map(|t| match (&self.kind, t) {
                (TransportKind::WebRtc(w), crate::bwe::BweType::TransportCc) => w.tcc.packet_loss(),
                _ => 0.0,
            }),
            rtp_packet_loss_sent: self.bwe.as_ref().map(|b| b.packet_loss()),
            max_incoming_bitrate: self.max_incoming_bitrate,
            max_outgoing_bitrate: self.max_outgoing_bitrate,
            min_outgoing_bitrate: self.min_outgoing_bitrate,
            kind,
        }
    }
}
