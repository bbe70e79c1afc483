//! A Consumer: one producer's media sent out through a transport. Simple
//! consumers forward the producer's single stream; simulcast consumers pick
//! the stream to forward (switching on key frames), and simulcast and SVC
//! consumers drop, packet by packet, the layers above their target
//! (`layers.rs`).
//! Output sequence numbers stay continuous across pauses, drops and
//! switches; the payload is the producer's, copied once per consumer.

mod layers;
mod report;
mod stream;
pub mod writer;

use crate::channel::Outbox;
use crate::error::{Error, Result};
use crate::ids::{ProducerKey, TransportKey};
use crate::json_in::Js;
use crate::producer::forward::{ExtKind, Forwarded, EXT_KINDS};
use crate::rtp::codecs::codec_from_mime;
use crate::rtp_parameters::{uri, EncodingWire, MediaKind, RtpParameters, RtpParametersWire};
use crate::rtp_stream::PacketInfo;
use crate::rtp_stream::SeqManager;
use crate::scalability::ScalabilityMode;
use crate::trace::{Direction, TraceEvent, NO_INFO};
use layers::{EncodingContext, Processed, Vp8Ids};
pub use report::{ConsumeReply, ConsumerDump, ConsumerScore, LayersJson, PreferredLayersReply};
use serde::{Deserialize, Serialize};
pub use stream::ConsumerStream;
use writer::{write_packet, ExtList, ExtOffsets, OutHeader, MAX_EXTENSIONS};

/// How many sent packets are remembered to answer NACKs.
const SENT_RING: usize = 1024;

/// A sent packet, remembered so a NACK can rebuild it from the producer's
/// stored copy (consumers keep no packet bytes of their own).
#[derive(Clone, Copy, Default)]
struct SentEntry {
    /// Output sequence number + 1 (0 = empty).
    tag: u32,
    input_seq: u16,
    stream: u8,
    timestamp: u32,
    /// The marker bit it was sent with (an SVC consumer sets it on the end
    /// of the last spatial layer it forwards).
    marker: bool,
    /// VP8 PictureID / TL0PICIDX it was sent with.
    vp8: Vp8Ids,
    resent_at_ms: u64,
}

/// One stream a consumer sends: its SSRC (and RTX), continuous sequence
/// numbers, what was sent (for NACKs) and its send-side statistics. A pipe
/// consumer has one per encoding of its producer, each sent as is.
pub struct Lane {
    pub ssrc: u32,
    /// (payload type, SSRC) of RTX, when negotiated.
    pub rtx: Option<(u8, u32)>,
    seq: SeqManager<u16>,
    /// Restart on the next (key frame) packet: sequence numbers resync.
    sync_required: bool,
    pub stream: ConsumerStream,
    sent: Box<[SentEntry]>,
    rtx_seq: u16,
}

