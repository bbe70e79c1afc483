//! WebRtcTransport input in the core: datagrams from its UDP sockets and
//! frames from its TCP connections demultiplexed to ICE (STUN), DTLS and
//! SRTP media, the events those raise, and their timers. What they send is
//! queued in the core's `NetOutbox`.

use super::core::{Core, SocketRole};
use crate::channel::Outbox;
use crate::channel::Reply;
use crate::dtls::{DtlsEvent, DtlsState};
use crate::error::{Error, Result};
use crate::ice::{IceEvent, IceState};
use crate::ids::{self, TransportKey};
use crate::net::SocketId;
use crate::transport::connect::RemoteDtls;
use crate::transport::dump::{DtlsStateChange, IceStateChange};
use crate::transport::io::send_on_tuple;
use crate::transport::listen::Tuple;
use crate::transport::webrtc::{
    expired_tcp_connections, tcp_connection_to_evict, TcpConnection, TupleId, WebRtcTransport,
};
use crate::transport::TransportKind;
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

impl Core {
    pub(super) fn webrtc_connect(
        &mut self,
        tkey: TransportKey,
        dtls: Result<RemoteDtls>,
        now_ms: u64,
        outbox: &mut Outbox,
    ) -> Result<Reply> {
        let w = webrtc(self, tkey).ok_or_else(|| Error::other("not a WebRtcTransport"))?;
        let response = Reply::typed(&w.connect(dtls)?);
        self.may_run_dtls(tkey, now_ms, outbox);
        Ok(response)
    }

    pub(super) fn webrtc_restart_ice(
        &mut self,
        tkey: TransportKey,
        now_ms: u64,
        outbox: &mut Outbox,
    ) -> Result<Reply> {
        let w = webrtc(self, tkey).ok_or_else(|| Error::other("not a WebRtcTransport"))?;
        let mut events = Vec::new();
        let params = Reply::typed(&w.restart_ice(now_ms, &mut |e| events.push(e)));
        self.on_ice_events(tkey, events, now_ms, outbox);
        Ok(params)
    }

