//! WebRtcTransport I/O in the worker: datagrams from its UDP sockets and
//! TCP connections demultiplexed to ICE (STUN), DTLS and SRTP media, the
//! events those raise, and their timers.

use super::core::{Core, SocketRole};
use crate::channel::Outbox;
use crate::dtls::{DtlsEvent, DtlsState};
use crate::error::{Error, Result};
use crate::ice::{IceEvent, IceState};
use crate::ids::{self, TransportKey};
use crate::transport::listen::recv_from_timestamped;
use crate::transport::webrtc::{
    expired_tcp_connections, tcp_connection_to_evict, TcpConnection, TcpEndpoint, TupleId,
    WebRtcTransport,
};
use crate::transport::TransportKind;
use serde_json::{json, Value};
use slab::Slab;
use std::net::SocketAddr;

/// Room for any STUN response the ICE server writes.
const STUN_OUT: usize = 512;

fn webrtc(core: &mut Core, tkey: TransportKey) -> Option<&mut WebRtcTransport> {
    webrtc_in(&mut core.transports, tkey)
}

fn webrtc_in(
    transports: &mut ids::Slab<TransportKey, crate::transport::Transport>,
    tkey: TransportKey,
) -> Option<&mut WebRtcTransport> {
    match &mut transports.get_mut(tkey)?.kind {
        TransportKind::WebRtc(w) => Some(w),
        _ => None,
    }
}

/// Bytes read from a TCP connection at a time.
const TCP_CHUNK: usize = 16 * 1024;

/// Read budget a TCP chunk costs (a datagram costs 1): a connection yields
/// after 64 KiB per loop turn, so a flood of tiny frames cannot starve
/// other sockets, requests and timers.
const TCP_CHUNK_COST: usize = 16;

/// What an accept round did.
pub(super) struct Accepted {
    /// Older unauthenticated connections closed to stay within limits.
    pub evicted: usize,
    /// accept() ran out of descriptors: retry later.
    pub blocked: bool,
}

/// Accepts every pending connection of a TCP listening socket into `conns`
/// and registers it for reading under `role(conn)`; keeps the
/// unauthenticated ones within limits by closing the oldest.
pub(super) fn accept_connections(
    endpoint: &TcpEndpoint,
    server: usize,
    conns: &mut Slab<TcpConnection>,
    sockets: &mut Slab<SocketRole>,
    registry: &mio::Registry,
    now_ms: u64,
    role: impl Fn(usize) -> SocketRole,
) -> Accepted {
    let mut accepted = Accepted {
        evicted: 0,
        blocked: false,
    };
    loop {
        let (stream, remote) = match endpoint.listener.accept() {
            Ok(pair) => pair,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionAborted => continue,
            Err(_) => {
                // EMFILE/ENFILE/ENOBUFS: the connection stays queued.
                accepted.blocked = true;
                break;
            }
        };
        // Media and DTLS flights must not wait for Nagle.
        let _ = stream.set_nodelay(true);
        let conn = conns.insert(TcpConnection::new(
            stream,
            server,
            remote,
            endpoint.local_port,
            now_ms,
        ));
        let token = sockets.insert(role(conn));
        conns[conn].token = token;
        let registered = registry.register(
            &mut conns[conn].stream,
            mio::Token(token),
            mio::Interest::READABLE | mio::Interest::WRITABLE,
        );
        if registered.is_err() {
            sockets.remove(token);
            conns.remove(conn);
            continue;
        }
        while let Some(victim) = tcp_connection_to_evict(conns, remote.ip()) {
            drop_connection(conns, victim, sockets, registry);
            accepted.evicted += 1;
        }
    }
    accepted
}

/// Closes a connection and forgets its socket.
pub(super) fn drop_connection(
    conns: &mut Slab<TcpConnection>,
    conn: usize,
    sockets: &mut Slab<SocketRole>,
    registry: &mio::Registry,
) {
    if let Some(mut c) = conns.try_remove(conn) {
        let _ = registry.deregister(&mut c.stream);
        sockets.try_remove(c.token);
    }
}

impl Core {
    pub(super) fn webrtc_connect(
        &mut self,
        tkey: TransportKey,
        data: &Value,
        now_ms: u64,
        outbox: &mut Outbox,
    ) -> Result<Value> {
        let w = webrtc(self, tkey).ok_or_else(|| Error::other("not a WebRtcTransport"))?;
        let response = w.connect(data)?;
        self.may_run_dtls(tkey, now_ms, outbox);
        Ok(response)
    }