/// Trace event types a consumer can emit.
pub const TRACE_TYPES: [&str; 5] = ["rtp", "keyframe", "nack", "pli", "fir"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsumerType {
    Simple,
    Simulcast,
    Svc,
    Pipe,
}

impl ConsumerType {
    pub fn parse(s: Option<&str>) -> Result<Self> {
        match s {
            Some("simple") => Ok(ConsumerType::Simple),
            Some("simulcast") => Ok(ConsumerType::Simulcast),
            Some("svc") => Ok(ConsumerType::Svc),
            Some("pipe") => Ok(ConsumerType::Pipe),
            _ => Err(Error::type_error("invalid consumer type")),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            ConsumerType::Simple => "simple",
            ConsumerType::Simulcast => "simulcast",
            ConsumerType::Svc => "svc",
            ConsumerType::Pipe => "pipe",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layers {
    pub spatial: u8,
    pub temporal: u8,
}

impl Layers {
    pub fn json(self) -> LayersJson {
        self.into()
    }
}

/// A packet a consumer wrote: its length, what the send stream records, and
/// where the per-transport extension values go.
pub struct Sent {
    pub len: usize,
    /// The lane it went out on.
    pub lane: usize,
    pub info: PacketInfo,
    pub abs_send_time_at: Option<usize>,
    pub transport_wide_seq_at: Option<usize>,
}

/// What the consumer decided for one forwarded packet.
pub enum ForwardResult {
    /// Packet written into the output buffer.
    Send(Sent),
    /// Not forwarded.
    Skip,
    /// Not forwarded, and a key frame is needed from the producer.
    SkipNeedKeyFrame,
}

pub struct Consumer {
    pub id: String,
    pub producer: ProducerKey,
    pub transport: TransportKey,
    pub kind: MediaKind,
    pub consumer_type: ConsumerType,
    pub params: RtpParameters,
    pub consumable_encodings: Vec<EncodingWire>,
    pub paused: bool,
    pub producer_paused: bool,
    pub priority: u8,
    pub trace_types: Vec<String>,
    pub ignore_dtx: bool,
    /// What it sends: one stream, or (pipe) one per producer encoding.
    pub lanes: Vec<Lane>,
    mid: Option<String>,
    mid_id: Option<u8>,
    pub abs_send_time_id: Option<u8>,
    pub transport_wide_cc_id: Option<u8>,
    ext_ids: [Option<u8>; EXT_KINDS],
    /// Whether the consumer's transport can send (PlainTransport with a
    /// remote, WebRtcTransport with ICE and DTLS up), as the media path last
    /// saw it. mediasoup's `transportConnected`: an unconnected consumer is
    /// inactive, and connecting restarts it on a key frame.
    transport_connected: bool,
    /// Timestamp offset applied after a simulcast stream switch.
    ts_offset: u32,
    last_timestamp: Option<u32>,
    /// Sender report mapping of the stream currently forwarded.
    current_sr: Option<(u64, u32)>,
    /// Layers the producer offers and the preferred ones.
    max_layers: Layers,
    pub preferred_layers: Option<Layers>,
    /// What the consumer aims at: the simulcast stream (spatial) or the
    /// highest SVC spatial layer, and the highest temporal layer.
    target_spatial: u8,
    target_temporal: u8,
    /// Simulcast and SVC consumers: per-packet layer selection and what is
    /// being sent (`current_layers`).
    layers: Option<EncodingContext>,
    /// `current_layers()` changed since the worker last reported it.
    layers_changed: bool,
    /// Highest layers the transport's estimated bitrate allows (None: no
    /// estimate, the preferred layers rule).
    bitrate_cap: Option<Layers>,
    /// Until when no spatial upgrade above the current layer is allowed,
    /// after the allocation took one away (damping, as mediasoup's).
    pub bwe_upgrade_hold_until_ms: Option<u64>,
}

/// `transport.consume` as parsed at the boundary.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsumeOptions {
    pub consumer_id: String,
    pub producer_id: String,
    pub kind: MediaKind,
    pub consumer_type: ConsumerType,
    pub params: RtpParameters,
    /// The producer's encodings as given (dumps show them).
    pub consumable_encodings: Vec<EncodingWire>,
    /// The streams it sends: one, or (pipe consumers) one per encoding.
    pub lanes: Vec<LaneOptions>,
    pub media_codec: crate::rtp_parameters::Codec,
    /// The highest layers the producer offers.
    pub max_layers: Layers,
    /// Preferred layers (simulcast and SVC), clamped to `max_layers`.
    pub preferred_layers: Option<Layers>,
    /// K-SVC (`..._KEY` scalability mode).
    pub ksvc: bool,
    pub paused: bool,
    pub ignore_dtx: bool,
}

/// One outgoing stream of a consumer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LaneOptions {
    pub ssrc: u32,
    /// (payload type, SSRC) of RTX, when negotiated.
    pub rtx: Option<(u8, u32)>,
}

/// A `transport.consume` body as the JS layer sends it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsumeBody {
    consumer_id: Option<String>,
    producer_id: Option<String>,
    kind: Option<String>,
    #[serde(rename = "type")]
    consumer_type: Option<String>,
    rtp_parameters: Option<RtpParametersWire>,
    consumable_rtp_encodings: Option<Vec<EncodingWire>>,
    #[serde(default)]
    paused: bool,
    /// Validated below with mediasoup's messages (an app's object).
    #[serde(default)]
    preferred_layers: Js<LayersBody>,
    #[serde(default)]
    ignore_dtx: bool,
}

impl ConsumeOptions {
    /// Validates a deserialized `transport.consume` body.
    pub fn from_body(body: ConsumeBody) -> Result<Self> {
        let consumer_id = body
            .consumer_id
            .ok_or_else(|| Error::type_error("missing consumerId"))?;
        let producer_id = body
            .producer_id
            .ok_or_else(|| Error::type_error("missing producerId"))?;
        let kind = MediaKind::parse(body.kind.as_deref())?;
        let consumer_type = ConsumerType::parse(body.consumer_type.as_deref())?;
        let params = RtpParameters::from_wire(
            body.rtp_parameters
                .ok_or_else(|| Error::type_error("missing rtpParameters"))?,
        )?;
        let consumable_encodings = body
            .consumable_rtp_encodings
            .ok_or_else(|| Error::type_error("missing consumableRtpEncodings"))?;
        let encoding = params.encodings[0].clone();
        let media_codec = params
            .codec(encoding.codec_payload_type)
            .cloned()
            .ok_or_else(|| Error::type_error("no media codec"))?;
        let rtx_pt = params
            .rtx_codec_for(media_codec.payload_type)
            .map(|c| c.payload_type);
        // A pipe consumer sends every encoding of the producer with its own
        // SSRC; the others send one stream.
        let sent_encodings = match consumer_type {
            ConsumerType::Pipe => params.encodings.len(),
            _ => 1,
        };
        let lanes = params.encodings[..sent_encodings]
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let ssrc = e
                    .ssrc
                    .ok_or_else(|| Error::type_error(format!("missing encodings[{i}].ssrc")))?;
                let rtx = rtx_pt.and_then(|pt| e.rtx_ssrc.map(|s| (pt, s)));
                Ok(LaneOptions { ssrc, rtx })
            })
            .collect::<Result<Vec<_>>>()?;
        // Layers the producer offers: encodings for simulcast, the
        // scalability mode for SVC.
        // As mediasoup's ORTC: the first encoding that has a mode.
        let mode = ScalabilityMode::parse(
            consumable_encodings
                .iter()
                .find_map(|e| e.scalability_mode.as_deref()),
        );
        let temporal = mode.temporal_layers;
        let spatial = match consumer_type {
            ConsumerType::Simulcast => consumable_encodings.len().min(255) as u8,
            _ => mode.spatial_layers,
        };
        let max_layers = Layers {
            spatial: spatial.max(1) - 1,
            temporal: temporal.max(1) - 1,
        };
        let layered = matches!(consumer_type, ConsumerType::Simulcast | ConsumerType::Svc);
        let preferred_layers = if layered {
            Some(match body.preferred_layers.get() {
                Some(p) => RequestedLayers::from_body(p)?.clamp(max_layers),
                None => max_layers,
            })
        } else {
            None
        };
        Ok(ConsumeOptions {
            consumer_id,
            producer_id,
            kind,
            consumer_type,
            params,
            consumable_encodings,
            lanes,
            media_codec,
            max_layers,
            preferred_layers,
            ksvc: mode.ksvc,
            paused: body.paused,
            ignore_dtx: body.ignore_dtx,
        })
    }
}

