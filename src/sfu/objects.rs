//! Producers and consumers in the worker: creation from `transport.produce`
//! / `transport.consume`, their requests, and the close cascades (a closed
//! producer closes its consumers, a closed transport its producers and
//! consumers) with the notifications mediasoup sends.

use super::core::{Core, Handler};
use crate::bwe::BweType;
use crate::channel::Outbox;
use crate::channel::Reply;
use crate::consumer::{ConsumeOptions, Consumer};
use crate::consumer::{ConsumeReply, ConsumerScore};
use crate::error::{Error, Result};
use crate::ids::{ConsumerKey, ProducerKey, TransportKey};
use crate::producer::{ProduceOptions, Producer};
use crate::request::{ConsumerRequest, ProducerRequest, TransportRequest};
use serde::Serialize;

impl Core {
    pub(super) fn produce(
        &mut self,
        tkey: TransportKey,
        options: ProduceOptions,
        outbox: &mut Outbox,
    ) -> Result<Reply> {
        let producer_id = options.producer_id.clone();
        if self.handlers.contains_key(&producer_id) {
            return Err(Error::other(
                "a Producer with same producerId already exists",
            ));
        }
        let router = self.transports[tkey].router;
        let producer = Producer::new(tkey, router, options);
        // MID and SSRCs must be unique among the transport's producers.
        let listener = &self.transports[tkey].listener;
        if let Some(mid) = &producer.params.mid {
            if listener.mid_table.contains_key(mid) {
                return Err(Error::other(format!(
                    "MID already exists in RTP listener [mid:{mid}]"
                )));
            }
        }
        // Also unique within the producer: an RTX ssrc equal to a media
        // ssrc would make RTX packets pass for media (mediasoup's
        // RtpListener rejects both the same way, media ssrcs first).
        let mut own = std::collections::HashSet::new();
        let media = producer.params.encodings.iter().filter_map(|e| e.ssrc);
        let rtx = producer.params.encodings.iter().filter_map(|e| e.rtx_ssrc);
        for (ssrc, what) in media
            .map(|s| (s, "ssrc"))
            .chain(rtx.map(|s| (s, "RTX ssrc")))
        {
            if listener.ssrc_table.contains_key(&ssrc) || !own.insert(ssrc) {
                return Err(Error::other(format!(
                    "{what} already exists in RTP listener [ssrc:{ssrc}]"
                )));
            }
        }
        let producer_type = producer.producer_type.as_str();
        // The first producer whose sender takes feedback decides what this
        // side's feedback is (mediasoup's tccServer).
        if let Some(bwe_type) = bwe_type_for(&producer.params) {
            let t = &mut self.transports[tkey];
            if t.tcc_server.is_none() && bwe_type == BweType::Remb {
                t.remb_server = Some(Box::default());
            }
            t.tcc_server.get_or_insert(bwe_type);
        }
        let pkey = self.producers.insert(producer);
        let producer = &self.producers[pkey];
        let transport = &mut self.transports[tkey];
        for encoding in &producer.params.encodings {
            for ssrc in encoding.ssrc.iter().chain(encoding.rtx_ssrc.iter()) {
                transport.listener.ssrc_table.insert(*ssrc, pkey);
            }
            if let Some(rid) = &encoding.rid {
                transport.listener.rid_table.insert(rid.clone(), pkey);
            }
        }
        if let Some(mid) = &producer.params.mid {
            transport.listener.mid_table.insert(mid.clone(), pkey);
        }
        // The transport reads these extensions on receive (first producer
        // to declare one wins, as in mediasoup).
        let ext = &mut transport.recv_ext;
        ext.mid = ext.mid.or(producer.mid_id);
        ext.rid = ext.rid.or(producer.rid_id);
        ext.rrid = ext.rrid.or(producer.rrid_id);
        use crate::rtp_parameters::uri;
        ext.abs_send_time = ext
            .abs_send_time
            .or(producer.params.extension_id(uri::ABS_SEND_TIME));
        ext.transport_wide_cc01 = ext
            .transport_wide_cc01
            .or(producer.params.extension_id(uri::TRANSPORT_WIDE_CC));
        transport.producers.push(pkey);
        self.routers[router].producers.push(pkey);
        self.handlers.insert(producer_id, Handler::Producer(pkey));
        let _ = outbox;
        Ok(Reply::typed(&ProduceReply { producer_type }))
    }

