//! WebRtcServer: UDP sockets and TCP servers shared by many
//! WebRtcTransports. Packets are demultiplexed by the ICE username fragment
//! of STUN requests (`<localUfrag>:<remoteUfrag>`), then by the tuple the
//! fragment was first seen on.

use super::listen::{ListenInfo, ListenProtocol};
use super::webrtc::{TcpConnections, TcpEndpoint, UdpEndpoint};
use crate::error::Result;
use crate::ice::candidate::{
    server_candidates, IceCandidate, ListenSocket, Protocol, ProtocolPrefs,
};
use crate::ids::TransportKey;
use crate::net::{SocketBinder, SocketId};
use serde::Serialize;
use std::collections::HashMap;
use std::net::SocketAddr;

/// `worker.createWebRtcServer()`, parsed at the boundary (`request`).
#[derive(Debug, Clone, PartialEq)]
pub struct WebRtcServerOptions {
    pub web_rtc_server_id: String,
    pub listen_infos: Vec<ListenInfo>,
}

pub struct WebRtcServer {
    pub id: String,
    pub udp: Vec<UdpEndpoint>,
    pub tcp: Vec<TcpEndpoint>,
    /// Listen infos in the order given (candidate priorities follow it).
    order: Vec<(Protocol, usize)>,
    /// Accepted TCP connections whose transport is not known yet.
    pub pending_tcp: TcpConnections,
    /// Local ICE username fragment -> transport.
    pub ufrags: HashMap<String, TransportKey>,
    /// (UDP socket, remote) -> transport, learnt from STUN.
    pub udp_tuples: HashMap<(SocketId, SocketAddr), TransportKey>,
    pub transports: Vec<TransportKey>,
}

impl WebRtcServer {
    /// A server with a socket per listen info (none stays open if one
    /// cannot be bound).
    pub fn new(
        options: WebRtcServerOptions,
        worker_ports: (u16, u16),
        binder: &mut dyn SocketBinder,
    ) -> Result<Self> {
        let mut server = WebRtcServer {
            id: options.web_rtc_server_id,
            udp: Vec::new(),
            tcp: Vec::new(),
            order: Vec::new(),
            pending_tcp: TcpConnections::new(),
            ufrags: HashMap::new(),
            udp_tuples: HashMap::new(),
            transports: Vec::new(),
        };
        for info in options.listen_infos {
            let bound = match info.protocol {
                ListenProtocol::Udp => binder.bind_udp(&info, worker_ports, true),
                ListenProtocol::Tcp => binder.bind_tcp(&info, worker_ports),
            };
            let bound = match bound {
                Ok(bound) => bound,
                Err(e) => {
                    for id in server.own_sockets() {
                        binder.close(id);
                    }
                    return Err(e);
                }
            };
            match info.protocol {
                ListenProtocol::Udp => {
                    server.udp.push(UdpEndpoint {
                        socket: bound.id,
                        listen: info,
                        local_port: bound.local_port,
                    });
                    server.order.push((Protocol::Udp, server.udp.len() - 1));
                }
                ListenProtocol::Tcp => {
                    server.tcp.push(TcpEndpoint {
                        listener: bound.id,
                        listen: info,
                        local_port: bound.local_port,
                    });
                    server.order.push((Protocol::Tcp, server.tcp.len() - 1));
                }
            }
        }
        Ok(server)
    }

    /// Its sockets: UDP, listeners, and connections still looking for
    /// their transport.
    pub fn own_sockets(&self) -> Vec<SocketId> {
        self.udp
            .iter()
            .map(|u| u.socket)
            .chain(self.tcp.iter().map(|t| t.listener))
            .chain(self.pending_tcp.keys().copied())
            .collect()
    }

    /// Local address and port of one of its UDP sockets.
    pub fn udp_local(&self, socket: SocketId) -> Option<(String, u16)> {
        self.udp
            .iter()
            .find(|u| u.socket == socket)
            .map(|u| (u.listen.local_address(), u.local_port))
    }

    /// Local address and port of one of its TCP listeners.
    pub fn tcp_local(&self, listener: SocketId) -> Option<(String, u16)> {
        self.tcp
            .iter()
            .find(|t| t.listener == listener)
            .map(|t| (t.listen.local_address(), t.local_port))
    }