impl Consumer {
    /// Builds a consumer from the `transport.consume` request.
    pub fn new(
        producer: ProducerKey,
        transport: TransportKey,
        options: ConsumeOptions,
        producer_paused: bool,
        now_ms: u64,
    ) -> Self {
        let ConsumeOptions {
            consumer_id: id,
            producer_id: _,
            kind,
            consumer_type,
            params,
            consumable_encodings,
            lanes,
            media_codec,
            max_layers,
            preferred_layers,
            ksvc,
            paused,
            ignore_dtx,
        } = options;
        let mut ext_ids = [None; EXT_KINDS];
        for k in ExtKind::ALL {
            ext_ids[k as usize] = params.extension_id(k.uri());
        }
        let codec = codec_from_mime(&media_codec.mime_type);
        let layers = match consumer_type {
            ConsumerType::Simulcast => Some(EncodingContext::new(
                codec,
                1,
                max_layers.temporal + 1,
                false,
            )),
            ConsumerType::Svc => Some(EncodingContext::new(
                codec,
                max_layers.spatial + 1,
                max_layers.temporal + 1,
                ksvc,
            )),
            ConsumerType::Simple | ConsumerType::Pipe => None,
        };
        // A pipe lane carries one encoding (its spatial layer).
        let spatial_layers = match consumer_type {
            ConsumerType::Pipe => 1,
            _ => max_layers.spatial + 1,
        };
        let lanes = lanes
            .into_iter()
            .map(|lane| Lane {
                ssrc: lane.ssrc,
                rtx: lane.rtx,
                seq: SeqManager::new(0),
                // A pipe forwards from the first packet, with the producer's
                // sequence numbers (mediasoup's pipe consumers too); it
                // resyncs on a key frame after a pause or a reconnection.
                sync_required: consumer_type != ConsumerType::Pipe,
                stream: ConsumerStream::new(
                    lane.ssrc,
                    lane.rtx,
                    &media_codec,
                    params.cname.as_deref().unwrap_or(""),
                    spatial_layers,
                    max_layers.temporal + 1,
                    now_ms,
                ),
                sent: vec![SentEntry::default(); SENT_RING].into_boxed_slice(),
                rtx_seq: rand::random(),
            })
            .collect();
        let mut consumer = Consumer {
            id,
            producer,
            transport,
            kind,
            consumer_type,
            mid: params.mid.clone(),
            mid_id: params.extension_id(uri::MID),
            abs_send_time_id: params.extension_id(uri::ABS_SEND_TIME),
            transport_wide_cc_id: params.extension_id(uri::TRANSPORT_WIDE_CC),
            params,
            consumable_encodings,
            paused,
            producer_paused,
            priority: 1,
            trace_types: Vec::new(),
            ignore_dtx,
            ext_ids,
            lanes,
            // Assumed until the media path sees the transport (the worker
            // asks for a key frame on consume for active video consumers).
            transport_connected: true,
            ts_offset: 0,
            last_timestamp: None,
            current_sr: None,
            max_layers,
            preferred_layers,
            target_spatial: 0,
            target_temporal: 0,
            layers,
            layers_changed: false,
            bitrate_cap: None,
            bwe_upgrade_hold_until_ms: None,
        };
        if let Some(preferred) = preferred_layers {
            consumer.set_target_layers(preferred);
        }
        consumer
    }

