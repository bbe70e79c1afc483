//! DataProducers and DataConsumers (mediasoup's data channels): what they
//! are made of, their dumps and stats in mediasoup's shapes, and the
//! subchannel rules that decide which DataConsumer gets a message.
//!
//! There is **no SCTP association in ferrosoup yet**. On transports created
//! with `enableSctp` (WebRtc/Plain), `sctp` DataProducers and DataConsumers
//! exist with their `sctpStreamParameters`, dumps, stats, pause/resume,
//! subchannels and close cascades, but no message travels over SCTP: an
//! `sctp` DataProducer never receives one from its peer, and an `sctp`
//! DataConsumer is never handed one (nor counts one as sent). Messages flow
//! only between `DataProducer.send()` (any DataProducer, as in mediasoup's
//! worker) and the DataConsumers of DirectTransports (`message` events).
//!
//! The objects live in the worker's [`DataObjects`] slabs; routing and the
//! requests are in `worker::data`.

pub mod consumer;
pub mod producer;

pub use consumer::DataConsumer;
pub use producer::DataProducer;

use crate::error::{Error, Result};
use crate::ids::{self, DataConsumerKey, DataProducerKey};
use serde_json::Value;

/// PPIDs of WebRTC data channel messages (RFC 8831).
pub mod ppid {
    pub const STRING: u32 = 51;
    pub const BINARY: u32 = 53;
    pub const STRING_EMPTY: u32 = 56;
    pub const BINARY_EMPTY: u32 = 57;
}

/// The worker's DataProducers and DataConsumers, addressed by key.
#[derive(Default)]
pub struct DataObjects {
    pub producers: ids::Slab<DataProducerKey, DataProducer>,
    pub consumers: ids::Slab<DataConsumerKey, DataConsumer>,
}

/// Whether a data endpoint talks SCTP or lives on a DirectTransport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataType {
    Sctp,
    Direct,
}

impl DataType {
    pub fn parse(data: &Value) -> Result<Self> {
        match data.get("type").and_then(Value::as_str) {
            Some("sctp") => Ok(DataType::Sctp),
            Some("direct") => Ok(DataType::Direct),
            _ => Err(Error::type_error("invalid type")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DataType::Sctp => "sctp",
            DataType::Direct => "direct",
        }
    }
}

/// The body of `transport.produceData` or `transport.consumeData`, parsed
/// at the boundary.
#[derive(Debug, Clone, PartialEq)]
pub struct DataEndpointOptions {
    /// The new DataProducer's or DataConsumer's id.
    pub id: String,
    /// The DataProducer a DataConsumer consumes (empty for a producer).
    pub data_producer_id: String,
    pub data_type: DataType,
    pub sctp: Option<SctpStreamParameters>,
    pub label: String,
    pub protocol: String,
    pub paused: bool,
    pub subchannels: Vec<u16>,
}

impl DataEndpointOptions {
    /// A `transport.produceData` body.
    pub fn parse_produce(data: &Value) -> Result<Self> {
        let id = crate::json_fields::string_field(data, "dataProducerId")?;
        Self::parse(id, String::new(), data)
    }

    /// A `transport.consumeData` body.
    pub fn parse_consume(data: &Value) -> Result<Self> {
        let id = crate::json_fields::string_field(data, "dataConsumerId")?;
        let data_producer_id = crate::json_fields::string_field(data, "dataProducerId")?;
        Self::parse(id, data_producer_id, data)
    }

    fn parse(id: String, data_producer_id: String, data: &Value) -> Result<Self> {
        let data_type = DataType::parse(data)?;
        let sctp = match data_type {
            DataType::Sctp => Some(SctpStreamParameters::parse(
                data.get("sctpStreamParameters")
                    .ok_or_else(|| Error::type_error("missing sctpStreamParameters"))?,
            )?),
            DataType::Direct => None,
        };
        Ok(DataEndpointOptions {
            id,
            data_producer_id,
            data_type,
            sctp,
            label: string_or_empty(data, "label"),
            protocol: string_or_empty(data, "protocol"),
            paused: data.get("paused").and_then(Value::as_bool).unwrap_or(false),
            subchannels: u16_list(data.get("subchannels")),
        })
    }
}

/// SCTP stream parameters as mediasoup's worker keeps them (its
/// `RTC::SctpStreamParameters`): a zero lifetime or retransmit count means
/// unset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SctpStreamParameters {
    pub stream_id: u16,
    pub ordered: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_packet_life_time: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_retransmits: Option<u16>,
}

