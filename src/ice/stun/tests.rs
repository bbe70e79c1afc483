//! Known answers from RFC 5769, round trips, and robustness against
//! arbitrary bytes.

use super::*;
use rand::{rngs::StdRng, Rng, SeedableRng};

const PASSWORD: &[u8] = b"VOkJxbRl1RmTxUk/WvJxBt";

/// RFC 5769 section 2.1, sample request (short-term credentials).
const REQUEST: [u8; 108] = [
    0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x10, 0x53, 0x54, 0x55, 0x4e, 0x20, 0x74, 0x65, 0x73,
    0x74, 0x20, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x00, 0x24, 0x00, 0x04, 0x6e, 0x00, 0x01, 0xff,
    0x80, 0x29, 0x00, 0x08, 0x93, 0x2f, 0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36, 0x00, 0x06, 0x00, 0x09,
    0x65, 0x76, 0x74, 0x6a, 0x3a, 0x68, 0x36, 0x76, 0x59, 0x20, 0x20, 0x20, 0x00, 0x08, 0x00, 0x14,
    0x9a, 0xea, 0xa7, 0x0c, 0xbf, 0xd8, 0xcb, 0x56, 0x78, 0x1e, 0xf2, 0xb5, 0xb2, 0xd3, 0xf2, 0x49,
    0xc1, 0xb5, 0x71, 0xa2, 0x80, 0x28, 0x00, 0x04, 0xe5, 0x7a, 0x3b, 0xcf,
];

/// RFC 5769 section 2.2, sample IPv4 response.
const RESPONSE_V4: [u8; 80] = [
    0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63,
    0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
    0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99, 0xfd, 0x9e, 0x90, 0xc3, 0x8c, 0x74, 0x89, 0xf9,
    0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7, 0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96,
];

/// RFC 5769 section 2.3, sample IPv6 response.
const RESPONSE_V6: [u8; 92] = [
    0x01, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63,
    0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x14, 0x00, 0x02, 0xa1, 0x47, 0x01, 0x13, 0xa9, 0xfa,
    0xa5, 0xd3, 0xf1, 0x79, 0xbc, 0x25, 0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9, 0x00, 0x08, 0x00, 0x14,
    0xa3, 0x82, 0x95, 0x4e, 0x4b, 0xe6, 0x7b, 0xf1, 0x17, 0x84, 0xc9, 0x7c, 0x82, 0x92, 0xc2, 0x75,
    0xbf, 0xe3, 0xed, 0x41, 0x80, 0x28, 0x00, 0x04, 0xc8, 0xfb, 0x0b, 0x4c,
];

const TID: [u8; 12] = [
    0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
];

#[test]
fn rfc5769_request() {
    assert!(is_stun(&REQUEST));
    let m = StunMessage::parse(&REQUEST).unwrap();
    assert_eq!(m.class(), Class::Request);
    assert_eq!(m.method(), METHOD_BINDING);
    assert_eq!(m.transaction_id(), &TID);
    assert_eq!(m.software(), Some(&b"STUN test client"[..]));
    assert_eq!(m.priority(), Some(0x6e0001ff));
    assert_eq!(m.ice_controlled(), Some(0x932ff9b1_51263b36));
    assert_eq!(m.ice_controlling(), None);
    assert_eq!(m.username(), Some(&b"evtj:h6vY"[..]));
    assert!(m.has_fingerprint());
    assert_eq!(m.check_authentication(b"evtj", PASSWORD), AuthResult::Ok);
    assert_eq!(
        m.check_authentication(b"evtj", b"wrong"),
        AuthResult::Unauthorized
    );
    assert_eq!(
        m.check_authentication(b"evt", PASSWORD),
        AuthResult::Unauthorized
    );
    assert_eq!(
        m.check_authentication(b"h6vY", PASSWORD),
        AuthResult::Unauthorized
    );
    assert_eq!(
        m.check_authentication(b"", PASSWORD),
        AuthResult::BadMessage
    );
}