    pub fn is_active(&self) -> bool {
        self.transport_connected && !self.paused && !self.producer_paused
    }

    /// Follows the connection state of the consumer's transport. Returns
    /// true when it just got connected: the consumer restarts on a key frame
    /// (mediasoup's `TransportConnected()`), so nothing forwarded while
    /// nothing could be sent leaves the remote decoder without a reference.
    pub fn set_transport_connected(&mut self, connected: bool) -> bool {
        if self.transport_connected == connected {
            return false;
        }
        self.transport_connected = connected;
        if connected {
            self.request_sync();
        }
        connected
    }

    /// Payload types this consumer sends (its media codecs).
    pub fn supported_payload_types(&self) -> Vec<u8> {
        self.params
            .codecs
            .iter()
            .filter(|c| c.is_media())
            .map(|c| c.payload_type)
            .collect()
    }

    /// mediasoup's ConsumerDump (`producer_id`: its producer's id).
    pub fn dump<'a>(&'a self, producer_id: &'a str) -> ConsumerDump<'a> {
        let layered = matches!(
            self.consumer_type,
            ConsumerType::Simulcast | ConsumerType::Svc
        );
        let preferred = layered.then(|| self.preferred_layers.unwrap_or(self.max_layers));
        let target = self.target_layers();
        let current = self
            .layers
            .as_ref()
            .map(|ctx| (ctx.current_spatial(), ctx.current_temporal()));
        ConsumerDump {
            id: &self.id,
            producer_id,
            kind: self.kind.as_str(),
            consumer_type: self.consumer_type.as_str(),
            rtp_parameters: &self.params.wire,
            consumable_rtp_encodings: &self.consumable_encodings,
            supported_codec_payload_types: self.supported_payload_types(),
            trace_event_types: &self.trace_types,
            paused: self.paused,
            producer_paused: self.producer_paused,
            priority: self.priority,
            rtp_stream: (self.consumer_type != ConsumerType::Pipe)
                .then(|| self.lanes[0].stream.dump()),
            rtp_streams: (self.consumer_type == ConsumerType::Pipe)
                .then(|| self.lanes.iter().map(|l| l.stream.dump()).collect()),
            preferred_spatial_layer: preferred.map(|l| l.spatial),
            target_spatial_layer: target.map(|l| l.spatial),
            current_spatial_layer: current.map(|(s, _)| i32::from(s)),
            preferred_temporal_layer: preferred.map(|l| l.temporal),
            target_temporal_layer: target.map(|l| l.temporal),
            current_temporal_layer: current.map(|(_, t)| i32::from(t)),
        }
    }

    /// `setPreferredLayers()`: the request's layers, or why they did not
    /// parse (only layered consumers look at them, as in mediasoup). With
    /// the reply comes whether a key frame is needed (the target spatial
    /// layer is not the one being sent).
    pub fn set_preferred_layers(
        &mut self,
        requested: Result<RequestedLayers>,
    ) -> Result<Option<(PreferredLayersReply, bool)>> {
        if self.layers.is_none() {
            return Ok(None);
        }
        let layers = requested?.clamp(self.max_layers);
        self.preferred_layers = Some(layers);
        // A simulcast consumer aims at the preferred stream (the worker's
        // next look at the active streams may correct that, see
        // `choose_target`) and switches at its key frame, forwarding the
        // current one until then; an SVC consumer at the preferred layers.
        let key_frame = match self.consumer_type {
            ConsumerType::Svc => self.choose_target(&[]),
            _ => self.set_target_layers(layers),
        };
        Ok(Some((
            PreferredLayersReply {
                preferred_layers: layers.json(),
            },
            key_frame,
        )))
    }

    /// The layers the consumer aims at (simulcast and SVC consumers).
    pub fn target_layers(&self) -> Option<Layers> {
        self.layers.as_ref().map(|_| Layers {
            spatial: self.target_spatial,
            temporal: self.target_temporal,
        })
    }

    /// The layers being sent: the spatial layer (simulcast: the stream) and
    /// the highest temporal layer of the last packets forwarded. None before
    /// anything was sent.
    pub fn current_layers(&self) -> Option<Layers> {
        let ctx = self.layers.as_ref()?;
        Some(Layers {
            spatial: u8::try_from(ctx.current_spatial()).ok()?,
            temporal: u8::try_from(ctx.current_temporal()).unwrap_or(0),
        })
    }