    pub(super) fn consume(
        &mut self,
        tkey: TransportKey,
        options: ConsumeOptions,
        outbox: &mut Outbox,
    ) -> Result<Reply> {
        let consumer_id = options.consumer_id.clone();
        if self.handlers.contains_key(&consumer_id) {
            return Err(Error::other(
                "a Consumer with same consumerId already exists",
            ));
        }
        let producer_id = &options.producer_id;
        let Some(Handler::Producer(pkey)) = self.handler(producer_id) else {
            return Err(Error::not_found(format!(
                "Producer '{producer_id}' not found"
            )));
        };
        let producer_paused = self.producers[pkey].paused;
        let consumer = Consumer::new(pkey, tkey, options, producer_paused, self.now_ms);
        let producer_scores = self.producers[pkey].encoding_scores();
        // A pipe consumer forwards every stream: mediasoup reports 10 for it.
        let producer_score = if consumer.consumer_type == crate::consumer::ConsumerType::Pipe {
            10
        } else {
            producer_scores
                .get(consumer.wanted_stream())
                .copied()
                .unwrap_or(0)
        };
        let response = Reply::typed(&ConsumeReply {
            paused: consumer.paused,
            producer_paused: consumer.producer_paused,
            score: ConsumerScore {
                score: 10,
                producer_score,
                producer_scores,
            },
            preferred_layers: consumer.preferred_layers.map(|l| l.json()),
        });
        let mut consumer = consumer;
        consumer
            .set_transport_connected(super::media::transport_is_connected(&self.transports[tkey]));
        let active_video =
            consumer.is_active() && consumer.kind == crate::rtp_parameters::MediaKind::Video;
        let bwe_type = bwe_type_for(&consumer.params);
        let ckey = self.consumers.insert(consumer);
        if let Some(bwe_type) = bwe_type {
            self.start_bwe(tkey, bwe_type);
        }
        self.reallocate_bitrate(ckey);
        let router = self.transports[tkey].router;
        self.transports[tkey].consumers.push(ckey);
        self.routers[router]
            .consumers_by_producer
            .entry(pkey)
            .or_default()
            .push(ckey);
        self.handlers.insert(consumer_id, Handler::Consumer(ckey));
        if active_video {
            self.request_key_frame_for(ckey, outbox);
        }
        Ok(response)
    }

    /// Closes a producer: its consumers get `producerclose`.
    pub(super) fn close_producer(&mut self, pkey: ProducerKey, outbox: &mut Outbox) {
        if !self.producers.contains(pkey) {
            return;
        }
        let producer = self.producers.remove(pkey);
        self.handlers.shift_remove(&producer.id);
        if let Some(transport) = self.transports.get_mut(producer.transport) {
            transport.producers.retain(|p| *p != pkey);
            transport.listener.remove_producer(pkey);
        }
        let consumers = match self.routers.get_mut(producer.router) {
            Some(router) => {
                router.producers.retain(|p| *p != pkey);
                router
                    .consumers_by_producer
                    .remove(&pkey)
                    .unwrap_or_default()
            }
            None => Vec::new(),
        };
        self.remove_producer_from_observers(producer.router, &producer.id);
        for ckey in consumers {
            if let Some(consumer) = self.consumers.get(ckey) {
                outbox.notification(&consumer.id, "consumer.producerclose", ());
            }
            self.close_consumer(ckey);
        }
    }

    /// Removes a consumer (no notification: JS closed it or knows why).
    pub(super) fn close_consumer(&mut self, ckey: ConsumerKey) {
        if !self.consumers.contains(ckey) {
            return;
        }
        let consumer = self.consumers.remove(ckey);
        self.handlers.shift_remove(&consumer.id);
        if let Some(transport) = self.transports.get_mut(consumer.transport) {
            transport.consumers.retain(|c| *c != ckey);
            let router = transport.router;
            if let Some(list) = self
                .routers
                .get_mut(router)
                .and_then(|r| r.consumers_by_producer.get_mut(&consumer.producer))
            {
                list.retain(|c| *c != ckey);
            }
        }
    }

    /// Closes everything a transport owns.
    pub(super) fn close_transport_children(&mut self, tkey: TransportKey, outbox: &mut Outbox) {
        let (producers, consumers) = match self.transports.get(tkey) {
            Some(t) => (t.producers.clone(), t.consumers.clone()),
            None => return,
        };
        for pkey in producers {
            self.close_producer(pkey, outbox);
        }
        for ckey in consumers {
            self.close_consumer(ckey);
        }
        self.close_transport_data(tkey, outbox);
    }

