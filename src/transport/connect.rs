//! `transport.connect()` as parsed at the boundary (`request`). The same method serves
//! every transport kind (a WebRtcTransport reads `dtlsParameters`, a
//! PlainTransport `ip`/`port`/`rtcpPort`/`srtpParameters`), and mediasoup
//! raises a transport's state errors before its argument errors, so each
//! part is kept with the outcome of its parse and the transport consults
//! the parts it uses, in its own order.

use crate::dtls::DtlsRole;
use crate::error::Result;
use crate::srtp::CryptoSuite;
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