    /// Sets the layers to forward (clamped to what the producer offers), as
    /// mediasoup's `UpdateTargetLayers()`; for the bandwidth allocator and
    /// the preferred layers. Simulcast: `spatial` picks the stream (switched
    /// to at its next key frame; a new temporal target applies now if it is
    /// the stream being sent, else from the switch). SVC: spatial layers
    /// above `spatial` and temporal layers above `temporal` are dropped,
    /// moving at the codec's switching points. Returns true when a key frame
    /// should be asked for: the target spatial layer changed to one not
    /// being sent (K-SVC: any change; full SVC: upward only).
    pub fn set_target_layers(&mut self, target: Layers) -> bool {
        let target = Layers {
            spatial: target.spatial.min(self.max_layers.spatial),
            temporal: target.temporal.min(self.max_layers.temporal),
        };
        let Some(ctx) = &mut self.layers else {
            return false;
        };
        let changed = target.spatial != self.target_spatial
            || target.temporal != self.target_temporal
            || ctx.target_spatial() < 0;
        self.target_spatial = target.spatial;
        self.target_temporal = target.temporal;
        let spatial = i16::from(target.spatial);
        let current = ctx.current_spatial();
        match self.consumer_type {
            ConsumerType::Svc => {
                ctx.set_target_spatial(target.spatial);
                ctx.set_target_temporal(target.temporal);
                changed && spatial != current && (ctx.is_ksvc() || spatial > current)
            }
            _ => {
                ctx.set_target_spatial(target.spatial);
                if spatial == current {
                    ctx.set_target_temporal(target.temporal);
                }
                changed && spatial != current
            }
        }
    }

    /// The temporal layer to aim at on spatial layer `spatial` (mediasoup's
    /// rule): the preferred one on the preferred spatial layer, all of them
    /// below it, the lowest above it.
    fn temporal_target_for(&self, spatial: u8) -> u8 {
        let preferred = self.preferred_layers.unwrap_or(self.max_layers);
        match spatial.cmp(&preferred.spatial) {
            std::cmp::Ordering::Equal => preferred.temporal,
            std::cmp::Ordering::Less => self.max_layers.temporal,
            std::cmp::Ordering::Greater => 0,
        }
    }

    /// Called when the consumer becomes active again (resume, producer
    /// resume): video restarts on a key frame.
    pub fn request_sync(&mut self) {
        for lane in &mut self.lanes {
            lane.sync_required = true;
        }
    }

    /// The lane sending `ssrc` (media or RTX), if any.
    pub fn lane_of_ssrc(&self, ssrc: u32) -> Option<usize> {
        self.lanes
            .iter()
            .position(|l| l.ssrc == ssrc || l.rtx.is_some_and(|(_, s)| s == ssrc))
    }

    /// The producer encoding a lane carries.
    pub fn lane_encoding(&self, lane: usize) -> usize {
        match self.consumer_type {
            ConsumerType::Pipe => lane,
            _ => self.wanted_stream(),
        }
    }

