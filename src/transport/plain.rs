//! PlainTransport: RTP/RTCP over plain UDP to one remote endpoint (given by
//! `connect()` or learnt from the first packet in comedia mode), optionally
//! with SRTP keyed by `srtpParameters`.

use super::listen::{ListenInfo, ListenProtocol, Tuple};
use super::options::{PipeOptions, PlainOptions};
use crate::error::{Error, Result};
use crate::net::{NetOutbox, SocketBinder, SocketId, SocketOp};
use crate::srtp::{CryptoSuite, SrtpSession};
use crate::transport::connect::ConnectOptions;
use crate::transport::dump::{PipeDump, PlainConnectReply, PlainDump, SrtpParameters};
use base64::Engine;
use std::net::SocketAddr;

pub struct PlainSrtp {
    pub suite: CryptoSuite,
    /// Our master key+salt, announced in `srtpParameters`.
    pub local_key: Vec<u8>,
    pub send: Option<SrtpSession>,
    pub recv: Option<SrtpSession>,
}

impl PlainSrtp {
    fn new(suite: CryptoSuite) -> Self {
        let local_key = (0..suite.key_and_salt_len())
            .map(|_| rand::random::<u8>())
            .collect();
        PlainSrtp {
            suite,
            local_key,
            send: None,
            recv: None,
        }
    }

    /// Our side's `srtpParameters`.
    pub fn parameters(&self) -> SrtpParameters {
        SrtpParameters {
            crypto_suite: self.suite.name(),
            key_base64: base64::engine::general_purpose::STANDARD.encode(&self.local_key),
        }
    }
}

pub struct PlainTransport {
    pub listen: ListenInfo,
    pub socket: SocketId,
    pub local_port: u16,
    pub rtcp_listen: Option<ListenInfo>,
    pub rtcp_socket: Option<SocketId>,
    pub rtcp_local_port: u16,
    pub rtcp_mux: bool,
    pub comedia: bool,
    pub remote: Option<SocketAddr>,
    pub rtcp_remote: Option<SocketAddr>,
    pub connect_called: bool,
    pub srtp: Option<PlainSrtp>,
    /// Set on a PipeTransport (the same UDP transport, with its own dump,
    /// stats and `connect()` rules).
    pub pipe: Option<PipeMode>,
}

/// What makes a plain UDP transport a PipeTransport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PipeMode {
    /// Pipe consumers send RTX (`enableRtx`).
    pub rtx: bool,
}

/// mediasoup's PipeTransports always use this suite.
const PIPE_SRTP_SUITE: CryptoSuite = CryptoSuite::AeadAes256Gcm;

/// A PipeTransport for `options`, its socket bound.
pub fn create_pipe(
    options: &PipeOptions,
    worker_ports: (u16, u16),
    binder: &mut dyn SocketBinder,
) -> Result<PlainTransport> {
    let plain = PlainOptions {
        listen_info: options.listen_info.clone(),
        rtcp_listen_info: None,
        rtcp_mux: true,
        comedia: false,
        srtp_crypto_suite: options.enable_srtp.then_some(PIPE_SRTP_SUITE),
    };
    let mut transport = create(&plain, worker_ports, binder)?;
    transport.pipe = Some(PipeMode {
        rtx: options.enable_rtx,
    });
    Ok(transport)
}

/// A PlainTransport for `options`, its sockets bound.
pub fn create(
    options: &PlainOptions,
    worker_ports: (u16, u16),
    binder: &mut dyn SocketBinder,
) -> Result<PlainTransport> {
    let listen = options.listen_info.clone();
    let rtcp_listen = options.rtcp_listen_info.clone();
    let rtcp_mux = options.rtcp_mux;
    let comedia = options.comedia;
    let srtp = options.srtp_crypto_suite.map(PlainSrtp::new);
    let rtp = binder.bind_udp(&listen, worker_ports, false)?;
    let (rtcp_socket, rtcp_local_port) = if rtcp_mux {
        (None, 0)
    } else {
        // Without an explicit RTCP listen info, RTCP gets its own port on the
        // same IP (mediasoup does the same).
        let info = rtcp_listen.clone().unwrap_or_else(|| ListenInfo {
            port: 0,
            ..listen.clone()
        });
        match binder.bind_udp(&info, worker_ports, false) {
            Ok(rtcp) => (Some(rtcp.id), rtcp.local_port),
            Err(e) => {
                binder.close(rtp.id);
                return Err(e);
            }
        }
    };
    Ok(PlainTransport {
        rtcp_listen: if rtcp_mux {
            None
        } else {
            Some(rtcp_listen.unwrap_or_else(|| listen.clone()))
        },
        socket: rtp.id,
        listen,
        local_port: rtp.local_port,
        rtcp_socket,
        rtcp_local_port,
        rtcp_mux,
        comedia,
        remote: None,
        rtcp_remote: None,
        connect_called: false,
        srtp,
        pipe: None,
    })
}

impl PlainTransport {
    pub fn tuple(&self) -> Tuple {
        Tuple::new(
            &self.listen.local_address(),
            self.local_port,
            self.remote,
            ListenProtocol::Udp,
        )
    }

    pub fn rtcp_tuple(&self) -> Option<Tuple> {
        self.rtcp_listen.as_ref().map(|info| {
            Tuple::new(
                &info.local_address(),
                self.rtcp_local_port,
                self.rtcp_remote,
                ListenProtocol::Udp,
            )
        })
    }

