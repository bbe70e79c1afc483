//! DataProducers and DataConsumers (mediasoup's data channels): what they
//! are made of, their dumps and stats in mediasoup's shapes, and the
//! subchannel rules that decide which DataConsumer gets a message.
//!
//! `sctp` DataProducers get messages from their transport's SCTP
//! association (`crate::sctp`, fed by `sfu::sctp_io`), `direct` ones from
//! `DataProducer.send()`; each message goes to the DataConsumers of its
//! DataProducer that pass the subchannel rules, over SCTP or as `message`
//! events on DirectTransports. Across pipes the subchannel filter travels
//! in the message (`subchannels`).
//!
//! The objects live in the worker's [`DataObjects`] slabs; routing and the
//! requests are in `sfu::data`.

pub mod consumer;
pub mod producer;
pub mod subchannels;

pub use consumer::DataConsumer;
pub use producer::DataProducer;

use crate::ids::{self, DataConsumerKey, DataProducerKey};

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
    pub fn as_str(self) -> &'static str {
        match self {
            DataType::Sctp => "sctp",
            DataType::Direct => "direct",
        }
    }
}

/// The body of `transport.produceData` or `transport.consumeData`, parsed
/// at the boundary (`request`).
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