    /// Decides about one packet of the producer (of its stream `stream`,
    /// which carries encoding `encoding`) and, if it goes out, writes this
    /// consumer's version into `out`.
    pub fn forward(
        &mut self,
        fwd: &Forwarded,
        stream: usize,
        encoding: usize,
        mid_scratch: &mut [u8; 16],
        out: &mut [u8],
    ) -> ForwardResult {
        if !self.is_active() {
            return ForwardResult::Skip;
        }
        // A pipe consumer sends each encoding on its own lane.
        let lane_idx = match self.consumer_type {
            ConsumerType::Pipe => encoding,
            _ => 0,
        };
        if lane_idx >= self.lanes.len() {
            return ForwardResult::Skip;
        }
        let h = fwd.header;
        if !self
            .params
            .codecs
            .iter()
            .any(|c| c.payload_type == h.payload_type)
        {
            return ForwardResult::Skip;
        }
        let simulcast = self.consumer_type == ConsumerType::Simulcast;
        if simulcast {
            // As mediasoup: the stream being sent goes on until the target
            // stream's key frame arrives, which switches to it (so a switch
            // does not freeze the receiver while it waits for that key
            // frame); other streams are not forwarded.
            let current = self.current_layers().map(|l| l.spatial);
            if h.spatial_layer == self.target_spatial && current != Some(h.spatial_layer) {
                if !h.is_keyframe {
                    return ForwardResult::SkipNeedKeyFrame;
                }
                self.lanes[lane_idx].sync_required = true;
            } else if current != Some(h.spatial_layer) {
                return ForwardResult::Skip;
            }
        }
        let sync = self.lanes[lane_idx].sync_required;
        if sync && self.kind == MediaKind::Video && !h.is_keyframe {
            return ForwardResult::SkipNeedKeyFrame;
        }
        if self.layers.is_some() && fwd.payload().is_empty() {
            // Padding only: not forwarded, and no gap left for it.
            self.lanes[lane_idx].seq.drop(h.seq);
            return ForwardResult::Skip;
        }
        if sync {
            self.lanes[lane_idx].seq.sync(h.seq.wrapping_sub(1));
            if simulcast {
                self.align_timestamps(fwd);
            }
            if let Some(ctx) = &mut self.layers {
                ctx.sync_required();
            }
            self.lanes[lane_idx].sync_required = false;
        }
        let mut processed = Processed::default();
        if self.layers.is_some() {
            let before = self.current_layers();
            let target_temporal = self.target_temporal;
            let Some(ctx) = &mut self.layers else {
                return ForwardResult::Skip;
            };
            if simulcast && sync {
                // The key frame that (re)starts a stream goes out whatever
                // its codec says; the temporal layers start from its own.
                ctx.set_current_spatial(h.spatial_layer);
                ctx.set_target_temporal(target_temporal);
                ctx.set_current_temporal(h.temporal_layer);
                processed = ctx
                    .process(fwd.payload(), fwd.header.dd.as_ref())
                    .unwrap_or_default();
            } else {
                match ctx.process(fwd.payload(), fwd.header.dd.as_ref()) {
                    Some(p) => processed = p,
                    None => {
                        // Not sent: the receiver sees no gap for it.
                        self.lanes[lane_idx].seq.drop(h.seq);
                        return ForwardResult::Skip;
                    }
                }
            }
            if self.current_layers() != before {
                self.layers_changed = true;
            }
        }
        let lane = &mut self.lanes[lane_idx];
        if self.ignore_dtx && self.kind == MediaKind::Audio && fwd.payload().len() <= 1 {
            lane.seq.drop(h.seq);
            return ForwardResult::Skip;
        }
        let Some(out_seq) = lane.seq.input(h.seq) else {
            return ForwardResult::Skip;
        };
        let ssrc = lane.ssrc;
        let timestamp = h.timestamp.wrapping_add(self.ts_offset);
        self.last_timestamp = Some(timestamp);
        self.current_sr = fwd.sr_mapping;
        let marker = h.marker || processed.marker;
        let header = OutHeader {
            marker,
            payload_type: h.payload_type,
            seq: out_seq,
            timestamp,
            ssrc,
        };
        let Some((len, abs_send_time_at, transport_wide_seq_at)) =
            self.write(fwd, &header, mid_scratch, out)
        else {
            return ForwardResult::Skip;
        };
        // The payload is the packet's tail.
        processed
            .vp8
            .apply(&mut out[len - fwd.payload().len()..len]);
        self.lanes[lane_idx].sent[out_seq as usize % SENT_RING] = SentEntry {
            tag: out_seq as u32 + 1,
            input_seq: h.seq,
            stream: stream as u8,
            timestamp,
            marker,
            vp8: processed.vp8,
            resent_at_ms: 0,
        };
        ForwardResult::Send(Sent {
            len,
            lane: lane_idx,
            info: PacketInfo {
                seq: out_seq,
                timestamp,
                ssrc,
                payload_type: h.payload_type,
                marker,
                size: len,
                payload_len: fwd.payload().len(),
                is_keyframe: h.is_keyframe,
                spatial_layer: h.spatial_layer,
                temporal_layer: h.temporal_layer,
            },
            abs_send_time_at,
            transport_wide_seq_at,
        })
    }

    /// Writes this consumer's packet for `fwd` with `header` into `out`.
    /// Writes this consumer's packet; returns its length and where the
    /// abs-send-time and transport-wide sequence values are.
    fn write(
        &self,
        fwd: &Forwarded,
        header: &OutHeader,
        mid_scratch: &mut [u8; 16],
        out: &mut [u8],
    ) -> Option<(usize, Option<usize>, Option<usize>)> {
        let mut exts = ExtList::default();
        if let (Some(id), Some(mid)) = (self.mid_id, &self.mid) {
            let n = mid.len().min(16);
            mid_scratch[..n].copy_from_slice(&mid.as_bytes()[..n]);
            exts.push(id, &mid_scratch[..n]);
        }
        // Per-transport values are written with zeros here and filled in by
        // the transport right before sending.
        let abs = self
            .abs_send_time_id
            .and_then(|id| exts.push(id, &[0, 0, 0]));
        let twcc = self
            .transport_wide_cc_id
            .and_then(|id| exts.push(id, &[0, 0]));
        for kind in ExtKind::ALL {
            if let (Some(id), Some(value)) = (self.ext_ids[kind as usize], fwd.ext(kind)) {
                exts.push(id, value);
            }
        }
        let mut offsets: ExtOffsets = [0; MAX_EXTENSIONS];
        let len = write_packet(out, header, fwd.csrc(), &exts, fwd.payload(), &mut offsets)?;
        Some((len, abs.map(|i| offsets[i]), twcc.map(|i| offsets[i])))
    }

    /// A NACK asks for `out_seq`: if it is still known and was not resent
    /// within the last RTT, returns (producer stream, input sequence number,
    /// timestamp, first resend) and marks it resent.
    pub fn nacked(
        &mut self,
        lane: usize,
        out_seq: u16,
        now_ms: u64,
        rtt_ms: u64,
    ) -> Option<(usize, u16, u32, bool)> {
        let entry = &mut self.lanes.get_mut(lane)?.sent[out_seq as usize % SENT_RING];
        if entry.tag != out_seq as u32 + 1 {
            return None;
        }
        let first = entry.resent_at_ms == 0;
        if !first && now_ms.saturating_sub(entry.resent_at_ms) <= rtt_ms {
            return None;
        }
        entry.resent_at_ms = now_ms.max(1);
        Some((
            entry.stream as usize,
            entry.input_seq,
            entry.timestamp,
            first,
        ))
    }

