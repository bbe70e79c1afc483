//! RTP packet tests: mediasoup's TestRtpPacket.cpp vectors, parsing,
//! accessors, malformed input.

use super::*;

// worker/test/data/packet1.raw (Opus, one-byte extensions).
pub(super) const PACKET1: [u8; 54] = [
    0x90, 0x6f, 0x5c, 0x41, 0x62, 0xf5, 0x47, 0xda, 0x9f, 0x71, 0x08, 0xe2, 0xbe, 0xde, 0x00, 0x01,
    0x10, 0xff, 0x00, 0x00, 0xba, 0xe2, 0x1a, 0x9d, 0xa2, 0x78, 0x76, 0x09, 0x8d, 0xb8, 0xe2, 0x77,
    0xd0, 0x41, 0xd9, 0xc0, 0xf1, 0xe7, 0x8a, 0x69, 0x9a, 0xf0, 0xee, 0x8f, 0x98, 0x7c, 0xd5, 0x17,
    0xc2, 0x2b, 0x92, 0xdc, 0x9b, 0x23,
];

// worker/test/data/packet3.raw (Opus, audio level + abs-send-time).
pub(super) const PACKET3: [u8; 102] = [
    0x90, 0x6f, 0x4b, 0x9a, 0x33, 0x77, 0x72, 0x3d, 0x0e, 0x0d, 0xfa, 0xd2, 0xbe, 0xde, 0x00, 0x02,
    0x32, 0x65, 0x34, 0x1e, 0x10, 0xd0, 0x00, 0x00, 0x09, 0x4f, 0x43, 0x83, 0x21, 0x37, 0x20, 0xa1,
    0x6a, 0x02, 0xf5, 0xc7, 0x0e, 0xea, 0xe3, 0x71, 0xc2, 0x85, 0x56, 0x44, 0x6d, 0x5b, 0x5c, 0xfb,
    0xb4, 0x4e, 0x83, 0x25, 0x4c, 0x1a, 0xe3, 0x6e, 0x11, 0x2f, 0xf8, 0x18, 0xd3, 0x8e, 0x68, 0xe9,
    0x11, 0xe9, 0x61, 0x3d, 0x96, 0x8e, 0x2f, 0x4b, 0xee, 0x26, 0x74, 0xfb, 0xc1, 0xeb, 0x23, 0x01,
    0x65, 0xc4, 0xa1, 0xea, 0x37, 0xd7, 0x0a, 0x1e, 0xea, 0x6e, 0xe5, 0x38, 0x4a, 0xf3, 0xce, 0xa2,
    0x2a, 0xb4, 0xc6, 0x21, 0x02, 0x11,
];

pub(super) fn buf_with(bytes: &[u8], cap: usize) -> Vec<u8> {
    let mut v = vec![0u8; cap.max(bytes.len())];
    v[..bytes.len()].copy_from_slice(bytes);
    v
}

#[test]
fn parse_packet1() {
    let p = RtpPacketRef::parse(&PACKET1[..], PACKET1.len()).unwrap();
    assert!(!p.marker());
    assert!(p.has_extension());
    assert_eq!(p.payload_type(), 111);
    assert_eq!(p.sequence_number(), 23617);
    assert_eq!(p.timestamp(), 1660241882);
    assert_eq!(p.ssrc(), 2674985186);
    assert_eq!(p.extension_profile(), Some(0xBEDE));
    assert_eq!(p.extension_block().unwrap().len(), 4);
    assert!(p.has_one_byte_extensions() && !p.has_two_byte_extensions());
    assert_eq!(p.extension(10), None);
    assert_eq!(p.extension(1), Some(&[0xff][..]));
    assert_eq!(p.header_len(), 20);
    assert_eq!(p.payload_len(), 34);
    assert_eq!(p.data(), &PACKET1[..]);
}

#[test]
fn parse_packet3_extensions() {
    let p = RtpPacketRef::parse(&PACKET3[..], PACKET3.len()).unwrap();
    assert_eq!(p.payload_type(), 111);
    assert_eq!(p.sequence_number(), 19354);
    assert_eq!(p.timestamp(), 863466045);
    assert_eq!(p.ssrc(), 235797202);
    assert_eq!(p.extension_block().unwrap().len(), 8);
    assert_eq!(
        ext::read_audio_level(p.extension(1).unwrap()),
        Some((true, 0b1010000))
    );
    assert_eq!(
        ext::read_abs_send_time(p.extension(3).unwrap()),
        Some(0x65341e)
    );
    let all: Vec<(u8, Vec<u8>)> = p.extensions().map(|(i, v)| (i, v.to_vec())).collect();
    assert_eq!(all, vec![(3, vec![0x65, 0x34, 0x1e]), (1, vec![0xd0])]);
}