    pub(super) fn transport_child_request(
        &mut self,
        tkey: TransportKey,
        method: &str,
        request: TransportRequest,
        outbox: &mut Outbox,
    ) -> Result<Reply> {
        match request {
            TransportRequest::Produce(options) => self.produce(tkey, *options, outbox),
            TransportRequest::Consume(options) => self.consume(tkey, *options, outbox),
            TransportRequest::CloseProducer { producer_id } => match self.handler(&producer_id) {
                Some(Handler::Producer(pkey)) if self.producers[pkey].transport == tkey => {
                    self.close_producer(pkey, outbox);
                    Ok(Reply::Null)
                }
                _ => Err(Error::not_found("Producer not found")),
            },
            TransportRequest::CloseConsumer { consumer_id } => match self.handler(&consumer_id) {
                Some(Handler::Consumer(ckey)) if self.consumers[ckey].transport == tkey => {
                    self.close_consumer(ckey);
                    Ok(Reply::Null)
                }
                _ => Err(Error::not_found("Consumer not found")),
            },
            other => self.transport_data_request(tkey, method, other, outbox),
        }
    }

    pub(super) fn producer_request(
        &mut self,
        pkey: ProducerKey,
        request: ProducerRequest,
        now_ms: u64,
        outbox: &mut Outbox,
    ) -> Result<Reply> {
        match request {
            ProducerRequest::Dump => Ok(Reply::typed(&self.producers[pkey].dump())),
            ProducerRequest::GetStats => Ok(Reply::typed(&self.producers[pkey].stats(now_ms))),
            ProducerRequest::Pause => {
                self.set_producer_paused(pkey, true, outbox);
                Ok(Reply::Null)
            }
            ProducerRequest::Resume => {
                self.set_producer_paused(pkey, false, outbox);
                Ok(Reply::Null)
            }
            ProducerRequest::EnableTraceEvent(types) => {
                self.producers[pkey].set_trace_types(&types);
                Ok(Reply::Null)
            }
        }
    }

    fn set_producer_paused(&mut self, pkey: ProducerKey, paused: bool, outbox: &mut Outbox) {
        let producer = &mut self.producers[pkey];
        if producer.paused == paused {
            return;
        }
        producer.set_paused(paused, self.now_ms);
        let router = producer.router;
        let producer_id = producer.id.clone();
        for okey in self.routers[router].rtp_observers.clone() {
            let observer = &mut self.rtp_observers[okey];
            if observer.has_producer(&producer_id) {
                observer.producer_paused(&producer_id, paused);
            }
        }
        let consumers = self.routers[router]
            .consumers_by_producer
            .get(&pkey)
            .cloned()
            .unwrap_or_default();
        let event = if paused {
            "consumer.producerpause"
        } else {
            "consumer.producerresume"
        };
        for ckey in consumers {
            let consumer = &mut self.consumers[ckey];
            consumer.producer_paused = paused;
            outbox.notification(&consumer.id, event, ());
            if !paused {
                consumer.request_sync();
                if consumer.is_active() {
                    self.request_key_frame_for(ckey, outbox);
                }
            }
        }
    }

    pub(super) fn consumer_request(
        &mut self,
        ckey: ConsumerKey,
        request: ConsumerRequest,
        now_ms: u64,
        outbox: &mut Outbox,
    ) -> Result<Reply> {
        use ConsumerRequest as C;
        match request {
            C::Dump => {
                let consumer = &self.consumers[ckey];
                let producer_id = &self.producers[consumer.producer].id;
                Ok(Reply::typed(&consumer.dump(producer_id)))
            }
            C::GetStats => {
                let consumer = &mut self.consumers[ckey];
                let (pkey, wanted) = (consumer.producer, consumer.wanted_stream());
                // A pipe consumer reports what it sends, stream by stream.
                if consumer.consumer_type == crate::consumer::ConsumerType::Pipe {
                    let stats: Vec<_> = (consumer.lanes.iter_mut())
                        .map(|lane| lane.stream.stats(now_ms))
                        .collect();
                    return Ok(Reply::typed(&stats));
                }
                let mut stats = vec![consumer.lanes[0].stream.stats(now_ms)];
                if let Some(stream) = self.producers[pkey].stream_of_encoding(wanted) {
                    stats.push(stream.stats(now_ms));
                }
                Ok(Reply::typed(&stats))
            }
            C::Pause => {
                self.consumers[ckey].paused = true;
                self.consumers[ckey].bwe_upgrade_hold_until_ms = None;
                self.reallocate_bitrate(ckey);
                Ok(Reply::Null)
            }
            C::Resume => {
                let consumer = &mut self.consumers[ckey];
                if consumer.paused {
                    consumer.paused = false;
                    consumer.request_sync();
                    if consumer.is_active() {
                        self.request_key_frame_for(ckey, outbox);
                    }
                }
                self.reallocate_bitrate(ckey);
                Ok(Reply::Null)
            }
            C::SetPreferredLayers(requested) => {
                let response = self.consumers[ckey].set_preferred_layers(requested)?;
                self.reallocate_bitrate(ckey);
                if response.as_ref().is_some_and(|(_, key_frame)| *key_frame) {
                    self.request_key_frame_for(ckey, outbox);
                }
                Ok(response.map_or_else(Reply::empty, |(r, _)| Reply::typed(&r)))
            }
            C::SetPriority(priority) => {
                self.consumers[ckey].priority = priority;
                self.reallocate_bitrate(ckey);
                Ok(Reply::typed(&PriorityReply { priority }))
            }
            C::RequestKeyFrame => {
                self.request_key_frame_for(ckey, outbox);
                Ok(Reply::Null)
            }
            C::EnableTraceEvent(types) => {
                self.consumers[ckey].set_trace_types(&types);
                Ok(Reply::Null)
            }
        }
    }

