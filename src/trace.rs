//! `enableTraceEvent(types)`: which trace events an object emits.

use crate::json_out::Empty;
use serde::Serialize;

/// The known types among those requested (unknown ones are ignored, as
/// mediasoup does).
pub fn known_types(requested: &[String], known: &[&str]) -> Vec<String> {
    requested
        .iter()
        .filter(|t| known.contains(&t.as_str()))
        .cloned()
        .collect()
}

/// A `trace` event's payload (`producer.trace`, `consumer.trace`).
#[derive(Serialize)]
pub struct TraceEvent<'a, I: Serialize> {
    #[serde(rename = "type")]
    pub kind: &'a str,
    pub timestamp: u64,
    pub direction: Direction,
    pub info: I,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    In,
    Out,
}

/// `info` of an `rtp` trace.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RtpInfo {
    pub is_rtx: bool,
}

/// `info` of an `sr` trace.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SenderReportInfo {
    pub ssrc: u32,
    pub ntp_sec: u32,
    pub ntp_frac: u32,
    pub rtp_ts: u32,
}

/// `info` of a trace about one SSRC (e.g. a consumer's `pli`/`fir`).
#[derive(Serialize)]
pub struct SsrcInfo {
    pub ssrc: u32,
}

/// `info` of traces that carry none.
pub const NO_INFO: Empty = Empty {};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_known_types_only() {
        let requested = ["rtp".to_string(), "bogus".to_string(), "pli".to_string()];
        assert_eq!(known_types(&requested, &["rtp", "pli"]), vec!["rtp", "pli"]);
    }
}
