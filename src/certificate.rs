//! The worker's DTLS identity: a PEM pair loaded from the settings' files or
//! a fresh self-signed certificate, plus the fingerprints WebRtcTransport
//! announces in `dtlsParameters`.

use crate::error::{Error, Result};
use sha1::Sha1;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};

pub struct DtlsCertificate {
    /// DER of the certificate (what fingerprints hash).
    pub certificate_der: Vec<u8>,
    /// PEM of the certificate, for the DTLS stack.
    pub certificate_pem: String,
    /// PEM of the private key, for the DTLS stack.
    pub private_key_pem: String,
    /// `[{algorithm, value}]` for sha-1 .. sha-512, in mediasoup's order.
    pub fingerprints: Vec<Fingerprint>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Fingerprint {
    pub algorithm: &'static str,
    pub value: String,
}

fn hex_colon(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        out.push_str(&format!("{b:02X}"));
    }
    out
}

/// Fingerprints of a DER certificate for every algorithm mediasoup offers.
pub fn fingerprints_of(der: &[u8]) -> Vec<Fingerprint> {
    vec![
        Fingerprint {
            algorithm: "sha-1",
            value: hex_colon(&Sha1::digest(der)),
        },
        Fingerprint {
            algorithm: "sha-224",
            value: hex_colon(&Sha224::digest(der)),
        },
        Fingerprint {
            algorithm: "sha-256",
            value: hex_colon(&Sha256::digest(der)),
        },
        Fingerprint {
            algorithm: "sha-384",
            value: hex_colon(&Sha384::digest(der)),
        },
        Fingerprint {
            algorithm: "sha-512",
            value: hex_colon(&Sha512::digest(der)),
        },
    ]
}

impl DtlsCertificate {
    /// A new self-signed ECDSA P-256 certificate, one per worker.
    pub fn generate() -> Result<Self> {
        let certified = rcgen::generate_simple_self_signed(vec!["mediasoup".to_string()])
            .map_err(|e| Error::other(format!("certificate generation failed: {e}")))?;
        let der = certified.cert.der().to_vec();
        Ok(DtlsCertificate {
            fingerprints: fingerprints_of(&der),
            certificate_pem: certified.cert.pem(),
            private_key_pem: certified.key_pair.serialize_pem(),
            certificate_der: der,
        })
    }

    /// Loads a PEM certificate and private key. A file that cannot be read
    /// is a TypeError, like mediasoup-worker's settings errors; one that is
    /// not PEM is an Error (mediasoup's worker aborts on it, which its JS
    /// reports as an Error).
    pub fn load(certificate_file: &str, private_key_file: &str) -> Result<Self> {
        let read = |path: &str, what: &str| {
            std::fs::read_to_string(path)
                .map_err(|e| Error::type_error(format!("cannot read {what} file '{path}': {e}")))
        };
        let certificate_pem = read(certificate_file, "DTLS certificate")?;
        let private_key_pem = read(private_key_file, "DTLS private key")?;
        let certificate = pem::parse_many(&certificate_pem)
            .ok()
            .and_then(|blocks| blocks.into_iter().find(|b| b.tag() == "CERTIFICATE"))
            .ok_or_else(|| Error::other("DTLS certificate file has no PEM certificate"))?;
        let has_key = pem::parse_many(&private_key_pem)
            .map(|blocks| blocks.iter().any(|b| b.tag().ends_with("PRIVATE KEY")))
            .unwrap_or(false);
        if !has_key {
            return Err(Error::other("DTLS private key file has no PEM private key"));
        }
        let der = certificate.contents().to_vec();
        Ok(DtlsCertificate {
            fingerprints: fingerprints_of(&der),
            certificate_der: der,
            certificate_pem,
            private_key_pem,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_certificate_has_all_fingerprints() {
        let cert = DtlsCertificate::generate().unwrap();
        let lens: Vec<_> = cert
            .fingerprints
            .iter()
            .map(|f| (f.algorithm, f.value.len()))
            .collect();
        // Each byte is two hex digits plus a colon, minus the last colon.
        assert_eq!(
            lens,
            vec![
                ("sha-1", 20 * 3 - 1),
                ("sha-224", 28 * 3 - 1),
                ("sha-256", 32 * 3 - 1),
                ("sha-384", 48 * 3 - 1),
                ("sha-512", 64 * 3 - 1)
            ]
        );
        // Two workers never share an identity.
        let other = DtlsCertificate::generate().unwrap();
        assert_ne!(cert.fingerprints[2], other.fingerprints[2]);
    }

    #[test]
    fn loads_pem_pair_and_fingerprints_the_der() {
        let generated = DtlsCertificate::generate().unwrap();
        let dir = std::env::temp_dir().join(format!("ferrosoup-cert-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (c, k) = (dir.join("cert.pem"), dir.join("key.pem"));
        std::fs::write(&c, &generated.certificate_pem).unwrap();
        std::fs::write(&k, &generated.private_key_pem).unwrap();
        let loaded = DtlsCertificate::load(c.to_str().unwrap(), k.to_str().unwrap()).unwrap();
        assert_eq!(loaded.fingerprints, generated.fingerprints);
        assert_eq!(hex_colon(&[0x0a, 0xff, 0x01]), "0A:FF:01".to_string());
        let missing = DtlsCertificate::load("/notfound/cert.pem", k.to_str().unwrap());
        assert_eq!(
            missing.err().unwrap().kind,
            crate::error::ErrorKind::TypeError
        );
        let swapped = DtlsCertificate::load(k.to_str().unwrap(), c.to_str().unwrap());
        assert!(swapped.is_err());
        std::fs::remove_dir_all(dir).ok();
    }
}
