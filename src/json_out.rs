//! Small helpers for typed JSON output (dumps, stats, notifications):
//! the shapes mediasoup's JS hands to apps, written by serde derive.

use serde::{Serialize, Serializer};

/// A value that an output either leaves out, writes as `null`, or writes:
/// mediasoup's dumps use all three for optional fields, depending on
/// whether its JS reads them from a table or from the flatbuffers object
/// API. Use with `#[serde(skip_serializing_if = "Field::is_absent")]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field<T> {
    Absent,
    Null,
    Set(T),
}

impl<T> Field<T> {
    pub fn is_absent(&self) -> bool {
        matches!(self, Field::Absent)
    }

    /// `Set` for `Some`, `Absent` for `None`.
    pub fn omit_none(value: Option<T>) -> Self {
        value.map_or(Field::Absent, Field::Set)
    }

    /// `Set` for `Some`, `Null` for `None`.
    pub fn null_none(value: Option<T>) -> Self {
        value.map_or(Field::Null, Field::Set)
    }
}

impl<T: Serialize> Serialize for Field<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Field::Set(v) => v.serialize(serializer),
            Field::Absent | Field::Null => serializer.serialize_none(),
        }
    }
}

/// An empty JSON object (`{}`), as answers without a body carry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Empty {}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Sample {
        #[serde(skip_serializing_if = "Field::is_absent")]
        a: Field<u8>,
        #[serde(skip_serializing_if = "Field::is_absent")]
        b: Field<u8>,
        #[serde(skip_serializing_if = "Field::is_absent")]
        c: Field<u8>,
    }

    #[test]
    fn fields_are_left_out_null_or_written() {
        let s = Sample {
            a: Field::omit_none(None),
            b: Field::null_none(None),
            c: Field::omit_none(Some(3)),
        };
        assert_eq!(serde_json::to_string(&s).unwrap(), r#"{"b":null,"c":3}"#);
        assert_eq!(serde_json::to_string(&Empty {}).unwrap(), "{}");
    }
}
