//! `TransportListenInfo` (parsed at the boundary, `request`).
//! Binding is the I/O shell's (see `SocketBinder`).

use std::net::IpAddr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListenProtocol {
    Udp,
    Tcp,
}

impl ListenProtocol {
    pub fn as_str(self) -> &'static str {
        match self {
            ListenProtocol::Udp => "udp",
            ListenProtocol::Tcp => "tcp",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ListenInfo {
    pub protocol: ListenProtocol,
    pub ip: IpAddr,
    pub announced_address: Option<String>,
    pub expose_internal_ip: bool,
    /// 0 = pick one from `port_range` or the worker's range.
    pub port: u16,
    pub port_range: Option<(u16, u16)>,
    pub ipv6_only: bool,
    pub udp_reuse_port: bool,
    pub send_buffer_size: Option<usize>,
    pub recv_buffer_size: Option<usize>,
}

impl ListenInfo {
    /// A listen info with mediasoup's defaults (any port of the worker's
    /// range, no announced address, no flags).
    pub fn new(protocol: ListenProtocol, ip: IpAddr) -> Self {
        ListenInfo {
            protocol,
            ip,
            announced_address: None,
            expose_internal_ip: false,
            port: 0,
            port_range: None,
            ipv6_only: false,
            udp_reuse_port: false,
            send_buffer_size: None,
            recv_buffer_size: None,
        }
    }

    /// What the tuple reports as local address: the announced one if any.
    pub fn local_address(&self) -> String {
        self.announced_address
            .clone()
            .unwrap_or_else(|| self.ip.to_string())
    }
}
