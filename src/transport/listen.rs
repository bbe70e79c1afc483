//! mediasoup's TransportTuple as dumps and events show it. Listen infos
//! are parsed in `net`; sockets are bound by the I/O shell.

pub use crate::net::{ListenInfo, ListenProtocol};
use serde::Serialize;
use std::net::SocketAddr;

/// mediasoup's TransportTuple (`remoteIp` only once the remote is known,
/// `remotePort` 0 until then).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tuple {
    local_ip: String,
    local_address: String,
    local_port: u16,
    protocol: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    remote_ip: Option<String>,
    remote_port: u16,
}

impl Tuple {
    pub fn new(
        local_address: &str,
        local_port: u16,
        remote: Option<SocketAddr>,
        protocol: ListenProtocol,
    ) -> Self {
        Tuple {
            local_ip: local_address.to_owned(),
            local_address: local_address.to_owned(),
            local_port,
            protocol: protocol.as_str(),
            remote_ip: remote.map(|a| a.ip().to_string()),
            remote_port: remote.map_or(0, |a| a.port()),
        }
    }
}
