//! WebRtcServers in the worker: creation and close, and demultiplexing
//! their shared sockets to the WebRtcTransports that use them.

use super::core::{string_field, Core, Handler, SocketRole};
use super::webrtc_io::{accept_connections, drop_connection};
use crate::channel::Outbox;
use crate::error::{Error, Result};
use crate::ids::{TransportKey, WebRtcServerKey};
use crate::request::WebRtcServerRequest;
use crate::transport::listen::recv_from_timestamped;
use crate::transport::webrtc::{expired_tcp_connections, tcp_connection_to_evict, TupleId};
use crate::transport::webrtc_server::{local_ufrag_of, WebRtcServer};
use crate::transport::TransportKind;
use serde_json::Value;

/// A pending ICE-TCP connection's first frame (a STUN Binding request,
/// length prefix included) is never longer than this.
const MAX_FIRST_FRAME: usize = 2048;

impl Core {
    pub fn create_webrtc_server(&mut self, data: &Value) -> Result<()> {
        let id = string_field(data, "webRtcServerId")?;
        if self.handlers.contains_key(&id) {
            return Err(Error::other(format!(
                "a handler with ID '{id}' already exists"
            )));
        }
        let server = WebRtcServer::new(id.clone(), data, self.rtc_ports)?;
        let skey = self.webrtc_servers.insert(server);
        let Core {
            webrtc_servers,
            sockets,
            registry,
            ..
        } = self;
        let server = &mut webrtc_servers[skey];
        let mut result = Ok(());
        for (i, u) in server.udp.iter_mut().enumerate() {
            let token = sockets.insert(SocketRole::ServerUdp(skey, i));
            if let Err(e) =
                registry.register(&mut u.socket, mio::Token(token), mio::Interest::READABLE)
            {
                result = Err(Error::other(format!("cannot register socket: {e}")));
            }
        }
        for (i, t) in server.tcp.iter_mut().enumerate() {
            let token = sockets.insert(SocketRole::ServerTcp(skey, i));
            if let Err(e) =
                registry.register(&mut t.listener, mio::Token(token), mio::Interest::READABLE)
            {
                result = Err(Error::other(format!("cannot register socket: {e}")));
            }
        }
        self.handlers
            .insert(id.clone(), Handler::WebRtcServer(skey));
        if result.is_err() {
            self.close_webrtc_server(&id, &mut Outbox::default())?;
        }
        result
    }

