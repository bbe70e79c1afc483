//! Zero-copy STUN parsing. Validation follows mediasoup's StunPacket: exact
//! length, 4-byte alignment, fixed sizes for known attributes, no duplicate
//! known attributes, only FINGERPRINT after MESSAGE-INTEGRITY, nothing after
//! FINGERPRINT, and a FINGERPRINT that must match.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

use hmac::{Hmac, Mac};
use sha1::Sha1;
use subtle::ConstantTimeEq;

use super::{
    attr, is_stun, pad4, split_message_type, Class, StunError, FINGERPRINT_XOR, HEADER_LEN,
    MAGIC_COOKIE, MESSAGE_INTEGRITY_LEN, SOFTWARE_MAX_LEN, USERNAME_MAX_LEN,
};
use crate::ice::crc32::crc32;

/// A parsed message borrowing the datagram. Values are decoded lazily.
#[derive(Debug, Clone, Copy)]
pub struct StunMessage<'a> {
    data: &'a [u8],
    class: Class,
    method: u16,
    username: Option<&'a [u8]>,
    priority: Option<u32>,
    ice_controlling: Option<u64>,
    ice_controlled: Option<u64>,
    use_candidate: bool,
    nomination: Option<u32>,
    nomination_old: Option<u32>,
    software: Option<&'a [u8]>,
    xor_mapped_address: Option<&'a [u8]>,
    error_code: Option<&'a [u8]>,
    /// Offset of the MESSAGE-INTEGRITY attribute header within `data`.
    integrity_at: Option<usize>,
    fingerprint: bool,
}

/// Outcome of checking short-term credentials, as mediasoup distinguishes
/// them: a missing USERNAME/MESSAGE-INTEGRITY is a bad message (400), a
/// mismatch is unauthorized (401).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthResult {
    Ok,
    Unauthorized,
    BadMessage,
}

