//! RTP rewrite tests: extension values in place, RTX encoding and payload
//! shifts (vectors from mediasoup's TestRtpPacket.cpp).

use super::tests_packet::{buf_with, PACKET1, PACKET3};
use super::*;

#[test]
fn extension_mut_writes_in_place() {
    let mut b = PACKET3;
    let mut p = RtpPacket::parse(&mut b, PACKET3.len()).unwrap();
    assert!(ext::write_abs_send_time(p.extension_mut(3).unwrap(), 1000));
    assert_eq!(
        ext::read_abs_send_time(p.extension(3).unwrap()),
        Some(1 << 18)
    );
    assert!(p.extension_mut(9).is_none());
    assert_eq!(p.extension(1), Some(&[0xd0][..]));
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
    // Everything but payload type, SSRC, sequence number and payload stays.
    assert_eq!(&p.data()[12..28], &b[12..28]);
}

#[test]
fn rtx_needs_capacity() {
    let mut b = PACKET1;
    let mut p = RtpPacket::parse(&mut b, PACKET1.len()).unwrap();
    assert_eq!(p.rtx_encode(97, 1, 1), Err(RtpError::BufferTooSmall));
    assert_eq!(p.data(), &PACKET1[..]); // unchanged
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
    assert_eq!(p.sequence_number(), 100);
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
    p.shift_payload(4, 4, true).unwrap();
    assert_eq!((p.payload_len(), p.len()), (12, 40));
    assert_eq!(&p.payload()[..4], &[0, 1, 2, 3]);
    assert_eq!(&p.payload()[8..12], &[4, 5, 6, 7]);
    assert_eq!(p.shift_payload(13, 1, true), Err(RtpError::InvalidArgument));
    assert_eq!(
        p.shift_payload(10, 3, false),
        Err(RtpError::InvalidArgument)
    );
    assert_eq!(p.shift_payload(0, 100, true), Err(RtpError::BufferTooSmall));
}
