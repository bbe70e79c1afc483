//! Producer side: mapping a producer's RTP parameters onto the router's
//! capabilities, and the consumable RTP parameters derived from them.

use serde_json::{json, Value};

use super::js::{
    array, array_for, assign_error, cloned_indexed, delete, get, is_str, object, read, set,
    strict_eq, to_js_string,
};
use super::matching::{apply_match, is_rtx_codec, match_codecs};
use super::supported::URI_ABS_CAPTURE_TIME;
use crate::error::{Error, Result};

/// mediasoup's `generateRandomNumber()`: an integer in [100000000, 999999999).
pub(crate) fn random_number() -> u64 {
    use rand::Rng;
    rand::thread_rng().gen_range(100_000_000..999_999_999)
}

/// Finds the first element for which `pred` holds, propagating errors.
pub(crate) fn find_index<F>(list: &[Value], mut pred: F) -> Result<Option<usize>>
where
    F: FnMut(&Value) -> Result<bool>,
{
    for (i, v) in list.iter().enumerate() {
        if pred(v)? {
            return Ok(Some(i));
        }
    }
    Ok(None)
}

/// `getProducerRtpParametersMapping`, including mediasoup's side effect on
/// `params`: a strictly matched H264 codec gets the negotiated
/// profile-level-id written into its parameters.
pub fn get_producer_rtp_parameters_mapping_mut(params: &mut Value, caps: &Value) -> Result<Value> {
    let codecs = array(read(Some(&*params), "codecs")?, "params.codecs")?.clone();
    // (index in params.codecs, index in caps.codecs), in insertion order.
    let mut pairs: Vec<(usize, usize)> = Vec::new();

    for (i, codec) in codecs.iter().enumerate() {
        if is_rtx_codec(codec)? {
            continue;
        }
        let cap_codecs = array_for(read(Some(caps), "codecs")?, "caps.codecs", "find")?;
        let mut found = None;
        for (j, cap) in cap_codecs.iter().enumerate() {
            if let Some(matched) = match_codecs(codec, cap, true)? {
                found = Some((j, matched));
                break;
            }
        }
        let Some((j, matched)) = found else {
            return Err(Error::unsupported(format!(
                "unsupported codec [mimeType:{}, payloadType:{}]",
                to_js_string(get(codec, "mimeType")),
                to_js_string(get(codec, "payloadType"))
            )));
        };
        if let Some(Value::Array(list)) = params.get_mut("codecs") {
            apply_match(&mut list[i], &matched);
        }
        pairs.push((i, j));
    }

    // Re-read: the media codecs may have been modified above.
    let codecs = array(get(params, "codecs"), "params.codecs")?.clone();
    for (i, codec) in codecs.iter().enumerate() {
        if !is_rtx_codec(codec)? {
            continue;
        }
        let apt = read(get(codec, "parameters"), "apt")?;
        let associated = find_index(&codecs, |c| {
            Ok(strict_eq(read(Some(c), "payloadType")?, apt))
        })?;
        let Some(associated) = associated else {
            return Err(Error::type_error(format!(
                "missing media codec found for RTX PT {}",
                to_js_string(get(codec, "payloadType"))
            )));
        };
        let cap_codecs = array_for(read(Some(caps), "codecs")?, "caps.codecs", "find")?;
        let Some(&(_, cap_media_idx)) = pairs.iter().find(|(p, _)| *p == associated) else {
            return Err(Error::type_error(
                "Cannot read properties of undefined (reading 'preferredPayloadType')",
            ));
        };
        let cap_media_pt = get(&cap_codecs[cap_media_idx], "preferredPayloadType");
        let cap_rtx = find_index(cap_codecs, |cap| {
            Ok(is_rtx_codec(cap)? && strict_eq(read(get(cap, "parameters"), "apt")?, cap_media_pt))
        })?;
        let Some(cap_rtx) = cap_rtx else {
            return Err(Error::unsupported(format!(
                "no RTX codec for capability codec PT {}",
                to_js_string(cap_media_pt)
            )));
        };
        pairs.push((i, cap_rtx));
    }

    let cap_codecs = get(caps, "codecs").and_then(Value::as_array);
    let mapped_codecs: Vec<Value> = pairs
        .iter()
        .map(|&(i, j)| {
            object(vec![
                ("payloadType", get(&codecs[i], "payloadType").cloned()),
                (
                    "mappedPayloadType",
                    cap_codecs.and_then(|c| get(&c[j], "preferredPayloadType").cloned()),
                ),
            ])
        })
        .collect();

    // Consecutive mapped SSRCs from a random base.
    let base_ssrc = random_number();
    let mut encodings = Vec::new();
    let list = array(read(Some(&*params), "encodings")?, "params.encodings")?;
    for (i, encoding) in list.iter().enumerate() {
        let ssrc = read(Some(encoding), "ssrc")?.cloned();
        encodings.push(object(vec![
            ("ssrc", ssrc),
            ("rid", get(encoding, "rid").cloned()),
            ("mappedSsrc", Some(json!(base_ssrc + i as u64))),
        ]));
    }

    Ok(json!({ "codecs": mapped_codecs, "encodings": encodings }))
}

/// `getProducerRtpParametersMapping` without touching `params` (the H264
/// profile-level-id rewrite is applied to a private copy).
pub fn get_producer_rtp_parameters_mapping(params: &Value, caps: &Value) -> Result<Value> {
    let mut copy = params.clone();
    get_producer_rtp_parameters_mapping_mut(&mut copy, caps)
}

