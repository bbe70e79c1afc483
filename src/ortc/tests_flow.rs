//! Fixture-driven conformance tests: every scenario in
//! `fixtures/scenarios.json` was run through mediasoup 3.27.1's own ortc
//! module (see `fixtures/gen_scenarios.js`); `dispatch` must give the same
//! JSON (byte for byte, key order included) or the same error class and
//! message. Random SSRCs are compared as "RANDOM"; their relations are
//! checked by the tests at the end of this file.

use serde_json::{json, Map, Value};

use super::dispatch;

const SCENARIOS: &str = include_str!("fixtures/scenarios.json");

fn resolve(v: &Value, refs: &Map<String, Value>) -> Value {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(name)) = m.get("$ref") {
                return refs[name].clone();
            }
            Value::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), resolve(v, refs)))
                    .collect(),
            )
        }
        Value::Array(a) => Value::Array(a.iter().map(|v| resolve(v, refs)).collect()),
        other => other.clone(),
    }
}

fn scrub(v: &Value, key: Option<&str>) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), scrub(v, Some(k))))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(|v| scrub(v, None)).collect()),
        Value::Number(n)
            if matches!(key, Some("ssrc") | Some("mappedSsrc"))
                && n.as_f64().unwrap_or(0.0) >= 100_000_000.0 =>
        {
            json!("RANDOM")
        }
        other => other.clone(),
    }
}

