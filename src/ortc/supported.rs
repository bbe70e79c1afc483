//! The RTP capabilities mediasoup 3.27.1 supports, plus the process-wide
//! state mediasoup keeps around that table.
//!
//! mediasoup normalizes its module-level table in place the first time a
//! router's capabilities are generated, so `getSupportedRtpCapabilities()`
//! returns the bare table before that and the normalized one afterwards.
//! The same first generation also fills the dependency-descriptor cache used
//! for pipe consumers. Both are modelled with process-wide flags.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use serde_json::{json, Map, Value};

use super::validate;

static TABLE_NORMALIZED: AtomicBool = AtomicBool::new(false);
static DD_CACHE_FILLED: AtomicBool = AtomicBool::new(false);

pub(crate) const URI_MID: &str = "urn:ietf:params:rtp-hdrext:sdes:mid";
pub(crate) const URI_ABS_SEND_TIME: &str =
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
pub(crate) const URI_TRANSPORT_CC: &str =
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
pub(crate) const URI_ABS_CAPTURE_TIME: &str =
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time";
pub(crate) const URI_DEPENDENCY_DESCRIPTOR: &str =
    "https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension";

/// Feedback sets: `(type, parameter)`; an empty parameter is left out.
const FB_AUDIO: &[(&str, &str)] = &[("nack", ""), ("transport-cc", "")];
const FB_TCC: &[(&str, &str)] = &[("transport-cc", "")];
const FB_VIDEO: &[(&str, &str)] = &[
    ("nack", ""),
    ("nack", "pli"),
    ("ccm", "fir"),
    ("goog-remb", ""),
    ("transport-cc", ""),
];

struct CodecRow {
    mime: &'static str,
    pt: Option<u8>,
    clock: u32,
    channels: Option<u8>,
    params: Option<fn() -> Value>,
    fb: Option<&'static [(&'static str, &'static str)]>,
}

const fn row(mime: &'static str, clock: u32) -> CodecRow {
    CodecRow {
        mime,
        pt: None,
        clock,
        channels: None,
        params: None,
        fb: None,
    }
}

fn multiopus_params(mapping: &str, streams: u8, coupled: u8) -> Value {
    json!({ "channel_mapping": mapping, "num_streams": streams, "coupled_streams": coupled })
}

fn codec_rows() -> Vec<CodecRow> {
    let mut rows = Vec::new();
    rows.push(CodecRow {
        channels: Some(2),
        fb: Some(FB_AUDIO),
        ..row("audio/opus", 48000)
    });
    let quad: fn() -> Value = || multiopus_params("0,1,2,3", 2, 2);
    let five_one: fn() -> Value = || multiopus_params("0,4,1,2,3,5", 4, 2);
    let seven_one: fn() -> Value = || multiopus_params("0,6,1,2,3,4,5,7", 5, 3);
    for (channels, params) in [(4, quad), (6, five_one), (8, seven_one)] {
        rows.push(CodecRow {
            channels: Some(channels),
            params: Some(params),
            fb: Some(FB_AUDIO),
            ..row("audio/multiopus", 48000)
        });
    }
    rows.push(CodecRow {
        pt: Some(0),
        fb: Some(FB_TCC),
        ..row("audio/PCMU", 8000)
    });
    rows.push(CodecRow {
        pt: Some(8),
        fb: Some(FB_TCC),
        ..row("audio/PCMA", 8000)
    });
    for clock in [32000, 16000] {
        rows.push(CodecRow {
            fb: Some(FB_TCC),
            ..row("audio/ISAC", clock)
        });
    }
    rows.push(CodecRow {
        pt: Some(9),
        fb: Some(FB_TCC),
        ..row("audio/G722", 8000)
    });
    rows.push(CodecRow {
        fb: Some(FB_TCC),
        ..row("audio/iLBC", 8000)
    });
    for clock in [24000, 16000, 12000, 8000] {
        rows.push(CodecRow {
            fb: Some(FB_TCC),
            ..row("audio/SILK", clock)
        });
    }
    for clock in [32000, 16000, 8000] {
        rows.push(CodecRow {
            pt: Some(13),
            ..row("audio/CN", clock)
        });
    }
    for clock in [48000, 32000, 16000, 8000] {
        rows.push(row("audio/telephone-event", clock));
    }
    rows.push(CodecRow {
        fb: Some(FB_VIDEO),
        ..row("video/VP8", 90000)
    });
    rows.push(CodecRow {
        fb: Some(FB_VIDEO),
        ..row("video/VP9", 90000)
    });
    rows.push(CodecRow {
        params: Some(|| json!({ "level-asymmetry-allowed": 1 })),
        fb: Some(FB_VIDEO),
        ..row("video/H264", 90000)
    });
    rows.push(CodecRow {
        params: Some(|| json!({})),
        fb: Some(FB_VIDEO),
        ..row("video/AV1", 90000)
    });
    rows
}

