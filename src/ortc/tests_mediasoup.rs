//! The assertions of mediasoup 3.27.1's `test-ortc.js` (and the
//! `parseScalabilityMode` part of `test-mediasoup.js`), against the Rust API.

use serde_json::{json, Value};

use super::*;
use crate::error::ErrorKind;

#[test]
fn generate_router_rtp_capabilities_succeeds() {
    let media_codecs = json!([
        {
            "kind": "audio", "mimeType": "audio/opus", "clockRate": 48000, "channels": 2,
            "parameters": { "useinbandfec": 1, "foo": "bar" }
        },
        { "kind": "video", "mimeType": "video/VP8", "preferredPayloadType": 125, "clockRate": 90000 },
        {
            "kind": "video", "mimeType": "video/H264", "clockRate": 90000,
            "parameters": { "level-asymmetry-allowed": 1, "profile-level-id": "42e01f", "foo": "bar" },
            "rtcpFeedback": []
        }
    ]);
    let caps = generate_router_rtp_capabilities(Some(&media_codecs)).unwrap();
    let codecs = caps["codecs"].as_array().unwrap();
    assert_eq!(codecs.len(), 5);
    assert_eq!(
        codecs[0],
        json!({
            "kind": "audio", "mimeType": "audio/opus", "preferredPayloadType": 100,
            "clockRate": 48000, "channels": 2,
            "parameters": { "useinbandfec": 1, "foo": "bar" },
            "rtcpFeedback": [
                { "type": "nack", "parameter": "" },
                { "type": "transport-cc", "parameter": "" }
            ]
        })
    );
    let video_fb = json!([
        { "type": "nack", "parameter": "" },
        { "type": "nack", "parameter": "pli" },
        { "type": "ccm", "parameter": "fir" },
        { "type": "goog-remb", "parameter": "" },
        { "type": "transport-cc", "parameter": "" }
    ]);
    assert_eq!(
        codecs[1],
        json!({
            "kind": "video", "mimeType": "video/VP8", "preferredPayloadType": 125,
            "clockRate": 90000, "parameters": {}, "rtcpFeedback": video_fb
        })
    );
    assert_eq!(
        codecs[2],
        json!({
            "kind": "video", "mimeType": "video/rtx", "preferredPayloadType": 101,
            "clockRate": 90000, "parameters": { "apt": 125 }, "rtcpFeedback": []
        })
    );
    assert_eq!(
        codecs[3],
        json!({
            "kind": "video", "mimeType": "video/H264", "preferredPayloadType": 102,
            "clockRate": 90000,
            "parameters": { "level-asymmetry-allowed": 1, "profile-level-id": "42e01f", "foo": "bar" },
            "rtcpFeedback": video_fb
        })
    );
    assert_eq!(
        codecs[4],
        json!({
            "kind": "video", "mimeType": "video/rtx", "preferredPayloadType": 103,
            "clockRate": 90000, "parameters": { "apt": 102 }, "rtcpFeedback": []
        })
    );
}

#[test]
fn generate_router_rtp_capabilities_with_unsupported_codecs_throws_unsupported_error() {
    let codecs =
        json!([{ "kind": "audio", "mimeType": "audio/chicken", "clockRate": 8000, "channels": 4 }]);
    let err = generate_router_rtp_capabilities(Some(&codecs)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unsupported);
    let codecs =
        json!([{ "kind": "audio", "mimeType": "audio/opus", "clockRate": 48000, "channels": 1 }]);
    let err = generate_router_rtp_capabilities(Some(&codecs)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unsupported);
}

#[test]
fn generate_router_rtp_capabilities_with_too_many_codecs_throws() {
    let codecs: Vec<Value> = (0..100)
        .map(|_| json!({ "kind": "audio", "mimeType": "audio/opus", "clockRate": 48000, "channels": 2 }))
        .collect();
    let err = generate_router_rtp_capabilities(Some(&Value::Array(codecs))).unwrap_err();
    assert!(err.message.contains("cannot allocate"));
}

