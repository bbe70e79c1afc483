//! WebRtcTransport: ICE-lite over UDP and TCP (RFC 4571 framing, passive
//! candidates), DTLS 1.2 keyed SRTP, media only from validated tuples.
//! Sockets are its own, or shared through a WebRtcServer.

use super::framing::FrameDecoder;
use super::listen::{ListenInfo, ListenProtocol, Tuple};
use crate::certificate::DtlsCertificate;
use crate::dtls::{DtlsRole, DtlsState, DtlsTransport};
use crate::error::{Error, Result};
use crate::ice::candidate::{transport_candidates, IceCandidate, ListenSocket, Protocol};
use crate::ice::{IceServer, IceState};
use crate::ids::WebRtcServerKey;
use crate::net::{SocketBinder, SocketId};
use crate::srtp::{CryptoSuite, SrtpSession};
use crate::transport::connect::RemoteDtls;
use crate::transport::dump::{ConnectReply, DtlsParameters, IceParameters, WebRtcDump};
use std::collections::BTreeMap;
use std::net::SocketAddr;

/// A remote endpoint ICE has seen: a UDP source on one of our sockets, or a
/// TCP connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TupleId {
    Udp {
        socket: SocketId,
        remote: SocketAddr,
    },
    Tcp {
        conn: SocketId,
    },
}

/// A UDP socket the transport owns (or a WebRtcServer shares).
pub struct UdpEndpoint {
    pub socket: SocketId,
    pub listen: ListenInfo,
    pub local_port: u16,
}

/// A TCP listening socket.
pub struct TcpEndpoint {
    pub listener: SocketId,
    pub listen: ListenInfo,
    pub local_port: u16,
}

/// An accepted TCP connection carrying RFC 4571 framed packets (the shell
/// owns the stream and its send backlog; this is what ICE needs of it).
pub struct TcpConnection {
    /// The listening socket it was accepted on.
    pub listener: SocketId,
    pub remote: SocketAddr,
    /// Frames being received (holds at most one incomplete frame).
    pub decoder: FrameDecoder,
    /// Worker time it was accepted: one that has not authenticated (ICE)
    /// within [`TCP_AUTH_TIMEOUT_MS`] is closed.
    pub accepted_ms: u64,
    /// ICE validated this connection's tuple once.
    pub authenticated: bool,
}

/// Connections by their socket, in a stable order (deterministic runs).
pub type TcpConnections = BTreeMap<SocketId, TcpConnection>;

/// How long an accepted connection may stay unauthenticated.
pub const TCP_AUTH_TIMEOUT_MS: u64 = 5_000;

/// Unauthenticated connections one listening scope (a WebRtcServer, or one
/// transport) keeps at most, in all and from one IP address. Beyond that
/// the oldest gives way to the newest: a peer that connects and checks
/// right away gets in, an idle flood only churns.
pub const MAX_UNAUTHENTICATED_TCP: usize = 256;
pub const MAX_UNAUTHENTICATED_TCP_PER_IP: usize = 32;

/// The connection to close so that the unauthenticated connections of
/// `conns` stay within the limits now that one from `ip` arrived: the
/// oldest from that IP when it is over its share, else the oldest of all.
pub fn tcp_connection_to_evict(conns: &TcpConnections, ip: std::net::IpAddr) -> Option<SocketId> {
    let mut total = 0;
    let mut same_ip = 0;
    let mut oldest: Option<(u64, SocketId)> = None;
    let mut oldest_same_ip: Option<(u64, SocketId)> = None;
    for (key, c) in conns.iter().filter(|(_, c)| !c.authenticated) {
        total += 1;
        let age = (c.accepted_ms, *key);
        if oldest.is_none_or(|o| age < o) {
            oldest = Some(age);
        }
        if c.remote.ip() == ip {
            same_ip += 1;
            if oldest_same_ip.is_none_or(|o| age < o) {
                oldest_same_ip = Some(age);
            }
        }
    }
    if same_ip > MAX_UNAUTHENTICATED_TCP_PER_IP {
        oldest_same_ip.map(|(_, k)| k)
    } else if total > MAX_UNAUTHENTICATED_TCP {
        oldest.map(|(_, k)| k)
    } else {
        None
    }
}

