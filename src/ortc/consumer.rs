//! Consumer side: `canConsume`, consumer RTP parameters and pipe consumer
//! RTP parameters, all derived from a producer's consumable parameters.

use serde_json::{json, Value};

use super::js::{
    array, array_for, assign_error, cloned_indexed, cloned_list, delete, get, greater_than, is_str,
    object, read, set, strict_eq, to_js_string, to_number, truthy,
};
use super::matching::{codecs_match, is_rtx_codec};
use super::producer::{find_index, random_number};
use super::scalability::parse_scalability_mode;
use super::supported::{self, URI_ABS_SEND_TIME, URI_MID, URI_TRANSPORT_CC};
use super::validate;
use crate::error::{Error, Result};

/// `canConsume(consumableParams, caps)` on capabilities already validated
/// and normalized (mediasoup normalizes the given object in place first;
/// `dispatch` does that on a copy).
pub fn can_consume(consumable_params: &Value, caps: &Value) -> Result<bool> {
    let no_codecs = Vec::new();
    let mut first_match: Option<&Value> = None;
    for codec in array(
        read(Some(consumable_params), "codecs")?,
        "consumableParams.codecs",
    )? {
        // On an array, mediasoup's normalization sets a (JSON-invisible)
        // `codecs: []` property.
        let cap_codecs = match caps {
            Value::Array(_) => &no_codecs,
            _ => array_for(get(caps, "codecs"), "caps.codecs", "find")?,
        };
        if find_index(cap_codecs, |cap| codecs_match(cap, codec, true))?.is_some() {
            first_match = Some(codec);
            break;
        }
    }
    match first_match {
        Some(codec) => Ok(!is_rtx_codec(codec)?),
        None => Ok(false),
    }
}

/// Keeps the feedback entries `keep` accepts, in a codec's rtcpFeedback.
fn retain_feedback<F>(codec: &mut Value, keep: F) -> Result<()>
where
    F: Fn(&Value) -> bool,
{
    let list = array_for(
        read(Some(&*codec), "rtcpFeedback")?,
        "codec.rtcpFeedback",
        "filter",
    )?;
    let kept: Vec<Value> = list.iter().filter(|fb| keep(fb)).cloned().collect();
    set(codec, "rtcpFeedback", Value::Array(kept));
    Ok(())
}

fn fb_type_is(fb: &Value, t: &str) -> bool {
    is_str(get(fb, "type"), t)
}

fn has_extension(exts: &[Value], uri: &str) -> bool {
    exts.iter().any(|e| is_str(get(e, "uri"), uri))
}

/// `getConsumerRtpParameters({consumableRtpParameters, remoteRtpCapabilities,
/// pipe, enableRtx})`. Works on a copy of the remote capabilities (mediasoup
/// normalizes their codecs in place).
pub fn get_consumer_rtp_parameters(
    consumable_params: &Value,
    remote_caps: &Value,
    pipe: bool,
    enable_rtx: bool,
) -> Result<Value> {
    // Read first: mediasoup reads it before touching the capabilities.
    read(Some(consumable_params), "rtcp")?;
    let mut remote = remote_caps.clone();
    array(
        read(Some(&remote), "codecs")?,
        "remoteRtpCapabilities.codecs",
    )?;
    if let Some(Value::Array(cap_codecs)) = remote.get_mut("codecs") {
        for cap in cap_codecs {
            validate::codec_capability(cap)?;
        }
    }
    consumer_rtp_parameters_of_normalized_caps(consumable_params, &remote, pipe, enable_rtx)
}