#[test]
fn rfc5769_responses() {
    let m = StunMessage::parse(&RESPONSE_V4).unwrap();
    assert_eq!(m.class(), Class::SuccessResponse);
    assert_eq!(
        m.xor_mapped_address(),
        Some("192.0.2.1:32853".parse().unwrap())
    );
    assert_eq!(m.check_authentication(b"", PASSWORD), AuthResult::Ok);

    let m = StunMessage::parse(&RESPONSE_V6).unwrap();
    assert_eq!(
        m.xor_mapped_address(),
        Some(
            "[2001:db8:1234:5678:11:2233:4455:6677]:32853"
                .parse()
                .unwrap()
        )
    );
    assert_eq!(m.check_authentication(b"", PASSWORD), AuthResult::Ok);
    assert_eq!(
        m.check_authentication(b"", b"nope"),
        AuthResult::Unauthorized
    );
}

/// Our writer reproduces the RFC's bytes exactly (the RFC pads with
/// spaces where we pad with zeros, so those bytes are patched in).
#[test]
fn writer_reproduces_rfc5769() {
    let mut buf = [0u8; 128];
    let mut w = StunWriter::new(&mut buf, Class::Request, METHOD_BINDING, &TID).unwrap();
    w.add_software(b"STUN test client").unwrap();
    w.add_priority(0x6e0001ff).unwrap();
    w.add_ice_controlled(0x932ff9b1_51263b36).unwrap();
    w.add_username(b"evtj:h6vY").unwrap();
    w.raw_mut()[73..76].fill(0x20);
    let len = w.protect(Some(PASSWORD)).unwrap();
    assert_eq!(&buf[..len], &REQUEST[..]);

    for (addr, expected) in [
        ("192.0.2.1:32853", &RESPONSE_V4[..]),
        (
            "[2001:db8:1234:5678:11:2233:4455:6677]:32853",
            &RESPONSE_V6[..],
        ),
    ] {
        let mut buf = [0u8; 128];
        let mut w =
            StunWriter::new(&mut buf, Class::SuccessResponse, METHOD_BINDING, &TID).unwrap();
        w.add_software(b"test vector").unwrap();
        w.raw_mut()[35] = 0x20;
        w.add_xor_mapped_address(addr.parse().unwrap()).unwrap();
        let len = w.protect(Some(PASSWORD)).unwrap();
        assert_eq!(&buf[..len], expected);
    }
}

#[test]
fn round_trip_with_integrity_and_fingerprint() {
    let tid = [7u8; 12];
    let mut buf = [0u8; 256];
    let mut w = StunWriter::new(&mut buf, Class::Request, METHOD_BINDING, &tid).unwrap();
    w.add_username(b"local:remote").unwrap();
    w.add_priority(1_853_817_087).unwrap();
    w.add_ice_controlling(42).unwrap();
    w.add_use_candidate().unwrap();
    w.add_nomination(3).unwrap();
    w.add_attribute(attr::NOMINATION_OLD, &9u32.to_be_bytes())
        .unwrap();
    w.add_error_code(487, b"Role Conflict").unwrap();
    w.add_xor_mapped_address("[::1]:9".parse().unwrap())
        .unwrap();
    let len = w.protect(Some(b"secret")).unwrap();
    let m = StunMessage::parse(&buf[..len]).unwrap();
    assert_eq!(m.class(), Class::Request);
    assert_eq!(m.transaction_id(), &tid);
    assert_eq!(m.username(), Some(&b"local:remote"[..]));
    assert_eq!(m.priority(), Some(1_853_817_087));
    assert_eq!(m.ice_controlling(), Some(42));
    assert!(m.use_candidate());
    // The standard type wins over libwebrtc's, as in mediasoup.
    assert_eq!(m.nomination(), Some(3));
    assert_eq!(m.error_code(), Some((487, &b"Role Conflict"[..])));
    assert_eq!(m.xor_mapped_address(), Some("[::1]:9".parse().unwrap()));
    assert!(m.has_fingerprint() && m.has_message_integrity());
    assert_eq!(m.check_authentication(b"local", b"secret"), AuthResult::Ok);

    // Any flipped bit before FINGERPRINT breaks it (so parse fails).
    for i in 0..len - 4 {
        let mut bad = buf;
        bad[i] ^= 0x10;
        if let Ok(m) = StunMessage::parse(&bad[..len]) {
            panic!("byte {i} flip accepted: {:?}", m.class());
        }
    }
}

