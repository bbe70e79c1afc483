//! `TransportListenInfo` objects (transports and WebRtcServers), with
//! mediasoup's TypeErrors.

use crate::error::{Error, Result};
use crate::json_in::Js;
use crate::net::{ListenInfo, ListenProtocol};
use serde::Deserialize;
use std::net::IpAddr;

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ListenInfoBody {
    protocol: Js<String>,
    ip: Js<String>,
    announced_address: Js<String>,
    /// Deprecated name of `announcedAddress`.
    announced_ip: Js<String>,
    expose_internal_ip: Js<bool>,
    port: Js<u16>,
    port_range: Js<PortRangeBody>,
    flags: Js<FlagsBody>,
    send_buffer_size: Js<u64>,
    recv_buffer_size: Js<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PortRangeBody {
    min: Js<u16>,
    max: Js<u16>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct FlagsBody {
    ipv6_only: Js<bool>,
    udp_reuse_port: Js<bool>,
}

/// An optional number: absent or `null` is none, anything but a number in
/// range an error.
fn optional<T: Copy>(value: &Js<T>, name: &str) -> Result<Option<T>> {
    match value {
        Js::Absent | Js::Null => Ok(None),
        Js::Set(v) => Ok(Some(*v)),
        Js::Wrong => Err(Error::type_error(format!("invalid {name}"))),
    }
}

/// An IP as mediasoup normalises it; anything else is a TypeError.
pub fn parse_ip(value: &Js<String>) -> Result<IpAddr> {
    let text = value
        .as_str()
        .ok_or_else(|| Error::type_error("missing ip"))?;
    text.parse::<IpAddr>()
        .map_err(|_| Error::type_error(format!("invalid IP '{text}'")))
}

/// A listen info (`invalid listenInfo` if it is not an object).
pub fn listen_info(value: &Js<ListenInfoBody>) -> Result<ListenInfo> {
    let body = value
        .get()
        .ok_or_else(|| Error::type_error("invalid listenInfo"))?;
    let protocol = match body.protocol.as_str() {
        Some("udp") => ListenProtocol::Udp,
        Some("tcp") => ListenProtocol::Tcp,
        _ => return Err(Error::type_error("invalid listenInfo.protocol")),
    };
    let ip = parse_ip(&body.ip)?;
    let announced = if body.announced_address.is_given() {
        &body.announced_address
    } else {
        &body.announced_ip
    };
    let announced_address = match announced {
        Js::Absent | Js::Null => None,
        Js::Set(address) => Some(address.clone()),
        Js::Wrong => return Err(Error::type_error("invalid announcedAddress")),
    }
    .filter(|address| !address.is_empty());
    let port = optional(&body.port, "port")?.unwrap_or(0);
    let port_range = match &body.port_range {
        Js::Absent | Js::Null => None,
        range => {
            // Not an object: no bounds, as reading them from it gives none.
            let (min, max) = match range.get() {
                Some(r) => (
                    optional(&r.min, "portRange.min")?.unwrap_or(0),
                    optional(&r.max, "portRange.max")?.unwrap_or(0),
                ),
                None => (0, 0),
            };
            if min == 0 && max == 0 {
                None
            } else if max < min {
                return Err(Error::type_error("maxPort cannot be less than minPort"));
            } else {
                Some((min.max(1), max))
            }
        }
    };
    let flag = |pick: fn(&FlagsBody) -> &Js<bool>| {
        body.flags
            .get()
            .and_then(|f| pick(f).copied())
            .unwrap_or(false)
    };
    Ok(ListenInfo {
        protocol,
        ip,
        announced_address,
        expose_internal_ip: body.expose_internal_ip.copied().unwrap_or(false),
        port,
        port_range,
        ipv6_only: flag(|f| &f.ipv6_only),
        udp_reuse_port: flag(|f| &f.udp_reuse_port),
        send_buffer_size: optional(&body.send_buffer_size, "sendBufferSize")?.map(|v| v as usize),
        recv_buffer_size: optional(&body.recv_buffer_size, "recvBufferSize")?.map(|v| v as usize),
    })
}

/// A list of listen infos (`empty listenInfos` if not a non-empty array).
pub fn listen_infos(value: &Js<Vec<Js<ListenInfoBody>>>) -> Result<Vec<ListenInfo>> {
    let infos = value
        .get()
        .filter(|infos| !infos.is_empty())
        .ok_or_else(|| Error::type_error("empty listenInfos"))?;
    infos.iter().map(listen_info).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ListenInfo> {
        listen_info(&serde_json::from_str(text).unwrap())
    }

    #[test]
    fn parses_and_validates() {
        let info = parse(
            r#"{"protocol": "udp", "ip": "127.0.0.1", "announcedIp": "1.2.3.4",
            "portRange": {"min": 2000, "max": 3000}, "flags": {"udpReusePort": true}}"#,
        );
        let info = info.unwrap();
        assert_eq!(info.local_address(), "1.2.3.4");
        assert_eq!(info.port_range, Some((2000, 3000)));
        assert!(info.udp_reuse_port);
        for bad in [
            r#"{"protocol": "udp", "ip": "123"}"#,
            r#"{"protocol": "udp"}"#,
            r#"{"protocol": "sctp", "ip": "127.0.0.1"}"#,
            r#"{"protocol": "udp", "ip": "127.0.0.1", "portRange": {"min": 4000, "max": 3000}}"#,
            r#"{"protocol": "udp", "ip": "127.0.0.1", "port": 70000}"#,
            r#""127.0.0.1""#,
            r#"["udp", "127.0.0.1"]"#,
        ] {
            assert_eq!(
                parse(bad).unwrap_err().kind,
                crate::error::ErrorKind::TypeError,
                "{bad}"
            );
        }
    }
}
