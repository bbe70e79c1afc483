//! RTP parameters as the worker uses them: parsed from the (already ORTC
//! normalised) JSON, validated like mediasoup-worker does, with the derived
//! facts the media path needs (payload types, feedback, layers).

pub mod wire;

use crate::error::{Error, Result};
use crate::scalability::ScalabilityMode;
pub use wire::{EncodingWire, RtpParametersWire};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    Audio,
    Video,
}

impl MediaKind {
    pub fn parse(s: Option<&str>) -> Result<Self> {
        match s {
            Some("audio") => Ok(MediaKind::Audio),
            Some("video") => Ok(MediaKind::Video),
            _ => Err(Error::type_error("invalid kind")),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Audio => "audio",
            MediaKind::Video => "video",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Codec {
    pub payload_type: u8,
    pub mime_type: String,
    pub clock_rate: u32,
    /// For RTX: the payload type it repairs.
    pub apt: Option<u8>,
    pub nack: bool,
    pub pli: bool,
    pub fir: bool,
    /// Feedback for send-side bandwidth estimation.
    pub transport_cc: bool,
    pub goog_remb: bool,
    pub use_in_band_fec: bool,
    pub use_dtx: bool,
}

impl Codec {
    pub fn is_rtx(&self) -> bool {
        self.mime_type.to_ascii_lowercase().ends_with("/rtx")
    }
    /// Media codecs are all but RTX and FEC ones.
    pub fn is_media(&self) -> bool {
        let lower = self.mime_type.to_ascii_lowercase();
        !(lower.ends_with("/rtx")
            || lower.ends_with("/ulpfec")
            || lower.ends_with("/flexfec")
            || lower.ends_with("/red"))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Encoding {
    pub ssrc: Option<u32>,
    pub rid: Option<String>,
    pub codec_payload_type: u8,
    pub rtx_ssrc: Option<u32>,
    pub spatial_layers: u8,
    pub temporal_layers: u8,
    pub ksvc: bool,
    pub dtx: bool,
    pub max_bitrate: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RtpParameters {
    pub mid: Option<String>,
    pub codecs: Vec<Codec>,
    pub encodings: Vec<Encoding>,
    /// (uri, id)
    pub header_extensions: Vec<(String, u8)>,
    pub cname: Option<String>,
    /// As given, with `codecPayloadType` filled in and MIME types spelled
    /// as mediasoup's worker does (for dumps).
    pub wire: RtpParametersWire,
}

/// A body part that does not deserialize: mediasoup rejects such requests
/// with a TypeError.
pub fn invalid(what: &str, e: serde_json::Error) -> Error {
    Error::type_error(format!("invalid {what}: {e}"))
}

fn has_feedback(codec: &wire::CodecWire, kind: &str, parameter: &str) -> bool {
    codec
        .rtcp_feedback
        .iter()
        .any(|fb| fb.kind == kind && fb.parameter == parameter)
}

fn parameter_is_one(codec: &wire::CodecWire, name: &str) -> bool {
    codec.parameters.get(name).is_some_and(|v| v.is_one())
}

impl RtpParameters {
    pub fn from_wire(mut wire: RtpParametersWire) -> Result<Self> {
        if wire.mid.as_deref() == Some("") {
            return Err(Error::type_error("empty mid"));
        }
        let mut codecs: Vec<Codec> = Vec::with_capacity(wire.codecs.len());
        for c in &mut wire.codecs {
            canonicalize_mime_type(&mut c.mime_type);
            let codec = Codec {
                payload_type: c.payload_type,
                clock_rate: c.clock_rate,
                apt: c
                    .parameters
                    .get("apt")
                    .and_then(|a| a.as_u64())
                    .filter(|a| *a <= 255)
                    .map(|a| a as u8),
                nack: has_feedback(c, "nack", ""),
                pli: has_feedback(c, "nack", "pli"),
                fir: has_feedback(c, "ccm", "fir"),
                transport_cc: has_feedback(c, "transport-cc", ""),
                goog_remb: has_feedback(c, "goog-remb", ""),
                use_in_band_fec: parameter_is_one(c, "useinbandfec"),
                use_dtx: parameter_is_one(c, "usedtx"),
                mime_type: c.mime_type.clone(),
            };
            if codecs.iter().any(|o| o.payload_type == codec.payload_type) {
                return Err(Error::type_error("duplicated payloadType"));
            }
            if codec.is_rtx() && codec.apt.is_none() {
                return Err(Error::type_error("missing apt parameter in RTX codec"));
            }
            codecs.push(codec);
        }
        if codecs.is_empty() {
            return Err(Error::type_error("empty codecs"));
        }
        for rtx in codecs.iter().filter(|c| c.is_rtx()) {
            match codecs.iter().find(|c| Some(c.payload_type) == rtx.apt) {
                None => {
                    return Err(Error::type_error(
                        "apt in RTX codec points to a non existing codec",
                    ))
                }
                Some(target) if !target.is_media() => {
                    return Err(Error::type_error(
                        "apt in RTX codec points to a non media codec",
                    ))
                }
                _ => {}
            }
        }
        let first_media = codecs
            .iter()
            .find(|c| c.is_media())
            .map(|c| c.payload_type)
            .ok_or_else(|| Error::type_error("no media codecs found"))?;

        if wire.encodings.is_empty() {
            return Err(Error::type_error("empty encodings"));
        }
        let simulcast = wire.encodings.len() > 1;
        let mut encodings = Vec::with_capacity(wire.encodings.len());
        for e in &mut wire.encodings {
            let codec_payload_type = match e.codec_payload_type {
                None => first_media,
                Some(pt) => match codecs.iter().find(|c| c.payload_type == pt) {
                    Some(c) if c.is_media() => pt,
                    Some(_) => return Err(Error::type_error("invalid codecPayloadType")),
                    None => return Err(Error::type_error("unknown codecPayloadType")),
                },
            };
            let mode = ScalabilityMode::parse(e.scalability_mode.as_deref());
            let encoding = Encoding {
                ssrc: e.ssrc,
                rid: e.rid.clone().filter(|r| !r.is_empty()),
                codec_payload_type,
                rtx_ssrc: e.rtx.map(|r| r.ssrc),
                spatial_layers: mode.spatial_layers,
                temporal_layers: mode.temporal_layers,
                ksvc: mode.ksvc,
                dtx: e.dtx,
                max_bitrate: e.max_bitrate.map(|b| b.min(u64::from(u32::MAX)) as u32),
            };
            if encoding.spatial_layers > 1 && simulcast {
                return Err(Error::type_error(
                    "cannot use both simulcast and encodings with multiple SVC spatial layers",
                ));
            }
            e.codec_payload_type = Some(codec_payload_type);
            encodings.push(encoding);
        }
        let mut header_extensions = Vec::with_capacity(wire.header_extensions.len());
        for h in &wire.header_extensions {
            if h.id == 0 {
                return Err(Error::type_error("RTP extension id cannot be 0"));
            }
            header_extensions.push((h.uri.clone(), h.id));
        }
        Ok(RtpParameters {
            mid: wire.mid.clone(),
            codecs,
            encodings,
            header_extensions,
            cname: wire.rtcp.cname.clone(),
            wire,
        })
    }

    pub fn codec(&self, payload_type: u8) -> Option<&Codec> {
        self.codecs.iter().find(|c| c.payload_type == payload_type)
    }

    /// The RTX codec repairing `media_pt`, if negotiated.
    pub fn rtx_codec_for(&self, media_pt: u8) -> Option<&Codec> {
        self.codecs
            .iter()
            .find(|c| c.is_rtx() && c.apt == Some(media_pt))
    }

    pub fn extension_id(&self, uri: &str) -> Option<u8> {
        self.header_extensions
            .iter()
            .find(|(u, _)| u == uri)
            .map(|(_, id)| *id)
    }
}

/// The subtype spelling mediasoup-worker uses when it reports a codec.
fn canonical_subtype(subtype: &str) -> Option<&'static str> {
    const NAMES: [&str; 22] = [
        "opus",
        "multiopus",
        "PCMA",
        "PCMU",
        "ISAC",
        "G722",
        "iLBC",
        "SILK",
        "CN",
        "telephone-event",
        "rtx",
        "ulpfec",
        "flexfec",
        "x-ulpfecuc",
        "red",
        "VP8",
        "VP9",
        "H264",
        "H264-SVC",
        "H265",
        "AV1",
        "MP4V-ES",
    ];
    NAMES
        .iter()
        .copied()
        .find(|n| n.eq_ignore_ascii_case(subtype))
}

/// mediasoup's dumps spell MIME types its own way (`video/H264`, `audio/opus`).
fn canonicalize_mime_type(mime: &mut String) {
    let Some((kind, subtype)) = mime.split_once('/') else {
        return;
    };
    if let Some(canonical) = canonical_subtype(subtype) {
        *mime = format!("{}/{canonical}", kind.to_ascii_lowercase());
    }
}

/// Header extension URIs the media path understands.
pub mod uri {
    pub const MID: &str = "urn:ietf:params:rtp-hdrext:sdes:mid";
    pub const RID: &str = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
    pub const RRID: &str = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
    pub const ABS_SEND_TIME: &str = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
    pub const TRANSPORT_WIDE_CC: &str =
        "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
    pub const AUDIO_LEVEL: &str = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
    pub const VIDEO_ORIENTATION: &str = "urn:3gpp:video-orientation";
    pub const TOFFSET: &str = "urn:ietf:params:rtp-hdrext:toffset";
    pub const ABS_CAPTURE_TIME: &str =
        "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time";
    pub const PLAYOUT_DELAY: &str = "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay";
    pub const DEPENDENCY_DESCRIPTOR: &str =
        "https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension";
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::Value;

    /// Through the wire types, as request bodies are read.
    fn parse(json: &Value) -> Result<RtpParameters> {
        RtpParameters::from_wire(
            RtpParametersWire::deserialize(json).map_err(|e| invalid("rtpParameters", e))?,
        )
    }
    use serde_json::json;

    #[test]
    fn non_object_encodings_are_a_type_error_not_a_panic() {
        for bad in [json!(3), json!("x"), json!(true), json!(null)] {
            let e = parse(&json!({
                "codecs": [{"mimeType": "audio/opus", "payloadType": 100, "clockRate": 48000, "channels": 2}],
                "encodings": [bad],
            }))
            .unwrap_err();
            assert_eq!(e.kind, crate::error::ErrorKind::TypeError);
            assert!(
                e.message.starts_with("invalid rtpParameters"),
                "{}",
                e.message
            );
        }
    }

    #[test]
    fn fills_codec_payload_type_and_reads_feedback() {
        let p = parse(&json!({
            "codecs": [
                {"mimeType": "video/VP8", "payloadType": 96, "clockRate": 90000,
                 "rtcpFeedback": [{"type": "nack", "parameter": ""}, {"type": "nack", "parameter": "pli"}]},
                {"mimeType": "video/rtx", "payloadType": 97, "clockRate": 90000, "parameters": {"apt": 96}}
            ],
            "encodings": [{"ssrc": 1, "rtx": {"ssrc": 2}, "scalabilityMode": "L1T3"}],
            "headerExtensions": [{"uri": uri::MID, "id": 1}],
            "rtcp": {"cname": "x"}
        }))
        .unwrap();
        assert_eq!(p.wire.encodings[0].codec_payload_type, Some(96));
        let dump = serde_json::to_value(&p.wire).unwrap();
        assert_eq!(dump["encodings"][0]["codecPayloadType"], 96);
        // Empty feedback parameters are left out, as mediasoup's dumps do.
        assert_eq!(
            dump["codecs"][0]["rtcpFeedback"][0],
            json!({"type": "nack"})
        );
        assert!(p.codecs[0].nack && p.codecs[0].pli && !p.codecs[0].fir);
        assert_eq!(p.rtx_codec_for(96).map(|c| c.payload_type), Some(97));
        assert_eq!(p.encodings[0].temporal_layers, 3);
        assert_eq!(p.encodings[0].rtx_ssrc, Some(2));
        assert_eq!(p.extension_id(uri::MID), Some(1));
    }

    #[test]
    fn rejects_worker_level_errors() {
        let base =
            |codecs: Value, encodings: Value| json!({"codecs": codecs, "encodings": encodings});
        let opus = json!({"mimeType": "audio/opus", "payloadType": 100, "clockRate": 48000});
        for bad in [
            base(json!([]), json!([{}])),
            base(json!([opus.clone(), opus.clone()]), json!([{}])),
            base(json!([opus.clone()]), json!([])),
            base(json!([opus.clone()]), json!([{"codecPayloadType": 101}])),
            base(
                json!([opus.clone(), {"mimeType": "audio/rtx", "payloadType": 101, "clockRate": 48000, "parameters": {"apt": 111}}]),
                json!([{}]),
            ),
            json!({"mid": "", "codecs": [opus.clone()], "encodings": [{}]}),
        ] {
            assert_eq!(
                parse(&bad).unwrap_err().kind,
                crate::error::ErrorKind::TypeError,
                "{bad}"
            );
        }
    }
}
