//! Reading request bodies the way mediasoup's JS side reads an app's
//! objects, with serde derive and no tree of values: each field is a
//! [`Js`], which records whether it was absent, `null`, of the expected
//! type or of another one, so that the boundary can answer each case with
//! mediasoup's error (or default) instead of a serde message.

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, IgnoredAny, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;
use std::marker::PhantomData;

/// One field of a request body. Containers derive `Default` and use
/// `#[serde(default)]`, so a missing field is `Absent`.
///
/// `T` must accept every input its own fields can hold (bodies are made of
/// `Js` fields), so that a mismatch is only ever found before anything of
/// the value was consumed.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Js<T> {
    #[default]
    Absent,
    Null,
    Set(T),
    /// Present, but not of the expected type.
    Wrong,
}

impl<T> Js<T> {
    /// The value, if of the expected type.
    pub fn get(&self) -> Option<&T> {
        match self {
            Js::Set(v) => Some(v),
            _ => None,
        }
    }

    pub fn into_option(self) -> Option<T> {
        match self {
            Js::Set(v) => Some(v),
            _ => None,
        }
    }

    /// Neither absent nor `null` (JS `!= null`).
    pub fn is_given(&self) -> bool {
        matches!(self, Js::Set(_) | Js::Wrong)
    }
}

impl Js<String> {
    pub fn as_str(&self) -> Option<&str> {
        self.get().map(String::as_str)
    }
}

impl<T: Copy> Js<T> {
    pub fn copied(&self) -> Option<T> {
        self.get().copied()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Js<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsVisitor(PhantomData))
    }
}

struct JsVisitor<T>(PhantomData<T>);

/// `T` from one scalar, `Wrong` if it does not fit.
fn scalar<'de, T: Deserialize<'de>, V: IntoDeserializer<'de, de::value::Error>>(v: V) -> Js<T> {
    T::deserialize(v.into_deserializer()).map_or(Js::Wrong, Js::Set)
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for JsVisitor<T> {
    type Value = Js<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<Js<T>, E> {
        Ok(Js::Null)
    }

    fn visit_none<E>(self) -> Result<Js<T>, E> {
        Ok(Js::Null)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Js<T>, E> {
        Ok(scalar(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Js<T>, E> {
        Ok(scalar(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Js<T>, E> {
        Ok(scalar(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Js<T>, E> {
        Ok(scalar(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Js<T>, E> {
        Ok(scalar(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Js<T>, A::Error> {
        let value = T::deserialize(ArrayNotObject(&mut seq));
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(value.map_or(Js::Wrong, Js::Set))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Js<T>, A::Error> {
        let value = T::deserialize(MapAccessDeserializer::new(&mut map));
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(value.map_or(Js::Wrong, Js::Set))
    }
}

/// An array offered to a type: lists take it, objects (structs) do not,
/// as a JS array has none of an object's named fields.
struct ArrayNotObject<A>(A);

impl<'de, A: SeqAccess<'de>> Deserializer<'de> for ArrayNotObject<A> {
    type Error = A::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, A::Error> {
        SeqAccessDeserializer::new(self.0).deserialize_any(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        Err(de::Error::invalid_type(de::Unexpected::Seq, &visitor))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

/// A value read for its JavaScript truthiness (`!!value`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Truthy(pub bool);

impl<'de> Deserialize<'de> for Truthy {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TruthyVisitor;
        impl<'de> Visitor<'de> for TruthyVisitor {
            type Value = Truthy;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_unit<E>(self) -> Result<Truthy, E> {
                Ok(Truthy(false))
            }
            fn visit_none<E>(self) -> Result<Truthy, E> {
                Ok(Truthy(false))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Truthy, E> {
                Ok(Truthy(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Truthy, E> {
                Ok(Truthy(v != 0))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Truthy, E> {
                Ok(Truthy(v != 0))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Truthy, E> {
                Ok(Truthy(v != 0.0 && !v.is_nan()))
            }
            fn visit_str<E>(self, v: &str) -> Result<Truthy, E> {
                Ok(Truthy(!v.is_empty()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Truthy, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Truthy(true))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Truthy, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Truthy(true))
            }
        }
        deserializer.deserialize_any(TruthyVisitor)
    }
}

/// A JS number stored as a flatbuffers uint16 by mediasoup's channel: it
/// wraps modulo 65536 (so 65536 is 0 and 65537 is 1); anything that is
/// not a finite number is 0.
pub fn wrap_u16(value: &Js<f64>) -> u16 {
    match value.copied() {
        Some(f) if f.is_finite() => (f.trunc() as i64).rem_euclid(65536) as u16,
        _ => 0,
    }
}

/// A list of uint16 (subchannels) as mediasoup's channel encodes it (not
/// an array: empty).
pub fn wrap_u16_list(value: &Js<Vec<Js<f64>>>) -> Vec<u16> {
    value
        .get()
        .map(|list| list.iter().map(wrap_u16).collect())
        .unwrap_or_default()
}

/// Parses a body: anything that is not an object (or not JSON) reads as
/// an empty one, whose first required field then reports its error.
pub fn body<T: for<'de> Deserialize<'de> + Default>(text: &str) -> T {
    serde_json::from_str::<Js<T>>(text)
        .ok()
        .and_then(Js::into_option)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, Deserialize)]
    #[serde(default, rename_all = "camelCase")]
    struct Sample {
        name: Js<String>,
        port: Js<u16>,
        list: Js<Vec<Js<u16>>>,
        inner: Js<Inner>,
        flag: Truthy,
    }

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default)]
    struct Inner {
        a: Js<bool>,
    }

    #[test]
    fn fields_record_absent_null_set_and_wrong() {
        let s: Sample = body(
            r#"{"name": null, "port": 70000, "list": [1, "x", {"y": [2]}],
            "inner": {"a": true, "b": {"deep": [1, 2]}}, "flag": "yes", "other": [{}]}"#,
        );
        assert_eq!(s.name, Js::Null);
        assert_eq!(s.port, Js::Wrong);
        assert_eq!(s.list, Js::Set(vec![Js::Set(1), Js::Wrong, Js::Wrong]));
        assert_eq!(s.inner, Js::Set(Inner { a: Js::Set(true) }));
        assert_eq!(s.flag, Truthy(true));
        let s: Sample = body(r#"{"name": "n", "port": -1, "list": {"a": 1}, "inner": "x"}"#);
        assert_eq!(s.name.as_str(), Some("n"));
        assert_eq!((s.port, s.list, s.inner), (Js::Wrong, Js::Wrong, Js::Wrong));
        assert_eq!(s.flag, Truthy(false));
        for text in ["null", "3", "[1]", "not json", ""] {
            let s: Sample = body(text);
            assert_eq!(s.name, Js::Absent, "{text}");
        }
    }

    #[test]
    fn numbers_wrap_like_mediasoups_channel() {
        let wrap = |v: f64| wrap_u16(&Js::Set(v));
        assert_eq!((wrap(65536.0), wrap(65537.9), wrap(-1.0)), (0, 1, 65535));
        assert_eq!(wrap_u16(&Js::Wrong), 0);
        assert_eq!(
            wrap_u16_list(&Js::Set(vec![Js::Set(3.0), Js::Wrong])),
            vec![3, 0]
        );
    }
}
