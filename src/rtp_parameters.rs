//! RTP parameters as the worker uses them: parsed from the (already ORTC
//! normalised) JSON, validated like mediasoup-worker does, with the derived
//! facts the media path needs (payload types, feedback, layers).

use crate::error::{Error, Result};
use crate::scalability::ScalabilityMode;
use serde_json::Value;

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
    /// The JSON as given, with `codecPayloadType` filled in (for dumps).
    pub json: Value,
}

fn u8_of(v: Option<&Value>, what: &str) -> Result<u8> {
    v.and_then(Value::as_u64)
        .filter(|n| *n <= 255)
        .map(|n| n as u8)
        .ok_or_else(|| Error::type_error(format!("invalid {what}")))
}

fn opt_u32(v: Option<&Value>) -> Option<u32> {
    v.and_then(Value::as_u64)
        .filter(|n| *n <= u32::MAX as u64)
        .map(|n| n as u32)
}

fn feedback(codec: &Value, kind: &str, parameter: &str) -> bool {
    codec
        .get("rtcpFeedback")
        .and_then(Value::as_array)
        .is_some_and(|fbs| {
            fbs.iter().any(|fb| {
                fb.get("type").and_then(Value::as_str) == Some(kind)
                    && fb.get("parameter").and_then(Value::as_str).unwrap_or("") == parameter
            })
        })
}

fn parameter_is_one(codec: &Value, name: &str) -> bool {
    match codec.get("parameters").and_then(|p| p.get(name)) {
        Some(Value::Number(n)) => n.as_f64() == Some(1.0),
        Some(Value::String(s)) => s == "1",
        _ => false,
    }
}

