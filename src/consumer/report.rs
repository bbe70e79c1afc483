//! What a consumer reports to JS: its dump and layer payloads, as
//! mediasoup's JS shapes them.

use serde::Serialize;

use super::Layers;
use crate::rtp_parameters::{EncodingWire, RtpParametersWire};
use crate::rtp_stream::report::StreamDump;

/// mediasoup's ConsumerDump (the layer fields for simulcast and SVC
/// consumers only).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsumerDump<'a> {
    pub(super) id: &'a str,
    pub(super) producer_id: &'a str,
    pub(super) kind: &'static str,
    #[serde(rename = "type")]
    pub(super) consumer_type: &'static str,
    pub(super) rtp_parameters: &'a RtpParametersWire,
    pub(super) consumable_rtp_encodings: &'a [EncodingWire],
    pub(super) supported_codec_payload_types: Vec<u8>,
    pub(super) trace_event_types: &'a [String],
    pub(super) paused: bool,
    pub(super) producer_paused: bool,
    pub(super) priority: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) rtp_stream: Option<StreamDump<'a>>,
    /// Pipe consumers: one per encoding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) rtp_streams: Option<Vec<StreamDump<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) preferred_spatial_layer: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) target_spatial_layer: Option<u8>,
    /// -1 before the first layer is sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) current_spatial_layer: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) preferred_temporal_layer: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) target_temporal_layer: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) current_temporal_layer: Option<i32>,
}

/// `{ spatialLayer, temporalLayer }` (layers events, preferred layers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LayersJson {
    spatial_layer: u8,
    temporal_layer: u8,
}

impl From<Layers> for LayersJson {
    fn from(layers: Layers) -> Self {
        LayersJson {
            spatial_layer: layers.spatial,
            temporal_layer: layers.temporal,
        }
    }
}

/// The answer to `setPreferredLayers()` of a layered consumer.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PreferredLayersReply {
    pub(super) preferred_layers: LayersJson,
}

/// A consumer's score (the `score` event and the consume answer).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsumerScore {
    pub score: u8,
    pub producer_score: u8,
    pub producer_scores: Vec<u8>,
}

/// The answer to `transport.consume`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsumeReply {
    pub paused: bool,
    pub producer_paused: bool,
    pub score: ConsumerScore,
    pub preferred_layers: Option<LayersJson>,
}
