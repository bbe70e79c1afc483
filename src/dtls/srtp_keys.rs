//! DTLS-SRTP (RFC 5764): the profiles we negotiate and the keys we export.

use rtc_dtls::extension::extension_use_srtp::SrtpProtectionProfile;

/// Offered/accepted profiles, mediasoup's preference order. When we are the
/// DTLS server `rtc-dtls` picks the first of the *client's* list we support.
pub const SRTP_PROFILES: [SrtpProtectionProfile; 4] = [
    SrtpProtectionProfile::Srtp_Aead_Aes_256_Gcm,
    SrtpProtectionProfile::Srtp_Aead_Aes_128_Gcm,
    SrtpProtectionProfile::Srtp_Aes128_Cm_Hmac_Sha1_80,
    SrtpProtectionProfile::Srtp_Aes128_Cm_Hmac_Sha1_32,
];

/// RFC 5764 4.2 exporter label.
pub(super) const EXPORTER_LABEL: &str = "EXTRACTOR-dtls_srtp";

/// SRTP master keys for our role, ready for the SRTP sessions.
#[derive(Clone, PartialEq, Eq)]
pub struct SrtpKeys {
    /// mediasoup crypto suite name: "AES_CM_128_HMAC_SHA1_80" |
    /// "AES_CM_128_HMAC_SHA1_32" | "AEAD_AES_128_GCM" | "AEAD_AES_256_GCM".
    pub profile: &'static str,
    /// Master key followed by master salt, for what we send.
    pub local_key_and_salt: Vec<u8>,
    /// Master key followed by master salt, for what we receive.
    pub remote_key_and_salt: Vec<u8>,
}

/// Keys stay out of logs: `{:?}` shows the profile and lengths only.
impl std::fmt::Debug for SrtpKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SrtpKeys")
            .field("profile", &self.profile)
            .field("local_key_and_salt_len", &self.local_key_and_salt.len())
            .field("remote_key_and_salt_len", &self.remote_key_and_salt.len())
            .finish()
    }
}

/// (mediasoup name, key length, salt length) of a negotiated profile.
pub(super) fn profile_params(p: SrtpProtectionProfile) -> Option<(&'static str, usize, usize)> {
    match p {
        SrtpProtectionProfile::Srtp_Aes128_Cm_Hmac_Sha1_80 => {
            Some(("AES_CM_128_HMAC_SHA1_80", 16, 14))
        }
        SrtpProtectionProfile::Srtp_Aes128_Cm_Hmac_Sha1_32 => {
            Some(("AES_CM_128_HMAC_SHA1_32", 16, 14))
        }
        SrtpProtectionProfile::Srtp_Aead_Aes_128_Gcm => Some(("AEAD_AES_128_GCM", 16, 12)),
        SrtpProtectionProfile::Srtp_Aead_Aes_256_Gcm => Some(("AEAD_AES_256_GCM", 32, 12)),
        _ => None,
    }
}

/// Splits exported material laid out as client_write_key | server_write_key
/// | client_write_salt | server_write_salt into our local/remote key+salt.
pub(super) fn split(
    name: &'static str,
    key_len: usize,
    salt_len: usize,
    material: &[u8],
    we_are_client: bool,
) -> SrtpKeys {
    let client_key = &material[..key_len];
    let server_key = &material[key_len..2 * key_len];
    let client_salt = &material[2 * key_len..2 * key_len + salt_len];
    let server_salt = &material[2 * key_len + salt_len..2 * (key_len + salt_len)];
    let client = [client_key, client_salt].concat();
    let server = [server_key, server_salt].concat();
    let (local_key_and_salt, remote_key_and_salt) = if we_are_client {
        (client, server)
    } else {
        (server, client)
    };
    SrtpKeys {
        profile: name,
        local_key_and_salt,
        remote_key_and_salt,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_follows_rfc5764_layout() {
        // ck=1,1 sk=2,2 cs=3 ss=4 with key 2, salt 1.
        let m = [1, 1, 2, 2, 3, 4];
        let c = split("x", 2, 1, &m, true);
        assert_eq!(c.local_key_and_salt, vec![1, 1, 3]);
        assert_eq!(c.remote_key_and_salt, vec![2, 2, 4]);
        let s = split("x", 2, 1, &m, false);
        assert_eq!(s.local_key_and_salt, c.remote_key_and_salt);
        assert_eq!(s.remote_key_and_salt, c.local_key_and_salt);
        assert!(!format!("{c:?}").contains("[1, 1, 3]"));
    }

    #[test]
    fn every_offered_profile_has_lengths() {
        for p in SRTP_PROFILES {
            assert!(profile_params(p).is_some());
        }
    }
}
