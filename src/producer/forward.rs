//! A received RTP packet as the router hands it to consumers: the bytes as
//! they arrived (after SRTP), where the parts are, and the header values the
//! producer mapped to the router's (payload type, SSRC, extension kinds).
//! Consumers build their own outgoing header from this; nothing is copied
//! until a consumer writes its packet.

use crate::rtp::codecs::DdFrame;
use std::ops::Range;

/// Header extensions carried from producers to consumers, by meaning.
/// (MID, RID, abs-send-time and transport-wide-cc are per transport and are
/// written by the sending side, not carried.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtKind {
    AudioLevel = 0,
    VideoOrientation = 1,
    Toffset = 2,
    AbsCaptureTime = 3,
    PlayoutDelay = 4,
    DependencyDescriptor = 5,
}

pub const EXT_KINDS: usize = 6;

impl ExtKind {
    pub const ALL: [ExtKind; EXT_KINDS] = [
        ExtKind::AudioLevel,
        ExtKind::VideoOrientation,
        ExtKind::Toffset,
        ExtKind::AbsCaptureTime,
        ExtKind::PlayoutDelay,
        ExtKind::DependencyDescriptor,
    ];

    pub fn uri(self) -> &'static str {
        use crate::rtp_parameters::uri;
        match self {
            ExtKind::AudioLevel => uri::AUDIO_LEVEL,
            ExtKind::VideoOrientation => uri::VIDEO_ORIENTATION,
            ExtKind::Toffset => uri::TOFFSET,
            ExtKind::AbsCaptureTime => uri::ABS_CAPTURE_TIME,
            ExtKind::PlayoutDelay => uri::PLAYOUT_DELAY,
            ExtKind::DependencyDescriptor => uri::DEPENDENCY_DESCRIPTOR,
        }
    }
}

/// Where each part of a stored/received packet is.
#[derive(Debug, Clone, Default)]
pub struct PacketLayout {
    pub csrc: Range<usize>,
    /// Payload without padding.
    pub payload: Range<usize>,
    pub ext: [Option<Range<usize>>; EXT_KINDS],
}

/// Header values after the producer's mapping.
#[derive(Debug, Clone, Copy, Default)]
pub struct MappedHeader {
    pub marker: bool,
    pub payload_type: u8,
    pub seq: u16,
    pub timestamp: u32,
    pub ssrc: u32,
    pub is_keyframe: bool,
    pub spatial_layer: u8,
    pub temporal_layer: u8,
    /// The packet's Dependency Descriptor resolved through its stream's
    /// template structure (AV1 and H264 packets that carry one).
    pub dd: Option<DdFrame>,
}

pub struct Forwarded<'a> {
    pub bytes: &'a [u8],
    pub layout: &'a PacketLayout,
    pub header: MappedHeader,
    /// The stream's last sender report: (NTP ms, RTP timestamp) and clock
    /// rate, to line up timestamps when a consumer switches streams.
    pub sr_mapping: Option<(u64, u32)>,
    pub clock_rate: u32,
}

impl Forwarded<'_> {
    pub fn payload(&self) -> &[u8] {
        &self.bytes[self.layout.payload.clone()]
    }
    pub fn csrc(&self) -> &[u8] {
        &self.bytes[self.layout.csrc.clone()]
    }
    pub fn ext(&self, kind: ExtKind) -> Option<&[u8]> {
        self.layout.ext[kind as usize]
            .clone()
            .map(|r| &self.bytes[r])
    }
}
