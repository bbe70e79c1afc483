//! The objects of one worker and the requests that address them.
//!
//! Every Router, Transport, Producer, Consumer and RTP observer lives in a
//! slab owned here, addressed by key; ids (UUIDs from JS) map to keys only
//! on the control path. Keeping them side by side (instead of nested) lets
//! the media path borrow a producer, its consumers and their transports at
//! the same time without locks or reference counting.

use crate::certificate::DtlsCertificate;
use crate::channel::LogLevel;
use crate::channel::Outbox;
use crate::channel::Reply;
use crate::consumer::Consumer;
use crate::error::{Error, Result};
use crate::ice::candidate::ProtocolPrefs;
use crate::ids::{
    self, ConsumerKey, DataConsumerKey, DataProducerKey, ProducerKey, RouterKey, RtpObserverKey,
    TransportKey, WebRtcServerKey,
};
use crate::net::{NetOutbox, SocketBinder, SocketId, SocketOp};
use crate::producer::Producer;
use crate::request::{Request, RouterRequest, TransportRequest};
use crate::router::dump::{KeyValue, KeyValues, RouterDump};
use crate::router::rtp_observer::RtpObserver;
use crate::router::Router;
use crate::transport::options::{TransportKindOptions, TransportOptions, WebRtcListen};
use crate::transport::plain;
use crate::transport::webrtc::WebRtcTransport;
use crate::transport::webrtc_server::WebRtcServer;
use crate::transport::{Transport, TransportKind};
use indexmap::IndexMap;
use std::sync::Arc;

/// What a handler id (an object id known to JS) addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handler {
    Router(RouterKey),
    Transport(TransportKey),
    Producer(ProducerKey),
    Consumer(ConsumerKey),
    RtpObserver(RtpObserverKey),
    WebRtcServer(WebRtcServerKey),
    DataProducer(DataProducerKey),
    DataConsumer(DataConsumerKey),
}

/// What a socket of the shell belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SocketRole {
    PlainRtp(TransportKey),
    PlainRtcp(TransportKey),
    /// A WebRtcTransport's own UDP socket, listener, or TCP connection.
    WebRtcUdp(TransportKey),
    WebRtcTcpListener(TransportKey),
    WebRtcTcpConn(TransportKey),
    /// A WebRtcServer's UDP socket, listener, or a connection that has not
    /// named its transport yet.
    ServerUdp(WebRtcServerKey),
    ServerTcpListener(WebRtcServerKey),
    ServerTcpConn(WebRtcServerKey),
}

/// Socket id -> role, indexed by the id (the shell hands out small dense
/// ids), so finding a datagram's owner costs one bounds-checked load.
#[derive(Default)]
pub struct SocketTable(Vec<Option<SocketRole>>);

impl SocketTable {
    pub fn get(&self, id: SocketId) -> Option<SocketRole> {
        self.0.get(id.index()).copied().flatten()
    }

    pub fn insert(&mut self, id: SocketId, role: SocketRole) {
        if self.0.len() <= id.index() {
            self.0.resize(id.index() + 1, None);
        }
        self.0[id.index()] = Some(role);
    }

    pub fn remove(&mut self, id: SocketId) {
        if let Some(slot) = self.0.get_mut(id.index()) {
            *slot = None;
        }
    }
}

pub struct Core {
    pub rtc_ports: (u16, u16),
    /// Worker clock (ms) of the current call.
    pub now_ms: u64,
    pub routers: ids::Slab<RouterKey, Router>,
    pub transports: ids::Slab<TransportKey, Transport>,
    pub producers: ids::Slab<ProducerKey, Producer>,
    pub consumers: ids::Slab<ConsumerKey, Consumer>,
    pub rtp_observers: ids::Slab<RtpObserverKey, RtpObserver>,
    pub webrtc_servers: ids::Slab<WebRtcServerKey, WebRtcServer>,
    /// DataProducers and DataConsumers (see `worker::data`).
    pub data: crate::data::DataObjects,
    pub certificate: Arc<DtlsCertificate>,
    /// Handler ids in creation order (the worker dump lists them).
    pub handlers: IndexMap<String, Handler>,
    /// What each of the shell's sockets belongs to.
    pub sockets: SocketTable,
    /// What to transmit and do with sockets, carried out by the shell after
    /// each call.
    pub net: NetOutbox,
    /// Datagram being handled (the shell reads into it; SRTP decrypts in
    /// place). Reused, never reallocated.
    pub recv_buf: Box<[u8]>,
    /// Scratch buffer for packets being sent (reused, never reallocated).
    pub send_buf: Box<[u8]>,
    /// The worker's logLevel (what `warn` lets through).
    pub log_level: LogLevel,
    /// Unix time (ms) at worker time 0, for NTP timestamps in reports.
    pub unix_ms_at_epoch: u64,
    /// Something simulcast layer choices follow changed (stream activity,
    /// consumers, preferences): choose again at the next turn.
    pub simulcast_dirty: bool,
    /// Worker-wide totals (`worker.getMetrics`).
    pub metrics: super::metrics::WorkerMetrics,
}