#[test]
fn mediasoup_scenarios() {
    let fixture: Value = serde_json::from_str(SCENARIOS).unwrap();
    let refs = fixture["refs"].as_object().unwrap();
    let scenarios = fixture["scenarios"].as_array().unwrap();
    assert!(scenarios.len() > 200);
    let mut failures = Vec::new();
    for s in scenarios {
        let name = s["name"].as_str().unwrap();
        let func = s["func"].as_str().unwrap();
        let args: Vec<Value> = resolve(&s["args"], refs).as_array().unwrap().clone();
        let got = dispatch(func, &args);
        match (s.get("result"), s.get("error"), got) {
            (Some(expected), _, Ok(actual)) => {
                let expected = serde_json::to_string(&resolve(expected, refs)).unwrap();
                let actual = serde_json::to_string(&scrub(&actual, None)).unwrap();
                if expected != actual {
                    failures.push(format!(
                        "{name}:\n  expected {expected}\n  actual   {actual}"
                    ));
                }
            }
            (_, Some(expected), Err(err)) => {
                if expected["name"] != err.kind.as_str() || expected["message"] != err.message {
                    failures.push(format!(
                        "{name}: expected {expected}, got {}: {}",
                        err.kind.as_str(),
                        err.message
                    ));
                }
            }
            (_, _, got) => failures.push(format!("{name}: unexpected outcome {got:?}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn fixture_ref(name: &str) -> Value {
    let fixture: Value = serde_json::from_str(SCENARIOS).unwrap();
    fixture["refs"][name].clone()
}

fn in_random_range(v: &Value) -> u64 {
    let n = v.as_u64().expect("ssrc is an integer");
    assert!((100_000_000..999_999_999).contains(&n), "{n} out of range");
    n
}

#[test]
fn producer_mapping_ssrcs_are_consecutive() {
    let caps = fixture_ref("routerCaps");
    let params = fixture_ref("videoParams");
    let mapping = dispatch("getProducerRtpParametersMapping", &[params, caps]).unwrap();
    let encodings = mapping["encodings"].as_array().unwrap();
    let base = in_random_range(&encodings[0]["mappedSsrc"]);
    for (i, e) in encodings.iter().enumerate() {
        assert_eq!(e["mappedSsrc"].as_u64().unwrap(), base + i as u64);
    }
}

#[test]
fn consumer_single_encoding_rtx_is_ssrc_plus_one() {
    dispatch("generateRouterRtpCapabilities", &[]).unwrap();
    let args = [json!({
        "consumableRtpParameters": fixture_ref("videoConsumable"),
        "remoteRtpCapabilities": fixture_ref("remoteAll"),
        "enableRtx": true,
    })];
    let params = dispatch("getConsumerRtpParameters", &args).unwrap();
    let encoding = &params["encodings"][0];
    let ssrc = in_random_range(&encoding["ssrc"]);
    assert_eq!(encoding["rtx"]["ssrc"].as_u64().unwrap(), ssrc + 1);
}

#[test]
fn pipe_ssrcs_are_consecutive_per_base() {
    let consumable = fixture_ref("videoConsumable");
    let check = |params: &Value, rtx: bool| {
        let encodings = params["encodings"].as_array().unwrap();
        assert_eq!(encodings.len(), 3);
        let base = in_random_range(&encodings[0]["ssrc"]);
        let rtx_base = rtx.then(|| in_random_range(&encodings[0]["rtx"]["ssrc"]));
        for (i, e) in encodings.iter().enumerate() {
            assert_eq!(e["ssrc"].as_u64().unwrap(), base + i as u64);
            match rtx_base {
                Some(b) => assert_eq!(e["rtx"]["ssrc"].as_u64().unwrap(), b + i as u64),
                None => assert!(e.get("rtx").is_none()),
            }
        }
    };
    for rtx in [true, false] {
        let args = [json!({ "consumableRtpParameters": consumable, "enableRtx": rtx })];
        check(
            &dispatch("getPipeConsumerRtpParameters", &args).unwrap(),
            rtx,
        );
        let args = [json!({
            "consumableRtpParameters": consumable,
            "remoteRtpCapabilities": fixture_ref("remoteAll"),
            "pipe": true,
            "enableRtx": rtx,
        })];
        check(&dispatch("getConsumerRtpParameters", &args).unwrap(), rtx);
    }
}

#[test]
fn inputs_are_not_mutated() {
    let caps = fixture_ref("routerCaps");
    let mut params = fixture_ref("videoParams");
    params["codecs"] = json!([{
        "mimeType": "video/H264", "payloadType": 111, "clockRate": 90000,
        "parameters": {"packetization-mode": 1, "profile-level-id": "42e034"}
    }]);
    let before = params.clone();
    super::get_producer_rtp_parameters_mapping(&params, &caps).unwrap();
    assert_eq!(params, before);
    // The mutating flavour rewrites the level like mediasoup does.
    super::get_producer_rtp_parameters_mapping_mut(&mut params, &caps).unwrap();
    assert_eq!(
        params["codecs"][0]["parameters"]["profile-level-id"],
        "42e01f"
    );

    let remote = json!({"codecs": [{"mimeType": "video/VP8", "clockRate": 90000}]});
    let remote_before = remote.clone();
    let consumable = fixture_ref("videoConsumable");
    super::can_consume(&consumable, &remote).unwrap();
    super::get_consumer_rtp_parameters(
        &consumable,
        &json!({"codecs": remote["codecs"], "headerExtensions": []}),
        false,
        true,
    )
    .unwrap();
    assert_eq!(remote, remote_before);
}

#[test]
fn unknown_function_is_a_type_error() {
    let err = dispatch("foo", &[]).unwrap_err();
    assert_eq!(err.kind, crate::error::ErrorKind::TypeError);
}

#[test]
fn null_arguments_stand_for_undefined() {
    // generateRouterRtpCapabilities(undefined) uses no media codecs.
    let caps = dispatch("generateRouterRtpCapabilities", &[Value::Null]).unwrap();
    assert_eq!(caps["codecs"], json!([]));
    let err = dispatch("validateAndNormalizeRtpCapabilities", &[Value::Null]).unwrap_err();
    assert_eq!(err.message, "caps is not an object");
    let err = dispatch("validateAndNormalizeSctpStreamParameters", &[Value::Null]).unwrap_err();
    assert_eq!(err.message, "params is not an object");
}

/// The fast path the JS layer takes for capabilities it normalized gives
/// what `getConsumerRtpParameters` gives, in every scenario that succeeds.
#[test]
fn consumer_parameters_of_normalized_caps_match_mediasoup_scenarios() {
    let fixture: Value = serde_json::from_str(SCENARIOS).unwrap();
    let refs = fixture["refs"].as_object().unwrap();
    let mut checked = 0;
    for s in fixture["scenarios"].as_array().unwrap() {
        let (Some("getConsumerRtpParameters"), Some(expected)) =
            (s["func"].as_str(), s.get("result"))
        else {
            continue;
        };
        let options = resolve(&s["args"][0], refs);
        let caps = dispatch(
            "validateAndNormalizeRtpCapabilities",
            &[options["remoteRtpCapabilities"].clone()],
        )
        .unwrap();
        let args = [
            options["consumableRtpParameters"].clone(),
            caps,
            options.get("pipe").cloned().unwrap_or(Value::Null),
            options.get("enableRtx").cloned().unwrap_or(Value::Null),
        ];
        let actual = dispatch("getConsumerRtpParametersOfNormalizedCapabilities", &args).unwrap();
        assert_eq!(
            serde_json::to_string(&scrub(&actual, None)).unwrap(),
            serde_json::to_string(&resolve(expected, refs)).unwrap(),
            "{}",
            s["name"]
        );
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} scenarios");
}