/// [`get_consumer_rtp_parameters`] with remote capabilities that are
/// already validated and normalized (their codecs need no more work).
pub fn consumer_rtp_parameters_of_normalized_caps(
    consumable_params: &Value,
    remote: &Value,
    pipe: bool,
    enable_rtx: bool,
) -> Result<Value> {
    let rtcp = read(Some(consumable_params), "rtcp")?.cloned();
    let msid = get(consumable_params, "msid").cloned();
    let remote_codecs = array(get(remote, "codecs"), "remoteRtpCapabilities.codecs")?;

    let mut codecs: Vec<Value> = Vec::new();
    for mut codec in cloned_list(get(consumable_params, "codecs"), "consumableCodecs")? {
        if !enable_rtx && is_rtx_codec(&codec)? {
            continue;
        }
        let Some(j) = find_index(remote_codecs, |cap| codecs_match(cap, &codec, true))? else {
            continue;
        };
        let cap_fbs = array_for(
            get(&remote_codecs[j], "rtcpFeedback"),
            "matchedCapCodec.rtcpFeedback",
            "filter",
        )?;
        let fbs: Vec<Value> = cap_fbs
            .iter()
            .filter(|fb| enable_rtx || !fb_type_is(fb, "nack") || truthy(get(fb, "parameter")))
            .cloned()
            .collect();
        set(&mut codec, "rtcpFeedback", Value::Array(fbs));
        codecs.push(codec);
    }

    // Drop RTX codecs whose media codec did not make it.
    let mut rtx_supported = false;
    for idx in (0..codecs.len()).rev() {
        if !is_rtx_codec(&codecs[idx])? {
            continue;
        }
        let apt = read(get(&codecs[idx], "parameters"), "apt")?;
        let associated = find_index(&codecs, |c| {
            Ok(strict_eq(read(Some(c), "payloadType")?, apt))
        })?;
        if associated.is_some() {
            rtx_supported = true;
        } else {
            codecs.remove(idx);
        }
    }

    if codecs.is_empty() || is_rtx_codec(&codecs[0])? {
        return Err(Error::unsupported("no compatible media codecs"));
    }

    let mut header_extensions = Vec::new();
    let consumable_exts = array_for(
        get(consumable_params, "headerExtensions"),
        "consumableRtpParameters.headerExtensions",
        "filter",
    )?;
    for ext in consumable_exts {
        let remote_exts = array_for(
            get(remote, "headerExtensions"),
            "remoteRtpCapabilities.headerExtensions",
            "some",
        )?;
        let found = find_index(remote_exts, |cap| {
            Ok(
                strict_eq(read(Some(cap), "preferredId")?, read(Some(ext), "id")?)
                    && strict_eq(get(cap, "uri"), get(ext, "uri")),
            )
        })?;
        if found.is_some() {
            header_extensions.push(ext.clone());
        }
    }

    // Keep a single congestion control feedback: transport-cc if its header
    // extension is negotiated, else REMB if abs-send-time is, else none.
    let drop_types: &[&str] = if has_extension(&header_extensions, URI_TRANSPORT_CC) {
        &["goog-remb"]
    } else if has_extension(&header_extensions, URI_ABS_SEND_TIME) {
        &["transport-cc"]
    } else {
        &["transport-cc", "goog-remb"]
    };
    for codec in &mut codecs {
        retain_feedback(codec, |fb| !drop_types.iter().any(|t| fb_type_is(fb, t)))?;
    }

    let encodings = if pipe {
        pipe_encodings(get(consumable_params, "encodings"), rtx_supported)?
    } else {
        vec![single_encoding(consumable_params, rtx_supported)?]
    };

    Ok(object(vec![
        ("codecs", Some(Value::Array(codecs))),
        ("headerExtensions", Some(Value::Array(header_extensions))),
        ("encodings", Some(Value::Array(encodings))),
        ("rtcp", rtcp),
        ("msid", msid),
    ]))
}

