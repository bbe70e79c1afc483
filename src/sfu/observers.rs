//! RTP observers in the worker: creation, requests, and feeding them the
//! audio levels of the producers they observe.

use super::core::{Core, Handler};
use crate::channel::Reply;
use crate::error::{Error, Result};
use crate::ids::{ProducerKey, RouterKey, RtpObserverKey};
use crate::request::{RtpObserverOptions, RtpObserverRequest};
use crate::router::rtp_observer::RtpObserver;

impl Core {
    pub(super) fn create_rtp_observer(
        &mut self,
        router: RouterKey,
        id: String,
        options: RtpObserverOptions,
    ) -> Result<Reply> {
        if self.handlers.contains_key(&id) {
            return Err(Error::other("an RtpObserver with same id already exists"));
        }
        let observer = RtpObserver::new(id.clone(), router, options);
        let okey = self.rtp_observers.insert(observer);
        self.routers[router].rtp_observers.push(okey);
        self.handlers.insert(id, Handler::RtpObserver(okey));
        Ok(Reply::Null)
    }

    pub(super) fn close_rtp_observer(&mut self, okey: RtpObserverKey) {
        if !self.rtp_observers.contains(okey) {
            return;
        }
        let observer = self.rtp_observers.remove(okey);
        self.handlers.shift_remove(&observer.id);
        if let Some(router) = self.routers.get_mut(observer.router) {
            router.rtp_observers.retain(|o| *o != okey);
        }
    }

    pub(super) fn remove_producer_from_observers(&mut self, router: RouterKey, producer_id: &str) {
        let Some(router) = self.routers.get(router) else {
            return;
        };
        for okey in &router.rtp_observers {
            self.rtp_observers[*okey].remove_producer(producer_id);
        }
    }

    pub(super) fn rtp_observer_request(
        &mut self,
        okey: RtpObserverKey,
        request: RtpObserverRequest,
    ) -> Result<Reply> {
        let (producer_id, add) = match request {
            RtpObserverRequest::Pause | RtpObserverRequest::Resume => {
                let paused = matches!(request, RtpObserverRequest::Pause);
                self.rtp_observers[okey].set_paused(paused);
                return Ok(Reply::Null);
            }
            RtpObserverRequest::AddProducer { producer_id } => (producer_id, true),
            RtpObserverRequest::RemoveProducer { producer_id } => (producer_id, false),
        };
        let Some(Handler::Producer(pkey)) = self.handler(&producer_id) else {
            return Err(Error::not_found(format!(
                "Producer '{producer_id}' not found"
            )));
        };
        let observer = &mut self.rtp_observers[okey];
        if self.producers[pkey].router != observer.router {
            return Err(Error::not_found(format!(
                "Producer '{producer_id}' not found"
            )));
        }
        if add {
            // Both observers measure audio only (mediasoup's check).
            if self.producers[pkey].kind != crate::rtp_parameters::MediaKind::Audio {
                return Err(Error::type_error("not an audio Producer"));
            }
            observer.add_producer(&producer_id);
            if self.producers[pkey].paused {
                observer.producer_paused(&producer_id, true);
            }
        } else {
            observer.remove_producer(&producer_id);
        }
        Ok(Reply::Null)
    }

    /// Audio level of one packet of `pkey`, given to the router's observers.
    pub(super) fn feed_audio_level(&mut self, pkey: ProducerKey, level: u8, now_ms: u64) {
        let producer = &self.producers[pkey];
        let Some(router) = self.routers.get(producer.router) else {
            return;
        };
        for okey in &router.rtp_observers {
            let observer = &mut self.rtp_observers[*okey];
            if observer.has_producer(&producer.id) {
                observer.receive_level(&producer.id, level, now_ms);
            }
        }
    }
}
