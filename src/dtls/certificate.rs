//! Turns the worker's PEM certificate + private key into an `rtc-dtls`
//! identity.
//!
//! `rtc-dtls` (ring) imports PKCS#8 only, so SEC1 ("EC PRIVATE KEY") and
//! PKCS#1 ("RSA PRIVATE KEY") keys, as written by `openssl ecparam/genrsa`,
//! are wrapped into PKCS#8 here. Supported keys: ECDSA P-256, RSA, Ed25519.

use super::types::DtlsError;
use rtc_dtls::crypto::Certificate;
use rtc_dtls::crypto_provider::RTCCrypto;

/// AlgorithmIdentifier { id-ecPublicKey, prime256v1 }.
const EC_P256_ALGORITHM: &[u8] = &[
    0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
    0xce, 0x3d, 0x03, 0x01, 0x07,
];
/// AlgorithmIdentifier { rsaEncryption, NULL }.
const RSA_ALGORITHM: &[u8] = &[
    0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
];

fn err(msg: impl Into<String>) -> DtlsError {
    DtlsError::Certificate(msg.into())
}

/// Builds the identity; the key must belong to the (first) certificate.
pub(super) fn load(
    certificate_pem: &str,
    private_key_pem: &str,
    crypto: &dyn RTCCrypto,
) -> Result<Certificate, DtlsError> {
    let certificates: Vec<pem::Pem> = pem::parse_many(certificate_pem)
        .map_err(|e| err(format!("bad certificate PEM: {e}")))?
        .into_iter()
        .filter(|b| b.tag() == "CERTIFICATE")
        .collect();
    if certificates.is_empty() {
        return Err(err("no CERTIFICATE block in certificate PEM"));
    }

    // `Certificate::from_pem` wants one bundle: a PKCS#8 key tagged
    // "PRIVATE_KEY" followed by the chain. It tries P-256, RSA and Ed25519.
    let mut bundle = vec![pem::Pem::new(
        "PRIVATE_KEY",
        private_key_pkcs8(private_key_pem)?,
    )];
    bundle.extend(certificates);
    let identity = Certificate::from_pem(&pem::encode_many(&bundle), crypto).map_err(|e| {
        err(format!(
            "unsupported private key (want ECDSA P-256, RSA or Ed25519): {e}"
        ))
    })?;

    // The public key appears verbatim in the certificate's
    // SubjectPublicKeyInfo, so a mismatched pair is caught here rather than
    // as an opaque handshake failure at the peer.
    let public = identity.private_key.signing_key.public_key().bytes.to_vec();
    let leaf = identity.certificate[0].as_ref();
    if public.is_empty() || !leaf.windows(public.len()).any(|w| w == public) {
        return Err(err("private key does not match the certificate"));
    }
    Ok(identity)
}

/// The first private key block of the PEM, as PKCS#8 DER.
fn private_key_pkcs8(private_key_pem: &str) -> Result<Vec<u8>, DtlsError> {
    let blocks =
        pem::parse_many(private_key_pem).map_err(|e| err(format!("bad private key PEM: {e}")))?;
    let block = blocks
        .iter()
        .find(|b| b.tag().ends_with("PRIVATE KEY"))
        .ok_or_else(|| err("no PRIVATE KEY block in private key PEM"))?;
    let der = block.contents();
    match block.tag() {
        "PRIVATE KEY" => Ok(der.to_vec()),
        "EC PRIVATE KEY" => Ok(wrap_pkcs8(EC_P256_ALGORITHM, der)),
        "RSA PRIVATE KEY" => Ok(wrap_pkcs8(RSA_ALGORITHM, der)),
        other => Err(err(format!("unsupported key block '{other}'"))),
    }
}

/// PrivateKeyInfo ::= SEQUENCE { INTEGER 0, AlgorithmIdentifier, OCTET STRING key }.
fn wrap_pkcs8(algorithm: &[u8], key: &[u8]) -> Vec<u8> {
    let mut body = vec![0x02, 0x01, 0x00];
    body.extend_from_slice(algorithm);
    body.push(0x04);
    push_len(&mut body, key.len());
    body.extend_from_slice(key);
    let mut out = vec![0x30];
    push_len(&mut out, body.len());
    out.extend_from_slice(&body);
    out
}

/// DER definite length.
fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_lengths() {
        let mut v = vec![];
        push_len(&mut v, 5);
        push_len(&mut v, 0x80);
        push_len(&mut v, 0x1234);
        assert_eq!(v, vec![5, 0x81, 0x80, 0x82, 0x12, 0x34]);
    }
}
