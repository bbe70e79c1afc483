//! RTP rewrite tests: header extension blocks, extension lists, RTX,
//! padding and payload shifts (vectors from mediasoup's TestRtpPacket.cpp).

use super::tests_packet::{buf_with, PACKET1, PACKET3};
use super::*;

#[test]
fn extension_mut_and_set_len() {
    let mut b = PACKET3;
    let mut p = RtpPacket::parse(&mut b, PACKET3.len()).unwrap();
    assert!(ext::write_abs_send_time(p.extension_mut(3).unwrap(), 1000));
    assert_eq!(
        ext::read_abs_send_time(p.extension(3).unwrap()),
        Some(1 << 18)
    );
    assert!(p.extension_mut(9).is_none());
    p.set_extension_len(3, 2).unwrap();
    assert_eq!(p.extension(3), Some(&[0x04, 0x00][..]));
    assert_eq!(p.extension(1), Some(&[0xd0][..]));
    assert_eq!(p.set_extension_len(3, 5), Err(RtpError::InvalidArgument));
    assert_eq!(p.set_extension_len(3, 0), Err(RtpError::InvalidArgument));
    assert_eq!(p.set_extension_len(7, 1), Err(RtpError::InvalidArgument));
}

#[test]
fn rtx_mediasoup_vector() {
    let b = [
        0x90, 0x01, 0x00, 0x08, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x05, 0x10, 0x00, 0x00,
        0x03, 0x01, 0x00, 0x02, 0x01, 0xff, 0x00, 0x03, 0x04, 0xff, 0xff, 0xff, 0xff, 0x11, 0x11,
        0x11, 0x11,
    ];
    let mut buf = buf_with(&b, 64);
    let mut p = RtpPacket::parse(&mut buf, b.len()).unwrap();
    assert_eq!(p.payload_len(), 4);
    assert_eq!(p.extension_block().unwrap().len(), 12);
    p.rtx_encode(102, 6, 80).unwrap();
    assert_eq!(
        (
            p.payload_type(),
            p.sequence_number(),
            p.ssrc(),
            p.timestamp()
        ),
        (102, 80, 6, 4)
    );
    assert_eq!(p.payload(), &[0x00, 0x08, 0x11, 0x11, 0x11, 0x11]);
    assert!(p.has_two_byte_extensions());
    // Re-parse the encoded bytes to make sure they are consistent.
    let len = p.len();
    let reparsed = RtpPacketRef::parse(p.data(), len).unwrap();
    assert_eq!(reparsed.payload_len(), 6);
    p.rtx_decode(1, 5).unwrap();
    assert_eq!(
        (
            p.payload_type(),
            p.sequence_number(),
            p.ssrc(),
            p.timestamp()
        ),
        (1, 8, 5, 4)
    );
    assert_eq!(p.payload(), &[0x11; 4]);
    assert_eq!(p.data(), &b[..]);
}

#[test]
fn rtx_needs_capacity_and_payload() {
    let mut b = PACKET1;
    let mut p = RtpPacket::parse(&mut b, PACKET1.len()).unwrap();
    assert_eq!(p.rtx_encode(97, 1, 1), Err(RtpError::BufferTooSmall));
    assert_eq!(p.data(), &PACKET1[..]); // unchanged
    let mut h = [0x80, 0x61, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9, 0xaa];
    let mut p = RtpPacket::parse(&mut h, 13).unwrap();
    assert_eq!(p.rtx_decode(96, 1), Err(RtpError::PayloadTooShort));
}

#[test]
fn rtx_removes_padding() {
    // 4 payload bytes + 3 padding bytes, 2 bytes spare.
    let b = [
        0xa0, 0x60, 0x00, 0x07, 0, 0, 0, 1, 0, 0, 0, 2, 1, 2, 3, 4, 0, 0, 3,
    ];
    let mut buf = buf_with(&b, b.len() + 2);
    let mut p = RtpPacket::parse(&mut buf, b.len()).unwrap();
    assert_eq!(p.padding_len(), 3);
    p.rtx_encode(97, 3, 100).unwrap();
    assert_eq!(p.padding_len(), 0);
    assert_eq!(p.payload(), &[0, 7, 1, 2, 3, 4]);
    assert_eq!(p.data()[0] & 0x20, 0);
    let n = p.len();
    assert_eq!(n, 18);
    p.rtx_decode(96, 2).unwrap();
    assert_eq!(p.payload(), &[1, 2, 3, 4]);
    assert_eq!(p.sequence_number(), 7);
}

