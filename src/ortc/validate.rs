//! Validation and normalization of RTP capabilities, RTP parameters and SCTP
//! stream parameters. Every function fills in defaults in place and fails
//! with a TypeError on invalid input, following mediasoup's rules.
//!
//! A top-level `None` is JS `undefined`; nested `Value::Null` is JS `null`.

use serde_json::{json, Value};

use super::js::{
    get, is_array, is_bool, is_number, is_object_type, is_str, is_string, read, set, to_js_string,
    truthy,
};
use crate::error::{Error, Result};

fn type_error(msg: &str) -> Error {
    Error::type_error(msg)
}

/// Whether `v` (a JS `typeof 'object'` value) is `null`, in which case the
/// first property read throws.
fn reject_null(v: &Value, first_key: &str) -> Result<()> {
    read(Some(v), first_key).map(|_| ())
}

/// Treats a top-level JSON `null` like the JS `undefined` it usually stands
/// for at the JS boundary.
fn top_level(v: Option<&mut Value>) -> Option<&mut Value> {
    v.filter(|v| !v.is_null())
}

/// The media kind given by a mimeType (`^(audio|video)/(.+)`, ignoring case).
pub(crate) fn mime_kind(mime: &str) -> Option<&'static str> {
    let prefix = mime.get(..6)?;
    let kind = if prefix.eq_ignore_ascii_case("audio/") {
        "audio"
    } else if prefix.eq_ignore_ascii_case("video/") {
        "video"
    } else {
        return None;
    };
    match mime[6..].chars().next() {
        Some(c) if !super::js::is_line_terminator(c) => Some(kind),
        _ => None,
    }
}

/// `validateAndNormalizeRtpCapabilities`.
pub(crate) fn rtp_capabilities(caps: Option<&mut Value>) -> Result<()> {
    let caps = match top_level(caps) {
        Some(c) if is_object_type(Some(c)) => c,
        _ => return Err(type_error("caps is not an object")),
    };
    list_field(caps, "codecs", "caps.codecs is not an array")?;
    if let Some(Value::Array(codecs)) = caps.get_mut("codecs") {
        for codec in codecs {
            codec_capability(codec)?;
        }
    }
    list_field(
        caps,
        "headerExtensions",
        "caps.headerExtensions is not an array",
    )?;
    if let Some(Value::Array(exts)) = caps.get_mut("headerExtensions") {
        for ext in exts {
            header_extension(ext)?;
        }
    }
    Ok(())
}

/// Optional array field: present and truthy must be an array, falsy becomes
/// `[]`.
fn list_field(obj: &mut Value, key: &str, err: &str) -> Result<()> {
    let v = get(obj, key);
    if truthy(v) && !is_array(v) {
        return Err(type_error(err));
    }
    if !truthy(v) {
        set(obj, key, json!([]));
    }
    Ok(())
}

/// Shared part of codec capability / codec parameters validation: the
/// mimeType, returning its kind.
fn codec_mime(codec: &Value) -> Result<&'static str> {
    if !is_object_type(Some(codec)) {
        return Err(type_error("codec is not an object"));
    }
    reject_null(codec, "mimeType")?;
    let mime = get(codec, "mimeType");
    if !truthy(mime) || !is_string(mime) {
        return Err(type_error("missing codec.mimeType"));
    }
    mime_kind(mime.and_then(Value::as_str).unwrap_or_default())
        .ok_or_else(|| type_error("invalid codec.mimeType"))
}

/// Shared tail of codec validation: channels, parameters, rtcpFeedback.
fn codec_common(codec: &mut Value, kind: &str) -> Result<()> {
    if kind == "audio" {
        if !is_number(get(codec, "channels")) {
            set(codec, "channels", json!(1));
        }
    } else {
        super::js::delete(codec, "channels");
    }
    let params = get(codec, "parameters");
    if !truthy(params) || !is_object_type(params) {
        set(codec, "parameters", json!({}));
    }
    if let Some(params) = codec.get("parameters") {
        let entries: Vec<(String, &Value)> = match params {
            Value::Object(m) => m.iter().map(|(k, v)| (k.clone(), v)).collect(),
            Value::Array(a) => a
                .iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), v))
                .collect(),
            _ => Vec::new(),
        };
        for (key, value) in entries {
            if !is_string(Some(value)) && !is_number(Some(value)) {
                return Err(Error::type_error(format!(
                    "invalid codec parameter [key:{key}s, value:{}]",
                    to_js_string(Some(value))
                )));
            }
            if key == "apt" && !is_number(Some(value)) {
                return Err(type_error("invalid codec apt parameter"));
            }
        }
    }
    let fbs = get(codec, "rtcpFeedback");
    if !truthy(fbs) || !is_array(fbs) {
        set(codec, "rtcpFeedback", json!([]));
    }
    if let Some(Value::Array(fbs)) = codec.get_mut("rtcpFeedback") {
        for fb in fbs {
            rtcp_feedback(fb)?;
        }
    }
    Ok(())
}

