//! Helpers reproducing the JavaScript semantics the negotiation rules rely on
//! (truthiness, `===`, `typeof`, string conversion, property reads that throw
//! on `undefined`/`null`), applied to `serde_json::Value`.
//!
//! Convention: `Option<&Value>` models a property read; `None` is JS
//! `undefined` (missing key) and `Some(Value::Null)` is JS `null`.

use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// JS truthiness (`!!x`).
pub(crate) fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => {
            let f = n.as_f64().unwrap_or(0.0);
            f != 0.0 && !f.is_nan()
        }
        Some(Value::String(s)) => !s.is_empty(),
        Some(_) => true,
    }
}

/// JS `a === b`. Distinct objects/arrays are never identical.
pub(crate) fn strict_eq(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(Value::Null), Some(Value::Null)) => true,
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x == y,
        (Some(Value::Number(x)), Some(Value::Number(y))) => {
            if let (Some(i), Some(j)) = (x.as_i64(), y.as_i64()) {
                i == j
            } else if let (Some(i), Some(j)) = (x.as_u64(), y.as_u64()) {
                i == j
            } else {
                x.as_f64() == y.as_f64()
            }
        }
        (Some(Value::String(x)), Some(Value::String(y))) => x == y,
        _ => false,
    }
}

/// `a === "literal"`.
pub(crate) fn is_str(v: Option<&Value>, s: &str) -> bool {
    matches!(v, Some(Value::String(x)) if x == s)
}

/// `typeof v === 'number'`.
pub(crate) fn is_number(v: Option<&Value>) -> bool {
    matches!(v, Some(Value::Number(_)))
}

/// `typeof v === 'string'`.
pub(crate) fn is_string(v: Option<&Value>) -> bool {
    matches!(v, Some(Value::String(_)))
}

/// `typeof v === 'boolean'`.
pub(crate) fn is_bool(v: Option<&Value>) -> bool {
    matches!(v, Some(Value::Bool(_)))
}

/// `typeof v === 'object'` (true for objects, arrays and `null`).
pub(crate) fn is_object_type(v: Option<&Value>) -> bool {
    matches!(
        v,
        Some(Value::Object(_)) | Some(Value::Array(_)) | Some(Value::Null)
    )
}

/// `Array.isArray(v)`.
pub(crate) fn is_array(v: Option<&Value>) -> bool {
    matches!(v, Some(Value::Array(_)))
}

/// Property read that never throws (`obj?.[key]`-like, but only objects
/// carry named properties in JSON).
pub(crate) fn get<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    match v {
        Value::Object(m) => m.get(key),
        _ => None,
    }
}

fn cannot_read(what: &str, key: &str) -> Error {
    Error::type_error(format!(
        "Cannot read properties of {what} (reading '{key}')"
    ))
}

/// Property read that throws a TypeError on `undefined`/`null`, like JS.
pub(crate) fn read<'a>(v: Option<&'a Value>, key: &str) -> Result<Option<&'a Value>> {
    match v {
        None => Err(cannot_read("undefined", key)),
        Some(Value::Null) => Err(cannot_read("null", key)),
        Some(other) => Ok(get(other, key)),
    }
}

/// The elements of a value used with `for..of`; throws a TypeError for
/// anything that is not an array.
pub(crate) fn array<'a>(v: Option<&'a Value>, expr: &str) -> Result<&'a Vec<Value>> {
    match v {
        Some(Value::Array(a)) => Ok(a),
        _ => Err(Error::type_error(format!("{expr} is not iterable"))),
    }
}

/// The array `expr.method(...)` is called on (`.find()`, `.filter()`...);
/// throws the TypeError JS would for anything else.
pub(crate) fn array_for<'a>(
    v: Option<&'a Value>,
    expr: &str,
    method: &str,
) -> Result<&'a Vec<Value>> {
    match v {
        Some(Value::Array(a)) => Ok(a),
        None => Err(cannot_read("undefined", method)),
        Some(Value::Null) => Err(cannot_read("null", method)),
        Some(_) => Err(Error::type_error(format!(
            "{expr}.{method} is not a function"
        ))),
    }
}

/// `utils.clone(v) ?? []` followed by a `for..of` loop: `undefined`/`null`
/// give an empty list, anything else but an array cannot be iterated.
pub(crate) fn cloned_list(v: Option<&Value>, expr: &str) -> Result<Vec<Value>> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => Ok(a.clone()),
        Some(_) => Err(Error::type_error(format!("{expr} is not iterable"))),
    }
}