#[test]
fn producer_consumable_consumer_and_pipe_consumer_parameters_succeed() {
    let media_codecs = json!([
        { "kind": "audio", "mimeType": "audio/opus", "clockRate": 48000, "channels": 2 },
        {
            "kind": "video", "mimeType": "video/H264", "clockRate": 90000,
            "parameters": {
                "level-asymmetry-allowed": 1, "packetization-mode": 1,
                "profile-level-id": "4d0032", "bar": "lalala"
            }
        }
    ]);
    let router_caps = generate_router_rtp_capabilities(Some(&media_codecs)).unwrap();
    let rtp_parameters = json!({
        "codecs": [
            {
                "mimeType": "video/H264", "payloadType": 111, "clockRate": 90000,
                "parameters": { "foo": 1234, "packetization-mode": 1, "profile-level-id": "4d0032" },
                "rtcpFeedback": [
                    { "type": "nack", "parameter": "" },
                    { "type": "nack", "parameter": "pli" },
                    { "type": "goog-remb", "parameter": "" }
                ]
            },
            {
                "mimeType": "video/rtx", "payloadType": 112, "clockRate": 90000,
                "parameters": { "apt": 111 }, "rtcpFeedback": []
            }
        ],
        "headerExtensions": [
            { "uri": "urn:ietf:params:rtp-hdrext:sdes:mid", "id": 1 },
            { "uri": "urn:3gpp:video-orientation", "id": 2 }
        ],
        "encodings": [
            { "ssrc": 11111111, "rtx": { "ssrc": 11111112 }, "maxBitrate": 111111, "scalabilityMode": "L1T3" },
            { "ssrc": 21111111, "rtx": { "ssrc": 21111112 }, "maxBitrate": 222222, "scalabilityMode": "L1T3" },
            { "rid": "high", "maxBitrate": 333333, "scalabilityMode": "L1T3" }
        ],
        "rtcp": { "cname": "qwerty1234" }
    });

    let mapping = get_producer_rtp_parameters_mapping(&rtp_parameters, &router_caps).unwrap();
    assert_eq!(
        mapping["codecs"],
        json!([
            { "payloadType": 111, "mappedPayloadType": 101 },
            { "payloadType": 112, "mappedPayloadType": 102 }
        ])
    );
    let enc = &mapping["encodings"];
    assert_eq!(enc[0]["ssrc"], 11111111);
    assert!(enc[0].get("rid").is_none());
    assert!(enc[0]["mappedSsrc"].is_number());
    assert_eq!(enc[1]["ssrc"], 21111111);
    assert!(enc[1].get("rid").is_none());
    assert!(enc[1]["mappedSsrc"].is_number());
    assert!(enc[2].get("ssrc").is_none());
    assert_eq!(enc[2]["rid"], "high");
    assert!(enc[2]["mappedSsrc"].is_number());

    let consumable =
        get_consumable_rtp_parameters("video", &rtp_parameters, &router_caps, &mapping).unwrap();
    let c = &consumable["codecs"];
    assert_eq!(c[0]["mimeType"], "video/H264");
    assert_eq!(c[0]["payloadType"], 101);
    assert_eq!(c[0]["clockRate"], 90000);
    assert_eq!(
        c[0]["parameters"],
        json!({ "foo": 1234, "packetization-mode": 1, "profile-level-id": "4d0032" })
    );
    assert_eq!(c[1]["mimeType"], "video/rtx");
    assert_eq!(c[1]["payloadType"], 102);
    assert_eq!(c[1]["clockRate"], 90000);
    assert_eq!(c[1]["parameters"], json!({ "apt": 101 }));
    for (i, bitrate) in [111111, 222222, 333333].iter().enumerate() {
        assert_eq!(
            consumable["encodings"][i],
            json!({
                "ssrc": mapping["encodings"][i]["mappedSsrc"],
                "maxBitrate": bitrate,
                "scalabilityMode": "L1T3"
            })
        );
    }
    assert_eq!(
        consumable["rtcp"],
        json!({ "cname": "qwerty1234", "reducedSize": true })
    );

    let remote_caps = json!({
        "codecs": [
            {
                "kind": "audio", "mimeType": "audio/opus", "preferredPayloadType": 100,
                "clockRate": 48000, "channels": 2, "parameters": {}, "rtcpFeedback": []
            },
            {
                "kind": "video", "mimeType": "video/H264", "preferredPayloadType": 101,
                "clockRate": 90000,
                "parameters": { "packetization-mode": 1, "profile-level-id": "4d0032", "baz": "LOLOLO" },
                "rtcpFeedback": [
                    { "type": "nack", "parameter": "" },
                    { "type": "nack", "parameter": "pli" },
                    { "type": "foo", "parameter": "FOO" }
                ]
            },
            {
                "kind": "video", "mimeType": "video/rtx", "preferredPayloadType": 102,
                "clockRate": 90000, "parameters": { "apt": 101 }, "rtcpFeedback": []
            }
        ],
        "headerExtensions": [
            { "kind": "audio", "uri": "urn:ietf:params:rtp-hdrext:sdes:mid", "preferredId": 1, "preferredEncrypt": false, "direction": "sendrecv" },
            { "kind": "video", "uri": "urn:ietf:params:rtp-hdrext:sdes:mid", "preferredId": 1, "preferredEncrypt": false, "direction": "sendrecv" },
            { "kind": "video", "uri": "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id", "preferredId": 2, "preferredEncrypt": false, "direction": "sendrecv" },
            { "kind": "audio", "uri": "urn:ietf:params:rtp-hdrext:ssrc-audio-level", "preferredId": 6, "preferredEncrypt": false, "direction": "sendrecv" },
            { "kind": "video", "uri": "urn:3gpp:video-orientation", "preferredId": 8, "preferredEncrypt": false, "direction": "sendrecv" },
            { "kind": "video", "uri": "urn:ietf:params:rtp-hdrext:toffset", "preferredId": 9, "preferredEncrypt": false, "direction": "sendrecv" }
        ]
    });

    let consumer = get_consumer_rtp_parameters(&consumable, &remote_caps, false, true).unwrap();
    let codecs = consumer["codecs"].as_array().unwrap();
    assert_eq!(codecs.len(), 2);
    assert_eq!(
        codecs[0],
        json!({
            "mimeType": "video/H264", "payloadType": 101, "clockRate": 90000,
            "parameters": { "foo": 1234, "packetization-mode": 1, "profile-level-id": "4d0032" },
            "rtcpFeedback": [
                { "type": "nack", "parameter": "" },
                { "type": "nack", "parameter": "pli" },
                { "type": "foo", "parameter": "FOO" }
            ]
        })
    );
    assert_eq!(
        codecs[1],
        json!({
            "mimeType": "video/rtx", "payloadType": 102, "clockRate": 90000,
            "parameters": { "apt": 101 }, "rtcpFeedback": []
        })
    );
    let encodings = consumer["encodings"].as_array().unwrap();
    assert_eq!(encodings.len(), 1);
    assert!(encodings[0]["ssrc"].is_number());
    assert!(encodings[0]["rtx"].is_object());
    assert!(encodings[0]["rtx"]["ssrc"].is_number());
    assert_eq!(encodings[0]["scalabilityMode"], "L3T3");
    assert_eq!(encodings[0]["maxBitrate"], 333333);
    assert_eq!(
        consumer["headerExtensions"],
        json!([
            { "uri": "urn:ietf:params:rtp-hdrext:sdes:mid", "id": 1, "encrypt": false, "parameters": {} },
            { "uri": "urn:3gpp:video-orientation", "id": 8, "encrypt": false, "parameters": {} },
            { "uri": "urn:ietf:params:rtp-hdrext:toffset", "id": 9, "encrypt": false, "parameters": {} }
        ])
    );
    assert_eq!(
        consumer["rtcp"],
        json!({ "cname": "qwerty1234", "reducedSize": true })
    );

    let pipe = get_pipe_consumer_rtp_parameters(&consumable, false).unwrap();
    let codecs = pipe["codecs"].as_array().unwrap();
    assert_eq!(codecs.len(), 1);
    assert_eq!(
        codecs[0],
        json!({
            "mimeType": "video/H264", "payloadType": 101, "clockRate": 90000,
            "parameters": { "foo": 1234, "packetization-mode": 1, "profile-level-id": "4d0032" },
            "rtcpFeedback": [
                { "type": "nack", "parameter": "pli" },
                { "type": "ccm", "parameter": "fir" }
            ]
        })
    );
    let encodings = pipe["encodings"].as_array().unwrap();
    assert_eq!(encodings.len(), 3);
    for e in encodings {
        assert!(e["ssrc"].is_number());
        assert!(e.get("rtx").is_none());
        assert!(e["maxBitrate"].is_number());
        assert_eq!(e["scalabilityMode"], "L1T3");
    }
    assert_eq!(
        pipe["rtcp"],
        json!({ "cname": "qwerty1234", "reducedSize": true })
    );
}

