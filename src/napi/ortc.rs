//! `ortc` functions for JS: JSON in, JSON out, pure Rust in between.

use super::to_js_error;
use napi_derive::napi;
use serde_json::Value;

/// Calls one of mediasoup's `ortc` functions by name with JSON-encoded
/// arguments (an array) and returns the JSON-encoded result.
#[napi(catch_unwind)]
pub fn ortc_call(func: String, args_json: String) -> napi::Result<String, String> {
    let args: Vec<Value> = serde_json::from_str(&args_json).map_err(|e| {
        napi::Error::new("TypeError".to_string(), format!("invalid arguments: {e}"))
    })?;
    crate::ortc::dispatch(&func, &args)
        .map(|v| v.to_string())
        .map_err(to_js_error)
}

/// mediasoup's supported RTP capabilities table, as JSON.
#[napi(catch_unwind)]
pub fn supported_rtp_capabilities() -> String {
    crate::ortc::supported_rtp_capabilities().to_string()
}

/// `parseScalabilityMode()`, as JSON.
#[napi(catch_unwind)]
pub fn parse_scalability_mode(mode: Option<String>) -> String {
    crate::ortc::parse_scalability_mode(mode.as_deref()).to_string()
}
