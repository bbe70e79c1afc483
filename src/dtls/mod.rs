//! DTLS 1.2 driver for one WebRtcTransport (sans-IO).
//!
//! [`DtlsTransport`] wraps the sans-IO `rtc-dtls` crate: the worker's event
//! loop feeds it datagrams and the current time, and polls it for datagrams
//! to send, events and its next timer. It owns no socket and reads no clock,
//! so it runs on the single worker thread without any async runtime.
//!
//! What this module adds on top of `rtc-dtls`: mediasoup's state names, the
//! remote fingerprint check from `connect()`, SRTP keys split per RFC 5764 for
//! our role, certificate loading from PEM (PKCS#8, SEC1, PKCS#1), and a
//! record filter so that junk from the wire is dropped instead of failing the
//! association.
//!
//! Timers: `rtc-dtls` retransmits a flight every 1 s (fixed, no backoff) and
//! fails the handshake after 7 retransmissions, i.e. ~8 s of peer silence.
//! After Connected no timer runs; the peer's repeated last flight (RFC 6347
//! 4.2.4) is answered from `handle_datagram`.

mod certificate;
mod clock;
mod config;
mod fingerprint;
mod record_filter;
mod srtp_keys;
mod transport;
mod types;

#[cfg(test)]
mod tests;

pub use fingerprint::fingerprint_of;
pub use srtp_keys::{SrtpKeys, SRTP_PROFILES};
pub use transport::DtlsTransport;
pub use types::{DtlsError, DtlsEvent, DtlsRole, DtlsState};
