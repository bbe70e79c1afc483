//! WebRtcServers in the worker: creation and close, and demultiplexing
//! their shared sockets to the WebRtcTransports that use them.

use super::core::{Core, Handler, SocketRole};
use crate::channel::Outbox;
use crate::channel::Reply;
use crate::error::{Error, Result};
use crate::ids::{TransportKey, WebRtcServerKey};
use crate::net::{SocketBinder, SocketId};
use crate::request::WebRtcServerRequest;
use crate::transport::webrtc::{
    expired_tcp_connections, tcp_connection_to_evict, TcpConnection, TupleId,
};
use crate::transport::webrtc_server::{local_ufrag_of, WebRtcServer, WebRtcServerOptions};
use crate::transport::TransportKind;
use std::net::SocketAddr;

/// A pending ICE-TCP connection's first frame (a STUN Binding request,
/// length prefix included) is never longer than this.
const MAX_FIRST_FRAME: usize = 2048;

impl Core {
    pub fn create_webrtc_server(
        &mut self,
        options: WebRtcServerOptions,
        binder: &mut dyn SocketBinder,
    ) -> Result<()> {
        let id = options.web_rtc_server_id.clone();
        if self.handlers.contains_key(&id) {
            return Err(Error::other(format!(
                "a handler with ID '{id}' already exists"
            )));
        }
        let server = WebRtcServer::new(options, self.rtc_ports, binder)?;
        let skey = self.webrtc_servers.insert(server);
        let server = &self.webrtc_servers[skey];
        for u in &server.udp {
            self.sockets.insert(u.socket, SocketRole::ServerUdp(skey));
        }
        for t in &server.tcp {
            self.sockets
                .insert(t.listener, SocketRole::ServerTcpListener(skey));
        }
        self.handlers.insert(id, Handler::WebRtcServer(skey));
        Ok(())
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
        let server = self.webrtc_servers.remove(skey);
        self.close_sockets(server.own_sockets());
        self.handlers.shift_remove(id);
        Ok(())
    }

    pub(super) fn webrtc_server_request(
        &mut self,
        skey: WebRtcServerKey,
        request: WebRtcServerRequest,
    ) -> Reply {
        match request {
            WebRtcServerRequest::Dump => {
                let transports = &self.transports;
                let dump = self.webrtc_servers[skey]
                    .dump(&|t| transports.get(t).map_or("", |t| t.id.as_str()));
                Reply::typed(&dump)
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

    /// A datagram on a server UDP socket, routed to its transport: STUN by
    /// the username fragment it names (the transport's ICE decides whether
    /// it is authentic), everything else by the tuple map, which only ever
    /// holds tuples ICE authenticated. Unknown senders cost nothing.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn on_server_datagram(
        &mut self,
        skey: WebRtcServerKey,
        socket: SocketId,
        remote: SocketAddr,
        len: usize,
        arrival_us: u64,
        now_ms: u64,
        outbox: &mut Outbox,
    ) {
        let Some(server) = self.webrtc_servers.get(skey) else {
            return;
        };
        let data = &self.recv_buf[..len];
        let target = if crate::ice::stun::is_stun(data) {
            local_ufrag_of(data).and_then(|u| server.ufrags.get(u).copied())
        } else {
            server.udp_tuples.get(&(socket, remote)).copied()
        };
        match target {
            Some(tkey) => {
                let tuple = TupleId::Udp { socket, remote };
                self.on_webrtc_datagram(tkey, tuple, remote, len, arrival_us, now_ms, outbox);
            }
            // A ufrag no transport has, or a tuple ICE did not authenticate.
            None => self.metrics.drops.unauthenticated += 1,
        }
    }

    /// The shell accepted `conn` on a server listener: it waits for its
    /// first STUN request to find its transport.
    pub(super) fn on_server_tcp_accepted(
        &mut self,
        skey: WebRtcServerKey,
        listener: SocketId,
        conn: SocketId,
        remote: SocketAddr,
        now_ms: u64,
        outbox: &mut Outbox,
    ) {
        let Some(server) = self.webrtc_servers.get_mut(skey) else {
            return self.close_sockets(vec![conn]);
        };
        server
            .pending_tcp
            .insert(conn, TcpConnection::new(listener, remote, now_ms));
        self.sockets.insert(conn, SocketRole::ServerTcpConn(skey));
        let scope = format!("WebRtcServer {}", self.webrtc_servers[skey].id);
        self.evict_while_over_limits(
            &scope,
            |core| {
                let server = core.webrtc_servers.get(skey)?;
                tcp_connection_to_evict(&server.pending_tcp, remote.ip())
            },
            |core, victim| core.drop_pending_tcp(skey, victim),
            outbox,
        );
    }

    /// Bytes on a pending server connection: its first frame must be a
    /// STUN request naming a known username fragment; the connection then
    /// moves to that transport, whose ICE authenticates it (or closes it
    /// after a while). Anything else closes it.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn on_server_tcp_data(
        &mut self,
        skey: WebRtcServerKey,
        conn: SocketId,
        input: &[u8],
        arrival_us: u64,
        now_ms: u64,
        outbox: &mut Outbox,
    ) {
        let Some(server) = self.webrtc_servers.get_mut(skey) else {
            return;
        };
        let Some(c) = server.pending_tcp.get_mut(&conn) else {
            return;
        };
        let mut pos = 0;
        let Some(len) = c.decoder.next_frame(input, &mut pos, &mut self.recv_buf) else {
            // The first frame is still incomplete; a STUN request is
            // small, so a long one is not for us.
            if c.decoder.buffered() > MAX_FIRST_FRAME {
                self.drop_pending_tcp(skey, conn);
            }
            return;
        };
        let target = local_ufrag_of(&self.recv_buf[..len])
            .and_then(|ufrag| server.ufrags.get(ufrag).copied());
        let Some(tkey) = target else {
            return self.drop_pending_tcp(skey, conn);
        };
        let Some(c) = server.pending_tcp.remove(&conn) else {
            return;
        };
        let remote = c.remote;
        let Some(TransportKind::WebRtc(w)) = self.transports.get_mut(tkey).map(|t| &mut t.kind)
        else {
            return self.close_sockets(vec![conn]);
        };
        w.tcp_conns.insert(conn, c);
        self.sockets.insert(conn, SocketRole::WebRtcTcpConn(tkey));
        self.evict_unauthenticated_tcp(tkey, remote, outbox);
        if self.sockets.get(conn).is_none() {
            return;
        }
        let tuple = TupleId::Tcp { conn };
        self.on_webrtc_datagram(tkey, tuple, remote, len, arrival_us, now_ms, outbox);
        self.handle_tcp_input(tkey, conn, &input[pos..], arrival_us, now_ms, outbox);
    }

    /// Closes a server connection that has not found its transport.
    pub(super) fn drop_pending_tcp(&mut self, skey: WebRtcServerKey, conn: SocketId) {
        let removed = self
            .webrtc_servers
            .get_mut(skey)
            .and_then(|server| server.pending_tcp.remove(&conn));
        if removed.is_some() {
            self.close_sockets(vec![conn]);
        }
    }

    /// Closes a server's pending connections that sent nothing useful in
    /// time.
    pub(super) fn webrtc_server_timeout(&mut self, skey: WebRtcServerKey, now_ms: u64) {
        let expired = expired_tcp_connections(&self.webrtc_servers[skey].pending_tcp, now_ms);
        for conn in expired {
            self.drop_pending_tcp(skey, conn);
        }
    }
}
