//! `TransportListenInfo`: parsing and validation (mediasoup's error
//! classes). Binding is the I/O shell's (see `SocketBinder`).

use crate::error::{Error, Result};
use serde_json::Value;
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

fn opt_u16(value: Option<&Value>, name: &str) -> Result<Option<u16>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_u64()
            .filter(|p| *p <= 65535)
            .map(|p| Some(p as u16))
            .ok_or_else(|| Error::type_error(format!("invalid {name}"))),
        Some(_) => Err(Error::type_error(format!("invalid {name}"))),
    }
}

fn opt_usize(value: Option<&Value>, name: &str) -> Result<Option<usize>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_u64()
            .map(|v| Some(v as usize))
            .ok_or_else(|| Error::type_error(format!("invalid {name}"))),
        Some(_) => Err(Error::type_error(format!("invalid {name}"))),
    }
}

/// Parses an IP the way mediasoup normalises it; anything else is a TypeError.
pub fn parse_ip(value: Option<&Value>) -> Result<IpAddr> {
    let text = value
        .and_then(Value::as_str)
        .ok_or_else(|| Error::type_error("missing ip"))?;
    text.parse::<IpAddr>()
        .map_err(|_| Error::type_error(format!("invalid IP '{text}'")))
}

impl ListenInfo {
    pub fn from_json(value: &Value) -> Result<Self> {
        if !value.is_object() {
            return Err(Error::type_error("invalid listenInfo"));
        }
        let protocol = match value.get("protocol").and_then(Value::as_str) {
            Some("udp") => ListenProtocol::Udp,
            Some("tcp") => ListenProtocol::Tcp,
            _ => return Err(Error::type_error("invalid listenInfo.protocol")),
        };
        let ip = parse_ip(value.get("ip"))?;
        let announced_address = value
            .get("announcedAddress")
            .filter(|v| !v.is_null())
            .or_else(|| value.get("announcedIp").filter(|v| !v.is_null()))
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| Error::type_error("invalid announcedAddress"))
            })
            .transpose()?
            .filter(|s| !s.is_empty());
        let port = opt_u16(value.get("port"), "port")?.unwrap_or(0);
        let port_range = match value.get("portRange") {
            None | Some(Value::Null) => None,
            Some(range) => {
                let min = opt_u16(range.get("min"), "portRange.min")?.unwrap_or(0);
                let max = opt_u16(range.get("max"), "portRange.max")?.unwrap_or(0);
                if min == 0 && max == 0 {
                    None
                } else if max < min {
                    return Err(Error::type_error("maxPort cannot be less than minPort"));
                } else {
                    Some((min.max(1), max))
                }
            }
        };
        let flags = value.get("flags");
        let flag = |name: &str| {
            flags
                .and_then(|f| f.get(name))
                .and_then(Value::as_bool)
                .unwrap_or(false)
        };
        Ok(ListenInfo {
            protocol,
            ip,
            announced_address,
            expose_internal_ip: value
                .get("exposeInternalIp")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            port,
            port_range,
            ipv6_only: flag("ipv6Only"),
            udp_reuse_port: flag("udpReusePort"),
            send_buffer_size: opt_usize(value.get("sendBufferSize"), "sendBufferSize")?,
            recv_buffer_size: opt_usize(value.get("recvBufferSize"), "recvBufferSize")?,
        })
    }

    /// What the tuple reports as local address: the announced one if any.
    pub fn local_address(&self) -> String {
        self.announced_address
            .clone()
            .unwrap_or_else(|| self.ip.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_and_validates() {
        let info = ListenInfo::from_json(&json!({
            "protocol": "udp", "ip": "127.0.0.1", "announcedIp": "1.2.3.4",
            "portRange": {"min": 2000, "max": 3000}, "flags": {"udpReusePort": true}
        }))
        .unwrap();
        assert_eq!(info.local_address(), "1.2.3.4");
        assert_eq!(info.port_range, Some((2000, 3000)));
        assert!(info.udp_reuse_port);
        for bad in [
            json!({"protocol": "udp", "ip": "123"}),
            json!({"protocol": "udp"}),
            json!({"protocol": "sctp", "ip": "127.0.0.1"}),
            json!({"protocol": "udp", "ip": "127.0.0.1", "portRange": {"min": 4000, "max": 3000}}),
            json!({"protocol": "udp", "ip": "127.0.0.1", "port": 70000}),
            json!("127.0.0.1"),
        ] {
            assert_eq!(
                ListenInfo::from_json(&bad).unwrap_err().kind,
                crate::error::ErrorKind::TypeError,
                "{bad}"
            );
        }
    }
}
