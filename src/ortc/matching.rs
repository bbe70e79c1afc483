//! Codec identity checks: RTX detection and codec matching (loose for router
//! capability generation, strict for negotiation).

use serde_json::Value;

use super::h264;
use super::js::{get, is_line_terminator, read, strict_eq, to_js_string, truthy};
use crate::error::{Error, Result};

/// Whether the codec's mimeType is `<something>/rtx` (any case).
pub(crate) fn is_rtx_codec(codec: &Value) -> Result<bool> {
    let mime = to_js_string(read(Some(codec), "mimeType")?);
    let lower = mime.to_ascii_lowercase();
    let Some(head) = lower.strip_suffix("/rtx") else {
        return Ok(false);
    };
    Ok(head
        .chars()
        .next_back()
        .is_some_and(|c| !is_line_terminator(c)))
}

/// Outcome of a successful match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Matched {
    /// For a strict H264 match: the profile-level-id the first codec should
    /// carry (`None` = remove it), as `modify` would write it.
    pub h264_profile_level_id: Option<Option<String>>,
}

fn lower_mime(codec: &Value, name: &str) -> Result<String> {
    match read(Some(codec), "mimeType")? {
        Some(Value::String(s)) => Ok(s.to_lowercase()),
        None | Some(Value::Null) => Err(Error::type_error(
            "Cannot read properties of undefined (reading 'toLowerCase')",
        )),
        Some(_) => Err(Error::type_error(format!(
            "{name}.mimeType.toLowerCase is not a function"
        ))),
    }
}

/// `codec.parameters[key]`, throwing like JS when `parameters` is missing.
fn param<'a>(codec: &'a Value, key: &str) -> Result<Option<&'a Value>> {
    read(get(codec, "parameters"), key)
}

/// `codec.parameters[key] || 0`.
fn param_or_zero(codec: &Value, key: &str) -> Result<Value> {
    let v = param(codec, key)?;
    Ok(if truthy(v) {
        v.cloned().unwrap_or_default()
    } else {
        Value::from(0)
    })
}

/// Whether `a` matches `b`: same mimeType (ignoring case), clockRate and
/// channels, plus codec specific checks. Returns `None` when they differ.
pub(crate) fn match_codecs(a: &Value, b: &Value, strict: bool) -> Result<Option<Matched>> {
    let a_mime = lower_mime(a, "aCodec")?;
    let b_mime = lower_mime(b, "bCodec")?;
    let mut matched = Matched {
        h264_profile_level_id: None,
    };
    if a_mime != b_mime
        || !strict_eq(get(a, "clockRate"), get(b, "clockRate"))
        || !strict_eq(get(a, "channels"), get(b, "channels"))
    {
        return Ok(None);
    }
    match a_mime.as_str() {
        "audio/multiopus" => {
            for key in ["num_streams", "coupled_streams"] {
                if !strict_eq(param(a, key)?, param(b, key)?) {
                    return Ok(None);
                }
            }
        }
        "video/h264" if strict => {
            let a_mode = param_or_zero(a, "packetization-mode")?;
            let b_mode = param_or_zero(b, "packetization-mode")?;
            if !strict_eq(Some(&a_mode), Some(&b_mode)) {
                return Ok(None);
            }
            let empty = Value::Object(Default::default());
            let a_params = get(a, "parameters").unwrap_or(&empty);
            let b_params = get(b, "parameters").unwrap_or(&empty);
            if !h264::is_same_profile(a_params, b_params) {
                return Ok(None);
            }
            match h264::generate_profile_level_id_string_for_answer(a_params, b_params) {
                Ok(selected) => matched.h264_profile_level_id = Some(selected),
                Err(_) => return Ok(None),
            }
        }
        "video/vp9" if strict => {
            let a_profile = param_or_zero(a, "profile-id")?;
            let b_profile = param_or_zero(b, "profile-id")?;
            if !strict_eq(Some(&a_profile), Some(&b_profile)) {
                return Ok(None);
            }
        }
        _ => {}
    }
    Ok(Some(matched))
}

/// `match_codecs(a, b, strict).is_some()`.
pub(crate) fn codecs_match(a: &Value, b: &Value, strict: bool) -> Result<bool> {
    Ok(match_codecs(a, b, strict)?.is_some())
}