#[test]
fn shift_payload_mediasoup_vector() {
    let mut buf = [
        0xb0, 0x01, 0x00, 0x08, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x05, 0xbe, 0xde, 0x00,
        0x03, 0x10, 0xff, 0x21, 0xff, 0xff, 0x00, 0x00, 0x33, 0xff, 0xff, 0xff, 0xff, 0x00, 0x01,
        0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x00, 0x00, 0x00, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0,
    ];
    let mut p = RtpPacket::parse(&mut buf[..], 40).unwrap();
    assert_eq!(p.payload_len(), 8);
    assert_eq!(p.padding_len(), 4);
    assert_eq!(p.len(), 40);
    assert_eq!(p.payload(), &[0, 1, 2, 3, 4, 5, 6, 7]);
    p.shift_payload(0, 2, true).unwrap();
    assert_eq!((p.payload_len(), p.padding_len(), p.len()), (10, 0, 38));
    assert_eq!(&p.payload()[2..], &[0, 1, 2, 3, 4, 5, 6, 7]);
    p.shift_payload(0, 2, false).unwrap();
    assert_eq!((p.payload_len(), p.len()), (8, 36));
    assert_eq!(p.payload(), &[0, 1, 2, 3, 4, 5, 6, 7]);
    p.set_payload_len(14).unwrap();
    assert_eq!((p.payload_len(), p.len()), (14, 42));
    p.shift_payload(4, 4, true).unwrap();
    assert_eq!((p.payload_len(), p.len()), (18, 46));
    assert_eq!(&p.payload()[..4], &[0, 1, 2, 3]);
    assert_eq!(&p.payload()[8..12], &[4, 5, 6, 7]);
    assert_eq!(p.set_payload_len(1000), Err(RtpError::BufferTooSmall));
    assert_eq!(p.shift_payload(19, 1, true), Err(RtpError::InvalidArgument));
    assert_eq!(
        p.shift_payload(10, 9, false),
        Err(RtpError::InvalidArgument)
    );
    assert_eq!(p.shift_payload(0, 100, true), Err(RtpError::BufferTooSmall));
}

fn padded_packet() -> Vec<u8> {
    // mediasoup "set One-Byte header extensions": 12 payload + 4 padding, 24 spare.
    let b = [
        0xa0, 0x01, 0x00, 0x08, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x05, 0x11, 0x22, 0x33,
        0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0x00, 0x00, 0x00, 0x04,
    ];
    buf_with(&b, 28 + 32)
}

fn check_payload_intact(p: &RtpPacket<'_>) {
    assert_eq!(p.payload_len(), 12);
    assert_eq!(p.padding_len(), 4);
    assert_eq!(p.payload()[0], 0x11);
    assert_eq!(p.payload()[11], 0xcc);
    assert_eq!(p.data()[p.len() - 1], 4);
    // The written bytes parse back to the same layout.
    let q = RtpPacketRef::parse(p.data(), p.len()).unwrap();
    assert_eq!(q.payload(), p.payload());
    assert_eq!(q.header_len(), p.header_len());
}

#[test]
fn set_one_byte_extensions_mediasoup() {
    let mut buf = padded_packet();
    let mut p = RtpPacket::parse(&mut buf, 28).unwrap();
    let v1 = [1u8, 2, 3, 4];
    let v2 = [1u8, 2, 3, 4, 5, 6, 7, 8, 9, 0x10, 0x11];
    let exts: [(u8, &[u8]); 5] = [(0, &v1), (15, &v1), (22, &v1), (1, &v1), (2, &v2)];
    p.set_extensions_form(ExtensionForm::OneByte, &exts)
        .unwrap();
    assert_eq!(p.len(), 52);
    assert_eq!(p.extension_profile(), Some(0xBEDE));
    assert_eq!(p.extension_block().unwrap().len(), 20);
    check_payload_intact(&p);
    assert_eq!(p.extension(1), Some(&v1[..]));
    assert_eq!(p.extension(2), Some(&v2[..]));
    assert_eq!(p.extension(15), None);
    p.set_extensions_form(ExtensionForm::OneByte, &[(14, &v1)])
        .unwrap();
    assert_eq!(p.len(), 40);
    assert_eq!(p.extension_block().unwrap().len(), 8);
    check_payload_intact(&p);
    assert_eq!(p.extension(1), None);
    assert_eq!(p.extension(14), Some(&v1[..]));
    p.set_extension_len(14, 3).unwrap();
    assert_eq!(p.extension(14), Some(&v1[..3]));
}