#[test]
fn error_response_without_integrity() {
    let mut buf = [0u8; 64];
    let mut w = StunWriter::new(&mut buf, Class::ErrorResponse, METHOD_BINDING, &TID).unwrap();
    w.add_error_code(401, b"x").unwrap();
    let len = w.protect(None).unwrap();
    let m = StunMessage::parse(&buf[..len]).unwrap();
    assert_eq!(m.class(), Class::ErrorResponse);
    assert_eq!(m.error_code(), Some((401, &b"x"[..])));
    assert!(m.has_fingerprint() && !m.has_message_integrity());
    assert_eq!(m.check_authentication(b"", b""), AuthResult::BadMessage);
}

#[test]
fn message_type_bits() {
    assert_eq!(message_type(Class::Request, METHOD_BINDING), 0x0001);
    assert_eq!(message_type(Class::Indication, METHOD_BINDING), 0x0011);
    assert_eq!(message_type(Class::SuccessResponse, METHOD_BINDING), 0x0101);
    assert_eq!(message_type(Class::ErrorResponse, METHOD_BINDING), 0x0111);
    for t in 0..0x4000u16 {
        let (c, m) = split_message_type(t);
        assert_eq!(message_type(c, m), t);
    }
}

#[test]
fn writer_reports_small_buffers() {
    let mut tiny = [0u8; 19];
    assert!(matches!(
        StunWriter::new(&mut tiny, Class::Request, 1, &TID),
        Err(StunError::BufferTooSmall)
    ));
    let mut buf = [0u8; 40];
    let mut w = StunWriter::new(&mut buf, Class::Request, 1, &TID).unwrap();
    w.add_username(b"0123456789").unwrap();
    assert_eq!(w.protect(Some(b"k")), Err(StunError::BufferTooSmall));
}

fn sample() -> ([u8; 256], usize) {
    let mut buf = [0u8; 256];
    let mut w = StunWriter::new(&mut buf, Class::Request, METHOD_BINDING, &TID).unwrap();
    w.add_username(b"abc:def").unwrap();
    w.add_priority(1).unwrap();
    w.add_use_candidate().unwrap();
    let len = w.protect(Some(b"pw")).unwrap();
    (buf, len)
}

#[test]
fn rejects_malformed() {
    let (buf, len) = sample();
    let ok = &buf[..len];
    assert!(StunMessage::parse(ok).is_ok());
    // Truncated anywhere.
    for n in 0..len {
        assert!(StunMessage::parse(&ok[..n]).is_err(), "prefix {n}");
    }
    // Trailing garbage.
    let mut long = ok.to_vec();
    long.extend_from_slice(&[0, 0, 0, 0]);
    assert_eq!(StunMessage::parse(&long).unwrap_err(), StunError::BadLength);
    // Not STUN at all.
    assert_eq!(
        StunMessage::parse(&[0x80; 40]).unwrap_err(),
        StunError::NotStun
    );
    assert!(!is_stun(&[0x16, 0xfe, 0xfd]));
    let mut cookie = buf;
    cookie[4] = 0;
    assert!(!is_stun(&cookie[..len]));
}

