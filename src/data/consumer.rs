//! A DataConsumer: one DataProducer's messages leaving through a transport.
//!
//! On a DirectTransport a message is handed to JS (`message` event). An
//! `sctp` DataConsumer would hand it to its transport's SCTP association,
//! which ferrosoup does not have yet: such consumers get no messages, count
//! none as sent and their `send()` fails (see `worker::data`).

use super::{DataEndpointOptions, DataType, SctpStreamParameters};

use crate::ids::{DataProducerKey, TransportKey};

pub struct DataConsumer {
    pub id: String,
    pub data_producer: DataProducerKey,
    pub data_producer_id: String,
    pub transport: TransportKey,
    pub data_type: DataType,
    /// Present for `sctp` DataConsumers only.
    pub sctp: Option<SctpStreamParameters>,
    pub label: String,
    pub protocol: String,
    pub paused: bool,
    pub data_producer_paused: bool,
    /// Subscribed subchannels, in insertion order, without duplicates.
    pub subchannels: Vec<u16>,
    /// Largest message sent (the transport's maxSendMessageSize).
    pub max_message_size: u64,
    /// SCTP stream's bufferedAmountLowThreshold.
    pub buffered_amount_low_threshold: u32,
    pub messages_sent: u64,
    pub bytes_sent: u64,
    /// On a PipeTransport: subchannels travel in the message, for the
    /// other router's DataConsumers to apply.
    pub pipe: bool,
}

/// Where a DataConsumer lives and what its transport allows.
pub struct DataConsumerContext {
    pub data_producer: DataProducerKey,
    pub transport: TransportKey,
    pub max_message_size: u64,
    pub buffered_amount_low_threshold: u32,
    /// Whether the transport is a PipeTransport.
    pub pipe: bool,
}

/// mediasoup's DataConsumerStat.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DataConsumerStats<'a> {
    #[serde(rename = "type")]
    stats_type: &'static str,
    timestamp: u64,
    label: &'a str,
    protocol: &'a str,
    messages_sent: u64,
    bytes_sent: u64,
    buffered_amount: u32,
}

/// mediasoup's DataConsumerDump.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DataConsumerDump<'a> {
    id: &'a str,
    data_producer_id: &'a str,
    #[serde(rename = "type")]
    data_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    sctp_stream_parameters: Option<SctpStreamParameters>,
    label: &'a str,
    protocol: &'a str,
    buffered_amount: u32,
    buffered_amount_low_threshold: u32,
    paused: bool,
    data_producer_paused: bool,
    subchannels: &'a [u16],
}

impl DataConsumer {
    /// From a `transport.consumeData` request.
    pub fn new(ctx: DataConsumerContext, options: DataEndpointOptions) -> Self {
        let mut consumer = DataConsumer {
            id: options.id,
            data_producer: ctx.data_producer,
            data_producer_id: options.data_producer_id,
            transport: ctx.transport,
            data_type: options.data_type,
            sctp: options.sctp,
            label: options.label,
            protocol: options.protocol,
            paused: options.paused,
            data_producer_paused: false,
            subchannels: Vec::new(),
            max_message_size: ctx.max_message_size,
            buffered_amount_low_threshold: ctx.buffered_amount_low_threshold,
            messages_sent: 0,
            bytes_sent: 0,
            pipe: ctx.pipe,
        };
        consumer.set_subchannels(&options.subchannels);
        consumer
    }

    /// Active: neither it nor its DataProducer is paused (mediasoup's
    /// `IsActive()`; a closed DataProducer takes its consumers with it).
    pub fn is_active(&self) -> bool {
        !self.paused && !self.data_producer_paused
    }

    /// mediasoup's `VerifySubchannels()`:
    /// - a pipe DataConsumer subscribed to nothing lets everything through
    ///   (the other router's DataConsumers decide);
    /// - with a required subchannel, this consumer must be subscribed to it;
    /// - with an ignored subchannel, it must not be subscribed to it (not
    ///   checked by pipe DataConsumers: it travels on for the far side);
    /// - with subchannels, it must be subscribed to at least one of them.
    pub fn verify_subchannels(
        &self,
        subchannels: &[u16],
        required: Option<u16>,
        ignored: Option<u16>,
    ) -> bool {
        if self.pipe && self.subchannels.is_empty() {
            return true;
        }
        if required.is_some_and(|r| !self.subchannels.contains(&r)) {
            return false;
        }
        if !self.pipe && ignored.is_some_and(|i| self.subchannels.contains(&i)) {
            return false;
        }
        subchannels.is_empty() || subchannels.iter().any(|s| self.subchannels.contains(s))
    }