/// `validateAndNormalizeRtpCodecCapability`.
pub(crate) fn codec_capability(codec: &mut Value) -> Result<()> {
    let kind = codec_mime(codec)?;
    set(codec, "kind", json!(kind));
    let pt = get(codec, "preferredPayloadType");
    if truthy(pt) && !is_number(pt) {
        return Err(type_error("invalid codec.preferredPayloadType"));
    }
    if !is_number(get(codec, "clockRate")) {
        return Err(type_error("missing codec.clockRate"));
    }
    codec_common(codec, kind)
}

/// `validateAndNormalizeRtpCodecParameters`.
fn codec_parameters(codec: &mut Value) -> Result<()> {
    let kind = codec_mime(codec)?;
    if !is_number(get(codec, "payloadType")) {
        return Err(type_error("missing codec.payloadType"));
    }
    if !is_number(get(codec, "clockRate")) {
        return Err(type_error("missing codec.clockRate"));
    }
    codec_common(codec, kind)
}

/// `validateAndNormalizeRtcpFeedback`.
fn rtcp_feedback(fb: &mut Value) -> Result<()> {
    if !is_object_type(Some(fb)) {
        return Err(type_error("fb is not an object"));
    }
    reject_null(fb, "type")?;
    let t = get(fb, "type");
    if !truthy(t) || !is_string(t) {
        return Err(type_error("missing fb.type"));
    }
    let p = get(fb, "parameter");
    if !truthy(p) || !is_string(p) {
        set(fb, "parameter", json!(""));
    }
    Ok(())
}

/// `validateAndNormalizeRtpHeaderExtension` (capabilities flavour).
fn header_extension(ext: &mut Value) -> Result<()> {
    if !is_object_type(Some(ext)) {
        return Err(type_error("ext is not an object"));
    }
    reject_null(ext, "kind")?;
    let kind = get(ext, "kind");
    if !is_str(kind, "audio") && !is_str(kind, "video") {
        return Err(type_error("invalid ext.kind"));
    }
    let uri = get(ext, "uri");
    if !truthy(uri) || !is_string(uri) {
        return Err(type_error("missing ext.uri"));
    }
    if !is_number(get(ext, "preferredId")) {
        return Err(type_error("missing ext.preferredId"));
    }
    let enc = get(ext, "preferredEncrypt");
    if truthy(enc) && !is_bool(enc) {
        return Err(type_error("invalid ext.preferredEncrypt"));
    } else if !truthy(enc) {
        set(ext, "preferredEncrypt", json!(false));
    }
    let dir = get(ext, "direction");
    if truthy(dir) && !is_string(dir) {
        return Err(type_error("invalid ext.direction"));
    } else if !truthy(dir) {
        set(ext, "direction", json!("sendrecv"));
    }
    Ok(())
}

/// `validateAndNormalizeRtpParameters`.
pub(crate) fn rtp_parameters(params: Option<&mut Value>) -> Result<()> {
    let params = match top_level(params) {
        Some(p) if is_object_type(Some(p)) => p,
        _ => return Err(type_error("params is not an object")),
    };
    let mid = get(params, "mid");
    if truthy(mid) && !is_string(mid) {
        return Err(type_error("params.mid is not a string"));
    }
    if !is_array(get(params, "codecs")) {
        return Err(type_error("missing params.codecs"));
    }
    if let Some(Value::Array(codecs)) = params.get_mut("codecs") {
        for codec in codecs {
            codec_parameters(codec)?;
        }
    }
    list_field(
        params,
        "headerExtensions",
        "params.headerExtensions is not an array",
    )?;
    if let Some(Value::Array(exts)) = params.get_mut("headerExtensions") {
        for ext in exts {
            header_extension_parameters(ext)?;
        }
    }
    list_field(params, "encodings", "params.encodings is not an array")?;
    if let Some(Value::Array(encodings)) = params.get_mut("encodings") {
        for encoding in encodings {
            encoding_parameters(encoding)?;
        }
    }
    let rtcp = get(params, "rtcp");
    if truthy(rtcp) && !is_object_type(rtcp) {
        return Err(type_error("params.rtcp is not an object"));
    } else if !truthy(rtcp) {
        set(params, "rtcp", json!({}));
    }
    let msid = get(params, "msid");
    if truthy(msid) && !is_string(msid) {
        return Err(type_error("params.msid is not a string"));
    }
    match params.get_mut("rtcp") {
        Some(rtcp) => rtcp_parameters(rtcp),
        // `params` is an array: `params.rtcp` stays undefined.
        None => Err(type_error("rtcp is not an object")),
    }
}

