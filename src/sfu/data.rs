//! DataProducers and DataConsumers in the worker: creation from
//! `transport.produceData` / `transport.consumeData`, their requests, the
//! `dataProducer.send` notification (a message from JS, routed to the
//! DataConsumers of its DataProducer), and the close cascades (a closed
//! DataProducer closes its DataConsumers, which get `dataproducerclose`; a
//! closed transport closes its DataProducers and DataConsumers).
//!
//! Messages reach DataConsumers on DirectTransports as `dataconsumer.message`
//! binary notifications, and `sctp` DataConsumers over their transport's
//! association (`sctp_io`).

use super::core::{Core, Handler};
use crate::channel::Outbox;
use crate::channel::Reply;
use crate::data::consumer::DataConsumerContext;
use crate::data::subchannels::SubchannelFilter;
use crate::data::DataEndpointOptions;
use crate::data::{DataConsumer, DataProducer, DataType};
use crate::error::{Error, Result};
use crate::ids::{DataConsumerKey, DataProducerKey, RouterKey, TransportKey};
use crate::request::{DataConsumerRequest, DataProducerRequest, TransportRequest};
use crate::router::dump::{KeyValue, KeyValues};
use crate::transport::dump::Entry;
use crate::transport::TransportKind;
use serde::Serialize;

impl Core {
    /// The transport requests about data channels (after the media ones).
    pub(super) fn transport_data_request(
        &mut self,
        tkey: TransportKey,
        method: &str,
        request: TransportRequest,
        outbox: &mut Outbox,
    ) -> Result<Reply> {
        let transport = &self.transports[tkey];
        let data_capable = transport.sctp_parameters.is_some()
            || matches!(transport.kind, TransportKind::Direct(_));
        match request {
            TransportRequest::ProduceData(_) | TransportRequest::ConsumeData(_)
                if !data_capable =>
            {
                Err(Error::other("SCTP not enabled and not a direct Transport"))
            }
            TransportRequest::CloseDataProducer { .. }
            | TransportRequest::CloseDataConsumer { .. }
                if !data_capable =>
            {
                Err(Error::other(format!(
                    "cannot close {}, SCTP not enabled and not a direct Transport",
                    method.strip_prefix("transport.close").unwrap_or(method)
                )))
            }
            TransportRequest::ProduceData(options) => self.produce_data(tkey, options),
            TransportRequest::ConsumeData(options) => self.consume_data(tkey, options),
            TransportRequest::CloseDataProducer { data_producer_id } => {
                match self.handler(&data_producer_id) {
                    Some(Handler::DataProducer(k)) if self.data.producers[k].transport == tkey => {
                        self.close_data_producer(k, outbox);
                        Ok(Reply::Null)
                    }
                    _ => Err(Error::not_found(format!(
                        "DataProducer not found [method:{method}]"
                    ))),
                }
            }
            TransportRequest::CloseDataConsumer { data_consumer_id } => {
                match self.handler(&data_consumer_id) {
                    Some(Handler::DataConsumer(k)) if self.data.consumers[k].transport == tkey => {
                        self.close_data_consumer(k);
                        Ok(Reply::Null)
                    }
                    _ => Err(Error::not_found(format!(
                        "DataConsumer not found [method:{method}]"
                    ))),
                }
            }
            _ => Err(Error::other(format!("unknown method '{method}'"))),
        }
    }

    fn produce_data(&mut self, tkey: TransportKey, options: DataEndpointOptions) -> Result<Reply> {
        let id = options.id.clone();
        if self.handlers.contains_key(&id) {
            return Err(Error::other(
                "a DataProducer with same dataProducerId already exists [method:transport.produceData]",
            ));
        }
        let transport = &self.transports[tkey];
        let producer = DataProducer::new(
            tkey,
            transport.router,
            transport.max_receive_message_size,
            options,
        );
        check_data_type(producer.data_type, "DataProducer", transport)?;
        if let Some(sctp) = &producer.sctp {
            let taken = transport.data_producers.iter().any(|k| {
                self.data.producers[*k]
                    .sctp
                    .is_some_and(|s| s.stream_id == sctp.stream_id)
            });
            if taken {
                return Err(Error::other(format!(
                    "streamId already exists in SCTP listener [streamId:{}]",
                    sctp.stream_id
                )));
            }
        }
        let dump = Reply::typed(&producer.dump());
        let router = producer.router;
        let key = self.data.producers.insert(producer);
        self.transports[tkey].data_producers.push(key);
        self.routers[router]
            .data_consumers_by_data_producer
            .insert(key, Vec::new());
        self.handlers.insert(id, Handler::DataProducer(key));
        Ok(dump)
    }

