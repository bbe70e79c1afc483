//! JSON for the request target: values generated from fuzz bytes and
//! structure-aware edits of valid request bodies. Starting from a valid body
//! and changing one field at a time reaches the validation paths deep inside
//! a request, which random JSON would never get past.

use crate::Reader;
use serde_json::{Map, Number, Value};

/// Keys mediasoup requests use; inserted or looked up by edits.
pub const KEYS: &[&str] = &[
    "routerId",
    "transportId",
    "producerId",
    "consumerId",
    "dataProducerId",
    "dataConsumerId",
    "rtpObserverId",
    "webRtcServerId",
    "options",
    "kind",
    "rtpParameters",
    "rtpMapping",
    "codecs",
    "encodings",
    "headerExtensions",
    "rtcp",
    "mid",
    "rid",
    "ssrc",
    "rtx",
    "cname",
    "reducedSize",
    "mimeType",
    "payloadType",
    "clockRate",
    "channels",
    "parameters",
    "rtcpFeedback",
    "type",
    "parameter",
    "uri",
    "id",
    "encrypt",
    "scalabilityMode",
    "maxBitrate",
    "dtx",
    "mappedPayloadType",
    "mappedSsrc",
    "paused",
    "preferredLayers",
    "spatialLayer",
    "temporalLayer",
    "priority",
    "types",
    "bitrate",
    "ip",
    "port",
    "rtcpPort",
    "srtpParameters",
    "cryptoSuite",
    "keyBase64",
    "dtlsParameters",
    "role",
    "fingerprints",
    "algorithm",
    "value",
    "listenInfo",
    "listenInfos",
    "rtcpListenInfo",
    "protocol",
    "announcedAddress",
    "announcedIp",
    "portRange",
    "min",
    "max",
    "rtcpMux",
    "comedia",
    "enableSctp",
    "enableSrtp",
    "srtpCryptoSuite",
    "enableUdp",
    "enableTcp",
    "preferUdp",
    "preferTcp",
    "iceConsentTimeout",
    "initialAvailableOutgoingBitrate",
    "sctpStreamParameters",
    "streamId",
    "ordered",
    "maxPacketLifeTime",
    "maxRetransmits",
    "label",
    "subchannels",
    "subchannel",
    "threshold",
    "ppid",
    "requiredSubchannel",
    "ignoredSubchannel",
    "interval",
    "maxEntries",
    "consumableRtpEncodings",
    "ignoreDtx",
    "keyFrameRequestDelay",
    "logLevel",
    "logTags",
    "flags",
    "ipv6Only",
    "udpReusePort",
    "sendBufferSize",
    "recvBufferSize",
    "exposeInternalIp",
    "packetization-mode",
    "profile-level-id",
    "apt",
    "useinbandfec",
    "x-google-start-bitrate",
    "isDataChannel",
    "maxMessageSize",
    "maxSendMessageSize",
    "maxReceiveMessageSize",
    "pipe",
    "direct",
];

/// Strings worth trying where a string is expected.
pub const STRINGS: &[&str] = &[
    "",
    "r0",
    "t0",
    "t1",
    "p0",
    "p1",
    "c0",
    "c1",
    "d0",
    "e0",
    "o0",
    "s0",
    "audio",
    "video",
    "simple",
    "simulcast",
    "svc",
    "pipe",
    "sctp",
    "direct",
    "udp",
    "tcp",
    "127.0.0.1",
    "::1",
    "0.0.0.0",
    "::",
    "1.2.3.4",
    "not-an-ip",
    "audio/opus",
    "video/VP8",
    "video/VP9",
    "video/H264",
    "video/AV1",
    "video/H265",
    "video/rtx",
    "audio/PCMU",
    "audio/multiopus",
    "urn:ietf:params:rtp-hdrext:sdes:mid",
    "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
    "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
    "urn:ietf:params:rtp-hdrext:ssrc-audio-level",
    "urn:3gpp:video-orientation",
    "urn:ietf:params:rtp-hdrext:toffset",
    "sendrecv",
    "recvonly",
    "sendonly",
    "inactive",
    "nack",
    "pli",
    "ccm",
    "fir",
    "goog-remb",
    "transport-cc",
    "L1T3",
    "L3T3",
    "S3T3",
    "L3T3_KEY",
    "S2T1",
    "L1T2h",
    "client",
    "server",
    "auto",
    "sha-1",
    "sha-224",
    "sha-256",
    "sha-384",
    "sha-512",
    "AA:BB",
    "AES_CM_128_HMAC_SHA1_80",
    "AES_CM_128_HMAC_SHA1_32",
    "AEAD_AES_128_GCM",
    "AEAD_AES_256_GCM",
    "ZnV6eg==",
    "!!notbase64",
    "debug",
    "warn",
    "error",
    "none",
    "rtp",
    "rtcp",
    "keyframe",
    "nack",
    "pli",
    "fir",
    "bwe",
    "probation",
    "42e01f",
    "4d0032",
    "640c1f",
    "42001f",
    "zzzzzz",
    "0",
    "1",
    "-1",
];

