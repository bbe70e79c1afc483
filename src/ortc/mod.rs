//! RTP negotiation ("ortc"): a port of mediasoup 3.27.1's `ortc` module, its
//! `supportedRtpCapabilities` table, `parseScalabilityMode` and the H264
//! profile-level-id logic, working on `serde_json::Value` so that results are
//! JSON-identical to what mediasoup's JS returns.
//!
//! JS semantics (truthiness, `===`, `typeof`) are reproduced on JSON values:
//! a missing key is `undefined`, `Value::Null` is `null`. At the top level
//! (function arguments) `null` is treated as `undefined`, because that is
//! what `undefined` arguments become when serialized at the JS boundary.

mod consumer;
mod h264;
mod js;
mod matching;
mod producer;
mod router_caps;
mod scalability;
mod supported;
mod validate;

#[cfg(test)]
mod tests_flow;
#[cfg(test)]
mod tests_mediasoup;
#[cfg(test)]
mod tests_validate;

use serde_json::{json, Value};

use crate::error::{Error, Result};

pub use consumer::{
    can_consume, consumer_rtp_parameters_of_normalized_caps, get_consumer_rtp_parameters,
    get_pipe_consumer_rtp_parameters,
};
pub use h264::{
    generate_profile_level_id_string_for_answer, is_same_profile, parse_profile_level_id,
    parse_sdp_profile_level_id, profile_level_id_to_string, Profile, ProfileLevelId,
};
pub use producer::{
    get_consumable_rtp_parameters, get_producer_rtp_parameters_mapping,
    get_producer_rtp_parameters_mapping_mut,
};
pub use router_caps::generate_router_rtp_capabilities;
pub use scalability::parse_scalability_mode;
pub use supported::supported_rtp_capabilities;

/// Validates RTP capabilities, filling in defaults in place (TypeError when
/// invalid).
pub fn validate_and_normalize_rtp_capabilities(caps: &mut Value) -> Result<()> {
    validate::rtp_capabilities(Some(caps))
}

/// Validates RTP parameters, filling in defaults in place (TypeError when
/// invalid).
pub fn validate_and_normalize_rtp_parameters(params: &mut Value) -> Result<()> {
    validate::rtp_parameters(Some(params))
}

/// Validates SCTP stream parameters, filling in defaults in place (TypeError
/// when invalid).
pub fn validate_and_normalize_sctp_stream_parameters(params: &mut Value) -> Result<()> {
    validate::sctp_stream_parameters(Some(params))
}

/// Entry point for JS. `func` is the mediasoup ortc function name and `args`
/// the JS arguments (missing or `null` entries stand for `undefined`).
///
/// - `validateAndNormalize*` return the normalized copy of their argument.
/// - `canConsume` returns a boolean.
/// - `getConsumerRtpParameters` / `getPipeConsumerRtpParameters` take the
///   single options object mediasoup takes.
/// - Extras: `getProducerRtpParametersMappingWithParameters` returns
///   `{rtpMapping, rtpParameters}` where `rtpParameters` carries mediasoup's
///   in-place H264 profile-level-id rewrite; `parseScalabilityMode` and
///   `getSupportedRtpCapabilities`.
pub fn dispatch(func: &str, args: &[Value]) -> Result<Value> {
    let refs: Vec<&Value> = args.iter().collect();
    dispatch_refs(func, &refs)
}