#[test]
fn producer_mapping_with_incompatible_params_throws_unsupported_error() {
    let media_codecs = json!([
        { "kind": "audio", "mimeType": "audio/opus", "clockRate": 48000, "channels": 2 },
        {
            "kind": "video", "mimeType": "video/H264", "clockRate": 90000,
            "parameters": { "packetization-mode": 1, "profile-level-id": "640032" }
        }
    ]);
    let router_caps = generate_router_rtp_capabilities(Some(&media_codecs)).unwrap();
    let rtp_parameters = json!({
        "codecs": [{
            "mimeType": "video/VP8", "payloadType": 120, "clockRate": 90000,
            "rtcpFeedback": [
                { "type": "nack", "parameter": "" },
                { "type": "nack", "parameter": "fir" }
            ]
        }],
        "headerExtensions": [],
        "encodings": [{ "ssrc": 11111111 }],
        "rtcp": { "cname": "qwerty1234" }
    });
    let err = get_producer_rtp_parameters_mapping(&rtp_parameters, &router_caps).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unsupported);
}

#[test]
fn parse_scalability_mode_succeeds() {
    type Case<'a> = (Option<&'a str>, (u32, u32, bool));
    let cases: [Case; 10] = [
        (Some("L1T3"), (1, 3, false)),
        (Some("L3T2_KEY"), (3, 2, true)),
        (Some("S2T3"), (2, 3, false)),
        (Some("foo"), (1, 1, false)),
        (None, (1, 1, false)),
        (Some("S0T3"), (1, 1, false)),
        (Some("S1T0"), (1, 1, false)),
        (Some("L20T3"), (20, 3, false)),
        (Some("S200T3"), (1, 1, false)),
        (Some("L4T7_KEY_SHIFT"), (4, 7, true)),
    ];
    for (mode, (s, t, k)) in cases {
        assert_eq!(
            parse_scalability_mode(mode),
            json!({ "spatialLayers": s, "temporalLayers": t, "ksvc": k }),
            "{mode:?}"
        );
    }
}
