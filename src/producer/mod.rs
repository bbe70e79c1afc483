//! A Producer: one incoming media source on a transport. It finds which of
//! its encodings a packet belongs to (SSRC, RTX SSRC, RID), keeps receive
//! statistics, detects key frames, maps payload type and SSRC to the
//! router's, and tells the router what to forward.

pub mod forward;
mod report;
pub mod store;
mod stream;

pub use report::{ProducerDump, StreamScore, VideoOrientation};

use crate::channel::Outbox;
use crate::error::{Error, Result};
use crate::ids::{RouterKey, TransportKey};
use crate::rtp::codecs::{self, Codec as PayloadCodec};
use crate::rtp::RtpPacketRef;
use crate::rtp_parameters::wire::js_number;
use crate::rtp_parameters::{uri, MediaKind, RtpParameters, RtpParametersWire};
use crate::rtp_stream::recv::RtxPacketInfo;
use crate::rtp_stream::report::StreamStats;
use crate::rtp_stream::{KeyFrameRequest, KeyFrameRequestManager, PacketInfo};
use crate::trace::{Direction, RtpInfo, TraceEvent, NO_INFO};
use forward::{ExtKind, MappedHeader, PacketLayout, EXT_KINDS};
use serde::{Deserialize, Serialize};
pub use stream::ProducerStream;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProducerType {
    Simple,
    Simulcast,
    Svc,
}

impl ProducerType {
    pub fn as_str(self) -> &'static str {
        match self {
            ProducerType::Simple => "simple",
            ProducerType::Simulcast => "simulcast",
            ProducerType::Svc => "svc",
        }
    }
}

/// mediasoup's rules for which codecs allow simulcast / SVC.
fn producer_type(params: &RtpParameters) -> Result<ProducerType> {
    let encoding = &params.encodings[0];
    let mime = params
        .codec(encoding.codec_payload_type)
        .map(|c| c.mime_type.to_ascii_lowercase())
        .unwrap_or_default();
    let simulcast_ok = matches!(mime.as_str(), "video/vp8" | "video/h264");
    // mediasoup 3.27: any of these may carry SVC/temporal layers in one stream.
    let svc_ok = matches!(
        mime.as_str(),
        "video/vp8" | "video/vp9" | "video/h264" | "video/av1"
    );
    let ty = if params.encodings.len() > 1 {
        ProducerType::Simulcast
    } else if encoding.spatial_layers > 1 || encoding.temporal_layers > 1 {
        if svc_ok {
            ProducerType::Svc
        } else if simulcast_ok {
            ProducerType::Simulcast
        } else {
            return Err(Error::type_error("invalid RTP parameters"));
        }
    } else {
        ProducerType::Simple
    };
    let valid = match ty {
        ProducerType::Simple => true,
        ProducerType::Simulcast => simulcast_ok,
        ProducerType::Svc => svc_ok,
    };
    if !valid {
        return Err(Error::type_error(format!(
            "{mime} codec not supported for {}",
            ty.as_str()
        )));
    }
    Ok(ty)
}

/// Trace event types a producer can emit.
pub const TRACE_TYPES: [&str; 6] = ["rtp", "keyframe", "nack", "pli", "fir", "sr"];

pub struct Producer {
    pub id: String,
    pub transport: TransportKey,
    pub router: RouterKey,
    pub kind: MediaKind,
    pub producer_type: ProducerType,
    pub params: RtpParameters,
    pub rtp_mapping: RtpMappingWire,
    pub paused: bool,
    pub key_frame_request_delay: u32,
    /// Router payload type per producer payload type (0xff = unknown).
    mapped_payload_type: [u8; 128],
    /// Router SSRC per encoding.
    mapped_ssrcs: Vec<u32>,
    pub streams: Vec<ProducerStream>,
    /// Producer-side ids of the extensions carried to consumers.
    ext_ids: [Option<u8>; EXT_KINDS],
    pub mid_id: Option<u8>,
    pub rid_id: Option<u8>,
    pub rrid_id: Option<u8>,
    pub trace_types: Vec<String>,
    video_orientation: Option<(bool, bool, u16)>,
    pub layout: PacketLayout,
    key_frames: KeyFrameRequestManager,
    /// RTCP this producer wants sent to its sender after the last call
    /// (taken by the worker).
    pub feedback: Feedback,
}