    /// Candidates for a transport using this server with its preferences.
    pub fn candidates(&self, prefs: ProtocolPrefs) -> Vec<IceCandidate> {
        let ips: Vec<String> = self
            .order
            .iter()
            .map(|(p, i)| match p {
                Protocol::Udp => self.udp[*i].listen.ip.to_string(),
                Protocol::Tcp => self.tcp[*i].listen.ip.to_string(),
            })
            .collect();
        let sockets: Vec<ListenSocket> = self
            .order
            .iter()
            .zip(&ips)
            .map(|((p, i), ip)| {
                let (listen, port) = match p {
                    Protocol::Udp => (&self.udp[*i].listen, self.udp[*i].local_port),
                    Protocol::Tcp => (&self.tcp[*i].listen, self.tcp[*i].local_port),
                };
                ListenSocket {
                    protocol: *p,
                    ip,
                    port,
                    announced_address: listen.announced_address.as_deref(),
                    expose_internal_ip: listen.expose_internal_ip,
                }
            })
            .collect();
        server_candidates(&sockets, prefs)
    }

    /// Forgets everything about a transport.
    pub fn remove_transport(&mut self, transport: TransportKey) {
        self.transports.retain(|t| *t != transport);
        self.ufrags.retain(|_, t| *t != transport);
        self.udp_tuples.retain(|_, t| *t != transport);
    }

    /// mediasoup's WebRtcServerDump; `transport_ids` names the transports.
    pub fn dump<'a>(
        &'a self,
        transport_ids: &dyn Fn(TransportKey) -> &'a str,
    ) -> WebRtcServerDump<'a> {
        let socket = |ip: std::net::IpAddr, port: u16| ListenSocketDump {
            ip: ip.to_string(),
            port,
        };
        WebRtcServerDump {
            id: &self.id,
            udp_sockets: self
                .udp
                .iter()
                .map(|u| socket(u.listen.ip, u.local_port))
                .collect(),
            tcp_servers: self
                .tcp
                .iter()
                .map(|t| socket(t.listen.ip, t.local_port))
                .collect(),
            web_rtc_transport_ids: self.transports.iter().map(|t| transport_ids(*t)).collect(),
            local_ice_username_fragments: self
                .ufrags
                .iter()
                .map(|(ufrag, t)| UfragDump {
                    local_ice_username_fragment: ufrag,
                    web_rtc_transport_id: transport_ids(*t),
                })
                .collect(),
            tuple_hashes: self
                .udp_tuples
                .iter()
                .map(|((socket, remote), t)| TupleHashDump {
                    tuple_hash: tuple_hash(*socket, remote),
                    web_rtc_transport_id: transport_ids(*t),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebRtcServerDump<'a> {
    pub id: &'a str,
    pub udp_sockets: Vec<ListenSocketDump>,
    pub tcp_servers: Vec<ListenSocketDump>,
    pub web_rtc_transport_ids: Vec<&'a str>,
    pub local_ice_username_fragments: Vec<UfragDump<'a>>,
    pub tuple_hashes: Vec<TupleHashDump<'a>>,
}

#[derive(Debug, Serialize)]
pub struct ListenSocketDump {
    pub ip: String,
    pub port: u16,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UfragDump<'a> {
    pub local_ice_username_fragment: &'a str,
    pub web_rtc_transport_id: &'a str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TupleHashDump<'a> {
    pub tuple_hash: u64,
    pub web_rtc_transport_id: &'a str,
}

/// A number naming a (socket, remote) tuple in dumps, below 2^53 so that
/// JS reads it exactly.
fn tuple_hash(socket: SocketId, remote: &SocketAddr) -> u64 {
    let ip = match remote.ip() {
        std::net::IpAddr::V4(ip) => u32::from(ip) as u64,
        std::net::IpAddr::V6(ip) => {
            let bits = u128::from(ip);
            ((bits >> 64) as u64 ^ bits as u64) & 0xffff_ffff
        }
    };
    ((socket.0 as u64 & 0x1f) << 48) | (ip << 16) | remote.port() as u64
}

/// The local username fragment of a STUN request (`local:remote`).
pub fn local_ufrag_of(stun: &[u8]) -> Option<&str> {
    let message = crate::ice::stun::StunMessage::parse(stun).ok()?;
    let username = message.username()?;
    let local = username.split(|b| *b == b':').next()?;
    std::str::from_utf8(local).ok()
}