/// Numbers at the edges of what requests check.
pub const NUMBERS: &[i64] = &[
    0,
    1,
    2,
    3,
    4,
    7,
    8,
    10,
    15,
    16,
    32,
    63,
    64,
    96,
    97,
    100,
    101,
    127,
    128,
    255,
    256,
    1000,
    1024,
    1500,
    30000,
    48000,
    65535,
    65536,
    90000,
    262144,
    600000,
    2147483647,
    2147483648,
    4294967295,
    4294967296,
    -1,
    -128,
    -65536,
    i64::MIN,
    i64::MAX,
];

/// A value from fuzz bytes, at most `depth` levels deep.
pub fn value(r: &mut Reader<'_>, depth: u8) -> Value {
    match r.u8() % if depth == 0 { 7 } else { 9 } {
        0 => Value::Null,
        1 => Value::Bool(r.bool()),
        2 => Value::from(NUMBERS[r.below(NUMBERS.len())]),
        3 => Value::from(r.u32()),
        4 => Number::from_f64(f64::from(r.u16()) / 7.0 - 100.0).map_or(Value::Null, Value::Number),
        5 => Value::from(STRINGS[r.below(STRINGS.len())]),
        6 => Value::from(String::from_utf8_lossy(r.bytes(24)).into_owned()),
        7 => {
            let n = r.u8() % 4;
            Value::Array((0..n).map(|_| value(r, depth - 1)).collect())
        }
        _ => {
            let n = r.u8() % 4;
            let mut m = Map::new();
            for _ in 0..n {
                m.insert(KEYS[r.below(KEYS.len())].to_string(), value(r, depth - 1));
            }
            Value::Object(m)
        }
    }
}

/// Applies one edit somewhere in `v`: descend along fuzz-chosen children,
/// then replace, remove, insert, duplicate or clear at that spot.
pub fn edit(v: &mut Value, r: &mut Reader<'_>) {
    let mut cur = v;
    // Each step: continue down (if there is a child) or stop here.
    for _ in 0..6 {
        let go_down = r.u8() % 4 != 0;
        let n = match &*cur {
            Value::Object(m) => m.len(),
            Value::Array(a) => a.len(),
            _ => 0,
        };
        if !go_down || n == 0 {
            break;
        }
        let i = r.below(n);
        cur = match cur {
            Value::Object(m) => m.values_mut().nth(i).expect("index below len"),
            Value::Array(a) => &mut a[i],
            _ => unreachable!(),
        };
    }
    match r.u8() % 6 {
        0 | 1 => *cur = value(r, 2),
        2 => match cur {
            Value::Object(m) if !m.is_empty() => {
                let i = r.below(m.len());
                let k = m.keys().nth(i).cloned().expect("index below len");
                m.remove(&k);
            }
            Value::Array(a) if !a.is_empty() => {
                let i = r.below(a.len());
                a.remove(i);
            }
            _ => *cur = Value::Null,
        },
        3 => match cur {
            Value::Object(m) => {
                let k = KEYS[r.below(KEYS.len())].to_string();
                m.insert(k, value(r, 2));
            }
            Value::Array(a) => a.push(value(r, 2)),
            _ => *cur = value(r, 1),
        },
        4 => {
            // Duplicate an element (duplicate codecs, encodings, ssrcs...).
            if let Value::Array(a) = cur {
                if let Some(x) = a.first().cloned() {
                    let copies = 1 + r.u8() % 3;
                    for _ in 0..copies {
                        a.push(x.clone());
                    }
                }
            }
        }
        _ => {
            // Same kind, different value: numbers and strings nearby.
            match cur {
                Value::Number(_) => *cur = Value::from(NUMBERS[r.below(NUMBERS.len())]),
                Value::String(_) => *cur = Value::from(STRINGS[r.below(STRINGS.len())]),
                Value::Bool(b) => *b = !*b,
                Value::Array(a) => a.clear(),
                Value::Object(m) => m.clear(),
                Value::Null => *cur = Value::from(r.u32()),
            }
        }
    }
}
