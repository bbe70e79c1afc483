//! A Router: the media routing domain inside a worker. Its transports,
//! producers, consumers and RTP observers live in the worker's slabs; the
//! router keeps their keys and the producer -> consumers fan-out lists the
//! media path walks for every packet (and the DataProducer -> DataConsumers
//! lists data messages take).

pub mod rtp_observer;

use crate::ids::Key;
use indexmap::IndexMap;
use std::collections::HashMap;

pub struct Router {
    pub id: String,
    pub transports: Vec<Key>,
    pub producers: Vec<Key>,
    pub consumers_by_producer: HashMap<Key, Vec<Key>>,
    pub rtp_observers: Vec<Key>,
    /// Every DataProducer of the router (in creation order) with its
    /// DataConsumers.
    pub data_consumers_by_data_producer: IndexMap<Key, Vec<Key>>,
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
