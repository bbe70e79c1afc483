//! A Consumer: one producer's media sent out through a transport. Simple
//! consumers forward the producer's single stream; simulcast and SVC
//! consumers pick the spatial layer to forward (switching on key frames).
//! Output sequence numbers stay continuous across pauses, drops and
//! switches; the payload is the producer's, copied once per consumer.

mod report;
mod stream;
pub mod writer;

use crate::channel::Outbox;
use crate::error::{Error, Result};
use crate::ids::{ProducerKey, TransportKey};
use crate::json_in::Js;
use crate::producer::forward::{ExtKind, Forwarded, EXT_KINDS};
use crate::rtp::codecs::parse_vp8;
use crate::rtp_parameters::{uri, EncodingWire, MediaKind, RtpParameters, RtpParametersWire};
use crate::rtp_stream::seq::{is_seq_higher_than, is_seq_higher_than_in};
use crate::rtp_stream::PacketInfo;
use crate::rtp_stream::SeqManager;
use crate::scalability::ScalabilityMode;
use crate::trace::{Direction, TraceEvent, NO_INFO};
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
    /// VP8 PictureID / TL0PICIDX offsets the packet was sent with.
    vp8: Vp8Offsets,
    resent_at_ms: u64,
}

/// 15-bit VP8 PictureID space.
const PICTURE_ID_MAX: u16 = 0x7fff;

/// What a simulcast VP8 consumer adds to the PictureID and TL0PICIDX of the
/// stream it forwards.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
struct Vp8Offsets {
    picture_id: u16,
    tl0_pic_idx: u8,
}

impl Vp8Offsets {
    /// Rewrites the descriptor of `payload` (2-byte PictureIDs only: what
    /// browsers send) in place; returns the written (PictureID, TL0PICIDX).
    fn apply(self, payload: &mut [u8]) -> (Option<u16>, Option<u8>) {
        let Some(d) = parse_vp8(payload) else {
            return (None, None);
        };
        let picture_id = d
            .picture_id
            .filter(|_| d.two_byte_picture_id)
            .map(|p| p.wrapping_add(self.picture_id) & PICTURE_ID_MAX)
            .filter(|p| d.write_picture_id(payload, *p));
        let tl0 = d
            .tl0_pic_idx
            .map(|t| t.wrapping_add(self.tl0_pic_idx))
            .filter(|t| d.write_tl0_pic_idx(payload, *t));
        (picture_id, tl0)
    }
}

/// Simulcast VP8: every encoding numbers its frames (PictureID) and base
/// layer frames (TL0PICIDX) on its own (Chromium: from a random start, and
/// an encoding it paused resumes behind the others). Forwarded as they are,
/// a switch makes both jump, and when they jump back a receiver's
/// reference finder (libwebrtc keeps state per TL0PICIDX, which the
/// switch's key frame does not reset for the indexes after its own) drops
/// the frames that follow the key frame: the video freezes for seconds. As
/// mediasoup's VP8 `EncodingContext`, the consumer shifts both so the key
/// frame that starts a stream continues where the last one ended.
#[derive(Default)]
struct Vp8Continuity {
    offsets: Vp8Offsets,
    /// Highest PictureID / TL0PICIDX sent.
    last_picture_id: Option<u16>,
    last_tl0_pic_idx: Option<u8>,
}

impl Vp8Continuity {
    /// On the key frame that (re)starts forwarding: its values follow the
    /// last ones sent.
    fn sync(&mut self, payload: &[u8]) {
        let Some(d) = parse_vp8(payload) else {
            return;
        };
        if let (Some(last), Some(p), true) =
            (self.last_picture_id, d.picture_id, d.two_byte_picture_id)
        {
            self.offsets.picture_id = last.wrapping_add(1).wrapping_sub(p) & PICTURE_ID_MAX;
        }
        if let (Some(last), Some(t)) = (self.last_tl0_pic_idx, d.tl0_pic_idx) {
            self.offsets.tl0_pic_idx = last.wrapping_add(1).wrapping_sub(t);
        }
    }