fn codec_value(r: &CodecRow) -> Value {
    let mut m = Map::new();
    let kind = r.mime.split('/').next().unwrap_or_default();
    m.insert("kind".into(), json!(kind));
    m.insert("mimeType".into(), json!(r.mime));
    if let Some(pt) = r.pt {
        m.insert("preferredPayloadType".into(), json!(pt));
    }
    m.insert("clockRate".into(), json!(r.clock));
    if let Some(ch) = r.channels {
        m.insert("channels".into(), json!(ch));
    }
    if let Some(params) = r.params {
        m.insert("parameters".into(), params());
    }
    if let Some(fb) = r.fb {
        let list: Vec<Value> = fb
            .iter()
            .map(|(t, p)| {
                if p.is_empty() {
                    json!({ "type": t })
                } else {
                    json!({ "type": t, "parameter": p })
                }
            })
            .collect();
        m.insert("rtcpFeedback".into(), Value::Array(list));
    }
    Value::Object(m)
}

/// `(preferredId, uri, [(kind, direction)])`.
type ExtensionRow = (u8, &'static str, Vec<(&'static str, &'static str)>);

fn header_extension_rows() -> Vec<ExtensionRow> {
    const AV_SENDRECV: [(&str, &str); 2] = [("audio", "sendrecv"), ("video", "sendrecv")];
    vec![
        (1, URI_MID, AV_SENDRECV.to_vec()),
        (
            2,
            "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
            vec![("video", "recvonly")],
        ),
        (
            3,
            "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
            vec![("video", "recvonly")],
        ),
        (4, URI_ABS_SEND_TIME, AV_SENDRECV.to_vec()),
        (
            5,
            URI_TRANSPORT_CC,
            vec![("audio", "recvonly"), ("video", "sendrecv")],
        ),
        (
            6,
            "urn:ietf:params:rtp-hdrext:ssrc-audio-level",
            vec![("audio", "sendrecv")],
        ),
        (7, URI_DEPENDENCY_DESCRIPTOR, vec![("video", "recvonly")]),
        (8, "urn:3gpp:video-orientation", vec![("video", "sendrecv")]),
        (
            9,
            "urn:ietf:params:rtp-hdrext:toffset",
            vec![("video", "sendrecv")],
        ),
        (10, URI_ABS_CAPTURE_TIME, AV_SENDRECV.to_vec()),
        (
            11,
            "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay",
            AV_SENDRECV.to_vec(),
        ),
        (
            12,
            "urn:mediasoup:params:rtp-hdrext:packet-id",
            AV_SENDRECV.to_vec(),
        ),
    ]
}

/// The table exactly as mediasoup declares it (before any normalization).
pub(crate) fn raw_table() -> Value {
    let codecs: Vec<Value> = codec_rows().iter().map(codec_value).collect();
    let mut exts = Vec::new();
    for (id, uri, variants) in header_extension_rows() {
        for (kind, direction) in variants {
            exts.push(json!({
                "kind": kind,
                "uri": uri,
                "preferredId": id,
                "preferredEncrypt": false,
                "direction": direction,
            }));
        }
    }
    json!({ "codecs": codecs, "headerExtensions": exts })
}

/// The table after mediasoup's in-place normalization.
pub(crate) fn normalized_table() -> Value {
    static NORMALIZED: OnceLock<Value> = OnceLock::new();
    NORMALIZED
        .get_or_init(|| {
            let mut table = raw_table();
            // The static table is valid, so this cannot fail.
            let _ = validate::rtp_capabilities(Some(&mut table));
            table
        })
        .clone()
}

/// Records that the table has been normalized (first router generation).
pub(crate) fn mark_normalized() {
    TABLE_NORMALIZED.store(true, Ordering::SeqCst);
}

/// Records that the dependency-descriptor cache has been filled.
pub(crate) fn fill_dependency_descriptor_cache() {
    DD_CACHE_FILLED.store(true, Ordering::SeqCst);
}

/// The dependency-descriptor header extension parameters pipe consumers get,
/// once some router capabilities have been generated.
pub(crate) fn dependency_descriptor_for_pipe() -> Option<Value> {
    if !DD_CACHE_FILLED.load(Ordering::SeqCst) {
        return None;
    }
    dependency_descriptor_from(&normalized_table())
}

/// The first dependency-descriptor extension of `table` that is not
/// `sendrecv`, as header extension parameters.
pub(crate) fn dependency_descriptor_from(table: &Value) -> Option<Value> {
    let exts = table.get("headerExtensions")?.as_array()?;
    let ext = exts.iter().find(|e| {
        e.get("uri").and_then(Value::as_str) == Some(URI_DEPENDENCY_DESCRIPTOR)
            && e.get("direction").and_then(Value::as_str) != Some("sendrecv")
    })?;
    let mut m = Map::new();
    m.insert("uri".into(), ext.get("uri").cloned().unwrap_or(Value::Null));
    if let Some(id) = ext.get("preferredId") {
        m.insert("id".into(), id.clone());
    }
    if let Some(enc) = ext.get("preferredEncrypt") {
        m.insert("encrypt".into(), enc.clone());
    }
    m.insert("parameters".into(), json!({}));
    Some(Value::Object(m))
}

/// What mediasoup's `getSupportedRtpCapabilities()` returns right now.
pub fn supported_rtp_capabilities() -> Value {
    if TABLE_NORMALIZED.load(Ordering::SeqCst) {
        normalized_table()
    } else {
        raw_table()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `JSON.stringify(supportedRtpCapabilities)` from mediasoup 3.27.1.
    const RAW: &str = include_str!("fixtures/supported_raw.json");
    /// The same after `validateAndNormalizeRtpCapabilities()`.
    const NORMALIZED: &str = include_str!("fixtures/supported_normalized.json");

    #[test]
    fn raw_table_matches_mediasoup_byte_for_byte() {
        assert_eq!(serde_json::to_string(&raw_table()).unwrap(), RAW.trim());
    }

    #[test]
    fn normalized_table_matches_mediasoup_byte_for_byte() {
        assert_eq!(
            serde_json::to_string(&normalized_table()).unwrap(),
            NORMALIZED.trim()
        );
    }

    #[test]
    fn public_table_is_one_of_the_two_forms_and_fresh() {
        let mut a = supported_rtp_capabilities();
        let s = serde_json::to_string(&a).unwrap();
        assert!(s == RAW.trim() || s == NORMALIZED.trim());
        a["codecs"] = json!("bar");
        assert_ne!(supported_rtp_capabilities(), a);
    }

    #[test]
    fn dependency_descriptor_entry() {
        assert_eq!(
            dependency_descriptor_from(&normalized_table()).unwrap(),
            json!({
                "uri": URI_DEPENDENCY_DESCRIPTOR,
                "id": 7,
                "encrypt": false,
                "parameters": {}
            })
        );
    }
}
