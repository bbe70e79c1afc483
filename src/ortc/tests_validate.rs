//! Named tests for the validation / normalization rules (the fixture run in
//! `tests_flow` covers the same ground against mediasoup's own output).

use serde_json::{json, Value};

use super::*;
use crate::error::ErrorKind;

fn caps_ok(mut v: Value) -> Value {
    validate_and_normalize_rtp_capabilities(&mut v).unwrap();
    v
}

fn caps_err(mut v: Value) -> String {
    let err = validate_and_normalize_rtp_capabilities(&mut v).unwrap_err();
    assert_eq!(err.kind, ErrorKind::TypeError);
    err.message
}

fn params_ok(mut v: Value) -> Value {
    validate_and_normalize_rtp_parameters(&mut v).unwrap();
    v
}

fn params_err(mut v: Value) -> String {
    let err = validate_and_normalize_rtp_parameters(&mut v).unwrap_err();
    assert_eq!(err.kind, ErrorKind::TypeError);
    err.message
}

fn sctp_ok(mut v: Value) -> Value {
    validate_and_normalize_sctp_stream_parameters(&mut v).unwrap();
    v
}

fn sctp_err(mut v: Value) -> String {
    let err = validate_and_normalize_sctp_stream_parameters(&mut v).unwrap_err();
    assert_eq!(err.kind, ErrorKind::TypeError);
    err.message
}

#[test]
fn caps_lists_default_to_empty() {
    assert_eq!(
        caps_ok(json!({})),
        json!({"codecs": [], "headerExtensions": []})
    );
    assert_eq!(
        caps_ok(json!({"codecs": null})),
        json!({"codecs": [], "headerExtensions": []})
    );
    assert_eq!(caps_err(json!("x")), "caps is not an object");
    assert_eq!(caps_err(json!(null)), "caps is not an object");
    assert_eq!(
        caps_err(json!({"codecs": 1})),
        "caps.codecs is not an array"
    );
    assert_eq!(
        caps_err(json!({"headerExtensions": {}})),
        "caps.headerExtensions is not an array"
    );
}

#[test]
fn caps_codec_rules() {
    let one = |codec: Value| caps_ok(json!({"codecs": [codec]}))["codecs"][0].clone();
    let one_err = |codec: Value| caps_err(json!({"codecs": [codec]}));
    // kind from mimeType, channels default for audio, parameters/rtcpFeedback defaults.
    assert_eq!(
        serde_json::to_string(&one(
            json!({"kind": "video", "mimeType": "Audio/opus", "clockRate": 48000})
        ))
        .unwrap(),
        r#"{"kind":"audio","mimeType":"Audio/opus","clockRate":48000,"channels":1,"parameters":{},"rtcpFeedback":[]}"#
    );
    // channels removed for video.
    assert!(
        one(json!({"mimeType": "video/VP8", "clockRate": 90000, "channels": 3}))
            .get("channels")
            .is_none()
    );
    assert_eq!(one_err(json!("x")), "codec is not an object");
    assert_eq!(one_err(json!({"clockRate": 1})), "missing codec.mimeType");
    assert_eq!(
        one_err(json!({"mimeType": "text/x", "clockRate": 1})),
        "invalid codec.mimeType"
    );
    assert_eq!(
        one_err(json!({"mimeType": "audio/opus", "clockRate": 1, "preferredPayloadType": "1"})),
        "invalid codec.preferredPayloadType"
    );
    assert_eq!(
        one_err(json!({"mimeType": "audio/opus"})),
        "missing codec.clockRate"
    );
    assert_eq!(
        one_err(json!({"mimeType": "audio/opus", "clockRate": 1, "parameters": {"a": false}})),
        "invalid codec parameter [key:as, value:false]"
    );
    assert_eq!(
        one_err(json!({"mimeType": "video/rtx", "clockRate": 1, "parameters": {"apt": "96"}})),
        "invalid codec apt parameter"
    );
    assert_eq!(
        one_err(json!({"mimeType": "audio/opus", "clockRate": 1, "rtcpFeedback": [{}]})),
        "missing fb.type"
    );
    assert_eq!(
        one_err(json!({"mimeType": "audio/opus", "clockRate": 1, "rtcpFeedback": [1]})),
        "fb is not an object"
    );
    assert_eq!(
        one(json!({"mimeType": "audio/opus", "clockRate": 1, "rtcpFeedback": [{"type": "nack"}]}))
            ["rtcpFeedback"],
        json!([{"type": "nack", "parameter": ""}])
    );
}

#[test]
fn caps_header_extension_rules() {
    let one =
        |ext: Value| caps_ok(json!({"headerExtensions": [ext]}))["headerExtensions"][0].clone();
    let one_err = |ext: Value| caps_err(json!({"headerExtensions": [ext]}));
    assert_eq!(
        one(json!({"kind": "audio", "uri": "u", "preferredId": 1})),
        json!({"kind": "audio", "uri": "u", "preferredId": 1, "preferredEncrypt": false, "direction": "sendrecv"})
    );
    assert_eq!(
        one_err(json!({"kind": "x", "uri": "u", "preferredId": 1})),
        "invalid ext.kind"
    );
    assert_eq!(
        one_err(json!({"kind": "audio", "preferredId": 1})),
        "missing ext.uri"
    );
    assert_eq!(
        one_err(json!({"kind": "audio", "uri": "u"})),
        "missing ext.preferredId"
    );
    assert_eq!(
        one_err(json!({"kind": "audio", "uri": "u", "preferredId": 1, "preferredEncrypt": 1})),
        "invalid ext.preferredEncrypt"
    );
    assert_eq!(
        one_err(json!({"kind": "audio", "uri": "u", "preferredId": 1, "direction": true})),
        "invalid ext.direction"
    );
}