    pub fn set_subchannels(&mut self, subchannels: &[u16]) {
        self.subchannels.clear();
        for s in subchannels {
            self.add_subchannel(*s);
        }
    }

    pub fn add_subchannel(&mut self, subchannel: u16) {
        if !self.subchannels.contains(&subchannel) {
            self.subchannels.push(subchannel);
        }
    }

    pub fn remove_subchannel(&mut self, subchannel: u16) {
        if let Some(at) = self.subchannels.iter().position(|s| *s == subchannel) {
            self.subchannels.swap_remove(at);
        }
    }

    /// Counts a message handed on to the transport.
    pub fn sent(&mut self, len: usize) {
        self.messages_sent += 1;
        self.bytes_sent += len as u64;
    }

    /// DataConsumerDump.
    pub fn dump(&self) -> DataConsumerDump<'_> {
        DataConsumerDump {
            id: &self.id,
            data_producer_id: &self.data_producer_id,
            data_type: self.data_type.as_str(),
            sctp_stream_parameters: self.sctp,
            label: &self.label,
            protocol: &self.protocol,
            buffered_amount: 0,
            buffered_amount_low_threshold: match self.data_type {
                DataType::Sctp => self.buffered_amount_low_threshold,
                DataType::Direct => 0,
            },
            paused: self.paused,
            data_producer_paused: self.data_producer_paused,
            subchannels: &self.subchannels,
        }
    }

    /// DataConsumerStat (JS wraps it in an array).
    pub fn stats(&self, now_ms: u64) -> DataConsumerStats<'_> {
        DataConsumerStats {
            stats_type: "data-consumer",
            timestamp: now_ms,
            label: &self.label,
            protocol: &self.protocol,
            messages_sent: self.messages_sent,
            bytes_sent: self.bytes_sent,
            buffered_amount: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::SlabKey;
    use serde_json::json;

    fn direct(subchannels: &[u16]) -> DataConsumer {
        let ctx = DataConsumerContext {
            data_producer: SlabKey::from_index(0),
            transport: SlabKey::from_index(0),
            max_message_size: 100,
            buffered_amount_low_threshold: 1024,
            pipe: false,
        };
        let options = crate::request::data::consume_data(&crate::json_in::body(
            &json!({
                "dataConsumerId": "c", "type": "direct", "dataProducerId": "p",
                "subchannels": subchannels
            })
            .to_string(),
        ))
        .unwrap();
        DataConsumer::new(ctx, options)
    }

    #[test]
    fn subchannel_rules_match_mediasoup() {
        // The cases of mediasoup's test-DirectTransport.
        let dc1 = direct(&[1, 11, 666]);
        let dc2 = direct(&[2, 22, 666]);
        let cases: [(&[u16], Option<u16>, bool, bool); 9] = [
            (&[], None, true, true),
            (&[1, 2], None, true, true),
            (&[11, 22, 33], Some(666), true, true),
            (&[3], Some(666), false, false),
            (&[666], Some(3), false, false),
            (&[1], None, true, false),
            (&[11], Some(1), true, false),
            (&[666], Some(11), true, false),
            (&[666], Some(2), false, true),
        ];
        for (subchannels, required, to1, to2) in cases {
            assert_eq!(dc1.verify_subchannels(subchannels, required, None), to1);
            assert_eq!(dc2.verify_subchannels(subchannels, required, None), to2);
        }
        assert!(!dc1.verify_subchannels(&[], None, Some(11)));
        assert!(dc2.verify_subchannels(&[], None, Some(11)));
    }

    #[test]
    fn subchannels_are_a_set() {
        let mut c = direct(&[0, 1, 1, 1, 2, 65535, 0, 1, 100]);
        assert_eq!(c.subchannels, vec![0, 1, 2, 65535, 100]);
        c.add_subchannel(2);
        c.remove_subchannel(1);
        c.remove_subchannel(7);
        let mut s = c.subchannels.clone();
        s.sort_unstable();
        assert_eq!(s, vec![0, 2, 100, 65535]);
        assert_eq!(
            serde_json::to_value(c.dump()).unwrap()["bufferedAmountLowThreshold"],
            0
        );
    }
}
