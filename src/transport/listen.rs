//! mediasoup's TransportTuple as dumps and events show it. Listen infos
//! are parsed in `net`; sockets are bound by the I/O shell.

pub use crate::net::{parse_ip, ListenInfo, ListenProtocol};
use serde_json::{json, Value};
use std::net::SocketAddr;

/// mediasoup's TransportTuple JSON.
pub fn tuple_json(
    local_address: &str,
    local_port: u16,
    remote: Option<SocketAddr>,
    protocol: ListenProtocol,
) -> Value {
    let mut tuple = json!({
        "localIp": local_address,
        "localAddress": local_address,
        "localPort": local_port,
        "protocol": protocol.as_str(),
    });
    match remote {
        Some(addr) => {
            tuple["remoteIp"] = json!(addr.ip().to_string());
            tuple["remotePort"] = json!(addr.port());
        }
        None => tuple["remotePort"] = json!(0),
    }
    tuple
}