    pub fn webrtc_server_ids(&self) -> Vec<String> {
        self.handlers
            .iter()
            .filter(|(_, h)| matches!(h, Handler::WebRtcServer(_)))
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// Closes a server; its transports are closed too (JS emits
    /// `listenserverclose` on them).
    pub fn close_webrtc_server(&mut self, id: &str, outbox: &mut Outbox) -> Result<()> {
        let Some(Handler::WebRtcServer(skey)) = self.handler(id) else {
            return Err(Error::not_found(format!("WebRtcServer '{id}' not found")));
        };
        for tkey in self.webrtc_servers[skey].transports.clone() {
            self.close_transport(tkey, outbox);
        }
        let mut server = self.webrtc_servers.remove(skey);
        for u in &mut server.udp {
            let _ = self.registry.deregister(&mut u.socket);
        }
        for t in &mut server.tcp {
            let _ = self.registry.deregister(&mut t.listener);
        }
        for (_, c) in server.pending_tcp.iter_mut() {
            let _ = self.registry.deregister(&mut c.stream);
        }
        self.sockets.retain(|_, role| {
            !matches!(role, SocketRole::ServerUdp(s, _) | SocketRole::ServerTcp(s, _) | SocketRole::ServerTcpConn(s, _) if *s == skey)
        });
        self.handlers.shift_remove(id);
        Ok(())
    }

    pub(super) fn webrtc_server_request(
        &mut self,
        skey: WebRtcServerKey,
        request: WebRtcServerRequest,
    ) -> Value {
        match request {
            WebRtcServerRequest::Dump => {
                let transports = &self.transports;
                self.webrtc_servers[skey]
                    .dump(&|t| transports.get(t).map(|t| t.id.clone()).unwrap_or_default())
            }
        }
    }

    /// A transport's ICE username fragment appeared or went away.
    pub(super) fn webrtc_server_map_ufrag(&mut self, tkey: TransportKey, ufrag: &str, add: bool) {
        let Some(TransportKind::WebRtc(w)) = self.transports.get(tkey).map(|t| &t.kind) else {
            return;
        };
        let Some(server) = w.webrtc_server.and_then(|s| self.webrtc_servers.get_mut(s)) else {
            return;
        };
        if add {
            server.ufrags.insert(ufrag.to_string(), tkey);
        } else {
            server.ufrags.remove(ufrag);
        }
    }

    /// ICE authenticated `tuple` for `tkey`: the server routes its
    /// datagrams there from now on (mediasoup maps a tuple only then).
    pub(super) fn webrtc_server_map_tuple(&mut self, tkey: TransportKey, tuple: TupleId) {
        let TupleId::Udp { socket, remote } = tuple else {
            return;
        };
        if let Some(server) = self.server_of(tkey) {
            server.udp_tuples.insert((socket, remote), tkey);
        }
    }

    /// The transport's ICE dropped `tuple`: stop routing it (unless it has
    /// been authenticated for another transport since).
    pub(super) fn webrtc_server_unmap_tuple(&mut self, tkey: TransportKey, tuple: TupleId) {
        let TupleId::Udp { socket, remote } = tuple else {
            return;
        };
        if let Some(server) = self.server_of(tkey) {
            if server.udp_tuples.get(&(socket, remote)) == Some(&tkey) {
                server.udp_tuples.remove(&(socket, remote));
            }
        }
    }

    fn server_of(&mut self, tkey: TransportKey) -> Option<&mut WebRtcServer> {
        let Some(TransportKind::WebRtc(w)) = self.transports.get(tkey).map(|t| &t.kind) else {
            return None;
        };
        w.webrtc_server.and_then(|s| self.webrtc_servers.get_mut(s))
    }

    /// Drains a server UDP socket, routing each datagram to its transport:
    /// STUN by the username fragment it names (the transport's ICE decides
    /// whether it is authentic), everything else by the tuple map, which
    /// only ever holds tuples ICE authenticated. Unknown senders cost
    /// nothing.
    pub(super) fn server_udp_readable(
        &mut self,
        skey: WebRtcServerKey,
        socket: usize,
        now_ms: u64,
        outbox: &mut Outbox,
    ) {
        while self.take_read_budget() {
            let Some(server) = self.webrtc_servers.get(skey) else {
                return;
            };
            let Some(endpoint) = server.udp.get(socket) else {
                return;
            };
            let (len, remote, age) =
                match recv_from_timestamped(&endpoint.socket, &mut self.recv_buf) {
                    Ok(r) => r,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return,
                    Err(_) => continue,
                };
            let data = &self.recv_buf[..len];
            let target = if crate::ice::stun::is_stun(data) {
                local_ufrag_of(data).and_then(|u| server.ufrags.get(u).copied())
            } else {
                server.udp_tuples.get(&(socket, remote)).copied()
            };
            // Unknown senders are dropped.
            if let Some(tkey) = target {
                self.on_webrtc_udp_datagram(tkey, socket, remote, len, age, now_ms, outbox);
            }
        }
    }

    /// Accepts connections on a server's TCP socket; they wait for their
    /// first STUN request to find their transport.
    pub(super) fn server_tcp_accept(
        &mut self,
        skey: WebRtcServerKey,
        server_idx: usize,
        outbox: &mut Outbox,
    ) {
        let now_ms = self.now_ms;
        let Core {
            webrtc_servers,
            sockets,
            registry,
            ..
        } = self;
        let Some(server) = webrtc_servers.get_mut(skey) else {
            return;
        };
        let Some(endpoint) = server.tcp.get(server_idx) else {
            return;
        };
        let accepted = accept_connections(
            endpoint,
            server_idx,
            &mut server.pending_tcp,
            sockets,
            registry,
            now_ms,
            |conn| SocketRole::ServerTcpConn(skey, conn),
        );
        server.tcp[server_idx].accept_blocked = accepted.blocked;
        if accepted.evicted > 0 {
            let text = format!(
                "WebRtcServer {}: too many unauthenticated ICE-TCP connections, closed the {} oldest",
                server.id, accepted.evicted
            );
            self.warn(outbox, text);
        }
    }

    /// A pending server TCP connection is readable: its first frame must
    /// be a STUN request naming a known username fragment; the connection
    /// then moves to that transport, whose ICE authenticates it (or closes
    /// it after a while). Anything else closes it.
    pub(super) fn server_tcp_readable(
        &mut self,
        skey: WebRtcServerKey,
        conn: usize,
        token: usize,
        now_ms: u64,
        outbox: &mut Outbox,
    ) {
        use std::io::Read;
        let mut chunk = [0u8; 2048];
        loop {
            let Some(server) = self.webrtc_servers.get_mut(skey) else {
                return;
            };
            let Some(c) = server.pending_tcp.get_mut(conn) else {
                return;
            };
            let n = match c.stream.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            };
            let mut pos = 0;
            let Some(len) = c
                .decoder
                .next_frame(&chunk[..n], &mut pos, &mut self.recv_buf)
            else {
                // The first frame is still incomplete; a STUN request is
                // small, so a long one is not for us.
                if c.decoder.buffered() > MAX_FIRST_FRAME {
                    break;
                }
                if !self.take_read_budget() {
                    return;
                }
                continue;
            };
            let target = local_ufrag_of(&self.recv_buf[..len])
                .and_then(|ufrag| server.ufrags.get(ufrag).copied());
            let Some(tkey) = target else {
                break;
            };
            let c = server.pending_tcp.remove(conn);
            let remote = c.remote;
            let Some(TransportKind::WebRtc(w)) = self.transports.get_mut(tkey).map(|t| &mut t.kind)
            else {
                self.sockets.try_remove(token);
                return;
            };
            let new_conn = w.tcp_conns.insert(c);
            if let Some(victim) = tcp_connection_to_evict(&w.tcp_conns, remote.ip()) {
                drop_connection(&mut w.tcp_conns, victim, &mut self.sockets, &self.registry);
            }
            if !w.tcp_conns.contains(new_conn) {
                return;
            }
            self.sockets[token] = SocketRole::WebRtcTcpConn(tkey, new_conn);
            self.on_webrtc_datagram(
                tkey,
                TupleId::Tcp { conn: new_conn },
                remote,
                len,
                now_ms,
                outbox,
            );
            self.handle_tcp_input(tkey, new_conn, &chunk[pos..n], now_ms, outbox);
            self.read_tcp(tkey, new_conn, now_ms, outbox);
            return;
        }
        // Closed by the peer, broken, or not for any of our transports.
        self.drop_pending_tcp(skey, conn);
    }

    /// Closes a server connection that has not found its transport.
    fn drop_pending_tcp(&mut self, skey: WebRtcServerKey, conn: usize) {
        if let Some(server) = self.webrtc_servers.get_mut(skey) {
            drop_connection(
                &mut server.pending_tcp,
                conn,
                &mut self.sockets,
                &self.registry,
            );
        }
    }

    /// Closes a server's pending connections that sent nothing useful in
    /// time, and retries accepting where descriptors had run out.
    pub(super) fn webrtc_server_timeout(
        &mut self,
        skey: WebRtcServerKey,
        now_ms: u64,
        outbox: &mut Outbox,
    ) {
        let server = &self.webrtc_servers[skey];
        let expired = expired_tcp_connections(&server.pending_tcp, now_ms);
        let blocked: Vec<usize> = (0..server.tcp.len())
            .filter(|i| server.tcp[*i].accept_blocked)
            .collect();
        for conn in expired {
            self.drop_pending_tcp(skey, conn);
        }
        for idx in blocked {
            self.server_tcp_accept(skey, idx, outbox);
        }
    }
}