/// `getConsumableRtpParameters(kind, params, caps, rtpMapping)`.
pub fn get_consumable_rtp_parameters(
    kind: &str,
    params: &Value,
    caps: &Value,
    mapping: &Value,
) -> Result<Value> {
    let mut codecs_out = Vec::new();
    for codec in array(read(Some(params), "codecs")?, "params.codecs")? {
        if is_rtx_codec(codec)? {
            continue;
        }
        let entries = array_for(read(Some(mapping), "codecs")?, "rtpMapping.codecs", "find")?;
        let pt = get(codec, "payloadType");
        let entry = find_index(entries, |e| {
            Ok(strict_eq(read(Some(e), "payloadType")?, pt))
        })?
        .ok_or_else(|| {
            Error::type_error("Cannot read properties of undefined (reading 'mappedPayloadType')")
        })?;
        let mapped_pt = get(&entries[entry], "mappedPayloadType");
        let cap_codecs = array_for(read(Some(caps), "codecs")?, "caps.codecs", "find")?;
        let cap = find_index(cap_codecs, |c| {
            Ok(strict_eq(read(Some(c), "preferredPayloadType")?, mapped_pt))
        })?
        .map(|j| &cap_codecs[j])
        .ok_or_else(|| {
            Error::type_error("Cannot read properties of undefined (reading 'mimeType')")
        })?;
        let consumable = object(vec![
            ("mimeType", get(cap, "mimeType").cloned()),
            ("payloadType", get(cap, "preferredPayloadType").cloned()),
            ("clockRate", get(cap, "clockRate").cloned()),
            ("channels", get(cap, "channels").cloned()),
            // The producer's own parameters are kept.
            ("parameters", get(codec, "parameters").cloned()),
            ("rtcpFeedback", get(cap, "rtcpFeedback").cloned()),
        ]);
        let consumable_pt = get(&consumable, "payloadType");
        let rtx = find_index(cap_codecs, |c| {
            Ok(is_rtx_codec(c)? && strict_eq(read(get(c, "parameters"), "apt")?, consumable_pt))
        })?;
        let rtx = rtx.map(|j| {
            let c = &cap_codecs[j];
            object(vec![
                ("mimeType", get(c, "mimeType").cloned()),
                ("payloadType", get(c, "preferredPayloadType").cloned()),
                ("clockRate", get(c, "clockRate").cloned()),
                ("parameters", get(c, "parameters").cloned()),
                ("rtcpFeedback", get(c, "rtcpFeedback").cloned()),
            ])
        });
        codecs_out.push(consumable);
        codecs_out.extend(rtx);
    }

    let mut exts_out = Vec::new();
    for cap_ext in array(
        read(Some(caps), "headerExtensions")?,
        "caps.headerExtensions",
    )? {
        read(Some(cap_ext), "kind")?;
        let direction = get(cap_ext, "direction");
        if !is_str(get(cap_ext, "kind"), kind)
            || (!is_str(direction, "sendrecv") && !is_str(direction, "sendonly"))
        {
            continue;
        }
        // abs-capture-time is only relayed from the producer's packets, so it
        // is announced only when the producer negotiated it.
        if is_str(get(cap_ext, "uri"), URI_ABS_CAPTURE_TIME) {
            let producer_exts = array_for(
                get(params, "headerExtensions"),
                "params.headerExtensions",
                "some",
            )?;
            let uri = get(cap_ext, "uri");
            let negotiated =
                find_index(producer_exts, |e| Ok(strict_eq(read(Some(e), "uri")?, uri)))?;
            if negotiated.is_none() {
                continue;
            }
        }
        exts_out.push(object(vec![
            ("uri", get(cap_ext, "uri").cloned()),
            ("id", get(cap_ext, "preferredId").cloned()),
            ("encrypt", get(cap_ext, "preferredEncrypt").cloned()),
            ("parameters", Some(json!({}))),
        ]));
    }

    let mut encodings_out = Vec::new();
    for (i, mut encoding) in cloned_indexed(get(params, "encodings"))
        .into_iter()
        .enumerate()
    {
        let mapped = match read(Some(mapping), "encodings")? {
            Some(Value::Array(list)) => list.get(i),
            Some(Value::Null) => {
                return Err(Error::type_error(format!(
                    "Cannot read properties of null (reading '{i}')"
                )))
            }
            None => {
                return Err(Error::type_error(format!(
                    "Cannot read properties of undefined (reading '{i}')"
                )))
            }
            Some(_) => None,
        };
        let mapped = match mapped {
            Some(Value::Null) | None => {
                return Err(Error::type_error(
                    "Cannot destructure property 'mappedSsrc' of 'rtpMapping.encodings[i]' as it is undefined.",
                ))
            }
            Some(m) => m,
        };
        let mapped_ssrc = get(mapped, "mappedSsrc").cloned();
        if encoding.is_null() {
            return Err(Error::type_error(
                "Cannot convert undefined or null to object",
            ));
        }
        if let Some(err) = assign_error(&encoding, "ssrc") {
            return Err(err);
        }
        delete(&mut encoding, "rid");
        delete(&mut encoding, "rtx");
        delete(&mut encoding, "codecPayloadType");
        match mapped_ssrc {
            Some(ssrc) => set(&mut encoding, "ssrc", ssrc),
            None => delete(&mut encoding, "ssrc"),
        }
        encodings_out.push(encoding);
    }

    let cname = read(get(params, "rtcp"), "cname")?.cloned();
    Ok(object(vec![
        ("codecs", Some(Value::Array(codecs_out))),
        ("headerExtensions", Some(Value::Array(exts_out))),
        ("encodings", Some(Value::Array(encodings_out))),
        (
            "rtcp",
            Some(object(vec![
                ("cname", cname),
                ("reducedSize", Some(json!(true))),
            ])),
        ),
        ("msid", get(params, "msid").cloned()),
    ]))
}