/// [`dispatch`] on borrowed arguments (e.g. parsed once and cached).
pub fn dispatch_refs(func: &str, args: &[&Value]) -> Result<Value> {
    let arg = |i: usize| args.get(i).copied().filter(|v| !v.is_null());
    // Required object arguments: mediasoup reads a property of them first.
    let required = |i: usize, first_key: &str| -> Result<&Value> {
        arg(i).ok_or_else(|| {
            Error::type_error(format!(
                "Cannot read properties of undefined (reading '{first_key}')"
            ))
        })
    };
    match func {
        "validateAndNormalizeRtpCapabilities" => {
            let mut v = arg(0).cloned();
            validate::rtp_capabilities(v.as_mut())?;
            Ok(v.unwrap_or_default())
        }
        "validateAndNormalizeRtpParameters" => {
            let mut v = arg(0).cloned();
            validate::rtp_parameters(v.as_mut())?;
            Ok(v.unwrap_or_default())
        }
        "validateAndNormalizeSctpStreamParameters" => {
            let mut v = arg(0).cloned();
            validate::sctp_stream_parameters(v.as_mut())?;
            Ok(v.unwrap_or_default())
        }
        "generateRouterRtpCapabilities" => generate_router_rtp_capabilities(arg(0)),
        "getProducerRtpParametersMapping" => {
            get_producer_rtp_parameters_mapping(required(0, "codecs")?, required(1, "codecs")?)
        }
        "getProducerRtpParametersMappingWithParameters" => {
            let mut params = required(0, "codecs")?.clone();
            let mapping =
                get_producer_rtp_parameters_mapping_mut(&mut params, required(1, "codecs")?)?;
            Ok(json!({ "rtpMapping": mapping, "rtpParameters": params }))
        }
        "getConsumableRtpParameters" => {
            let kind = arg(0);
            let params = required(1, "codecs")?;
            let caps = required(2, "codecs")?;
            let mapping = required(3, "codecs")?;
            match kind {
                Some(Value::String(k)) => get_consumable_rtp_parameters(k, params, caps, mapping),
                // A non-string kind never equals a header extension kind.
                _ => get_consumable_rtp_parameters("\u{0}", params, caps, mapping),
            }
        }
        "canConsume" => {
            let caps = arg(1).ok_or_else(|| Error::type_error("caps is not an object"))?;
            let mut normalized = caps.clone();
            validate::rtp_capabilities(Some(&mut normalized))?;
            can_consume(required(0, "codecs")?, &normalized).map(Value::Bool)
        }
        "getConsumerRtpParameters" => {
            let opts = options(arg(0), "consumableRtpParameters")?;
            let consumable = required_field(opts, "consumableRtpParameters", "rtcp")?;
            let remote = required_field(opts, "remoteRtpCapabilities", "codecs")?;
            let pipe = js::truthy(js::get(opts, "pipe"));
            let enable_rtx = js::truthy(js::get(opts, "enableRtx"));
            get_consumer_rtp_parameters(consumable, remote, pipe, enable_rtx)
        }
        // Internal: positional arguments, capabilities that
        // validateAndNormalizeRtpCapabilities() already produced.
        "getConsumerRtpParametersOfNormalizedCapabilities" => {
            let consumable = required(0, "rtcp")?;
            let remote = required(1, "codecs")?;
            let pipe = js::truthy(arg(2));
            let enable_rtx = js::truthy(arg(3));
            consumer_rtp_parameters_of_normalized_caps(consumable, remote, pipe, enable_rtx)
        }
        "getPipeConsumerRtpParameters" => {
            let opts = options(arg(0), "consumableRtpParameters")?;
            let consumable = required_field(opts, "consumableRtpParameters", "rtcp")?;
            let enable_rtx = js::truthy(js::get(opts, "enableRtx"));
            get_pipe_consumer_rtp_parameters(consumable, enable_rtx)
        }
        "parseScalabilityMode" => {
            let mode = arg(0).map(|v| js::to_js_string(Some(v)));
            Ok(parse_scalability_mode(mode.as_deref()))
        }
        "getSupportedRtpCapabilities" => Ok(supported_rtp_capabilities()),
        other => Err(Error::type_error(format!(
            "unknown ortc function \"{other}\""
        ))),
    }
}

/// The options object of a destructuring function signature.
fn options<'a>(v: Option<&'a Value>, first_key: &str) -> Result<&'a Value> {
    v.ok_or_else(|| {
        Error::type_error(format!(
            "Cannot destructure property '{first_key}' of 'undefined' as it is undefined."
        ))
    })
}

/// A destructured property that mediasoup reads `first_key` from.
fn required_field<'a>(opts: &'a Value, key: &str, first_key: &str) -> Result<&'a Value> {
    match js::get(opts, key) {
        Some(v) if !v.is_null() => Ok(v),
        Some(_) => Err(Error::type_error(format!(
            "Cannot read properties of null (reading '{first_key}')"
        ))),
        None => Err(Error::type_error(format!(
            "Cannot read properties of undefined (reading '{first_key}')"
        ))),
    }
}
