//! The JS boundary: the only module with `#[napi]` items.
//!
//! Errors cross as JS `Error`s whose `code` is the error kind
//! (`TypeError`, `UnsupportedError`, ...); `js/errors.js` turns them into
//! mediasoup's classes.

// `#[napi]` items are only referenced by the generated registration code,
// which unit-test builds leave out.
#![cfg_attr(test, allow(dead_code))]

mod worker;

use crate::error::Error;

/// A napi error whose `code` carries our error kind.
pub(crate) fn to_js_error(error: Error) -> napi::Error<String> {
    napi::Error::new(error.kind.as_str().to_string(), error.message)
}