impl SctpStreamParameters {
    /// Parses and validates them like mediasoup's worker does.
    pub fn parse(params: &Value) -> Result<Self> {
        if !params.is_object() {
            return Err(Error::type_error("missing sctpStreamParameters"));
        }
        let stream_id = params.get("streamId").map(to_u16).unwrap_or(0);
        if stream_id > 65534 {
            return Err(Error::type_error("streamId must not be greater than 65534"));
        }
        let ordered = params.get("ordered").filter(|v| !v.is_null());
        let optional = |key: &str| {
            params
                .get(key)
                .filter(|v| !v.is_null())
                .map(to_u16)
                .filter(|v| *v != 0)
        };
        let max_packet_life_time = optional("maxPacketLifeTime");
        let max_retransmits = optional("maxRetransmits");
        if max_packet_life_time.is_some() && max_retransmits.is_some() {
            return Err(Error::type_error(
                "cannot provide both maxPacketLifeTime and maxRetransmits",
            ));
        }
        let unreliable = max_packet_life_time.is_some() || max_retransmits.is_some();
        let ordered = match ordered {
            Some(v) => {
                let ordered = truthy(v);
                if ordered && unreliable {
                    return Err(Error::type_error(
                        "cannot be ordered with maxPacketLifeTime or maxRetransmits",
                    ));
                }
                ordered
            }
            None => !unreliable,
        };
        Ok(SctpStreamParameters {
            stream_id,
            ordered,
            max_packet_life_time,
            max_retransmits,
        })
    }
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Null => false,
        _ => true,
    }
}

/// A JS number stored as a flatbuffers uint16 by mediasoup's channel: it
/// wraps modulo 65536 (so subchannel 65536 is 0 and 65537 is 1).
pub fn to_u16(v: &Value) -> u16 {
    match v.as_f64() {
        Some(f) if f.is_finite() => (f.trunc() as i64).rem_euclid(65536) as u16,
        _ => 0,
    }
}

/// An optional uint16 (`null`/absent: none).
pub fn optional_u16(data: &Value, key: &str) -> Option<u16> {
    data.get(key).filter(|v| !v.is_null()).map(to_u16)
}

/// A list of uint16 (subchannels) as mediasoup's channel encodes it.
pub fn u16_list(v: Option<&Value>) -> Vec<u16> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().map(to_u16).collect())
        .unwrap_or_default()
}

/// A string field that may be absent (empty then).
pub(crate) fn string_or_empty(data: &Value, key: &str) -> String {
    data.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sctp_stream_parameters_follow_mediasoup_rules() {
        let p = SctpStreamParameters::parse(&json!({"streamId": 666})).unwrap();
        assert_eq!(
            serde_json::to_value(p).unwrap(),
            json!({"streamId": 666, "ordered": true})
        );
        let p =
            SctpStreamParameters::parse(&json!({"streamId": 777, "maxRetransmits": 3})).unwrap();
        assert_eq!(
            serde_json::to_value(p).unwrap(),
            json!({"streamId": 777, "ordered": false, "maxRetransmits": 3})
        );
        let p = SctpStreamParameters::parse(
            &json!({"streamId": 1, "ordered": false, "maxPacketLifeTime": 0}),
        )
        .unwrap();
        assert_eq!(
            serde_json::to_value(p).unwrap(),
            json!({"streamId": 1, "ordered": false})
        );
        for bad in [
            json!({"streamId": 65535}),
            json!({"streamId": 1, "maxRetransmits": 1, "maxPacketLifeTime": 1}),
            json!({"streamId": 1, "ordered": true, "maxRetransmits": 1}),
            json!(null),
        ] {
            let e = SctpStreamParameters::parse(&bad).unwrap_err();
            assert_eq!(e.kind, crate::error::ErrorKind::TypeError, "{bad}");
        }
        // uint16 wrapping, as through flatbuffers.
        let p = SctpStreamParameters::parse(&json!({"streamId": 65536 + 5})).unwrap();
        assert_eq!(p.stream_id, 5);
    }

    #[test]
    fn u16_values_wrap() {
        assert_eq!(
            u16_list(Some(&json!([0, 1, 65535, 65536, 65537, -1, 2.7]))),
            vec![0, 1, 65535, 0, 1, 65535, 2]
        );
        assert_eq!(optional_u16(&json!({"a": null}), "a"), None);
        assert_eq!(optional_u16(&json!({"a": 3}), "a"), Some(3));
    }
}