    /// One datagram (or TCP frame) in `recv_buf[..len]` from `tuple`,
    /// received at `arrival_us` (worker clock).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn on_webrtc_datagram(
        &mut self,
        tkey: TransportKey,
        tuple: TupleId,
        remote: SocketAddr,
        len: usize,
        arrival_us: u64,
        now_ms: u64,
        outbox: &mut Outbox,
    ) {
        let Some(first) = self.recv_buf.first().copied() else {
            return;
        };
        // (UDP datagrams were counted as they came off the socket.)
        if matches!(tuple, TupleId::Tcp { .. }) {
            self.metrics.received(len);
        }
        let Core {
            transports,
            net,
            recv_buf,
            metrics,
            ..
        } = self;
        let Some(transport) = transports.get_mut(tkey) else {
            return;
        };
        transport.counters.received(len, now_ms);
        let TransportKind::WebRtc(w) = &mut transport.kind else {
            return;
        };
        match first {
            0..=3 => {
                let mut out = [0u8; STUN_OUT];
                let mut events = Vec::new();
                let n = w.ice.process_stun(
                    &recv_buf[..len],
                    tuple,
                    remote,
                    now_ms,
                    &mut out,
                    &mut |e| events.push(e),
                );
                if n > 0 {
                    send_on_tuple(net, tuple, &out[..n]);
                }
                self.on_ice_events(tkey, events, now_ms, outbox);
            }
            20..=63 => {
                if !w.ice.is_valid_tuple(tuple) {
                    metrics.drops.unauthenticated += 1;
                    return;
                }
                // DTLS from a valid tuple that is not the selected one moves
                // the selection there (mediasoup does the same).
                let mut events = Vec::new();
                if w.ice.selected_tuple() != Some(tuple) {
                    w.ice.force_selected_tuple(tuple, &mut |e| events.push(e));
                }
                w.dtls.handle_datagram(&recv_buf[..len], now_ms);
                self.on_ice_events(tkey, events, now_ms, outbox);
                self.pump_dtls(tkey, outbox);
            }
            128..=191 => {
                if !w.ice.is_valid_tuple(tuple) || !w.is_srtp_ready() {
                    metrics.drops.unauthenticated += 1;
                    return;
                }
                let data = &recv_buf[..len];
                if crate::rtcp::is_rtcp(data) {
                    self.handle_rtcp(tkey, len, now_ms, outbox);
                } else if crate::rtp::RtpPacketRef::is_rtp(data) {
                    self.handle_rtp(tkey, None, len, arrival_us, now_ms, outbox);
                } else {
                    metrics.drops.malformed += 1;
                }
            }
            _ => {
                metrics.drops.malformed += 1;
            }
        }
    }

    /// A WebRtcTransport's ICE selected tuple, as dumps and stats show it.
    pub(super) fn selected_tuple(&self, tkey: TransportKey) -> Option<Tuple> {
        let Some(TransportKind::WebRtc(w)) = self.transports.get(tkey).map(|t| &t.kind) else {
            return None;
        };
        self.tuple(tkey, w.ice.selected_tuple()?)
    }

    fn tuple(&self, tkey: TransportKey, tuple: TupleId) -> Option<Tuple> {
        let Some(TransportKind::WebRtc(w)) = self.transports.get(tkey).map(|t| &t.kind) else {
            return None;
        };
        let server = w.webrtc_server.and_then(|s| self.webrtc_servers.get(s));
        let server_udp = |socket: SocketId| server.and_then(|s| s.udp_local(socket));
        let server_tcp = |listener: SocketId| server.and_then(|s| s.tcp_local(listener));
        w.tuple(tuple, &server_udp, &server_tcp)
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
                    if state == IceState::Disconnected {
                        self.metrics.ice_disconnections += 1;
                    }
                    outbox.notification(
                        &id,
                        "webrtctransport.icestatechange",
                        IceStateChange {
                            ice_state: state.as_str(),
                        },
                    );
                    if matches!(state, IceState::Connected | IceState::Completed) {
                        self.may_run_dtls(tkey, now_ms, outbox);
                    }
                }
                IceEvent::SelectedTupleChanged(tuple) => {
                    // (A TCP connection already gone has nothing to show.)
                    if let Some(tuple) = self.tuple(tkey, tuple) {
                        outbox.notification(&id, "webrtctransport.iceselectedtuplechange", tuple);
                    }
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
        let now_ms = self.now_ms;
        let Core {
            transports, net, ..
        } = self;
        let Some(transport) = transports.get_mut(tkey) else {
            return;
        };
        let id = transport.id.clone();
        let TransportKind::WebRtc(w) = &mut transport.kind else {
            return;
        };
        while let Some(datagram) = w.dtls.poll_transmit() {
            if let Some(tuple) = w.ice.selected_tuple() {
                send_on_tuple(net, tuple, &datagram);
                transport.counters.sent(datagram.len(), now_ms);
            }
        }
        let mut became_connected = false;
        let mut sctp_in: Vec<Vec<u8>> = Vec::new();
        while let Some(event) = w.dtls.poll_event() {
            match event {
                DtlsEvent::StateChanged(state) => {
                    w.dtls_state = state;
                    if state == DtlsState::Failed {
                        self.metrics.dtls_failures += 1;
                    }
                    outbox.notification(
                        &id,
                        "webrtctransport.dtlsstatechange",
                        DtlsStateChange {
                            dtls_state: state.as_str(),
                            dtls_remote_cert: None,
                        },
                    );
                }
                DtlsEvent::Connected {
                    srtp,
                    remote_cert_pem,
                } => {
                    if w.set_srtp_keys(&srtp) {
                        became_connected = true;
                        w.dtls_state = DtlsState::Connected;
                        outbox.notification(
                            &id,
                            "webrtctransport.dtlsstatechange",
                            DtlsStateChange {
                                dtls_state: DtlsState::Connected.as_str(),
                                dtls_remote_cert: Some(&remote_cert_pem),
                            },
                        );
                        w.dtls_remote_cert = Some(remote_cert_pem);
                    } else {
                        // The remote certificate does not match the
                        // fingerprint given to connect().
                        self.metrics.dtls_failures += 1;
                        w.dtls_state = DtlsState::Failed;
                        outbox.notification(
                            &id,
                            "webrtctransport.dtlsstatechange",
                            DtlsStateChange {
                                dtls_state: DtlsState::Failed.as_str(),
                                dtls_remote_cert: None,
                            },
                        );
                    }
                }
                // SCTP over DTLS (handled below, once DTLS is done here).
                DtlsEvent::ApplicationData(data) => sctp_in.push(data),
            }
        }
        if became_connected {
            self.on_transport_connected(tkey, outbox);
        }
        if !sctp_in.is_empty() {
            self.handle_sctp_over_dtls(tkey, sctp_in, outbox);
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
        self.sweep_tcp(tkey, now_ms);
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

    /// Handles the complete frames of `input` received on a connection
    /// (the connection may close while they are handled).
    pub(super) fn handle_tcp_input(
        &mut self,
        tkey: TransportKey,
        conn: SocketId,
        input: &[u8],
        arrival_us: u64,
        now_ms: u64,
        outbox: &mut Outbox,
    ) {
        let mut pos = 0;
        loop {
            let Some(c) =
                webrtc_in(&mut self.transports, tkey).and_then(|w| w.tcp_conns.get_mut(&conn))
            else {
                return;
            };
            let remote = c.remote;
            let Some(len) = c.decoder.next_frame(input, &mut pos, &mut self.recv_buf) else {
                return;
            };
            if len > 0 {
                let tuple = TupleId::Tcp { conn };
                self.on_webrtc_datagram(tkey, tuple, remote, len, arrival_us, now_ms, outbox);
            }
        }
    }

    /// The shell accepted `conn` on one of a transport's own listeners.
    pub(super) fn on_transport_tcp_accepted(
        &mut self,
        tkey: TransportKey,
        listener: SocketId,
        conn: SocketId,
        remote: SocketAddr,
        now_ms: u64,
        outbox: &mut Outbox,
    ) {
        let Some(w) = webrtc(self, tkey) else {
            return self.close_sockets(vec![conn]);
        };
        w.tcp_conns
            .insert(conn, TcpConnection::new(listener, remote, now_ms));
        self.sockets.insert(conn, SocketRole::WebRtcTcpConn(tkey));
        self.evict_unauthenticated_tcp(tkey, remote, outbox);
    }

    /// Keeps a transport's unauthenticated connections within limits now
    /// that one from `remote` joined them (closing the oldest).
    pub(super) fn evict_unauthenticated_tcp(
        &mut self,
        tkey: TransportKey,
        remote: SocketAddr,
        outbox: &mut Outbox,
    ) {
        let scope = format!("WebRtcTransport {}", self.transports[tkey].id);
        self.evict_while_over_limits(
            &scope,
            |core| {
                webrtc(core, tkey).and_then(|w| tcp_connection_to_evict(&w.tcp_conns, remote.ip()))
            },
            |core, victim| core.close_tcp_connection(tkey, victim),
            outbox,
        );
    }

    /// Closes the connection `victim` names (the oldest unauthenticated
    /// one of a listening scope over its limits) until it names none, and
    /// warns how many went.
    pub(super) fn evict_while_over_limits(
        &mut self,
        scope: &str,
        victim: impl Fn(&mut Core) -> Option<SocketId>,
        close: impl Fn(&mut Core, SocketId),
        outbox: &mut Outbox,
    ) {
        let mut evicted = 0;
        while let Some(conn) = victim(self) {
            close(self, conn);
            evicted += 1;
        }
        if evicted > 0 {
            let text = format!(
                "{scope}: too many unauthenticated ICE-TCP connections, closed the {evicted} oldest"
            );
            self.warn(outbox, text);
        }
    }

    /// The peer closed (or broke) one of a transport's TCP connections.
    pub(super) fn on_transport_tcp_closed(
        &mut self,
        tkey: TransportKey,
        conn: SocketId,
        now_ms: u64,
        outbox: &mut Outbox,
    ) {
        let mut events = Vec::new();
        if let Some(w) = webrtc(self, tkey) {
            w.ice
                .remove_tuple(TupleId::Tcp { conn }, now_ms, &mut |e| events.push(e));
        }
        self.on_ice_events(tkey, events, now_ms, outbox);
        self.close_tcp_connection(tkey, conn);
    }

    /// ICE validated a tuple: a TCP connection is now trusted, and a
    /// WebRtcServer routes the tuple's datagrams to this transport.
    fn on_tuple_authenticated(&mut self, tkey: TransportKey, tuple: TupleId) {
        match tuple {
            TupleId::Tcp { conn } => {
                if let Some(c) = webrtc(self, tkey).and_then(|w| w.tcp_conns.get_mut(&conn)) {
                    c.authenticated = true;
                }
            }
            TupleId::Udp { .. } => self.webrtc_server_map_tuple(tkey, tuple),
        }
    }

    /// Closes a transport's TCP connections that did not authenticate in
    /// time.
    pub(super) fn sweep_tcp(&mut self, tkey: TransportKey, now_ms: u64) {
        let Some(w) = webrtc(self, tkey) else {
            return;
        };
        for conn in expired_tcp_connections(&w.tcp_conns, now_ms) {
            self.close_tcp_connection(tkey, conn);
        }
    }

    fn close_tcp_connection(&mut self, tkey: TransportKey, conn: SocketId) {
        if let Some(w) = webrtc(self, tkey) {
            if w.tcp_conns.remove(&conn).is_some() {
                self.close_sockets(vec![conn]);
            }
        }
    }
}