    /// Rewrites a forwarded packet's payload and remembers the values sent.
    fn rewrite(&mut self, payload: &mut [u8]) {
        let (picture_id, tl0) = self.offsets.apply(payload);
        if let Some(p) = picture_id {
            if self
                .last_picture_id
                .is_none_or(|last| is_seq_higher_than_in(p, last, PICTURE_ID_MAX))
            {
                self.last_picture_id = Some(p);
            }
        }
        if let Some(t) = tl0 {
            if self
                .last_tl0_pic_idx
                .is_none_or(|last| is_seq_higher_than(t, last))
            {
                self.last_tl0_pic_idx = Some(t);
            }
        }
    }
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
    /// Spatial layers the producer offers and the preferred/current ones.
    max_layers: Layers,
    pub preferred_layers: Option<Layers>,
    pub current_layers: Option<Layers>,
    target_spatial: u8,
    /// `current_layers` changed since the worker last reported it.
    layers_changed: bool,
    /// Simulcast VP8 consumers: PictureID / TL0PICIDX continuity.
    vp8: Option<Vp8Continuity>,
    /// Highest layers the transport's estimated bitrate allows (None: no
    /// estimate, the preferred layers rule).
    bitrate_cap: Option<Layers>,
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
        let mode = ScalabilityMode::parse(
            consumable_encodings
                .first()
                .and_then(|e| e.scalability_mode.as_deref()),
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
            paused,
            ignore_dtx,
        } = options;
        let mut ext_ids = [None; EXT_KINDS];
        for k in ExtKind::ALL {
            ext_ids[k as usize] = params.extension_id(k.uri());
        }
        let vp8 = (consumer_type == ConsumerType::Simulcast
            && media_codec.mime_type.eq_ignore_ascii_case("video/vp8"))
        .then(Vp8Continuity::default);
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
        Consumer {
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
            target_spatial: preferred_layers.map(|l| l.spatial).unwrap_or(0),
            preferred_layers,
            current_layers: None,
            layers_changed: false,
            vp8,
            bitrate_cap: None,
        }
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
        let current = |layer: fn(Layers) -> u8| {
            layered.then(|| self.current_layers.map_or(-1, |l| i32::from(layer(l))))
        };
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
            target_spatial_layer: layered.then_some(self.target_spatial),
            current_spatial_layer: current(|l| l.spatial),
            preferred_temporal_layer: preferred.map(|l| l.temporal),
            target_temporal_layer: preferred.map(|l| l.temporal),
            current_temporal_layer: current(|l| l.temporal),
        }
    }

    /// `setPreferredLayers()`: the request's layers, or why they did not
    /// parse (only layered consumers look at them, as in mediasoup).
    pub fn set_preferred_layers(
        &mut self,
        requested: Result<RequestedLayers>,
    ) -> Result<Option<PreferredLayersReply>> {
        if !matches!(
            self.consumer_type,
            ConsumerType::Simulcast | ConsumerType::Svc
        ) {
            return Ok(None);
        }
        let layers = requested?.clamp(self.max_layers);
        self.preferred_layers = Some(layers);
        if layers.spatial != self.target_spatial {
            self.target_spatial = layers.spatial;
            // A simulcast consumer switches at the new stream's key frame
            // (see `forward`) and goes on with its current one until then.
            if self.consumer_type == ConsumerType::Svc {
                self.request_sync();
            }
        }
        Ok(Some(PreferredLayersReply {
            preferred_layers: layers.json(),
        }))
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
        let layered = matches!(self.consumer_type, ConsumerType::Simulcast);
        if !self
            .params
            .codecs
            .iter()
            .any(|c| c.payload_type == h.payload_type)
        {
            return ForwardResult::Skip;
        }
        if layered {
            // As mediasoup: the stream being sent goes on until the target
            // stream's key frame arrives, which switches to it (so a switch
            // does not freeze the receiver while it waits for that key
            // frame); other streams are not forwarded.
            let current = self.current_layers.map(|l| l.spatial);
            if h.spatial_layer == self.target_spatial && current != Some(h.spatial_layer) {
                if !h.is_keyframe {
                    return ForwardResult::SkipNeedKeyFrame;
                }
                self.lanes[lane_idx].sync_required = true;
            } else if current != Some(h.spatial_layer) {
                return ForwardResult::Skip;
            }
        }
        if self.lanes[lane_idx].sync_required {
            if self.kind == MediaKind::Video && !h.is_keyframe {
                return ForwardResult::SkipNeedKeyFrame;
            }
            self.lanes[lane_idx].seq.sync(h.seq.wrapping_sub(1));
            if layered {
                self.align_timestamps(fwd);
                if let Some(vp8) = &mut self.vp8 {
                    vp8.sync(fwd.payload());
                }
                let layers = Some(Layers {
                    spatial: h.spatial_layer,
                    temporal: self.preferred_layers.map(|l| l.temporal).unwrap_or(0),
                });
                if layers != self.current_layers {
                    self.current_layers = layers;
                    self.layers_changed = true;
                }
            }
            self.lanes[lane_idx].sync_required = false;
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
        let header = OutHeader {
            marker: h.marker,
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
        let payload_at = len - fwd.payload().len();
        let vp8 = match &mut self.vp8 {
            Some(vp8) => {
                vp8.rewrite(&mut out[payload_at..len]);
                vp8.offsets
            }
            None => Vp8Offsets::default(),
        };
        self.lanes[lane_idx].sent[out_seq as usize % SENT_RING] = SentEntry {
            tag: out_seq as u32 + 1,
            input_seq: h.seq,
            stream: stream as u8,
            timestamp,
            vp8,
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
                marker: h.marker,
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
        let header = OutHeader {
            marker: fwd.header.marker,
            payload_type: fwd.header.payload_type,
            seq: out_seq,
            timestamp,
            ssrc: self.lanes.get(lane)?.ssrc,
        };
        let (len, abs, twcc) = self.write(fwd, &header, mid_scratch, out)?;
        let lane = &mut self.lanes[lane];
        // The VP8 descriptor as it was first sent (`nacked` found the entry).
        let entry = lane.sent[out_seq as usize % SENT_RING];
        if self.vp8.is_some() && entry.tag == out_seq as u32 + 1 {
            entry.vp8.apply(&mut out[len - fwd.payload().len()..len]);
        }
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

    /// Simulcast: targets the best active encoding up to the preferred one
    /// (or the lowest active one above it if none is). True when the target
    /// changed: the consumer switches at a key frame of the new stream (to
    /// be asked for), forwarding the current one until then.
    pub fn choose_target(&mut self, active: &[bool]) -> bool {
        let mut preferred = self.preferred_layers.unwrap_or(self.max_layers).spatial as usize;
        if let Some(cap) = self.bitrate_cap {
            preferred = preferred.min(usize::from(cap.spatial));
        }
        let best = (0..=preferred.min(active.len().saturating_sub(1)))
            .rev()
            .find(|i| active[*i])
            .or_else(|| (preferred + 1..active.len()).find(|i| active[*i]));
        match best {
            Some(target) if target as u8 != self.target_spatial => {
                self.target_spatial = target as u8;
                true
            }
            _ => false,
        }
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
mod tests {
    use super::*;

    /// VP8 descriptor with a 2-byte PictureID, TL0PICIDX and TID, then a
    /// VP8 payload header byte (P = 0: key frame).
    fn vp8(picture_id: u16, tl0: u8, key: bool) -> Vec<u8> {
        vec![
            0x90,
            0xe0,
            0x80 | (picture_id >> 8) as u8,
            picture_id as u8,
            tl0,
            0x00,
            if key { 0x00 } else { 0x01 },
        ]
    }

    fn ids(payload: &[u8]) -> (u16, u8) {
        let d = parse_vp8(payload).unwrap();
        (d.picture_id.unwrap(), d.tl0_pic_idx.unwrap())
    }

    #[test]
    fn vp8_ids_continue_across_a_stream_switch() {
        let mut c = Vp8Continuity::default();
        // First stream: forwarded unchanged.
        for (pid, tl0) in [(0x7ffe, 254), (0x7fff, 255), (0, 0)] {
            let mut p = vp8(pid, tl0, pid == 0x7ffe);
            if pid == 0x7ffe {
                c.sync(&p);
            }
            c.rewrite(&mut p);
            assert_eq!(ids(&p), (pid, tl0));
        }
        // Switch to a stream whose values are behind: its key frame follows
        // the last ones sent, and its next frames follow that.
        let mut key = vp8(100, 7, true);
        c.sync(&key);
        c.rewrite(&mut key);
        assert_eq!(ids(&key), (1, 1));
        let mut next = vp8(101, 8, false);
        c.rewrite(&mut next);
        assert_eq!(ids(&next), (2, 2));
        // A reordered older packet does not move the "last" values back.
        let mut old = vp8(100, 7, false);
        c.rewrite(&mut old);
        assert_eq!(ids(&old), (1, 1));
        assert_eq!((c.last_picture_id, c.last_tl0_pic_idx), (Some(2), Some(2)));
        // Retransmissions re-apply the offsets the packet was sent with.
        let offsets = c.offsets;
        let mut resent = vp8(101, 8, false);
        offsets.apply(&mut resent);
        assert_eq!(ids(&resent), (2, 2));
        // One-byte PictureIDs are left alone (TL0PICIDX still shifted).
        let mut short = vec![0x90, 0xc0, 0x05, 9, 0x01];
        c.rewrite(&mut short);
        let d = parse_vp8(&short).unwrap();
        assert_eq!((d.picture_id, d.tl0_pic_idx), (Some(5), Some(3)));
    }
}

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
