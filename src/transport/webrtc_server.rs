//! WebRtcServer: UDP sockets and TCP servers shared by many
//! WebRtcTransports. Packets are demultiplexed by the ICE username fragment
//! of STUN requests (`<localUfrag>:<remoteUfrag>`), then by the tuple the
//! fragment was first seen on.

use super::listen::{bind_tcp, bind_udp, enable_rx_timestamps, ListenInfo, ListenProtocol};
use super::webrtc::{TcpConnection, TcpEndpoint, UdpEndpoint};
use crate::error::{Error, Result};
use crate::ice::candidate::{
    server_candidates, IceCandidate, ListenSocket, Protocol, ProtocolPrefs,
};
use crate::ids::TransportKey;
use serde_json::{json, Value};
use slab::Slab;
use std::collections::HashMap;
use std::net::SocketAddr;

pub struct WebRtcServer {
    pub id: String,
    pub udp: Vec<UdpEndpoint>,
    pub tcp: Vec<TcpEndpoint>,
    /// Listen infos in the order given (candidate priorities follow it).
    order: Vec<(Protocol, usize)>,
    /// Accepted TCP connections whose transport is not known yet.
    pub pending_tcp: Slab<TcpConnection>,
    /// Local ICE username fragment -> transport.
    pub ufrags: HashMap<String, TransportKey>,
    /// (UDP socket index, remote) -> transport, learnt from STUN.
    pub udp_tuples: HashMap<(usize, SocketAddr), TransportKey>,
    pub transports: Vec<TransportKey>,
}

impl WebRtcServer {
    pub fn new(id: String, options: &Value, worker_ports: (u16, u16)) -> Result<Self> {
        let infos = options
            .get("listenInfos")
            .and_then(Value::as_array)
            .ok_or_else(|| Error::type_error("missing listenInfos"))?;
        if infos.is_empty() {
            return Err(Error::type_error("empty listenInfos"));
        }
        let mut server = WebRtcServer {
            id,
            udp: Vec::new(),
            tcp: Vec::new(),
            order: Vec::new(),
            pending_tcp: Slab::new(),
            ufrags: HashMap::new(),
            udp_tuples: HashMap::new(),
            transports: Vec::new(),
        };
        for info in infos {
            let info = ListenInfo::from_json(info)?;
            match info.protocol {
                ListenProtocol::Udp => {
                    let s = bind_udp(&info, worker_ports)?;
                    enable_rx_timestamps(&s);
                    let port = s.local_addr().map(|a| a.port()).unwrap_or(0);
                    server.udp.push(UdpEndpoint {
                        socket: mio::net::UdpSocket::from_std(s),
                        listen: info,
                        local_port: port,
                    });
                    server.order.push((Protocol::Udp, server.udp.len() - 1));
                }
                ListenProtocol::Tcp => {
                    server
                        .tcp
                        .push(TcpEndpoint::new(bind_tcp(&info, worker_ports)?, info));
                    server.order.push((Protocol::Tcp, server.tcp.len() - 1));
                }
            }
        }
        Ok(server)
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

    /// Duplicates of the UDP sockets, so a transport can send on them.
    pub fn udp_senders(&self) -> Result<Vec<UdpEndpoint>> {
        self.udp
            .iter()
            .map(|u| {
                let socket = socket2::SockRef::from(&u.socket)
                    .try_clone()
                    .map_err(|e| Error::other(format!("cannot share socket: {e}")))?;
                Ok(UdpEndpoint {
                    socket: mio::net::UdpSocket::from_std(socket.into()),
                    listen: u.listen.clone(),
                    local_port: u.local_port,
                })
            })
            .collect()
    }

    /// Forgets everything about a transport.
    pub fn remove_transport(&mut self, transport: TransportKey) {
        self.transports.retain(|t| *t != transport);
        self.ufrags.retain(|_, t| *t != transport);
        self.udp_tuples.retain(|_, t| *t != transport);
    }

    pub fn dump(&self, transport_ids: &dyn Fn(TransportKey) -> String) -> Value {
        json!({
            "id": self.id,
            "udpSockets": self.udp.iter().map(|u| json!({"ip": u.listen.ip.to_string(), "port": u.local_port})).collect::<Vec<_>>(),
            "tcpServers": self.tcp.iter().map(|t| json!({"ip": t.listen.ip.to_string(), "port": t.local_port})).collect::<Vec<_>>(),
            "webRtcTransportIds": self.transports.iter().map(|t| transport_ids(*t)).collect::<Vec<_>>(),
            "localIceUsernameFragments": self
                .ufrags
                .iter()
                .map(|(ufrag, t)| json!({"localIceUsernameFragment": ufrag, "webRtcTransportId": transport_ids(*t)}))
                .collect::<Vec<_>>(),
            "tupleHashes": self
                .udp_tuples
                .iter()
                .map(|((socket, remote), t)| json!({"tupleHash": tuple_hash(*socket, remote), "webRtcTransportId": transport_ids(*t)}))
                .collect::<Vec<_>>(),
        })
    }
}

/// A number naming a (socket, remote) tuple in dumps, below 2^53 so that
/// JS reads it exactly.
fn tuple_hash(socket: usize, remote: &SocketAddr) -> u64 {
    let ip = match remote.ip() {
        std::net::IpAddr::V4(ip) => u32::from(ip) as u64,
        std::net::IpAddr::V6(ip) => {
            let bits = u128::from(ip);
            ((bits >> 64) as u64 ^ bits as u64) & 0xffff_ffff
        }
    };
    ((socket as u64 & 0x1f) << 48) | (ip << 16) | remote.port() as u64
}

/// The local username fragment of a STUN request (`local:remote`).
pub fn local_ufrag_of(stun: &[u8]) -> Option<&str> {
    let message = crate::ice::stun::StunMessage::parse(stun).ok()?;
    let username = message.username()?;
    let local = username.split(|b| *b == b':').next()?;
    std::str::from_utf8(local).ok()
}