/// Unauthenticated connections of `conns` older than the timeout.
pub fn expired_tcp_connections(conns: &TcpConnections, now_ms: u64) -> Vec<SocketId> {
    conns
        .iter()
        .filter(|(_, c)| !c.authenticated && now_ms >= c.accepted_ms + TCP_AUTH_TIMEOUT_MS)
        .map(|(k, _)| *k)
        .collect()
}

/// When the oldest unauthenticated connection of `conns` expires.
pub fn tcp_expiry_deadline(conns: &TcpConnections) -> Option<u64> {
    conns
        .values()
        .filter(|c| !c.authenticated)
        .map(|c| c.accepted_ms + TCP_AUTH_TIMEOUT_MS)
        .min()
}

impl TcpConnection {
    pub fn new(listener: SocketId, remote: SocketAddr, now_ms: u64) -> Self {
        TcpConnection {
            listener,
            remote,
            decoder: FrameDecoder::new(),
            accepted_ms: now_ms,
            authenticated: false,
        }
    }
}

pub struct WebRtcTransport {
    /// Own sockets (empty when a WebRtcServer is used).
    pub udp: Vec<UdpEndpoint>,
    pub tcp_servers: Vec<TcpEndpoint>,
    pub tcp_conns: TcpConnections,
    /// Set when sockets belong to a WebRtcServer.
    pub webrtc_server: Option<WebRtcServerKey>,
    pub candidates: Vec<IceCandidate>,
    pub ice: IceServer<TupleId>,
    pub dtls: DtlsTransport,
    pub dtls_state: DtlsState,
    pub dtls_role: Option<DtlsRole>,
    pub dtls_remote_cert: Option<String>,
    remote_fingerprint: Option<(String, String)>,
    pub connect_called: bool,
    pub srtp_send: Option<SrtpSession>,
    pub srtp_recv: Option<SrtpSession>,
    pub fingerprints: Vec<crate::certificate::Fingerprint>,
    /// Transport-cc feedback for the media received (browsers' GoogCC).
    pub tcc: super::tcc::TccFeedback,
}

fn listen_socket<'a>(
    protocol: Protocol,
    listen: &'a ListenInfo,
    ip: &'a str,
    port: u16,
) -> ListenSocket<'a> {
    ListenSocket {
        protocol,
        ip,
        port,
        announced_address: listen.announced_address.as_deref(),
        expose_internal_ip: listen.expose_internal_ip,
    }
}

impl WebRtcTransport {
    /// A transport with its own sockets, one per listen info (none stays
    /// open if it cannot be made).
    pub fn with_listen_infos(
        infos: &[ListenInfo],
        ice_consent_timeout: u8,
        worker_ports: (u16, u16),
        certificate: &DtlsCertificate,
        binder: &mut dyn SocketBinder,
    ) -> Result<Self> {
        let mut bound = Vec::new();
        let result = Self::bind_listen_infos(
            infos,
            ice_consent_timeout,
            worker_ports,
            certificate,
            binder,
            &mut bound,
        );
        if result.is_err() {
            for id in bound {
                binder.close(id);
            }
        }
        result
    }

