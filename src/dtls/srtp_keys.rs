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

/// What [`ClientHelloReader::push`] has seen so far.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum HelloProgress {
    /// The whole ClientHello: the SRTP profile ids (RFC 5764 use_srtp) it
    /// offers, in the client's order (empty without the extension).
    Complete(Vec<u16>),
    /// Fragments of it, not all yet.
    Incomplete,
    /// No ClientHello, or one we cannot read.
    Unreadable,
}

/// Reassembles the peer's first ClientHello from its handshake fragments
/// (Chrome's, with its post-quantum key share, spans two datagrams).
#[derive(Default)]
pub(super) struct ClientHelloReader {
    body: Vec<u8>,
    /// Byte ranges of `body` received so far.
    have: Vec<(usize, usize)>,
    /// message_seq of the ClientHello being read.
    message_seq: Option<u16>,
}

/// Largest ClientHello we reassemble (more is not a WebRTC peer's).
const MAX_CLIENT_HELLO: usize = 16 * 1024;

impl ClientHelloReader {
    /// Takes the handshake records of one datagram.
    pub(super) fn push(&mut self, datagram: &[u8]) -> HelloProgress {
        const RECORD_HEADER: usize = 13;
        const HANDSHAKE_HEADER: usize = 12;
        let mut at = 0;
        while at + RECORD_HEADER <= datagram.len() {
            let len = u16::from_be_bytes([datagram[at + 11], datagram[at + 12]]) as usize;
            let Some(record) = datagram.get(at + RECORD_HEADER..at + RECORD_HEADER + len) else {
                break;
            };
            let epoch = u16::from_be_bytes([datagram[at + 3], datagram[at + 4]]);
            at += RECORD_HEADER + len;
            // Epoch-0 handshake records holding ClientHello (1) fragments.
            if datagram[at - RECORD_HEADER - len] != 22 || epoch != 0 {
                continue;
            }
            let mut h = 0;
            while h + HANDSHAKE_HEADER <= record.len() {
                let u24 = |i: usize| {
                    u32::from_be_bytes([0, record[i], record[i + 1], record[i + 2]]) as usize
                };
                let (kind, length) = (record[h], u24(h + 1));
                let message_seq = u16::from_be_bytes([record[h + 4], record[h + 5]]);
                let (offset, fragment) = (u24(h + 6), u24(h + 9));
                let Some(bytes) = record.get(h + HANDSHAKE_HEADER..h + HANDSHAKE_HEADER + fragment)
                else {
                    return HelloProgress::Unreadable;
                };
                h += HANDSHAKE_HEADER + fragment;
                if kind != 1 {
                    continue;
                }
                if length > MAX_CLIENT_HELLO || offset + fragment > length {
                    return HelloProgress::Unreadable;
                }
                match self.message_seq {
                    None => {
                        self.message_seq = Some(message_seq);
                        self.body = vec![0; length];
                    }
                    Some(seq) if seq != message_seq || self.body.len() != length => continue,
                    Some(_) => {}
                }
                self.body[offset..offset + fragment].copy_from_slice(bytes);
                self.have.push((offset, offset + fragment));
            }
        }
        if self.message_seq.is_none() {
            return HelloProgress::Unreadable;
        }
        self.have.sort_unstable();
        let mut covered = 0;
        for &(start, end) in &self.have {
            if start > covered {
                return HelloProgress::Incomplete;
            }
            covered = covered.max(end);
        }
        if covered < self.body.len() {
            return HelloProgress::Incomplete;
        }
        match client_hello_srtp_profiles(&self.body) {
            Some(profiles) => HelloProgress::Complete(profiles),
            None => HelloProgress::Unreadable,
        }
    }
}