/// Largest datagram we accept; room left for SRTP tags when re-encrypting.
pub const MAX_DATAGRAM: usize = 65536;

impl Core {
    pub fn new(rtc_ports: (u16, u16), certificate: Arc<DtlsCertificate>) -> Self {
        Core {
            rtc_ports,
            now_ms: 0,
            routers: ids::Slab::new(),
            transports: ids::Slab::new(),
            producers: ids::Slab::new(),
            consumers: ids::Slab::new(),
            rtp_observers: ids::Slab::new(),
            webrtc_servers: ids::Slab::new(),
            data: Default::default(),
            certificate,
            handlers: IndexMap::new(),
            sockets: SocketTable::default(),
            net: NetOutbox::default(),
            recv_buf: vec![0u8; MAX_DATAGRAM].into_boxed_slice(),
            send_buf: vec![0u8; MAX_DATAGRAM].into_boxed_slice(),
            log_level: LogLevel::Error,
            unix_ms_at_epoch: 0,
            simulcast_dirty: false,
            metrics: Default::default(),
        }
    }

    /// The worker-wide totals, with what the outbox has sent.
    pub fn metrics(&self) -> super::metrics::WorkerMetrics {
        super::metrics::WorkerMetrics {
            packets_sent: self.net.total_packets,
            bytes_sent: self.net.total_bytes,
            ..self.metrics
        }
    }

    /// A warning for the app's logs (when the worker's logLevel lets it
    /// through).
    pub fn warn(&self, outbox: &mut Outbox, text: String) {
        if matches!(self.log_level, LogLevel::Debug | LogLevel::Warn) {
            outbox.log("warn", text);
        }
    }

    pub fn handler(&self, id: &str) -> Option<Handler> {
        self.handlers.get(id).copied()
    }

    fn register_handler(&mut self, id: &str, handler: Handler) -> Result<()> {
        if self.handlers.contains_key(id) {
            return Err(Error::other(format!(
                "a handler with ID '{id}' already exists"
            )));
        }
        self.handlers.insert(id.to_string(), handler);
        Ok(())
    }