    fn bind_listen_infos(
        infos: &[ListenInfo],
        ice_consent_timeout: u8,
        worker_ports: (u16, u16),
        certificate: &DtlsCertificate,
        binder: &mut dyn SocketBinder,
        bound_ids: &mut Vec<SocketId>,
    ) -> Result<Self> {
        let mut udp = Vec::new();
        let mut tcp_servers = Vec::new();
        let mut order = Vec::new();
        for info in infos.iter().cloned() {
            match info.protocol {
                ListenProtocol::Udp => {
                    let bound = binder.bind_udp(&info, worker_ports, true)?;
                    bound_ids.push(bound.id);
                    udp.push(UdpEndpoint {
                        socket: bound.id,
                        listen: info,
                        local_port: bound.local_port,
                    });
                    order.push((Protocol::Udp, udp.len() - 1));
                }
                ListenProtocol::Tcp => {
                    let bound = binder.bind_tcp(&info, worker_ports)?;
                    bound_ids.push(bound.id);
                    tcp_servers.push(TcpEndpoint {
                        listener: bound.id,
                        listen: info,
                        local_port: bound.local_port,
                    });
                    order.push((Protocol::Tcp, tcp_servers.len() - 1));
                }
            }
        }
        let ips: Vec<String> = order
            .iter()
            .map(|(p, i)| match p {
                Protocol::Udp => udp[*i].listen.ip.to_string(),
                Protocol::Tcp => tcp_servers[*i].listen.ip.to_string(),
            })
            .collect();
        let sockets: Vec<ListenSocket> = order
            .iter()
            .zip(&ips)
            .map(|((p, i), ip)| match p {
                Protocol::Udp => listen_socket(*p, &udp[*i].listen, ip, udp[*i].local_port),
                Protocol::Tcp => {
                    listen_socket(*p, &tcp_servers[*i].listen, ip, tcp_servers[*i].local_port)
                }
            })
            .collect();
        let candidates = transport_candidates(&sockets);
        let mut transport = Self::new_common(ice_consent_timeout, certificate, candidates)?;
        transport.udp = udp;
        transport.tcp_servers = tcp_servers;
        Ok(transport)
    }

    /// A transport whose sockets belong to a WebRtcServer.
    pub fn with_server(
        ice_consent_timeout: u8,
        server: WebRtcServerKey,
        candidates: Vec<IceCandidate>,
        certificate: &DtlsCertificate,
    ) -> Result<Self> {
        let mut transport = Self::new_common(ice_consent_timeout, certificate, candidates)?;
        transport.webrtc_server = Some(server);
        Ok(transport)
    }

    fn new_common(
        consent: u8,
        certificate: &DtlsCertificate,
        candidates: Vec<IceCandidate>,
    ) -> Result<Self> {
        if candidates.is_empty() {
            return Err(Error::type_error("empty iceCandidates"));
        }
        let (ufrag, pwd) = IceServer::<TupleId>::generate_credentials();
        let dtls = DtlsTransport::new(&certificate.certificate_pem, &certificate.private_key_pem)
            .map_err(|e| Error::other(e.to_string()))?;
        Ok(WebRtcTransport {
            udp: Vec::new(),
            tcp_servers: Vec::new(),
            tcp_conns: TcpConnections::new(),
            webrtc_server: None,
            candidates,
            ice: IceServer::new(ufrag, pwd, consent),
            dtls,
            dtls_state: DtlsState::New,
            dtls_role: None,
            dtls_remote_cert: None,
            remote_fingerprint: None,
            connect_called: false,
            srtp_send: None,
            srtp_recv: None,
            fingerprints: certificate.fingerprints.clone(),
            tcc: super::tcc::TccFeedback::new(),
        })
    }

