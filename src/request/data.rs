//! Data channel bodies: `transport.produceData` / `consumeData`, the
//! DataConsumer requests and the `dataProducer.send` notification.

use super::string_field;
use crate::data::{DataEndpointOptions, DataType, SctpStreamParameters};
use crate::error::{Error, Result};
use crate::json_in::{wrap_u16, wrap_u16_list, Js, Truthy};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DataEndpointBody {
    data_producer_id: Js<String>,
    data_consumer_id: Js<String>,
    #[serde(rename = "type")]
    data_type: Js<String>,
    sctp_stream_parameters: Js<SctpStreamParametersBody>,
    label: Js<String>,
    protocol: Js<String>,
    paused: Js<bool>,
    subchannels: Js<Vec<Js<f64>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct SctpStreamParametersBody {
    stream_id: Js<f64>,
    ordered: Js<Truthy>,
    max_packet_life_time: Js<f64>,
    max_retransmits: Js<f64>,
}

/// A `transport.produceData` body.
pub fn produce_data(b: &DataEndpointBody) -> Result<DataEndpointOptions> {
    let id = string_field(&b.data_producer_id, "dataProducerId")?;
    endpoint(id, String::new(), b)
}

/// A `transport.consumeData` body.
pub fn consume_data(b: &DataEndpointBody) -> Result<DataEndpointOptions> {
    let id = string_field(&b.data_consumer_id, "dataConsumerId")?;
    let data_producer_id = string_field(&b.data_producer_id, "dataProducerId")?;
    endpoint(id, data_producer_id, b)
}

fn endpoint(
    id: String,
    data_producer_id: String,
    b: &DataEndpointBody,
) -> Result<DataEndpointOptions> {
    let data_type = match b.data_type.as_str() {
        Some("sctp") => DataType::Sctp,
        Some("direct") => DataType::Direct,
        _ => return Err(Error::type_error("invalid type")),
    };
    let sctp = match data_type {
        DataType::Sctp => Some(sctp_stream_parameters(&b.sctp_stream_parameters)?),
        DataType::Direct => None,
    };
    let text = |v: &Js<String>| v.as_str().unwrap_or_default().to_string();
    Ok(DataEndpointOptions {
        id,
        data_producer_id,
        data_type,
        sctp,
        label: text(&b.label),
        protocol: text(&b.protocol),
        paused: b.paused.copied().unwrap_or(false),
        subchannels: wrap_u16_list(&b.subchannels),
    })
}

/// Checked like mediasoup's worker checks them.
fn sctp_stream_parameters(value: &Js<SctpStreamParametersBody>) -> Result<SctpStreamParameters> {
    let params = value
        .get()
        .ok_or_else(|| Error::type_error("missing sctpStreamParameters"))?;
    let stream_id = wrap_u16(&params.stream_id);
    if stream_id > 65534 {
        return Err(Error::type_error("streamId must not be greater than 65534"));
    }
    // Absent, null and 0 all mean unset.
    let optional = |v: &Js<f64>| v.is_given().then(|| wrap_u16(v)).filter(|v| *v != 0);
    let max_packet_life_time = optional(&params.max_packet_life_time);
    let max_retransmits = optional(&params.max_retransmits);
    if max_packet_life_time.is_some() && max_retransmits.is_some() {
        return Err(Error::type_error(
            "cannot provide both maxPacketLifeTime and maxRetransmits",
        ));
    }
    let unreliable = max_packet_life_time.is_some() || max_retransmits.is_some();
    let ordered = match &params.ordered {
        Js::Set(Truthy(ordered)) => {
            if *ordered && unreliable {
                return Err(Error::type_error(
                    "cannot be ordered with maxPacketLifeTime or maxRetransmits",
                ));
            }
            *ordered
        }
        _ => !unreliable,
    };
    Ok(SctpStreamParameters {
        stream_id,
        ordered,
        max_packet_life_time,
        max_retransmits,
    })
}

/// The bodies of the DataConsumer requests and `dataProducer.send`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DataMessageBody {
    pub threshold: Js<f64>,
    pub data: Js<String>,
    pub subchannels: Js<Vec<Js<f64>>>,
    pub subchannel: Js<f64>,
    pub ppid: Js<f64>,
    pub required_subchannel: Js<f64>,
    pub ignored_subchannel: Js<f64>,
}

impl DataMessageBody {
    pub fn subchannels(&self) -> Vec<u16> {
        wrap_u16_list(&self.subchannels)
    }

    /// An optional uint16 (`null`/absent: none).
    pub fn optional_u16(value: &Js<f64>) -> Option<u16> {
        value.is_given().then(|| wrap_u16(value))
    }

    /// A JS number written into a flatbuffers uint32 (truncated, wrapping).
    pub fn ppid(&self) -> u32 {
        self.ppid
            .copied()
            .filter(|p| p.is_finite())
            .map_or(0, |p| p.trunc() as i64 as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json_in::body;

    fn sctp(text: &str) -> Result<SctpStreamParameters> {
        sctp_stream_parameters(&serde_json::from_str(text).unwrap())
    }

    #[test]
    fn sctp_stream_parameters_follow_mediasoup_rules() {
        let p = sctp(r#"{"streamId": 666}"#).unwrap();
        assert_eq!(
            serde_json::to_value(p).unwrap(),
            serde_json::json!({"streamId": 666, "ordered": true})
        );
        let p = sctp(r#"{"streamId": 1, "maxRetransmits": 3, "ordered": null}"#).unwrap();
        assert_eq!((p.ordered, p.max_retransmits), (false, Some(3)));
        let p = sctp(r#"{"streamId": 1, "ordered": 0}"#).unwrap();
        assert!(!p.ordered);
        for (text, message) in [
            (
                r#"{"streamId": 65535}"#,
                "streamId must not be greater than 65534",
            ),
            (
                r#"{"streamId": 1, "maxRetransmits": 3, "maxPacketLifeTime": 4}"#,
                "cannot provide both maxPacketLifeTime and maxRetransmits",
            ),
            (
                r#"{"streamId": 1, "maxRetransmits": 3, "ordered": "yes"}"#,
                "cannot be ordered with maxPacketLifeTime or maxRetransmits",
            ),
            (r#"3"#, "missing sctpStreamParameters"),
        ] {
            assert_eq!(sctp(text).unwrap_err().message, message, "{text}");
        }
    }

    #[test]
    fn endpoints_need_ids_and_a_type() {
        let e = produce_data(&body(r#"{"type": "direct"}"#)).unwrap_err();
        assert_eq!(e.message, "missing dataProducerId");
        let e = produce_data(&body(r#"{"dataProducerId": "a", "type": "x"}"#)).unwrap_err();
        assert_eq!(e.message, "invalid type");
        let e = produce_data(&body(r#"{"dataProducerId": "a", "type": "sctp"}"#)).unwrap_err();
        assert_eq!(e.message, "missing sctpStreamParameters");
        let o = consume_data(&body(
            r#"{"dataConsumerId": "c", "dataProducerId": "p", "type": "direct",
                "label": 3, "paused": true, "subchannels": [1, 65537, "x"]}"#,
        ))
        .unwrap();
        assert_eq!(o.label, "");
        assert!(o.paused);
        assert_eq!(o.subchannels, vec![1, 1, 0]);
    }
}