/// Applies the `modify` side effect of a strict H264 match to `codec`.
pub(crate) fn apply_match(codec: &mut Value, matched: &Matched) {
    let Some(selected) = &matched.h264_profile_level_id else {
        return;
    };
    if let Some(params) = codec.get_mut("parameters") {
        match selected {
            Some(id) => super::js::set(params, "profile-level-id", Value::from(id.as_str())),
            None => super::js::delete(params, "profile-level-id"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rtx_detection() {
        assert!(is_rtx_codec(&json!({"mimeType": "video/rtx"})).unwrap());
        assert!(is_rtx_codec(&json!({"mimeType": "audio/RTX"})).unwrap());
        assert!(is_rtx_codec(&json!({"mimeType": "x/rTx"})).unwrap());
        assert!(!is_rtx_codec(&json!({"mimeType": "/rtx"})).unwrap());
        assert!(!is_rtx_codec(&json!({"mimeType": "video/rtx2"})).unwrap());
        assert!(!is_rtx_codec(&json!({"mimeType": "video/VP8"})).unwrap());
        assert!(!is_rtx_codec(&json!({})).unwrap());
        assert!(is_rtx_codec(&json!(null)).is_err());
    }

    fn m(a: Value, b: Value, strict: bool) -> bool {
        codecs_match(&a, &b, strict).unwrap()
    }

    #[test]
    fn basic_fields() {
        let opus =
            json!({"mimeType": "audio/opus", "clockRate": 48000, "channels": 2, "parameters": {}});
        assert!(m(
            opus.clone(),
            json!({"mimeType": "AUDIO/OPUS", "clockRate": 48000, "channels": 2}),
            false
        ));
        assert!(!m(
            opus.clone(),
            json!({"mimeType": "audio/opus", "clockRate": 48000, "channels": 1}),
            false
        ));
        assert!(!m(
            opus.clone(),
            json!({"mimeType": "audio/opus", "clockRate": 44100, "channels": 2}),
            false
        ));
        assert!(!m(
            opus,
            json!({"mimeType": "audio/opus", "clockRate": 48000}),
            false
        ));
    }

    #[test]
    fn multiopus_streams() {
        let a = json!({"mimeType": "audio/multiopus", "clockRate": 48000, "channels": 6,
            "parameters": {"num_streams": 4, "coupled_streams": 2}});
        let mut b = a.clone();
        assert!(m(a.clone(), b.clone(), false));
        b["parameters"]["num_streams"] = json!("4");
        assert!(!m(a.clone(), b.clone(), false));
        b["parameters"]["num_streams"] = json!(4);
        b["parameters"]["coupled_streams"] = json!(3);
        assert!(!m(a.clone(), b, true));
        assert!(codecs_match(
            &a,
            &json!({"mimeType": "audio/multiopus", "clockRate": 48000, "channels": 6}),
            false
        )
        .is_err());
    }

    fn h264(params: Value) -> Value {
        json!({"mimeType": "video/H264", "clockRate": 90000, "parameters": params})
    }

    #[test]
    fn h264_rules() {
        // Loose matching ignores parameters.
        assert!(m(
            h264(json!({"packetization-mode": 1})),
            h264(json!({})),
            false
        ));
        // Packetization mode must be equal (missing means 0, strict types).
        assert!(!m(
            h264(json!({"packetization-mode": 1})),
            h264(json!({})),
            true
        ));
        assert!(m(
            h264(json!({"packetization-mode": 0})),
            h264(json!({})),
            true
        ));
        assert!(!m(
            h264(json!({"packetization-mode": "1"})),
            h264(json!({"packetization-mode": 1})),
            true
        ));
        // Profile must be equal.
        assert!(!m(
            h264(json!({"profile-level-id": "42e01f"})),
            h264(json!({"profile-level-id": "640c1f"})),
            true
        ));
        // Invalid ids never match.
        assert!(!m(
            h264(json!({"profile-level-id": "zzzzzz"})),
            h264(json!({"profile-level-id": "zzzzzz"})),
            true
        ));
        let got = match_codecs(
            &h264(json!({"profile-level-id": "42e02a"})),
            &h264(json!({"profile-level-id": "42e01f"})),
            true,
        )
        .unwrap()
        .unwrap();
        assert_eq!(got.h264_profile_level_id, Some(Some("42e01f".into())));
        let got = match_codecs(&h264(json!({})), &h264(json!({})), true)
            .unwrap()
            .unwrap();
        assert_eq!(got.h264_profile_level_id, Some(None));
    }

    #[test]
    fn h264_modify() {
        let mut codec = h264(json!({"profile-level-id": "42e02a", "x": 1}));
        let got = match_codecs(&codec, &h264(json!({"profile-level-id": "42e01f"})), true)
            .unwrap()
            .unwrap();
        apply_match(&mut codec, &got);
        assert_eq!(
            codec["parameters"],
            json!({"profile-level-id": "42e01f", "x": 1})
        );
        let mut codec = h264(json!({}));
        let got = match_codecs(&codec, &h264(json!({"profile-level-id": "42e01f"})), true)
            .unwrap()
            .unwrap();
        apply_match(&mut codec, &got);
        assert_eq!(codec["parameters"], json!({"profile-level-id": "42e01f"}));
    }

    #[test]
    fn vp9_profile() {
        let vp9 = |p: Value| json!({"mimeType": "video/VP9", "clockRate": 90000, "parameters": p});
        assert!(m(vp9(json!({})), vp9(json!({"profile-id": 0})), true));
        assert!(!m(vp9(json!({"profile-id": 2})), vp9(json!({})), true));
        assert!(m(vp9(json!({"profile-id": 2})), vp9(json!({})), false));
        assert!(!m(
            vp9(json!({"profile-id": "2"})),
            vp9(json!({"profile-id": 2})),
            true
        ));
        assert!(m(
            vp9(json!({"profile-id": 2})),
            vp9(json!({"profile-id": 2})),
            true
        ));
    }
}