    /// Simulcast consumers follow the producer's active encodings: the best
    /// one up to the preferred layer and the bitrate cap; SVC consumers the
    /// preferred layers within the cap (`Consumer::choose_target`).
    pub(super) fn update_simulcast_targets(&mut self, outbox: &mut Outbox) {
        use crate::consumer::ConsumerType;
        let mut active = [false; 16];
        // SVC consumers too: their targets follow the bitrate cap.
        let keys: Vec<ConsumerKey> = self
            .consumers
            .iter()
            .filter(|(_, c)| matches!(c.consumer_type, ConsumerType::Simulcast | ConsumerType::Svc))
            .map(|(k, _)| k)
            .collect();
        for ckey in keys {
            let pkey = self.consumers[ckey].producer;
            self.producers[pkey].active_encodings(&mut active);
            if self.consumers[ckey].choose_target(&active) && self.consumers[ckey].is_active() {
                self.request_key_frame_for(ckey, outbox);
            }
        }
    }

    /// The transport can send now: its consumers restart on a key frame,
    /// asked for right away (mediasoup's `TransportConnected()`).
    pub(super) fn on_transport_connected(&mut self, tkey: TransportKey, outbox: &mut Outbox) {
        let Some(transport) = self.transports.get(tkey) else {
            return;
        };
        for ckey in transport.consumers.clone() {
            if self.consumers[ckey].set_transport_connected(true)
                && self.consumers[ckey].is_active()
            {
                self.request_key_frame_for(ckey, outbox);
            }
        }
    }

    /// Asks the producer of a consumer for a key frame of each stream that
    /// consumer forwards (video only).
    pub(super) fn request_key_frame_for(&mut self, ckey: ConsumerKey, outbox: &mut Outbox) {
        let Some(consumer) = self.consumers.get(ckey) else {
            return;
        };
        let encodings: Vec<usize> = (0..consumer.lanes.len())
            .map(|lane| consumer.lane_encoding(lane))
            .collect();
        for encoding in encodings {
            self.request_key_frame_of(ckey, encoding, outbox);
        }
    }

    /// Asks the producer of a consumer for a key frame of one encoding
    /// (video only).
    pub(super) fn request_key_frame_of(
        &mut self,
        ckey: ConsumerKey,
        encoding: usize,
        outbox: &mut Outbox,
    ) {
        let Some(consumer) = self.consumers.get(ckey) else {
            return;
        };
        if consumer.kind != crate::rtp_parameters::MediaKind::Video {
            return;
        }
        let pkey = consumer.producer;
        self.producers[pkey].request_key_frame(encoding, self.now_ms);
        self.flush_producer_feedback(pkey, outbox);
    }
}

/// What bandwidth estimation a consumer's receiver supports (mediasoup
/// starts its tccClient with the first such consumer): transport-cc
/// feedback, else REMB with abs-send-time.
fn bwe_type_for(params: &crate::rtp_parameters::RtpParameters) -> Option<BweType> {
    use crate::rtp_parameters::uri;
    let fb = |f: fn(&crate::rtp_parameters::Codec) -> bool| params.codecs.iter().any(f);
    if params.extension_id(uri::TRANSPORT_WIDE_CC).is_some() && fb(|c| c.transport_cc) {
        Some(BweType::TransportCc)
    } else if params.extension_id(uri::ABS_SEND_TIME).is_some() && fb(|c| c.goog_remb) {
        Some(BweType::Remb)
    } else {
        None
    }
}

/// The answer to `transport.produce`.
#[derive(Serialize)]
struct ProduceReply {
    #[serde(rename = "type")]
    producer_type: &'static str,
}

/// The answer to `consumer.setPriority`.
#[derive(Serialize)]
struct PriorityReply {
    priority: u8,
}