/// RTCP feedback to send to the producer's sender.
#[derive(Default)]
pub struct Feedback {
    /// Stream whose NACK list (`recv.nack_items()`) must be sent.
    pub nack_stream: Option<usize>,
    pub key_frames: [Option<KeyFrameRequest>; 4],
    pub score_changed: bool,
}

impl Feedback {
    pub fn is_pending(&self) -> bool {
        self.nack_stream.is_some() || self.key_frames[0].is_some() || self.score_changed
    }

    fn push_key_frame(&mut self, request: KeyFrameRequest) {
        if let Some(slot) = self.key_frames.iter_mut().find(|s| s.is_none()) {
            *slot = Some(request);
        }
    }
}

/// What the router needs to forward one received packet.
pub struct Received {
    pub stream: usize,
    pub encoding: usize,
    pub header: MappedHeader,
    /// RTX: the original packet starts 2 bytes later in the payload.
    pub is_rtx: bool,
}

/// `transport.produce` as parsed at the boundary.
#[derive(Debug, Clone, PartialEq)]
pub struct ProduceOptions {
    pub producer_id: String,
    pub kind: MediaKind,
    pub params: RtpParameters,
    pub producer_type: ProducerType,
    /// The mapping as given (dumps show it).
    pub rtp_mapping: RtpMappingWire,
    /// Payload type received -> payload type forwarded (0xff: none).
    pub mapped_payload_type: [u8; 128],
    /// Per encoding, the SSRC its stream is forwarded with.
    pub mapped_ssrcs: Vec<u32>,
    pub key_frame_request_delay: u32,
    pub paused: bool,
}

/// `rtpMapping` of a `transport.produce` body: how the producer's payload
/// types and streams map onto the router's.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct RtpMappingWire {
    #[serde(default)]
    pub codecs: Vec<CodecMappingWire>,
    #[serde(default)]
    pub encodings: Vec<EncodingMappingWire>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CodecMappingWire {
    pub payload_type: Option<u64>,
    pub mapped_payload_type: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EncodingMappingWire {
    #[serde(
        default,
        deserialize_with = "js_number::opt_u32",
        skip_serializing_if = "Option::is_none"
    )]
    pub ssrc: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rid: Option<String>,
    pub mapped_ssrc: Option<u32>,
}

/// A `transport.produce` body as the JS layer sends it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProduceBody {
    producer_id: Option<String>,
    kind: Option<String>,
    rtp_parameters: Option<RtpParametersWire>,
    #[serde(default)]
    rtp_mapping: RtpMappingWire,
    #[serde(default)]
    paused: bool,
    #[serde(default, deserialize_with = "js_number::opt_u32")]
    key_frame_request_delay: Option<u32>,
}