#[test]
fn set_two_byte_extensions_mediasoup() {
    let mut buf = padded_packet();
    let mut p = RtpPacket::parse(&mut buf, 28).unwrap();
    let v1 = [1u8, 2, 3, 4];
    let v2 = [1u8, 2, 3, 4, 5, 6, 7, 8, 9, 0x10, 0x11];
    let exts: [(u8, &[u8]); 3] = [(0, &v1), (1, &v1), (22, &v2)];
    // Auto picks two-byte because of id 22.
    p.set_extensions(&exts).unwrap();
    assert_eq!(p.len(), 52);
    assert_eq!(p.extension_profile(), Some(0x1000));
    assert_eq!(p.extension_block().unwrap().len(), 20);
    check_payload_intact(&p);
    assert_eq!(p.extension(1), Some(&v1[..]));
    assert_eq!(p.extension(22), Some(&v2[..]));
    p.set_extension_len(1, 2).unwrap();
    assert_eq!(p.extension(1), Some(&v1[..2]));
    assert_eq!(p.extension(22), Some(&v2[..]));
    p.set_extensions_form(ExtensionForm::TwoByte, &[(24, &v1)])
        .unwrap();
    assert_eq!(p.len(), 40);
    check_payload_intact(&p);
    assert_eq!(p.extension(22), None);
    assert_eq!(p.extension(24), Some(&v1[..]));
    // Empty value forces two-byte in auto mode.
    p.set_extensions(&[(3, &[]), (4, &[9])]).unwrap();
    assert!(p.has_two_byte_extensions());
    assert_eq!(p.extension(4), Some(&[9][..]));
    let too_long = [0u8; 256];
    assert_eq!(
        p.set_extensions(&[(1, &too_long)]),
        Err(RtpError::BadExtension)
    );
}

#[test]
fn set_extensions_grow_shrink_remove() {
    let mut buf = padded_packet();
    let mut p = RtpPacket::parse(&mut buf, 28).unwrap();
    p.set_extensions(&[(1, b"abc"), (3, &[0, 0, 1])]).unwrap();
    assert!(p.has_one_byte_extensions());
    assert_eq!(p.extension(1), Some(&b"abc"[..]));
    check_payload_intact(&p);
    p.set_extensions(&[(1, b"longer-mid-value"), (3, &[0, 0, 1]), (5, &[7, 7])])
        .unwrap();
    assert_eq!(p.extension(1), Some(&b"longer-mid-value"[..]));
    assert_eq!(p.extension(5), Some(&[7, 7][..]));
    check_payload_intact(&p);
    p.set_extensions(&[(3, &[0, 0, 2])]).unwrap();
    assert_eq!(p.extension_block().unwrap().len(), 4);
    check_payload_intact(&p);
    p.set_extensions(&[]).unwrap();
    assert!(!p.has_extension());
    assert_eq!(p.len(), 28);
    check_payload_intact(&p);
    // Not enough capacity: error and untouched packet.
    let big = [1u8; 16];
    let many: Vec<(u8, &[u8])> = (1..=14).map(|i| (i, &big[..])).collect();
    let before = p.data().to_vec();
    assert_eq!(p.set_extensions(&many), Err(RtpError::BufferTooSmall));
    assert_eq!(p.data(), &before[..]);
}