#[test]
fn rtp_parameters_rules() {
    assert_eq!(
        serde_json::to_string(&params_ok(json!({"codecs": []}))).unwrap(),
        r#"{"codecs":[],"headerExtensions":[],"encodings":[],"rtcp":{"reducedSize":true}}"#
    );
    assert_eq!(params_err(json!(1)), "params is not an object");
    assert_eq!(
        params_err(json!({"mid": 1, "codecs": []})),
        "params.mid is not a string"
    );
    assert_eq!(params_err(json!({})), "missing params.codecs");
    assert_eq!(
        params_err(json!({"codecs": [{"mimeType": "audio/opus", "clockRate": 1}]})),
        "missing codec.payloadType"
    );
    let p = params_ok(
        json!({"codecs": [{"mimeType": "audio/opus", "payloadType": 100, "clockRate": 1}]}),
    );
    assert_eq!(
        p["codecs"][0],
        json!({"mimeType": "audio/opus", "payloadType": 100, "clockRate": 1, "channels": 1, "parameters": {}, "rtcpFeedback": []})
    );
    // Header extensions.
    let p = params_ok(json!({"codecs": [], "headerExtensions": [{"uri": "u", "id": 3}]}));
    assert_eq!(
        p["headerExtensions"][0],
        json!({"uri": "u", "id": 3, "encrypt": false, "parameters": {}})
    );
    assert_eq!(
        params_err(json!({"codecs": [], "headerExtensions": [{"id": 3}]})),
        "missing ext.uri"
    );
    assert_eq!(
        params_err(json!({"codecs": [], "headerExtensions": [{"uri": "u"}]})),
        "missing ext.id"
    );
    // Encodings.
    let p =
        params_ok(json!({"codecs": [], "encodings": [{"ssrc": 1, "dtx": "yes"}, {"dtx": true}]}));
    assert_eq!(
        p["encodings"],
        json!([{"ssrc": 1, "dtx": false}, {"dtx": true}])
    );
    assert_eq!(
        params_err(json!({"codecs": [], "encodings": [{"rtx": {}}]})),
        "missing encoding.rtx.ssrc"
    );
    assert_eq!(
        params_err(json!({"codecs": [], "encodings": [{"ssrc": "1"}]})),
        "invalid encoding.ssrc"
    );
    assert_eq!(
        params_err(json!({"codecs": [], "encodings": [{"rid": 1}]})),
        "invalid encoding.rid"
    );
    // RTCP: reducedSize is forced to true unless it is `true` already.
    let p = params_ok(json!({"codecs": [], "rtcp": {"cname": "x", "reducedSize": false}}));
    assert_eq!(p["rtcp"], json!({"cname": "x", "reducedSize": true}));
    assert_eq!(
        params_err(json!({"codecs": [], "rtcp": {"cname": 1}})),
        "invalid rtcp.cname"
    );
    assert_eq!(
        params_err(json!({"codecs": [], "rtcp": 1})),
        "params.rtcp is not an object"
    );
    assert_eq!(
        params_err(json!({"codecs": [], "msid": 1})),
        "params.msid is not a string"
    );
}

#[test]
fn sctp_stream_parameters_rules() {
    assert_eq!(
        sctp_ok(json!({"streamId": 1})),
        json!({"streamId": 1, "ordered": true})
    );
    assert_eq!(sctp_err(json!({})), "missing params.streamId");
    assert_eq!(sctp_err(json!(3)), "params is not an object");
    assert_eq!(
        sctp_err(json!({"streamId": 1, "maxPacketLifeTime": 1, "maxRetransmits": 1})),
        "cannot provide both maxPacketLifeTime and maxRetransmits"
    );
    assert_eq!(
        sctp_err(json!({"streamId": 1, "ordered": true, "maxRetransmits": 1})),
        "cannot be ordered with maxPacketLifeTime or maxRetransmits"
    );
    assert_eq!(
        sctp_ok(json!({"streamId": 1, "maxPacketLifeTime": 5})),
        json!({"streamId": 1, "ordered": false, "maxPacketLifeTime": 5})
    );
    assert_eq!(
        sctp_ok(json!({"streamId": 1, "ordered": false, "maxRetransmits": 5})),
        json!({"streamId": 1, "ordered": false, "maxRetransmits": 5})
    );
    assert_eq!(
        sctp_err(json!({"streamId": 1, "maxRetransmits": "5"})),
        "invalid params.maxRetransmits"
    );
    assert_eq!(
        sctp_err(json!({"streamId": 1, "maxPacketLifeTime": "5"})),
        "invalid params.maxPacketLifeTime"
    );
    // Zero counts as not given.
    assert_eq!(
        sctp_ok(json!({"streamId": 1, "maxRetransmits": 0})),
        json!({"streamId": 1, "ordered": true, "maxRetransmits": 0})
    );
}