/// The use_srtp profile ids of a whole ClientHello body (empty list without
/// the extension); None if malformed.
fn client_hello_srtp_profiles(body: &[u8]) -> Option<Vec<u16>> {
    const USE_SRTP: u16 = 14;
    let u16_at = |at: usize| -> Option<usize> {
        Some(u16::from_be_bytes([*body.get(at)?, *body.get(at + 1)?]) as usize)
    };
    // version(2) random(32) session_id cookie cipher_suites compression.
    let mut at = 34;
    at += 1 + *body.get(at)? as usize;
    at += 1 + *body.get(at)? as usize;
    at += 2 + u16_at(at)?;
    at += 1 + *body.get(at)? as usize;
    if at == body.len() {
        return Some(Vec::new());
    }
    let extensions_end = (at + 2 + u16_at(at)?).min(body.len());
    at += 2;
    while at + 4 <= extensions_end {
        let (kind, len) = (u16_at(at)? as u16, u16_at(at + 2)?);
        let data = body.get(at + 4..at + 4 + len)?;
        if kind == USE_SRTP {
            let list_len = u16::from_be_bytes([*data.first()?, *data.get(1)?]) as usize;
            let list = data.get(2..2 + list_len)?;
            return Some(
                list.chunks_exact(2)
                    .map(|c| u16::from_be_bytes([c[0], c[1]]))
                    .collect(),
            );
        }
        at += 4 + len;
    }
    Some(Vec::new())
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

    /// A ClientHello body with one extension: use_srtp offering 1 and 8.
    fn client_hello_body() -> Vec<u8> {
        let ext = [0u8, 14, 0, 7, 0, 4, 0, 1, 0, 8, 0];
        let mut body = vec![0xfe, 0xfd];
        body.extend_from_slice(&[7u8; 32]); // random
        body.push(0); // session id
        body.push(0); // cookie
        body.extend_from_slice(&[0, 2, 0xc0, 0x2b]); // cipher suites
        body.extend_from_slice(&[1, 0]); // compression
        body.extend_from_slice(&(ext.len() as u16).to_be_bytes());
        body.extend_from_slice(&ext);
        body
    }

    /// A datagram of one epoch-0 handshake record holding a fragment.
    fn fragment_datagram(kind: u8, body: &[u8], offset: usize, len: usize) -> Vec<u8> {
        let u24 = |v: usize| (v as u32).to_be_bytes()[1..].to_vec();
        let mut record = vec![kind];
        record.extend(u24(body.len()));
        record.extend_from_slice(&[0, 0]);
        record.extend(u24(offset));
        record.extend(u24(len));
        record.extend_from_slice(&body[offset..offset + len]);
        let mut datagram = vec![22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0];
        datagram.extend_from_slice(&(record.len() as u16).to_be_bytes());
        datagram.extend_from_slice(&record);
        datagram
    }

    #[test]
    fn client_hello_profiles_are_read_from_fragments() {
        let body = client_hello_body();
        let whole = fragment_datagram(1, &body, 0, body.len());
        assert_eq!(
            ClientHelloReader::default().push(&whole),
            HelloProgress::Complete(vec![1, 8])
        );
        // In two datagrams, the second one first.
        let mut reader = ClientHelloReader::default();
        let split = 30;
        let tail = fragment_datagram(1, &body, split, body.len() - split);
        assert_eq!(reader.push(&tail), HelloProgress::Incomplete);
        let head = fragment_datagram(1, &body, 0, split);
        assert_eq!(reader.push(&head), HelloProgress::Complete(vec![1, 8]));
        // Truncated, or not a ClientHello: unreadable.
        assert_eq!(
            ClientHelloReader::default().push(&whole[..40]),
            HelloProgress::Unreadable
        );
        let other = fragment_datagram(2, &body, 0, body.len());
        assert_eq!(
            ClientHelloReader::default().push(&other),
            HelloProgress::Unreadable
        );
        // No extensions at all: nothing offered.
        let bare = &body[..body.len() - 13];
        assert_eq!(
            ClientHelloReader::default().push(&fragment_datagram(1, bare, 0, bare.len())),
            HelloProgress::Complete(vec![])
        );
    }

    #[test]
    fn every_offered_profile_has_lengths() {
        for p in SRTP_PROFILES {
            assert!(profile_params(p).is_some());
        }
    }
}
