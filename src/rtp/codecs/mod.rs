//! Codec payload inspection: keyframe detection and layer information from
//! RTP payloads, without allocation. Follows mediasoup's `RTC::Codecs`
//! (VP8, VP9, H264, Opus) and adds H265 and AV1 keyframe detection. Layers
//! of AV1 and H264 come from the Dependency Descriptor header extension
//! ([`dependency_descriptor`]), which the producer reads per stream.

mod av1;
pub mod dependency_descriptor;
mod h264;
mod h265;
mod opus;
mod vp8;
mod vp9;

pub use av1::av1_is_keyframe;
pub use dependency_descriptor::{DdFrame, DependencyDescriptorReader};
pub use h264::h264_is_keyframe;
pub use h265::h265_is_keyframe;
pub use opus::opus_is_dtx;
pub use vp8::{ensure_two_byte_picture_id, parse_vp8, Vp8Descriptor};
pub use vp9::{parse_vp9, Vp9Descriptor};

/// Codecs the SFU inspects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Codec {
    Vp8,
    Vp9,
    H264,
    H265,
    Av1,
    Opus,
    Other,
}

/// Maps a mediasoup `mimeType` (`video/VP8`, `audio/opus`, ...; case
/// insensitive) to a [`Codec`]. `video/H264-SVC` maps to H264 and
/// `audio/multiopus` to Opus.
pub fn codec_from_mime(mime: &str) -> Codec {
    let sub = match mime.rfind('/') {
        Some(i) => &mime[i + 1..],
        None => mime,
    };
    let eq = |s: &str| sub.eq_ignore_ascii_case(s);
    if eq("vp8") {
        Codec::Vp8
    } else if eq("vp9") {
        Codec::Vp9
    } else if eq("h264") || eq("h264-svc") {
        Codec::H264
    } else if eq("h265") || eq("hevc") {
        Codec::H265
    } else if eq("av1") {
        Codec::Av1
    } else if eq("opus") || eq("multiopus") {
        Codec::Opus
    } else {
        Codec::Other
    }
}

/// Whether `payload` (the RTP payload, padding excluded) starts a keyframe.
/// Audio and unknown codecs are never keyframes.
pub fn is_keyframe(codec: Codec, payload: &[u8]) -> bool {
    match codec {
        Codec::Vp8 => parse_vp8(payload).is_some_and(|d| d.is_keyframe),
        Codec::Vp9 => parse_vp9(payload).is_some_and(|d| d.is_keyframe),
        Codec::H264 => h264_is_keyframe(payload),
        Codec::H265 => h265_is_keyframe(payload),
        Codec::Av1 => av1_is_keyframe(payload),
        Codec::Opus | Codec::Other => false,
    }
}

/// `(spatial, temporal)` layer of the packet as mediasoup's payload
/// descriptor handlers report them (0 when the descriptor has no layer
/// information or the codec has none).
pub fn layers(codec: Codec, payload: &[u8]) -> (u8, u8) {
    match codec {
        Codec::Vp8 => parse_vp8(payload).map_or((0, 0), |d| (0, d.tid.unwrap_or(0))),
        Codec::Vp9 => {
            parse_vp9(payload).map_or((0, 0), |d| (d.sid.unwrap_or(0), d.tid.unwrap_or(0)))
        }
        _ => (0, 0),
    }
}

#[cfg(test)]
mod tests;