    /// mediasoup's PipeTransport-specific dump fields.
    pub fn pipe_dump(&self, mode: PipeMode) -> PipeDump {
        PipeDump {
            tuple: self.tuple(),
            rtx: mode.rtx,
            srtp_parameters: self.srtp.as_ref().map(PlainSrtp::parameters),
        }
    }

    /// mediasoup's PlainTransport-specific dump fields.
    pub fn dump(&self) -> PlainDump {
        PlainDump {
            rtcp_mux: self.rtcp_mux,
            comedia: self.comedia,
            tuple: self.tuple(),
            rtcp_tuple: self.rtcp_tuple(),
            srtp_parameters: self.srtp.as_ref().map(PlainSrtp::parameters),
        }
    }

    pub fn is_connected(&self) -> bool {
        self.remote.is_some()
    }

    /// `connect({ ip, port, rtcpPort, srtpParameters })`: returns the
    /// response (`tuple`, `rtcpTuple`, `srtpParameters`).
    pub fn connect(
        &mut self,
        options: ConnectOptions,
        net: &mut NetOutbox,
    ) -> Result<PlainConnectReply> {
        if self.connect_called {
            return Err(Error::other("connect() already called"));
        }
        match (&mut self.srtp, options.srtp.is_some()) {
            (None, true) => {
                return Err(Error::type_error(
                    "invalid srtpParameters (SRTP not enabled)",
                ))
            }
            (Some(_), false) => {
                return Err(Error::type_error("missing srtpParameters (SRTP enabled)"))
            }
            _ => {}
        }
        // Validate everything before changing any state.
        let remote_keys = match (&self.srtp, options.srtp) {
            (Some(_), Some(keys)) => Some(keys?),
            _ => None,
        };
        if self.pipe.is_some() && remote_keys.as_ref().is_some_and(|k| k.0 != PIPE_SRTP_SUITE) {
            return Err(Error::type_error(
                "invalid/unsupported srtpParameters.cryptoSuite",
            ));
        }
        let mut remote = None;
        let mut rtcp_remote = None;
        if !self.comedia {
            let ip = options.ip?;
            let port = options.port?;
            match (options.rtcp_port, self.rtcp_mux) {
                (Some(_), true) => {
                    return Err(Error::type_error(
                        "cannot set rtcpPort with rtcpMux enabled",
                    ))
                }
                (None, false) => {
                    return Err(Error::type_error(
                        "missing rtcpPort (required with rtcpMux disabled)",
                    ))
                }
                (Some(p), false) => rtcp_remote = Some(SocketAddr::new(ip, p?)),
                (None, true) => {}
            }
            remote = Some(SocketAddr::new(ip, port));
        }
        if let (Some(srtp), Some((suite, remote_key))) = (&mut self.srtp, remote_keys) {
            if suite != srtp.suite {
                // The remote chose another suite: our key must match its length.
                *srtp = PlainSrtp::new(suite);
            }
            srtp.send =
                Some(SrtpSession::new(srtp.suite, &srtp.local_key).map_err(|e| {
                    Error::other(format!("error creating SRTP sending session: {e}"))
                })?);
            srtp.recv = Some(SrtpSession::new(srtp.suite, &remote_key).map_err(|e| {
                Error::other(format!("error creating SRTP receiving session: {e}"))
            })?);
        }
        self.connect_called = true;
        if let Some(addr) = remote {
            self.set_remote(addr, net);
        }
        if let Some(addr) = rtcp_remote {
            self.set_rtcp_remote(addr, net);
        }
        // A PipeTransport answers with its tuple only.
        let srtp_parameters = match self.pipe {
            Some(_) => None,
            None => self.srtp.as_ref().map(PlainSrtp::parameters),
        };
        Ok(PlainConnectReply {
            tuple: self.remote.is_some().then(|| self.tuple()),
            rtcp_tuple: self.rtcp_remote.and_then(|_| self.rtcp_tuple()),
            srtp_parameters,
        })
    }

    /// Fixes the RTP remote. The socket is connected to it: the kernel then
    /// skips a route lookup per send and filters other sources for us.
    pub fn set_remote(&mut self, addr: SocketAddr, net: &mut NetOutbox) {
        self.remote = Some(addr);
        net.op(SocketOp::ConnectUdp(self.socket, addr));
    }

    /// Same for the RTCP remote (own socket only when not muxed).
    pub fn set_rtcp_remote(&mut self, addr: SocketAddr, net: &mut NetOutbox) {
        self.rtcp_remote = Some(addr);
        if let Some(socket) = self.rtcp_socket {
            net.op(SocketOp::ConnectUdp(socket, addr));
        }
    }

    /// Queues a datagram on the RTP socket to the remote, once known.
    pub fn send_rtp_datagram(&self, net: &mut NetOutbox, data: &[u8]) -> bool {
        let Some(remote) = self.remote else {
            return false;
        };
        net.send_udp(self.socket, remote, data);
        true
    }

    /// The sockets it owns.
    pub fn own_sockets(&self) -> Vec<SocketId> {
        std::iter::once(self.socket)
            .chain(self.rtcp_socket)
            .collect()
    }

    /// SRTP is configured and keyed (or not used at all).
    pub fn srtp_ready(&self) -> bool {
        self.srtp.as_ref().is_none_or(|s| s.recv.is_some())
    }
}