fn be16(b: &[u8]) -> u16 {
    u16::from_be_bytes([b[0], b[1]])
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

fn be64(b: &[u8]) -> u64 {
    u64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
}

/// Store a known attribute once; a second copy makes the message invalid.
fn once<T>(slot: &mut Option<T>, typ: u16, value: T) -> Result<(), StunError> {
    if slot.is_some() {
        return Err(StunError::Duplicate(typ));
    }
    *slot = Some(value);
    Ok(())
}

fn exact(typ: u16, v: &[u8], len: usize) -> Result<&[u8], StunError> {
    if v.len() == len {
        Ok(v)
    } else {
        Err(StunError::BadAttribute(typ))
    }
}

impl<'a> StunMessage<'a> {
    /// Parse one whole datagram (its length must be the message length).
    pub fn parse(data: &'a [u8]) -> Result<Self, StunError> {
        if !is_stun(data) {
            return Err(StunError::NotStun);
        }
        let msg_len = be16(&data[2..]) as usize;
        if msg_len != data.len() - HEADER_LEN || !msg_len.is_multiple_of(4) {
            return Err(StunError::BadLength);
        }
        let (class, method) = split_message_type(be16(data));
        let mut m = StunMessage {
            data,
            class,
            method,
            username: None,
            priority: None,
            ice_controlling: None,
            ice_controlled: None,
            use_candidate: false,
            nomination: None,
            nomination_old: None,
            software: None,
            xor_mapped_address: None,
            error_code: None,
            integrity_at: None,
            fingerprint: false,
        };
        let mut pos = HEADER_LEN;
        while pos + 4 <= data.len() {
            let typ = be16(&data[pos..]);
            let len = be16(&data[pos + 2..]) as usize;
            let start = pos + 4;
            if start + len > data.len() {
                return Err(StunError::Truncated);
            }
            if m.fingerprint {
                return Err(StunError::AfterFingerprint);
            }
            if m.integrity_at.is_some() && typ != attr::FINGERPRINT {
                return Err(StunError::AfterIntegrity);
            }
            let v = &data[start..start + len];
            m.attribute(typ, v, pos)?;
            pos += pad4(4 + len);
        }
        if pos != data.len() {
            return Err(StunError::BadLength);
        }
        Ok(m)
    }

    fn attribute(&mut self, typ: u16, v: &'a [u8], at: usize) -> Result<(), StunError> {
        match typ {
            attr::USERNAME => {
                if v.len() > USERNAME_MAX_LEN {
                    return Err(StunError::BadAttribute(typ));
                }
                once(&mut self.username, typ, v)
            }
            attr::PRIORITY => once(&mut self.priority, typ, be32(exact(typ, v, 4)?)),
            attr::ICE_CONTROLLING => once(&mut self.ice_controlling, typ, be64(exact(typ, v, 8)?)),
            attr::ICE_CONTROLLED => once(&mut self.ice_controlled, typ, be64(exact(typ, v, 8)?)),
            attr::USE_CANDIDATE => {
                exact(typ, v, 0)?;
                if self.use_candidate {
                    return Err(StunError::Duplicate(typ));
                }
                self.use_candidate = true;
                Ok(())
            }
            attr::NOMINATION => once(&mut self.nomination, typ, be32(exact(typ, v, 4)?)),
            attr::NOMINATION_OLD => once(&mut self.nomination_old, typ, be32(exact(typ, v, 4)?)),
            attr::SOFTWARE => {
                if v.len() > SOFTWARE_MAX_LEN {
                    return Err(StunError::BadAttribute(typ));
                }
                once(&mut self.software, typ, v)
            }
            attr::XOR_MAPPED_ADDRESS => {
                if v.len() != 8 && v.len() != 20 {
                    return Err(StunError::BadAttribute(typ));
                }
                once(&mut self.xor_mapped_address, typ, v)
            }
            attr::ERROR_CODE => {
                if v.len() < 4 {
                    return Err(StunError::BadAttribute(typ));
                }
                once(&mut self.error_code, typ, v)
            }
            attr::MESSAGE_INTEGRITY => {
                exact(typ, v, MESSAGE_INTEGRITY_LEN)?;
                once(&mut self.integrity_at, typ, at)
            }
            attr::FINGERPRINT => {
                let value = be32(exact(typ, v, 4)?);
                // CRC over everything before this attribute, with the length
                // field as received (it already counts FINGERPRINT).
                if crc32(&self.data[..at]) ^ FINGERPRINT_XOR != value {
                    return Err(StunError::BadFingerprint);
                }
                self.fingerprint = true;
                Ok(())
            }
            // Unknown (including comprehension-required) attributes are
            // ignored, as mediasoup does.
            _ => Ok(()),
        }
    }

    pub fn class(&self) -> Class {
        self.class
    }

    pub fn method(&self) -> u16 {
        self.method
    }

    pub fn transaction_id(&self) -> &'a [u8; 12] {
        self.data[8..20].try_into().expect("header checked")
    }

    /// The whole datagram this message was parsed from.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.data
    }

    pub fn username(&self) -> Option<&'a [u8]> {
        self.username
    }

    pub fn priority(&self) -> Option<u32> {
        self.priority
    }

    pub fn ice_controlling(&self) -> Option<u64> {
        self.ice_controlling
    }

    pub fn ice_controlled(&self) -> Option<u64> {
        self.ice_controlled
    }

    pub fn use_candidate(&self) -> bool {
        self.use_candidate
    }

    /// Either NOMINATION attribute present.
    pub fn has_nomination(&self) -> bool {
        self.nomination.is_some() || self.nomination_old.is_some()
    }

    /// NOMINATION value, preferring the standard type over libwebrtc's.
    pub fn nomination(&self) -> Option<u32> {
        self.nomination.or(self.nomination_old)
    }

    pub fn software(&self) -> Option<&'a [u8]> {
        self.software
    }

    pub fn has_message_integrity(&self) -> bool {
        self.integrity_at.is_some()
    }

    /// True when a FINGERPRINT was present (it was verified by `parse`).
    pub fn has_fingerprint(&self) -> bool {
        self.fingerprint
    }

    /// ERROR-CODE as (code, reason phrase).
    pub fn error_code(&self) -> Option<(u16, &'a [u8])> {
        let v = self.error_code?;
        let code = (v[2] & 0x07) as u16 * 100 + v[3] as u16;
        Some((code, &v[4..]))
    }

    /// XOR-MAPPED-ADDRESS decoded; None when absent or of unknown family.
    pub fn xor_mapped_address(&self) -> Option<SocketAddr> {
        let v = self.xor_mapped_address?;
        let port = be16(&v[2..]) ^ be16(&MAGIC_COOKIE);
        match (v[1], v.len()) {
            (0x01, 8) => {
                let mut ip = [0u8; 4];
                for (i, b) in ip.iter_mut().enumerate() {
                    *b = v[4 + i] ^ MAGIC_COOKIE[i];
                }
                Some(SocketAddr::new(Ipv4Addr::from(ip).into(), port))
            }
            (0x02, 20) => {
                let tid = self.transaction_id();
                let mut ip = [0u8; 16];
                for (i, b) in ip.iter_mut().enumerate() {
                    let key = if i < 4 { MAGIC_COOKIE[i] } else { tid[i - 4] };
                    *b = v[4 + i] ^ key;
                }
                Some(SocketAddr::new(Ipv6Addr::from(ip).into(), port))
            }
            _ => None,
        }
    }

    /// Check short-term credentials the way mediasoup does. For requests and
    /// indications USERNAME must be "<ufrag>:<anything>" (the part after the
    /// colon, the remote ufrag, is not known to an ICE-lite server); for
    /// responses pass an empty `ufrag`.
    pub fn check_authentication(&self, ufrag: &[u8], password: &[u8]) -> AuthResult {
        let Some(mi_at) = self.integrity_at else {
            return AuthResult::BadMessage;
        };
        if matches!(self.class, Class::Request | Class::Indication) {
            let Some(username) = self.username else {
                return AuthResult::BadMessage;
            };
            if ufrag.is_empty() {
                return AuthResult::BadMessage;
            }
            let ok = username.len() > ufrag.len()
                && username[ufrag.len()] == b':'
                && &username[..ufrag.len()] == ufrag;
            if !ok {
                return AuthResult::Unauthorized;
            }
        }
        if self.integrity_matches(mi_at, password) {
            AuthResult::Ok
        } else {
            AuthResult::Unauthorized
        }
    }

    /// HMAC-SHA1 over the message up to MESSAGE-INTEGRITY, with the length
    /// field rewritten to end right after it (i.e. excluding FINGERPRINT).
    fn integrity_matches(&self, mi_at: usize, password: &[u8]) -> bool {
        let expected = &self.data[mi_at + 4..mi_at + 4 + MESSAGE_INTEGRITY_LEN];
        integrity(self.data, mi_at, password).ct_eq(expected).into()
    }
}

/// MESSAGE-INTEGRITY value for `msg[..mi_at]` followed by an integrity
/// attribute at `mi_at`. Streams the pieces so nothing is copied.
pub(super) fn integrity(msg: &[u8], mi_at: usize, password: &[u8]) -> [u8; 20] {
    let len = (mi_at + 4 + MESSAGE_INTEGRITY_LEN - HEADER_LEN) as u16;
    let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(password).expect("HMAC takes any key");
    mac.update(&msg[..2]);
    mac.update(&len.to_be_bytes());
    mac.update(&msg[4..mi_at]);
    mac.finalize().into_bytes().into()
}