    fn consume_data(&mut self, tkey: TransportKey, options: DataEndpointOptions) -> Result<Reply> {
        let id = options.id.clone();
        if self.handlers.contains_key(&id) {
            return Err(Error::other(
                "a DataConsumer with same dataConsumerId already exists [method:transport.consumeData]",
            ));
        }
        let transport = &self.transports[tkey];
        let data_producer_id = options.data_producer_id.clone();
        let data_producer = match self.handler(&data_producer_id) {
            Some(Handler::DataProducer(k)) => Some(k),
            _ => None,
        };
        let ctx = DataConsumerContext {
            // A placeholder when the DataProducer is unknown: the request
            // fails below (after option errors, in mediasoup's order)
            // before the consumer is stored.
            data_producer: data_producer
                .unwrap_or_else(|| crate::ids::SlabKey::from_index(u32::MAX as usize)),
            transport: tkey,
            max_message_size: transport.max_send_message_size,
            buffered_amount_low_threshold: transport.sctp_buffered_amount_low_threshold,
            pipe: transport.type_name() == "pipe",
        };
        let mut consumer = DataConsumer::new(ctx, options);
        check_data_type(consumer.data_type, "DataConsumer", transport)?;
        if let Some(sctp) = &consumer.sctp {
            let taken = transport.data_consumers.iter().any(|k| {
                self.data.consumers[*k]
                    .sctp
                    .is_some_and(|s| s.stream_id == sctp.stream_id)
            });
            if taken {
                return Err(Error::other(format!(
                    "an SCTP DataConsumer with same streamId {} already exists [method:transport.consumeData]",
                    sctp.stream_id
                )));
            }
        }
        let router = transport.router;
        let Some(dpkey) = data_producer.filter(|k| {
            self.data
                .producers
                .get(*k)
                .is_some_and(|p| p.router == router)
        }) else {
            return Err(Error::not_found(format!(
                "DataProducer not found [dataProducerId:{data_producer_id}]"
            )));
        };
        consumer.data_producer_paused = self.data.producers[dpkey].paused;
        let dump = Reply::typed(&consumer.dump());
        let key = self.data.consumers.insert(consumer);
        self.transports[tkey].data_consumers.push(key);
        self.routers[router]
            .data_consumers_by_data_producer
            .entry(dpkey)
            .or_default()
            .push(key);
        self.handlers.insert(id, Handler::DataConsumer(key));
        self.sctp_set_low_threshold(key);
        Ok(dump)
    }

    /// Closes a DataProducer: its DataConsumers get `dataproducerclose` and
    /// close too.
    pub(super) fn close_data_producer(&mut self, key: DataProducerKey, outbox: &mut Outbox) {
        if !self.data.producers.contains(key) {
            return;
        }
        let producer = self.data.producers.remove(key);
        self.handlers.shift_remove(&producer.id);
        if let Some(transport) = self.transports.get_mut(producer.transport) {
            transport.data_producers.retain(|k| *k != key);
        }
        let consumers = self
            .routers
            .get_mut(producer.router)
            .and_then(|r| r.data_consumers_by_data_producer.shift_remove(&key))
            .unwrap_or_default();
        for ckey in consumers {
            if let Some(consumer) = self.data.consumers.get(ckey) {
                outbox.notification(&consumer.id, "dataconsumer.dataproducerclose", ());
            }
            self.close_data_consumer(ckey);
        }
    }

