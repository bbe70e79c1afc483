//! What a producer reports to JS: its dump, its `score` event entries and
//! its `videoorientationchange` payload, as mediasoup's JS shapes them.

use serde::Serialize;

use super::RtpMappingWire;
use crate::rtp_parameters::RtpParametersWire;
use crate::rtp_stream::report::StreamDump;

/// mediasoup's ProducerDump.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProducerDump<'a> {
    pub(super) id: &'a str,
    pub(super) kind: &'static str,
    #[serde(rename = "type")]
    pub(super) producer_type: &'static str,
    pub(super) rtp_parameters: &'a RtpParametersWire,
    pub(super) rtp_mapping: &'a RtpMappingWire,
    pub(super) rtp_streams: Vec<StreamDump<'a>>,
    pub(super) trace_event_types: &'a [String],
    pub(super) paused: bool,
}

/// One entry of a producer's `score` event.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StreamScore<'a> {
    pub(super) encoding_idx: usize,
    pub(super) ssrc: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) rid: Option<&'a str>,
    pub(super) score: u8,
}

/// `videoorientationchange` (from the CVO header extension).
#[derive(Serialize)]
pub struct VideoOrientation {
    pub(super) camera: bool,
    pub(super) flip: bool,
    pub(super) rotation: u16,
}
