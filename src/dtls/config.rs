//! The `rtc-dtls` handshake configuration for one side of a WebRtcTransport.

use super::fingerprint;
use super::types::DtlsRole;
use rtc_dtls::config::{
    ClientAuthType, ConfigBuilder, ExtendedMasterSecretType, HandshakeConfig,
    VerifyPeerCertificateFn,
};
use rtc_dtls::crypto::Certificate;
use rtc_dtls::crypto_provider::RTCCryptoProvider;
use rtc_dtls::extension::extension_use_srtp::SrtpProtectionProfile;
use std::net::SocketAddr;
use std::sync::Arc;

pub(super) fn handshake_config(
    role: DtlsRole,
    provider: Arc<dyn RTCCryptoProvider>,
    certificate: Certificate,
    srtp_profiles: Vec<SrtpProtectionProfile>,
    remote_fingerprint: (String, String),
    peer: SocketAddr,
) -> Result<HandshakeConfig, String> {
    let is_client = role == DtlsRole::Client;
    let mut builder = ConfigBuilder::default()
        .with_crypto_provider(provider)
        .with_certificates(vec![certificate])
        .with_srtp_protection_profiles(srtp_profiles)
        .with_extended_master_secret(ExtendedMasterSecretType::Request)
        // WebRTC authenticates by fingerprint, not by CA chain.
        .with_insecure_skip_verify(true)
        .with_verify_peer_certificate(Some(verifier(remote_fingerprint)))
        // Otherwise the client sends the placeholder peer IP as SNI, which
        // RFC 6066 forbids; a host name is harmless to WebRTC peers.
        .with_server_name("mediasoup".into());
    if !is_client {
        // Without it the server never sees (nor checks) the client's certificate.
        builder = builder.with_client_auth(ClientAuthType::RequireAnyClientCert);
    }
    builder
        .build(is_client, Some(peer))
        .map_err(|e| e.to_string())
}

/// Rejects the peer during the handshake (fatal bad_certificate alert) when
/// its leaf certificate does not have the fingerprint from `connect()`.
fn verifier(expected: (String, String)) -> VerifyPeerCertificateFn {
    Arc::new(move |certs: &[Vec<u8>], _| match certs.first() {
        Some(leaf) if fingerprint::matches(&expected, leaf) => Ok(()),
        _ => Err(rtc_shared::error::Error::Other(
            "remote certificate fingerprint mismatch".into(),
        )),
    })
}
