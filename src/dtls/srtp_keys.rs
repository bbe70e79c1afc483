//! DTLS-SRTP (RFC 5764): the profiles we negotiate and the keys we export.

use rtc_dtls::extension::extension_use_srtp::SrtpProtectionProfile;

/// Offered/accepted profiles, mediasoup's preference order. When we are the
/// DTLS server `rtc-dtls` picks the first of the *client's* list we support,
/// while OpenSSL (mediasoup) picks by the server's order: see
/// [`server_choice`], which restores mediasoup's choice.
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

/// The SRTP profile ids (RFC 5764 use_srtp) a datagram's ClientHello
/// offers, in the client's order; None if the datagram does not start with
/// a whole (unfragmented) ClientHello carrying the extension.
pub(super) fn client_hello_srtp_profiles(datagram: &[u8]) -> Option<Vec<u16>> {
    const RECORD_HEADER: usize = 13;
    const HANDSHAKE_HEADER: usize = 12;
    const USE_SRTP: u16 = 14;
    let u16_at = |b: &[u8], at: usize| -> Option<usize> {
        Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]) as usize)
    };
    let u24_at = |b: &[u8], at: usize| -> Option<usize> {
        Some(u32::from_be_bytes([0, *b.get(at)?, *b.get(at + 1)?, *b.get(at + 2)?]) as usize)
    };
    // Handshake record (22) holding a ClientHello (1).
    if *datagram.first()? != 22 {
        return None;
    }
    let record_len = u16_at(datagram, 11)?;
    let record = datagram.get(RECORD_HEADER..RECORD_HEADER + record_len)?;
    if *record.first()? != 1 {
        return None;
    }
    let length = u24_at(record, 1)?;
    let (offset, fragment) = (u24_at(record, 6)?, u24_at(record, 9)?);
    if offset != 0 || fragment != length {
        return None;
    }
    let body = record.get(HANDSHAKE_HEADER..HANDSHAKE_HEADER + length)?;
    // version(2) random(32) session_id cookie cipher_suites compression.
    let mut at = 34;
    at += 1 + *body.get(at)? as usize;
    at += 1 + *body.get(at)? as usize;
    at += 2 + u16_at(body, at)?;
    at += 1 + *body.get(at)? as usize;
    let extensions_end = at + 2 + u16_at(body, at)?;
    at += 2;
    while at + 4 <= extensions_end.min(body.len()) {
        let (kind, len) = (u16_at(body, at)? as u16, u16_at(body, at + 2)?);
        let data = body.get(at + 4..at + 4 + len)?;
        if kind == USE_SRTP {
            let list_len = u16_at(data, 0)?;
            let list = data.get(2..2 + list_len)?;
            return Some(
                list.chunks_exact(2)
                    .map(|c| u16::from_be_bytes([c[0], c[1]]))
                    .collect(),
            );
        }
        at += 4 + len;
    }
    None
}

/// What we accept as DTLS server for a client offering `offered`: only our
/// most preferred profile it supports (so `rtc-dtls` selects it, as OpenSSL
/// does for mediasoup: Chrome lists AES_CM_128_HMAC_SHA1_80 before the GCM
/// profiles); our whole list when nothing matches (its alert then says so).
pub(super) fn server_choice(
    ours: &[SrtpProtectionProfile],
    offered: &[u16],
) -> Vec<SrtpProtectionProfile> {
    ours.iter()
        .find(|p| offered.contains(&(**p as u16)))
        .map(|p| vec![*p])
        .unwrap_or_else(|| ours.to_vec())
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
    fn server_prefers_its_own_order() {
        use SrtpProtectionProfile::*;
        // Chrome's order: CM-80 first, then the GCM profiles.
        assert_eq!(
            server_choice(&SRTP_PROFILES, &[1, 8, 7]),
            vec![Srtp_Aead_Aes_256_Gcm]
        );
        assert_eq!(
            server_choice(&SRTP_PROFILES, &[2, 1]),
            vec![Srtp_Aes128_Cm_Hmac_Sha1_80]
        );
        assert_eq!(server_choice(&SRTP_PROFILES, &[9]), SRTP_PROFILES.to_vec());
    }

    #[test]
    fn client_hello_profiles_are_read() {
        // A record holding a ClientHello with one extension (use_srtp
        // offering 0x0001 and 0x0008, no MKI).
        let ext = [0u8, 14, 0, 7, 0, 4, 0, 1, 0, 8, 0];
        let mut body = vec![0xfe, 0xfd];
        body.extend_from_slice(&[7u8; 32]); // random
        body.push(0); // session id
        body.push(0); // cookie
        body.extend_from_slice(&[0, 2, 0xc0, 0x2b]); // cipher suites
        body.extend_from_slice(&[1, 0]); // compression
        body.extend_from_slice(&(ext.len() as u16).to_be_bytes());
        body.extend_from_slice(&ext);
        let len = body.len() as u32;
        let mut record = vec![1];
        record.extend_from_slice(&len.to_be_bytes()[1..]);
        record.extend_from_slice(&[0, 0, 0, 0, 0]);
        record.extend_from_slice(&len.to_be_bytes()[1..]);
        record.extend_from_slice(&body);
        let mut datagram = vec![22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0];
        datagram.extend_from_slice(&(record.len() as u16).to_be_bytes());
        datagram.extend_from_slice(&record);
        assert_eq!(client_hello_srtp_profiles(&datagram), Some(vec![1, 8]));
        // Truncated or not a ClientHello: nothing.
        assert_eq!(client_hello_srtp_profiles(&datagram[..40]), None);
        datagram[13] = 2;
        assert_eq!(client_hello_srtp_profiles(&datagram), None);
    }

    #[test]
    fn every_offered_profile_has_lengths() {
        for p in SRTP_PROFILES {
            assert!(profile_params(p).is_some());
        }
    }
}