impl ProduceOptions {
    /// Validates a deserialized `transport.produce` body.
    pub fn from_body(body: ProduceBody) -> Result<Self> {
        let producer_id = body
            .producer_id
            .ok_or_else(|| Error::type_error("missing producerId"))?;
        let kind = MediaKind::parse(body.kind.as_deref())?;
        let params = RtpParameters::from_wire(
            body.rtp_parameters
                .ok_or_else(|| Error::type_error("missing rtpParameters"))?,
        )?;
        let producer_type = producer_type(&params)?;
        let mapping = body.rtp_mapping;
        let mut mapped_payload_type = [0xffu8; 128];
        for codec in &mapping.codecs {
            match (codec.payload_type, codec.mapped_payload_type) {
                (Some(pt), Some(mapped)) if pt < 128 && mapped < 128 => {
                    mapped_payload_type[pt as usize] = mapped as u8
                }
                _ => return Err(Error::type_error("wrong entry in rtpMapping.codecs")),
            }
        }
        if mapping.encodings.len() != params.encodings.len() {
            return Err(Error::type_error(
                "rtpParameters.encodings size does not match rtpMapping.encodings size",
            ));
        }
        let mut mapped_ssrcs = Vec::with_capacity(mapping.encodings.len());
        for e in &mapping.encodings {
            let identified = e.ssrc.is_some() || e.rid.is_some();
            if mapping.encodings.len() > 1 && !identified {
                return Err(Error::type_error(
                    "wrong entry in rtpMapping.encodings (missing ssrc or rid)",
                ));
            }
            if params.mid.is_none() && mapping.encodings.len() == 1 && !identified {
                return Err(Error::type_error(
                    "wrong entry in rtpMapping.encodings (missing ssrc or rid, or rtpParameters.mid)",
                ));
            }
            let mapped = e.mapped_ssrc.ok_or_else(|| {
                Error::type_error("wrong entry in rtpMapping.encodings (missing mappedSsrc)")
            })?;
            mapped_ssrcs.push(mapped);
        }
        let key_frame_request_delay = body.key_frame_request_delay.unwrap_or(0);
        Ok(ProduceOptions {
            producer_id,
            kind,
            params,
            producer_type,
            rtp_mapping: mapping,
            mapped_payload_type,
            mapped_ssrcs,
            key_frame_request_delay,
            paused: body.paused,
        })
    }
}

impl Producer {
    /// A producer of `transport` for a parsed `transport.produce` request.
    pub fn new(transport: TransportKey, router: RouterKey, options: ProduceOptions) -> Self {
        let ProduceOptions {
            producer_id: id,
            kind,
            params,
            producer_type,
            rtp_mapping,
            mapped_payload_type,
            mapped_ssrcs,
            key_frame_request_delay,
            paused,
        } = options;
        let mut ext_ids = [None; EXT_KINDS];
        for kind in ExtKind::ALL {
            ext_ids[kind as usize] = params.extension_id(kind.uri());
        }
        Producer {
            id,
            transport,
            router,
            kind,
            producer_type,
            mid_id: params.extension_id(uri::MID),
            rid_id: params.extension_id(uri::RID),
            rrid_id: params.extension_id(uri::RRID),
            params,
            rtp_mapping,
            paused,
            key_frame_request_delay,
            mapped_payload_type,
            mapped_ssrcs,
            streams: Vec::new(),
            ext_ids,
            trace_types: Vec::new(),
            video_orientation: None,
            layout: PacketLayout::default(),
            key_frames: KeyFrameRequestManager::new(key_frame_request_delay as u64),
            feedback: Feedback::default(),
        }
    }

