//! Router RTP capabilities from the media codecs given to `createRouter()`.

use serde_json::{json, Value};

use super::js::{get, is_number, object, strict_eq, to_js_string};
use super::matching::codecs_match;
use super::{supported, validate};
use crate::error::{Error, Result};

/// Dynamic payload types in allocation order.
fn dynamic_payload_types() -> Vec<u8> {
    (100..=127).chain(96..=99).collect()
}

fn take_dynamic(pool: &mut Vec<u8>) -> Result<u8> {
    if pool.is_empty() {
        return Err(Error::other(
            "cannot allocate more dynamic codec payload types",
        ));
    }
    Ok(pool.remove(0))
}

/// `{...base, ...extra}` for codec parameter objects (an array spreads as
/// its indexes).
fn merge_parameters(base: Option<&Value>, extra: Option<&Value>) -> Value {
    let mut merged = match base {
        Some(Value::Object(m)) => m.clone(),
        _ => Default::default(),
    };
    match extra {
        Some(Value::Object(m)) => {
            for (k, v) in m {
                merged.insert(k.clone(), v.clone());
            }
        }
        Some(Value::Array(a)) => {
            for (i, v) in a.iter().enumerate() {
                merged.insert(i.to_string(), v.clone());
            }
        }
        _ => {}
    }
    Value::Object(merged)
}

/// `generateRouterRtpCapabilities(mediaCodecs)`; `None` is `undefined`
/// (no media codecs).
pub fn generate_router_rtp_capabilities(media_codecs: Option<&Value>) -> Result<Value> {
    supported::mark_normalized();
    let media_codecs = match media_codecs {
        None => Vec::new(),
        Some(Value::Array(list)) => list.clone(),
        Some(_) => return Err(Error::type_error("mediaCodecs must be an Array")),
    };
    let table = supported::normalized_table();
    let supported_codecs = table["codecs"].as_array().cloned().unwrap_or_default();
    let mut pool = dynamic_payload_types();
    let mut codecs: Vec<Value> = Vec::new();

    for mut media_codec in media_codecs {
        validate::codec_capability(&mut media_codec)?;
        let mut found = None;
        for candidate in &supported_codecs {
            if codecs_match(&media_codec, candidate, false)? {
                found = Some(candidate);
                break;
            }
        }
        let Some(found) = found else {
            return Err(Error::unsupported(format!(
                "media codec not supported [mimeType:{}]",
                to_js_string(get(&media_codec, "mimeType"))
            )));
        };
        let mut codec = found.clone();

        let wanted_pt = get(&media_codec, "preferredPayloadType");
        if is_number(wanted_pt) {
            let pt = wanted_pt.cloned().unwrap_or_default();
            if let Some(idx) = pool
                .iter()
                .position(|p| strict_eq(Some(&Value::from(*p)), Some(&pt)))
            {
                pool.remove(idx);
            }
            codec["preferredPayloadType"] = pt;
        } else if !is_number(get(&codec, "preferredPayloadType")) {
            codec["preferredPayloadType"] = json!(take_dynamic(&mut pool)?);
        }

        let pt = get(&codec, "preferredPayloadType");
        if codecs
            .iter()
            .any(|c| strict_eq(get(c, "preferredPayloadType"), pt))
        {
            return Err(Error::type_error("duplicated codec.preferredPayloadType"));
        }

        codec["parameters"] =
            merge_parameters(get(&codec, "parameters"), get(&media_codec, "parameters"));

        let rtx = if get(&codec, "kind") == Some(&json!("video")) {
            let rtx_pt = take_dynamic(&mut pool)?;
            Some(object(vec![
                ("kind", get(&codec, "kind").cloned()),
                ("mimeType", Some(json!("video/rtx"))),
                ("preferredPayloadType", Some(json!(rtx_pt))),
                ("clockRate", get(&codec, "clockRate").cloned()),
                (
                    "parameters",
                    Some(object(vec![(
                        "apt",
                        get(&codec, "preferredPayloadType").cloned(),
                    )])),
                ),
                ("rtcpFeedback", Some(json!([]))),
            ]))
        } else {
            None
        };
        codecs.push(codec);
        codecs.extend(rtx);
    }

    if supported::dependency_descriptor_from(&table).is_some() {
        supported::fill_dependency_descriptor_cache();
    }

    Ok(json!({
        "codecs": codecs,
        "headerExtensions": table["headerExtensions"].clone(),
    }))
}