    pub fn router_ids(&self) -> Vec<String> {
        self.handlers
            .iter()
            .filter(|(_, h)| matches!(h, Handler::Router(_)))
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// The object a request addresses (NotFoundError as mediasoup's
    /// channel reports it otherwise).
    pub fn find_handler(&self, handler_id: &str, method: &str) -> Result<Handler> {
        self.handler(handler_id).ok_or_else(|| {
            Error::not_found(format!(
                "Channel request handler with ID {handler_id} not found [method:{method}]"
            ))
        })
    }

    /// A parsed request addressed to an object (`method` only names it in
    /// error messages).
    pub fn handle_request(
        &mut self,
        handler: Handler,
        method: &str,
        request: Request,
        now_ms: u64,
        binder: &mut dyn SocketBinder,
        outbox: &mut Outbox,
    ) -> Result<Reply> {
        self.now_ms = now_ms;
        // Producers, consumers and their preferences decide layer choices.
        if matches!(
            handler,
            Handler::Transport(_) | Handler::Producer(_) | Handler::Consumer(_)
        ) {
            self.simulcast_dirty = true;
        }
        let reply = match (handler, request) {
            (Handler::Router(key), Request::Router(r)) => {
                return self.router_request(key, r, binder, outbox)
            }
            (Handler::Transport(key), Request::Transport(r)) => {
                return self.transport_request(key, method, r, now_ms, outbox)
            }
            (Handler::Producer(key), Request::Producer(r)) => {
                self.producer_request(key, r, now_ms, outbox)
            }
            (Handler::Consumer(key), Request::Consumer(r)) => {
                self.consumer_request(key, r, now_ms, outbox)
            }
            (Handler::RtpObserver(key), Request::RtpObserver(r)) => {
                self.rtp_observer_request(key, r)
            }
            (Handler::WebRtcServer(key), Request::WebRtcServer(r)) => {
                Ok(self.webrtc_server_request(key, r))
            }
            (Handler::DataProducer(key), Request::DataProducer(r)) => {
                self.data_producer_request(key, r, now_ms, outbox)
            }
            (Handler::DataConsumer(key), Request::DataConsumer(r)) => {
                self.data_consumer_request(key, r, now_ms, outbox)
            }
            _ => Err(Error::other(format!("unknown method '{method}'"))),
        };
        reply
    }

    // ---- routers ----

    pub fn create_router(&mut self, router_id: String) -> Result<()> {
        if self.handlers.contains_key(&router_id) {
            return Err(Error::other(format!(
                "a handler with ID '{router_id}' already exists"
            )));
        }
        let key = self.routers.insert(Router::new(router_id.clone()));
        self.register_handler(&router_id, Handler::Router(key))
    }

    pub fn close_router(&mut self, router_id: &str, outbox: &mut Outbox) -> Result<()> {
        let Some(Handler::Router(key)) = self.handler(router_id) else {
            return Err(Error::not_found(format!("Router '{router_id}' not found")));
        };
        let transports = self.routers[key].transports.clone();
        for transport in transports {
            self.close_transport(transport, outbox);
        }
        let observers = self.routers[key].rtp_observers.clone();
        for observer in observers {
            self.close_rtp_observer(observer);
        }
        self.routers.remove(key);
        self.handlers.shift_remove(router_id);
        Ok(())
    }

    fn router_request(
        &mut self,
        key: RouterKey,
        request: RouterRequest,
        binder: &mut dyn SocketBinder,
        outbox: &mut Outbox,
    ) -> Result<Reply> {
        match request {
            RouterRequest::Dump => Ok(self.router_dump(key)),
            RouterRequest::CreateRtpObserver {
                rtp_observer_id,
                options,
            } => self.create_rtp_observer(key, rtp_observer_id, options),
            RouterRequest::CloseRtpObserver { rtp_observer_id } => {
                match self.handler(&rtp_observer_id) {
                    Some(Handler::RtpObserver(okey)) => {
                        self.close_rtp_observer(okey);
                        Ok(Reply::Null)
                    }
                    _ => Err(Error::not_found(format!(
                        "RtpObserver '{rtp_observer_id}' not found"
                    ))),
                }
            }
            RouterRequest::CreateTransport {
                transport_id,
                options,
            } => self.create_transport(key, transport_id, &options, binder),
            RouterRequest::CloseTransport { transport_id } => match self.handler(&transport_id) {
                Some(Handler::Transport(tkey)) if self.transports[tkey].router == key => {
                    self.close_transport(tkey, outbox);
                    Ok(Reply::Null)
                }
                _ => Err(Error::not_found(format!(
                    "Transport '{transport_id}' not found"
                ))),
            },
        }
    }

    fn create_transport(
        &mut self,
        router: RouterKey,
        transport_id: String,
        options: &TransportOptions,
        binder: &mut dyn SocketBinder,
    ) -> Result<Reply> {
        if self.handlers.contains_key(&transport_id) {
            return Err(Error::other(format!(
                "a Transport with same transportId '{transport_id}' already exists"
            )));
        }
        let kind = match &options.kind {
            TransportKindOptions::Plain(plain) => {
                TransportKind::Plain(Box::new(plain::create(plain, self.rtc_ports, binder)?))
            }
            TransportKindOptions::Pipe(pipe) => {
                TransportKind::Plain(Box::new(plain::create_pipe(pipe, self.rtc_ports, binder)?))
            }
            TransportKindOptions::WebRtc(webrtc) => match &webrtc.listen {
                WebRtcListen::Own(infos) => {
                    TransportKind::WebRtc(Box::new(WebRtcTransport::with_listen_infos(
                        infos,
                        webrtc.ice_consent_timeout,
                        self.rtc_ports,
                        &self.certificate,
                        binder,
                    )?))
                }
                WebRtcListen::Server {
                    web_rtc_server_id,
                    prefs,
                } => TransportKind::WebRtc(Box::new(self.webrtc_transport_on_server(
                    web_rtc_server_id,
                    *prefs,
                    webrtc.ice_consent_timeout,
                )?)),
            },
            TransportKindOptions::Direct => {
                TransportKind::Direct(crate::transport::direct::DirectTransport)
            }
        };
        let transport = Transport::new(transport_id.clone(), router, kind, options);
        let tkey = self.transports.insert(transport);
        self.map_transport_sockets(tkey);
        self.register_handler(&transport_id, Handler::Transport(tkey))?;
        self.routers[router].transports.push(tkey);
        self.attach_to_webrtc_server(tkey);
        Ok(self.transport_dump(tkey))
    }

    // ---- transports ----

    /// A WebRtcTransport on a WebRtcServer: candidates from the server's
    /// sockets, duplicates of its UDP sockets to send on.
    fn webrtc_transport_on_server(
        &self,
        server_id: &str,
        prefs: ProtocolPrefs,
        ice_consent_timeout: u8,
    ) -> Result<WebRtcTransport> {
        // A plain Error, as mediasoup's: the server may be closed or belong
        // to another worker.
        let Some(Handler::WebRtcServer(skey)) = self.handler(server_id) else {
            return Err(Error::other(format!(
                "wrong webRtcServerId (no associated WebRtcServer found) [webRtcServerId:{server_id}]"
            )));
        };
        let server = &self.webrtc_servers[skey];
        WebRtcTransport::with_server(
            ice_consent_timeout,
            skey,
            server.candidates(prefs),
            &self.certificate,
        )
    }

    /// Registers a new WebRtcTransport's username fragment with its server.
    fn attach_to_webrtc_server(&mut self, tkey: TransportKey) {
        let TransportKind::WebRtc(w) = &self.transports[tkey].kind else {
            return;
        };
        let Some(server) = w.webrtc_server.and_then(|s| self.webrtc_servers.get_mut(s)) else {
            return;
        };
        server.transports.push(tkey);
        server
            .ufrags
            .insert(w.ice.username_fragment().to_string(), tkey);
    }

    /// Records what a new transport's own sockets belong to.
    fn map_transport_sockets(&mut self, tkey: TransportKey) {
        let roles: Vec<(SocketId, SocketRole)> = match &self.transports[tkey].kind {
            TransportKind::Plain(plain) => {
                std::iter::once((plain.socket, SocketRole::PlainRtp(tkey)))
                    .chain(plain.rtcp_socket.map(|s| (s, SocketRole::PlainRtcp(tkey))))
                    .collect()
            }
            TransportKind::WebRtc(w) if w.webrtc_server.is_none() => w
                .udp
                .iter()
                .map(|u| (u.socket, SocketRole::WebRtcUdp(tkey)))
                .chain(
                    w.tcp_servers
                        .iter()
                        .map(|t| (t.listener, SocketRole::WebRtcTcpListener(tkey))),
                )
                .collect(),
            _ => Vec::new(),
        };
        for (id, role) in roles {
            self.sockets.insert(id, role);
        }
    }

    /// Closes sockets the core is done with (the shell closes them after
    /// the call).
    pub(super) fn close_sockets(&mut self, ids: Vec<SocketId>) {
        for id in ids {
            self.sockets.remove(id);
            self.net.op(SocketOp::Close(id));
        }
    }

    pub fn close_transport(&mut self, tkey: TransportKey, outbox: &mut Outbox) {
        if !self.transports.contains(tkey) {
            return;
        }
        self.close_transport_children(tkey, outbox);
        let transport = self.transports.remove(tkey);
        match &transport.kind {
            TransportKind::Plain(plain) => self.close_sockets(plain.own_sockets()),
            TransportKind::WebRtc(w) => {
                self.close_sockets(w.own_sockets());
                if let Some(server) = w.webrtc_server.and_then(|s| self.webrtc_servers.get_mut(s)) {
                    server.remove_transport(tkey);
                }
            }
            TransportKind::Direct(_) => {}
        }
        if let Some(router) = self.routers.get_mut(transport.router) {
            router.transports.retain(|t| *t != tkey);
        }
        self.handlers.shift_remove(&transport.id);
    }

    fn transport_dump(&self, tkey: TransportKey) -> Reply {
        use crate::transport::dump::{Entry, RtpListenerDump, TransportDump};
        let transport = &self.transports[tkey];
        let producer_id = |k: &ProducerKey| self.producers[*k].id.as_str();
        let listener = &transport.listener;
        let consumers: Vec<&Consumer> = transport
            .consumers
            .iter()
            .map(|c| &self.consumers[*c])
            .collect();
        let (data_producer_ids, data_consumer_ids, stream_id_table) = self.data_dump_parts(tkey);
        let (sctp, kind) = transport.dump_parts(stream_id_table, self.selected_tuple(tkey));
        Reply::typed(&TransportDump {
            id: &transport.id,
            producer_ids: transport.producers.iter().map(producer_id).collect(),
            consumer_ids: consumers.iter().map(|c| c.id.as_str()).collect(),
            map_ssrc_consumer_id: consumers
                .iter()
                .flat_map(|c| {
                    c.lanes.iter().map(|lane| Entry {
                        key: lane.ssrc,
                        value: c.id.as_str(),
                    })
                })
                .collect(),
            map_rtx_ssrc_consumer_id: consumers
                .iter()
                .flat_map(|c| {
                    c.lanes.iter().filter_map(|lane| {
                        lane.rtx.map(|(_, ssrc)| Entry {
                            key: ssrc,
                            value: c.id.as_str(),
                        })
                    })
                })
                .collect(),
            data_producer_ids,
            data_consumer_ids,
            recv_rtp_header_extensions: transport.recv_ext,
            rtp_listener: RtpListenerDump {
                ssrc_table: (listener.ssrc_table.iter())
                    .map(|(s, p)| Entry {
                        key: *s,
                        value: producer_id(p),
                    })
                    .collect(),
                mid_table: (listener.mid_table.iter())
                    .map(|(m, p)| Entry {
                        key: m.as_str(),
                        value: producer_id(p),
                    })
                    .collect(),
                rid_table: (listener.rid_table.iter())
                    .map(|(r, p)| Entry {
                        key: r.as_str(),
                        value: producer_id(p),
                    })
                    .collect(),
            },
            max_send_message_size: transport.max_send_message_size,
            max_receive_message_size: transport.max_receive_message_size,
            trace_event_types: &transport.trace_event_types,
            sctp,
            kind,
        })
    }

    fn router_dump(&self, key: RouterKey) -> Reply {
        let router = &self.routers[key];
        let producer_id = |k: &ProducerKey| self.producers[*k].id.as_str();
        let consumers_of = |p: &ProducerKey| -> Vec<&str> {
            router
                .consumers_by_producer
                .get(p)
                .into_iter()
                .flatten()
                .map(|c| self.consumers[*c].id.as_str())
                .collect()
        };
        let observers = || router.rtp_observers.iter().map(|o| &self.rtp_observers[*o]);
        let (data_producer_consumers, data_consumer_producer) = self.router_data_maps(key);
        let dump = RouterDump {
            id: &router.id,
            transport_ids: router
                .transports
                .iter()
                .map(|t| self.transports[*t].id.as_str())
                .collect(),
            rtp_observer_ids: observers().map(|o| o.id.as_str()).collect(),
            map_producer_id_consumer_ids: router
                .producers
                .iter()
                .map(|p| KeyValues {
                    key: producer_id(p),
                    values: consumers_of(p),
                })
                .collect(),
            map_consumer_id_producer_id: router
                .producers
                .iter()
                .flat_map(|p| {
                    consumers_of(p).into_iter().map(move |c| KeyValue {
                        key: c,
                        value: producer_id(p),
                    })
                })
                .collect(),
            map_producer_id_observer_ids: router
                .producers
                .iter()
                .map(|p| KeyValues {
                    key: producer_id(p),
                    values: observers()
                        .filter(|o| o.has_producer(producer_id(p)))
                        .map(|o| o.id.as_str())
                        .collect(),
                })
                .filter(|entry| !entry.values.is_empty())
                .collect(),
            map_data_producer_id_data_consumer_ids: data_producer_consumers,
            map_data_consumer_id_data_producer_id: data_consumer_producer,
        };
        Reply::typed(&dump)
    }

    fn transport_request(
        &mut self,
        tkey: TransportKey,
        method: &str,
        request: TransportRequest,
        now_ms: u64,
        outbox: &mut Outbox,
    ) -> Result<Reply> {
        match request {
            // Typed, straight into the response text.
            TransportRequest::Dump => Ok(self.transport_dump(tkey)),
            TransportRequest::GetStats => {
                let selected = self.selected_tuple(tkey);
                Ok(Reply::typed(&self.transports[tkey].stats(now_ms, selected)))
            }
            other => self.transport_state_request(tkey, method, other, now_ms, outbox),
        }
    }

    /// The other transport requests: connection, bitrate
    /// limits, ICE restart, trace events, and (through
    /// `transport_child_request`) its producers, consumers and data objects.
    fn transport_state_request(
        &mut self,
        tkey: TransportKey,
        method: &str,
        request: TransportRequest,
        now_ms: u64,
        outbox: &mut Outbox,
    ) -> Result<Reply> {
        use TransportRequest as T;
        match request {
            T::Connect(options) => {
                let transport = &mut self.transports[tkey];
                match &mut transport.kind {
                    TransportKind::Plain(plain) => {
                        let response = Reply::typed(&plain.connect(*options, &mut self.net)?);
                        if plain.is_connected() {
                            self.on_transport_connected(tkey, outbox);
                            self.sctp_transport_connected(tkey, outbox);
                        }
                        Ok(response)
                    }
                    TransportKind::Direct(_) => Ok(Reply::empty()),
                    TransportKind::WebRtc(_) => {
                        self.webrtc_connect(tkey, options.dtls, now_ms, outbox)
                    }
                }
            }
            T::SetMaxIncomingBitrate(bitrate) => {
                self.transports[tkey].max_incoming_bitrate = (bitrate > 0).then_some(bitrate);
                Ok(Reply::Null)
            }
            T::SetMaxOutgoingBitrate(bitrate) => {
                let t = &mut self.transports[tkey];
                check_min_bitrate(bitrate)?;
                if bitrate > 0 && bitrate < t.min_outgoing_bitrate.unwrap_or(0) {
                    return Err(Error::type_error(
                        "bitrate must be >= current min outgoing bitrate or 0 (unlimited)",
                    ));
                }
                t.max_outgoing_bitrate = (bitrate > 0).then_some(bitrate);
                if let Some(bwe) = t.bwe.as_mut() {
                    bwe.set_max_outgoing_bitrate(t.max_outgoing_bitrate, now_ms);
                }
                Ok(Reply::Null)
            }
            T::SetMinOutgoingBitrate(bitrate) => {
                let t = &mut self.transports[tkey];
                check_min_bitrate(bitrate)?;
                if bitrate > 0 && t.max_outgoing_bitrate.is_some_and(|max| bitrate > max) {
                    return Err(Error::type_error(
                        "bitrate must be <= current max outgoing bitrate or 0 (unlimited)",
                    ));
                }
                t.min_outgoing_bitrate = (bitrate > 0).then_some(bitrate);
                if let Some(bwe) = t.bwe.as_mut() {
                    bwe.set_min_outgoing_bitrate(t.min_outgoing_bitrate, now_ms);
                }
                Ok(Reply::Null)
            }
            T::RestartIce => self.webrtc_restart_ice(tkey, now_ms, outbox),
            T::EnableTraceEvent(types) => {
                self.transports[tkey].trace_event_types =
                    crate::trace::known_types(&types, &["probation", "bwe"]);
                Ok(Reply::Null)
            }
            other => self.transport_child_request(tkey, method, other, outbox),
        }
    }
}

/// mediasoup's TransportCongestionControlMinOutgoingBitrate.
const MIN_OUTGOING_BITRATE: u32 = 30000;

fn check_min_bitrate(bitrate: u32) -> Result<()> {
    if bitrate > 0 && bitrate < MIN_OUTGOING_BITRATE {
        return Err(Error::type_error(format!(
            "bitrate must be >= {MIN_OUTGOING_BITRATE} or 0 (unlimited)"
        )));
    }
    Ok(())
}
