//! Public vocabulary of the DTLS driver: role, state, events, errors.

use super::srtp_keys::SrtpKeys;
use std::fmt;

/// Our side of the handshake (mediasoup's `dtlsParameters.role` of the
/// transport: `server` when the remote says `client` and vice versa).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DtlsRole {
    Client,
    Server,
}

impl DtlsRole {
    pub fn as_str(self) -> &'static str {
        match self {
            DtlsRole::Client => "client",
            DtlsRole::Server => "server",
        }
    }
}

/// mediasoup's `dtlsState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DtlsState {
    New,
    Connecting,
    Connected,
    Failed,
    Closed,
}

impl DtlsState {
    pub fn as_str(self) -> &'static str {
        match self {
            DtlsState::New => "new",
            DtlsState::Connecting => "connecting",
            DtlsState::Connected => "connected",
            DtlsState::Failed => "failed",
            DtlsState::Closed => "closed",
        }
    }
}

/// What the transport reports to its owner, in order.
///
/// Every state change is reported exactly once: `Connected { .. }` is the
/// change to [`DtlsState::Connected`] (it carries what the owner needs at
/// that moment); every other change is a `StateChanged`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DtlsEvent {
    StateChanged(DtlsState),
    Connected {
        srtp: SrtpKeys,
        /// The peer's leaf certificate, PEM (mediasoup's `dtlsRemoteCert`).
        remote_cert_pem: String,
    },
    /// Decrypted application data (SCTP packets).
    ApplicationData(Vec<u8>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DtlsError {
    /// The certificate or private key PEM could not be used.
    Certificate(String),
    /// The call is not valid in the current state.
    InvalidState(&'static str),
    /// The DTLS stack refused the operation.
    Dtls(String),
}

impl fmt::Display for DtlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DtlsError::Certificate(m) => write!(f, "DTLS certificate error: {m}"),
            DtlsError::InvalidState(m) => write!(f, "DTLS invalid state: {m}"),
            DtlsError::Dtls(m) => write!(f, "DTLS error: {m}"),
        }
    }
}

impl std::error::Error for DtlsError {}