#[test]
fn parse_without_extension_and_is_rtp() {
    let b = [
        0x80, 0x01, 0x00, 0x08, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x05,
    ];
    let p = RtpPacketRef::parse(&b[..], b.len()).unwrap();
    assert!(!p.has_extension() && !p.marker());
    assert_eq!(
        (
            p.payload_type(),
            p.sequence_number(),
            p.timestamp(),
            p.ssrc()
        ),
        (1, 8, 4, 5)
    );
    assert_eq!(p.extension_profile(), None);
    assert_eq!(p.payload_len(), 0);
    assert!(RtpPacketRef::is_rtp(&b));
    assert!(!RtpPacketRef::is_rtp(&b[..11]));
    // RTCP SR (second byte 200) is not RTP.
    let mut rtcp = b;
    rtcp[1] = 200;
    assert!(!RtpPacketRef::is_rtp(&rtcp));
    // Marker set + PT 72 is 200 too; PT 72 without marker is RTP.
    rtcp[1] = 72;
    assert!(RtpPacketRef::is_rtp(&rtcp));
    let mut bad = b;
    bad[0] = 0x40;
    assert!(!RtpPacketRef::is_rtp(&bad));
}

#[test]
fn one_byte_extension_vector() {
    let b = [
        0x90, 0x01, 0x00, 0x08, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x05, 0xbe, 0xde, 0x00,
        0x03, 0x10, 0xff, 0x21, 0xff, 0xff, 0x00, 0x00, 0x33, 0xff, 0xff, 0xff, 0xff,
    ];
    let p = RtpPacketRef::parse(&b[..], b.len()).unwrap();
    assert_eq!(p.extension_block().unwrap().len(), 12);
    assert_eq!(p.payload_len(), 0);
    assert_eq!(p.len(), 28);
    assert_eq!(p.extension(1), Some(&[0xff][..]));
    assert_eq!(p.extension(2), Some(&[0xff, 0xff][..]));
    assert_eq!(p.extension(3), Some(&[0xff; 4][..]));
    assert_eq!(p.extension(4), None);
    assert_eq!(p.extension(0), None);
}

#[test]
fn two_byte_extension_vector() {
    let b = [
        0x90, 0x01, 0x00, 0x08, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x05, 0x10, 0x00, 0x00,
        0x04, 0x00, 0x00, 0x01, 0x00, 0x02, 0x01, 0x42, 0x00, 0x03, 0x02, 0x11, 0x22, 0x00, 0x00,
        0x04, 0x00,
    ];
    let p = RtpPacketRef::parse(&b[..], b.len()).unwrap();
    assert!(p.has_two_byte_extensions() && !p.has_one_byte_extensions());
    assert_eq!(p.extension_block().unwrap().len(), 16);
    assert_eq!(p.extension(1), None); // zero length
    assert_eq!(p.extension(2), Some(&[0x42][..]));
    assert_eq!(p.extension(3), Some(&[0x11, 0x22][..]));
    assert_eq!(p.extension(4), None);
    assert_eq!(p.extension(5), None);
    assert_eq!(p.extensions().count(), 4);
}

#[test]
fn setters_and_copy() {
    let mut b = PACKET1;
    let mut p = RtpPacket::parse(&mut b, PACKET1.len()).unwrap();
    p.set_marker(true);
    p.set_payload_type(0xff);
    p.set_sequence_number(0xabcd);
    p.set_timestamp(0x01020304);
    p.set_ssrc(0xdeadbeef);
    assert!(p.marker());
    assert_eq!(p.payload_type(), 0x7f);
    p.set_payload_type(100);
    assert!(p.marker());
    assert_eq!(
        (
            p.payload_type(),
            p.sequence_number(),
            p.timestamp(),
            p.ssrc()
        ),
        (100, 0xabcd, 0x01020304, 0xdeadbeef)
    );
    p.payload_mut()[0] = 0x42;
    let mut dst = [0u8; 100];
    let c = p.copy_to(&mut dst).unwrap();
    assert_eq!(c.payload()[0], 0x42);
    assert_eq!(c.capacity(), 100);
    assert_eq!(c.extension(1), Some(&[0xff][..]));
    assert!(p.copy_to(&mut [0u8; 10]).is_err());
    let v = p.view();
    assert_eq!(v.ssrc(), 0xdeadbeef);
    let (inner, len) = p.into_parts();
    assert_eq!(len, 54);
    assert_eq!(inner[1], 0x80 | 100);
}

