//! `ortc` functions for JS: JSON in, JSON out, pure Rust in between.

use super::to_js_error;
use napi_derive::napi;
use serde_json::Value;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// Arguments at least this long (router capabilities, consumable
/// parameters: the same few texts in every produce/consume) are parsed once
/// and kept.
const CACHED_ARG_LEN: usize = 512;

/// Parsed long arguments by their text; cleared when full.
const CACHED_ARGS: usize = 256;

thread_local! {
    static PARSED: RefCell<HashMap<Box<str>, Rc<Value>>> = RefCell::new(HashMap::new());
}

fn parse_arg(text: &str) -> napi::Result<Rc<Value>, String> {
    let parse = |text: &str| {
        serde_json::from_str::<Value>(text)
            .map(Rc::new)
            .map_err(|e| {
                napi::Error::new("TypeError".to_string(), format!("invalid arguments: {e}"))
            })
    };
    if text.len() < CACHED_ARG_LEN {
        return parse(text);
    }
    if let Some(value) = PARSED.with(|p| p.borrow().get(text).cloned()) {
        return Ok(value);
    }
    let value = parse(text)?;
    PARSED.with(|p| {
        let mut p = p.borrow_mut();
        if p.len() >= CACHED_ARGS {
            p.clear();
        }
        p.insert(text.into(), value.clone());
    });
    Ok(value)
}

/// Calls one of mediasoup's `ortc` functions by name with its arguments,
/// each JSON-encoded, and returns the JSON-encoded result.
#[napi(catch_unwind)]
pub fn ortc_call(func: String, args: Vec<String>) -> napi::Result<String, String> {
    let args = args
        .iter()
        .map(|a| parse_arg(a))
        .collect::<napi::Result<Vec<Rc<Value>>, String>>()?;
    let refs: Vec<&Value> = args.iter().map(|a| a.as_ref()).collect();
    crate::ortc::dispatch_refs(&func, &refs)
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
