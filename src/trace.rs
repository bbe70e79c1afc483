//! `enableTraceEvent(types)`: which trace events an object emits.

use crate::error::{Error, Result};
use serde_json::Value;

/// The known types among `types` (unknown ones are ignored, as mediasoup
/// does); TypeError if `types` is not an array.
pub fn parse_trace_types(types: Option<&Value>, known: &[&str]) -> Result<Vec<String>> {
    let types = types
        .and_then(Value::as_array)
        .ok_or_else(|| Error::type_error("types must be an array"))?;
    Ok(types
        .iter()
        .filter_map(Value::as_str)
        .filter(|t| known.contains(t))
        .map(str::to_string)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keeps_known_types_only() {
        let types = parse_trace_types(Some(&json!(["rtp", "bogus", 3, "pli"])), &["rtp", "pli"]);
        assert_eq!(types.unwrap(), vec!["rtp", "pli"]);
        assert!(parse_trace_types(Some(&json!("rtp")), &["rtp"]).is_err());
        assert!(parse_trace_types(None, &["rtp"]).is_err());
    }
}
