//! RTP parameters as they cross the JS boundary (mediasoup's field names):
//! deserialized straight from a request body, and serialized as they are
//! for dumps. The worker's own view (`RtpParameters`) is derived from them.

use indexmap::IndexMap;
use serde::de::{Deserializer, IgnoredAny};
use serde::{Deserialize, Serialize};

/// Any JSON value where mediasoup's JS writes a number into a flatbuffers
/// field: converted as JS does (`ToNumber`, then wrapped to the field's
/// width), so that what mediasoup accepts, so does this.
#[derive(Deserialize)]
#[serde(untagged)]
enum JsNumber {
    Number(f64),
    Text(String),
    Bool(bool),
    Other(IgnoredAny),
}

impl JsNumber {
    fn to_f64(&self) -> f64 {
        match self {
            JsNumber::Number(n) => *n,
            JsNumber::Text(t) => {
                let t = t.trim();
                if t.is_empty() {
                    0.0
                } else {
                    t.parse().unwrap_or(f64::NAN)
                }
            }
            JsNumber::Bool(b) => f64::from(u8::from(*b)),
            JsNumber::Other(_) => f64::NAN,
        }
    }

    /// JS `ToUint8`/`ToUint32`-style wrap to `bits` bits (NaN and
    /// infinities are 0).
    fn wrapped(&self, bits: i32) -> u64 {
        let v = self.to_f64();
        if !v.is_finite() {
            return 0;
        }
        v.trunc().rem_euclid(2f64.powi(bits)) as u64
    }
}

/// `deserialize_with` helpers over [`JsNumber`].
pub mod js_number {
    use super::*;

    pub fn u32<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
        Ok(JsNumber::deserialize(d)?.wrapped(32) as u32)
    }

    pub fn opt_u8<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u8>, D::Error> {
        Ok(Option::<JsNumber>::deserialize(d)?.map(|n| n.wrapped(8) as u8))
    }

    pub fn opt_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
        Ok(Option::<JsNumber>::deserialize(d)?.map(|n| n.wrapped(32) as u32))
    }

    /// 64-bit fields (sent as BigInt by mediasoup: JS checks them first).
    pub fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        Ok(Option::<JsNumber>::deserialize(d)?.map(|n| n.wrapped(64)))
    }
}

/// A codec or header extension parameter: JS ortc only lets numbers and
/// strings through.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum ParameterValue {
    Number(serde_json::Number),
    String(String),
}

impl ParameterValue {
    /// `1` or `"1"`: how SDP-style boolean parameters are written.
    pub fn is_one(&self) -> bool {
        match self {
            ParameterValue::Number(n) => n.as_f64() == Some(1.0),
            ParameterValue::String(s) => s == "1",
        }
    }

    pub fn as_u64(&self) -> Option<u64> {
        match self {
            ParameterValue::Number(n) => n.as_u64(),
            ParameterValue::String(_) => None,
        }
    }
}

pub type Parameters = IndexMap<String, ParameterValue>;

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct RtcpFeedbackWire {
    #[serde(rename = "type")]
    pub kind: String,
    /// mediasoup's dumps leave an empty parameter out.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub parameter: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CodecWire {
    pub mime_type: String,
    /// Strict, like mediasoup (a fraction or 256+ is a TypeError).
    pub payload_type: u8,
    pub clock_rate: u32,
    #[serde(
        default,
        deserialize_with = "js_number::opt_u8",
        skip_serializing_if = "Option::is_none"
    )]
    pub channels: Option<u8>,
    #[serde(default)]
    pub parameters: Parameters,
    #[serde(default)]
    pub rtcp_feedback: Vec<RtcpFeedbackWire>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct HeaderExtensionWire {
    pub uri: String,
    /// Strict, like mediasoup.
    pub id: u8,
    #[serde(default)]
    pub encrypt: bool,
    #[serde(default)]
    pub parameters: Parameters,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub struct RtxWire {
    #[serde(deserialize_with = "js_number::u32")]
    pub ssrc: u32,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EncodingWire {
    #[serde(
        default,
        deserialize_with = "js_number::opt_u32",
        skip_serializing_if = "Option::is_none"
    )]
    pub ssrc: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codec_payload_type: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rtx: Option<RtxWire>,
    #[serde(default)]
    pub dtx: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scalability_mode: Option<String>,
    #[serde(
        default,
        deserialize_with = "js_number::opt_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_bitrate: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RtcpWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cname: Option<String>,
    #[serde(default = "reduced_size_default")]
    pub reduced_size: bool,
}

fn reduced_size_default() -> bool {
    true
}

impl Default for RtcpWire {
    fn default() -> Self {
        RtcpWire {
            cname: None,
            reduced_size: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RtpParametersWire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mid: Option<String>,
    #[serde(default)]
    pub codecs: Vec<CodecWire>,
    #[serde(default)]
    pub header_extensions: Vec<HeaderExtensionWire>,
    #[serde(default)]
    pub encodings: Vec<EncodingWire>,
    #[serde(default)]
    pub rtcp: RtcpWire,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msid: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_convert_as_mediasoup_js_writes_them() {
        let e: EncodingWire = serde_json::from_value(json!({
            "ssrc": -1, "maxBitrate": "100000", "rtx": {"ssrc": 4294967296u64}
        }))
        .unwrap();
        assert_eq!(e.ssrc, Some(u32::MAX));
        assert_eq!(e.max_bitrate, Some(100_000));
        assert_eq!(e.rtx, Some(RtxWire { ssrc: 0 }));
        let e: EncodingWire =
            serde_json::from_value(json!({"ssrc": "x", "maxBitrate": null})).unwrap();
        assert_eq!((e.ssrc, e.max_bitrate), (Some(0), None));
    }

    #[test]
    fn dumps_keep_mediasoup_field_names() {
        let params: RtpParametersWire = serde_json::from_value(json!({
            "mid": "0",
            "codecs": [{"mimeType": "audio/opus", "payloadType": 111, "clockRate": 48000,
                        "channels": 2, "parameters": {"useinbandfec": 1, "x": "y"},
                        "rtcpFeedback": [{"type": "transport-cc", "parameter": ""}]}],
            "encodings": [{"ssrc": 1, "dtx": true}],
            "rtcp": {"cname": "c"}
        }))
        .unwrap();
        assert_eq!(
            serde_json::to_value(&params).unwrap(),
            json!({
                "mid": "0",
                "codecs": [{"mimeType": "audio/opus", "payloadType": 111, "clockRate": 48000,
                            "channels": 2, "parameters": {"useinbandfec": 1, "x": "y"},
                            "rtcpFeedback": [{"type": "transport-cc"}]}],
                "headerExtensions": [],
                "encodings": [{"ssrc": 1, "dtx": true}],
                "rtcp": {"cname": "c", "reducedSize": true}
            })
        );
    }
}