/// `validateAndNormalizeRtpHeaderExtensionParameters`.
fn header_extension_parameters(ext: &mut Value) -> Result<()> {
    if !is_object_type(Some(ext)) {
        return Err(type_error("ext is not an object"));
    }
    reject_null(ext, "uri")?;
    let uri = get(ext, "uri");
    if !truthy(uri) || !is_string(uri) {
        return Err(type_error("missing ext.uri"));
    }
    if !is_number(get(ext, "id")) {
        return Err(type_error("missing ext.id"));
    }
    let enc = get(ext, "encrypt");
    if truthy(enc) && !is_bool(enc) {
        return Err(type_error("invalid ext.encrypt"));
    } else if !truthy(enc) {
        set(ext, "encrypt", json!(false));
    }
    let params = get(ext, "parameters");
    if !truthy(params) || !is_object_type(params) {
        set(ext, "parameters", json!({}));
    }
    let values: Vec<&Value> = match ext.get("parameters") {
        Some(Value::Object(m)) => m.values().collect(),
        Some(Value::Array(a)) => a.iter().collect(),
        _ => Vec::new(),
    };
    if values
        .iter()
        .any(|v| !is_string(Some(v)) && !is_number(Some(v)))
    {
        return Err(type_error("invalid header extension parameter"));
    }
    Ok(())
}

/// `validateAndNormalizeRtpEncodingParameters`.
fn encoding_parameters(encoding: &mut Value) -> Result<()> {
    if !is_object_type(Some(encoding)) {
        return Err(type_error("encoding is not an object"));
    }
    reject_null(encoding, "ssrc")?;
    let ssrc = get(encoding, "ssrc");
    if truthy(ssrc) && !is_number(ssrc) {
        return Err(type_error("invalid encoding.ssrc"));
    }
    let rid = get(encoding, "rid");
    if truthy(rid) && !is_string(rid) {
        return Err(type_error("invalid encoding.rid"));
    }
    let rtx = get(encoding, "rtx");
    if truthy(rtx) && !is_object_type(rtx) {
        return Err(type_error("invalid encoding.rtx"));
    } else if truthy(rtx) && !is_number(rtx.and_then(|r| get(r, "ssrc"))) {
        return Err(type_error("missing encoding.rtx.ssrc"));
    }
    let dtx = get(encoding, "dtx");
    if !truthy(dtx) || !is_bool(dtx) {
        set(encoding, "dtx", json!(false));
    }
    let mode = get(encoding, "scalabilityMode");
    if truthy(mode) && !is_string(mode) {
        return Err(type_error("invalid encoding.scalabilityMode"));
    }
    Ok(())
}

/// `validateAndNormalizeRtcpParameters`.
fn rtcp_parameters(rtcp: &mut Value) -> Result<()> {
    if !is_object_type(Some(rtcp)) {
        return Err(type_error("rtcp is not an object"));
    }
    reject_null(rtcp, "cname")?;
    let cname = get(rtcp, "cname");
    if truthy(cname) && !is_string(cname) {
        return Err(type_error("invalid rtcp.cname"));
    }
    let reduced = get(rtcp, "reducedSize");
    if !truthy(reduced) || !is_bool(reduced) {
        set(rtcp, "reducedSize", json!(true));
    }
    Ok(())
}

/// `validateAndNormalizeSctpStreamParameters`.
pub(crate) fn sctp_stream_parameters(params: Option<&mut Value>) -> Result<()> {
    let params = match top_level(params) {
        Some(p) if is_object_type(Some(p)) => p,
        _ => return Err(type_error("params is not an object")),
    };
    reject_null(params, "streamId")?;
    if !is_number(get(params, "streamId")) {
        return Err(type_error("missing params.streamId"));
    }
    let ordered_given = is_bool(get(params, "ordered"));
    if !ordered_given {
        set(params, "ordered", json!(true));
    }
    let lifetime = get(params, "maxPacketLifeTime");
    if truthy(lifetime) && !is_number(lifetime) {
        return Err(type_error("invalid params.maxPacketLifeTime"));
    }
    let retransmits = get(params, "maxRetransmits");
    if truthy(retransmits) && !is_number(retransmits) {
        return Err(type_error("invalid params.maxRetransmits"));
    }
    let (lifetime, retransmits) = (truthy(lifetime), truthy(retransmits));
    if lifetime && retransmits {
        return Err(type_error(
            "cannot provide both maxPacketLifeTime and maxRetransmits",
        ));
    }
    if ordered_given && truthy(get(params, "ordered")) && (lifetime || retransmits) {
        return Err(type_error(
            "cannot be ordered with maxPacketLifeTime or maxRetransmits",
        ));
    } else if !ordered_given && (lifetime || retransmits) {
        set(params, "ordered", json!(false));
    }
    Ok(())
}
