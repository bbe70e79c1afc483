//! Certificate fingerprints as signalled in `dtlsParameters` (RFC 8122).

use sha1::Sha1;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};

/// Fingerprint of a DER certificate with a mediasoup algorithm name
/// ("sha-1" .. "sha-512"), as upper-case colon-separated hex. `None` for an
/// unknown algorithm.
pub fn fingerprint_of(algorithm: &str, der: &[u8]) -> Option<String> {
    let digest: Vec<u8> = match algorithm.to_ascii_lowercase().as_str() {
        "sha-1" => Sha1::digest(der).to_vec(),
        "sha-224" => Sha224::digest(der).to_vec(),
        "sha-256" => Sha256::digest(der).to_vec(),
        "sha-384" => Sha384::digest(der).to_vec(),
        "sha-512" => Sha512::digest(der).to_vec(),
        _ => return None,
    };
    let hex: Vec<String> = digest.iter().map(|b| format!("{b:02X}")).collect();
    Some(hex.join(":"))
}

/// Whether `der` matches the expected `(algorithm, value)`; hex case is
/// irrelevant (SDP peers send either).
pub(super) fn matches(expected: &(String, String), der: &[u8]) -> bool {
    fingerprint_of(&expected.0, der).is_some_and(|v| v.eq_ignore_ascii_case(expected.1.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_compares_case_insensitively() {
        let fp = fingerprint_of("sha-256", b"abc").unwrap();
        assert!(fp.starts_with("BA:78:16:BF:"));
        assert_eq!(fp.len(), 32 * 3 - 1);
        assert!(matches(&("SHA-256".into(), fp.to_lowercase()), b"abc"));
        assert!(!matches(&("sha-1".into(), fp), b"abc"));
        assert!(fingerprint_of("md5", b"abc").is_none());
    }
}