    pub fn ice_parameters_dump(&self) -> IceParameters<'_> {
        IceParameters {
            username_fragment: self.ice.username_fragment(),
            password: self.ice.password(),
            ice_lite: true,
        }
    }

    fn dtls_parameters_dump(&self) -> DtlsParameters<'_> {
        DtlsParameters {
            fingerprints: &self.fingerprints,
            role: self.dtls_role.map(|r| r.as_str()).unwrap_or("auto"),
        }
    }

    pub fn ice_state_str(&self) -> &'static str {
        self.ice.state().as_str()
    }

    /// A tuple as mediasoup shows it (local side from our socket or
    /// connection); `None` for a TCP connection that is gone.
    pub fn tuple(
        &self,
        tuple: TupleId,
        server_udp: &dyn Fn(SocketId) -> Option<(String, u16)>,
        server_tcp: &dyn Fn(SocketId) -> Option<(String, u16)>,
    ) -> Option<Tuple> {
        match tuple {
            TupleId::Udp { socket, remote } => {
                let local = if self.webrtc_server.is_some() {
                    server_udp(socket)
                } else {
                    self.udp
                        .iter()
                        .find(|u| u.socket == socket)
                        .map(|u| (u.listen.local_address(), u.local_port))
                };
                let (addr, port) = local.unwrap_or_default();
                Some(Tuple::new(&addr, port, Some(remote), ListenProtocol::Udp))
            }
            TupleId::Tcp { conn } => {
                let c = self.tcp_conns.get(&conn)?;
                let local = if self.webrtc_server.is_some() {
                    server_tcp(c.listener)
                } else {
                    self.tcp_servers
                        .iter()
                        .find(|t| t.listener == c.listener)
                        .map(|t| (t.listen.local_address(), t.local_port))
                };
                let (addr, port) = local.unwrap_or_default();
                Some(Tuple::new(&addr, port, Some(c.remote), ListenProtocol::Tcp))
            }
        }
    }

    /// `connect({ dtlsParameters })`: returns the local DTLS role.
    pub fn connect(&mut self, dtls: Result<RemoteDtls>) -> Result<ConnectReply> {
        if self.connect_called {
            return Err(Error::other("connect() already called"));
        }
        let dtls = dtls?;
        self.connect_called = true;
        self.dtls_role = Some(dtls.local_role);
        self.remote_fingerprint = Some((dtls.algorithm, dtls.fingerprint));
        Ok(ConnectReply {
            dtls_local_role: dtls.local_role.as_str(),
        })
    }

    /// DTLS starts once ICE is up and connect() gave the remote fingerprint.
    pub fn may_start_dtls(&mut self, now_ms: u64) -> bool {
        let ice_up = matches!(self.ice.state(), IceState::Connected | IceState::Completed);
        if !ice_up || self.dtls_state != DtlsState::New {
            return false;
        }
        let (Some(role), Some(fingerprint)) = (self.dtls_role, self.remote_fingerprint.clone())
        else {
            return false;
        };
        self.dtls.start(role, fingerprint, now_ms);
        true
    }

    /// Keys SRTP from the DTLS-SRTP export.
    pub fn set_srtp_keys(&mut self, keys: &crate::dtls::SrtpKeys) -> bool {
        let Some(suite) = CryptoSuite::from_name(keys.profile) else {
            return false;
        };
        match (
            SrtpSession::new(suite, &keys.local_key_and_salt),
            SrtpSession::new(suite, &keys.remote_key_and_salt),
        ) {
            (Ok(send), Ok(recv)) => {
                self.srtp_send = Some(send);
                self.srtp_recv = Some(recv);
                true
            }
            _ => false,
        }
    }

    /// Its own dump fields (mediasoup's WebRtcTransportDump).
    pub fn dump(&self, ice_selected_tuple: Option<Tuple>) -> WebRtcDump<'_> {
        WebRtcDump {
            ice_role: "controlled",
            ice_parameters: self.ice_parameters_dump(),
            ice_candidates: &self.candidates,
            ice_state: self.ice_state_str(),
            ice_selected_tuple,
            dtls_parameters: self.dtls_parameters_dump(),
            dtls_state: self.dtls_state.as_str(),
        }
    }

    /// Restarts ICE with new credentials (`restartIce()`).
    pub fn restart_ice(
        &mut self,
        now_ms: u64,
        events: &mut impl FnMut(crate::ice::IceEvent<TupleId>),
    ) -> IceParameters<'_> {
        let (ufrag, pwd) = IceServer::<TupleId>::generate_credentials();
        self.ice.restart(ufrag, pwd, now_ms, events);
        self.ice_parameters_dump()
    }

    pub fn is_srtp_ready(&self) -> bool {
        self.srtp_recv.is_some()
    }

    /// Every socket the transport owns (its own UDP sockets and listeners,
    /// and its TCP connections, also those accepted through a server).
    pub fn own_sockets(&self) -> Vec<SocketId> {
        let mut ids: Vec<SocketId> = self.tcp_conns.keys().copied().collect();
        if self.webrtc_server.is_none() {
            ids.extend(self.udp.iter().map(|u| u.socket));
            ids.extend(self.tcp_servers.iter().map(|t| t.listener));
        }
        ids
    }
}
