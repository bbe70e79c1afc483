//! STUN parsing (`ferrosoup::ice::stun`): validation rules, attribute
//! accessors, MESSAGE-INTEGRITY checking and FINGERPRINT. Input: one flag
//! byte, then the message. With flag bit 0 the harness first recomputes the
//! length field, MESSAGE-INTEGRITY and FINGERPRINT (as a peer knowing the
//! password would), so mutations get past both checks.
//!
//! Invariants: a message whose integrity the harness computed authenticates
//! (the harness's HMAC is written independently of the crate's); the
//! message type round-trips; what the parser reads, written back with
//! `StunWriter` and protected, parses to the same values and authenticates.

#![no_main]

use ferrosoup::ice::stun::{
    message_type, split_message_type, AuthResult, Class, StunMessage, StunWriter,
};
use ferrosoup_fuzz::stun::fix_up;
use ferrosoup_fuzz::{ICE_PASSWORD, ICE_PASSWORD2};
use libfuzzer_sys::fuzz_target;

fn rebuild(m: &StunMessage<'_>, password: &[u8]) {
    let mut out = vec![0u8; 2048];
    let mut w =
        StunWriter::new(&mut out, m.class(), m.method(), m.transaction_id()).expect("header fits");
    if let Some(u) = m.username() {
        w.add_username(u).unwrap();
    }
    if let Some(p) = m.priority() {
        w.add_priority(p).unwrap();
    }
    if let Some(t) = m.ice_controlling() {
        w.add_ice_controlling(t).unwrap();
    }
    if let Some(t) = m.ice_controlled() {
        w.add_ice_controlled(t).unwrap();
    }
    if m.use_candidate() {
        w.add_use_candidate().unwrap();
    }
    if let Some(n) = m.nomination() {
        w.add_nomination(n).unwrap();
    }
    if let Some(s) = m.software() {
        w.add_software(s).unwrap();
    }
    let mut error = None;
    if let Some((code, reason)) = m.error_code() {
        w.add_error_code(code, reason).unwrap();
        // A number byte >= 100 reads as a code the 3-bit class cannot hold.
        if code < 800 {
            error = Some((code, reason));
        }
    }
    if let Some(addr) = m.xor_mapped_address() {
        w.add_xor_mapped_address(addr).unwrap();
    }
    let n = w.protect(Some(password)).expect("fits");
    let again = StunMessage::parse(&out[..n]).expect("writer output parses");
    assert_eq!(again.class(), m.class());
    assert_eq!(again.method(), m.method());
    assert_eq!(again.transaction_id(), m.transaction_id());
    assert_eq!(again.username(), m.username());
    assert_eq!(again.priority(), m.priority());
    assert_eq!(again.ice_controlling(), m.ice_controlling());
    assert_eq!(again.ice_controlled(), m.ice_controlled());
    assert_eq!(again.use_candidate(), m.use_candidate());
    assert_eq!(again.nomination(), m.nomination());
    assert_eq!(again.software(), m.software());
    assert_eq!(again.xor_mapped_address(), m.xor_mapped_address());
    if error.is_some() {
        assert_eq!(again.error_code(), error);
    }
    assert!(again.has_message_integrity() && again.has_fingerprint());
    let ufrag = ufrag_of(&again);
    if !matches!(m.class(), Class::Request | Class::Indication) || ufrag.is_some() {
        assert_eq!(
            again.check_authentication(ufrag.unwrap_or(b""), password),
            AuthResult::Ok
        );
    }
}

/// The local ufrag a USERNAME claims ("ufrag:remote" -> "ufrag").
fn ufrag_of<'a>(m: &StunMessage<'a>) -> Option<&'a [u8]> {
    let u = m.username()?;
    let colon = u.iter().position(|&b| b == b':')?;
    (colon > 0).then(|| &u[..colon])
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, msg)) = data.split_first() else {
        return;
    };
    let password = if flags & 2 == 0 {
        ICE_PASSWORD.as_bytes()
    } else {
        ICE_PASSWORD2.as_bytes()
    };
    let mut msg = msg.to_vec();
    let fixed = flags & 1 == 1;
    if fixed {
        fix_up(&mut msg, password);
    }
    let _ = ferrosoup::ice::stun::is_stun(&msg);
    let Ok(m) = StunMessage::parse(&msg) else {
        return;
    };
    assert_eq!(m.as_bytes(), &msg[..]);
    assert_eq!(&m.transaction_id()[..], &msg[8..20]);
    let t = message_type(m.class(), m.method());
    assert_eq!(split_message_type(t), (m.class(), m.method()));
    // Methods are 12 bits; the top two type bits are zero for STUN.
    assert_eq!(t, u16::from_be_bytes([msg[0], msg[1]]));
    let _ = (m.error_code(), m.xor_mapped_address(), m.has_nomination());

    let is_req = matches!(m.class(), Class::Request | Class::Indication);
    for (ufrag, pwd) in [
        (ufrag_of(&m), password),
        (Some(&b"x"[..]), &b"wrong"[..]),
        (Some(&b""[..]), password),
    ] {
        let r = m.check_authentication(ufrag.unwrap_or(b""), pwd);
        if !m.has_message_integrity() {
            assert_eq!(r, AuthResult::BadMessage);
        }
    }
    if fixed && m.has_message_integrity() {
        let ufrag = ufrag_of(&m);
        if !is_req || ufrag.is_some() {
            assert_eq!(
                m.check_authentication(ufrag.unwrap_or(b""), password),
                AuthResult::Ok,
                "integrity computed with the password must verify"
            );
        }
    }
    rebuild(&m, password);
});
