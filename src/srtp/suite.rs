//! The four crypto suites mediasoup negotiates, with their key sizes and
//! per-packet overheads.

/// An SRTP crypto suite, named as mediasoup names it in `srtpParameters`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CryptoSuite {
    AeadAes256Gcm,
    AeadAes128Gcm,
    AesCm128HmacSha1_80,
    AesCm128HmacSha1_32,
}

/// Length of the E-bit + 31-bit index word that ends every SRTCP packet.
pub(crate) const SRTCP_INDEX_LEN: usize = 4;
/// GCM tag length (RFC 7714 profiles all use the full 16 octets).
pub(crate) const GCM_TAG_LEN: usize = 16;

impl CryptoSuite {
    /// All suites, in mediasoup's order of preference.
    pub const ALL: [CryptoSuite; 4] = [
        CryptoSuite::AeadAes256Gcm,
        CryptoSuite::AeadAes128Gcm,
        CryptoSuite::AesCm128HmacSha1_80,
        CryptoSuite::AesCm128HmacSha1_32,
    ];

    /// Parses mediasoup's `cryptoSuite` string.
    pub fn from_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|suite| suite.name() == s)
    }

    /// mediasoup's `cryptoSuite` string.
    pub fn name(self) -> &'static str {
        match self {
            CryptoSuite::AeadAes256Gcm => "AEAD_AES_256_GCM",
            CryptoSuite::AeadAes128Gcm => "AEAD_AES_128_GCM",
            CryptoSuite::AesCm128HmacSha1_80 => "AES_CM_128_HMAC_SHA1_80",
            CryptoSuite::AesCm128HmacSha1_32 => "AES_CM_128_HMAC_SHA1_32",
        }
    }

    pub fn master_key_len(self) -> usize {
        match self {
            CryptoSuite::AeadAes256Gcm => 32,
            _ => 16,
        }
    }

    pub fn master_salt_len(self) -> usize {
        if self.is_gcm() {
            12
        } else {
            14
        }
    }

    /// Length of mediasoup's `keyBase64` once decoded: key || salt.
    pub fn key_and_salt_len(self) -> usize {
        self.master_key_len() + self.master_salt_len()
    }

    pub fn is_gcm(self) -> bool {
        matches!(
            self,
            CryptoSuite::AeadAes256Gcm | CryptoSuite::AeadAes128Gcm
        )
    }

    /// Bytes of authentication tag on each SRTP packet.
    pub fn rtp_tag_len(self) -> usize {
        match self {
            CryptoSuite::AeadAes256Gcm | CryptoSuite::AeadAes128Gcm => GCM_TAG_LEN,
            CryptoSuite::AesCm128HmacSha1_80 => 10,
            CryptoSuite::AesCm128HmacSha1_32 => 4,
        }
    }

    /// Bytes of authentication tag on each SRTCP packet. The `_32` suite
    /// keeps an 80-bit tag for SRTCP (RFC 5764 4.1.2; libsrtp as configured
    /// by mediasoup and libwebrtc, and webrtc-srtp all agree).
    pub fn rtcp_tag_len(self) -> usize {
        if self.is_gcm() {
            GCM_TAG_LEN
        } else {
            10
        }
    }

    /// Maximum bytes `protect_rtp` appends; size buffers with it.
    pub fn rtp_overhead(self) -> usize {
        self.rtp_tag_len()
    }

    /// Maximum bytes `protect_rtcp` appends: tag plus the SRTCP index word.
    pub fn rtcp_overhead(self) -> usize {
        self.rtcp_tag_len() + SRTCP_INDEX_LEN
    }
}

impl std::fmt::Display for CryptoSuite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for suite in CryptoSuite::ALL {
            assert_eq!(CryptoSuite::from_name(suite.name()), Some(suite));
        }
        assert_eq!(CryptoSuite::from_name("AES_CM_128_HMAC_SHA1_81"), None);
        assert_eq!(CryptoSuite::from_name(""), None);
    }

    #[test]
    fn key_lengths_match_mediasoup() {
        assert_eq!(CryptoSuite::AesCm128HmacSha1_80.key_and_salt_len(), 30);
        assert_eq!(CryptoSuite::AesCm128HmacSha1_32.key_and_salt_len(), 30);
        assert_eq!(CryptoSuite::AeadAes128Gcm.key_and_salt_len(), 28);
        assert_eq!(CryptoSuite::AeadAes256Gcm.key_and_salt_len(), 44);
    }

    #[test]
    fn overheads() {
        assert_eq!(CryptoSuite::AesCm128HmacSha1_80.rtp_overhead(), 10);
        assert_eq!(CryptoSuite::AesCm128HmacSha1_32.rtp_overhead(), 4);
        assert_eq!(CryptoSuite::AesCm128HmacSha1_32.rtcp_overhead(), 14);
        assert_eq!(CryptoSuite::AeadAes128Gcm.rtp_overhead(), 16);
        assert_eq!(CryptoSuite::AeadAes256Gcm.rtcp_overhead(), 20);
    }
}