/// `utils.clone(v) ?? []` followed by an index loop up to `.length`: a
/// string yields its characters, values without a `length` nothing.
pub(crate) fn cloned_indexed(v: Option<&Value>) -> Vec<Value> {
    match v {
        Some(Value::Array(a)) => a.clone(),
        Some(Value::String(s)) => s.chars().map(|c| Value::String(c.to_string())).collect(),
        _ => Vec::new(),
    }
}

/// The TypeError JS throws when assigning `target[key]`, if any (strict mode
/// forbids creating properties on primitives).
pub(crate) fn assign_error(target: &Value, key: &str) -> Option<Error> {
    let kind = match target {
        Value::Object(_) | Value::Array(_) => return None,
        Value::Null => {
            return Some(Error::type_error(format!(
                "Cannot set properties of null (setting '{key}')"
            )))
        }
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
    };
    Some(Error::type_error(format!(
        "Cannot create property '{key}' on {kind} '{}'",
        to_js_string(Some(target))
    )))
}

/// `obj[key] = val` (no-op on arrays and primitives, whose named properties
/// JSON cannot carry).
pub(crate) fn set(obj: &mut Value, key: &str, val: Value) {
    if let Value::Object(m) = obj {
        m.insert(key.to_string(), val);
    }
}

/// `delete obj[key]`, keeping the order of the remaining keys.
pub(crate) fn delete(obj: &mut Value, key: &str) {
    if let Value::Object(m) = obj {
        m.shift_remove(key);
    }
}

/// Builds an object from `(key, value)` pairs, skipping `undefined` values
/// (as `JSON.stringify` would).
pub(crate) fn object(entries: Vec<(&str, Option<Value>)>) -> Value {
    let mut m = Map::new();
    for (k, v) in entries {
        if let Some(v) = v {
            m.insert(k.to_string(), v);
        }
    }
    Value::Object(m)
}

/// JS `Number.prototype.toString()` for the values JSON can carry.
fn number_to_string(n: &serde_json::Number) -> String {
    if n.is_i64() || n.is_u64() {
        return n.to_string();
    }
    let f = n.as_f64().unwrap_or(f64::NAN);
    if f.is_nan() {
        "NaN".to_string()
    } else if f.is_infinite() {
        if f > 0.0 { "Infinity" } else { "-Infinity" }.to_string()
    } else if f == f.trunc() && f.abs() < 1e21 {
        format!("{f:.0}")
    } else {
        format!("{f}")
    }
}

/// JS `String(v)` (template literal interpolation).
pub(crate) fn to_js_string(v: Option<&Value>) -> String {
    match v {
        None => "undefined".to_string(),
        Some(Value::Null) => "null".to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => number_to_string(n),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|e| match e {
                Value::Null => String::new(),
                other => to_js_string(Some(other)),
            })
            .collect::<Vec<_>>()
            .join(","),
        Some(Value::Object(_)) => "[object Object]".to_string(),
    }
}

/// JS white space and line terminators, as trimmed by `parseInt`/`Number`.
pub(crate) fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

/// JS line terminators (not matched by `.` in a regular expression).
pub(crate) fn is_line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

/// JS `parseInt(s, 16)`; `None` stands for `NaN`.
pub(crate) fn parse_int_hex(s: &str) -> Option<f64> {
    let s = s.trim_start_matches(is_js_space);
    let (negative, s) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let s = if s.starts_with("0x") || s.starts_with("0X") {
        &s[2..]
    } else {
        s
    };
    let digits: Vec<u32> = s.chars().map_while(|c| c.to_digit(16)).collect();
    if digits.is_empty() {
        return None;
    }
    let value = digits
        .iter()
        .fold(0f64, |acc, d| acc * 16.0 + f64::from(*d));
    Some(if negative { -value } else { value })
}

/// JS `ToInt32`.
pub(crate) fn to_int32(f: f64) -> i32 {
    if !f.is_finite() {
        return 0;
    }
    let t = f.trunc();
    let m = t.rem_euclid(4_294_967_296.0);
    (m as u64 as u32) as i32
}

/// JS `ToNumber` for the values JSON can carry.
pub(crate) fn to_number(v: Option<&Value>) -> f64 {
    match v {
        None => f64::NAN,
        Some(Value::Null) => 0.0,
        Some(Value::Bool(b)) => f64::from(u8::from(*b)),
        Some(Value::Number(n)) => n.as_f64().unwrap_or(f64::NAN),
        Some(Value::String(s)) => string_to_number(s),
        Some(Value::Array(a)) => match a.len() {
            0 => 0.0,
            1 => to_number(Some(&Value::String(to_js_string(Some(&a[0]))))),
            _ => f64::NAN,
        },
        Some(Value::Object(_)) => f64::NAN,
    }
}

