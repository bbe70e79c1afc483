//! A Router: the media routing domain inside a worker. It owns its
//! transports, producers, consumers and RTP observers (added by later
//! capabilities) and answers the `router.*` requests.

use crate::error::{Error, Result};
use serde_json::{json, Value};

pub struct Router {
    pub id: String,
}

impl Router {
    pub fn new(id: String) -> Self {
        Router { id }
    }

    /// `router.dump()` in mediasoup's RouterDump shape.
    pub fn dump(&self) -> Value {
        json!({
            "id": self.id,
            "transportIds": [],
            "rtpObserverIds": [],
            "mapProducerIdConsumerIds": [],
            "mapConsumerIdProducerId": [],
            "mapProducerIdObserverIds": [],
            "mapDataProducerIdDataConsumerIds": [],
            "mapDataConsumerIdDataProducerId": [],
        })
    }

    pub fn handle_request(&mut self, method: &str, _data: &Value) -> Result<Value> {
        match method {
            "router.dump" => Ok(self.dump()),
            other => Err(Error::other(format!("unknown method '{other}'"))),
        }
    }
}
