//! A Router: the media routing domain inside a worker. Its transports,
//! producers, consumers and RTP observers live in the worker's slabs; the
//! router keeps their keys and the producer -> consumers fan-out lists the
//! media path walks for every packet (and the DataProducer -> DataConsumers
//! lists data messages take).

pub mod dump;
pub mod rtp_observer;

use crate::ids::{
    ConsumerKey, DataConsumerKey, DataProducerKey, ProducerKey, RtpObserverKey, TransportKey,
};
use indexmap::IndexMap;
use std::collections::HashMap;

pub struct Router {
    pub id: String,
    pub transports: Vec<TransportKey>,
    pub producers: Vec<ProducerKey>,
    pub consumers_by_producer: HashMap<ProducerKey, Vec<ConsumerKey>>,
    pub rtp_observers: Vec<RtpObserverKey>,
    /// Every DataProducer of the router (in creation order) with its
    /// DataConsumers.
    pub data_consumers_by_data_producer: IndexMap<DataProducerKey, Vec<DataConsumerKey>>,
}

impl Router {
    pub fn new(id: String) -> Self {
        Router {
            id,
            transports: Vec::new(),
            producers: Vec::new(),
            consumers_by_producer: HashMap::new(),
            rtp_observers: Vec::new(),
            data_consumers_by_data_producer: IndexMap::new(),
        }
    }
}