#[test]
fn set_extensions_with_csrcs() {
    // CC=2, no extension, payload 2 bytes.
    let b = [
        0x82, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 10, 0, 0, 0, 11, 0xab, 0xcd,
    ];
    let mut buf = buf_with(&b, 64);
    let mut p = RtpPacket::parse(&mut buf, b.len()).unwrap();
    assert_eq!(p.csrcs().collect::<Vec<_>>(), vec![10, 11]);
    p.set_extensions(&[(2, &[1, 2])]).unwrap();
    assert_eq!(p.csrc(1), Some(11));
    assert_eq!(p.csrc(2), None);
    assert_eq!(p.extension(2), Some(&[1, 2][..]));
    assert_eq!(p.payload(), &[0xab, 0xcd]);
    assert_eq!(p.header_len(), 12 + 8 + 8);
}

#[test]
fn extension_list_round_trip_with_id_mapping() {
    let mut buf = buf_with(&PACKET3, 200);
    let mut p = RtpPacket::parse(&mut buf, PACKET3.len()).unwrap();
    let payload = p.payload().to_vec();
    let mut list = ExtensionList::new();
    // Map producer ids (3 = abs-send-time, 1 = audio level) to 4 and 10,
    // and add a MID.
    p.copy_extensions_into(&mut list, |id| match id {
        3 => Some(4),
        1 => Some(10),
        _ => None,
    })
    .unwrap();
    list.push(1, b"0").unwrap();
    assert_eq!(list.len(), 3);
    p.set_extension_list(ExtensionForm::Auto, &list).unwrap();
    assert_eq!(p.extension(4), Some(&[0x65, 0x34, 0x1e][..]));
    assert_eq!(p.extension(10), Some(&[0xd0][..]));
    assert_eq!(ext::read_mid(p.extension(1).unwrap()), Some("0"));
    assert_eq!(p.extension(3), None);
    assert_eq!(p.payload(), &payload[..]);
}

#[test]
fn extension_list_ops() {
    let mut l = ExtensionList::new();
    assert!(l.is_empty());
    l.push(1, b"aa").unwrap();
    l.push(2, b"bbb").unwrap();
    l.push(3, b"c").unwrap();
    l.set(2, b"BBBBB").unwrap();
    assert_eq!(l.get(2), Some(&b"BBBBB"[..]));
    assert_eq!(l.get(3), Some(&b"c"[..]));
    l.set(1, b"x").unwrap();
    assert_eq!(l.get(1), Some(&b"x"[..]));
    assert_eq!(l.get(2), Some(&b"BBBBB"[..]));
    assert_eq!(l.get(3), Some(&b"c"[..]));
    l.set(3, b"z").unwrap();
    l.get_mut(3).unwrap()[0] = b'y';
    assert!(l.remove(1));
    assert!(!l.remove(1));
    let v: Vec<(u8, Vec<u8>)> = l.iter().map(|(i, v)| (i, v.to_vec())).collect();
    assert_eq!(v, vec![(2, b"BBBBB".to_vec()), (3, b"y".to_vec())]);
    l.set(4, b"new").unwrap();
    assert_eq!(l.len(), 3);
    assert_eq!(l.push(5, &[0u8; 256]), Err(RtpError::InvalidArgument));
    for i in 0..29 {
        l.push(10 + i, b"q").unwrap();
    }
    assert_eq!(l.push(200, b"q"), Err(RtpError::InvalidArgument));
    l.clear();
    assert_eq!(l.len(), 0);
    let big = [0u8; 255];
    l.push(1, &big).unwrap();
    l.push(2, &big).unwrap();
    assert_eq!(l.push(3, &[0u8; 3]), Err(RtpError::InvalidArgument));
}

#[test]
fn padding_ops() {
    let mut buf = padded_packet();
    let mut p = RtpPacket::parse(&mut buf, 28).unwrap();
    assert_eq!(p.padding_len(), 4);
    p.remove_padding();
    assert_eq!((p.padding_len(), p.len(), p.payload_len()), (0, 24, 12));
    assert_eq!(p.data()[0] & 0x20, 0);
    p.set_padding(7).unwrap();
    assert_eq!((p.padding_len(), p.len(), p.payload_len()), (7, 31, 12));
    let q = RtpPacketRef::parse(p.data(), p.len()).unwrap();
    assert_eq!(q.padding_len(), 7);
    assert_eq!(p.set_padding(255), Err(RtpError::BufferTooSmall));
    p.set_padding(0).unwrap();
    assert_eq!(p.len(), 24);
}
