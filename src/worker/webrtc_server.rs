//! WebRtcServers in the worker: creation and close, and demultiplexing
//! their shared sockets to the WebRtcTransports that use them.

use super::channel::Outbox;
use super::core::{string_field, Core, Handler, SocketRole};
use super::webrtc_io::accept_connections;
use super::Key;
use crate::error::{Error, Result};
use crate::transport::listen::recv_from_timestamped;
use crate::transport::webrtc::TupleId;
use crate::transport::webrtc_server::{local_ufrag_of, WebRtcServer};
use crate::transport::TransportKind;
use serde_json::Value;

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

    pub(super) fn webrtc_server_request(&mut self, skey: Key, method: &str) -> Result<Value> {
        match method {
            "webRtcServer.dump" => {
                let transports = &self.transports;
                Ok(self.webrtc_servers[skey]
                    .dump(&|t| transports.get(t).map(|t| t.id.clone()).unwrap_or_default()))
            }
            other => Err(Error::other(format!("unknown method '{other}'"))),
        }
    }

    /// A transport's ICE username fragment appeared or went away.
    pub(super) fn webrtc_server_map_ufrag(&mut self, tkey: Key, ufrag: &str, add: bool) {
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

    /// Drains a server UDP socket, routing each datagram to its transport.
    pub(super) fn server_udp_readable(
        &mut self,
        skey: Key,
        socket: Key,
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
            let server = &mut self.webrtc_servers[skey];
            let target = if crate::ice::stun::is_stun(data) {
                let by_ufrag = local_ufrag_of(data).and_then(|u| server.ufrags.get(&u).copied());
                if let Some(tkey) = by_ufrag {
                    server.udp_tuples.insert((socket, remote), tkey);
                }
                by_ufrag
            } else {
                server.udp_tuples.get(&(socket, remote)).copied()
            };
            match target {
                Some(tkey) => {
                    self.rx_arrival_us = self.arrival_us(age);
                    self.on_webrtc_datagram(
                        tkey,
                        TupleId::Udp { socket, remote },
                        remote,
                        len,
                        now_ms,
                        outbox,
                    );
                    self.rx_arrival_us = None;
                }
                None => {
                    // Unknown sender: dropped (counted on the server).
                }
            }
        }
    }

    /// Accepts connections on a server's TCP socket; they wait for their
    /// first STUN request to find their transport.
    pub(super) fn server_tcp_accept(&mut self, skey: Key, server_idx: Key) {
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
        accept_connections(
            endpoint,
            server_idx,
            &mut server.pending_tcp,
            sockets,
            registry,
            |conn| SocketRole::ServerTcpConn(skey, conn),
        );
    }

    /// A pending server TCP connection is readable: once a whole first
    /// frame is a STUN request for a known fragment, the connection moves
    /// to that transport.
    pub(super) fn server_tcp_readable(
        &mut self,
        skey: Key,
        conn: Key,
        token: usize,
        now_ms: u64,
        outbox: &mut Outbox,
    ) {
        use std::io::Read;
        let Some(server) = self.webrtc_servers.get_mut(skey) else {
            return;
        };
        let Some(c) = server.pending_tcp.get_mut(conn) else {
            return;
        };
        let mut chunk = [0u8; 4096];
        let mut closed = false;
        loop {
            match c.stream.read(&mut chunk) {
                Ok(0) => {
                    closed = true;
                    break;
                }
                Ok(n) => c.inbox.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(_) => {
                    closed = true;
                    break;
                }
            }
        }
        let target = (c.inbox.len() >= 2)
            .then(|| {
                let len = u16::from_be_bytes([c.inbox[0], c.inbox[1]]) as usize;
                (c.inbox.len() >= 2 + len)
                    .then(|| local_ufrag_of(&c.inbox[2..2 + len]))
                    .flatten()
            })
            .flatten()
            .and_then(|ufrag| server.ufrags.get(&ufrag).copied());
        let whole_frame_unknown = target.is_none()
            && c.inbox.len() >= 2
            && c.inbox.len() >= 2 + u16::from_be_bytes([c.inbox[0], c.inbox[1]]) as usize;
        if closed || whole_frame_unknown || c.inbox.len() > 65537 {
            let mut c = server.pending_tcp.remove(conn);
            let _ = self.registry.deregister(&mut c.stream);
            self.sockets.remove(token);
            return;
        }
        let Some(tkey) = target else {
            return;
        };
        let c = server.pending_tcp.remove(conn);
        let Some(TransportKind::WebRtc(w)) = self.transports.get_mut(tkey).map(|t| &mut t.kind)
        else {
            return;
        };
        let new_conn = w.tcp_conns.insert(c);
        self.sockets[token] = SocketRole::WebRtcTcpConn(tkey, new_conn);
        self.read_tcp(tkey, new_conn, now_ms, outbox);
    }
}
