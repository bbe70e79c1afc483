//! A Router: the media routing domain inside a worker. Its transports,
//! producers, consumers and RTP observers live in the worker's slabs; the
//! router keeps their keys and the producer -> consumers fan-out lists the
//! media path walks for every packet.

pub mod rtp_observer;

use crate::worker::Key;
use std::collections::HashMap;

pub struct Router {
    pub id: String,
    pub transports: Vec<Key>,
    pub producers: Vec<Key>,
    pub consumers_by_producer: HashMap<Key, Vec<Key>>,
    pub rtp_observers: Vec<Key>,
}

impl Router {
    pub fn new(id: String) -> Self {
        Router {
            id,
            transports: Vec::new(),
            producers: Vec::new(),
            consumers_by_producer: HashMap::new(),
            rtp_observers: Vec::new(),
        }
    }
}