    pub(super) fn webrtc_restart_ice(
        &mut self,
        tkey: TransportKey,
        now_ms: u64,
        outbox: &mut Outbox,
    ) -> Result<Value> {
        let w = webrtc(self, tkey).ok_or_else(|| Error::other("not a WebRtcTransport"))?;
        let mut events = Vec::new();
        let params = w.restart_ice(now_ms, &mut |e| events.push(e));
        self.on_ice_events(tkey, events, now_ms, outbox);
        Ok(params)
    }

    /// One datagram (or TCP frame) in `recv_buf[..len]` from `tuple`.
    pub(super) fn on_webrtc_datagram(
        &mut self,
        tkey: TransportKey,
        tuple: TupleId,
        remote: SocketAddr,
        len: usize,
        now_ms: u64,
        outbox: &mut Outbox,
    ) {
        let Some(first) = self.recv_buf.first().copied() else {
            return;
        };
        let Some(transport) = self.transports.get_mut(tkey) else {
            return;
        };
        transport.counters.bytes_received += len as u64;
        let TransportKind::WebRtc(w) = &mut transport.kind else {
            return;
        };
        match first {
            0..=3 => {
                let mut out = [0u8; STUN_OUT];
                let mut events = Vec::new();
                let n = w.ice.process_stun(
                    &self.recv_buf[..len],
                    tuple,
                    remote,
                    now_ms,
                    &mut out,
                    &mut |e| events.push(e),
                );
                if n > 0 {
                    w.send_datagram(tuple, &out[..n]);
                }
                self.on_ice_events(tkey, events, now_ms, outbox);
            }
            20..=63 => {
                if !w.ice.is_valid_tuple(tuple) {
                    w.dropped += 1;
                    return;
                }
                // DTLS from a valid tuple that is not the selected one moves
                // the selection there (mediasoup does the same).
                let mut events = Vec::new();
                if w.ice.selected_tuple() != Some(tuple) {
                    w.ice.force_selected_tuple(tuple, &mut |e| events.push(e));
                }
                w.dtls.handle_datagram(&self.recv_buf[..len], now_ms);
                self.on_ice_events(tkey, events, now_ms, outbox);
                self.pump_dtls(tkey, outbox);
            }
            128..=191 => {
                if !w.ice.is_valid_tuple(tuple) || !w.is_srtp_ready() {
                    w.dropped += 1;
                    return;
                }
                let data = &self.recv_buf[..len];
                if crate::rtcp::is_rtcp(data) {
                    self.handle_rtcp(tkey, len, now_ms, outbox);
                } else if crate::rtp::RtpPacketRef::is_rtp(data) {
                    self.handle_rtp(tkey, None, len, now_ms, outbox);
                } else {
                    self.transports[tkey].counters.dropped += 1;
                }
            }
            _ => {
                w.dropped += 1;
            }
        }
    }

