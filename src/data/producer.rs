//! A DataProducer: messages entering the router, from `DataProducer.send()`
//! (or, once ferrosoup has an SCTP stack, from an SCTP stream of its
//! transport; until then an `sctp` DataProducer receives nothing from its
//! peer).

use super::{DataEndpointOptions, DataType, SctpStreamParameters};

use crate::ids::{RouterKey, TransportKey};

pub struct DataProducer {
    pub id: String,
    pub transport: TransportKey,
    pub router: RouterKey,
    pub data_type: DataType,
    /// Present for `sctp` DataProducers only.
    pub sctp: Option<SctpStreamParameters>,
    pub label: String,
    pub protocol: String,
    pub paused: bool,
    /// Largest message accepted (the transport's maxReceiveMessageSize).
    pub max_message_size: u64,
    pub messages_received: u64,
    pub bytes_received: u64,
}

/// mediasoup's DataProducerDump.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DataProducerDump<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    data_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    sctp_stream_parameters: Option<SctpStreamParameters>,
    label: &'a str,
    protocol: &'a str,
    paused: bool,
}

/// mediasoup's DataProducerStat.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DataProducerStats<'a> {
    #[serde(rename = "type")]
    stats_type: &'static str,
    timestamp: u64,
    label: &'a str,
    protocol: &'a str,
    messages_received: u64,
    bytes_received: u64,
}

impl DataProducer {
    /// From a `transport.produceData` request.
    pub fn new(
        transport: TransportKey,
        router: RouterKey,
        max_message_size: u64,
        options: DataEndpointOptions,
    ) -> Self {
        DataProducer {
            id: options.id,
            transport,
            router,
            data_type: options.data_type,
            sctp: options.sctp,
            label: options.label,
            protocol: options.protocol,
            paused: options.paused,
            max_message_size,
            messages_received: 0,
            bytes_received: 0,
        }
    }

    /// DataProducerDump.
    pub fn dump(&self) -> DataProducerDump<'_> {
        DataProducerDump {
            id: &self.id,
            data_type: self.data_type.as_str(),
            sctp_stream_parameters: self.sctp,
            label: &self.label,
            protocol: &self.protocol,
            paused: self.paused,
        }
    }

    /// DataProducerStat (JS wraps it in an array).
    pub fn stats(&self, now_ms: u64) -> DataProducerStats<'_> {
        DataProducerStats {
            stats_type: "data-producer",
            timestamp: now_ms,
            label: &self.label,
            protocol: &self.protocol,
            messages_received: self.messages_received,
            bytes_received: self.bytes_received,
        }
    }

    /// Counts a received message; false if it goes no further (paused).
    pub fn receive(&mut self, len: usize) -> bool {
        self.messages_received += 1;
        self.bytes_received += len as u64;
        !self.paused
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::SlabKey;
    use serde_json::json;

    fn key<K: SlabKey>(index: usize) -> K {
        K::from_index(index)
    }

    #[test]
    fn sctp_producer_needs_stream_parameters() {
        let e = crate::request::data::produce_data(&crate::json_in::body(
            &json!({"dataProducerId": "a", "type": "sctp"}).to_string(),
        ));
        assert!(e.is_err());
        let options = crate::request::data::produce_data(&crate::json_in::body(
            &json!({
                "dataProducerId": "a", "type": "sctp", "sctpStreamParameters": {"streamId": 3},
                "label": "l", "paused": true
            })
            .to_string(),
        ))
        .unwrap();
        let p = DataProducer::new(key(0), key(0), 10, options);
        assert_eq!(
            serde_json::to_value(p.dump()).unwrap(),
            json!({"id": "a", "type": "sctp", "label": "l", "protocol": "", "paused": true,
                   "sctpStreamParameters": {"streamId": 3, "ordered": true}})
        );
    }

    #[test]
    fn direct_producer_counts_even_when_paused() {
        let options = crate::request::data::produce_data(&crate::json_in::body(
            &json!({"dataProducerId": "a", "type": "direct"}).to_string(),
        ))
        .unwrap();
        let mut p = DataProducer::new(key(0), key(0), 10, options);
        assert!(p.sctp.is_none());
        assert!(p.receive(3));
        p.paused = true;
        assert!(!p.receive(4));
        let stats = serde_json::to_value(p.stats(5)).unwrap();
        assert_eq!(stats["messagesReceived"], 2);
        assert_eq!(stats["bytesReceived"], 7);
    }
}