    /// Removes a DataConsumer (no notification: JS closed it or knows why).
    pub(super) fn close_data_consumer(&mut self, key: DataConsumerKey) {
        if !self.data.consumers.contains(key) {
            return;
        }
        let consumer = self.data.consumers.remove(key);
        self.handlers.shift_remove(&consumer.id);
        let Some(transport) = self.transports.get_mut(consumer.transport) else {
            return;
        };
        transport.data_consumers.retain(|k| *k != key);
        let router = transport.router;
        if let Some(list) = self.routers.get_mut(router).and_then(|r| {
            r.data_consumers_by_data_producer
                .get_mut(&consumer.data_producer)
        }) {
            list.retain(|k| *k != key);
        }
    }

    /// Closes the DataProducers and DataConsumers of a closing transport.
    pub(super) fn close_transport_data(&mut self, tkey: TransportKey, outbox: &mut Outbox) {
        let (producers, consumers) = match self.transports.get(tkey) {
            Some(t) => (t.data_producers.clone(), t.data_consumers.clone()),
            None => return,
        };
        for key in producers {
            self.close_data_producer(key, outbox);
        }
        for key in consumers {
            self.close_data_consumer(key);
        }
    }

    pub(super) fn data_producer_request(
        &mut self,
        key: DataProducerKey,
        request: DataProducerRequest,
        now_ms: u64,
        outbox: &mut Outbox,
    ) -> Result<Reply> {
        match request {
            DataProducerRequest::Dump => Ok(Reply::typed(&self.data.producers[key].dump())),
            DataProducerRequest::GetStats => {
                Ok(Reply::typed(&self.data.producers[key].stats(now_ms)))
            }
            DataProducerRequest::Pause => {
                self.set_data_producer_paused(key, true, outbox);
                Ok(Reply::Null)
            }
            DataProducerRequest::Resume => {
                self.set_data_producer_paused(key, false, outbox);
                Ok(Reply::Null)
            }
        }
    }

    fn set_data_producer_paused(
        &mut self,
        key: DataProducerKey,
        paused: bool,
        outbox: &mut Outbox,
    ) {
        let producer = &mut self.data.producers[key];
        if producer.paused == paused {
            return;
        }
        producer.paused = paused;
        let router = producer.router;
        let event = if paused {
            "dataconsumer.dataproducerpause"
        } else {
            "dataconsumer.dataproducerresume"
        };
        let Some(consumers) = self
            .routers
            .get(router)
            .and_then(|r| r.data_consumers_by_data_producer.get(&key))
        else {
            return;
        };
        for ckey in consumers {
            let consumer = &mut self.data.consumers[*ckey];
            if consumer.data_producer_paused != paused {
                consumer.data_producer_paused = paused;
                outbox.notification(&consumer.id, event, ());
            }
        }
    }