    /// A datagram in `recv_buf[..len]` from `remote` on UDP socket
    /// `socket`, received by the kernel `age` ago.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn on_webrtc_udp_datagram(
        &mut self,
        tkey: TransportKey,
        socket: usize,
        remote: SocketAddr,
        len: usize,
        age: Option<std::time::Duration>,
        now_ms: u64,
        outbox: &mut Outbox,
    ) {
        self.rx_arrival_us = self.arrival_us(age);
        let tuple = TupleId::Udp { socket, remote };
        self.on_webrtc_datagram(tkey, tuple, remote, len, now_ms, outbox);
        self.rx_arrival_us = None;
    }

    fn tuple_json(&self, tkey: TransportKey, tuple: TupleId) -> Value {
        let Some(TransportKind::WebRtc(w)) = self.transports.get(tkey).map(|t| &t.kind) else {
            return Value::Null;
        };
        let server_udp = |socket: usize| {
            w.webrtc_server
                .and_then(|s| self.webrtc_servers.get(s))
                .and_then(|s| s.udp.get(socket))
                .map(|u| (u.listen.local_address(), u.local_port))
        };
        let server_tcp = |server: usize| {
            w.webrtc_server
                .and_then(|s| self.webrtc_servers.get(s))
                .and_then(|s| s.tcp.get(server))
                .map(|t| (t.listen.local_address(), t.local_port))
        };
        w.tuple_json(tuple, &server_udp, &server_tcp)
    }

    pub(super) fn on_ice_events(
        &mut self,
        tkey: TransportKey,
        events: Vec<IceEvent<TupleId>>,
        now_ms: u64,
        outbox: &mut Outbox,
    ) {
        if events.is_empty() {
            return;
        }
        let id = self.transports[tkey].id.clone();
        for event in events {
            match event {
                IceEvent::StateChanged(state) => {
                    outbox.notification(
                        &id,
                        "webrtctransport.icestatechange",
                        json!({"iceState": state.as_str()}),
                    );
                    if matches!(state, IceState::Connected | IceState::Completed) {
                        self.may_run_dtls(tkey, now_ms, outbox);
                    }
                }
                IceEvent::SelectedTupleChanged(tuple) => {
                    let tuple = self.tuple_json(tkey, tuple);
                    outbox.notification(&id, "webrtctransport.iceselectedtuplechange", tuple);
                }
                IceEvent::TupleAdded(tuple) => self.on_tuple_authenticated(tkey, tuple),
                IceEvent::TupleRemoved(tuple) => {
                    self.webrtc_server_unmap_tuple(tkey, tuple);
                    if let TupleId::Tcp { conn } = tuple {
                        self.close_tcp_connection(tkey, conn);
                    }
                }
                IceEvent::UsernameFragmentAdded(ufrag) => {
                    self.webrtc_server_map_ufrag(tkey, &ufrag, true)
                }
                IceEvent::UsernameFragmentRemoved(ufrag) => {
                    self.webrtc_server_map_ufrag(tkey, &ufrag, false)
                }
            }
        }
    }

    fn may_run_dtls(&mut self, tkey: TransportKey, now_ms: u64, outbox: &mut Outbox) {
        let Some(w) = webrtc(self, tkey) else {
            return;
        };
        if w.may_start_dtls(now_ms) {
            self.pump_dtls(tkey, outbox);
        }
    }

    /// Sends what DTLS produced and reports its events.
    pub(super) fn pump_dtls(&mut self, tkey: TransportKey, outbox: &mut Outbox) {
        let Some(transport) = self.transports.get_mut(tkey) else {
            return;
        };
        let id = transport.id.clone();
        let TransportKind::WebRtc(w) = &mut transport.kind else {
            return;
        };
        while let Some(datagram) = w.dtls.poll_transmit() {
            if let Some(tuple) = w.ice.selected_tuple() {
                if w.send_datagram(tuple, &datagram) {
                    transport.counters.bytes_sent += datagram.len() as u64;
                }
            }
        }
        let mut became_connected = false;
        while let Some(event) = w.dtls.poll_event() {
            match event {
                DtlsEvent::StateChanged(state) => {
                    w.dtls_state = state;
                    outbox.notification(
                        &id,
                        "webrtctransport.dtlsstatechange",
                        json!({"dtlsState": state.as_str()}),
                    );
                }
                DtlsEvent::Connected {
                    srtp,
                    remote_cert_pem,
                } => {
                    if w.set_srtp_keys(&srtp) {
                        became_connected = true;
                        w.dtls_state = DtlsState::Connected;
                        w.dtls_remote_cert = Some(remote_cert_pem.clone());
                        outbox.notification(
                            &id,
                            "webrtctransport.dtlsstatechange",
                            json!({"dtlsState": "connected", "dtlsRemoteCert": remote_cert_pem}),
                        );
                    } else {
                        w.dtls_state = DtlsState::Failed;
                        outbox.notification(
                            &id,
                            "webrtctransport.dtlsstatechange",
                            json!({"dtlsState": "failed"}),
                        );
                    }
                }
                // SCTP over DTLS is not implemented yet.
                DtlsEvent::ApplicationData(_) => {}
            }
        }
        if became_connected {
            self.on_transport_connected(tkey, outbox);
        }
    }

    /// A WebRtcTransport's due timers: ICE consent, DTLS retransmissions,
    /// transport-cc feedback and ICE-TCP housekeeping.
    pub(super) fn webrtc_transport_timeout(
        &mut self,
        tkey: TransportKey,
        now_ms: u64,
        outbox: &mut Outbox,
    ) {
        let Some(w) = webrtc(self, tkey) else {
            return;
        };
        let mut events = Vec::new();
        if w.ice.poll_timeout().is_some_and(|t| t <= now_ms) {
            w.ice.handle_timeout(now_ms, &mut |e| events.push(e));
        }
        let dtls_due = w.dtls.poll_timeout().is_some_and(|t| t <= now_ms);
        if dtls_due {
            w.dtls.handle_timeout(now_ms);
        }
        self.on_ice_events(tkey, events, now_ms, outbox);
        if dtls_due {
            self.pump_dtls(tkey, outbox);
        }
        self.send_tcc_feedback(tkey, now_ms, outbox);
        self.sweep_tcp(tkey, now_ms, outbox);
    }

    /// Transport-cc feedback on what the transport received, when due.
    fn send_tcc_feedback(&mut self, tkey: TransportKey, now_ms: u64, outbox: &mut Outbox) {
        let mut buf = [0u8; 1200];
        loop {
            let Some(w) = webrtc(self, tkey) else {
                return;
            };
            if !w.is_srtp_ready() {
                return;
            }
            let Some(len) = w.tcc.poll_feedback(now_ms, &mut buf) else {
                return;
            };
            self.send_rtcp(tkey, &buf[..len], outbox);
        }
    }

    /// Drains one of a WebRtcTransport's own UDP sockets.
    pub(super) fn webrtc_udp_readable(
        &mut self,
        tkey: TransportKey,
        socket: usize,
        now_ms: u64,
        outbox: &mut Outbox,
    ) {
        while self.take_read_budget() {
            let Some(w) = webrtc_in(&mut self.transports, tkey) else {
                return;
            };
            let Some(endpoint) = w.udp.get(socket) else {
                return;
            };
            match recv_from_timestamped(&endpoint.socket, &mut self.recv_buf) {
                Ok((len, remote, age)) => {
                    self.on_webrtc_udp_datagram(tkey, socket, remote, len, age, now_ms, outbox)
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return,
                Err(_) => continue,
            }
        }
    }

    /// Accepts pending connections on a transport's TCP server.
    pub(super) fn accept_tcp(&mut self, tkey: TransportKey, server: usize, outbox: &mut Outbox) {
        let now_ms = self.now_ms;
        let Core {
            transports,
            sockets,
            registry,
            ..
        } = self;
        let Some(w) = webrtc_in(transports, tkey) else {
            return;
        };
        let Some(endpoint) = w.tcp_servers.get(server) else {
            return;
        };
        let accepted = accept_connections(
            endpoint,
            server,
            &mut w.tcp_conns,
            sockets,
            registry,
            now_ms,
            |conn| SocketRole::WebRtcTcpConn(tkey, conn),
        );
        w.tcp_servers[server].accept_blocked = accepted.blocked;
        if accepted.evicted > 0 {
            let text = format!(
                "WebRtcTransport {}: too many unauthenticated ICE-TCP connections, closed the {} oldest",
                self.transports[tkey].id, accepted.evicted
            );
            self.warn(outbox, text);
        }
    }

    /// A TCP connection is readable or writable: writes what is pending,
    /// then reads (within the turn's budget, and only while the peer is
    /// not waiting for us to write) and handles every complete frame.
    pub(super) fn read_tcp(
        &mut self,
        tkey: TransportKey,
        conn: usize,
        now_ms: u64,
        outbox: &mut Outbox,
    ) {
        use std::io::Read;
        let mut chunk = [0u8; TCP_CHUNK];
        let mut closed = false;
        loop {
            let Some(c) = webrtc(self, tkey).and_then(|w| w.tcp_conns.get_mut(conn)) else {
                return;
            };
            if !c.flush() {
                closed = true;
                break;
            }
            // Back-pressure: the writable event that drains the backlog
            // brings us back here.
            if !c.wants_read() {
                break;
            }
            let n = match c.stream.read(&mut chunk) {
                Ok(0) => {
                    closed = true;
                    break;
                }
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => {
                    closed = true;
                    break;
                }
            };
            self.handle_tcp_input(tkey, conn, &chunk[..n], now_ms, outbox);
            if !self.take_read_budget_of(TCP_CHUNK_COST) {
                break;
            }
        }
        if closed {
            let mut events = Vec::new();
            if let Some(w) = webrtc(self, tkey) {
                w.ice
                    .remove_tuple(TupleId::Tcp { conn }, now_ms, &mut |e| events.push(e));
            }
            self.on_ice_events(tkey, events, now_ms, outbox);
            self.close_tcp_connection(tkey, conn);
        }
    }

    /// Handles the complete frames of `input` received on a connection
    /// (the connection may close while they are handled).
    pub(super) fn handle_tcp_input(
        &mut self,
        tkey: TransportKey,
        conn: usize,
        input: &[u8],
        now_ms: u64,
        outbox: &mut Outbox,
    ) {
        let mut pos = 0;
        loop {
            let Some(c) =
                webrtc_in(&mut self.transports, tkey).and_then(|w| w.tcp_conns.get_mut(conn))
            else {
                return;
            };
            let remote = c.remote;
            let Some(len) = c.decoder.next_frame(input, &mut pos, &mut self.recv_buf) else {
                return;
            };
            if len > 0 {
                self.on_webrtc_datagram(tkey, TupleId::Tcp { conn }, remote, len, now_ms, outbox);
            }
        }
    }

    /// ICE validated a tuple: a TCP connection is now trusted, and a
    /// WebRtcServer routes the tuple's datagrams to this transport.
    fn on_tuple_authenticated(&mut self, tkey: TransportKey, tuple: TupleId) {
        match tuple {
            TupleId::Tcp { conn } => {
                if let Some(c) = webrtc(self, tkey).and_then(|w| w.tcp_conns.get_mut(conn)) {
                    c.authenticated = true;
                }
            }
            TupleId::Udp { .. } => self.webrtc_server_map_tuple(tkey, tuple),
        }
    }

    /// Closes a transport's TCP connections that did not authenticate in
    /// time, and retries accepting where descriptors had run out.
    pub(super) fn sweep_tcp(&mut self, tkey: TransportKey, now_ms: u64, outbox: &mut Outbox) {
        let Some(w) = webrtc(self, tkey) else {
            return;
        };
        let expired = expired_tcp_connections(&w.tcp_conns, now_ms);
        let blocked: Vec<usize> = (0..w.tcp_servers.len())
            .filter(|i| w.tcp_servers[*i].accept_blocked)
            .collect();
        for conn in expired {
            self.close_tcp_connection(tkey, conn);
        }
        for server in blocked {
            self.accept_tcp(tkey, server, outbox);
        }
    }

    fn close_tcp_connection(&mut self, tkey: TransportKey, conn: usize) {
        let Core {
            transports,
            sockets,
            registry,
            ..
        } = self;
        if let Some(w) = webrtc_in(transports, tkey) {
            drop_connection(&mut w.tcp_conns, conn, sockets, registry);
        }
    }

    /// Registers a WebRtcTransport's own sockets with the poll.
    pub(super) fn register_webrtc_sockets(&mut self, tkey: TransportKey) -> Result<()> {
        let Core {
            transports,
            sockets,
            registry,
            ..
        } = self;
        let TransportKind::WebRtc(w) = &mut transports[tkey].kind else {
            return Ok(());
        };
        if w.webrtc_server.is_some() {
            return Ok(());
        }
        for (i, u) in w.udp.iter_mut().enumerate() {
            let token = sockets.insert(SocketRole::WebRtcUdp(tkey, i));
            registry
                .register(&mut u.socket, mio::Token(token), mio::Interest::READABLE)
                .map_err(|e| Error::other(format!("cannot register socket: {e}")))?;
        }
        for (i, t) in w.tcp_servers.iter_mut().enumerate() {
            let token = sockets.insert(SocketRole::WebRtcTcpServer(tkey, i));
            registry
                .register(&mut t.listener, mio::Token(token), mio::Interest::READABLE)
                .map_err(|e| Error::other(format!("cannot register socket: {e}")))?;
        }
        Ok(())
    }

    /// Deregisters everything a WebRtcTransport registered.
    pub(super) fn deregister_webrtc_sockets(&mut self, w: &mut WebRtcTransport) {
        if w.webrtc_server.is_none() {
            for u in &mut w.udp {
                let _ = self.registry.deregister(&mut u.socket);
            }
            for t in &mut w.tcp_servers {
                let _ = self.registry.deregister(&mut t.listener);
            }
        }
        for (_, c) in w.tcp_conns.iter_mut() {
            let _ = self.registry.deregister(&mut c.stream);
        }
    }
}