/// The single encoding of a regular consumer.
fn single_encoding(consumable_params: &Value, rtx_supported: bool) -> Result<Value> {
    let ssrc = random_number();
    let mut encoding = json!({ "ssrc": ssrc });
    if rtx_supported {
        encoding["rtx"] = json!({ "ssrc": ssrc + 1 });
    }
    let encodings = array_for(
        get(consumable_params, "encodings"),
        "consumableRtpParameters.encodings",
        "find",
    )?;

    let mut with_mode = None;
    for e in encodings {
        if truthy(read(Some(e), "scalabilityMode")?) {
            with_mode = Some(e);
            break;
        }
    }
    let mut mode = with_mode.and_then(|e| get(e, "scalabilityMode").cloned());
    // Simulcast: one spatial layer per encoding.
    if encodings.len() > 1 {
        let text = mode.as_ref().map(|m| to_js_string(Some(m)));
        let parsed = parse_scalability_mode(text.as_deref());
        mode = Some(json!(format!(
            "L{}T{}",
            encodings.len(),
            parsed["temporalLayers"]
        )));
    }
    if truthy(mode.as_ref()) {
        set(&mut encoding, "scalabilityMode", mode.unwrap_or_default());
    }

    let mut max_bitrate = json!(0);
    for e in encodings {
        let b = read(Some(e), "maxBitrate")?;
        if truthy(b) && greater_than(b, Some(&max_bitrate)) {
            max_bitrate = b.cloned().unwrap_or_default();
        }
    }
    if truthy(Some(&max_bitrate)) {
        set(&mut encoding, "maxBitrate", max_bitrate);
    }
    Ok(encoding)
}

/// All consumable encodings with fresh SSRCs (and RTX SSRCs when `rtx`).
fn pipe_encodings(encodings: Option<&Value>, rtx: bool) -> Result<Vec<Value>> {
    let list = cloned_indexed(encodings);
    let base = random_number();
    let base_rtx = random_number();
    let mut out = Vec::with_capacity(list.len());
    for (i, mut encoding) in list.into_iter().enumerate() {
        if let Some(err) = assign_error(&encoding, "ssrc") {
            return Err(err);
        }
        let i = i as u64;
        set(&mut encoding, "ssrc", json!(base + i));
        if rtx {
            set(&mut encoding, "rtx", json!({ "ssrc": base_rtx + i }));
        } else {
            delete(&mut encoding, "rtx");
        }
        out.push(encoding);
    }
    Ok(out)
}

/// `getPipeConsumerRtpParameters({consumableRtpParameters, enableRtx})`.
pub fn get_pipe_consumer_rtp_parameters(
    consumable_params: &Value,
    enable_rtx: bool,
) -> Result<Value> {
    let rtcp = read(Some(consumable_params), "rtcp")?.cloned();
    let msid = get(consumable_params, "msid").cloned();

    let mut codecs = Vec::new();
    for mut codec in cloned_list(get(consumable_params, "codecs"), "consumableCodecs")? {
        if !enable_rtx && is_rtx_codec(&codec)? {
            continue;
        }
        retain_feedback(&mut codec, |fb| {
            let parameter = get(fb, "parameter");
            (fb_type_is(fb, "nack") && is_str(parameter, "pli"))
                || (fb_type_is(fb, "ccm") && is_str(parameter, "fir"))
                || (enable_rtx && fb_type_is(fb, "nack") && !truthy(parameter))
        })?;
        codecs.push(codec);
    }

    // No transport-level MID or bandwidth estimation between routers.
    let exts = array_for(
        get(consumable_params, "headerExtensions"),
        "consumableRtpParameters.headerExtensions",
        "filter",
    )?;
    let mut header_extensions = Vec::new();
    for ext in exts {
        let uri = read(Some(ext), "uri")?;
        if !is_str(uri, URI_MID)
            && !is_str(uri, URI_ABS_SEND_TIME)
            && !is_str(uri, URI_TRANSPORT_CC)
        {
            header_extensions.push(ext.clone());
        }
    }
    // The dependency descriptor extension is recvonly in the router
    // capabilities, hence absent from consumable parameters; add it back.
    if let Some(dd) = supported::dependency_descriptor_for_pipe() {
        header_extensions.push(dd);
        header_extensions.sort_by(|a, b| {
            let diff = to_number(get(a, "id")) - to_number(get(b, "id"));
            diff.partial_cmp(&0.0).unwrap_or(std::cmp::Ordering::Equal)
        });
    }

    let encodings = pipe_encodings(get(consumable_params, "encodings"), enable_rtx)?;

    Ok(object(vec![
        ("codecs", Some(Value::Array(codecs))),
        ("headerExtensions", Some(Value::Array(header_extensions))),
        ("encodings", Some(Value::Array(encodings))),
        ("rtcp", rtcp),
        ("msid", msid),
    ]))
}
