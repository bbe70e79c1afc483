//! `transport.connect()` as parsed at the boundary. The same method serves
//! every transport kind (a WebRtcTransport reads `dtlsParameters`, a
//! PlainTransport `ip`/`port`/`rtcpPort`/`srtpParameters`), and mediasoup
//! raises a transport's state errors before its argument errors, so each
//! part is kept with the outcome of its parse and the transport consults
//! the parts it uses, in its own order.

use crate::dtls::DtlsRole;
use crate::error::{Error, Result};
use crate::srtp::CryptoSuite;
use crate::transport::listen::parse_ip;
use crate::transport::plain::parse_srtp_parameters;
use serde_json::Value;
use std::net::IpAddr;

/// The remote DTLS endpoint a WebRtcTransport is told about.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteDtls {
    /// Our role: the opposite of the remote's (`auto`/`server` remote: we
    /// are the client).
    pub local_role: DtlsRole,
    pub algorithm: String,
    pub fingerprint: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConnectOptions {
    pub dtls: Result<RemoteDtls>,
    /// `None` when not given.
    pub srtp: Option<Result<(CryptoSuite, Vec<u8>)>>,
    pub ip: Result<IpAddr>,
    pub port: Result<u16>,
    /// `None` when not given.
    pub rtcp_port: Option<Result<u16>>,
}

fn port_number(value: Option<&Value>) -> Option<u16> {
    value
        .and_then(Value::as_u64)
        .filter(|p| *p <= 65535)
        .map(|p| p as u16)
}

fn given(data: &Value, key: &str) -> Option<Value> {
    data.get(key).filter(|v| !v.is_null()).cloned()
}

impl ConnectOptions {
    pub fn parse(data: &Value) -> Self {
        ConnectOptions {
            dtls: parse_dtls(data.get("dtlsParameters")),
            srtp: given(data, "srtpParameters").map(|v| parse_srtp_parameters(&v)),
            ip: parse_ip(data.get("ip")),
            port: port_number(data.get("port")).ok_or_else(|| Error::type_error("missing port")),
            rtcp_port: given(data, "rtcpPort").map(|v| {
                port_number(Some(&v)).ok_or_else(|| Error::type_error("invalid rtcpPort"))
            }),
        }
    }
}

fn parse_dtls(params: Option<&Value>) -> Result<RemoteDtls> {
    let params = params
        .filter(|v| v.is_object())
        .ok_or_else(|| Error::type_error("missing dtlsParameters"))?;
    let fingerprint = params
        .get("fingerprints")
        .and_then(Value::as_array)
        .and_then(|f| f.first())
        .ok_or_else(|| Error::type_error("empty dtlsParameters.fingerprints array"))?;
    let algorithm = fingerprint
        .get("algorithm")
        .and_then(Value::as_str)
        .filter(|a| matches!(*a, "sha-1" | "sha-224" | "sha-256" | "sha-384" | "sha-512"))
        .ok_or_else(|| Error::type_error("invalid fingerprint.algorithm"))?;
    let value = fingerprint
        .get("value")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::type_error("missing fingerprint.value"))?;
    let local_role = match params.get("role").and_then(Value::as_str) {
        None | Some("auto") | Some("server") => DtlsRole::Client,
        Some("client") => DtlsRole::Server,
        Some(other) => {
            return Err(Error::type_error(format!(
                "invalid dtlsParameters.role '{other}'"
            )))
        }
    };
    Ok(RemoteDtls {
        local_role,
        algorithm: algorithm.to_string(),
        fingerprint: value.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keeps_each_part_with_its_outcome() {
        let o = ConnectOptions::parse(&json!({"ip": "127.0.0.1", "port": 5000, "rtcpPort": "x"}));
        assert_eq!(o.ip, Ok("127.0.0.1".parse().unwrap()));
        assert_eq!(o.port, Ok(5000));
        assert_eq!(
            o.rtcp_port.unwrap().unwrap_err().message,
            "invalid rtcpPort"
        );
        assert!(o.srtp.is_none());
        assert_eq!(o.dtls.unwrap_err().message, "missing dtlsParameters");
        let o = ConnectOptions::parse(&json!({"dtlsParameters": {"role": "client",
            "fingerprints": [{"algorithm": "sha-256", "value": "AB:CD"}]}, "rtcpPort": null}));
        let dtls = o.dtls.unwrap();
        assert_eq!(dtls.local_role, DtlsRole::Server);
        assert_eq!(
            (dtls.algorithm.as_str(), dtls.fingerprint.as_str()),
            ("sha-256", "AB:CD")
        );
        assert!(o.rtcp_port.is_none());
        assert_eq!(o.port.unwrap_err().message, "missing port");
    }
}