impl RtpParameters {
    pub fn parse(json: &Value) -> Result<Self> {
        let mut json = json.clone();
        let mid = match json.get("mid") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.is_empty() => return Err(Error::type_error("empty mid")),
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(Error::type_error("invalid mid")),
        };
        let mut codecs = Vec::new();
        for c in json
            .get("codecs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let mime_type = c
                .get("mimeType")
                .and_then(Value::as_str)
                .ok_or_else(|| Error::type_error("missing codec.mimeType"))?
                .to_string();
            let apt = c
                .get("parameters")
                .and_then(|p| p.get("apt"))
                .and_then(Value::as_u64);
            let codec = Codec {
                payload_type: u8_of(c.get("payloadType"), "codec.payloadType")?,
                clock_rate: opt_u32(c.get("clockRate"))
                    .ok_or_else(|| Error::type_error("invalid codec.clockRate"))?,
                apt: apt.filter(|a| *a <= 255).map(|a| a as u8),
                nack: feedback(c, "nack", ""),
                pli: feedback(c, "nack", "pli"),
                fir: feedback(c, "ccm", "fir"),
                use_in_band_fec: parameter_is_one(c, "useinbandfec"),
                use_dtx: parameter_is_one(c, "usedtx"),
                mime_type,
            };
            if codecs
                .iter()
                .any(|o: &Codec| o.payload_type == codec.payload_type)
            {
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

        let encoding_values = json
            .get("encodings")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if encoding_values.is_empty() {
            return Err(Error::type_error("empty encodings"));
        }
        let mut encodings = Vec::new();
        for (i, e) in encoding_values.iter().enumerate() {
            // Written back below: anything but an object is refused here
            // (indexing it would panic).
            if !e.is_object() {
                return Err(Error::type_error("encoding is not an object"));
            }
            let codec_payload_type = match e.get("codecPayloadType") {
                None | Some(Value::Null) => first_media,
                Some(v) => {
                    let pt = u8_of(Some(v), "codecPayloadType")?;
                    match codecs.iter().find(|c| c.payload_type == pt) {
                        Some(c) if c.is_media() => pt,
                        Some(_) => return Err(Error::type_error("invalid codecPayloadType")),
                        None => return Err(Error::type_error("unknown codecPayloadType")),
                    }
                }
            };
            let mode = ScalabilityMode::parse(e.get("scalabilityMode").and_then(Value::as_str));
            let encoding = Encoding {
                ssrc: opt_u32(e.get("ssrc")),
                rid: e
                    .get("rid")
                    .and_then(Value::as_str)
                    .filter(|r| !r.is_empty())
                    .map(str::to_string),
                codec_payload_type,
                rtx_ssrc: e.get("rtx").and_then(|r| opt_u32(r.get("ssrc"))),
                spatial_layers: mode.spatial_layers,
                temporal_layers: mode.temporal_layers,
                ksvc: mode.ksvc,
                dtx: e.get("dtx").and_then(Value::as_bool).unwrap_or(false),
                max_bitrate: opt_u32(e.get("maxBitrate")),
            };
            if encoding.spatial_layers > 1 && encoding_values.len() > 1 {
                return Err(Error::type_error(
                    "cannot use both simulcast and encodings with multiple SVC spatial layers",
                ));
            }
            json["encodings"][i]["codecPayloadType"] = Value::from(codec_payload_type);
            encodings.push(encoding);
        }
        let mut header_extensions = Vec::new();
        for h in json
            .get("headerExtensions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let uri = h
                .get("uri")
                .and_then(Value::as_str)
                .ok_or_else(|| Error::type_error("missing headerExtension.uri"))?;
            let id = u8_of(h.get("id"), "headerExtension.id")?;
            if id == 0 {
                return Err(Error::type_error("RTP extension id cannot be 0"));
            }
            header_extensions.push((uri.to_string(), id));
        }
        strip_empty_feedback_parameters(&mut json);
        canonicalize_mime_types(&mut json);
        let cname = json
            .get("rtcp")
            .and_then(|r| r.get("cname"))
            .and_then(Value::as_str)
            .map(str::to_string);
        Ok(RtpParameters {
            mid,
            codecs,
            encodings,
            header_extensions,
            cname,
            json,
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
fn canonicalize_mime_types(json: &mut Value) {
    let Some(codecs) = json.get_mut("codecs").and_then(Value::as_array_mut) else {
        return;
    };
    for codec in codecs {
        let Some(mime) = codec.get("mimeType").and_then(Value::as_str) else {
            continue;
        };
        let Some((kind, subtype)) = mime.split_once('/') else {
            continue;
        };
        if let Some(canonical) = canonical_subtype(subtype) {
            codec["mimeType"] = Value::from(format!("{}/{canonical}", kind.to_ascii_lowercase()));
        }
    }
}

/// mediasoup's dumps leave out empty `rtcpFeedback[].parameter` values.
fn strip_empty_feedback_parameters(json: &mut Value) {
    let Some(codecs) = json.get_mut("codecs").and_then(Value::as_array_mut) else {
        return;
    };
    for codec in codecs {
        let Some(fbs) = codec.get_mut("rtcpFeedback").and_then(Value::as_array_mut) else {
            continue;
        };
        for fb in fbs {
            if let Some(obj) = fb.as_object_mut() {
                if obj.get("parameter").and_then(Value::as_str) == Some("") {
                    obj.remove("parameter");
                }
            }
        }
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
    use serde_json::json;

    #[test]
    fn non_object_encodings_are_a_type_error_not_a_panic() {
        for bad in [json!(3), json!("x"), json!(true), json!([1])] {
            let e = RtpParameters::parse(&json!({
                "codecs": [{"mimeType": "audio/opus", "payloadType": 100, "clockRate": 48000, "channels": 2}],
                "encodings": [bad],
            }))
            .unwrap_err();
            assert_eq!(e.kind, crate::error::ErrorKind::TypeError);
            assert_eq!(e.message, "encoding is not an object");
        }
    }

    #[test]
    fn fills_codec_payload_type_and_reads_feedback() {
        let p = RtpParameters::parse(&json!({
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
        assert_eq!(p.json["encodings"][0]["codecPayloadType"], 96);
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
                RtpParameters::parse(&bad).unwrap_err().kind,
                crate::error::ErrorKind::TypeError,
                "{bad}"
            );
        }
    }
}