    /// mediasoup's ProducerDump.
    pub fn dump(&self) -> ProducerDump<'_> {
        ProducerDump {
            id: &self.id,
            kind: self.kind.as_str(),
            producer_type: self.producer_type.as_str(),
            rtp_parameters: &self.params.wire,
            rtp_mapping: &self.rtp_mapping,
            rtp_streams: self.streams.iter().map(ProducerStream::dump).collect(),
            trace_event_types: &self.trace_types,
            paused: self.paused,
        }
    }

    /// One entry per stream (mediasoup's RtpStreamRecvStats).
    pub fn stats(&mut self, now_ms: u64) -> Vec<StreamStats<'_>> {
        self.streams.iter_mut().map(|s| s.stats(now_ms)).collect()
    }

    /// A stored packet of `stream` as the router forwarded it (bytes, parts
    /// and mapped header), to rebuild a consumer's retransmission.
    pub fn stored(&self, stream: usize, seq: u16) -> Option<(&[u8], PacketLayout, MappedHeader)> {
        let s = self.streams.get(stream)?;
        let bytes = s.store.as_ref()?.get(seq)?;
        let packet = RtpPacketRef::parse(bytes, bytes.len()).ok()?;
        let mapped_pt = *self
            .mapped_payload_type
            .get(packet.payload_type() as usize)?;
        let mut layout = PacketLayout {
            csrc: 12..12 + packet.csrc_count() as usize * 4,
            payload: packet.header_len()..packet.header_len() + packet.payload_len(),
            ..PacketLayout::default()
        };
        for kind in ExtKind::ALL {
            layout.ext[kind as usize] = self.ext_ids[kind as usize]
                .and_then(|id| packet.extension(id))
                .map(|v| {
                    let start = v.as_ptr() as usize - bytes.as_ptr() as usize;
                    start..start + v.len()
                });
        }
        let header = MappedHeader {
            marker: packet.marker(),
            payload_type: mapped_pt,
            seq,
            timestamp: packet.timestamp(),
            ssrc: s.mapped_ssrc,
            ..MappedHeader::default()
        };
        Some((bytes, layout, header))
    }

    /// The stream of encoding `encoding`, if it has started.
    pub fn stream_of_encoding(&mut self, encoding: usize) -> Option<&mut ProducerStream> {
        self.streams.iter_mut().find(|s| s.encoding_idx == encoding)
    }

    /// Per encoding: whether its stream is receiving media (started and not
    /// found inactive), which simulcast consumers choose layers from.
    pub fn active_encodings(&self, out: &mut [bool]) {
        out.iter_mut().for_each(|a| *a = false);
        for s in &self.streams {
            if let Some(a) = out.get_mut(s.encoding_idx) {
                *a = !s.recv.is_inactive();
            }
        }
    }

    /// Score per encoding (0 for encodings with no stream yet), as
    /// consumers report `producerScores`.
    pub fn encoding_scores(&self) -> Vec<u8> {
        (0..self.params.encodings.len())
            .map(|i| {
                self.streams
                    .iter()
                    .find(|s| s.encoding_idx == i)
                    .map(|s| s.recv.score())
                    .unwrap_or(0)
            })
            .collect()
    }

    /// `[{encodingIdx, ssrc, rid?, score}]` as the `score` event carries.
    pub fn scores(&self) -> Vec<StreamScore<'_>> {
        self.streams.iter().map(ProducerStream::score).collect()
    }

    /// Finds (or creates) the stream of a packet. Returns (stream, is_rtx).
    fn find_stream(&mut self, packet: &RtpPacketRef, now_ms: u64) -> Option<(usize, bool)> {
        let ssrc = packet.ssrc();
        if let Some(i) = self.streams.iter().position(|s| s.ssrc == ssrc) {
            return Some((i, false));
        }
        if let Some(i) = self.streams.iter().position(|s| s.rtx_ssrc() == Some(ssrc)) {
            return Some((i, true));
        }
        let pt = packet.payload_type();
        let single = self.params.encodings.len() == 1;
        // An encoding whose media or RTX SSRC matches, then one whose RID
        // matches, then (single encoding without SSRC) any SSRC.
        for (idx, encoding) in self.params.encodings.iter().enumerate() {
            let media_pt = encoding.codec_payload_type;
            let rtx_pt = self.params.rtx_codec_for(media_pt).map(|c| c.payload_type);
            if pt == media_pt && encoding.ssrc == Some(ssrc) {
                return Some((self.create_stream(idx, ssrc, now_ms), false));
            }
            if Some(pt) == rtx_pt && encoding.rtx_ssrc == Some(ssrc) {
                let media_ssrc = encoding.ssrc?;
                let i = self.streams.iter().position(|s| s.ssrc == media_ssrc)?;
                self.streams[i].recv.set_rtx(pt, ssrc);
                return Some((i, true));
            }
        }
        let rid = self
            .rid_id
            .and_then(|id| packet.extension(id))
            .or_else(|| self.rrid_id.and_then(|id| packet.extension(id)))
            .and_then(crate::rtp::ext::read_rid);
        if let Some(rid) = rid {
            let idx = self
                .params
                .encodings
                .iter()
                .position(|e| e.rid.as_deref() == Some(rid))?;
            let media_pt = self.params.encodings[idx].codec_payload_type;
            let rtx_pt = self.params.rtx_codec_for(media_pt).map(|c| c.payload_type);
            if pt == media_pt {
                if self.streams.iter().any(|s| s.encoding_idx == idx) {
                    return None;
                }
                return Some((self.create_stream(idx, ssrc, now_ms), false));
            }
            if Some(pt) == rtx_pt {
                let i = self.streams.iter().position(|s| s.encoding_idx == idx)?;
                if self.streams[i].rtx_ssrc().is_some() {
                    return None;
                }
                self.streams[i].recv.set_rtx(pt, ssrc);
                return Some((i, true));
            }
            return None;
        }
        if single
            && self.params.encodings[0].ssrc.is_none()
            && self.params.encodings[0].rid.is_none()
        {
            let media_pt = self.params.encodings[0].codec_payload_type;
            if pt == media_pt && self.streams.is_empty() {
                return Some((self.create_stream(0, ssrc, now_ms), false));
            }
        }
        None
    }

    fn create_stream(&mut self, encoding_idx: usize, ssrc: u32, now_ms: u64) -> usize {
        let encoding = &self.params.encodings[encoding_idx];
        let codec = self
            .params
            .codec(encoding.codec_payload_type)
            .cloned()
            .expect("encodings point to media codecs (validated)");
        let stream = ProducerStream::new(
            encoding_idx,
            ssrc,
            self.mapped_ssrcs[encoding_idx],
            &codec,
            encoding,
            self.params.cname.as_deref().unwrap_or(""),
            self.params.encodings.len() > 1,
            now_ms,
        );
        self.streams.push(stream);
        // mediasoup emits the first score event as soon as a stream exists.
        self.feedback.score_changed = true;
        // The first packets may be lost: ask for a key frame right away.
        if self.kind == MediaKind::Video && !self.paused {
            self.request_key_frame(encoding_idx, now_ms);
        }
        self.streams.len() - 1
    }

    /// Handles one received RTP packet. Returns what to forward (unless
    /// paused), or why not: `Err(Some(is_rtx))` when it reached one of the
    /// producer's streams (media or retransmission, counted by the
    /// transport as mediasoup does) but is not forwarded (a duplicate,
    /// padding, invalid), `Err(None)` when it belongs to no stream.
    pub fn receive(
        &mut self,
        packet: &RtpPacketRef,
        now_ms: u64,
        outbox: &mut Outbox,
    ) -> std::result::Result<Received, Option<bool>> {
        let (stream_idx, is_rtx) = self.find_stream(packet, now_ms).ok_or(None)?;
        let dropped = Err(Some(is_rtx));
        let payload_offset = packet.header_len();
        let payload_end = payload_offset + packet.payload_len();
        let (seq, media_pt, payload_start) = if is_rtx {
            // RFC 4588: the original sequence number leads the payload.
            let payload = packet.payload();
            if payload.len() < 2 {
                return dropped;
            }
            let osn = u16::from_be_bytes([payload[0], payload[1]]);
            let media_pt =
                self.params.encodings[self.streams[stream_idx].encoding_idx].codec_payload_type;
            (osn, media_pt, payload_offset + 2)
        } else {
            (
                packet.sequence_number(),
                packet.payload_type(),
                payload_offset,
            )
        };
        let Some(&mapped_pt) = self.mapped_payload_type.get(media_pt as usize) else {
            return dropped;
        };
        if mapped_pt == 0xff {
            return dropped;
        }
        let bytes = packet.data();
        let payload = &bytes[payload_start..payload_end];
        let stream = &mut self.streams[stream_idx];
        let video = self.kind == MediaKind::Video;
        let mut is_keyframe = video && codecs::is_keyframe(stream.payload_codec, payload);
        let (mut spatial_layer, mut temporal_layer) = if video {
            codecs::layers(stream.payload_codec, payload)
        } else {
            (0, 0)
        };
        // AV1 and H264 layers come from the Dependency Descriptor (as in
        // mediasoup; VP8 and VP9 read their payload descriptors).
        let mut dd = None;
        if video && matches!(stream.payload_codec, PayloadCodec::Av1 | PayloadCodec::H264) {
            let ext = self.ext_ids[ExtKind::DependencyDescriptor as usize]
                .and_then(|id| packet.extension(id));
            if let Some(Ok(d)) = ext.map(|e| stream.dd.read(e, seq)) {
                let mut frame = d.frame();
                frame.key_frame |= is_keyframe;
                is_keyframe = frame.key_frame;
                spatial_layer = frame.spatial;
                temporal_layer = frame.temporal;
                dd = Some(frame);
            }
        }
        let info = PacketInfo {
            seq,
            timestamp: packet.timestamp(),
            ssrc: stream.ssrc,
            payload_type: media_pt,
            marker: packet.marker(),
            size: bytes.len(),
            payload_len: payload.len(),
            is_keyframe,
            spatial_layer,
            temporal_layer,
        };
        let outcome = if is_rtx {
            let rtx = RtxPacketInfo {
                seq: packet.sequence_number(),
                timestamp: packet.timestamp(),
                payload_type: packet.payload_type(),
            };
            stream.recv.receive_rtx_packet(&rtx, Some(&info), now_ms)
        } else {
            stream.recv.receive_packet(&info, now_ms)
        };
        if outcome.nack_items > 0 {
            self.feedback.nack_stream = Some(stream_idx);
        }
        if let Some(request) = outcome.key_frame_request {
            self.feedback.push_key_frame(request);
        }
        if outcome.score_change.is_some() {
            self.feedback.score_changed = true;
        }
        if !outcome.accepted {
            return dropped;
        }
        if is_keyframe {
            self.key_frames.key_frame_received(stream.ssrc);
        }
        if let (Some(store), false) = (&mut stream.store, is_rtx) {
            store.store(seq, bytes);
        }
        // Carried extensions, located once for all consumers.
        self.layout.csrc = 12..12 + packet.csrc_count() as usize * 4;
        self.layout.payload = payload_start..payload_end;
        for kind in ExtKind::ALL {
            self.layout.ext[kind as usize] = self.ext_ids[kind as usize]
                .and_then(|id| packet.extension(id))
                .map(|v| {
                    let start = v.as_ptr() as usize - bytes.as_ptr() as usize;
                    start..start + v.len()
                });
        }
        self.check_video_orientation(packet, outbox);
        if self.trace_types.iter().any(|t| t == "rtp") {
            self.trace(outbox, "rtp", now_ms, RtpInfo { is_rtx });
        }
        if is_keyframe && self.trace_types.iter().any(|t| t == "keyframe") {
            self.trace(outbox, "keyframe", now_ms, NO_INFO);
        }
        // A paused producer's packets are received (and counted) but not
        // forwarded: the caller checks `paused`.
        let stream = &self.streams[stream_idx];
        Ok(Received {
            stream: stream_idx,
            encoding: stream.encoding_idx,
            is_rtx,
            header: MappedHeader {
                marker: packet.marker(),
                payload_type: mapped_pt,
                seq,
                timestamp: packet.timestamp(),
                ssrc: stream.mapped_ssrc,
                is_keyframe,
                spatial_layer: if self.producer_type == ProducerType::Simulcast {
                    stream.encoding_idx as u8
                } else {
                    spatial_layer
                },
                temporal_layer,
                dd,
            },
        })
    }

    fn check_video_orientation(&mut self, packet: &RtpPacketRef, outbox: &mut Outbox) {
        let Some(id) = self.ext_ids[ExtKind::VideoOrientation as usize] else {
            return;
        };
        let Some(orientation) = packet
            .extension(id)
            .and_then(crate::rtp::ext::read_video_orientation)
        else {
            return;
        };
        if self.video_orientation != Some(orientation) {
            self.video_orientation = Some(orientation);
            let (camera, flip, rotation) = orientation;
            outbox.notification(
                &self.id,
                "producer.videoorientationchange",
                VideoOrientation {
                    camera,
                    flip,
                    rotation,
                },
            );
        }
    }

    /// A `trace` event: `nack`, `pli` and `fir` are what the SFU sends to
    /// the producer's endpoint (direction `out`, as mediasoup), the rest
    /// what it receives.
    pub fn trace<I: Serialize>(&self, outbox: &mut Outbox, kind: &str, now_ms: u64, info: I) {
        let direction = match kind {
            "nack" | "pli" | "fir" => Direction::Out,
            _ => Direction::In,
        };
        outbox.notification(
            &self.id,
            "producer.trace",
            TraceEvent {
                kind,
                timestamp: now_ms,
                direction,
                info,
            },
        );
    }

    pub fn set_trace_types(&mut self, requested: &[String]) {
        self.trace_types = crate::trace::known_types(requested, &TRACE_TYPES);
    }

    pub fn payload_codec_of(&self, stream: usize) -> PayloadCodec {
        self.streams[stream].payload_codec
    }

    /// A consumer needs a key frame of encoding `encoding`: coalesced per
    /// SSRC (and delayed by `keyFrameRequestDelay`) before a PLI/FIR goes out.
    pub fn request_key_frame(&mut self, encoding: usize, now_ms: u64) {
        let Some(s) = self.streams.iter_mut().find(|s| s.encoding_idx == encoding) else {
            return;
        };
        if self.key_frames.key_frame_needed(s.ssrc, now_ms) {
            if let Some(request) = s.recv.request_key_frame() {
                self.feedback.push_key_frame(request);
            }
        }
    }

    /// When `handle_timeout` must run next: the earliest timer of its
    /// streams and of its key frame requests (worker clock, ms).
    pub fn poll_timeout(&self) -> Option<u64> {
        let streams = self.streams.iter().filter_map(|s| s.recv.poll_timeout());
        streams.chain(self.key_frames.poll_timeout()).min()
    }

    /// Timers of the streams (NACK retries, inactivity, scores) and of key
    /// frame requests; what they produce lands in `feedback`.
    pub fn handle_timeout(&mut self, now_ms: u64) {
        let streams = &mut self.streams;
        let feedback = &mut self.feedback;
        self.key_frames.handle_timeout(now_ms, |ssrc| {
            if let Some(s) = streams.iter_mut().find(|s| s.ssrc == ssrc) {
                if let Some(request) = s.recv.request_key_frame() {
                    feedback.push_key_frame(request);
                }
            }
        });
        for (i, s) in self.streams.iter_mut().enumerate() {
            if s.recv.poll_timeout().is_some_and(|t| t <= now_ms) {
                let outcome = s.recv.handle_timeout(now_ms);
                if outcome.nack_items > 0 && self.feedback.nack_stream.is_none() {
                    self.feedback.nack_stream = Some(i);
                }
                if outcome.score_change.is_some() {
                    self.feedback.score_changed = true;
                }
            }
        }
    }

    pub fn set_paused(&mut self, paused: bool, now_ms: u64) {
        self.paused = paused;
        for s in &mut self.streams {
            if paused {
                s.recv.pause();
            } else {
                s.recv.resume(now_ms);
            }
        }
    }
}