#[test]
fn rejects_structural_violations() {
    let mk = |f: &mut dyn FnMut(&mut StunWriter)| {
        let mut buf = [0u8; 128];
        let mut w = StunWriter::new(&mut buf, Class::Request, 1, &TID).unwrap();
        f(&mut w);
        let n = w.finish();
        StunMessage::parse(&buf[..n]).map(|_| ())
    };
    assert_eq!(
        mk(&mut |w| {
            w.add_priority(1).unwrap();
            w.add_priority(2).unwrap();
        }),
        Err(StunError::Duplicate(attr::PRIORITY))
    );
    assert_eq!(
        mk(&mut |w| w.add_attribute(attr::PRIORITY, &[1, 2]).unwrap()),
        Err(StunError::BadAttribute(attr::PRIORITY))
    );
    assert_eq!(
        mk(&mut |w| w.add_attribute(attr::USE_CANDIDATE, &[1]).unwrap()),
        Err(StunError::BadAttribute(attr::USE_CANDIDATE))
    );
    assert_eq!(
        mk(&mut |w| {
            w.add_attribute(attr::MESSAGE_INTEGRITY, &[0; 20]).unwrap();
            w.add_priority(1).unwrap();
        }),
        Err(StunError::AfterIntegrity)
    );
    assert_eq!(
        mk(&mut |w| w.add_attribute(attr::FINGERPRINT, &[0; 4]).unwrap()),
        Err(StunError::BadFingerprint)
    );
    // Unknown attributes, even comprehension-required ones, are skipped.
    assert_eq!(
        mk(&mut |w| w.add_attribute(0x0003, &[1, 2, 3]).unwrap()),
        Ok(())
    );
    // An attribute after a valid FINGERPRINT (computed with the final
    // length field, so only the ordering rule can reject it).
    let mut buf = [0u8; 48];
    let mut w = StunWriter::new(&mut buf, Class::Request, 1, &TID).unwrap();
    w.add_priority(1).unwrap();
    let n = w.finish();
    buf[3] = 24;
    let fp = crate::ice::crc32::crc32(&buf[..n]) ^ FINGERPRINT_XOR;
    buf[n..n + 4].copy_from_slice(&[0x80, 0x28, 0, 4]);
    buf[n + 4..n + 8].copy_from_slice(&fp.to_be_bytes());
    buf[n + 8..n + 16].copy_from_slice(&[0x00, 0x24, 0, 4, 0, 0, 0, 1]);
    assert_eq!(
        StunMessage::parse(&buf[..n + 16]).unwrap_err(),
        StunError::AfterFingerprint
    );
    // An attribute length reaching past the end.
    let (mut buf, len) = sample();
    buf[23] = 200;
    assert_eq!(
        StunMessage::parse(&buf[..len]).unwrap_err(),
        StunError::Truncated
    );
}

/// Seeded mutation fuzzing: parsing and authenticating arbitrary bytes must
/// never panic.
#[test]
fn random_mutations_never_panic() {
    let mut rng = StdRng::seed_from_u64(0x05EE_D1CE);
    let seeds: [&[u8]; 4] = [
        &REQUEST,
        &RESPONSE_V4,
        &RESPONSE_V6,
        &sample().0[..sample().1],
    ];
    let mut accepted = 0;
    for i in 0..100_000 {
        let seed = seeds[i % seeds.len()];
        let mut buf = [0u8; 160];
        let mut len = seed.len();
        buf[..len].copy_from_slice(seed);
        for _ in 0..rng.gen_range(1..6) {
            match rng.gen_range(0..4) {
                0 if len > 0 => buf[rng.gen_range(0..len)] = rng.gen(),
                1 if len > 0 => buf[rng.gen_range(0..len)] ^= 1 << rng.gen_range(0..8),
                2 => len = rng.gen_range(0..=len),
                3 => len = (len + rng.gen_range(0..16)).min(buf.len()),
                _ => {}
            }
        }
        // Keep the length field consistent half of the time, to get past
        // the first check and exercise the attribute walk.
        if i % 2 == 0 && len >= HEADER_LEN {
            let body = (len - HEADER_LEN) as u16;
            buf[2..4].copy_from_slice(&body.to_be_bytes());
        }
        let data = &buf[..len];
        if let Ok(m) = StunMessage::parse(data) {
            accepted += 1;
            let _ = m.check_authentication(b"evtj", PASSWORD);
            let _ = m.xor_mapped_address();
            let _ = m.error_code();
            let _ = (m.nomination(), m.priority(), m.username());
        }
    }
    // Truncations at attribute boundaries with a fixed-up length stay
    // valid, so the accepting path was exercised too.
    assert!(accepted > 100, "accepted {accepted}");
    // Pure random bytes too.
    for _ in 0..20_000 {
        let len = rng.gen_range(0..120);
        let mut buf = [0u8; 120];
        rng.fill(&mut buf[..len]);
        buf[0] &= 0x03;
        if len >= 8 {
            buf[4..8].copy_from_slice(&MAGIC_COOKIE);
        }
        let _ = StunMessage::parse(&buf[..len]).map(|m| m.check_authentication(b"a", b"b"));
    }
}