    pub(super) fn data_consumer_request(
        &mut self,
        key: DataConsumerKey,
        request: DataConsumerRequest,
        now_ms: u64,
        outbox: &mut Outbox,
    ) -> Result<Reply> {
        use DataConsumerRequest as D;
        let consumer = &mut self.data.consumers[key];
        let sctp_only = |consumer: &DataConsumer| match consumer.data_type {
            DataType::Sctp => Ok(()),
            DataType::Direct => Err(Error::type_error("invalid DataConsumer type")),
        };
        let subchannels = |consumer: &DataConsumer| {
            Reply::typed(&SubchannelsReply {
                subchannels: &consumer.subchannels,
            })
        };
        match request {
            D::Dump => Ok(Reply::typed(&consumer.dump())),
            D::GetStats => Ok(Reply::typed(&consumer.stats(now_ms))),
            D::Pause => {
                consumer.paused = true;
                Ok(Reply::Null)
            }
            D::Resume => {
                consumer.paused = false;
                Ok(Reply::Null)
            }
            D::GetBufferedAmount => {
                sctp_only(consumer)?;
                let buffered_amount = self.sctp_buffered_amount(key);
                Ok(Reply::typed(&BufferedAmountReply { buffered_amount }))
            }
            D::SetBufferedAmountLowThreshold(threshold) => {
                sctp_only(consumer)?;
                consumer.buffered_amount_low_threshold = threshold;
                self.sctp_set_low_threshold(key);
                Ok(Reply::Null)
            }
            D::Send {
                data: message,
                ppid,
            } => {
                sctp_only(consumer)?;
                let message = message.ok_or_else(|| Error::type_error("missing data"))?;
                if message.len() as u64 > consumer.max_message_size {
                    return Err(Error::type_error(format!(
                        "given message exceeds maxMessageSize value [maxMessageSize:{}, len:{}]",
                        consumer.max_message_size,
                        message.len()
                    )));
                }
                if !consumer.is_active() {
                    return Err(Error::other("message send failed"));
                }
                let tkey = consumer.transport;
                if self.transports[tkey].sctp.is_none() {
                    return Err(Error::other(
                        "message send failed: no SCTP association on this transport",
                    ));
                }
                // Sent as it is (no subchannels: it comes from the app).
                if self.send_over_sctp(key, &message, ppid, &SubchannelFilter::default(), outbox) {
                    // What did not go on the wire at once (mediasoup's send
                    // queue): with the association up, the message left.
                    let buffered_amount = self.sctp_unsent_amount(key);
                    Ok(Reply::typed(&BufferedAmountReply { buffered_amount }))
                } else {
                    Err(Error::other("message send failed"))
                }
            }
            D::SetSubchannels(list) => {
                consumer.set_subchannels(&list);
                Ok(subchannels(consumer))
            }
            D::AddSubchannel(subchannel) => {
                consumer.add_subchannel(subchannel);
                Ok(subchannels(consumer))
            }
            D::RemoveSubchannel(subchannel) => {
                consumer.remove_subchannel(subchannel);
                Ok(subchannels(consumer))
            }
        }
    }

    /// A message for a DataProducer (from JS, `dataProducer.send`, or from
    /// its SCTP stream) with its PPID and subchannel filter (subchannels,
    /// required, ignored). Delivered to every active DataConsumer of the
    /// DataProducer that passes the subchannel rules: on a DirectTransport
    /// as a `dataconsumer.message` notification carrying `{ppid}` and the
    /// bytes, on an SCTP transport over its association.
    pub(super) fn data_producer_send(
        &mut self,
        key: DataProducerKey,
        message: Vec<u8>,
        ppid: u32,
        (subchannels, required, ignored): (&[u16], Option<u16>, Option<u16>),
        outbox: &mut Outbox,
    ) {
        let now_ms = self.now_ms;
        let Core {
            data: objects,
            routers,
            transports,
            ..
        } = self;
        let producer = &mut objects.producers[key];
        let len = message.len();
        // mediasoup throws a TypeError here, which a notification only logs.
        if len as u64 > producer.max_message_size {
            return;
        }
        let forward = producer.receive(len);
        let (router, transport) = (producer.router, producer.transport);
        // Over SCTP the datagrams were counted on arrival.
        if let Some(t) = transports.get_mut(transport) {
            if matches!(t.kind, TransportKind::Direct(_)) {
                t.counters.received(len, now_ms);
            }
        }
        if !forward {
            return;
        }
        let Some(consumers) = routers
            .get(router)
            .and_then(|r| r.data_consumers_by_data_producer.get(&key))
        else {
            return;
        };
        // One larger than a consumer's maxMessageSize is dropped for it.
        let passes = |c: &DataConsumer| {
            c.is_active()
                && c.verify_subchannels(subchannels, required, ignored)
                && len as u64 <= c.max_message_size
        };
        let takes = |c: &DataConsumer| c.data_type == DataType::Direct && passes(c);
        let over_sctp: Vec<DataConsumerKey> = consumers
            .iter()
            .copied()
            .filter(|k| {
                let c = &objects.consumers[*k];
                c.data_type == DataType::Sctp && passes(c)
            })
            .collect();
        let sctp_message = (!over_sctp.is_empty()).then(|| message.clone());
        let mut left = consumers
            .iter()
            .filter(|k| takes(&objects.consumers[**k]))
            .count();
        let mut message = Some(message);
        for ckey in consumers {
            let consumer = &mut objects.consumers[*ckey];
            if left == 0 {
                break;
            }
            if !takes(consumer) {
                continue;
            }
            left -= 1;
            // The last one takes the message itself, the others a copy.
            let bytes = match left {
                0 => message.take().unwrap_or_default(),
                _ => message.clone().unwrap_or_default(),
            };
            consumer.sent(len);
            if let Some(t) = transports.get_mut(consumer.transport) {
                t.counters.sent(len, now_ms);
            }
            outbox.binary_notification(
                &consumer.id,
                "dataconsumer.message",
                MessageHeader { ppid },
                bytes,
            );
        }
        if let Some(message) = sctp_message {
            let filter = SubchannelFilter {
                subchannels: subchannels.to_vec(),
                required,
                ignored,
            };
            for ckey in over_sctp {
                self.send_over_sctp(ckey, &message, ppid, &filter, outbox);
            }
        }
    }

