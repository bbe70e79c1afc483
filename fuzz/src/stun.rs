//! STUN inputs that get past FINGERPRINT and MESSAGE-INTEGRITY: the fuzzer
//! mutates the message and [`fix_up`] recomputes both checks, the way a real
//! peer (or attacker who knows the password) would produce them.

use ferrosoup::ice::crc32::crc32;
use ferrosoup::ice::stun::{attr, Class, StunWriter, FINGERPRINT_XOR, HEADER_LEN};
use hmac::{Hmac, Mac};
use sha1::Sha1;

/// Rewrites the length field to match `msg`, then recomputes a
/// MESSAGE-INTEGRITY (with `password`) and a trailing FINGERPRINT if the
/// attribute walk finds them where the parser expects them. Messages the
/// walk cannot frame are left alone apart from the length field.
pub fn fix_up(msg: &mut [u8], password: &[u8]) {
    if msg.len() < HEADER_LEN || msg.len() - HEADER_LEN > u16::MAX as usize {
        return;
    }
    let body = (msg.len() - HEADER_LEN) as u16;
    msg[2..4].copy_from_slice(&body.to_be_bytes());
    let mut pos = HEADER_LEN;
    let mut integrity_at = None;
    let mut fingerprint_at = None;
    while pos + 4 <= msg.len() {
        let typ = u16::from_be_bytes([msg[pos], msg[pos + 1]]);
        let len = u16::from_be_bytes([msg[pos + 2], msg[pos + 3]]) as usize;
        if pos + 4 + len > msg.len() {
            return;
        }
        match (typ, len) {
            (attr::MESSAGE_INTEGRITY, 20) if integrity_at.is_none() => integrity_at = Some(pos),
            (attr::FINGERPRINT, 4) => fingerprint_at = Some(pos),
            _ => {}
        }
        pos += (4 + len + 3) & !3;
    }
    if let Some(at) = integrity_at {
        // The HMAC covers a header whose length ends right after MI.
        let len = (at + 24 - HEADER_LEN) as u16;
        let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(password).expect("any key");
        mac.update(&msg[..2]);
        mac.update(&len.to_be_bytes());
        mac.update(&msg[4..at]);
        let tag = mac.finalize().into_bytes();
        msg[at + 4..at + 24].copy_from_slice(&tag);
    }
    if let Some(at) = fingerprint_at {
        let fp = crc32(&msg[..at]) ^ FINGERPRINT_XOR;
        msg[at + 4..at + 8].copy_from_slice(&fp.to_be_bytes());
    }
}

/// What goes into a Binding request built by [`binding_request`].
#[derive(Debug, Clone, Default)]
pub struct Request<'a> {
    pub transaction_id: [u8; 12],
    /// Full USERNAME value ("localUfrag:remoteUfrag").
    pub username: Option<&'a [u8]>,
    pub priority: Option<u32>,
    pub controlling: Option<u64>,
    pub controlled: Option<u64>,
    pub use_candidate: bool,
    pub nomination: Option<u32>,
    pub software: Option<&'a [u8]>,
    /// Add MESSAGE-INTEGRITY with this password (and always FINGERPRINT).
    pub password: Option<&'a [u8]>,
    pub fingerprint: bool,
    pub class: Option<Class>,
    pub method: Option<u16>,
}

/// Writes the request into `out` and returns its length (0 if it does not
/// fit).
pub fn binding_request(r: &Request<'_>, out: &mut [u8]) -> usize {
    let Ok(mut w) = StunWriter::new(
        out,
        r.class.unwrap_or(Class::Request),
        r.method.unwrap_or(ferrosoup::ice::stun::METHOD_BINDING),
        &r.transaction_id,
    ) else {
        return 0;
    };
    let mut ok = true;
    if let Some(u) = r.username {
        ok &= w.add_username(u).is_ok();
    }
    if let Some(p) = r.priority {
        ok &= w.add_priority(p).is_ok();
    }
    if let Some(t) = r.controlling {
        ok &= w.add_ice_controlling(t).is_ok();
    }
    if let Some(t) = r.controlled {
        ok &= w.add_ice_controlled(t).is_ok();
    }
    if r.use_candidate {
        ok &= w.add_use_candidate().is_ok();
    }
    if let Some(n) = r.nomination {
        ok &= w.add_nomination(n).is_ok();
    }
    if let Some(s) = r.software {
        ok &= w.add_software(s).is_ok();
    }
    if !ok {
        return 0;
    }
    if r.fingerprint || r.password.is_some() {
        w.protect(r.password).unwrap_or(0)
    } else {
        w.finish()
    }
}