    /// Rebuilds the packet sent as `out_seq` from the producer's stored copy
    /// (`fwd`), RTX-encoded when RTX is negotiated. Returns (length,
    /// abs-send-time offset, transport-wide seq offset).
    pub fn write_retransmission(
        &mut self,
        lane: usize,
        fwd: &Forwarded,
        out_seq: u16,
        timestamp: u32,
        mid_scratch: &mut [u8; 16],
        out: &mut [u8],
    ) -> Option<(usize, Option<usize>, Option<usize>)> {
        let ssrc = self.lanes.get(lane)?.ssrc;
        // The packet as it was first sent (`nacked` found the entry): its
        // marker bit and VP8 descriptor values.
        let entry = self.lanes[lane].sent[out_seq as usize % SENT_RING];
        let sent = (entry.tag == out_seq as u32 + 1).then_some(entry);
        let header = OutHeader {
            marker: sent.map_or(fwd.header.marker, |e| e.marker),
            payload_type: fwd.header.payload_type,
            seq: out_seq,
            timestamp,
            ssrc,
        };
        let (len, abs, twcc) = self.write(fwd, &header, mid_scratch, out)?;
        if let Some(entry) = sent {
            entry.vp8.apply(&mut out[len - fwd.payload().len()..len]);
        }
        let lane = &mut self.lanes[lane];
        let Some((rtx_pt, rtx_ssrc)) = lane.rtx else {
            return Some((len, abs, twcc));
        };
        lane.rtx_seq = lane.rtx_seq.wrapping_add(1);
        let mut packet = crate::rtp::RtpPacket::parse(out, len).ok()?;
        // The extension block stays where it is: its offsets still hold.
        packet.rtx_encode(rtx_pt, rtx_ssrc, lane.rtx_seq).ok()?;
        Some((packet.len(), abs, twcc))
    }

    pub fn set_trace_types(&mut self, requested: &[String]) {
        self.trace_types = crate::trace::known_types(requested, &TRACE_TYPES);
    }

    /// `trace` events for a sent packet (only when enabled: they allocate).
    pub fn trace_sent(&self, is_keyframe: bool, now_ms: u64, outbox: &mut Outbox) {
        for kind in ["rtp", "keyframe"] {
            if kind == "rtp" || is_keyframe {
                self.trace(outbox, kind, now_ms, Direction::Out, NO_INFO);
            }
        }
    }

    /// A `trace` event of `kind`, if enabled.
    pub fn trace<I: Serialize>(
        &self,
        outbox: &mut Outbox,
        kind: &str,
        now_ms: u64,
        direction: Direction,
        info: I,
    ) {
        if self.trace_types.iter().any(|t| t == kind) {
            outbox.notification(
                &self.id,
                "consumer.trace",
                TraceEvent {
                    kind,
                    timestamp: now_ms,
                    direction,
                    info,
                },
            );
        }
    }

    /// Chooses the target layers from the preferred ones, capped by the
    /// bandwidth allocation (`set_bitrate_cap`). Simulcast: the best active
    /// encoding up to that (or the lowest active one above it if none is).
    /// SVC: that spatial layer (`active` is not looked at). The temporal
    /// layer is mediasoup's pick for the spatial one, within the cap. True
    /// when a key frame is needed: a simulcast consumer switches at a key
    /// frame of the new stream (to be asked for), forwarding the current one
    /// until then.
    pub fn choose_target(&mut self, active: &[bool]) -> bool {
        let mut preferred = self.preferred_layers.unwrap_or(self.max_layers).spatial;
        if let Some(cap) = self.bitrate_cap {
            preferred = preferred.min(cap.spatial);
        }
        let spatial = match self.consumer_type {
            ConsumerType::Simulcast => {
                let preferred = usize::from(preferred);
                let best = (0..=preferred.min(active.len().saturating_sub(1)))
                    .rev()
                    .find(|i| active[*i])
                    .or_else(|| (preferred + 1..active.len()).find(|i| active[*i]));
                match best.and_then(|b| u8::try_from(b).ok()) {
                    Some(spatial) => spatial,
                    None => return false,
                }
            }
            ConsumerType::Svc => preferred,
            ConsumerType::Simple | ConsumerType::Pipe => return false,
        };
        let mut temporal = self.temporal_target_for(spatial);
        if let Some(cap) = self.bitrate_cap.filter(|c| c.spatial == spatial) {
            temporal = temporal.min(cap.temporal);
        }
        self.set_target_layers(Layers { spatial, temporal })
    }