    /// The data-channel fields of a transport dump: `dataProducerIds`,
    /// `dataConsumerIds` and (with SCTP) `sctpListener.streamIdTable`.
    /// A transport's DataProducer and DataConsumer ids, and its SCTP
    /// listener's stream id table, for its dump.
    pub(super) fn data_dump_parts(
        &self,
        tkey: TransportKey,
    ) -> (Vec<&str>, Vec<&str>, Vec<Entry<u16, &str>>) {
        let transport = &self.transports[tkey];
        let producers = || {
            transport
                .data_producers
                .iter()
                .map(|k| &self.data.producers[*k])
        };
        let stream_id_table = producers()
            .filter_map(|p| {
                p.sctp.map(|s| Entry {
                    key: s.stream_id,
                    value: p.id.as_str(),
                })
            })
            .collect();
        (
            producers().map(|p| p.id.as_str()).collect(),
            transport
                .data_consumers
                .iter()
                .map(|k| self.data.consumers[*k].id.as_str())
                .collect(),
            stream_id_table,
        )
    }

    /// The router dump's `mapDataProducerIdDataConsumerIds` and
    /// `mapDataConsumerIdDataProducerId`.
    /// The router dump's DataProducer -> DataConsumers maps, both ways.
    pub(super) fn router_data_maps(
        &self,
        key: RouterKey,
    ) -> (Vec<KeyValues<'_>>, Vec<KeyValue<'_>>) {
        let router = &self.routers[key];
        let mut by_producer = Vec::new();
        let mut by_consumer = Vec::new();
        for (pkey, consumers) in &router.data_consumers_by_data_producer {
            let producer_id = self.data.producers[*pkey].id.as_str();
            let ids: Vec<&str> = consumers
                .iter()
                .map(|c| self.data.consumers[*c].id.as_str())
                .collect();
            for id in &ids {
                by_consumer.push(KeyValue {
                    key: id,
                    value: producer_id,
                });
            }
            by_producer.push(KeyValues {
                key: producer_id,
                values: ids,
            });
        }
        (by_producer, by_consumer)
    }
}

/// An `sctp` endpoint needs SCTP on its transport, a `direct` one a
/// DirectTransport.
fn check_data_type(
    data_type: DataType,
    what: &str,
    transport: &crate::transport::Transport,
) -> Result<()> {
    match data_type {
        DataType::Sctp if transport.sctp_parameters.is_none() => Err(Error::type_error(format!(
            "cannot create a {what} of type 'sctp', SCTP not enabled in this Transport"
        ))),
        DataType::Direct if !matches!(transport.kind, TransportKind::Direct(_)) => {
            Err(Error::type_error(format!(
                "cannot create a {what} of type 'direct', not a direct Transport"
            )))
        }
        _ => Ok(()),
    }
}

/// The answer to the subchannel requests of a DataConsumer.
#[derive(Serialize)]
struct SubchannelsReply<'a> {
    subchannels: &'a [u16],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BufferedAmountReply {
    buffered_amount: u32,
}

/// What goes with the bytes of a `dataconsumer.message`.
#[derive(Serialize)]
struct MessageHeader {
    ppid: u32,
}
