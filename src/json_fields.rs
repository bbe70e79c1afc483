//! Reading fields of JSON request bodies, with the TypeErrors mediasoup
//! answers a missing or mistyped one with. Used by the parsers of request
//! bodies (the boundary and the domain types' own `parse`).

use crate::error::{Error, Result};
use serde_json::Value;

/// A required string field.
pub fn string_field(data: &Value, key: &str) -> Result<String> {
    data.get(key)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| Error::type_error(format!("missing {key}")))
}