#[test]
fn write_header_then_parse() {
    let mut buf = [0u8; 32];
    let n = write_rtp_header(&mut buf, 96, true, 7, 9, 11).unwrap();
    buf[n..n + 3].copy_from_slice(&[1, 2, 3]);
    let p = RtpPacket::parse(&mut buf, n + 3).unwrap();
    assert!(p.marker());
    assert_eq!(
        (
            p.payload_type(),
            p.sequence_number(),
            p.timestamp(),
            p.ssrc()
        ),
        (96, 7, 9, 11)
    );
    assert_eq!(p.payload(), &[1, 2, 3]);
    assert!(write_rtp_header(&mut [0u8; 11], 96, false, 0, 0, 0).is_err());
}

#[test]
fn malformed_packets() {
    // Truncated at every length.
    for n in 0..PACKET3.len() {
        let r = RtpPacketRef::parse(&PACKET3[..n], n);
        if n < 12 {
            assert_eq!(r.unwrap_err(), RtpError::TooShort);
        } else if n < 24 {
            assert_eq!(r.unwrap_err(), RtpError::BadExtension, "len {n}");
        } else {
            assert!(r.is_ok());
        }
    }
    // len larger than buffer.
    assert_eq!(
        RtpPacketRef::parse(&PACKET1[..], 55).unwrap_err(),
        RtpError::TooShort
    );
    // Bad version.
    let mut b = PACKET1;
    b[0] = 0x50;
    assert_eq!(
        RtpPacketRef::parse(&b[..], 54).unwrap_err(),
        RtpError::BadVersion
    );
    // Padding count larger than the payload.
    let mut b = PACKET1;
    b[0] |= 0x20;
    b[53] = 35;
    assert_eq!(
        RtpPacketRef::parse(&b[..], 54).unwrap_err(),
        RtpError::BadPadding
    );
    b[53] = 34; // exactly the payload: ok, empty payload
    let p = RtpPacketRef::parse(&b[..], 54).unwrap();
    assert_eq!((p.payload_len(), p.padding_len()), (0, 34));
    // Padding 0.
    b[53] = 0;
    assert_eq!(
        RtpPacketRef::parse(&b[..], 54).unwrap_err(),
        RtpError::BadPadding
    );
    // P bit with no payload byte at all.
    let h = [0xa0, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2];
    assert_eq!(
        RtpPacketRef::parse(&h[..], 12).unwrap_err(),
        RtpError::BadPadding
    );
    // Extension length past the end.
    let mut b = PACKET1;
    b[15] = 0x20;
    assert_eq!(
        RtpPacketRef::parse(&b[..], 54).unwrap_err(),
        RtpError::BadExtension
    );
    // CC=15 on a 20-byte packet.
    let mut c = [0u8; 20];
    c[0] = 0x8f;
    assert_eq!(
        RtpPacketRef::parse(&c[..], 20).unwrap_err(),
        RtpError::BadCsrc
    );
    // Extension element longer than the block: element ignored, no panic.
    let b = [
        0x90, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0xbe, 0xde, 0x00, 0x01, 0x1f, 0xaa, 0xbb, 0xcc,
    ];
    let p = RtpPacketRef::parse(&b[..], b.len()).unwrap();
    assert_eq!(p.extension(1), None);
    assert_eq!(p.extensions().count(), 0);
    // Unknown profile: block kept opaque.
    let b = [
        0x90, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0x12, 0x34, 0x00, 0x01, 0x10, 0xaa, 0, 0,
    ];
    let p = RtpPacketRef::parse(&b[..], b.len()).unwrap();
    assert_eq!(p.extension_profile(), Some(0x1234));
    assert_eq!(p.extension(1), None);
    // One-byte id 15 stops parsing.
    let b = [
        0x90, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0xbe, 0xde, 0x00, 0x01, 0xf0, 0x10, 0xaa, 0,
    ];
    let p = RtpPacketRef::parse(&b[..], b.len()).unwrap();
    assert_eq!(p.extension(1), None);
}

#[test]
fn owned_buffers_work_too() {
    let p = RtpPacketBuf::parse(PACKET1.to_vec(), 54).unwrap();
    assert_eq!(p.sequence_number(), 23617);
    let mut arr = [0u8; 1500];
    arr[..54].copy_from_slice(&PACKET1);
    let mut p = RtpPacketBuf::parse(arr, 54).unwrap();
    p.rtx_encode(97, 1, 2).unwrap();
    assert_eq!(p.len(), 56);
}