fn string_to_number(s: &str) -> f64 {
    let t = s.trim_matches(is_js_space);
    if t.is_empty() {
        return 0.0;
    }
    let radix = match t.get(..2) {
        Some("0x") | Some("0X") => 16,
        Some("0o") | Some("0O") => 8,
        Some("0b") | Some("0B") => 2,
        _ => 10,
    };
    if radix != 10 {
        let body = &t[2..];
        if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
            return f64::NAN;
        }
        return body.chars().fold(0f64, |acc, c| {
            acc * f64::from(radix) + f64::from(c.to_digit(radix).unwrap_or(0))
        });
    }
    match t {
        "Infinity" | "+Infinity" => return f64::INFINITY,
        "-Infinity" => return f64::NEG_INFINITY,
        _ => {}
    }
    let valid = t
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'));
    if !valid {
        return f64::NAN;
    }
    t.parse::<f64>().unwrap_or(f64::NAN)
}

/// JS `a > b` (abstract relational comparison).
pub(crate) fn greater_than(a: Option<&Value>, b: Option<&Value>) -> bool {
    let prim = |v: Option<&Value>| -> Option<Value> {
        match v {
            Some(Value::Array(_)) | Some(Value::Object(_)) => Some(Value::String(to_js_string(v))),
            other => other.cloned(),
        }
    };
    let (pa, pb) = (prim(a), prim(b));
    if let (Some(Value::String(x)), Some(Value::String(y))) = (&pa, &pb) {
        return x.encode_utf16().cmp(y.encode_utf16()) == std::cmp::Ordering::Greater;
    }
    let (x, y) = (to_number(pa.as_ref()), to_number(pb.as_ref()));
    x > y
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn truthiness() {
        assert!(!truthy(None));
        assert!(!truthy(Some(&json!(null))));
        assert!(!truthy(Some(&json!(0))));
        assert!(!truthy(Some(&json!(0.0))));
        assert!(!truthy(Some(&json!(""))));
        assert!(!truthy(Some(&json!(false))));
        assert!(truthy(Some(&json!([]))));
        assert!(truthy(Some(&json!({}))));
        assert!(truthy(Some(&json!("0"))));
        assert!(truthy(Some(&json!(-1))));
    }

    #[test]
    fn strict_equality() {
        assert!(strict_eq(None, None));
        assert!(!strict_eq(None, Some(&json!(null))));
        assert!(strict_eq(Some(&json!(1)), Some(&json!(1.0))));
        assert!(!strict_eq(Some(&json!(1)), Some(&json!("1"))));
        assert!(!strict_eq(Some(&json!({})), Some(&json!({}))));
        assert!(strict_eq(Some(&json!("a")), Some(&json!("a"))));
    }

    #[test]
    fn js_strings() {
        assert_eq!(to_js_string(None), "undefined");
        assert_eq!(to_js_string(Some(&json!(null))), "null");
        assert_eq!(to_js_string(Some(&json!(1.5))), "1.5");
        assert_eq!(to_js_string(Some(&json!(2.0))), "2");
        assert_eq!(to_js_string(Some(&json!([1, null, "a"]))), "1,,a");
        assert_eq!(to_js_string(Some(&json!({"a": 1}))), "[object Object]");
    }

    #[test]
    fn parse_int() {
        assert_eq!(parse_int_hex("42e01f"), Some(f64::from(0x42e01f)));
        assert_eq!(parse_int_hex("  0x1g"), Some(1.0));
        assert_eq!(parse_int_hex("-10"), Some(-16.0));
        assert_eq!(parse_int_hex("zz"), None);
        assert_eq!(to_int32(-16.0), -16);
        assert_eq!(to_int32(4_294_967_297.0), 1);
    }

    #[test]
    fn relational() {
        assert!(greater_than(Some(&json!(5)), Some(&json!(0))));
        assert!(!greater_than(Some(&json!(0)), Some(&json!(5))));
        assert!(greater_than(Some(&json!("500")), Some(&json!(0))));
        assert!(greater_than(Some(&json!("9")), Some(&json!("10"))));
        assert!(!greater_than(Some(&json!("abc")), Some(&json!(0))));
        assert_eq!(to_number(Some(&json!(" 0x10 "))), 16.0);
        assert!(to_number(Some(&json!("inf"))).is_nan());
    }
}