    /// The highest layers the producer offers.
    pub fn max_layers(&self) -> Layers {
        self.max_layers
    }

    /// Caps the layers to what the bandwidth allocation gave this consumer;
    /// true when that changed (targets are chosen again).
    pub fn set_bitrate_cap(&mut self, cap: Option<Layers>) -> bool {
        let changed = self.bitrate_cap != cap;
        self.bitrate_cap = cap;
        changed
    }

    /// On a switch to another simulcast stream: maps its timestamps onto the
    /// old stream's timeline through both streams' sender reports (their RTP
    /// timestamps start at unrelated random values), and keeps them moving
    /// forward in any case.
    fn align_timestamps(&mut self, fwd: &Forwarded) {
        let ts = fwd.header.timestamp;
        if let (Some((old_ntp, old_rtp)), Some((new_ntp, new_rtp))) =
            (self.current_sr, fwd.sr_mapping)
        {
            // The new packet's timestamp expressed in the old stream's base.
            let elapsed_ms = new_ntp as i64 - old_ntp as i64;
            let elapsed_ticks = elapsed_ms * fwd.clock_rate as i64 / 1000;
            let in_old_base = old_rtp
                .wrapping_add(elapsed_ticks as u32)
                .wrapping_add(ts.wrapping_sub(new_rtp));
            // `ts_offset` maps the old stream to the output; extend it.
            self.ts_offset = self.ts_offset.wrapping_add(in_old_base.wrapping_sub(ts));
        }
        if let Some(last) = self.last_timestamp {
            let proposed = ts.wrapping_add(self.ts_offset);
            if (proposed.wrapping_sub(last) as i32) <= 0 {
                self.ts_offset = last.wrapping_add(1).wrapping_sub(ts);
            }
        }
    }

    /// Whether `current_layers` changed since the last call (for the
    /// `layerschange` event).
    pub fn take_layers_changed(&mut self) -> bool {
        std::mem::take(&mut self.layers_changed)
    }

    /// The producer encoding this consumer wants key frames from.
    pub fn wanted_stream(&self) -> usize {
        match self.consumer_type {
            ConsumerType::Simulcast => self.target_spatial as usize,
            _ => 0,
        }
    }
}

/// `{ spatialLayer, temporalLayer }` as an app gives them.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct LayersBody {
    spatial_layer: Js<f64>,
    temporal_layer: Js<f64>,
}

/// Layers asked for in `consume()` or `setPreferredLayers()`, before they
/// are clamped to what the producer offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestedLayers {
    pub spatial: u64,
    /// None: the highest available.
    pub temporal: Option<u64>,
}

impl RequestedLayers {
    /// `{spatialLayer, temporalLayer?}` (numbers >= 0, truncated).
    pub fn from_body(body: &LayersBody) -> Result<Self> {
        let spatial = body
            .spatial_layer
            .copied()
            .filter(|v| *v >= 0.0)
            .ok_or_else(|| Error::type_error("missing spatialLayer"))?;
        let temporal = match &body.temporal_layer {
            Js::Absent | Js::Null => None,
            v => Some(
                v.copied()
                    .filter(|v| *v >= 0.0)
                    .ok_or_else(|| Error::type_error("invalid temporalLayer"))?
                    as u64,
            ),
        };
        Ok(RequestedLayers {
            spatial: spatial as u64,
            temporal,
        })
    }

    pub fn clamp(self, max: Layers) -> Layers {
        Layers {
            spatial: self.spatial.min(max.spatial as u64) as u8,
            temporal: self
                .temporal
                .unwrap_or(max.temporal as u64)
                .min(max.temporal as u64) as u8,
        }
    }
}

#[cfg(test)]
mod tests_layers;

#[cfg(test)]
mod requested_layers_tests {
    use super::*;
    use serde_json::json;

    fn parse(value: &serde_json::Value) -> Result<RequestedLayers> {
        RequestedLayers::from_body(&crate::json_in::body(&value.to_string()))
    }

    #[test]
    fn requested_layers_parse_like_mediasoup_and_clamp_to_the_offer() {
        let max = Layers {
            spatial: 2,
            temporal: 2,
        };
        let l = parse(&json!({"spatialLayer": 5.7})).unwrap();
        assert_eq!(
            l.clamp(max),
            Layers {
                spatial: 2,
                temporal: 2
            }
        );
        let l = parse(&json!({"spatialLayer": 0, "temporalLayer": 1})).unwrap();
        assert_eq!(
            l.clamp(max),
            Layers {
                spatial: 0,
                temporal: 1
            }
        );
        for bad in [
            json!({}),
            json!({"spatialLayer": -1}),
            json!({"spatialLayer": "1"}),
            json!({"spatialLayer": 1, "temporalLayer": -2}),
        ] {
            let e = parse(&bad).unwrap_err();
            assert_eq!(e.kind, crate::error::ErrorKind::TypeError, "{bad}");
        }
    }
}
