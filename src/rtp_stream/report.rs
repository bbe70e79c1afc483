//! What RTP streams report to JS, as typed shapes: mediasoup's
//! RtpStreamDump (in the two shapes its JS produces) and its
//! RtpStream{Recv,Send}Stats.

use serde::{Serialize, Serializer};

use super::rtx::RtxStreamParams;
use super::{RtpStreamParams, StreamCounters};
use crate::json_out::Field;

/// How mediasoup's JS decodes a stream dump: consumer dumps read tables
/// (absent optional values left out), producer dumps use the flatbuffers
/// object API (`unpack()`: every key present, `rid` maybe empty, absent
/// RTX values `null`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DumpShape {
    Table,
    Unpacked,
}

impl DumpShape {
    fn optional<T>(self, value: Option<T>) -> Field<T> {
        match self {
            DumpShape::Table => Field::omit_none(value),
            DumpShape::Unpacked => Field::null_none(value),
        }
    }

    /// A string that is empty when unset.
    fn text(self, value: &str) -> Field<&str> {
        match self {
            DumpShape::Table if value.is_empty() => Field::Absent,
            _ => Field::Set(value),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ParamsDump<'a> {
    encoding_idx: usize,
    ssrc: u32,
    payload_type: u8,
    mime_type: &'a str,
    clock_rate: u32,
    #[serde(skip_serializing_if = "Field::is_absent")]
    rid: Field<&'a str>,
    cname: &'a str,
    #[serde(skip_serializing_if = "Field::is_absent")]
    rtx_ssrc: Field<u32>,
    #[serde(skip_serializing_if = "Field::is_absent")]
    rtx_payload_type: Field<u8>,
    use_nack: bool,
    use_pli: bool,
    use_fir: bool,
    use_in_band_fec: bool,
    use_dtx: bool,
    spatial_layers: u8,
    temporal_layers: u8,
}

impl RtpStreamParams {
    pub fn dump(&self, shape: DumpShape) -> ParamsDump<'_> {
        let rtx = (self.rtx_ssrc != 0).then_some((self.rtx_ssrc, self.rtx_payload_type));
        ParamsDump {
            encoding_idx: self.encoding_idx,
            ssrc: self.ssrc,
            payload_type: self.payload_type,
            mime_type: &self.mime_type,
            clock_rate: self.clock_rate,
            rid: shape.text(&self.rid),
            cname: &self.cname,
            rtx_ssrc: shape.optional(rtx.map(|r| r.0)),
            rtx_payload_type: shape.optional(rtx.map(|r| r.1)),
            use_nack: self.use_nack,
            use_pli: self.use_pli,
            use_fir: self.use_fir,
            use_in_band_fec: self.use_in_band_fec,
            use_dtx: self.use_dtx,
            spatial_layers: self.spatial_layers,
            temporal_layers: self.temporal_layers,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RtxParamsDump<'a> {
    ssrc: u32,
    payload_type: u8,
    mime_type: &'a str,
    clock_rate: u32,
    #[serde(skip_serializing_if = "Field::is_absent")]
    rrid: Field<&'a str>,
    cname: &'a str,
}

/// mediasoup's RtxStreamDump: `{ params }`.
#[derive(Serialize)]
pub struct RtxStreamDump<'a> {
    params: RtxParamsDump<'a>,
}

impl RtxStreamParams {
    pub fn dump(&self, shape: DumpShape) -> RtxStreamDump<'_> {
        RtxStreamDump {
            params: RtxParamsDump {
                ssrc: self.ssrc,
                payload_type: self.payload_type,
                mime_type: &self.mime_type,
                clock_rate: self.clock_rate,
                rrid: shape.text(&self.rrid),
                cname: &self.cname,
            },
        }
    }
}

/// mediasoup's RtpStreamDump.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StreamDump<'a> {
    pub(super) params: ParamsDump<'a>,
    pub(super) score: u8,
    #[serde(skip_serializing_if = "Field::is_absent")]
    pub(super) rtx_stream: Field<RtxStreamDump<'a>>,
}

/// A stream's stats (mediasoup's RtpStreamRecvStats / RtpStreamSendStats),
/// in the key order mediasoup's JS builds them.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StreamStats<'a> {
    timestamp: u64,
    ssrc: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    rtx_ssrc: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rid: Option<&'a str>,
    kind: &'static str,
    mime_type: &'a str,
    packets_lost: i32,
    fraction_lost: u8,
    jitter: u32,
    packets_discarded: u64,
    packets_retransmitted: u64,
    packets_repaired: u64,
    nack_count: u64,
    nack_packet_count: u64,
    pli_count: u64,
    fir_count: u64,
    /// A float32 on the wire in mediasoup: written with its precision.
    round_trip_time: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    rtx_packets_discarded: Option<u64>,
    score: u8,
    #[serde(rename = "type")]
    direction: &'static str,
    byte_count: u64,
    packet_count: u64,
    bitrate: u32,
    /// Receive streams only.
    #[serde(skip_serializing_if = "Option::is_none")]
    bitrate_by_layer: Option<LayerBitrates>,
}

/// What one stream contributes to its stats besides the shared part.
pub(crate) struct Traffic {
    pub direction: &'static str,
    pub byte_count: u64,
    pub packet_count: u64,
    pub bitrate: u32,
    pub bitrate_by_layer: Option<LayerBitrates>,
}

/// The shared part of a stream's stats.
pub(crate) struct StatsBase<'a> {
    pub now_ms: u64,
    pub params: &'a RtpStreamParams,
    pub counters: &'a StreamCounters,
    pub jitter: u32,
    pub rtt_ms: f32,
    pub rtx_packets_discarded: u64,
    pub score: u8,
}

impl<'a> StatsBase<'a> {
    pub fn with(self, traffic: Traffic) -> StreamStats<'a> {
        let (params, counters) = (self.params, self.counters);
        StreamStats {
            timestamp: self.now_ms,
            ssrc: params.ssrc,
            rtx_ssrc: (params.rtx_ssrc != 0).then_some(params.rtx_ssrc),
            rid: (!params.rid.is_empty()).then_some(params.rid.as_str()),
            kind: params.kind().as_str(),
            mime_type: &params.mime_type,
            packets_lost: counters.packets_lost,
            fraction_lost: counters.fraction_lost,
            jitter: self.jitter,
            packets_discarded: counters.packets_discarded,
            packets_retransmitted: counters.packets_retransmitted,
            packets_repaired: counters.packets_repaired,
            nack_count: counters.nack_count,
            nack_packet_count: counters.nack_packet_count,
            pli_count: counters.pli_count,
            fir_count: counters.fir_count,
            round_trip_time: f64::from(self.rtt_ms.max(0.0)),
            rtx_packets_discarded: (self.rtx_packets_discarded > 0)
                .then_some(self.rtx_packets_discarded),
            score: self.score,
            direction: traffic.direction,
            byte_count: traffic.byte_count,
            packet_count: traffic.packet_count,
            bitrate: traffic.bitrate,
            bitrate_by_layer: traffic.bitrate_by_layer,
        }
    }
}

/// Bitrate per `"spatial.temporal"` layer, in layer order.
#[derive(Debug, Default)]
pub struct LayerBitrates(pub Vec<((u8, u8), u32)>);

impl Serialize for LayerBitrates {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for ((spatial, temporal), bitrate) in &self.0 {
            map.serialize_entry(&format_args!("{spatial}.{temporal}"), bitrate)?;
        }
        map.end()
    }
}
